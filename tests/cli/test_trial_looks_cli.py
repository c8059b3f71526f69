"""`simulate.py trial` with interim looks prints and records each look (review finding)."""

import json

import numpy as np


def test_trial_prints_and_records_its_looks(run, capsys, tmp_path):
    out = tmp_path / "t.csv"
    code, text, _ = run(
        capsys, "trial", "--looks", "0.5,1", "--seed", "3", "--out", str(out), "--index", "1"
    )
    assert code == 0
    assert "The trial at its looks (lmm_slope" in text and "efficacy boundary (z)" in text
    meta = json.loads((tmp_path / "t.csv.json").read_text())
    assert [r["look"] for r in meta["looks"]] == [1, 2]
    assert np.isclose(meta["looks"][1]["month"], 37.0)


def test_trial_with_a_borrowing_prior_writes_the_trial_and_says_why_no_looks(run, capsys, tmp_path):
    """Diff review: with looks and a robust prior that borrows from phase 2, `trial` failed
    asking for a posterior it cannot take; it writes the trial and says why the looks'
    decisions are not given."""
    out = tmp_path / "t.csv"
    argv = ["trial", "--looks", "0.5", "1", "--n-per-arm", "40", "--out", str(out)]
    argv += ["--set", "decision.rule=posterior", "--set", "decision.prior=robust"]
    code, text, err = run(capsys, *argv, "--set", "decision.prior_weight=0.5")
    assert code == 0 and out.exists()
    assert "The trial at its looks" not in text
    assert "note: the looks' decisions are not given: the robust prior borrows" in err
    assert "looks" not in json.loads((tmp_path / "t.csv.json").read_text())
