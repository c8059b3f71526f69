"""The phase 2 model's joint log density against the model written out by hand with SciPy
(docs/conventions.md: a level, a pre-dose slope and a change of slope at the first dose per
patient, ALSFRS-R = level + pre_slope t + slope_change max(t, 0) + noise).

A mutation review: `slope_change * t` in place of `slope_change * max(t, 0)` (the effect
applied before the first dose too) passed every fast test, since the calibration tests draw
their data from the model itself; it moved the median of delta from 0.215 to 0.119
points/month. No PyMC sampling here: the density is evaluated at fixed parameter values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from progression.model import build_model, build_model_arrays
from progression.priors import DEFAULT_PRIORS, Priors
from progression.records import load_phase2

#: Free parameters whose PyMC value is their log (HalfNormal and LogNormal priors).
LOG_VALUED = ("level_sd", "pre_slope_sd", "slope_change_sd", "residual_sd")


def _by_hand(values: dict, idx, month, score, p: Priors) -> float:
    """The joint log density at ``values`` (natural scale), every term written out."""
    terms = [
        stats.norm.logpdf(values["level_mean"], p.level_mean, p.level_mean_sd),
        stats.halfnorm.logpdf(values["level_sd"], scale=p.level_sd_scale),
        stats.norm.logpdf(values["pre_slope_mean"], p.pre_slope_mean, p.pre_slope_mean_sd),
        stats.halfnorm.logpdf(values["pre_slope_sd"], scale=p.pre_slope_sd_scale),
        stats.norm.logpdf(values["delta"], p.delta_mean, p.delta_sd),
        stats.halfnorm.logpdf(values["slope_change_sd"], scale=p.slope_change_sd_scale),
        stats.lognorm.logpdf(
            values["residual_sd"], s=p.residual_sd_log_sd, scale=p.residual_sd_median
        ),
    ]
    for z in ("level_z", "pre_slope_z", "slope_change_z"):
        terms.append(stats.norm.logpdf(values[z]).sum())
    level = values["level_mean"] + values["level_sd"] * values["level_z"]
    pre = values["pre_slope_mean"] + values["pre_slope_sd"] * values["pre_slope_z"]
    change = values["delta"] + values["slope_change_sd"] * values["slope_change_z"]
    mean = level[idx] + pre[idx] * month + change[idx] * np.maximum(month, 0.0)
    terms.append(stats.norm.logpdf(score, mean, values["residual_sd"]).sum())
    return float(np.sum(terms))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "priors", [DEFAULT_PRIORS, Priors(delta_mean=0.1, delta_sd=0.4, residual_sd_median=2.0)]
)
def test_the_models_density_is_the_piecewise_model_written_out(seed, priors):
    data = load_phase2()
    idx, month, score = data.arrays()
    assert (month < 0).sum() >= 5 and (month > 0).sum() >= 5  # both sides of the first dose
    model = build_model(data, priors)
    rng = np.random.default_rng(seed)
    n = len(data.patients)
    values = {
        "level_mean": rng.normal(40.0, 2.0),
        "pre_slope_mean": rng.normal(-0.6, 0.2),
        "delta": rng.normal(0.2, 0.2),
        **{name: float(rng.uniform(0.2, 2.5)) for name in LOG_VALUED},
        **{z: rng.normal(size=n) for z in ("level_z", "pre_slope_z", "slope_change_z")},
    }
    point = {
        (f"{k}_log__" if k in LOG_VALUED else k): (np.log(v) if k in LOG_VALUED else v)
        for k, v in values.items()
    }
    assert set(point) == {v.name for v in model.value_vars}  # every free parameter is set
    logp = model.compile_logp(jacobian=False)(point)
    # the same terms in another library: they agree to 3.4e-8 at every point tried (a constant
    # of PyTensor's rounded otherwise than SciPy's); a wrong term moves the sum by far more
    # (effect before the first dose: by tens to thousands)
    assert float(logp) == pytest.approx(_by_hand(values, idx, month, score, priors), abs=1e-6)


def test_the_effect_starts_at_the_first_dose():
    """Visits up to month 0 do not depend on the change of slope: with only those observed,
    moving delta (and so every patient's slope change) leaves the likelihood exactly as it
    was; with the visits after the first dose it moves."""
    data = load_phase2()
    idx, month, score = data.arrays()
    before = month <= 0.0
    pre_dose = build_model_arrays(data.patients, idx[before], month[before], score[before])
    whole = build_model(data)
    for model, moves in ((pre_dose, False), (whole, True)):
        likelihood = model.compile_logp(vars=[model["alsfrs_r"]], jacobian=False)
        base = model.initial_point()
        moved = {**base, "delta": base["delta"] + 0.5}
        assert (float(likelihood(moved)) != float(likelihood(base))) is moves
