"""A group-sequential design that follows a conditional-power futility rule (non-binding)."""

import numpy as np

from designs.planning.group_sequential import decide, planned_boundaries
from designs.planning.look_times import look_times
from designs.sequential import crossing_probabilities
from designs.simulation.engine_looks import run_trials_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design


def test_type_i_error_with_conditional_power_futility_followed():
    """Default design at 60 per arm (integer scores, dropout, deaths, REML at each look),
    O'Brien-Fleming type, two looks, futility when the conditional power under the current
    trend is below 0.2, followed. The simulated type I error equals the canonical-distribution
    probability of crossing the efficacy boundary after continuing past the futility one,
    within 3 MC SE (sqrt(p (1 - p) / trials)), and is below alpha. 6,000 null trials."""
    trials = 6000
    design = load_design(None).with_overrides(
        {
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "trial.n_per_arm": 60,
            "interim.looks": [0.5, 1.0],
            "interim.futility": "cp",
            "interim.futility_cp": 0.2,
        }
    )
    times = look_times(design)
    res = run_trials_at_looks(
        simulation_inputs(design), trials, 77, "lmm_slope", times.months,
        times.accrual_months, accrual_knots=times.entry_knots, effect_by_trial=np.zeros(trials),
    )  # fmt: skip
    planned = planned_boundaries(design)
    out = decide(design, res, times, planned)
    ok = ~out.failed
    up, _ = crossing_probabilities(planned.fractions, planned.efficacy_z, 0.0, planned.futility_z)
    target = up.sum()
    se = np.sqrt(target * (1 - target) / ok.sum())
    assert target < 0.025
    assert abs(out.efficacy[ok].mean() - target) <= 3 * se
    assert out.futility.mean() > 0.3  # the rule acts under no effect


def test_the_design_effects_conditional_power_reads_its_time_course():
    """A time-course review: conditional power "under the design effect" took the full
    shift, so a 6-month delay on monthly visits 0-12 (the slope estimate targets half the
    shift: course(12) / 12 = 6 / 12) gave the futility boundary of the undelayed effect.
    The boundary, the conditional power at a look, and the summary's true effect are those
    of the design whose full effect is half as large (the same drift), exactly."""
    from designs.planning.group_sequential import design_drift, group_sequential_power
    from designs.planning.interim_cp import conditional_power_at_look as _conditional_power

    base = load_design(None).with_overrides(
        {
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "interim.looks": [0.5, 1.0],
            "interim.futility": "cp",
            "interim.futility_cp": 0.3,
            "interim.futility_cp_under": "design",
        }
    )
    delayed = base.with_overrides({"effect.onset_delay_months": 6.0})
    halved = base.with_overrides({"effect.value": base.effect.value / 2})
    i_max = look_times(base).information_max
    assert design_drift(delayed, i_max) == design_drift(halved, i_max)
    assert design_drift(base, i_max) == 2 * design_drift(halved, i_max)
    np.testing.assert_array_equal(
        planned_boundaries(delayed).futility_z, planned_boundaries(halved).futility_z
    )
    assert planned_boundaries(delayed).futility_z[0] > planned_boundaries(base).futility_z[0]
    planned = planned_boundaries(delayed)
    args = (planned, 1.0, 0.5, i_max)  # analyze --look's conditional power at z 1, half way
    assert _conditional_power(delayed, *args) == _conditional_power(halved, *args)
    assert _conditional_power(delayed, *args) < _conditional_power(base, *args)
    summary = group_sequential_power(delayed, 20, 3)
    assert summary.true_effect == 0.0625  # the estimand's truth, not the full 0.125
