"""Assurance of a group-sequential design (issue 16): success at any look averaged over the
posterior of the effect, and the expected patients randomised under that prior."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from designs.errors import InputError
from designs.planning.assurance_gs import group_sequential_assurance
from designs.planning.group_sequential import group_sequential_power
from designs.spec import load_design

SEED = 21


@pytest.fixture(scope="module")
def design():
    return load_design().with_overrides(
        {
            "trial.n_per_arm": 40,
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "effect.kind": "slope_difference",
            "effect.value": 0.4,
            "interim.looks": [0.5, 1.0],
        }
    )


def test_a_posterior_of_one_value_gives_the_power_at_that_effect(design):
    """All draws equal to the design's effect (absolute transport): the same trials, so the
    same numbers as group_sequential_power, exactly."""
    trials = 150
    a = group_sequential_assurance(design, np.full(500, 0.4), trials, SEED, "absolute")
    s = group_sequential_power(design, trials, SEED)
    assert a.assurance == s.power_favourable
    assert a.expected_n_total == s.expected_n_total
    assert a.expected_months == s.expected_months
    assert a.p_stop_efficacy == s.p_stop_efficacy
    # accrual (10 months) ends before the interim (month 11): every trial randomises all
    # 80, but trials that stop at the interim end sooner
    assert a.expected_n_total == a.n_total == 80
    assert a.p_stop_efficacy[0] > 0 and a.expected_months < a.fixed_months


def test_two_point_posterior_averages_the_two_powers(design):
    """Draws 0 and 0.4 points/month, half each: assurance is the mean of the power at 0.4
    and the type I error (efficacy at any look with no effect), within Monte Carlo error. The
    tolerance is 3 SE of the difference taking the three estimates as independent; they
    share patients (common random numbers, positive correlation), so this is conservative."""
    trials = 400
    a = group_sequential_assurance(design, np.array([0.0, 0.4] * 500), trials, SEED, "absolute")
    s = group_sequential_power(design, trials, SEED + 1)
    expected = 0.5 * (s.power_favourable + s.type_i_error)
    se = math.sqrt(a.mc_se**2 + 0.25 * (s.mc_se_favourable**2 + s.mc_se_type_i_error**2))
    assert abs(a.assurance - expected) <= 3 * se
    assert a.p_effect_positive == pytest.approx(0.5)


def test_refusals(design):
    with pytest.raises(InputError, match=r"interim\.looks"):
        group_sequential_assurance(design.with_overrides({"interim.looks": []}), [0.1], 10, 1)
    with pytest.raises(InputError, match="--natural-history"):
        group_sequential_assurance(design, [0.1], 10, 1, natural_history={"slope_mean": [1.0]})


def test_command_line_assurance_with_looks(tmp_path, fake_posterior, capsys):
    import simulate

    path = tmp_path / "post.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    argv = ["assurance", "--posterior", str(path), "--looks", "0.5,1", "--n-per-arm", "30"]
    argv += ["--trials", "40", "--seed", "3", "--set", "trial.sides=1", "--json"]
    assert simulate.main(argv) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["looks"] == [0.5, 1.0] and obj["transport"] == "proportional"
    assert 0 <= obj["assurance"] <= 1 and obj["expected_n_total"] <= 60
    assert obj["other_transport"]["transport"] == "absolute"


def test_the_posterior_rule_is_refused_not_judged_by_boundaries(design):
    """Assurance with looks decides by alpha-spending boundaries; under the posterior rule it
    once did so silently (threshold, prior and predictive futility ignored): now refused."""
    rule = design.with_overrides({"decision.rule": "posterior"})
    with pytest.raises(InputError, match=r"decision\.rule = 'posterior'"):
        group_sequential_assurance(rule, np.array([0.2, 0.3]), 20, 1)
