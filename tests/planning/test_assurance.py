"""Assurance (designs.planning.assurance) over effect draws: degenerate and two-point
posteriors, transports, natural history, plumbing."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from designs.errors import InputError
from designs.planning.assurance import (
    assign_draws,
    assurance_curve,
    assurance_from_draws,
    effect_shift,
)
from designs.planning.posterior import posterior_draws
from designs.planning.power import power
from designs.spec import load_design

SEED = 5
TRIALS = 3000


@pytest.fixture(scope="module")
def design():
    return load_design().with_overrides({"trial.n_per_arm": 60})


def test_degenerate_posterior_equals_power_exactly(design):
    # assurance is the plain share of trials: compared with the plain power (control=False)
    # every draw 0.25 (25% slowing): the same trials as a fixed 25% effect, same seed
    res = assurance_from_draws(design, np.full(1000, 0.25), TRIALS, SEED)
    fixed = power(design.with_overrides({"effect.value": 0.25}), TRIALS, SEED, control=False)[
        "lmm_slope"
    ]
    assert res.assurance == fixed.power_favourable
    assert res.mc_se == fixed.mc_se_favourable
    assert res.failed_fits == fixed.failed_fits
    assert res.power_at_median == fixed.power_favourable
    assert res.p_effect_positive == 1.0


def test_degenerate_absolute_posterior_equals_slope_difference(design):
    d = design.with_overrides({"effect.kind": "slope_difference", "effect.value": 0.2})
    res = assurance_from_draws(d, np.full(7, 0.2), 2000, SEED, transport="absolute")
    assert res.assurance == power(d, 2000, SEED, control=False)["lmm_slope"].power_favourable
    assert res.to_dict()["units"]["posterior_median_draw"] == "points/month"


@pytest.mark.parametrize("transport", ["proportional", "absolute"])
def test_two_point_posterior_is_the_average_of_two_powers(design, transport):
    lo, hi = (0.0, 0.5) if transport == "proportional" else (0.0, 0.25)
    kind = "proportional_slowing" if transport == "proportional" else "slope_difference"
    res = assurance_from_draws(design, np.array([lo, hi]), TRIALS, SEED, transport=transport)
    p = [
        power(design.with_overrides({"effect.kind": kind, "effect.value": v}), TRIALS, SEED)[
            "lmm_slope"
        ].power_favourable
        for v in (lo, hi)
    ]
    expected = 0.5 * (p[0] + p[1])
    # Tolerance: 4 standard errors of (assurance - expected), taking the two estimates as
    # independent (common random numbers make them positively correlated, so this is
    # conservative). Draws are resampled per trial, so the share of each point is binomial
    # too; that variance is part of the assurance's own binomial error.
    se = math.sqrt(
        res.assurance * (1 - res.assurance) / TRIALS
        + (p[0] * (1 - p[0]) + p[1] * (1 - p[1])) / (4 * TRIALS)
    )
    assert abs(res.assurance - expected) < 4 * se
    assert res.p_effect_positive == 0.5
    assert res.posterior_median_draw == pytest.approx(0.5 * (lo + hi))
    # power over the posterior: the lower draw gives ~alpha/2, the upper one much more
    assert res.power_quantiles[0.05] < 0.1 < res.power_quantiles[0.95]
    assert sum(b["trials"] for b in res.bins) == TRIALS - res.failed_fits
    # a bin with none (or all) of its trials significant gives the exact one-sided bound
    # beside its SE of 0 (a formula audit), and a bin in between gives none
    for b in res.bins:
        edge = 1 - 0.05 ** (1 / b["trials"])
        want = {0.0: edge, 1.0: 1 - edge}.get(b["power"])
        assert b["one_sided_bound_95"] == (None if want is None else pytest.approx(want))


def test_a_bin_with_no_success_gives_its_bound():
    from designs.planning.assurance import _bins

    bins = _bins(np.arange(40.0), np.r_[np.zeros(20, bool), np.ones(20, bool)], 2)
    assert bins[0]["power"] == 0.0 and bins[0]["mc_se"] == 0.0
    assert bins[0]["one_sided_bound_95"] == pytest.approx(1 - 0.05 ** (1 / 20))  # 0.139
    assert bins[1]["one_sided_bound_95"] == pytest.approx(0.05 ** (1 / 20))


def test_effect_shift_transports(design):
    slope = abs(design.population.slope_mean)
    np.testing.assert_array_equal(
        effect_shift(design, [0.1, -0.2], "proportional"), [0.1 * slope, -0.2 * slope]
    )
    np.testing.assert_array_equal(effect_shift(design, [0.1, -0.2], "absolute"), [0.1, -0.2])
    with pytest.raises(InputError, match="transport"):
        effect_shift(design, [0.1], "relative")
    with pytest.raises(InputError, match="finite"):
        effect_shift(design, [np.nan], "absolute")


def test_proportional_transport_scales_the_decline_of_the_patients_randomised():
    """Under delta-FS screening a phase 2 fraction applies to the admitted patients' mean
    decline, not the candidates' (a review: on proact_enriched_dfs the median fraction 0.397
    became +0.404 points/month, 47% of the trial's placebo decline). Checked against the
    placebo arm of one simulated trial of 2,000 admitted patients: the mean of their true
    slopes has SE 0.7 / sqrt(2000) = 0.016 points/month, tolerance 4 SE = 0.063, while the
    candidates' mean (-1.02) is 0.17 away from the admitted one (-0.852)."""
    from designs.planning.assurance import transported_decline, transported_decline_words
    from designs.simulation.engine import simulate_one_trial
    from designs.simulation.inputs import simulation_inputs

    enriched = load_design("proact_enriched_dfs").with_overrides({"trial.n_per_arm": 2000})
    decline = transported_decline(enriched)
    np.testing.assert_allclose(effect_shift(enriched, [0.397], "proportional"), 0.397 * decline)
    trial = simulate_one_trial(simulation_inputs(enriched), 7)
    placebo = np.asarray(trial["true_slope"])[:2000]
    assert abs(-placebo.mean() - decline) < 4 * 0.7 / math.sqrt(2000)
    assert abs(decline - abs(enriched.population.slope_mean)) > 0.15
    assert transported_decline_words(enriched) == "the admitted patients' mean decline"
    # lead-in screening (no closed form) and no screening: |slope_mean|, said so
    lead = load_design("proact_lead_in").with_overrides({"enrichment.lead_in_decline_min": 1})
    assert transported_decline(lead) == abs(lead.population.slope_mean)
    assert "lead-in screening" in transported_decline_words(lead)
    plain = load_design()
    assert transported_decline(plain) == abs(plain.population.slope_mean)
    assert transported_decline_words(plain) == "the design's mean decline (0.5 points/month)"


def test_the_draws_are_spread_evenly_over_the_trials():
    """An assurance review: draws resampled with replacement added their own error (8,000
    trials on 4,000 draws had a larger SE than 4,000). Each draw is now taken T/D times in
    (chain, draw) order, or every (D/T)-th when there are fewer trials, or as evenly as the
    counts allow."""
    d = np.arange(10.0)
    np.testing.assert_array_equal(assign_draws(d, 10), d)
    np.testing.assert_array_equal(assign_draws(d, 50), np.repeat(d, 5))
    np.testing.assert_array_equal(assign_draws(d, 5), d[::2])
    counts = np.bincount(assign_draws(d, 23).astype(int), minlength=10)
    assert counts.sum() == 23 and counts.max() - counts.min() <= 1
    thinned = assign_draws(d, 7)
    assert np.all(np.diff(thinned) >= 1) and thinned[0] == 0  # distinct, in order, spread


def test_assurance_curve_rises_with_n(design):
    draws = np.random.default_rng(0).normal(0.25, 0.2, 500)
    curve = assurance_curve(design, draws, [30, 200], 1500, SEED)
    # a 30 -> 200 per arm gap is far beyond Monte Carlo error (SE ~0.013 each)
    assert curve[1].assurance > curve[0].assurance + 0.1
    assert curve[1].n_per_arm == 200


def test_posterior_draws_from_a_datatree(design):
    rng = np.random.default_rng(1)
    delta = rng.normal(0.1, 0.05, (2, 50))
    pre = rng.normal(-0.5, 0.05, (2, 50))
    post = xr.Dataset(
        {"delta": (("chain", "draw"), delta), "pre_slope_mean": (("chain", "draw"), pre)}
    )
    tree = xr.DataTree.from_dict({"posterior": post})
    prop = posterior_draws(tree, "proportional")
    np.testing.assert_allclose(prop, (delta / np.abs(pre)).ravel())
    np.testing.assert_allclose(posterior_draws(tree, "absolute"), delta.ravel())


def test_natural_history_rows_reproduce_the_design_when_draws_equal_it():
    """Per-trial populations equal to the design's give exactly the design's numbers, and
    different populations change them (the rows are really used)."""
    from designs.simulation.engine import run_trials
    from designs.simulation.inputs import population_rows, simulation_inputs
    from designs.spec import load_design

    design = load_design().with_overrides({"trial.n_per_arm": 30})
    inputs = simulation_inputs(design)
    pop = design.population
    n = 64
    same = population_rows(
        inputs,
        design,
        baseline_mean=np.full(n, pop.baseline_mean),
        baseline_sd=np.full(n, pop.baseline_sd),
        slope_mean=np.full(n, pop.slope_mean),
        slope_sd=np.full(n, pop.slope_sd),
        residual_sd=np.full(n, pop.residual_sd),
    )
    base = run_trials(inputs, n, 5, ("lmm_slope",))
    rows = run_trials(inputs, n, 5, ("lmm_slope",), params_by_trial=same, block_size=17)
    np.testing.assert_array_equal(base.results, rows.results)
    noisier = same.copy()
    noisier[:, 5] = 4.0  # residual SD slot: the estimates must move
    other = run_trials(inputs, n, 5, ("lmm_slope",), params_by_trial=noisier)
    assert not np.allclose(base.results[:, 0, 0], other.results[:, 0, 0])


def test_assurance_with_natural_history_uses_each_draws_slope_mean():
    """With natural-history draws, a proportional draw scales that draw's |slope_mean|: a
    posterior whose every draw is the design's population gives the design-based result."""
    from designs.spec import load_design

    design = load_design().with_overrides({"trial.n_per_arm": 40})
    pop = design.population
    draws = np.full(50, 0.3)
    history = {
        "slope_mean": np.full(50, pop.slope_mean),
        "slope_sd": np.full(50, pop.slope_sd),
        "baseline_mean": np.full(50, pop.baseline_mean),
        "baseline_sd": np.full(50, pop.baseline_sd),
        "residual_sd": np.full(50, pop.residual_sd),
    }
    plain = assurance_from_draws(design, draws, 400, 9)
    joint = assurance_from_draws(design, draws, 400, 9, natural_history=history)
    assert joint.assurance == plain.assurance
    faster = dict(history, slope_mean=np.full(50, 2 * pop.slope_mean))
    bigger = assurance_from_draws(design, draws, 400, 9, natural_history=faster)
    assert bigger.posterior_median_points == 2 * plain.posterior_median_points
    # the measurement noise stays the trial's (a pharmacometrics review: the phase 2
    # reconstruction's chosen SD of 1 point was simulated, assurance 0.797 against 0.772):
    # draws of another residual SD give the same trials, bit for bit
    quieter = dict(history, residual_sd=np.full(50, pop.residual_sd / 2))
    same = assurance_from_draws(design, draws, 400, 9, natural_history=quieter)
    assert same.assurance == plain.assurance and same.power_quantiles == plain.power_quantiles


def test_power_at_the_centre_survives_a_draw_without_phase2_decline(design):
    """Review finding: one draw with the phase 2 mean pre-dose slope at +0.0004 points/month
    turned into a ratio of about 480 and made "power at the posterior mean" wrong. The centre
    is now the posterior median of sensibly transported draws, and its power is the power at
    that fixed effect (same seed, same patients)."""
    rng = np.random.default_rng(4)
    delta = np.append(rng.normal(0.19, 0.08, 400), 0.19)
    pre = np.append(rng.normal(-0.5, 0.08, 400), 0.0004)
    post = xr.Dataset(
        {
            "delta": (("chain", "draw"), delta[None, :]),
            "pre_slope_mean": (("chain", "draw"), pre[None, :]),
        }
    )
    draws = posterior_draws(xr.DataTree.from_dict({"posterior": post}), "proportional")
    assert np.abs(draws).max() < 3.0  # the old ratio was 475
    res = assurance_from_draws(design, draws, TRIALS, SEED)
    centre = float(np.median(draws))
    assert res.posterior_median_draw == centre
    assert 0.3 < centre < 0.45  # 0.19 / 0.5 = 0.38
    # the JSON says the draws' units (a pipeline author's review: a docstring only did)
    units = res.to_dict()["units"]
    assert units["posterior_median_draw"] == "fraction of the phase 2 decline slowed"
    assert units["posterior_median_points"] == "points/month"
    fixed = power(design.with_overrides({"effect.value": centre}), TRIALS, SEED, control=False)[
        "lmm_slope"
    ]
    assert res.power_at_median == fixed.power_favourable


def test_the_share_of_draws_with_power_of_80_percent_follows_the_power_curve():
    """A mutation review: P(power >= 0.8) over the posterior counted power >= 0.9 and passed
    every test. Trials whose success is drawn from a known probit curve, power(e) =
    Phi(-2 + 12 e), fitted on 20,000 of them: over draws e ~ N(0.25, 0.1^2) the share with
    power >= 0.8 is P(e >= (z_0.8 + 2) / 12 = 0.2368) = 0.552, and with power >= 0.9 it
    would be 0.407. The fitted threshold's SE is about 0.002 points/month, 0.008 in the share,
    so 0.03 is over 3 SE."""
    from scipy.stats import norm

    from designs.planning.assurance import _power_distribution

    rng = np.random.default_rng(7)
    effect = rng.uniform(0.0, 0.4, 20_000)
    success = rng.random(effect.size) < norm.cdf(-2.0 + 12.0 * effect)
    draws = rng.normal(0.25, 0.1, 50_000)
    quantiles, at_least_80 = _power_distribution(effect, success, draws)
    expected = norm.sf((norm.ppf(0.8) + 2.0) / 12.0, loc=0.25, scale=0.1)
    assert expected == pytest.approx(0.552, abs=0.001)
    assert at_least_80 == pytest.approx(expected, abs=0.03)
    assert quantiles[0.5] == pytest.approx(norm.cdf(-2.0 + 12.0 * 0.25), abs=0.02)  # 0.841
