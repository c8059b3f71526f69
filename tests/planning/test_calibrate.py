"""Calibration of the posterior rule's threshold (designs.planning.decision_rule.calibrate).

Type I errors are binomial rates: MC SE = sqrt(p (1 - p) / n). Where a calibrated threshold
is checked on fresh trials, the comparison has two independent Monte Carlo errors (the
calibration's order statistic and the fresh trials' rate), each about the binomial SE at the
target, so its MC SE is sqrt(2) x sqrt(target (1 - target) / n).
"""

import math

import numpy as np
import pytest

from designs.errors import InputError
from designs.planning.decision_rule import calibrate, decision_prior, tail_probabilities
from designs.planning.power import power
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

TARGET = 0.025


def _robust(weight, n_per_arm=100):
    return load_design().with_overrides(
        {
            "trial.n_per_arm": n_per_arm,
            "decision.rule": "posterior",
            "decision.prior": "robust",
            "decision.prior_weight": weight,
        }
    )


def test_threshold_is_the_order_statistic_of_null_posterior_probabilities(fake_posterior):
    """The calibrated threshold lets exactly floor(target x n) of the null trials succeed
    (the same trials, recomputed here), its interval brackets it, and the design's threshold
    is the one power uses at zero effect."""
    design = _robust(0.5, n_per_arm=40)
    prior = decision_prior(design, fake_posterior())
    cal = calibrate(design, 2000, 11, prior=prior)
    null = design.with_overrides({"effect.value": 0.0})
    res = run_trials(simulation_inputs(null), 2000, 11, ("lmm_slope",))
    tail = tail_probabilities(res, "lmm_slope", prior, 0.0)
    ok = np.isfinite(tail)
    n = int(ok.sum())
    assert cal.trials - cal.failed_fits == n
    assert int(np.sum(tail[ok] < 1 - cal.threshold)) == math.floor(TARGET * n)
    assert cal.ci95[0] <= cal.threshold <= cal.ci95[1] and cal.mc_se > 0
    # the SE printed beside the interval is its half-width over 1.96 (a mutation review: an
    # SE twice that passed every test)
    assert cal.mc_se == pytest.approx((cal.ci95[1] - cal.ci95[0]) / (2 * 1.959964), rel=1e-6)
    at = null.with_overrides({"decision.threshold": cal.threshold})
    again = power(at, 2000, 11, prior=prior, control=False)  # the share of the same trials
    assert again["lmm_slope"].power * n == pytest.approx(math.floor(TARGET * n), abs=1)


def test_borrowing_inflates_the_uncalibrated_type_one_error(fake_posterior):
    """With w = 0.5 and 1 on a phase 2 posterior that says benefit (fake posterior: delta
    ~ N(0.15, 0.1), 30% of the phase 2 decline, +0.15 points/month here), the default
    threshold 0.975 rejects far more than 2.5% of null trials: above the target plus 3 MC SE
    (MC SE of the measured rate, 4,000 trials). The calibrated threshold is higher."""
    for weight in (0.5, 1.0):
        design = _robust(weight)
        prior = decision_prior(design, fake_posterior())
        cal = calibrate(design, 4000, 5, prior=prior)
        assert cal.type1_uncalibrated > TARGET + 3 * cal.mc_se_uncalibrated, cal
        assert cal.threshold > 0.975
        assert cal.type1_calibrated <= TARGET


@pytest.mark.slow
def test_calibrated_threshold_holds_on_fresh_trials(fake_posterior):
    """Calibrate on 20,000 null trials (seed 1), then simulate 20,000 fresh null trials (seed 2)
    at the calibrated threshold: type I error within 3 MC SE of the target, MC SE = sqrt(2) x
    sqrt(0.025 x 0.975 / 20,000) = 0.0016 (see the module docstring); the uncalibrated 0.975
    is outside that band on the same fresh trials."""
    trials = 20_000
    design = _robust(0.5)
    prior = decision_prior(design, fake_posterior())
    cal = calibrate(design, trials, 1, prior=prior)
    fresh = design.with_overrides({"effect.value": 0.0, "decision.threshold": cal.threshold})
    s = power(fresh, trials, 2, prior=prior)["lmm_slope"]
    se = math.sqrt(2.0) * math.sqrt(TARGET * (1 - TARGET) / trials)
    assert abs(s.power - TARGET) < 3 * se, (s.power, cal)
    old = power(fresh.with_overrides({"decision.threshold": 0.975}), trials, 2, prior=prior)
    assert old["lmm_slope"].power > TARGET + 3 * se


def test_too_few_null_trials_beyond_the_threshold_are_refused(fake_posterior):
    """A calibration needs MIN_NULL_EXCEEDANCES (10) null trials beyond its threshold: with
    fewer, the threshold is the largest of a handful of null probabilities and its rank
    interval is cut off at the sample's end (a review: 10 trials, threshold 0.9406 with MC SE
    0.0017). The refusal comes before any trial is simulated, and again when failed fits
    leave too few."""
    from designs.planning.decision_rule import MIN_NULL_EXCEEDANCES, calibration_from_tails

    design = load_design(None).with_overrides({"decision.rule": "posterior"})
    with pytest.raises(InputError, match=r"^trials = 399: .* at least 400 trials"):
        calibrate(design, 399, 1)
    exclude = design.with_overrides({"decision.failed_fits": "exclude"})
    tail = np.linspace(0.001, 0.999, 800)
    tail[MIN_NULL_EXCEEDANCES * 40 :] = np.nan  # half the fits failed: 400 left
    assert calibration_from_tails(exclude, tail, 0.025, 800, 1).trials == 800
    tail[399] = np.nan  # 399 left: 9 beyond the threshold over the fits that succeeded
    with pytest.raises(InputError, match=r"401 of 800 fits failed; the 399 left allow 9"):
        calibration_from_tails(exclude, tail, 0.025, 800, 1)
    # a failed fit a failure (the default): 20 of the 800 may pass, as power counts them
    cal = calibration_from_tails(design, tail, 0.025, 800, 1)
    assert cal.counted_trials == 800 and cal.type1_calibrated == 20 / 800


def test_failed_fits_count_as_failures_in_the_calibration_as_in_power():
    """A Bayesian review: calibrate left failed fits out of its type I errors under the
    default failed_fits = "failure" too (96/3864 printed where power counts 96/4000). Null
    tails with every tenth fit failed: under "failure" floor(0.025 x 1000) = 25 trials pass,
    the rates over 1,000; under "exclude" floor(0.025 x 900) = 22, over 900."""
    from designs.planning.decision_rule import calibration_from_tails

    design = load_design(None).with_overrides({"decision.rule": "posterior"})
    tail = np.random.default_rng(7).uniform(size=1000)
    tail[::10] = np.nan
    finite = np.sort(tail[np.isfinite(tail)])
    cal = calibration_from_tails(design, tail, 0.025, 1000, 1)
    assert cal.counted_trials == 1000 and cal.tail_cutoff == finite[25]
    assert cal.type1_calibrated == 25 / 1000
    assert cal.type1_uncalibrated == np.sum(finite < 1 - design.decision.threshold) / 1000
    excluded = design.with_overrides({"decision.failed_fits": "exclude"})
    cal = calibration_from_tails(excluded, tail, 0.025, 1000, 1)
    assert cal.counted_trials == 900 and cal.tail_cutoff == finite[22]
    assert cal.type1_calibrated == 22 / 900
