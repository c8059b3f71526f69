"""Enrichment at screening (designs.simulation): delta-FS and lead-in decline ranges admit the
population specified, screened candidates are counted, patients nest across sample sizes.

Stochastic checks use fixed seeds and tolerances from the Monte Carlo error stated beside
each assertion (means and ratios: 4 SE).
"""

import math

import numpy as np
import pytest
from scipy import stats

from designs.simulation import layout as K
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design


def _truncated_normal_mean(a, b):
    """E[W | a < W < b] for a standard normal W."""
    return (stats.norm.pdf(a) - stats.norm.pdf(b)) / (stats.norm.cdf(b) - stats.norm.cdf(a))


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.8])
def test_delta_fs_enrichment_selects_the_population_as_specified(rho):
    """Admit delta-FS >= 0.9/month from PRO-ACT-like candidates (log-normal 0.91 (0.53)):
    admitted delta-FS lie in range; the placebo arm's mean true slope equals
    ``slope_mean - slope_sd rho E[W | W > w_lo]`` (faster decline when rho > 0, unchanged when
    rho = 0); screened per enrolled equals ``1 / P(admit)`` from the log-normal."""
    n = 3000
    d = load_design("proact_unselected").with_overrides(
        {
            "trial.n_per_arm": n,
            "enrichment.delta_fs_min": 0.9,
            "population.delta_fs_slope_corr": rho,
            "effect.value": 0.0,
        }
    )
    pop = d.population
    p_admit = d.enrichment.delta_fs_admit_probability(pop)
    mu, sd = pop.delta_fs_log_params
    w_lo = (math.log(0.9) - mu) / sd
    assert p_admit == pytest.approx(stats.norm.sf(w_lo))
    data = simulate_one_trial(simulation_inputs(d), seed=4)
    dfs = data["delta_fs"]
    assert dfs.size == 2 * n and np.all(dfs >= 0.9) and np.all(np.isfinite(dfs))
    # mean slope of admitted placebo patients; SE <= slope_sd / sqrt(n) = 0.0137; 4 SE
    expected = pop.slope_mean - pop.slope_sd * rho * _truncated_normal_mean(w_lo, np.inf)
    got = data["true_slope"][:n].mean()
    assert abs(got - expected) < 4 * pop.slope_sd / math.sqrt(n), (got, expected)
    if rho > 0:
        assert got < pop.slope_mean - 0.05  # admitted patients decline faster
    # screened per enrolled: negative binomial, SD of the ratio sqrt((1 - P) / n) / P; 4 SD
    for arm in (0, 1):
        ratio = data["screened"][arm] / n
        tol = 4 * math.sqrt((1 - p_admit) / n) / p_admit
        assert abs(ratio - 1 / p_admit) < tol, (ratio, 1 / p_admit)


def test_enrichment_counts_screened_and_nests_across_n():
    base = load_design("proact_enriched_dfs")
    small = simulate_one_trial(simulation_inputs(base.with_overrides({"trial.n_per_arm": 6})), 2)
    big = simulate_one_trial(simulation_inputs(base.with_overrides({"trial.n_per_arm": 11})), 2)
    for arm in (0, 1):
        ys = small["alsfrs_r"][small["arm"] == arm]
        yb = big["alsfrs_r"][big["arm"] == arm]
        np.testing.assert_array_equal(ys, yb[: ys.size])
    assert np.all(small["delta_fs"] <= 1.1)
    assert np.all(small["screened"] >= 6) and np.all(big["screened"] >= small["screened"])
    # run_trials records the same screening as the exported trial of the same index
    d = base.with_overrides({"trial.n_per_arm": 30})
    inputs = simulation_inputs(d)
    res = run_trials(inputs, 40, 2, ("ols_slope_ttest",))
    one = simulate_one_trial(inputs, 2, trial=7)
    assert res.counts[7, K.C_SCREENED_PLACEBO] == one["screened"][0]
    assert res.counts[7, K.C_SCREENED_ACTIVE] == one["screened"][1]
    p = d.enrichment.delta_fs_admit_probability(d.population)
    ratio = res.counts[:, K.C_SCREENED_PLACEBO :].sum() / (40 * 60)
    # 2,400 admitted: SD of the ratio sqrt((1 - P) / 2400) / P ~ 0.014; 4 SD
    assert abs(ratio - 1 / p) < 4 * math.sqrt((1 - p) / 2400) / p


def test_lead_in_decline_enrichment_admits_only_the_range():
    d = load_design("lead_in").with_overrides(
        {
            "trial.n_per_arm": 300,
            "enrichment.lead_in_decline_min": 1.0,
            "enrichment.lead_in_decline_max": 4.0,
        }
    )
    data = simulate_one_trial(simulation_inputs(d), seed=8)
    first = data["month"] == -3.0
    base = data["month"] == 0.0
    loss = data["alsfrs_r"][first] - data["alsfrs_r"][base]
    assert loss.size == 600 and loss.min() >= 1.0 and loss.max() <= 4.0
    assert np.all(data["screened"] > 300)
    # patients admitted for losing >= 1 point decline faster than the candidates
    assert data["true_slope"][:300].mean() < d.population.slope_mean


def test_a_screen_nobody_passes_is_refused_after_one_trial():
    """Losing 40+ points in a 3-month lead-in admits nobody. Every trial would screen its whole
    quota (1000 candidates per patient randomised, plus 1000) before being marked failed; the
    pilot trial refuses the design instead, naming the admission range, before any block."""
    from designs.planning.power import power

    d = load_design("lead_in").with_overrides(
        {"trial.n_per_arm": 20, "enrichment.lead_in_decline_min": 40.0}
    )
    with pytest.raises(Exception) as err:
        power(d, 50, 7)
    assert "screening admitted fewer than 20" in str(err.value)
    assert "lead_in_decline_min" in str(err.value)


def test_blocks_shrink_with_the_candidates_screened():
    """A design that screens 10 candidates per patient randomised holds about a tenth of the
    trials per block (Ctrl-C and the progress bar act between blocks); the pilot's ratio is
    the first trial's screened count over the patients randomised."""
    from designs.simulation.engine import block_size_for, screening_pilot

    d = load_design("lead_in").with_overrides(
        {"trial.n_per_arm": 400, "enrichment.lead_in_decline_min": 6.0}
    )
    inputs = simulation_inputs(d)
    ratio = screening_pilot(inputs, 7, 0)
    screened = simulate_one_trial(inputs, 7, 0)["screened"]
    assert ratio == screened.sum() / 800
    assert ratio > 3  # a 6-point loss in 3 months is rare in this slow population
    plain, screened_blocks = block_size_for(inputs, 1), block_size_for(inputs, 1, ratio)
    assert screened_blocks < plain
    assert screened_blocks == pytest.approx(plain / ratio, rel=0.01, abs=1)
    # without screening the pilot costs nothing and changes nothing
    assert screening_pilot(simulation_inputs(load_design()), 7, 0) == 1.0
