"""A one-sided alpha above 0.025 is said wherever an n or a power rests on it (a multiplicity
review: power said it; sample-size, the report, power with looks and sweep gave a smaller n
at one-sided 0.05 with no word of the doubled type I error in favour of active)."""

from __future__ import annotations

import pytest

from designs import load_design

NOTE = "note: a one-sided test at alpha 0.05 rejects in favour of active 2 times as often"
LENIENT = ("--set", "trial.sides=1", "--set", "trial.alpha=0.05")


@pytest.mark.parametrize(
    "argv",
    [
        ("sample-size", "--trials", "60", "--refine-trials", "0"),
        ("sample-size", "--trials", "60", "--refine-trials", "0", "--looks", "0.5,1"),
        ("power", "--trials", "60", "--looks", "0.5,1"),
        ("power", "--trials", "60", "--json"),
    ],
)
def test_the_commands_say_it(run, capsys, argv):
    code, stdout, err = run(capsys, *argv, *LENIENT)
    assert code == 0, err
    assert NOTE in err or NOTE in stdout
    code, stdout, err = run(capsys, *argv)  # two-sided 0.05: nothing to say
    assert code == 0, err
    assert "one-sided test at alpha" not in err + stdout


def test_sweep_says_it(run, capsys, tmp_path):
    out = str(tmp_path / "s.nc")
    argv = ("sweep", "--trials", "20", "--n-per-arm", "40", "--out", out)
    code, _, err = run(capsys, *argv, *LENIENT)
    assert code == 0, err
    assert NOTE in err


def test_the_reports_cautions_say_it():
    from designs.outputs.report_cautions import chosen_cautions, fresh_check_block
    from tests.outputs.test_tables import _row

    lenient = load_design().with_overrides({"trial.sides": 1, "trial.alpha": 0.05})
    row = _row(0.8, 148)  # its fresh check passed: only the note is said
    block = "\n".join(fresh_check_block([row], lenient))
    assert "rejects in favour of active 2 times as often" in block
    cautions = chosen_cautions([row], lenient)
    assert any(c.startswith("Note: a one-sided test at alpha 0.05") for c in cautions)
    two_sided = load_design()
    assert "rejects in favour" not in "\n".join(fresh_check_block([row], two_sided))
    assert not any("rejects in favour" in c for c in chosen_cautions([row], two_sided))


def test_power_json_gives_its_notes_on_stderr(run, capsys):
    """A scripting review: `power --json` dropped every note the text gives (here the
    small-arm note of lmm_slope and the multiplicity note); stdout stays JSON alone."""
    import json

    argv = ("power", "--n-per-arm", "20", "--trials", "60", "--json")
    code, stdout, err = run(capsys, *argv, "--analysis", "lmm_slope", "ols_slope_ttest")
    assert code == 0, err
    assert len(json.loads(stdout)) == 2
    assert "note: several analyses of the same trials" in err
    assert "Satterthwaite degrees of freedom are liberal" in err


def test_help_gives_the_least_trials_and_every_default(capsys):
    """A scripting review: calibrate took --trials 300 and then said "needs at least 400",
    and assurance's --trials showed no default (its help said "the default design")."""
    import simulate

    for command, said in (
        ("calibrate", "at least 10 / target: 400 at 0.025"),
        ("assurance", "not more trials (default: 4000)"),
    ):
        with pytest.raises(SystemExit) as stop:
            simulate.main([command, "--help"])
        assert stop.value.code == 0
        assert said in " ".join(capsys.readouterr().out.split())


def test_the_posterior_rules_one_sided_level_above_0025_is_said_too():
    """A diff review: the posterior rule at trial.sides = 1, alpha 0.05 is held to 0.05, as
    lenient as the one-sided test, and was left out of the note."""
    from designs.outputs.level_warnings import lenient_alpha_notes

    rule = load_design().with_overrides(
        {"decision.rule": "posterior", "trial.sides": 1, "trial.alpha": 0.05}
    )
    (note,) = lenient_alpha_notes(rule)
    # what the level is for: the threshold sets how often the rule succeeds (a second diff
    # review: "succeeds 2 times as often" was false at the default threshold, 0.0274)
    assert note.startswith(
        "note: the posterior rule's type I error is judged against (and calibrate aims at) the "
        "one-sided level 0.05"
    )
    assert "2 times the usual one-sided 0.025" in note and "set by its threshold" in note
    assert lenient_alpha_notes(rule.with_overrides({"trial.sides": 2})) == []


def test_a_spread_benefit_is_said_in_the_design_line_and_under_unequal_allocation(run, capsys):
    """A heterogeneity review: with effect.sd the one-line summaries read as if it were 0,
    and the note that unequal allocation leaves the analyses off their level for a spread
    benefit was given by power alone."""
    from designs.outputs.report_cautions import chosen_cautions
    from tests.outputs.test_tables import _row

    spread = load_design().with_overrides({"effect.sd": 0.2})
    assert "(+0.125 points/month), SD 0.2 points/month between treated patients;" in (
        spread.describe()
    )
    assert "between treated patients" not in load_design().describe()
    argv = ["sample-size", "--trials", "60", "--refine-trials", "0", "--set", "effect.sd=0.5"]
    code, _, err = run(capsys, *argv, "--set", "trial.allocation.placebo=2")
    assert code == 0, err
    assert "note: effect.sd = 0.5 spreads the benefit" in err
    unequal = spread.with_overrides({"trial.allocation.placebo": 2, "trial.n_total": 300})
    assert any("effect.sd = 0.2 spreads" in c for c in chosen_cautions([_row(0.8, 300)], unequal))
    code, _, err = run(capsys, *argv)  # 1:1: at the level, nothing to say
    assert code == 0 and "spreads the benefit" not in err
