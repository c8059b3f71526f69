"""A delayed, ramped or waning treatment effect (``[effect]`` time course)."""

from __future__ import annotations

import numpy as np
import pytest

from designs import load_design
from designs.errors import InputError
from designs.planning.power import power
from designs.simulation.engine import simulate_one_trial
from designs.simulation.inputs import simulation_inputs

COURSE = {
    "effect.onset_delay_months": 2.0,
    "effect.ramp_months": 2.0,
    "effect.wane_after_months": 8.0,
    "effect.wane_months": 4.0,
}


def _design(**over):
    return load_design("default").with_overrides({"trial.n_per_arm": 30, **over})


@pytest.mark.parametrize(
    "over",
    [
        COURSE,
        {"effect.onset_delay_months": 3.0},  # a step: no ramp
        {"effect.wane_after_months": 5.0, "effect.wane_months": 20.0},  # not gone by the end
        {"effect.ramp_months": 6.0, "effect.wane_after_months": 6.0, "effect.wane_months": 1.0},
    ],
)
def test_course_is_the_integral_of_the_intensity(over):
    # Independent check: a fine trapezoid of the intensity, against the closed form.
    effect = _design(**over).effect
    fine = np.linspace(0.0, 14.0, 140_001)
    integral = np.concatenate(
        [
            [0.0],
            np.cumsum(
                np.diff(fine) * 0.5 * (effect.intensity(fine[1:]) + effect.intensity(fine[:-1]))
            ),
        ]
    )
    months = np.arange(0.0, 15.0)
    np.testing.assert_allclose(effect.course(months), np.interp(months, fine, integral), atol=1e-4)


def test_course_by_hand():
    # 2-month ramp after a 2-month delay (area 1 by month 4), full to month 8, then a
    # 4-month wane (area 2): 7 months of full effect in all, none added after month 12.
    effect = _design(**COURSE).effect
    assert effect.course([-3.0, 0.0, 3.0, 4.0, 8.0, 12.0, 14.0]).tolist() == [
        0.0,
        0.0,
        0.25,
        1.0,
        5.0,
        7.0,
        7.0,
    ]


def test_without_a_time_course_the_kernel_ignores_the_course():
    inputs = simulation_inputs(_design())
    assert inputs.params[-1] == 0.0 and inputs.course_factor == 1.0
    assert simulation_inputs(_design(**COURSE)).course_factor == pytest.approx(7.0 / 12.0)


def test_placebo_arm_is_untouched_and_a_late_onset_equals_no_effect():
    base = simulate_one_trial(simulation_inputs(_design()), seed=11)
    timed = simulate_one_trial(simulation_inputs(_design(**COURSE)), seed=11)
    placebo = base["arm"] == 0
    np.testing.assert_array_equal(base["alsfrs_r"][placebo], timed["alsfrs_r"][placebo])
    assert not np.array_equal(base["alsfrs_r"], timed["alsfrs_r"])
    # An onset after the last visit: the active arm is exactly the no-effect arm.
    late = simulate_one_trial(
        simulation_inputs(_design(**{"effect.onset_delay_months": 12.0})), seed=11
    )
    none = simulate_one_trial(simulation_inputs(_design(**{"effect.value": 0.0})), seed=11)
    np.testing.assert_array_equal(late["alsfrs_r"], none["alsfrs_r"])


def test_mean_gain_at_each_visit_follows_the_course():
    # Continuous scores, no dropout, 4000 per arm: the active-minus-placebo mean at month t
    # is shift * course(t) + noise. The noise SD of a difference of two arm means is
    # sqrt(2 * var(y_t) / n); var(y_t) = baseline_sd^2 + t^2 slope_sd^2 + 2 t cov + resid^2
    # is bounded here by the sample variance; the tolerance is 4 such SEs.
    over = {
        **COURSE,
        "trial.n_per_arm": 4000,
        "population.integer_scores": False,
        "dropout.cumulative": [0.0] * 13,
        "dropout.death_monthly_hazard": 0.0,
    }
    design = _design(**over)
    trial = simulate_one_trial(simulation_inputs(design), seed=3)
    shift = design.effect.slope_shift(design.population.slope_mean)
    month, arm, y = trial["month"], trial["arm"], trial["alsfrs_r"]
    for t in (0.0, 2.0, 4.0, 8.0, 10.0, 12.0):
        a, p = y[(month == t) & (arm == 1)], y[(month == t) & (arm == 0)]
        se = np.sqrt(a.var(ddof=1) / a.size + p.var(ddof=1) / p.size)
        expected = shift * design.effect.course([t])[0]
        assert abs((a.mean() - p.mean()) - expected) < 4 * se, (t, a.mean() - p.mean(), expected)


def test_change_analysis_is_unbiased_for_the_points_gained_and_power_falls():
    # ancova_change estimates the difference in change to the last visit, whose true value
    # under a time course is shift * course(T): its bias must be within 4 MC SE
    # (MC SE of the mean estimate = SD of the estimates / sqrt(trials)).
    timed = _design(**COURSE, **{"trial.n_per_arm": 60})
    out = power(timed, 600, 5, ("ancova_change", "lmm_slope"))
    anc = out["ancova_change"]
    assert abs(anc.bias) < 4 * anc.sd_estimate / np.sqrt(anc.trials - anc.failed_fits)
    full = power(_design(**{"trial.n_per_arm": 60}), 600, 5, ("lmm_slope",))["lmm_slope"]
    assert out["lmm_slope"].power_favourable < full.power_favourable


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"effect.onset_delay_months": -1.0}, "effect.onset_delay_months"),
        ({"effect.wane_months": 0.0}, "effect.wane_months"),
        ({"effect.onset_delay_months": 6.0, "effect.wane_after_months": 3.0}, "wane_after"),
    ],
)
def test_bad_time_courses_are_refused(over, field):
    with pytest.raises(InputError, match=field):
        _design(**over)
