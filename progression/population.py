"""From the phase 2 posterior to inputs of the trial engine (plain NumPy; no PyMC here).

Sign convention throughout: slopes are ALSFRS-R points/month, negative = decline; the effect
``delta`` is the change of slope after the first dose, so **positive = slower decline =
benefit** (the engine's ``slope_difference`` and ``proportional_slowing`` use the same sign).

Every draw comes from an uncontrolled before/after comparison of five patients (regression to
the mean, plateaus, open-label rating); assurance built on it inherits that caveat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from progression.errors import InputError
from progression.transport import Transport

if TYPE_CHECKING:  # only in annotations (xarray costs start-up time)
    import xarray as xr

    from progression.posterior_view import PosteriorView

    #: What these functions read a posterior from: the whole tree, or the view planning reads
    #: (the same names: ``idata["posterior"]["delta"].values``).
    Posterior = xr.DataTree | PosteriorView

#: Mean pre-dose decline (points/month) below which "a fraction of the phase 2 patients'
#: decline" is undefined in a posterior draw: a draw whose ``pre_slope_mean`` is above
#: ``-MIN_PHASE2_DECLINE`` (about 0.6 points a year, or improvement) has no decline to slow.
MIN_PHASE2_DECLINE = 0.05


def _flat(idata: Posterior, name: str) -> np.ndarray:
    try:
        da = idata["posterior"][name]
    except KeyError:
        raise InputError(f"posterior: variable {name!r} is missing") from None
    if da.dtype.kind not in "fiu":
        raise InputError(f"posterior: variable {name!r} holds {da.dtype} values, not numbers")
    if da.size == 0:
        raise InputError(f"posterior: variable {name!r} has 0 draws; at least 1 is needed")
    return np.asarray(da.values, dtype=np.float64).reshape(-1)


def effect_draws(
    idata: Posterior,
    transport: str = "proportional",
    n: int | None = None,
    seed: int | None = None,
) -> np.ndarray:
    """Posterior draws of the treatment effect, as the engine applies it.

    Parameters
    ----------
    idata : xarray.DataTree or progression.posterior_view.PosteriorView
        Posterior from :func:`progression.model.fit` or
        :func:`progression.model.load_posterior` (needs ``delta``, ``pre_slope_mean``).
    transport : {"proportional", "absolute"}
        ``"proportional"``: ``delta / |pre_slope_mean|`` per draw, the fraction of the phase 2
        patients' mean natural-history decline that treatment removes (dimensionless; 0.25 =
        25% slower decline; apply as ``proportional_slowing``). ``"absolute"``: ``delta`` in
        points/month (apply as ``slope_difference``).
    n : int, optional
        Number of draws. None: every posterior draw, in (chain, draw) order. Otherwise ``n``
        draws resampled uniformly with replacement using ``seed``.
    seed : int, optional
        Seed for the resampling (only used when ``n`` is given).

    Returns
    -------
    numpy.ndarray of float64, shape (n_draws,)
        Positive = slower decline = benefit.
    """
    try:
        kind = Transport(transport)
    except ValueError:
        raise InputError(
            f"transport: {transport!r} is not one of {', '.join(t.value for t in Transport)}"
        ) from None
    delta = _flat(idata, "delta")
    if kind is Transport.PROPORTIONAL:
        out = proportional_fraction(delta, _flat(idata, "pre_slope_mean"))[0]
    else:
        out = delta.copy()
    return _resample(out, n, seed)[0]


def proportional_fraction(
    delta: np.ndarray, pre_slope_mean: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``delta`` as a fraction of the phase 2 patients' mean pre-dose decline, per draw.

    ``delta / |pre_slope_mean|`` where the draw has a decline (``pre_slope_mean <=
    -MIN_PHASE2_DECLINE``). Where it has none (a mean slope near zero or positive), a
    fraction of it is undefined, and the ratio would explode (0.19 / 0.0004 = 480): such a
    draw's ``delta`` is carried over as a fraction of the posterior-median decline instead,
    so one draw cannot wreck a summary. The second array marks those draws.

    Parameters
    ----------
    delta, pre_slope_mean : float64[D]
        Posterior draws, points/month.

    Raises
    ------
    InputError
        When the posterior-median decline itself is below ``MIN_PHASE2_DECLINE``:
        proportional transport is then undefined (use absolute).
    """
    delta = np.asarray(delta, dtype=np.float64)
    pre = np.asarray(pre_slope_mean, dtype=np.float64)
    undefined = _without_decline(pre)
    typical = -float(np.median(pre))
    if not typical >= MIN_PHASE2_DECLINE:
        raise InputError(
            f"transport = 'proportional': the phase 2 patients' posterior-median pre-dose "
            f"slope is {-typical:+.3f} points/month, not a decline of at least "
            f"{MIN_PHASE2_DECLINE:g}; a fraction of it is undefined (use absolute transport)"
        )
    return delta / np.where(undefined, typical, -pre), undefined


def proportional_defined(idata: Posterior) -> bool:
    """Whether proportional transport is defined for this posterior: its posterior-median
    pre-dose slope is a decline of at least ``MIN_PHASE2_DECLINE`` points/month (see
    :func:`proportional_fraction`)."""
    return bool(-float(np.median(_flat(idata, "pre_slope_mean"))) >= MIN_PHASE2_DECLINE)


def undefined_proportional_draws(idata: Posterior) -> int:
    """How many posterior draws have no pre-dose decline (see :func:`proportional_fraction`)."""
    return int(np.sum(_without_decline(_flat(idata, "pre_slope_mean"))))


def _without_decline(pre_slope_mean: np.ndarray) -> np.ndarray:
    """Draws whose mean pre-dose slope is not a decline of at least ``MIN_PHASE2_DECLINE``
    (points/month; NaN counts as no decline)."""
    return ~(np.asarray(pre_slope_mean) <= -MIN_PHASE2_DECLINE)


def _resample(values: np.ndarray, n: int | None, seed: int | None, *more: np.ndarray):
    if n is None:
        return (values, *more)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"n: {n!r} must be a positive integer")
    idx = np.random.default_rng(seed).integers(0, values.size, size=n)
    return (values[idx], *(m[idx] for m in more))


def natural_history_draws(
    idata: Posterior, n: int | None = None, seed: int | None = None
) -> dict[str, np.ndarray]:
    """Posterior draws of the untreated population's parameters, one entry per draw.

    These describe the phase 2 patients (early, slowly progressing, selected); use them for
    a trial population only if it is recruited the same way.

    Parameters
    ----------
    idata : xarray.DataTree or progression.posterior_view.PosteriorView
        Posterior from :func:`progression.model.fit` or
        :func:`progression.model.load_posterior`.
    n, seed : int, optional
        As in :func:`effect_draws`; the same indices are used for every parameter, so the
        draws stay joint.

    Returns
    -------
    dict of str to numpy.ndarray (n_draws,)
        ``slope_mean`` and ``slope_sd`` (pre-dose slope: mean and SD of true slopes,
        points/month), ``baseline_mean`` and ``baseline_sd`` (level at month 0, points),
        ``residual_sd`` (points), ``delta`` (points/month, positive = benefit).
    """
    names = {
        "slope_mean": "pre_slope_mean",
        "slope_sd": "pre_slope_sd",
        "baseline_mean": "level_mean",
        "baseline_sd": "level_sd",
        "residual_sd": "residual_sd",
        "delta": "delta",
    }
    arrays = [_flat(idata, v) for v in names.values()]
    out = _resample(arrays[0], n, seed, *arrays[1:])
    return dict(zip(names, out, strict=True))
