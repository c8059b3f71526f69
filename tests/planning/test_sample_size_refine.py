"""The two-stage sample-size search (designs.planning.refine): the second block is the next
trials of the same seed, the power at n is taken on exactly those trials, the curve is one
probit fit to both blocks, and the stratified bootstrap gives an honest interval."""

from __future__ import annotations

import numpy as np
import pytest

from designs import load_design
from designs.errors import InputError
from designs.planning import refine
from designs.planning.power_curve import PowerCurve, design_at, invert_curve
from designs.planning.sample_size import bootstrap_interval, find_sample_size
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs

SEED = 11


@pytest.fixture(scope="module")
def two_stage():
    design = load_design("default")
    return design, find_sample_size(design, (0.8,), 200, SEED, refine_trials=300)


def test_the_power_at_n_is_that_of_the_second_block_of_trials(two_stage):
    design, result = two_stage
    row = result.rows[0]
    assert (row.grid_trials, row.trials, result.refine_trials) == (200, 300, 300)
    # trials 200..499 of the seed at n, simulated here independently of the search
    res = run_trials(
        simulation_inputs(design_at(design, row.n)), 300, SEED, ("lmm_slope",), first_trial=200
    )
    fav = res.rejected_favourable("lmm_slope", design.trial.alpha, design.trial.sides)
    fav &= ~res.failed("lmm_slope")
    assert row.power == fav.sum() / 300
    near = result.stages.near
    if row.n in near.sizes:  # simulated in the second stage: the curve's column is the same
        assert np.array_equal(near.favourable[list(near.sizes).index(row.n)], fav)


def test_the_curve_is_one_fit_to_both_blocks(two_stage):
    _, result = two_stage
    stages = result.stages
    assert result.coef == stages.fit()
    # a second block that differs only in its trial count moves the fit: the blocks weigh by
    # their trials (binomial likelihood), not per size
    half = PowerCurve(
        stages.near.size_name,
        stages.near.sizes,
        stages.near.favourable[:, :30],
        stages.near.ok[:, :30],
        stages.near.failed_fits,
    )
    assert refine.Stages(stages.grid, half, {}).fit() != stages.fit()
    # n is where the target's own curve crosses it: refitted on both blocks' sizes near the
    # crossing (designs.planning.power_curve.target_fits)
    (local,), _ = stages.target_fits((0.8,))
    assert result.target_coefs == (local,)
    assert result.rows[0].n == int(np.ceil(invert_curve(*local, 0.8) - 1e-9))


def test_refine_trials_below_ten_are_refused():
    with pytest.raises(InputError, match="refine_trials"):
        find_sample_size(load_design("default"), (0.8,), 50, SEED, refine_trials=5)


def test_a_report_refuses_a_second_stage_that_cannot_run():
    """A second stage of fewer than 10 trials is refused before anything is simulated, with
    interim looks too (their fixed search, which n max is scaled from, takes a second
    stage since 2026-12-05)."""
    from designs.planning.report_plan import plan_report

    design = load_design().with_overrides({"interim.looks": [0.5, 1.0]})
    with pytest.raises(InputError, match=r"^refine_trials = 5: must be 0"):
        plan_report(design, trials=20, refine_trials=5)


def _paths(rng, trials, sizes, mu=14.0, sd=2.0):
    """Trials of a curve with common random numbers, without the engine: trial i succeeds at
    every size from its own threshold on (sqrt of the size normal(mu, sd)), so power is
    exactly Phi((sqrt(n) - mu) / sd) and each trial's successes are monotone in n, as under
    common random numbers."""
    threshold = rng.normal(mu, sd, trials)
    fav = np.sqrt(np.asarray(sizes, dtype=float))[:, None] >= threshold[None, :]
    ok = np.ones_like(fav)
    return PowerCurve("n_per_arm", np.asarray(sizes), fav, ok, np.zeros(len(sizes), int))


def test_the_stratified_bootstrap_interval_covers_and_the_estimate_is_unbiased():
    # true crossing of 0.8: (14 + 2 * 0.8416)^2 = 245.97 (normal quantile z_0.8 = 0.84162)
    truth = (14.0 + 2.0 * 0.8416212335729143) ** 2
    rng = np.random.default_rng(5)
    grid_sizes = np.geomspace(90, 520, 8).round().astype(int)
    estimates, covered, widths = [], 0, []
    reps = 40
    for _ in range(reps):
        grid = _paths(rng, 300, grid_sizes)
        n1 = invert_curve(*grid.fit(), 0.8)
        near = _paths(rng, 1200, [int(np.ceil(n1))])
        stages = refine.Stages(grid, near, {})
        estimates.append(invert_curve(*stages.fit(), 0.8))
        lo, hi = bootstrap_interval(stages.bootstrap((0.8,), int(rng.integers(1e9)), 50)[:, 0])
        covered += lo <= truth <= hi
        widths.append(hi - lo)
    estimates = np.array(estimates)
    sd = estimates.std(ddof=1)
    # unbiased: the mean is within 3 Monte Carlo SEs (sd / sqrt(reps)) of the truth
    assert abs(estimates.mean() - truth) < 3 * sd / np.sqrt(reps)
    # 95% intervals cover in about 95% of runs; 40 runs: SE 0.034, so at least 0.8 (4.4 SE)
    assert covered / reps >= 0.8
    # the interval's width matches the estimate's spread: width / 3.92 against the SD over
    # the runs (itself within about 11% with 40 runs). A bootstrap that resampled only the
    # first block gives 0.75 of the SD here; the stratified one 1.07
    assert 0.85 < np.mean(widths) / 3.92 / sd < 1.3
