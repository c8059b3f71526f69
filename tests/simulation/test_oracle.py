"""The oracle test of each trial (designs.simulation.oracle): the same GLS as a slow dense
implementation, exactly N(mu_P, 1) given the visit patterns, and no change to any analysis."""

from __future__ import annotations

import numpy as np
import pytest

from designs.simulation import layout as L
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.simulation.oracle import O_MU, O_Z, fused_row, oracle_block, oracle_exact
from designs.simulation.rng import seed_key
from designs.spec import load_design

#: Designs inside the oracle's exactness: the default (published attrition, integer scores),
#: with a spread of benefit and a curved mean, and with a lead-in.
EXACT = {
    "default": {},
    "spread_and_curve": {"effect.sd": 0.2, "population.curvature": 0.3},
    "lead_in": {"trial.lead_in_months": 3},
}


def _design(over: dict, n: int):
    return load_design(None).with_overrides({"trial.n_per_arm": n, **over})


def dense_gls(inputs, seed: int, trial: int) -> tuple[float, float]:
    """The oracle by hand: GLS of (intercept, month, arm, arm x month) on one simulated
    trial's scheduled scores minus the known curve, each patient's covariance
    ``Z D Z' + sigma^2 I`` built and inverted densely (continuous scores: latent = observed)."""
    one = simulate_one_trial(inputs, seed, trial)
    p = inputs.params
    sa, ss, r, se = (p[L.P_BASELINE_SD], p[L.P_SLOPE_SD], p[L.P_CORR], p[L.P_RESIDUAL_SD])
    curve = dict(zip(inputs.visits_all.tolist(), inputs.curve.tolist(), strict=True))
    xtvx, xtvy = np.zeros((4, 4)), np.zeros(4)
    for pid in np.unique(one["patient"]):
        rows = (one["patient"] == pid) & (one["month"] >= 0)
        t = one["month"][rows]
        y = one["alsfrs_r"][rows] - np.array([curve[x] for x in t.tolist()])
        arm = float(one["arm"][rows][0])
        d = np.array([[sa * sa, r * sa * ss], [r * sa * ss, ss * ss + arm * p[L.P_EFFECT_SD] ** 2]])
        z = np.column_stack([np.ones_like(t), t])
        v_inv = np.linalg.inv(z @ d @ z.T + se * se * np.eye(t.size))
        x = np.column_stack([np.ones_like(t), t, arm * np.ones_like(t), arm * t])
        xtvx += x.T @ v_inv @ x
        xtvy += x.T @ v_inv @ y
    cov = np.linalg.inv(xtvx)
    sd = np.sqrt(cov[3, 3])
    return float((cov @ xtvy)[3] / sd), float(inputs.effect_shift / sd)


@pytest.mark.parametrize("case", sorted(EXACT))
def test_oracle_is_the_dense_gls_and_ignores_rounding(case):
    """The kernel's Woodbury steps per visit pattern give the dense GLS to 1e-9 relative, and
    the oracle of integer scores is that of the same patients' unrounded scores."""
    design = _design(EXACT[case], 30)
    rounded = run_trials(simulation_inputs(design), 8, 11, oracle=True).oracle
    latent_inputs = simulation_inputs(design.with_overrides({"population.integer_scores": False}))
    latent = run_trials(latent_inputs, 8, 11, oracle=True).oracle
    np.testing.assert_array_equal(rounded, latent)
    for trial in (0, 5):
        z, mu = dense_gls(latent_inputs, 11, trial)
        assert rounded[trial, O_Z] == pytest.approx(z, rel=1e-9)
        assert rounded[trial, O_MU] == pytest.approx(mu, rel=1e-9)


@pytest.mark.parametrize("case", sorted(EXACT))
def test_oracle_z_is_standard_normal_around_mu(case):
    """z - mu_P over 20,000 trials of 40 per arm: mean 0 within 4 SE (SE 1/sqrt(20,000) =
    0.0071) and variance 1 within 4 SE (SE sqrt(2/20,000) = 0.010, the normal's)."""
    res = run_trials(simulation_inputs(_design(EXACT[case], 40)), 20_000, 8, oracle=True)
    e = res.oracle[:, O_Z] - res.oracle[:, O_MU]
    se_mean, se_var = 1 / np.sqrt(e.size), np.sqrt(2 / e.size)
    assert abs(e.mean()) < 4 * se_mean
    assert abs(e.var() - 1.0) < 4 * se_var


def test_oracle_leaves_the_analyses_alone_and_any_block_or_thread_count():
    """The analyses' results are bit-identical with and without the oracle, and the oracle
    does not depend on the block size or the number of threads."""
    inputs = simulation_inputs(_design({}, 25))
    analyses = ("lmm_slope", "ols_slope_ttest", "ancova_change")
    plain = run_trials(inputs, 300, 4, analyses)
    with_oracle = run_trials(inputs, 300, 4, analyses, oracle=True)
    np.testing.assert_array_equal(plain.results, with_oracle.results)
    np.testing.assert_array_equal(plain.counts, with_oracle.counts)
    assert plain.oracle is None
    other = run_trials(inputs, 300, 4, analyses, oracle=True, block_size=7, threads=1)
    np.testing.assert_array_equal(other.oracle, with_oracle.oracle)


@pytest.mark.parametrize(
    "over",
    [
        {"dropout.informative": 1.5},
        {"dropout.death_monthly_hazard": 0.02, "dropout.death_informative": 1.0},
        {"enrichment.delta_fs_max": 1.1},
        {"trial.lead_in_months": 3, "enrichment.lead_in_decline_min": 0.0},
        {"effect.onset_delay_months": 3},
    ],
    ids=["informative_dropout", "informative_death", "delta_fs", "lead_in_screen", "course"],
)
def test_no_oracle_where_the_patterns_depend_on_the_patients(over):
    """Where who is observed, or the effect's course, depends on more than the visit
    pattern, the oracle is not exact and is not computed (plain Monte Carlo there)."""
    inputs = simulation_inputs(_design(over, 20))
    assert not oracle_exact(inputs.params)
    assert run_trials(inputs, 4, 1, oracle=True).oracle is None


def test_death_without_informative_scaling_is_exact():
    """Death at a constant hazard, like dropout at random, keeps the oracle exact."""
    inputs = simulation_inputs(_design({"dropout.death_monthly_hazard": 0.02}, 20))
    assert oracle_exact(inputs.params)


@pytest.mark.parametrize(
    ("over", "row"),
    [
        ({}, 4),
        ({"population.integer_scores": False}, 0),
        ({"population.integer_scores": False, "population.curvature": 0.3}, 0),
    ],
)
def test_engine_loop_oracle_is_the_separate_kernels(over, row):
    """Where the trial loop computes the oracle itself (rows 4-5: the linear pass's unrounded
    sums; rows 0-1: scores not rounded, the linear model included, which then needs no
    pass of its own), it is the oracle of the kernel that simulates the latent scores
    again, to 1e-12 relative."""
    inputs = simulation_inputs(_design(over, 30))
    assert fused_row(inputs.params, 0) == row
    engine = run_trials(inputs, 50, 13, oracle=True).oracle
    separate = np.empty_like(engine)
    oracle_block(
        seed_key(13), 0, inputs.n_placebo, inputs.n_active, np.full(50, inputs.effect_shift),
        inputs.visits_all, 0, inputs.curve, inputs.effect_course, inputs.cum_hazard,
        inputs.params[None, :], 8, separate,
    )  # fmt: skip
    np.testing.assert_allclose(engine, separate, rtol=1e-12)
