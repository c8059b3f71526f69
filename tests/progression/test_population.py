"""Posterior draws as trial inputs (progression.population): sign, units, resampling; no
sampling needed (synthetic draws)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from designs.errors import InputError
from progression.population import (
    effect_draws,
    natural_history_draws,
    proportional_fraction,
    undefined_proportional_draws,
)


def _posterior(delta, pre_slope_mean) -> xr.DataTree:
    delta = np.asarray(delta, float).reshape(1, -1)
    pre = np.asarray(pre_slope_mean, float).reshape(1, -1)
    n = delta.shape[1]
    ds = xr.Dataset(
        {
            "delta": (("chain", "draw"), delta),
            "pre_slope_mean": (("chain", "draw"), pre),
            "pre_slope_sd": (("chain", "draw"), np.full((1, n), 0.2)),
            "level_mean": (("chain", "draw"), np.full((1, n), 41.0)),
            "level_sd": (("chain", "draw"), np.full((1, n), 3.0)),
            "residual_sd": (("chain", "draw"), np.full((1, n), 1.0)),
        }
    )
    return xr.DataTree.from_dict({"posterior": ds})


def test_benefit_is_positive_in_both_transports():
    idata = _posterior([0.25, -0.1], [-0.5, -0.5])
    np.testing.assert_allclose(effect_draws(idata, "absolute"), [0.25, -0.1])  # points/month
    np.testing.assert_allclose(effect_draws(idata, "proportional"), [0.5, -0.2])  # fraction


def test_proportional_uses_each_draws_own_slope():
    idata = _posterior([0.2, 0.2], [-0.4, -1.0])
    np.testing.assert_allclose(effect_draws(idata), [0.5, 0.2])


def test_resampling_is_seeded_and_joint():
    rng = np.random.default_rng(0)
    idata = _posterior(rng.normal(0.2, 0.1, 500), rng.normal(-0.5, 0.1, 500))
    a = effect_draws(idata, "absolute", n=1000, seed=3)
    b = effect_draws(idata, "absolute", n=1000, seed=3)
    assert a.shape == (1000,)
    np.testing.assert_array_equal(a, b)
    nh = natural_history_draws(idata, n=50, seed=1)
    assert set(nh) == {
        "slope_mean",
        "slope_sd",
        "baseline_mean",
        "baseline_sd",
        "residual_sd",
        "delta",
    }
    assert all(v.shape == (50,) for v in nh.values())
    # joint: the delta and slope of a resampled draw come from the same posterior draw
    full = idata["posterior"]
    pairs = set(
        zip(full["delta"].values.ravel(), full["pre_slope_mean"].values.ravel(), strict=True)
    )
    assert all((d, s) in pairs for d, s in zip(nh["delta"], nh["slope_mean"], strict=True))


def test_bad_arguments():
    idata = _posterior([0.1], [-0.5])
    with pytest.raises(InputError, match="transport"):
        effect_draws(idata, "relative")
    with pytest.raises(InputError, match="n: 0"):
        effect_draws(idata, n=0)
    with pytest.raises(InputError, match="missing"):
        effect_draws(xr.DataTree.from_dict({"posterior": xr.Dataset()}))


def test_a_draw_without_phase2_decline_cannot_wreck_proportional_transport():
    """One draw with the phase 2 mean pre-dose slope at +0.0004 points/month (as in the
    bundled fit) used to become delta / 0.0004 = 480 (a 48,000% slowing) and drag the mean
    of the draws negative or far positive. It is now carried over as a fraction of the
    posterior-median decline, and counted."""
    delta = np.array([0.2, 0.15, 0.25, 0.19])
    pre = np.array([-0.5, -0.4, -0.6, 0.0004])
    fraction, undefined = proportional_fraction(delta, pre)
    np.testing.assert_allclose(fraction[:3], delta[:3] / np.abs(pre[:3]))
    assert undefined.tolist() == [False, False, False, True]
    assert fraction[3] == pytest.approx(0.19 / 0.45)  # median pre-dose slope -0.45
    assert np.abs(fraction).max() < 1.0
    idata = _posterior(delta, pre)
    assert undefined_proportional_draws(idata) == 1
    np.testing.assert_allclose(effect_draws(idata, "proportional"), fraction)


def test_proportional_transport_refused_when_the_phase2_patients_did_not_decline():
    with pytest.raises(InputError, match="proportional"):
        proportional_fraction(np.array([0.1, 0.1, 0.1]), np.array([0.01, -0.02, 0.3]))
