"""``analyze --look`` (:func:`designs.planning.interim_look.decision_at_look`) against rpact.

At each look of a trial analysed at the information it observed: the efficacy boundaries,
the alpha spent, the decision, the repeated confidence bound (Jennison & Turnbull 2000, ch.
9) and, where the trial stops, the stagewise-ordering p-value and median-unbiased estimate
(chapter 8).

Reference values: R package rpact 3.3.4 (Debian r-cran-rpact 3.3.4-1, R 4.2.2), computed by
hand with ``tests/data/rpact_interim_look.R`` (``getAnalysisResults`` on a one-sample mean
with standard deviation 1 given cumulatively, so the information is ``n = 1 / SE^2``; the
design analysed spends the planned design's alpha at ``min(n / I_max, 1)`` and all that is
left at a final look, at the observed information rates) and pasted here. CI needs no R.

Tolerances: nothing here is Monte Carlo. Both programs find boundaries, the repeated
confidence bounds and the median-unbiased estimate by root finding; the largest differences
seen were 4e-8 (boundaries), 3e-8 (p-values), 1.1e-7 (estimates) and 2.3e-7 (a repeated
bound), so the tests allow 1e-6 on the z scale and 5e-7 elsewhere (points/month or
probability), well below anything printed (4-5 significant digits).
"""

from __future__ import annotations

import math

import pytest

from designs.planning.interim_look import decision_at_look
from designs.spec import load_design

# rpact's testActions as the labels of analyze --look (and of the simulation)
ACTION = {
    "continue": "continue",
    "reject and stop": "efficacy",
    "reject": "efficacy",
    "accept": "final: no rejection",
}

# label, spending (family, gamma), planned looks, sides, I_max, information n at each look,
# statistic at each look, df (inf: z statistics; else n - 1, t statistics), rpact: critical
# values, alpha spent, test actions, repeated lower bounds, and where the trial stops (at the
# last look given) the final p-value and the median-unbiased estimate.
INF = math.inf
CASES = [
    (
        "obf, 3 looks, final, rejects",
        ("obf", None), 3, 1, 250, [80, 170, 240], [1.2, 2.0, 2.3], INF,
        [3.79360424, 2.48160493, 1.99135394], [0.00007424, 0.00656580, 0.02500000],
        ["continue", "continue", "reject"], [-0.28997377, -0.03693741, 0.01992302],
        0.01379219, 0.14525047,
    ),
    (
        "obf, 3 looks, final, no rejection",
        ("obf", None), 3, 1, 250, [80, 170, 240], [1.2, 2.0, 1.5], INF,
        [3.79360424, 2.48160493, 1.99135394], [0.00007424, 0.00656580, 0.02500000],
        ["continue", "continue", "accept"], [-0.28997377, -0.03693741, -0.03171676],
        0.06727891, 0.09665603,
    ),
    (
        "obf, stops at look 2 of 3",
        ("obf", None), 3, 1, 250, [80, 170], [1.2, 2.7], INF,
        [3.79360424, 2.48160493], [0.00007424, 0.00656580],
        ["continue", "reject and stop"], [-0.28997377, 0.01675014],
        0.00350162, 0.20699186,
    ),
    (
        "obf, look 2 of 3 reaches I_max (the final analysis)",
        ("obf", None), 3, 1, 250, [80, 260], [1.2, 2.1], INF,
        [3.79360424, 1.96043719], [0.00007424, 0.02500000],
        ["continue", "reject"], [-0.28997377, 0.00865532],
        0.01789683, 0.13021860,
    ),
    (
        "pocock, 2 looks, final above I_max",
        ("pocock", None), 2, 1, 250, [130, 260], [1.1, 2.4], INF,
        [2.14539196, 2.21470652], [0.01596076, 0.02500000],
        ["continue", "reject"], [-0.09168694, 0.01149141],
        0.02101218, 0.14009515,
    ),
    (
        "power 2, stops at look 3 of 4",
        ("power", 2.0), 4, 1, 240, [60, 110, 190], [0.9, 1.8, 2.6], INF,
        [2.95516685, 2.63066912, 2.23525397], [0.00156250, 0.00525174, 0.01566840],
        ["continue", "continue", "reject and stop"], [-0.26532090, -0.07920119, 0.02646145],
        0.00858552, 0.18327606,
    ),
    (
        "hsd -4, 3 looks, final",
        ("hsd", -4.0), 3, 1, 220, [90, 150, 230], [1.5, 1.9, 2.1], INF,
        [2.88948217, 2.53566704, 2.00587816], [0.00192938, 0.00666587, 0.02500000],
        ["continue", "continue", "reject"], [-0.14646405, -0.05190200, 0.00620621],
        0.02078975, 0.13650969,
    ),
    (
        "two-sided obf, 3 looks, final",
        ("obf", None), 3, 2, 250, [80, 170, 240], [1.2, 2.0, 2.3], INF,
        [3.79360424, 2.48160493, 1.99135394], [0.00014848, 0.01313160, 0.05000000],
        ["continue", "continue", "reject"], [-0.28997377, -0.03693741, 0.01992302],
        0.02758438, 0.14525047,
    ),
    (
        "two-sided obf, stops at look 2 of 3",
        ("obf", None), 3, 2, 250, [80, 170], [1.2, 2.9], INF,
        [3.79360424, 2.48160493], [0.00014848, 0.01313160],
        ["continue", "reject and stop"], [-0.28997377, 0.03208944],
        0.00381678, 0.22225991,
    ),
    (
        # rpact with directionUpper = FALSE; with its default (TRUE) rpact's estimate is
        # -0.22241999, not the mirror image of the case above although the boundaries are
        # symmetric: the mirror image is right, and is what analyze --look gives
        "two-sided obf, harm at look 2 of 3",
        ("obf", None), 3, 2, 250, [80, 170], [-1.2, -2.9], INF,
        [3.79360424, 2.48160493], [0.00014848, 0.01313160],
        ["continue", "reject and stop"], [-0.55830193, -0.41275026],
        0.00381678, -0.22225991,
    ),
    # t statistics: every figure rpact's with normalApproximation = FALSE but the
    # median-unbiased estimate, which reads the Wald statistic estimate / SE as normal: rpact's
    # with normalApproximation = TRUE at the same statistics (rpact with FALSE reads the t
    # carried to z: 0.14442428 here, 0.29746573 in the look-2 stop below; that z's median lies
    # below theta sqrt(I) under an effect, see interim_look._stagewise; at a first-look stop
    # rpact returns the estimate itself, as the Wald statistic gives)
    (
        "obf, 3 looks, final, t statistics on n - 1 df",
        ("obf", None), 3, 1, 250, [80, 170, 240], [1.2, 2.0, 2.3], "n - 1",
        [3.79360424, 2.48160493, 1.99135394], [0.00007424, 0.00656580, 0.02500000],
        ["continue", "continue", "reject"], [-0.31156059, -0.03897324, 0.01925196],
        0.01415717, 0.14525047,
    ),
    (
        "obf, stops at look 1 of 3, t statistic on n - 1 df",
        ("obf", None), 3, 1, 250, [85], [5.207], "n - 1",
        [3.67045857], [0.00012106], ["reject and stop"], [0.14883214],
        0.00000067, 0.56477845,
    ),
    (
        "obf, stops at look 2 of 3, t statistics on n - 1 df",
        ("obf", None), 3, 1, 250, [80, 170], [1.2, 4.0], "n - 1",
        [3.79360424, 2.48160493], [0.00007424, 0.00656580],
        ["continue", "reject and stop"], [-0.31156059, 0.11441984],
        0.00011684, 0.30437608,
    ),
]  # fmt: skip


def _design(spending, n_looks: int, sides: int):
    family, gamma = spending
    overrides = {
        "interim.looks": [(j + 1) / n_looks for j in range(n_looks)],
        "interim.spending": family,
        "interim.futility": "none",
        "trial.sides": sides,
        "trial.alpha": 0.025 * sides,
    }
    if gamma is not None:
        overrides["interim.gamma"] = gamma
    return load_design().with_overrides(overrides)


def _looks(case):
    """``decision_at_look`` at each look of the case, the earlier looks' SEs given."""
    _, spending, n_looks, sides, i_max, info, stats, df, *_ = case
    design = _design(spending, n_looks, sides)
    se = [1.0 / math.sqrt(n) for n in info]
    out = []
    for k, (n, stat) in enumerate(zip(info, stats, strict=True)):
        result = {
            "estimate": stat * se[k],
            "se": se[k],
            "df": n - 1.0 if df == "n - 1" else df,
            "statistic": stat,
        }
        out.append(decision_at_look(design, result, k + 1, se[:k], information_max=i_max))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_boundaries_decisions_and_repeated_bounds_equal_rpact(case):
    *_, critical, spent, actions, rci_low, _, _ = case
    looks = _looks(case)
    last = looks[-1]
    assert last["efficacy_boundaries_z"] == pytest.approx(critical, abs=1e-6)
    assert last["alpha_spent"] == pytest.approx(spent, abs=5e-8)  # rpact's, to 8 decimals
    harm = case[6][-1] < 0 and case[3] == 2
    expected = [ACTION[a] for a in actions]
    if harm:
        expected[-1] = "harm"
    assert [look["decision"] for look in looks] == expected
    assert [look["repeated_ci_low"] for look in looks] == pytest.approx(rci_low, abs=5e-7)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_stagewise_p_value_and_median_unbiased_estimate_equal_rpact(case):
    *_, p_value, estimate = case
    stop = _looks(case)[-1]
    assert stop["p_value_stagewise"] == pytest.approx(p_value, abs=5e-7)
    assert stop["median_unbiased_estimate"] == pytest.approx(estimate, abs=5e-7)


def test_no_stagewise_inference_where_the_trial_goes_on():
    """rpact gives no final p-value before the stopping look; neither does analyze --look."""
    looks = _looks(CASES[0])
    for look in looks[:-1]:
        assert look["decision"] == "continue"
        assert look["p_value_stagewise"] is None
        assert look["median_unbiased_estimate"] is None
