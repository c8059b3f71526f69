"""`analyze` names the columns of --data it does not read (a covariate review: site,
delta_fs and age columns were ignored without a word, and a baseline given as a column was
not taken as the baseline); the tool's own trial file has none to name."""

from __future__ import annotations

import json


def test_columns_not_read_are_named(capsys, run, tmp_path):
    import pandas as pd

    own = tmp_path / "t.csv"
    code, _, err = run(capsys, "trial", "--n-per-arm", "30", "--out", str(own))
    assert code == 0, err
    code, out, err = run(capsys, "analyze", "--data", str(own), "--json")
    assert code == 0 and "not read" not in err
    plain = json.loads(out)
    assert plain["columns_not_read"] == []
    frame = pd.read_csv(own)
    frame["site"], frame["baseline"], frame["delta_fs"] = 3, 40, 0.5
    extra = tmp_path / "covariates.csv"
    frame.to_csv(extra, index=False)
    code, out, err = run(capsys, "analyze", "--data", str(extra), "--json")
    assert code == 0
    assert (
        "note: --data's columns site, baseline, delta_fs are not read: the analyses take "
        "patient, arm, "
        "month and alsfrs_r (and status, exit_month) and adjust for no other covariate"
    ) in err
    got = json.loads(out)
    assert got["columns_not_read"] == ["site", "baseline", "delta_fs"]
    assert got["estimate"] == plain["estimate"]  # read or not, the same fit
