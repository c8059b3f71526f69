"""What a diff review found the fuzz fixes refused or broke, each now accepted again: a report
with looks and non-default spending or futility, waning switched off, a sweep over the
effect in points/month, the explorer's commands for a kind changed at the same number, looks
typed with a space after the comma; and the sample-size table's file named with looks."""

from __future__ import annotations

import pytest

from designs.explorer.command import commands_file
from designs.planning.report_plan import plan_report
from designs.spec import load_design


class Started(Exception):
    """The first trial was simulated: every check before it passed."""


def _stop(_trials):
    raise Started


def test_a_report_with_looks_and_futility_passes_the_borrowing_check(fake_posterior):
    """The check ran on the design with its looks, under the posterior rule, which refuses a
    frequentist futility or spending; the section itself runs on the fixed design."""
    design = load_design().with_overrides(
        {"interim.looks": [0.5, 1.0], "trial.sides": 1, "trial.alpha": 0.025}
    )
    for extra in ({"interim.futility": "obf"}, {"interim.spending": "pocock"}):
        with pytest.raises(Started):
            plan_report(
                design.with_overrides(extra), trials=20, idata=fake_posterior(), progress=_stop
            )


def test_switching_waning_off_resets_its_length(tmp_path):
    """The report's realism scenario turns waning off (wane_after_months 0) on a design whose
    effect wanes over 3 months: refused as an unread wane_months, after the search."""
    path = tmp_path / "wane.toml"
    path.write_text("[effect]\nwane_after_months = 9\nwane_months = 3\n")
    off = load_design(str(path)).with_overrides({"effect.wane_after_months": 0.0})
    assert (off.effect.wane_after_months, off.effect.wane_months) == (0.0, 6.0)
    from designs.planning.operating import realism_sensitivity

    rows = realism_sensitivity(load_design(str(path)), 20, 20, 1, ("lmm_slope",))
    assert len(rows) > 1


def test_a_sweep_over_the_effect_in_points_per_month(tmp_path, capsys, run):
    out = tmp_path / "s.nc"
    code, stdout, err = run(
        capsys, "sweep", "--set", "effect.kind=slope_difference", "--effect", "0.3", "0.5",
        "--n-per-arm", "30", "--trials", "20", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "2 cells" in stdout


def test_the_pages_commands_for_a_kind_changed_at_the_same_number():
    base = load_design()
    design = base.with_overrides({"effect.kind": "slope_difference", "effect.value": 0.25})
    text = commands_file("default", base, design, seed=1, trials=50, analyses=("lmm_slope",))
    assert 'effect.kind="slope_difference"' in text and "effect.value=0.25" in text


@pytest.mark.parametrize("looks", [["0.5,", "1"], ["0.5", ",1"], ["0.5", ",", "1"]])
def test_looks_with_a_space_after_the_comma(looks, capsys, run):
    argv = ["power", "--looks", *looks, "--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    code, _, err = run(capsys, *argv, "--trials", "20")
    assert code == 0, err


def test_sample_size_with_looks_names_the_table_it_wrote(tmp_path, capsys, run):
    out = tmp_path / "gs.md"
    argv = ["sample-size", "--looks", "0.5,1", "--set", "trial.sides=1"]
    argv += ["--set", "trial.alpha=0.025", "--sizes", "60", "120", "--trials", "30"]
    code, _, err = run(capsys, *argv, "--out", str(out))
    assert code == 0 and f"wrote {out} (the table, md)" in err
