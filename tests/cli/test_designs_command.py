"""`simulate.py designs` lists the design library; `designs show NAME` prints the resolved
design (defaults and --set applied) as TOML that loads back to the same design."""

import tomllib

import pytest

from designs.spec import TrialDesign, list_designs, load_design


def test_list_names_every_library_design(run, capsys):
    code, out, _ = run(capsys, "designs")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list_designs()


def test_show_prints_the_resolved_design_with_overrides(run, capsys):
    code, out, _ = run(capsys, "designs", "show", "lead_in", "--set", "trial.n_per_arm=40")
    assert code == 0
    shown = TrialDesign.from_dict(tomllib.loads(out))
    assert shown == load_design("lead_in").with_overrides({"trial.n_per_arm": 40})


def test_show_without_a_name_is_bad_input(run, capsys):
    code, _, err = run(capsys, "designs", "show")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_a_source_on_the_command_line_and_a_bad_one_in_a_file(run, capsys, tmp_path):
    """A design's own source (``[sources]``): ``--set sources.KEY=text`` (plain text, no
    quotes needed) and a design file with a bad source: exit 2, one line naming the field."""
    code, out, err = run(capsys, "designs", "show", "default", "--set", "sources.decline=Our data")
    assert code == 0 and tomllib.loads(out)["sources"] == {"decline": "Our data"}
    assert "warning" not in err  # a source the methods text prints: no warning
    bad = tmp_path / "bad.toml"
    bad.write_text('[sources]\nresidual = "x"\n')
    code, out, err = run(capsys, "power", "--design", str(bad), "--trials", "10")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"error: design file '{bad}': sources.residual: unknown key (did you mean "
        "'residual_sd'?); allowed: baseline, decline, slope_sd, residual_sd, correlation, "
        "effect, delta_fs, delta_fs_corr, accrual, attrition, deaths"
    ]


def test_a_source_for_an_input_the_design_does_not_use_is_warned_of(
    run, capsys, monkeypatch, tmp_path
):
    """``designs show`` and ``report`` (before its long run) warn of a source no methods text
    prints (here deaths, with no death hazard): one line naming it and why; the design is
    still shown (a source is text and harms no number)."""
    unused = ("--set", "sources.deaths=Our registry", "--set", "dropout.death_monthly_hazard=0")
    line = (
        "warning: sources.deaths: the methods text leaves it out, as the design has no death "
        "hazard (dropout.death_monthly_hazard = 0)"
    )
    code, out, err = run(capsys, "designs", "show", "default", *unused)
    assert code == 0 and tomllib.loads(out)["sources"] == {"deaths": "Our registry"}
    assert _warnings(err) == [line]

    import designs.planning.report_plan as report_plan

    class Reached(Exception):
        """Raised where the report's simulation would start."""

    def reached(*args, **kwargs):
        raise Reached

    monkeypatch.setattr(report_plan, "plan_report", reached)
    with pytest.raises(Reached):
        run(capsys, "report", "--no-assurance", "--out", str(tmp_path / "report"), *unused)
    assert _warnings(capsys.readouterr().err) == [line]


def _warnings(err: str) -> list[str]:
    """The warning lines of stderr (a first run's compile note may stand beside them)."""
    return [x for x in err.splitlines() if x.startswith("warning:")]
