"""``--look-months`` and ``--look-completed``: the looks in calendar time from the command line."""

import csv
import json

import numpy as np
import pytest

from designs.planning.look_times import look_times
from designs.simulation.entries import trial_entry_months
from designs.spec import load_design

CASES = [
    (["power", "--looks", "0.5,1", "--look-months", "18,37"], "give the looks one way"),
    (["power", "--look-months", "18,30"], "interim.look_months: the last look (month 30)"),
    (["power", "--look-months", "18,x"], "--look-months 18,x: 'x' is not a number"),
    (["power", "--look-completed", "0.5,0.8"], "interim.look_completed = [0.5, 0.8]"),
    (["power", "--set", "accrual.ramp_rate_per_month=[2]"], "accrual.ramp_until_month"),
    (["power", "--looks", "0.5,1", "--futility", "cp"], "give cp:THRESHOLD"),
    (["sample-size", "--look-months", "18,37"], "interim.look_months: the sample-size search"),
    # the looks by an option and by --set: --set won without a word (--looks none kept them)
    (["power", "--looks", "none", "--set", "interim.look_months=[18,37]"], "one way, not both"),
    (["power", "--looks", "0.5,1", "--set", "interim.looks=[0.3,1]"], "--set interim.looks"),
    (["power", "--look-months", "18,37", "--set", "interim.look_completed=[9]"], "not both"),
]


@pytest.mark.parametrize(("argv", "word"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_looks_exit_2_with_one_line(argv, word, capsys, run):
    code, out, err = run(capsys, *argv, "--trials", "10")
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and word in err, err
    assert out == ""


def test_power_with_looks_in_months_reports_expected_and_observed_fractions(capsys, run):
    code, out, err = run(
        capsys, "power", "--look-months", "14,30", "--set", "trial.sides=1",
        "--set", "trial.alpha=0.025", "--set", "trial.n_per_arm=60", "--trials", "40",
        "--seed", "2", "--json",
    )  # fmt: skip
    assert code == 0, err
    s = json.loads(out)
    assert s["look_months"] == [14.0, 30.0]
    assert 0.3 < s["expected_information_fraction"][0] < 0.7
    assert s["expected_information_fraction"][1] == 1.0
    assert len(s["observed_information_fraction"]) == 2


def test_trial_csv_with_looks_has_entry_and_calendar_months(tmp_path, capsys, run, result_of):
    with_looks, without = tmp_path / "looks.csv", tmp_path / "fixed.csv"
    code, _, err = run(capsys, "trial", "--looks", "0.5,1", "--seed", "4", "--out", str(with_looks))
    assert code == 0, err
    code, _, err = run(capsys, "trial", "--seed", "4", "--out", str(without))
    assert code == 0, err
    rows = list(csv.DictReader(with_looks.read_text().splitlines()))
    fixed = list(csv.DictReader(without.read_text().splitlines()))
    assert "entry_month" not in fixed[0]
    assert len(rows) == len(fixed)
    for r, f in zip(rows, fixed, strict=True):
        assert {k: r[k] for k in f} == f  # the same visits
        assert abs(float(r["calendar_month"]) - float(r["entry_month"]) - float(r["month"])) < 2e-4
    d = load_design(None)
    entries = trial_entry_months(d.trial.n_placebo, d.trial.n_active, 4, 0, look_times(
        d.with_overrides({"interim.looks": [0.5, 1.0]})).entry_knots)  # fmt: skip
    first = {int(r["patient"]): float(r["entry_month"]) for r in rows}
    np.testing.assert_allclose([first[p] for p in sorted(first)], entries, atol=6e-5)
    # the tool's own analysis reads the file, and finds the same trial
    code, out_looks, err = run(capsys, "analyze", "--data", str(with_looks), "--json")
    assert code == 0, err
    code, out_fixed, _ = run(capsys, "analyze", "--data", str(without), "--json")
    looks, fixed = result_of(out_looks), result_of(out_fixed)
    # the entry months are named as not read by the analysis (a diff review); the rest equal
    assert looks.pop("columns_not_read") == ["entry_month"]
    assert fixed.pop("columns_not_read") == []
    assert looks == fixed


def test_looks_none_gives_the_fixed_design(tmp_path, capsys, run, result_of):
    """The help said 'none: a fixed design', but 'none' was 'not a number' (review)."""
    looks = tmp_path / "looks.toml"
    looks.write_text(load_design().with_overrides({"interim.looks": [0.5, 1.0]}).to_toml())
    common = ("power", "--design", str(looks), "--trials", "20", "--seed", "3", "--json")
    code, out, err = run(capsys, *common, "--looks", "none")
    assert code == 0, err
    fixed = json.loads(out)
    code, out, err = run(capsys, "power", "--trials", "20", "--seed", "3", "--json")
    assert code == 0, err
    assert result_of(fixed) == result_of(out)  # the same as the design without looks
    code, _, err = run(capsys, *common, "--looks", "none", "--spending", "pocock")
    assert code == 2 and "--spending" in err  # nothing to spend alpha on
