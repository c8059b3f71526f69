"""The interim-look kernel: the final look is the fixed design, entries, thread invariance."""

import numpy as np
import pytest

from designs.analyses import results as R
from designs.errors import InputError
from designs.planning.look_times import expected_information, look_times
from designs.simulation.engine import run_trials
from designs.simulation.engine_looks import run_trials_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

TRIALS = 300


@pytest.fixture(scope="module")
def design():
    return load_design(None).with_overrides(
        {"trial.n_per_arm": 40, "interim.looks": [0.3, 0.6, 1.0]}
    )


@pytest.fixture(scope="module")
def times(design):
    return look_times(design)


@pytest.mark.parametrize("analysis", ["lmm_slope", "ols_slope_ttest"])
def test_final_look_is_the_fixed_design(design, times, analysis):
    inputs = simulation_inputs(design)
    looks = run_trials_at_looks(inputs, TRIALS, 7, analysis, times.months, times.accrual_months)
    fixed = run_trials(inputs, TRIALS, 7, (analysis,))
    # same patients, all of their visits, statistics summed in the same order
    np.testing.assert_array_equal(looks.results[:, -1, :4], fixed.results[:, 0, :4])
    np.testing.assert_array_equal(looks.counts, fixed.counts)
    assert np.all(looks.entered[:, -1] == design.trial.n_total)
    # earlier looks see fewer patients and less information
    assert np.all(np.diff(looks.entered, axis=1) >= 0)
    se = looks.results[:, :, R.SE]
    assert np.all(np.nanmedian(se, axis=0)[:-1] > np.nanmedian(se, axis=0)[1:])


@pytest.mark.parametrize("analysis", ["lmm_slope", "ols_slope_ttest"])
def test_final_look_is_the_fixed_design_with_informative_exits(analysis):
    """Informative dropout and death (exits tied to each patient's slope) and an accrual
    ramp: the final look still sees each patient's visits up to its exit, as the fixed
    design does, summed in the same order."""
    design = load_design(None).with_overrides(
        {
            "trial.n_per_arm": 45,
            "interim.looks": [0.25, 0.5, 1.0],
            "dropout.informative": 1.0,
            "dropout.death_monthly_hazard": 0.01,
            "dropout.death_informative": 1.0,
            "accrual.ramp_rate_per_month": [2.0, 4.0],
            "accrual.ramp_until_month": [3.0, 6.0],
        }
    )
    times = look_times(design)
    inputs = simulation_inputs(design)
    looks = run_trials_at_looks(
        inputs,
        200,
        13,
        analysis,
        times.months,
        times.accrual_months,
        accrual_knots=times.entry_knots,
    )
    fixed = run_trials(inputs, 200, 13, (analysis,))
    # dropouts and deaths happened (slots C_DROPOUT_* and C_DEATH_*, both arms)
    assert np.all(fixed.counts[:, 0:4].sum(axis=0) > 0)
    np.testing.assert_array_equal(looks.results[:, -1, :4], fixed.results[:, 0, :4])
    np.testing.assert_array_equal(looks.counts, fixed.counts)


def test_entries_are_uniform_over_accrual(design, times):
    looks = run_trials_at_looks(
        simulation_inputs(design), TRIALS, 3, "ols_slope_ttest", times.months, times.accrual_months
    )
    n = design.trial.n_total
    p = np.minimum(times.months / times.accrual_months, 1.0)
    mean = looks.entered.mean(axis=0)
    # binomial(n, p) per trial: MC SE of the mean sqrt(n p (1 - p) / trials); 4 SE
    se = np.sqrt(n * p * (1 - p) / TRIALS)
    assert np.all(np.abs(mean - n * p) <= 4 * se + 1e-9)


def test_same_numbers_with_one_and_two_threads(design, times):
    inputs = simulation_inputs(design)
    one = run_trials_at_looks(
        inputs, 70, 11, "lmm_slope", times.months, times.accrual_months, threads=1
    )
    two = run_trials_at_looks(
        inputs, 70, 11, "lmm_slope", times.months, times.accrual_months, threads=2
    )
    np.testing.assert_array_equal(one.results, two.results)
    np.testing.assert_array_equal(one.entered, two.entered)


def test_expected_information_matches_the_simulated_reml_information(design, times):
    """GLS planning information against the mean 1/SE^2 of REML fits on simulated trials.

    Not an exact identity (REML estimates the variances; integer scores; informative
    dropout is left out of the planning formula), so a 10% band: the simulated mean is
    known to within about 1% (MC SE of the mean of 1/SE^2 over 300 trials).
    """
    looks = run_trials_at_looks(
        simulation_inputs(design), TRIALS, 5, "lmm_slope", times.months, times.accrual_months
    )
    observed = np.nanmean(1.0 / looks.results[:, :, R.SE] ** 2, axis=0)
    expected = expected_information(design, times.months)
    np.testing.assert_allclose(observed, expected, rtol=0.10)
    # the entry months are averaged on a grid of 2,000 points: fractions to about 1e-4
    np.testing.assert_allclose(expected / times.information_max, design.interim.looks, atol=1e-3)


def test_other_analyses_are_refused(design, times):
    with pytest.raises(InputError, match="interim looks support"):
        run_trials_at_looks(
            simulation_inputs(design), 5, 1, "ancova_change", times.months, times.accrual_months
        )


@pytest.mark.parametrize("months", [[30.0, 20.0, 40.0], [10.0, float("nan"), 40.0], []])
def test_look_months_out_of_order_are_refused(design, times, months):
    """Each patient's sums run on from one look to the next: the looks must be in order."""
    with pytest.raises(InputError, match=r"interim\.look_months"):
        run_trials_at_looks(
            simulation_inputs(design), 5, 1, "lmm_slope", months, times.accrual_months
        )
