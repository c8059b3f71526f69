"""Simulated trajectories with a lead-in (natural slope before randomisation, treated after)
and with nonlinear decline (the curvature term's shape, curved trajectories)."""

import numpy as np
import pytest

from designs.simulation.engine import simulate_one_trial
from designs.simulation.inputs import curvature_term, simulation_inputs
from designs.spec import load_design


def test_lead_in_trajectory_is_natural_before_randomisation_and_treated_after():
    """Noise-free continuous scores: before month 0 each patient follows the natural slope,
    after it the slope on treatment (natural + 0.3 for active)."""
    d = load_design("lead_in").with_overrides(
        {
            "trial.n_per_arm": 20,
            "population.residual_sd": 0.0,
            "population.integer_scores": False,
            "effect.kind": "slope_difference",
            "effect.value": 0.3,
            "dropout.cumulative": [],
            "dropout.death_monthly_hazard": 0.0,
        }
    )
    data = simulate_one_trial(simulation_inputs(d), seed=1)
    for pid in range(40):
        rows = data["patient"] == pid
        t, y = data["month"][rows], data["alsfrs_r"][rows]
        assert t[0] == -3.0 and t.size == 16
        pre = np.polyfit(t[t <= 0], y[t <= 0], 1)[0]
        post = np.polyfit(t[t >= 0], y[t >= 0], 1)[0]
        shift = 0.3 if data["arm"][rows][0] == 1 else 0.0
        assert post == pytest.approx(data["true_slope"][pid], abs=1e-9)
        assert post - pre == pytest.approx(shift, abs=1e-9)


@pytest.mark.parametrize("lead", [0.0, 3.0])
def test_curvature_term_shape(lead):
    """Zero at month 0 and at the end; slope `curvature` steeper at both window ends than at
    the middle; mean slope over the randomised period unchanged."""
    c = 0.3
    t_end = 12.0
    g = lambda t: curvature_term(np.array([-lead, *np.atleast_1d(t), t_end]), c)[1:-1]  # noqa: E731
    assert g(0.0)[0] == pytest.approx(0.0, abs=1e-12)
    assert curvature_term(np.array([-lead, 0.0, t_end]), c)[-1] == pytest.approx(0.0, abs=1e-12)
    h = 1e-5
    slope = lambda t: (g(t + h)[0] - g(t - h)[0]) / (2 * h)  # noqa: E731
    mid = 0.5 * (t_end - lead)
    assert slope(-lead + h) - slope(mid) == pytest.approx(-c, abs=1e-4)
    assert slope(t_end - h) - slope(mid) == pytest.approx(-c, abs=1e-4)
    np.testing.assert_array_equal(curvature_term(np.arange(13.0), 0.0), np.zeros(13))


def test_curved_trajectories_follow_the_curve():
    d = load_design(None).with_overrides(
        {
            "trial.n_per_arm": 10,
            "population.curvature": 0.3,
            "population.residual_sd": 0.0,
            "population.integer_scores": False,
            "dropout.cumulative": [],
            "dropout.death_monthly_hazard": 0.0,
        }
    )
    inputs = simulation_inputs(d)
    data = simulate_one_trial(inputs, seed=3)
    for pid in range(20):
        rows = data["patient"] == pid
        y = data["alsfrs_r"][rows]
        lin = y[0] + data["true_slope"][pid] * inputs.visits
        np.testing.assert_allclose(y - lin, inputs.curve, atol=1e-9)
        assert (y[-1] - y[0]) / 12 == pytest.approx(data["true_slope"][pid])
