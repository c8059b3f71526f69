"""The [decision] options on `power` and the `calibrate` command."""

import json

import pytest


def test_power_reports_the_posterior_rule(capsys, run):
    code, out, _ = run(
        capsys,
        "power",
        "--trials",
        "300",
        "--n-per-arm",
        "30",
        "--json",
        "--decision",
        "posterior",
        "--prior",
        "sceptical",
        "--threshold",
        "0.9",
    )
    assert code == 0
    row = json.loads(out)
    assert row["decision"] == "posterior" and row["power"] == row["power_favourable"]
    code, out, _ = run(capsys, "power", "--trials", "300", "--n-per-arm", "30", "--json")
    assert json.loads(out)["decision"] == "frequentist"


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--decision", "posterior", "--prior-weight", "1.5"], "decision.prior_weight"),
        (["--decision", "posterior", "--threshold", "1"], "decision.threshold"),
        (["--decision", "posterior", "--analysis", "joint_rank"], "decision.rule"),
        (["--prior", "optimistic"], "--prior"),
    ],
)
def test_bad_decision_input_exits_2_with_one_line(argv, word, capsys, run):
    code, out, err = run(capsys, "power", "--trials", "10", *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], err
