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


def test_posterior_rule_at_a_point_mass_is_its_power_at_that_effect(design):
    """Under the posterior rule (per-look thresholds, predictive futility) all draws equal to
    the design's effect (absolute transport) give the same trials as posterior_looks_power,
    so the same numbers exactly (a fortiori within MC error). It was refused before."""
    from designs.planning.decision_looks import posterior_looks_power

    rule = design.with_overrides(
        {
            "decision.rule": "posterior",
            "decision.thresholds": [0.995, 0.98],
            "decision.futility_predictive": 0.2,
        }
    )
    trials = 150
    a = group_sequential_assurance(rule, np.full(500, 0.4), trials, SEED, "absolute")
    s = posterior_looks_power(rule, trials, SEED)
    assert a.rule == "posterior" and a.thresholds == [0.995, 0.98]
    assert a.assurance == s.power_favourable
    assert (a.expected_n_total, a.expected_months) == (s.expected_n_total, s.expected_months)
    assert a.p_stop_efficacy == s.p_stop_efficacy
    assert a.p_stop_futility == s.p_stop_futility
    assert a.p_stop_efficacy[0] > 0  # the interim threshold is crossed by some trials


def test_vague_posterior_rule_is_a_z_boundary_per_look(design):
    """With a flat prior P(effect > m | x, se) = Phi((x - m) / se), so the rule at look k is
    the z boundary z_k = ndtri(T_k) + m sqrt(I_k), I_k = 1 / se_k^2 (docs/bayesian_looks.md;
    with m = 0 the z designs.planning.report_interim.threshold_z states). Assurance is
    recomputed here as that group-sequential z test on the same simulated trials (same draws
    assigned, same seed): equal trial for trial. vague_sd = 1e4 makes the prior flat to
    ~1e-10 relative, far below any trial's distance from its boundary."""
    from scipy.special import ndtri

    from designs.analyses import results as R
    from designs.planning.assurance import draw_indices, effect_shift
    from designs.planning.group_sequential import simulate_looks

    margin, thresholds = 0.05, np.array([0.99, 0.975])
    rule = design.with_overrides(
        {
            "decision.rule": "posterior",
            "decision.vague_sd": 1e4,
            "decision.margin": margin,
            "decision.thresholds": list(thresholds),
        }
    )
    trials, draws = 200, np.linspace(-0.2, 0.6, 101)
    a = group_sequential_assurance(rule, draws, trials, SEED, "absolute")

    shifts = effect_shift(rule, draws, "absolute")[draw_indices(draws.size, trials)]
    res = simulate_looks(rule, trials, SEED, shifts)
    est, se = res.results[:, :, R.ESTIMATE], res.results[:, :, R.SE]
    ok = ~res.failed()
    z_k = ndtri(thresholds)[None, :] + margin / np.where(ok, se, 1.0)
    cross = ok & (est / np.where(ok, se, 1.0) > z_k)
    first = np.where(cross.any(axis=1), np.argmax(cross, axis=1), -1)
    rows = np.arange(trials)
    success = (first >= 0) & (est[rows, np.maximum(first, 0)] > 0)
    assert a.assurance == float(np.mean(success))
    assert a.p_stop_efficacy == [float(np.mean(first == k)) for k in range(2)]
    assert 0.05 < a.assurance < 0.95  # not a degenerate comparison


def test_command_line_posterior_rule_with_looks(tmp_path, fake_posterior, capsys, result_of):
    """``assurance --looks --decision posterior`` (refused before): both transports judged by
    the rule, the optimistic and sceptical cases beside them; the same numbers whatever the
    threads; a bad threshold is one line and exit status 2."""
    import simulate

    path = tmp_path / "post.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    argv = ["assurance", "--posterior", str(path), "--looks", "0.5,1", "--n-per-arm", "30"]
    argv += ["--trials", "40", "--seed", "3", "--set", "trial.sides=1"]
    argv += ["--decision", "posterior", "--futility-predictive", "0.1"]
    outs = []
    for threads in ("1", "2"):
        assert simulate.main([*argv, "--json", "--threads", threads]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert result_of(outs[0]) == result_of(outs[1])
    obj = outs[0]
    assert obj["rule"] == "posterior" and obj["futility_predictive"] == 0.1
    assert obj["other_transport"]["rule"] == "posterior"
    cases = obj["posterior_rule"]
    assert cases["optimistic"]["prior"] == "robust" and cases["sceptical"]["prior"] == "sceptical"
    assert cases["optimistic"]["looks"] == [0.5, 1.0]
    assert simulate.main(argv) == 0
    text = capsys.readouterr().out
    assert "posterior rule (vague prior), thresholds 0.975, 0.975" in text
    assert "with the sceptical prior" in text
    stops = ", ".join(f"{p:.3f}" for p in obj["p_stop_futility"])
    assert f"; for futility {stops}; expected patients" in text
    assert simulate.main([*argv, "--thresholds", "0.99,1.2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "thresholds" in err and "\n" not in err and "Traceback" not in err


def test_success_by_look_adds_up_to_the_assurance(design):
    """A consistency review: ``assurance --looks`` printed "P(stop for efficacy) by look
    0.544, 0.280" beside an assurance of 0.785, the stops counting two-sided crossings
    towards harm too. Success by look adds up to the assurance; under a two-sided test with
    draws of harm the stops either way are printed apart, and exceed it."""
    from designs.outputs.group_sequential import group_sequential_assurance_text as text_of

    draws = np.array([-0.4, 0.4] * 500)  # half the draws harm: crossings towards it
    two_sided = design.with_overrides({"trial.sides": 2, "trial.alpha": 0.05})
    a = group_sequential_assurance(two_sided, draws, 400, SEED, "absolute")
    assert sum(a.p_success) == pytest.approx(a.assurance, abs=1e-12)
    assert sum(a.p_stop_efficacy) > a.assurance + 0.1  # the harm half crosses too
    text = text_of([a])
    assert "; P(success) by look " + ", ".join(f"{p:.3f}" for p in a.p_success) in text
    assert "; P(stop for efficacy, either direction) by look " in text
    one_sided = group_sequential_assurance(design, draws, 400, SEED, "absolute")
    assert one_sided.p_success == one_sided.p_stop_efficacy  # no crossing towards harm
    assert "either direction" not in text_of([one_sided])
