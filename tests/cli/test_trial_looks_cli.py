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
