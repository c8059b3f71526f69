"""A design whose analysis fails in every trial because the placebo arm's scores are at the
scale's floor (a clinimetrics review: at slope_mean -10 every completer scores 0 at month
12, so ancova_change's change is minus its baseline and the fit has no residual, while the
refusal blamed the dropout and death hazards)."""

from __future__ import annotations

from designs import load_design
from designs.planning.power import all_fits_failed


def test_the_floor_is_named_where_most_lines_reach_it():
    steep = load_design().with_overrides({"population.slope_mean": -10.0})
    text = str(all_fits_failed("ancova_change", 500, design=steep))
    assert text.startswith("design: the ancova_change fit failed in all 500 simulated trials")
    assert "about 100% of the placebo patients' true ALSFRS-R lines reach the scale's floor" in text
    assert "check population.slope_mean and the follow-up" in text
    assert "hazards" not in text
    # the default design: the hazards, as before; continuous scores have no floor
    assert "hazards" in str(all_fits_failed("ancova_change", 500, design=load_design()))
    free = steep.with_overrides({"population.integer_scores": False})
    assert "hazards" in str(all_fits_failed("ancova_change", 500, design=free))


def test_power_refuses_it_in_one_line(run, capsys):
    argv = ["power", "--set", "population.slope_mean=-10", "--trials", "50"]
    code, stdout, err = run(capsys, *argv, "--analysis", "ancova_change")
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and "reach the scale's floor of 0 by the last visit" in err


def test_trial_says_the_floor(run, capsys, tmp_path):
    """A clinimetrics review: `trial` wrote a file where a third of the placebo arm's scores
    were 0 by month 12 without a word; it gives power's floor note."""
    fast = ["--design", "proact_unselected", "--set", "population.slope_mean=-3"]
    fast += ["--set", "population.slope_sd=1.5", "--n-per-arm", "20"]
    code, _, err = run(capsys, "trial", *fast, "--out", str(tmp_path / "t.csv"))
    assert code == 0, err
    assert "of placebo patients' true ALSFRS-R lines reach the scale's floor of 0" in err
    code, _, err = run(capsys, "trial", "--n-per-arm", "20", "--out", str(tmp_path / "d.csv"))
    assert code == 0 and "floor" not in err
