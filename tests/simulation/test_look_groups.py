"""One arm's data at the looks (designs.simulation.look_groups) against the definitions: the
visits available counted one by one, the sums of scheduled_sums over them, the groups added
patient by patient. Exact equality: the kernels make the same additions in the same order."""

import numpy as np
import pytest

from designs.simulation.look_groups import (
    add_look_groups,
    add_looks_groups,
    add_whole_arm,
    available_sums,
    sees_whole_arm,
)
from designs.simulation.patients import arm_scratch_sums, scheduled_sums
from designs.simulation.visit_groups import add_visit_groups

VISITS = np.array([0.0, 1.5, 3.0, 6.0, 9.0, 12.0, 18.0])


def _arm(rng, n, integer):
    """Visit-major scores (as the kernel's scratch), exits, and entries of which some fall
    exactly on a look's month with a visit (e + t_j == tau)."""
    v = VISITS.size
    y = arm_scratch_sums(n, v)[0]
    y[:, :] = rng.integers(0, 49, (n, v)) if integer else rng.normal(30.0, 8.0, (n, v))
    m = rng.integers(1, v + 1, n)
    entry = rng.uniform(0.0, 20.0, n)
    entry[::7] = 10.0 - VISITS[rng.integers(0, v, entry[::7].size)]
    entry = np.maximum(entry, 0.0)
    return y, m, entry


def _available(entry, m, tau):
    """Visits available at ``tau``, one visit at a time."""
    return np.array(
        [sum(1 for j in range(m[p]) if entry[p] + VISITS[j] <= tau) for p in range(entry.size)]
    )


@pytest.mark.parametrize("integer", [True, False])
def test_available_sums_are_scheduled_sums_over_the_available_visits(integer):
    rng = np.random.default_rng(5)
    n = 53
    y, m, entry = _arm(rng, n, integer)
    looks = np.array([4.0, 10.0, 17.5, 40.0])
    partial = np.array([0, 1, 3], dtype=np.int64)
    avail = np.full((looks.size, n), -1, dtype=np.int64)
    sums = np.full((looks.size, 3, n), np.nan)
    available_sums(y, VISITS, m, entry, n, looks, partial, partial.size, avail, sums)
    for i, k in enumerate(partial):
        expected = _available(entry, m, looks[k])
        np.testing.assert_array_equal(avail[i], expected)
        reference = np.empty((4, n))
        scheduled_sums(y, 0, VISITS, expected, n, reference)
        np.testing.assert_array_equal(sums[i], reference[:3])
    # at month 10 some patients are not randomised, some partly seen; at 40 all seen
    assert np.any(avail[1] == 0) and np.any((avail[1] > 0) & (avail[1] < m))
    assert np.all(avail[2] == m)


def test_sees_whole_arm_is_every_visit_available():
    rng = np.random.default_rng(6)
    n = 40
    _, m, entry = _arm(rng, n, True)
    seen = []
    for tau in np.r_[np.linspace(0.0, 40.0, 81), entry + VISITS[m - 1]]:
        whole = bool(np.all((_available(entry, m, tau) == m) & (entry <= tau)))
        assert sees_whole_arm(entry, m, n, VISITS, tau) == whole
        seen.append(whole)
    assert any(seen) and not all(seen)


def test_groups_are_added_patient_by_patient():
    rng = np.random.default_rng(7)
    n = 61
    v = VISITS.size
    y, m, entry = _arm(rng, n, False)
    avail = np.empty((1, n), dtype=np.int64)
    sums = np.empty((1, 3, n))
    available_sums(y, VISITS, m, entry, n, np.array([9.0]), np.zeros(1, np.int64), 1, avail, sums)
    assert np.any(avail[0] == 0) and np.any(avail[0] > 1)
    start = rng.normal(size=(2 * v + 1, 7))  # the other arm's statistics, already there
    gstat = start.copy()
    add_look_groups(gstat, v, 2 * v, avail[0], sums[0], n)
    expected = start.copy()
    for p in range(n):
        a = avail[0, p]
        g = v + a - 1 if a > 0 else 2 * v
        sy, sty, yy = sums[0, :, p]
        for c, x in enumerate((1.0, yy, sy, sty, sy * sy, sy * sty, sty * sty)):
            expected[g, c] += x
    np.testing.assert_array_equal(gstat[: 2 * v], expected[: 2 * v])


def test_looks_two_at_a_time_are_each_look_alone():
    """Groups at three looks (a pair, then one) are those added look by look."""
    rng = np.random.default_rng(8)
    n = 47
    v = VISITS.size
    y, m, entry = _arm(rng, n, True)
    looks = np.array([5.0, 10.0, 16.0, 40.0])
    partial = np.array([0, 1, 2], dtype=np.int64)
    avail = np.empty((looks.size, n), dtype=np.int64)
    sums = np.empty((looks.size, 3, n))
    available_sums(y, VISITS, m, entry, n, looks, partial, 3, avail, sums)
    start = rng.normal(size=(looks.size, 2 * v + 1, 7))
    gstat = start.copy()
    add_looks_groups(gstat, partial, 3, 0, 2 * v, avail, sums, n)
    for i, k in enumerate(partial):
        expected = start[k].copy()
        add_look_groups(expected, 0, 2 * v, avail[i], sums[i], n)
        np.testing.assert_array_equal(gstat[k, : 2 * v], expected[: 2 * v])
    np.testing.assert_array_equal(gstat[3], start[3])


@pytest.mark.parametrize("leavers", [0, 5, 30])
def test_whole_arm_is_the_fixed_designs_groups(leavers):
    """With few leavers (register runs) or many (no branch): the fixed design's groups."""
    rng = np.random.default_rng(9 + leavers)
    n = 80
    v = VISITS.size
    m = np.full(n, v)
    m[rng.choice(n, leavers, replace=False)] = rng.integers(1, v, leavers)
    sums = rng.normal(size=(4, n))
    start = rng.normal(size=(2 * v + 1, 7))
    expected = start.copy()
    add_visit_groups(expected, v, v, m, sums, n)
    gstat = start.copy()
    add_whole_arm(gstat, v, v, m, sums, n, leavers)
    np.testing.assert_array_equal(gstat, expected)
