"""Each target's probit curve refitted on the sizes near its crossing
(designs.planning.power_curve.target_fits), and the sizes added where the grid has too few
there (an independent review: the one line in sqrt(n) over a grid spanning a 5.6-fold range
put n for 90% 3-4 per arm low under a sceptical prior and 12 high with ols_slope_ttest).

References are closed forms: power curves whose n for a target is known exactly, given to
the fit as binomial counts equal to their expectation (10^7 trials per size), so the fits
have no Monte Carlo error to allow for."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from designs.planning.power_curve import (
    LOCAL_FACTOR,
    MIN_LOCAL_SIZES,
    PowerCurve,
    invert_curve,
    local_window,
    target_fits,
)
from designs.planning.size_grid import grow_curve, initial_sizes
from designs.spec import load_design

M = 10**7
Z = stats.norm.isf(0.025)


def _sceptical_power(n):
    """Power of ``P(effect > 0 | data) > 0.975`` under a N(0, s^2) prior, estimate ~
    N(delta, se1^2 / n): succeeds when ``est / se > z sqrt(1 + se^2 / s^2)``, so
    ``Phi^-1(power) = delta sqrt(n) / se1 - z sqrt(1 + c / n)``, not linear in sqrt(n); as on
    the default design, delta 0.125 points/month, se1 0.6 (one patient per arm) and the
    sceptical SD 0.076, so ``c = se1^2 / s^2 = 62`` and n is about 218 and 278."""
    n = np.asarray(n, dtype=float)
    return stats.norm.cdf(0.125 * np.sqrt(n) / 0.6 - Z * np.sqrt(1 + 62.0 / n))


def _exact_n(power, target):
    from scipy.optimize import brentq

    return brentq(lambda n: power(n) - target, 10, 5000)


def test_the_refit_removes_the_bend_of_one_line_over_the_grid():
    sizes = np.array([71, 91, 117, 149, 191, 244, 312, 399])  # the default design's grid
    m = np.full(sizes.size, M)
    k = np.round(_sceptical_power(sizes) * m)
    every = target_fits(sizes, k, m, (0.8, 0.9), windows=[None, None])[0]
    local, windows = target_fits(sizes, k, m, (0.8, 0.9))
    for j, target in enumerate((0.8, 0.9)):
        exact = _exact_n(_sceptical_power, target)
        global_n = invert_curve(*every[j], target)
        local_n = invert_curve(*local[j], target)
        # the line over the grid misses by 2.7-2.9 per arm (the review's seeds: +2.9 and
        # -3.9, SE 1.1-1.4); refitted near the crossing by 1.3-1.5, in the same direction
        # for both targets (within a window of 2.25-fold the curve still bends a little)
        assert abs(global_n - exact) > 2.5, (global_n, exact)
        assert abs(local_n - exact) < 0.55 * abs(global_n - exact), (local_n, global_n, exact)
        assert windows[j] is not None and windows[j].sum() >= MIN_LOCAL_SIZES
        inside = sizes[windows[j]]
        assert inside.min() >= exact / LOCAL_FACTOR / 1.01
        assert inside.max() <= exact * LOCAL_FACTOR * 1.01


def test_a_curve_linear_in_sqrt_n_gives_the_same_n_either_way():
    sizes = np.array([71, 91, 117, 149, 191, 244, 312, 399])
    m = np.full(sizes.size, M)
    k = np.round(stats.norm.cdf(-1.9 + 0.2 * np.sqrt(sizes)) * m)
    fits, _ = target_fits(sizes, k, m, (0.8, 0.9))
    for (b0, b1), target in zip(fits, (0.8, 0.9), strict=True):
        exact = ((stats.norm.ppf(target) + 1.9) / 0.2) ** 2
        assert invert_curve(b0, b1, target) == pytest.approx(exact, rel=1e-4)


def test_local_window_falls_back_to_every_size():
    sizes = np.array([50, 100, 200, 400, 800])
    assert local_window(sizes, math.inf) is None  # the target is not reached
    assert local_window(sizes, 700.0) is None  # only 800 within 1.5 times: too few
    assert local_window(np.array([100, 110, 120]), 110.0) is None  # all inside: the same fit
    assert local_window(sizes, 150.0) is None  # 100 and 200 only
    more = np.array([100, 150, 200, 400, 800])
    assert list(more[local_window(more, 150.0)]) == [100, 150, 200]


def _deterministic_curve(design, sizes, power, trials=4000):
    """A PowerCurve whose power at each size is ``power(size)`` rounded to whole trials."""
    sizes = np.asarray(sizes, dtype=np.int64)
    fav = np.zeros((sizes.size, trials), dtype=bool)
    for i, p in enumerate(power(sizes)):
        fav[i, : round(float(p) * trials)] = True
    ok = np.ones_like(fav)
    return PowerCurve("n_per_arm", sizes, fav, ok, np.zeros(sizes.size, dtype=np.int64))


def test_sizes_are_added_where_the_grid_has_too_few_near_a_crossing():
    """An analysis much less efficient than the GLS slope that brackets the grid: n near 780
    where the grid's last sizes are far apart; the search adds sizes within 1.5 times of the
    crossing, so that its refit has at least 3 there."""
    design = load_design(None)

    def power(n):  # linear in sqrt(n) on the probit scale, n for 90% about 780
        return stats.norm.cdf(-2.2 + 0.125 * np.sqrt(np.asarray(n, dtype=float)))

    asked = []

    def simulate(sizes):
        asked.append(list(sizes))
        return _deterministic_curve(design, sizes, power)

    curve = grow_curve(design, (0.9,), simulate, [71, 150, 300, 1000])
    exact = _exact_n(power, 0.9)
    near = curve.sizes[(curve.sizes >= exact / 1.5) & (curve.sizes <= exact * 1.5)]
    assert len(set(near.tolist())) >= MIN_LOCAL_SIZES, (curve.sizes, exact)
    assert len(asked) == 2  # the grid, then the sizes near the crossing (the grid holds it)
    ((b0, b1),), _ = curve.target_fits((0.9,))
    assert invert_curve(b0, b1, 0.9) == pytest.approx(exact, rel=0.02)
    # a grid that already has 3 sizes near every crossing gets none
    asked.clear()
    grow_curve(design, (0.8, 0.9), simulate, initial_sizes(design, (0.8, 0.9), 8))
    assert len(asked) >= 1 and all(len(a) > 0 for a in asked)


def test_a_window_without_enough_outcomes_keeps_the_fit_over_every_size():
    """A diff review: at 100 trials per size the 99% target's window held powers 0.96, 1.00
    and 1.00; refitted there the probit line was all but separated and n came out 322 per
    arm (interval 314-326) where about 426 are needed. A size counts toward the refit only
    with at least MIN_OUTCOMES successes and failures each."""
    from designs.planning.power_curve import MIN_OUTCOMES

    sizes = np.array([101, 127, 160, 201, 253, 315, 394, 494])
    m = np.full(sizes.size, 100)
    k = np.array([55, 65, 74, 84, 90, 96, 100, 100])
    fits, windows = target_fits(sizes, k, m, (0.99,))
    assert windows == [None]  # 315 has 4 failures, 394 and 494 none: no size informs
    every = target_fits(sizes, k, m, (0.99,), windows=[None])[0]
    assert fits == every
    # the same window (n about 400: sizes 315-494) is used when they have MIN_OUTCOMES
    # failures each
    assert local_window(sizes, 400.0, k, m) is None
    k2 = k.copy()
    k2[5:] = 100 - MIN_OUTCOMES
    assert list(sizes[local_window(sizes, 400.0, k2, m)]) == [315, 394, 494]
