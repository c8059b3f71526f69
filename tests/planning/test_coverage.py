"""The coverage of the trials' 95% confidence intervals (an ADEMP review, Morris, White &
Crowther 2019: it was reported nowhere, and under strongly informative dropout the intervals
a trial reports hold the true value in about 90% of trials)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from designs import load_design
from designs.analyses import results as R
from designs.planning.power import power
from designs.planning.power_tally import coverage_counts
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs


def test_coverage_counts_match_the_t_intervals_written_out():
    rng = np.random.default_rng(1)
    est = rng.normal(0.1, 0.05, 500)
    se = np.full(500, 0.05)
    df = rng.choice([5.0, 30.0, np.inf], 500)
    truth = np.full(500, 0.1)
    truth[:7] = np.nan  # no true value: not counted
    q = np.where(
        np.isinf(df), stats.norm.ppf(0.975), stats.t.ppf(0.975, np.where(np.isinf(df), 1, df))
    )
    expected = np.abs(est - truth)[7:] <= (q * se)[7:]
    assert coverage_counts(est, se, df, truth) == (int(expected.sum()), 493)
    assert coverage_counts(est[:7], se[:7], df[:7], truth[:7]) == (0, 0)


def test_power_counts_the_engines_own_trials():
    """The summary's coverage is the share of the engine's trials (their estimate, SE and
    df) whose interval holds the trial's true value: counted here again from run_trials."""
    design = load_design().with_overrides({"trial.n_per_arm": 30})
    s = power(design, 600, 11, ("lmm_slope",), control=False)["lmm_slope"]
    res = run_trials(simulation_inputs(design), 600, 11, ("lmm_slope",))
    ok = ~res.failed("lmm_slope")
    est, se, df = (res.column("lmm_slope", k)[ok] for k in (R.ESTIMATE, R.SE, R.DF))
    truth = res.inputs.true_effect("lmm_slope", res.effect_by_trial[ok])
    held = np.abs(est - truth) <= stats.t.ppf(0.975, df) * se
    assert s.coverage_trials == ok.sum() and s.coverage == held.mean()
    assert math.isclose(s.coverage_mc_se, math.sqrt(s.coverage * (1 - s.coverage) / ok.sum()))
    assert math.isclose(s.bias_mc_se, s.sd_estimate / math.sqrt(ok.sum()))
    assert s.to_dict()["coverage"] == s.coverage and "bias_mc_se" in s.to_dict()


def test_complete_continuous_data_cover_at_the_nominal_level():
    """Complete data with continuous scores: the REML slope contrast is the pooled t-test of
    per-patient slopes, whose 95% interval is exact. 4,000 trials: MC SE of the coverage
    sqrt(0.95 x 0.05 / 4000) = 0.0034; tolerance 4 MC SE."""
    design = load_design().with_overrides(
        {
            "trial.n_per_arm": 20,
            "population.integer_scores": False,
            "dropout.cumulative": [],
            "dropout.monthly_hazard": 0.0,
            "dropout.death_monthly_hazard": 0.0,
        }
    )
    s = power(design, 4000, 5, ("lmm_slope",))["lmm_slope"]
    assert abs(s.coverage - 0.95) < 4 * math.sqrt(0.95 * 0.05 / 4000), s.coverage


def test_joint_rank_has_no_coverage():
    s = power(load_design().with_overrides({"trial.n_per_arm": 20}), 50, 3, ("joint_rank",))
    assert math.isnan(s["joint_rank"].coverage) and s["joint_rank"].coverage_trials == 0


def test_coverage_at_its_edges_gives_a_bound_and_the_note():
    """A diff review: every interval holding the truth read "1.000 (MC SE 0.000)" over 26
    fits, and every interval missing it left the bias note silent on the coverage."""
    from types import SimpleNamespace

    from designs.outputs.effect_notes import _coverage_short
    from designs.outputs.rates import coverage_text

    every = SimpleNamespace(coverage=1.0, coverage_mc_se=0.0, coverage_trials=26)
    # the exact one-sided 95% lower bound after 26 of 26: 0.05^(1/26) = 0.8913
    assert coverage_text(every) == (
        "; 95% CI coverage 1.000 (all of 26 trials; one-sided 95% lower bound 0.891)"
    )
    none = SimpleNamespace(coverage=0.0, coverage_mc_se=0.0)
    assert "a share of only 0.000 of the trials" in _coverage_short(none)
    near = SimpleNamespace(coverage=0.948, coverage_mc_se=0.003)  # within MC error
    assert _coverage_short(near) == ""
