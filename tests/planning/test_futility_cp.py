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
