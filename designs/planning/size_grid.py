"""The sizes a sample-size search simulates: a bracket from the closed form, extended until
every target power lies inside it, and sizes added near each crossing for its local refit.

Sizes are ``n_per_arm`` with 1:1 allocation, else ``n_total`` (patients randomised), the n
a search chooses then a multiple of the allocation's block (:func:`size_step`);
:mod:`designs.planning.sample_size` and the searches with interim looks
(:mod:`designs.planning.sample_size_gs`) grow their power curves here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from designs.errors import InputError
from designs.planning.power_curve import LOCAL_FACTOR, MIN_LOCAL_SIZES, invert_curve
from designs.planning.progress import expect
from designs.planning.size_limit import max_size


def size_step(design) -> int:
    """The step of the sizes a search chooses: 1 patient per arm with 1:1 allocation, else
    the allocation's block in total (3 for 1:2: :attr:`designs.spec.trial.Allocation.block`),
    so that the arms of the chosen n are in the ratio exactly."""
    return 1 if design.trial.allocation.equal else design.trial.allocation.block


def round_up(design, size: float) -> int:
    """``size`` rounded up to a whole multiple of :func:`size_step` (a hair of rounding
    below a whole number, 1e-9, does not round up)."""
    step = size_step(design)
    return step * math.ceil((size - 1e-9) / step)


def min_size(design) -> int:
    """Smallest size a search simulates: 3 per arm (1:1), else 3 in the smaller arm (>= 6),
    a multiple of the allocation's block."""
    if design.trial.allocation.equal:
        return 3
    frac = design.trial.allocation.active_fraction
    return round_up(design, max(6, math.ceil(3 / min(frac, 1 - frac))))


def closed_form_size(design, target: float) -> float | None:
    """Closed-form size for ``target`` (continuous, MCAR, GLS slope): a starting bracket only.

    Returns None when no formula applies (no benefit, or ``ancova_change`` on degenerate
    variances).
    """
    from designs.planning import closed_form as cf

    delta = design.effect.slope_shift(design.population.slope_mean)
    if not delta > 0:
        return None
    try:
        v_p, v_a = cf.design_slope_variances(design)
    except (InputError, np.linalg.LinAlgError):
        return None
    alloc = design.trial.allocation
    n_tot = cf.n_total_slope(
        delta,
        0.5 * (v_p + v_a),
        alpha=design.trial.alpha,
        power=target,
        sides=design.trial.sides,
        allocation=(alloc.placebo, alloc.active),
    )
    return n_tot / 2 if alloc.equal else n_tot


def first_grid(design, targets: Sequence[float], points: int, sizes=None) -> list[int]:
    """The sizes a search simulates first: ``sizes`` (whole, sorted, each once) if given,
    else ``points`` sizes bracketing the targets from the closed form (:func:`initial_sizes`)."""
    return unique_sizes(sizes) if sizes is not None else initial_sizes(design, targets, points)


def initial_sizes(design, targets: Sequence[float], points: int) -> list[int]:
    lo_t = max(0.3, min(targets) - 0.3)
    hi_t = min(0.985, max(targets) + 0.06)
    lo = closed_form_size(design, lo_t)
    hi = closed_form_size(design, hi_t)
    if lo is None or hi is None:
        lo, hi = 20.0, 400.0
    # the search stays within max_size(): a closed form far above it starts just below it
    lo = min(max(min_size(design), 0.8 * lo), max_size() / 4)
    hi = min(max_size(), max(1.25 * hi, lo + points))
    return unique_sizes(np.geomspace(lo, hi, points))


def unique_sizes(values) -> list[int]:
    return sorted({round(v) for v in values})


def grow_curve(design, targets, simulate, grid, *, extend: bool = True, progress=None):
    """Simulate the power curve at ``grid`` (``simulate(sizes) -> PowerCurve``, one seed) and,
    when ``extend``, add sizes (at most 4 times) until every target lies inside the grid."""
    curve = simulate(grid)
    if not extend:
        return curve
    trials = curve.favourable.shape[1]
    for _ in range(4):  # extend the grid until every target lies inside it
        b0, b1 = curve.fit()
        need = [invert_curve(b0, b1, t) for t in targets]
        lo, hi = int(curve.sizes.min()), int(curve.sizes.max())
        more = []
        if max(need) > hi and hi < max_size():
            top = min(
                max_size(), max(1.6 * hi, 1.15 * max(need) if math.isfinite(max(need)) else 0)
            )
            more += unique_sizes(np.geomspace(hi * 1.15, top, 3))
        if min(need) < lo and lo > min_size(design):
            bottom = max(min_size(design), 0.85 * min(need), lo / 2)
            more += unique_sizes(np.geomspace(bottom, lo / 1.1, 2))
        more = [s for s in more if s not in set(curve.sizes.tolist())]
        if not more:
            break
        expect(progress, len(more) * trials)
        curve = curve.extend(simulate(more))
    more = near_sizes(design, curve, targets)
    if more:  # too few sizes near a crossing for its local refit: simulate some there
        expect(progress, len(more) * trials)
        curve = curve.extend(simulate(more))
    return curve


def near_sizes(design, curve, targets) -> list[int]:
    """Sizes to add where fewer than :data:`MIN_LOCAL_SIZES` lie within
    :data:`LOCAL_FACTOR` of a target's crossing (the grid is bracketed by the GLS slope's
    closed form, so an analysis far less efficient, e.g. ``ols_slope_ttest`` with n for 90%
    near 780 per arm, found one or two sizes there and kept the global fit, 12 high)."""
    fits, windows = curve.target_fits(targets)
    have = set(curve.sizes.tolist())
    more = set()
    for (b0, b1), window, t in zip(fits, windows, targets, strict=True):
        n_hat = invert_curve(b0, b1, t)
        near = (curve.sizes >= n_hat / LOCAL_FACTOR) & (curve.sizes <= n_hat * LOCAL_FACTOR)
        if window is not None or near.all() or not math.isfinite(n_hat):
            continue
        if np.unique(curve.sizes[near]).size >= MIN_LOCAL_SIZES:
            continue  # enough sizes, too few outcomes at them: more sizes would not help
        if not curve.sizes.min() <= n_hat <= curve.sizes.max():
            continue  # not reached inside the grid: the extension above gave up
        for v in unique_sizes(np.geomspace(n_hat / 1.3, n_hat * 1.3, MIN_LOCAL_SIZES)):
            if min_size(design) <= v <= max_size() and v not in have:
                more.add(v)
    return sorted(more)
