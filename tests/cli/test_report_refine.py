"""``report --refine-trials N``: the report's sample size is the two-stage search of
``sample-size --refine-trials N`` (same options, same seed), and its texts say so."""

from __future__ import annotations

import csv
import json

import pytest

# The report simulates its every table (about 10-13 s here): not in `make test-fast`.
pytestmark = pytest.mark.slow

# a large effect keeps n (and so the report's every simulation) small
OPTIONS = ("--effect", "0.5", "--trials", "200", "--refine-trials", "400", "--seed", "8")


def test_report_gives_the_two_stage_n_of_sample_size(tmp_path, capsys, run, result_of):
    code, out, err = run(capsys, "sample-size", *OPTIONS, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["refine_trials"] for r in rows] == [400, 400]
    folder = tmp_path / "report"
    code, out, err = run(
        capsys, "report", *OPTIONS, "--no-assurance", "--out", str(folder), "--json"
    )
    assert code == 0, err
    # the report's JSON carries sample-size's rows as they are: n and each stage's trials
    report = json.loads(out)
    assert report["sample_size"] == result_of(rows) and report["trials_per_point"] == 200
    with open(folder / "sample_size.csv", newline="") as f:
        table = list(csv.DictReader(f))
    for row, line in zip(rows, table, strict=True):
        got = [int(line[k]) for k in ("n_per_arm", "n_per_arm_mc_low", "n_per_arm_mc_high")]
        assert got == [row["n_per_arm"], row["n_low"], row["n_high"]]
        assert (line["grid_trials"], line["trials"], line["refine_trials"]) == ("200", "400", "400")
        assert float(line["power_favourable"]) == pytest.approx(row["power"], abs=5e-5)
    # every text of the report says the search had two stages, with each stage's trials
    stages = "200 simulated trials per size, then 400 more"
    assert stages in (folder / "sample_size.md").read_text()
    assert stages in (folder / "sample_size.tex").read_text()
    methods = (folder / "methods.md").read_text()
    assert "The search had two stages. First, 200 trials were simulated" in methods
    assert "Second, 400 more trials" in methods and "within each stage" in methods
    readme = (folder / "README.md").read_text()
    assert "in two stages: then 400 more trials" in readme and "hollow diamonds" in readme
    # a paste-ready review: no file named the command (its trials, targets, stages), and
    # with --no-assurance the methods were headed "sample size and assurance"
    made = "Made with `python simulate.py report --effect 0.5 --trials 200 --refine-trials 400"
    assert made in readme
    oc = json.loads((folder / "operating_characteristics.json").read_text())
    assert oc["command"].startswith("python simulate.py report --effect 0.5")
    assert report["command"] == oc["command"] and report["software"].startswith("als-trial-sim")
    # the netCDF too, as sweep's own file records its command (an auditor's review)
    import xarray as xr

    sweep = xr.load_dataset(folder / "power_sweep.nc", engine="h5netcdf")
    assert sweep.attrs["command"] == oc["command"]
    assert methods.splitlines()[0] == "# Methods: sample size"
    assert "sample size, software, references" in readme  # no "assurance" listed either


def test_report_json_of_a_one_stage_search(tmp_path, capsys, run, result_of):
    """With --refine-trials 0 the report's JSON rows say one stage (refine_trials 0), as
    sample-size's do."""
    options = (*OPTIONS[:4], "--refine-trials", "0", *OPTIONS[6:])
    code, out, err = run(capsys, "sample-size", *options, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["grid_trials"], r["trials"], r["refine_trials"]) for r in rows] == [
        (200, 200, 0)
    ] * 2
    argv = ("report", *options, "--no-assurance", "--out", str(tmp_path / "r"), "--json")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert json.loads(out)["sample_size"] == result_of(rows)


def test_report_without_refine_trials_searches_in_the_main_jobs_two_stages(
    tmp_path, capsys, run, result_of
):
    """Without --refine-trials the report, as sample-size, adds a second stage of 4 times
    --trials (the main job's 2,000 + 8,000), and both give the same rows."""
    options = OPTIONS[:4] + OPTIONS[6:]  # no --refine-trials
    code, out, err = run(capsys, "sample-size", *options, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["grid_trials"], r["trials"], r["refine_trials"]) for r in rows] == [
        (200, 800, 800)
    ] * 2
    argv = ("report", *options, "--no-assurance", "--out", str(tmp_path / "r"), "--json")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert json.loads(out)["sample_size"] == result_of(rows)
