"""Crossings decided at the final look by the exit probability against solved boundaries."""

import numpy as np
import pytest

from designs.sequential import SpendingFunction
from designs.sequential.observed import observed_boundaries, observed_crossings


def _information(rng, n, fractions, spread=0.08):
    """Information (plan 200 at the last look) spread about the planned fractions."""
    info = np.asarray(fractions) * 200.0 * np.exp(spread * rng.standard_normal((n, len(fractions))))
    return np.maximum.accumulate(info, axis=1)


@pytest.mark.parametrize(
    ("spending", "fractions", "sides"),
    [
        (SpendingFunction("obf"), (1 / 3, 2 / 3, 1.0), 1),
        (SpendingFunction("obf"), (1 / 3, 2 / 3, 1.0), 2),
        (SpendingFunction("pocock"), (0.25, 0.5, 0.75, 1.0), 1),
        (SpendingFunction("hsd", -2), (0.5, 1.0), 2),
    ],
)
def test_final_crossing_is_the_solved_boundary_crossing_even_a_hair_away(
    spending, fractions, sides
):
    """Trials that reach the final look with z on either side of their solved boundary, as
    close as 1e-9 (the solver's error is about 1e-13, so no decision may differ), decide
    exactly as ``|z| >= boundary``; every other boundary is the solved one."""
    rng = np.random.default_rng(2026)
    n = 600
    info = _information(rng, n, fractions)
    alpha = 0.025 * sides
    solved = observed_boundaries(info, 200.0, alpha, spending, sides)
    offset = np.array([-1e-9, 1e-9, -1e-3, 1e-3, -0.5, 0.5])[np.arange(n) % 6]
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0) if sides == 2 else 1.0
    z = np.zeros_like(info)  # 0 at the interim looks: no crossing, no futility
    z[:, -1] = sign * (solved[:, -1] + offset)
    bounds, cross = observed_crossings(info, 200.0, alpha, spending, sides, z)
    np.testing.assert_array_equal(cross[:, -1], offset > 0)
    assert not cross[:, :-1].any()
    decided = np.isnan(bounds[:, -1])
    assert decided.all()  # every z here lies inside the solver's bracket
    # the interim boundaries: solved, or left out where z = 0 lay clear of their brackets
    # (only for trials whose final z lay clear of its bracket too: some offsets of 0.5)
    interim = bounds[:, :-1]
    same = ~np.isnan(interim)
    np.testing.assert_array_equal(interim[same], solved[:, :-1][same])
    assert same.all(axis=1)[np.abs(offset) < 0.1].all()


def test_crossings_agree_with_boundaries_with_futility_and_failed_looks():
    """Random z (trials stopping at any look for efficacy or futility, some looks without a
    decision, NaN): the crossings are ``z >= boundary`` of the solved boundaries at every
    look the trial reached."""
    rng = np.random.default_rng(7)
    n = 2000
    fractions = (0.25, 0.5, 0.75, 1.0)
    info = _information(rng, n, fractions)
    hsd = SpendingFunction("hsd", -4)
    z = rng.normal(1.0, 1.2, info.shape)
    z[rng.random(info.shape) < 0.05] = np.nan
    fut = np.array([-0.5, 0.3, 1.2, 2.0])
    solved = observed_boundaries(info, 200.0, 0.025, hsd, 1, z=z, futility=fut)
    bounds, cross = observed_crossings(info, 200.0, 0.025, hsd, 1, z, futility=fut)
    with np.errstate(invalid="ignore"):
        want = z >= solved
    np.testing.assert_array_equal(cross, want)
    same = ~np.isnan(bounds)
    np.testing.assert_array_equal(bounds[same], solved[same])
    assert not np.isnan(bounds[:, 0]).any()  # the first look's boundary is always there
    # an interim look without z has its boundary solved (the density needs it)
    assert (np.isnan(bounds[:, 1:-1]) <= np.isfinite(z[:, 1:-1])).all()
    # every trial that reached the final look with a z was decided there without a solve
    with np.errstate(invalid="ignore"):
        stopped = ((z >= solved) | (z <= fut))[:, :-1].any(axis=1)
    reached = ~stopped & np.isfinite(z[:, -1])
    assert reached.sum() > 100
    np.testing.assert_array_equal(np.isnan(bounds[:, -1]), reached)


@pytest.mark.parametrize("sides", [1, 2])
def test_each_trial_is_its_own_row_whatever_the_chunk_or_threads(sides):
    """The kernel reuses its scratch across the trials of a chunk and splits the trials over
    threads: each trial's boundaries and decisions must not depend on which trials went
    before it, nor on the thread count. Rows shuffled (the median start is the same) and one
    thread against two give the same bits (trials stop at every look, some for futility,
    some looks without a decision)."""
    import numba

    from designs.sequential.observed import CHUNK

    rng = np.random.default_rng(19)
    n = 5 * CHUNK + 7
    fractions = (0.25, 0.5, 0.75, 1.0)
    info = _information(rng, n, fractions)
    z = rng.normal(1.0, 1.3, info.shape)
    z[rng.random(info.shape) < 0.05] = np.nan
    fut = np.array([-0.5, 0.0, 0.5, -np.inf]) if sides == 1 else None
    obf = SpendingFunction("obf")
    alpha = 0.025 * sides
    bounds, cross = observed_crossings(info, 200.0, alpha, obf, sides, z, futility=fut)
    perm = rng.permutation(n)
    b_perm, c_perm = observed_crossings(info[perm], 200.0, alpha, obf, sides, z[perm], futility=fut)
    np.testing.assert_array_equal(b_perm, bounds[perm])
    np.testing.assert_array_equal(c_perm, cross[perm])
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        b_one, c_one = observed_crossings(info, 200.0, alpha, obf, sides, z, futility=fut)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(b_one, bounds)
    np.testing.assert_array_equal(c_one, cross)
