"""Trials whose analysis failed count as failures to reject by default (issue 15), and are left
out of the rates only on request (``decision.failed_fits = "exclude"``).

The design: 4 patients per arm losing 40% a month, where a few percent of the REML fits fail
(too few patients or visits left). The tests compare the two conventions on the same trials,
so they are exact statements about counts, not statistical ones.
"""

import numpy as np
import pytest

from designs.outputs.console import failed_fit_warnings
from designs.outputs.tables import failed_fits_note
from designs.planning.assurance import assurance_from_draws
from designs.planning.control_variate import controlled_rate, critical_value
from designs.planning.power import power
from designs.planning.power_curve import simulate_curve
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

TRIALS, SEED = 400, 3
FRAIL = {"trial.n_per_arm": 4, "dropout.cumulative": [], "dropout.monthly_hazard": 0.4}


@pytest.fixture(scope="module")
def frail():
    return load_design("default").with_overrides(FRAIL)


@pytest.fixture(scope="module")
def both(frail):
    """Plain shares of trials (``control=False``): the statements below are about counts."""
    default = power(frail, TRIALS, SEED, control=False)["lmm_slope"]
    excluded = frail.with_overrides({"decision.failed_fits": "exclude"})
    exclude = power(excluded, TRIALS, SEED, control=False)
    return default, exclude["lmm_slope"]


def test_the_design_has_some_failed_fits(both):
    default, exclude = both
    assert 0 < default.failed_fits < TRIALS
    assert default.failed_fits == exclude.failed_fits


def test_power_counts_a_failed_fit_as_a_failure_by_default(both):
    default, exclude = both
    ok = TRIALS - default.failed_fits
    for rate in ("power", "power_favourable"):
        k = round(getattr(exclude, rate) * ok)  # rejections among the successful fits
        assert getattr(exclude, rate) == pytest.approx(k / ok, abs=1e-12)
        assert getattr(default, rate) == pytest.approx(k / TRIALS, abs=1e-12)
    assert default.denominator == TRIALS and exclude.denominator == ok
    assert default.mc_se == pytest.approx(np.sqrt(default.power * (1 - default.power) / TRIALS))
    assert default.to_dict()["failed_as"] == "failure"
    # estimates are over successful fits under both conventions
    assert default.mean_estimate == exclude.mean_estimate


def test_power_curve_and_assurance_use_the_same_denominator(frail, both):
    default, _ = both
    curve = simulate_curve(frail, [4], TRIALS, SEED, control=False)
    assert curve.ok.all() and curve.failed_fits[0] == default.failed_fits
    assert curve.power[0] == pytest.approx(default.power_favourable, abs=1e-12)
    excl = simulate_curve(
        frail.with_overrides({"decision.failed_fits": "exclude"}), [4], TRIALS, SEED
    )
    assert excl.ok.sum() == TRIALS - default.failed_fits
    # a posterior with one effect value is the fixed-effect power (same trials, same seed)
    res = assurance_from_draws(frail, np.full(10, 0.25), TRIALS, SEED)
    fixed = power(frail.with_overrides({"effect.value": 0.25}), TRIALS, SEED, control=False)
    fixed = fixed["lmm_slope"]
    assert res.failed_fits == fixed.failed_fits > 0
    assert res.assurance == pytest.approx(fixed.power_favourable, abs=1e-12)


def test_the_control_variate_counts_the_same_trials(frail):
    """With the control variate a failed fit is a failure to reject (``failure``): the
    estimate is the hand-computed one over every trial. Over the successful fits alone
    (``exclude``) the control's mean need not be 0 (failures may depend on the data), so
    there the rate is the plain share of the successful fits."""
    trials = 500  # the control's least (control_variate.MIN_TRIALS)
    got = power(frail, trials, SEED)["lmm_slope"]
    res = run_trials(simulation_inputs(frail), trials, SEED, oracle=True)
    ok = ~res.failed("lmm_slope")
    assert 0 < ok.sum() < trials
    success = res.rejected_favourable("lmm_slope", 0.05) & ok
    hand = controlled_rate(success, *res.oracle.T, critical_value(0.05, 2))
    assert got.estimator == "control variate"
    assert got.power_favourable == pytest.approx(hand.estimate, rel=1e-12)
    assert got.mc_se_favourable == pytest.approx(hand.mc_se, rel=1e-12)
    excluded = frail.with_overrides({"decision.failed_fits": "exclude"})
    plain = power(excluded, trials, SEED)["lmm_slope"]
    assert plain.estimator == "plain"
    assert plain.power_favourable == success.sum() / ok.sum()
    curve = simulate_curve(excluded, [4], trials, SEED)
    assert curve.power[0] == pytest.approx(success.sum() / ok.sum(), rel=1e-12)


def test_every_message_says_how_failed_fits_were_counted(frail, both):
    default, _ = both
    exclude = frail.with_overrides({"decision.failed_fits": "exclude"})
    assert "count as failures to reject" in failed_fits_note(frail)
    assert "left out" in failed_fits_note(exclude)
    # the posterior rule rejects nothing: a failed fit is no success (review wording)
    rule = frail.with_overrides({"decision.rule": "posterior"})
    assert "count as failures (no success of the rule)" in failed_fits_note(rule)
    (line,) = failed_fit_warnings([default], frail)
    assert "failures to reject" in line
    (line,) = failed_fit_warnings([default], exclude)
    assert "left out of the power" in line
