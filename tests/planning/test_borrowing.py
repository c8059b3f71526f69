"""The posterior rule calibrated at each weight of phase 2 (designs.planning.borrowing)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from designs import load_design
from designs.analyses.decision import NormalMixture, lower_tail
from designs.planning.borrowing import (
    calibrated_borrowing,
    calibrated_rates,
    from_tails,
    null_trials,
)
from designs.planning.decision_rule import decision_prior, tail_probabilities
from designs.planning.power import null_design
from designs.planning.report_plan import _borrowing_design
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs

PHASE2 = NormalMixture.normal(0.15, 0.1)  # a phase 2 posterior of the effect favouring benefit


def _designs(weights, n=30):
    d = _borrowing_design(load_design().with_overrides({"trial.n_per_arm": n}), "lmm_slope")
    return [d.with_overrides({"decision.prior_weight": float(w)}) for w in weights]


def test_rates_count_each_weights_trials_below_its_cutoff_as_a_loop_does():
    """Failed fits (NaN) are failures over every trial by default, as power counts them, and
    left out of numerator and denominator under "exclude" (a diff review: left out under
    both)."""
    rng = np.random.default_rng(5)
    tails = rng.uniform(size=(3, 200))
    tails[1, ::7] = np.nan
    cut = np.array([0.1, 0.5, 0.93])
    every, kept_only = [], []
    for row, c in zip(tails, cut, strict=True):
        kept = [t for t in row if not math.isnan(t)]
        every.append(sum(t < c for t in kept) / len(row))
        kept_only.append(sum(t < c for t in kept) / len(kept))
    np.testing.assert_array_equal(calibrated_rates(tails, cut), every)
    np.testing.assert_array_equal(calibrated_rates(tails, cut, exclude=True), kept_only)
    assert every[1] < kept_only[1]


def test_null_trials_hold_the_type_i_error_se_and_ten_beyond_the_threshold():
    assert null_trials(0.025, 500) == 10_834  # 0.025 x 0.975 / 0.0015^2
    assert null_trials(0.025, 20_000) == 20_000
    assert null_trials(0.0005, 100) == 20_000  # 10 / 0.0005 beyond the threshold


def test_with_one_se_every_weight_passes_the_same_trials_and_the_power_is_the_z_tests():
    """Closed form. With the same SE ``s`` in every trial, each weight's posterior tail is a
    decreasing function of the estimate (a normal likelihood has a monotone likelihood ratio),
    so the threshold holding the type I error at alpha passes the trials whose estimate is
    above the null's (1 - alpha) quantile, whatever the weight: the gains are 0 and the power
    is the one-sided z test's, Phi(delta / s - z_{1-alpha}) (Kopp-Schneider et al. 2020).
    Tolerances: 4 times the delta-method SE of the calibrated power (below), which the
    bootstrap SE must also match within 15% (its own relative error is about
    1 / sqrt(2 x 500) = 3%, and the quantile's bootstrap is discrete)."""
    weights = (0.0, 0.5, 1.0)
    designs_w = _designs(weights)
    s, delta, n = 0.1, 0.25, 20_000
    rng = np.random.default_rng(11)
    est0, est1 = rng.normal(0.0, s, n), rng.normal(delta, s, n)
    priors = [decision_prior(d, phase2=PHASE2) for d in designs_w]
    null = np.array([lower_tail(p, est0, np.full(n, s)) for p in priors])
    effect = np.array([lower_tail(p, est1, np.full(n, s)) for p in priors])
    c = from_tails(designs_w, null, effect, seed=1, resamples=500)
    alpha = 0.025
    z = stats.norm.ppf(1 - alpha)
    p = stats.norm.cdf(delta / s - z)
    se = math.sqrt(
        p * (1 - p) / n
        + (stats.norm.pdf(delta / s - z) / stats.norm.pdf(z)) ** 2 * alpha * (1 - alpha) / n
    )
    assert np.all(np.abs(c.gain) <= 1.0 / n)  # at most one trial on a rounding boundary
    assert np.all(np.abs(c.power - p) < 4 * se)
    assert np.all(np.abs(c.power_mc_se / se - 1) < 0.15)
    # borrowing more moves the threshold up (the prior favours benefit), not the power
    assert np.all(np.diff(c.threshold) > 0)
    assert c.threshold[0] == pytest.approx(1 - alpha, abs=0.005)  # vague prior: about 1 - alpha


def test_engine_calibration_holds_the_level_on_fresh_null_trials():
    """The default design at 30 per arm: each weight's calibrated threshold, applied to
    10,834 fresh null trials (another seed), passes alpha of them within 3 SD, the SD
    sqrt(alpha (1 - alpha) (1 / N0 + 1 / N_fresh)) combining the threshold's own Monte Carlo
    error (its true type I error is an order statistic's coverage) with the fresh count's.
    The gains from borrowing stay within 3 of their MC SEs (no gain at held type I error)."""
    weights = (0.0, 0.5, 1.0)
    designs_w = _designs(weights)
    c = calibrated_borrowing(designs_w[0], PHASE2, weights, 400, 3)
    alpha = c.target
    fresh = run_trials(simulation_inputs(null_design(designs_w[0])), c.null_trials, 77,
                       ("lmm_slope",))  # fmt: skip
    sd = math.sqrt(alpha * (1 - alpha) * (1 / c.null_trials + 1 / c.null_trials))
    for i, d in enumerate(designs_w):
        tail = tail_probabilities(fresh, "lmm_slope", decision_prior(d, phase2=PHASE2), 0.0)
        rate = float(np.mean(tail[np.isfinite(tail)] < 1 - c.threshold[i]))
        assert abs(rate - alpha) < 3 * sd, (weights[i], rate)
    assert np.all(np.abs(c.gain[1:]) <= 3 * c.gain_mc_se[1:])
    assert c.trials == c.null_trials == 10_834 and 0.1 < c.power[0] < 0.9


def test_a_weight_left_uncalibrated_leaves_its_cells_empty_not_nan():
    """A diff review: with weight 0 not calibrated the other rows read '+nan (nan)', and a
    weight whose every fit failed under the effect had a power of 0 (SE 0)."""
    from designs.outputs.figures_decision import _calibrated_cells

    designs_w = _designs((0.0, 0.5))
    rng = np.random.default_rng(3)
    null = rng.uniform(size=(2, 1000))
    effect = rng.uniform(size=(2, 1000)) * 0.1
    null[0] = np.nan  # every null fit failed at weight 0: nothing to calibrate on
    c = from_tails(designs_w, null, effect, seed=1, resamples=50)
    assert np.isnan(c.threshold[0]) and "weight 0: " in c.note
    assert np.isfinite(c.power[1]) and np.isnan(c.gain[1])
    assert _calibrated_cells(c, 0) == " not calibrated | - | - |"
    assert _calibrated_cells(c, 1).endswith(" | - |") and "nan" not in _calibrated_cells(c, 1)
    assert np.isnan(calibrated_rates(np.full((1, 5), np.nan), np.array([0.5])))[0]
