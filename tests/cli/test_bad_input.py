"""Bad input on the command line: exit status 2, one line naming the field, nothing written.

One table of cases, run in-process through ``simulate.main`` (fast), plus a subprocess check
that a real run prints no traceback.
"""

import pytest


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "invalid.toml").write_text("[trial\nn_per_arm = 3\n")
    (d / "latin1.toml").write_bytes("[trial]\nname = 'caf\xe9'\n".encode("latin-1"))
    (d / "unknown_key.toml").write_text("[population]\nslop_mean = -1.0\n")
    (d / "negative_sd.toml").write_text("[population]\nslope_sd = -0.3\n")
    (d / "nan.toml").write_text("[population]\nresidual_sd = nan\n")
    (d / "unequal.toml").write_text(
        "[trial]\nallocation = { placebo = 1, active = 2 }\nn_total = 90\n"
    )
    (d / "empty.csv").write_text("")
    (d / "no_arm.csv").write_text("patient,month,alsfrs_r\n1,0,40\n1,1,39\n")
    (d / "arm2.csv").write_text(
        "patient,arm,month,alsfrs_r\n1,2,0,40\n1,2,1,39\n2,0,0,40\n2,0,1,39\n"
    )
    (d / "nan_score.csv").write_text(
        "patient,arm,month,alsfrs_r\n1,1,0,40\n1,1,1,\n2,0,0,40\n2,0,1,39\n"
    )
    (d / "latin1.csv").write_bytes("patient,arm,month,alsfrs_r\n\xe9,1,0,40\n".encode("latin-1"))
    (d / "a_folder").mkdir()
    (d / "notes.txt").write_text("my notes, not an output of this tool\n")
    (d / "README.md").write_text("# My project\nIt uses als-trial-sim for planning.\n")
    (d / "old_report").mkdir()
    (d / "old_report" / "methods.md").write_text("# My own methods notes\n")
    import os
    import shutil

    from progression.records import BUNDLED_PHASE2

    shutil.copy(BUNDLED_PHASE2, d / "phase2.csv")
    os.mkfifo(d / "fifo")
    (d / "not_netcdf.nc").write_text("hello")
    import numpy as np
    import xarray as xr

    post = xr.Dataset({"delta": (("chain", "draw"), np.zeros((1, 10)))})
    old = xr.DataTree.from_dict({"posterior": post})
    old.attrs = {"model_version": "old", "data_sha256": "0", "seed": 1, "illustrative_data": 1}
    old.to_netcdf(d / "old_model.nc", engine="h5netcdf")
    other = xr.DataTree.from_dict({"posterior": post})
    other.to_netcdf(d / "not_ours.nc", engine="h5netcdf")
    return d


CASES = [
    # (arguments, a word the error line must contain)
    (["power", "--trials", "0"], "--trials"),
    (["power", "--trials", "-5"], "--trials"),
    (["power", "--trials", "many"], "--trials"),
    (["power", "--trials", "1000000000000"], "--trials"),
    (["power", "--n-per-arm", "1"], "--n-per-arm"),
    (["power", "--n-per-arm", "2.5"], "--n-per-arm"),
    (["power", "--effect", "nan"], "--effect"),
    (["power", "--effect", "inf"], "--effect"),
    (["power", "--seed", "-1"], "--seed"),
    (["power", "--threads", "0"], "--threads"),
    (["power", "--threads", "256"], "--threads"),
    (["power", "--analysis", "anova"], "--analysis"),
    (["power", "--n-per-arm", "10", "--n-total", "20"], "--n-total"),
    (["power", "--design", "no_such_design"], "no_such_design"),
    (["power", "--design", "{d}/invalid.toml"], "invalid.toml"),
    (["power", "--design", "{d}/latin1.toml"], "latin1.toml"),
    (["power", "--design", "{d}/unknown_key.toml"], "slop_mean"),
    (["power", "--design", "{d}/negative_sd.toml"], "slope_sd"),
    (["power", "--design", "{d}/nan.toml"], "residual_sd"),
    (["power", "--design", "{d}/unequal.toml", "--n-per-arm", "40"], "n_per_arm"),
    (["power", "--design", "{d}/missing.toml"], "missing.toml"),
    (["trial", "--out", "{d}/a_folder"], "--out"),
    (["trial", "--out", "/proc/no_such_dir/trial.csv"], "--out"),
    (["trial", "--n-per-arm", "0", "--out", "{d}/never.csv"], "--n-per-arm"),
    # delta-FS of 40+ points/month: the design check refuses a range that admits nobody
    (["trial", "--set", "enrichment.delta_fs_min=40", "--out", "{d}/never.csv"], "delta_fs_min"),
    # losing 25+ points in a 3-month lead-in: allowed, but screening cannot fill the arm,
    # so no partial trial is written (it used to be)
    (
        [
            "trial",
            "--design",
            "lead_in",
            "--n-per-arm",
            "5",
            "--out",
            "{d}/never.csv",
            "--set",
            "enrichment.lead_in_decline_min=25",
        ],
        "screening admitted fewer than 5",
    ),
    (["analyze", "--data", "{d}/nothing_here.csv"], "--data"),
    (["analyze", "--data", "{d}/empty.csv"], "--data"),
    (["analyze", "--data", "{d}/latin1.csv"], "latin1.csv"),
    (["analyze", "--data", "{d}/no_arm.csv"], "arm"),
    (["analyze", "--data", "{d}/arm2.csv"], "arm"),
    (["analyze", "--data", "{d}/nan_score.csv"], "alsfrs_r"),
    (["analyze", "--data", "{d}/arm2.csv", "--alpha", "1.5"], "--alpha"),
    (["no-such-command"], "no-such-command"),
    (["assurance", "--posterior", "{d}/missing.nc"], "--posterior"),
    (["assurance", "--posterior", "{d}/not_netcdf.nc"], "--posterior"),
    (["assurance", "--posterior", "{d}/not_ours.nc"], "not a posterior written by this tool"),
    (["assurance", "--posterior", "{d}/old_model.nc"], "model version"),
    (["power", "--set", "population.slope_sd=-1"], "slope_sd"),
    (["power", "--set", "nonsense"], "--set"),
    (["sweep", "--n-per-arm", "10:5:1", "--out", "{d}/never.nc"], "--n-per-arm"),
    (["sweep", "--n-per-arm", "10:50:0", "--out", "{d}/never.nc"], "--n-per-arm"),
    (["sweep", "--informative", "99", "--out", "{d}/never.nc"], "--informative"),
    (["sample-size", "--target-power", "1.5"], "--target-power"),
    (["fit", "--data", "{d}/arm2.csv", "--out", "{d}/never.nc"], "arm2.csv"),
    # outputs never destroy inputs or other files (reliability review)
    (["fit", "--data", "{d}/phase2.csv", "--out", "{d}/phase2.csv"], "--data"),
    (["fit", "--data", "{d}/phase2.csv", "--out", "{d}/notes.txt"], "--force"),
    (["trial", "--design", "{d}/negative_sd.toml", "--out", "{d}/negative_sd.toml"], "--out"),
    (["trial", "--design", "{d}/unequal.toml", "--out", "{d}/unequal.toml"], "--design"),
    (["trial", "--out", "{d}/notes.txt"], "--force"),
    (["trial", "--out", "{d}/README.md"], "--force"),  # mentions the tool, but is no output
    (["sample-size", "--sizes", "20", "--trials", "20", "--out", "{d}/README.md"], "--force"),
    (["trial", "--design", "default", "--out", "{lib}/default.toml", "--force"], "--design"),
    (["report", "--out", "{d}/old_report"], "--force"),
    (["trial", "--out", "{d}/fifo"], "not a regular file"),
    (["sample-size", "--sizes", "20", "--trials", "20", "--out", "{d}/notes.txt"], "--force"),
    (["sweep", "--n-per-arm", "20", "--out", "{d}/notes.txt"], "--force"),
    (["sweep", "--n-per-arm", "20", "--out", "{d}/not_ours.nc"], "--force"),
    (
        [
            "sweep",
            "--n-per-arm",
            "20",
            "--posterior",
            "{d}/old_model.nc",
            "--out",
            "{d}/old_model.nc",
        ],
        "--posterior",
    ),
    (["fit", "--data", "{d}/nothing_here.csv"], "nothing_here.csv"),
]


@pytest.mark.parametrize(("argv", "word"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_exits_2_with_one_line(argv, word, files, capsys, run):
    before = set(files.rglob("*"))
    from designs.spec import LIBRARY_DIR

    argv = [a.replace("{d}", str(files)).replace("{lib}", str(LIBRARY_DIR)) for a in argv]
    code, _, err = run(capsys, *argv)
    err = err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert word in err, err
    assert "Traceback" not in err
    assert set(files.rglob("*")) == before  # nothing written, not even a temporary file


def test_no_traceback_in_a_real_process(tmp_path, run_cli):
    out = run_cli("power", "--design", str(tmp_path / "x.toml"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
