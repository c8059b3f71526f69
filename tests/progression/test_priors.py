"""Prior SDs used to judge how much the data narrowed each prior."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from progression.errors import InputError
from progression.model import POPULATION_PARAMS
from progression.priors import DEFAULT_PRIORS, SLOPE_CHANGE_SD_SETTINGS, prior_sd


def test_prior_sd_matches_scipy():
    """Reference: scipy.stats distributions' std (SciPy >= 1.14)."""
    p = DEFAULT_PRIORS.replace(slope_change_sd_scale=0.3, residual_sd_log_sd=0.4)
    assert prior_sd(p, "delta") == pytest.approx(stats.norm(0, p.delta_sd).std())
    assert prior_sd(p, "slope_change_sd") == pytest.approx(stats.halfnorm(scale=0.3).std())
    assert prior_sd(p, "level_sd") == pytest.approx(stats.halfnorm(scale=p.level_sd_scale).std())
    ref = stats.lognorm(0.4, scale=p.residual_sd_median).std()
    assert prior_sd(p, "residual_sd") == pytest.approx(ref)
    for name in POPULATION_PARAMS:
        assert math.isfinite(prior_sd(p, name))
    with pytest.raises(InputError):
        prior_sd(p, "level")


def test_slope_change_sd_settings_move_only_that_prior():
    assert len(SLOPE_CHANGE_SD_SETTINGS) == 3
    for changes in SLOPE_CHANGE_SD_SETTINGS.values():
        assert set(changes) <= {"slope_change_sd_scale"}
        DEFAULT_PRIORS.replace(**changes)  # valid values
    scales = sorted(
        v.get("slope_change_sd_scale", DEFAULT_PRIORS.slope_change_sd_scale)
        for v in SLOPE_CHANGE_SD_SETTINGS.values()
    )
    assert scales[0] < DEFAULT_PRIORS.slope_change_sd_scale < scales[-1]
