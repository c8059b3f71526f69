"""The effect's unit where the command line says it back (an effect-translation review):
power's true value under a time course says what it is, sweep's cells give the effect with
its unit, and --effect's help names the bundled designs' kind and how to give points/month."""

from __future__ import annotations

import pytest

COURSE = ("--set", "effect.onset_delay_months=3", "--set", "effect.ramp_months=3")


def test_power_says_what_the_true_value_is_under_a_time_course(run, capsys):
    argv = ("power", "--n-per-arm", "30", "--trials", "20", "--effect", "25%")
    code, out, err = run(capsys, *argv, *COURSE, "--analysis", "lmm_slope", "ancova_change")
    assert code == 0, err
    assert "(true +0.078 averaged over months 0-12, bias" in out  # 0.125 x 7.5 / 12
    assert "(true +0.938 by month 12, bias" in out  # 0.125 x 7.5 months of full effect
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "(true +0.125, bias" in out


def test_sweep_gives_each_effect_with_its_unit(run, capsys, tmp_path):
    base = ("sweep", "--n-per-arm", "30", "--trials", "20")
    code, out, err = run(capsys, *base, "--effect", "20%,30%", "--out", str(tmp_path / "a.nc"))
    assert code == 0, err
    assert "effect 20%, analysis" in out + err
    points = ("--set", "effect.kind=slope_difference", "--effect", "0.1,0.15")
    code, out, err = run(capsys, *base, *points, "--out", str(tmp_path / "b.nc"))
    assert code == 0, err
    assert "effect +0.15 points/month, analysis" in out + err


@pytest.mark.parametrize("command", ["power", "sweep"])
def test_the_effects_help_says_how_to_give_points_per_month(capsys, command):
    import simulate

    with pytest.raises(SystemExit) as stop:
        simulate.main([command, "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "proportional" in text and "--set effect.kind=slope_difference" in text
