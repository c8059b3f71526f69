"""The engine's arm kernel with sums (visit-major scores, the linear model's scores and sums
in one pass across patients) gives exactly the patients of the per-patient kernel, and each
patient's sums are those of a plain loop over the patient's observed visits."""

import numpy as np
import pytest

from designs.simulation.inputs import simulation_inputs
from designs.simulation.patients import (
    arm_scratch,
    arm_scratch_sums,
    simulate_arm,
    simulate_arm_sums,
)
from designs.simulation.rng import arm_stream_key, seed_key
from designs.spec import load_design

#: the linear model (passes across patients: designs.simulation.linear_arm) with attrition
#: and integer scores, informative exits with continuous scores, complete data, deaths only
#: with an odd number of visits and a random effect, informative dropout only; the deferred
#: path (delta-FS screening); lead-in, curvature and screening (the per-patient path)
DESIGNS = {
    "default": {},
    "complete": {"dropout.cumulative": [], "dropout.death_monthly_hazard": 0.0},
    "deaths_odd_visits": {
        "trial.visits_months": [0.0, 2.0, 4.0, 6.0, 9.0, 12.0, 15.0],
        "dropout.cumulative": [],
        "dropout.death_monthly_hazard": 0.03,
        "effect.sd": 0.2,
    },
    "informative_dropout_only": {
        "dropout.death_monthly_hazard": 0.0,
        "dropout.informative": 1.5,
    },
    "flat_dropout_schedule": {  # no dropout between some visits: equal cumulative hazards
        "dropout.cumulative": [0, 0, 0.05, 0.05, 0.05, 0.1, 0.2, 0.2, 0.25, 0.3, 0.3, 0.3, 0.35],
        "dropout.death_monthly_hazard": 0.0,
    },
    "delta_fs_screening": {"enrichment.delta_fs_max": 1.1},
    "informative_continuous": {
        "population.integer_scores": False,
        "dropout.informative": 2.0,
        "dropout.death_monthly_hazard": 0.02,
        "dropout.death_informative": 1.0,
        "effect.sd": 0.1,
    },
    "effect_time_course": {  # placebo in passes across patients, active patient by patient
        "effect.onset_delay_months": 2.0,
        "effect.ramp_months": 2.0,
    },
    "two_visits": {
        "trial.visits_months": [0.0, 12.0],
        "dropout.cumulative": [],
        "dropout.monthly_hazard": 0.03,
    },
    "realism": {
        "trial.lead_in_months": 3,
        "enrichment.delta_fs_max": 1.1,
        "enrichment.lead_in_decline_min": 0.0,
        "population.curvature": 0.3,
        "dropout.informative": 1.0,
    },
}


@pytest.mark.parametrize("case", list(DESIGNS))
def test_arm_with_sums_is_the_same_arm(case):
    inputs = simulation_inputs(load_design(None).with_overrides(DESIGNS[case]))
    n, n_all, n_lead = 37, inputs.visits_all.size, inputs.lead_visits.size
    visits = inputs.visits_all[n_lead:]
    key = seed_key(11)
    common = (inputs.visits_all, n_lead, inputs.curve, inputs.effect_course, inputs.cum_hazard)
    dropped = 0
    for trial in range(20):
        for arm in range(2):
            arm_key = np.uint64(arm_stream_key(key, trial, arm))  # a Python int otherwise
            args = (arm_key, n, arm == 1, inputs.effect_shift, *common, inputs.params)
            plain = arm_scratch(n, n_all)
            fast = arm_scratch_sums(n, n_all)
            assert simulate_arm(*args, *plain) == simulate_arm_sums(*args, *fast)
            y, m = plain[0], plain[1]
            assert fast[0].strides[0] == 8  # visit-major: a visit's patients are adjacent
            for out_plain, out_fast in zip(plain[1:], fast[1:6], strict=True):
                np.testing.assert_array_equal(out_fast[:n], out_plain[:n])
            sums = fast[6]
            for p in range(n):
                seen = n_lead + m[p]  # the rest of a patient's row is scratch
                np.testing.assert_array_equal(fast[0][p, :seen], y[p, :seen])
                sy = sty = yy = 0.0
                for j in range(m[p]):
                    sy += y[p, n_lead + j]
                    sty += visits[j] * y[p, n_lead + j]
                    yy += y[p, n_lead + j] * y[p, n_lead + j]
                assert (sums[0, p], sums[1, p], sums[2, p]) == (sy, sty, yy)
            dropped += int((m[:n] < visits.size).sum())
    if case == "complete":
        assert dropped == 0
    else:
        assert dropped > 0  # the masks of patients who left early were exercised
