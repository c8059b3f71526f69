"""The sorted-count scores of the joint rank (joint_rank_scores) against every pair compared
(pairwise_scores, the former kernel) on trials built to stress the counting: tied death
months, deaths after a dropout, integer and continuous changes, patients with one visit,
no deaths, only deaths, NaN (which falls back to the pairs)."""

import math

import numpy as np
import pytest

from designs.analyses.joint_rank import (
    BIN_SPAN_EXTRA,
    BIN_SPAN_PER_PATIENT,
    joint_rank_scores,
    pairwise_scores,
)

INF = math.inf


def stressed_trial(rng, n, visits, *, tied_months, integer, death_rate, dropout_rate, scale=1):
    """A trial whose exits and changes are drawn to make ties and dropout-before-death
    pairs common (death and dropout months on a grid of whole months when ``tied_months``).
    Integer changes are counted per point; times ``scale`` (whole numbers too wide apart to
    count per point) and continuous changes are sorted."""
    death = np.where(rng.random(n) < death_rate, rng.uniform(0.0, visits, n), np.inf)
    drop = np.where(rng.random(n) < dropout_rate, rng.uniform(0.0, visits, n), np.inf)
    if tied_months:
        death = np.ceil(death)
        drop = np.ceil(drop)
    exit_ = np.minimum(death, drop)
    last = float(visits - 1)
    followup = np.where(np.isfinite(exit_), exit_, last)
    m = np.array([1 + int(np.sum(np.arange(1, visits) < e)) for e in exit_], dtype=np.int64)
    step = rng.integers(-3, 2, (n, visits)) if integer else rng.normal(-0.8, 1.0, (n, visits))
    change = scale * np.cumsum(step, axis=1).astype(float)
    change[:, 0] = 0.0
    for i in range(n):  # unattended visits hold anything: the scores must not read them
        change[i, m[i] :] = rng.normal(0.0, 50.0, visits - m[i])
    return death, followup, m, change


def assert_counts_equal_pairs(death, followup, m, change, n):
    """The counted scores of the first ``n`` patients equal every pair compared, written over
    stale scratch (every score must be written); returns them."""
    fast = np.full(n + 3, 7.0)
    slow = np.empty(n + 3)
    joint_rank_scores(death, followup, m, change, n, fast)
    pairwise_scores(death, followup, m, change, n, slow)
    np.testing.assert_array_equal(fast[:n], slow[:n])
    return fast[:n]


CASES = [
    # n, visits, tied_months, integer, death_rate, dropout_rate[, scale]
    (1, 13, False, True, 0.2, 0.3),
    (40, 13, True, True, 0.3, 0.4, 1000),  # whole numbers, sorted: ties in the sort
    (2, 13, True, True, 0.5, 0.5),
    (7, 3, True, True, 0.4, 0.4),
    (40, 13, True, True, 0.3, 0.4),
    (40, 13, False, False, 0.3, 0.4),
    (60, 7, True, True, 0.0, 0.5),  # no deaths
    (60, 7, True, True, 1.0, 0.0),  # only deaths, many in the same month
    (60, 13, True, True, 0.6, 0.9),  # deaths after most dropouts
    (200, 13, False, True, 0.1, 0.36),  # the default design's size and attrition
    (120, 2, True, True, 0.3, 0.3),  # baseline and one visit
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", range(6))
def test_sorted_counts_equal_every_pair_compared(case, seed):
    n, visits, tied, integer, death_rate, dropout_rate, *scale = case
    rng = np.random.default_rng([seed, n, visits])
    death, followup, m, change = stressed_trial(
        rng, n, visits, tied_months=tied, integer=integer, death_rate=death_rate,
        dropout_rate=dropout_rate, scale=scale[0] if scale else 1,
    )  # fmt: skip
    scores = assert_counts_equal_pairs(death, followup, m, change, n)
    assert scores.sum() == 0.0  # every comparison counted once for each side


def test_only_the_first_n_rows_are_read():
    rng = np.random.default_rng(5)
    death, followup, m, change = stressed_trial(
        rng, 50, 13, tied_months=True, integer=True, death_rate=0.3, dropout_rate=0.3
    )
    fast = np.empty(50)
    slow = np.empty(30)
    joint_rank_scores(death, followup, m, change, 30, fast)
    pairwise_scores(death[:30], followup[:30], m[:30], change[:30], 30, slow)
    np.testing.assert_array_equal(fast[:30], slow)


def test_nan_falls_back_to_the_pairs():
    rng = np.random.default_rng(9)
    death, followup, m, change = stressed_trial(
        rng, 30, 13, tied_months=True, integer=True, death_rate=0.3, dropout_rate=0.3
    )
    i = int(np.argmax(m))
    change[i, 2] = np.nan  # a comparison with NaN ties, as in the pairs
    followup[3] = np.nan
    assert_counts_equal_pairs(death, followup, m, change, 30)


def test_scores_by_hand():
    """Three patients: A died at month 2, B left alive at month 1 (before A's death), C
    completed. A loses to C on survival; A and B meet on function at visit 1 (-1 against
    -3: A wins); B and C meet on function at visit 1 (-3 against -2: C wins)."""
    death = np.array([2.0, np.inf, np.inf])
    followup = np.array([2.0, 1.0, 4.0])
    m = np.array([3, 2, 5], dtype=np.int64)
    change = np.array([[0, -1, -2, 0, 0], [0, -3, 0, 0, 0], [0, -2, -2, -2, -2]], dtype=float)
    score = np.empty(3)
    joint_rank_scores(death, followup, m, change, 3, score)
    assert list(score) == [0.0, -2.0, 2.0]


def _span_case(extra):
    """Four patients alive with two visits whose changes at visit 1 span the largest span
    counted per point plus ``extra`` (0: counted per point; 1: sorted)."""
    span = BIN_SPAN_PER_PATIENT * 4 + BIN_SPAN_EXTRA + extra
    change = [[0, -5], [0, -5 + span], [0, -5 + span], [0, 0]]
    return [INF] * 4, [3.0] * 4, [2] * 4, change


# (death, followup, m, change) edge cases (an independent review's, 2026-12-03)
EDGES = {
    "followup equal to a death month": (
        [2.0, INF, INF],
        [2.0, 2.0, 2.0],
        [3, 3, 3],
        [[0, -1, -2], [0, -2, -1], [0, -1, -3]],
    ),
    "-0.0 against 0.0 in months and changes": (
        [-0.0, 0.0, -0.0, INF],
        [0.0, 0.0, 0.0, -0.0],
        [2, 2, 2, 2],
        [[0, -1], [0, 1], [0, -0.0], [0, 0.0]],
    ),
    "deaths at month 0": ([0.0, 0.0, INF], [0.0, 0.0, 0.0], [1, 1, 1], np.zeros((3, 4))),
    "no visit (m = 0) and baseline only (m = 1)": (
        [INF, INF, 2.0, INF],
        [0.0, 0.0, 2.0, 5.0],
        [0, 1, 0, 3],
        [[9, 9, 9], [0, 9, 9], [9, 9, 9], [0, 1, 2]],
    ),
    "infinite changes": (
        [INF] * 4,
        [3.0] * 4,
        [3, 3, 2, 3],
        [[0, INF, -INF], [0, INF, INF], [0, -INF, 0], [0, 0, -INF]],
    ),
    "one infinity at a whole visit": (
        [INF] * 3,
        [3.0] * 3,
        [2, 2, 3],
        [[0, INF, 0], [0, INF, 0], [0, INF, 1]],
    ),
    "half points among whole ones": (
        [INF] * 4,
        [3.0] * 4,
        [2, 2, 2, 2],
        [[0, 0.5], [0, 1], [0, 0], [0, 0.5]],
    ),
    "whole numbers near 2**53": (
        [INF] * 4,
        [3.0] * 4,
        [2, 2, 2, 2],
        [[0, 2.0**53], [0, 2.0**53 + 2], [0, 2.0**53 - 1], [0, 2.0**53]],
    ),
    "span at the largest counted per point": _span_case(0),
    "span one beyond it (sorted)": _span_case(1),
}


@pytest.mark.parametrize("name", EDGES)
def test_edge_cases_equal_every_pair_compared(name):
    death, followup, m, change = EDGES[name]
    death = np.asarray(death, dtype=float)
    assert_counts_equal_pairs(
        death, np.asarray(followup, dtype=float), np.asarray(m, dtype=np.int64),
        np.asarray(change, dtype=float), death.size,
    )  # fmt: skip
