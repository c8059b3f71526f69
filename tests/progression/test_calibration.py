"""Calibration of the progression model (progression.calibration; slow): simulation-based
calibration, parameter recovery on 60-patient cohorts, and prior sensitivity of delta. Plus a
fast plumbing check. SBC and recovery sample with the fit's default sampler (nutpie): under it
they took 212 s and 141 s on the 2-core machine at load 6-7 (2026-12-02)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from progression.calibration import binomial_bounds, run_recovery, run_sbc
from progression.sensitivity import prior_sensitivity


def test_binomial_bounds_hold_their_level():
    lo, hi = binomial_bounds(140, 0.9, 0.99)
    inside = stats.binom.cdf(hi, 140, 0.9) - stats.binom.cdf(lo - 1, 140, 0.9)
    assert inside >= 0.99
    assert lo < 126 < hi


@pytest.mark.slow
def test_sensitivity_table_plumbing():
    """Two tiny refits: one row per setting, the documented columns.

    Slow only because each prior setting compiles its own model."""
    settings = {"delta prior": {"delta_sd=0.1": {"delta_sd": 0.1}}, "pre": {"default": {}}}
    table = prior_sensitivity(settings=settings, draws=100, tune=100, chains=1, seed=1)
    assert list(table.index) == ["delta_sd=0.1", "default"]
    assert {"prior", "delta_mean", "delta_sd", "delta_hdi95", "p_delta_positive"} <= set(
        table.columns
    )
    # one chain of 100 draws cannot meet the fit report's gates (bulk ESS 400): flagged
    assert not table["gates_met"].any()


@pytest.mark.slow
def test_simulation_based_calibration():
    """Talts et al. 2018: 100 prior draws on the phase 2 design, one chain of 300 draws thinned
    by 3 to 99, ranks in 10 bins of 10; chi-square (df 9) per parameter. With 2 parameters
    tested at 0.005 each, a calibrated model fails with probability about 1%."""
    res = run_sbc(n_replicates=100, draws=300, thin=3, tune=300, n_bins=10, seed=2018)
    assert res.n_kept == 99
    for name, p in res.chi2_pvalue.items():
        assert p > 0.005, (name, res.counts[name].tolist(), p)
    # ranks should not pile up at either end (a one-sided bias)
    for name, ranks in res.ranks.items():
        assert 0.3 < np.mean(ranks) / res.n_kept < 0.7, name


@pytest.mark.slow
def test_parameter_recovery_60_patients():
    """Parameters drawn from the prior, 60 patients each, 20 cohorts: 7 population parameters
    x 20 = 140 central 90% intervals. For a correct model, with truths drawn from the prior,
    each interval covers with probability 0.9, and intervals from different cohorts are
    independent (within a cohort the 7 are nearly so), so the count of covering intervals is
    Binomial(140, 0.9); it must lie in that distribution's central 99% region (binom.ppf).
    Patient-level intervals (3 x 60 x 20) are correlated within a cohort through the shared
    population parameters, so their pooled coverage is only required to lie in 0.85-0.95."""
    res = run_recovery(n_replicates=20, n_patients=60, draws=500, tune=500, seed=60)
    n = res.population_covered.size
    lo, hi = binomial_bounds(n, 0.9, 0.99)
    assert lo <= int(res.population_covered.sum()) <= hi
    assert 0.85 <= res.patient_covered.mean() <= 0.95


@pytest.mark.slow
def test_delta_moves_with_its_priors():
    """Full sensitivity table on the bundled data: a tighter sceptical prior pulls delta toward
    0; a faster assumed natural-history decline makes the after-dose slope look better."""
    table = prior_sensitivity(draws=500, chains=2, tune=500, seed=3)
    assert (table["prior"] == "delta prior").sum() >= 3
    assert (table["prior"] == "pre-dose slope prior").sum() >= 3
    assert (table["prior"] == "slope-change SD prior").sum() == 3
    # Issue 20: slope_change_sd is not learned, and P(delta > 0) falls as its prior widens
    # (0.97 at HalfNormal(0.05), 0.85 at HalfNormal(0.5) in the review). Each P has MC SE
    # <= sqrt(0.25 / ESS) with ESS >= 400, i.e. <= 0.025; the margin 0.05 leaves the expected
    # gap of about 0.12 more than 2 SE of the difference.
    p = table["p_delta_positive"]
    assert (
        p["slope-change SD~HN(0.05): nearly the same change in all"]
        > p["slope-change SD~HN(0.5): very different changes"] + 0.05
    )
    d = table["delta_mean"]
    assert d["delta_sd=0.1 (narrow)"] < d["delta_sd=0.25 (default)"]
    # the default prior N(0, 0.25^2) pulls delta below the vague one's beyond MCMC error
    # (the 0.02 allowed before was that error, not derived). Each posterior mean's MC SE is
    # at most delta_sd / sqrt(min_ess_bulk) (the minimum is over the population parameters,
    # delta among them): 0.010 and 0.010 at seed 3, 0.014 for the difference. The pull
    # expected (normal approximation: the vague fit, 0.31 (SD 0.18), less its prior is a
    # likelihood N(0.32, 0.19^2); with N(0, 0.25^2) that gives 0.21) is 0.1, about 7 of
    # those SE; seed 3 gave 0.2156 against 0.3095
    default, vague = "delta_sd=0.25 (default)", "delta_sd=1.0 (vague)"
    se = table["delta_sd"] / np.sqrt(table["min_ess_bulk"])
    assert d[vague] - d[default] > 3 * np.hypot(se[default], se[vague])
    assert (
        d["pre-slope N(-1.0, 0.3): unselected cohorts"]
        > d["pre-slope N(-0.55, 0.2), SD~HN(0.3) (default)"]
    )
