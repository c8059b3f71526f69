"""Reliability review: valid input that was refused, JSON, reuse, faults and injection.

Bad input that must be refused is in test_bad_input.py; here are the cases that need more
than one command or a simulated fault.
"""

import errno
import json
import math
import os
import pathlib

import numpy as np
import pytest

TRIAL_ROWS = "1,1,0,40\n1,1,1,39\n2,0,0,40\n2,0,1,39\n3,1,0,41\n3,1,1,40\n4,0,0,40\n4,0,1,38\n"


def test_design_toml_with_a_byte_order_mark_is_read(tmp_path, capsys, run):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeff[trial]\nn_per_arm = 31\n".encode())
    code, out, err = run(capsys, "designs", "show", str(path))
    assert code == 0, err
    assert "n_per_arm = 31" in out


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffpatient,arm,month,alsfrs_r\n" + TRIAL_ROWS,  # byte-order mark
        "patient, arm, month, alsfrs_r\n" + TRIAL_ROWS,  # spaces after the commas
        "# a comment line\npatient,arm,month,alsfrs_r\n"
        + "".join("P#" + line + "\n" for line in TRIAL_ROWS.splitlines()),
    ],
    ids=["bom", "spaces", "hash_in_id"],
)
def test_analyze_reads_valid_variants_of_a_csv(text, tmp_path, capsys, run):
    path = tmp_path / "trial.csv"
    path.write_text(text, encoding="utf-8")
    code, _out, err = run(capsys, "analyze", "--data", str(path), "--analysis", "ols_slope_ttest")
    assert code == 0, err
    assert json.loads(run(capsys, "analyze", "--data", str(path), "--json")[1])["n_active"] == 2


def test_hash_inside_a_patient_id_is_data(tmp_path):
    from designs.analyses.data_file import read_trial_csv

    path = tmp_path / "t.csv"
    path.write_text("# comment\npatient,arm,month,alsfrs_r\nA#1,1,0,40\nA#2,0,0,41\n")
    frame = read_trial_csv(path)
    assert list(frame["patient"]) == ["A#1", "A#2"]
    assert frame.attrs["lines"] == [3, 4]  # the file's lines, for messages


def test_json_output_is_valid_json_without_nan(capsys):
    from designs.cli.options import print_json

    print_json({"a": math.nan, "b": np.float64(np.inf), "c": [np.int64(3), -math.inf]})
    text = capsys.readouterr().out
    assert json.loads(text) == {"a": None, "b": None, "c": [3, None]}
    assert "NaN" not in text and "Infinity" not in text


def test_sweep_says_reused_when_it_only_reused_the_file(tmp_path, capsys, run):
    out = tmp_path / "s.nc"
    args = ("sweep", "--n-per-arm", "10", "--trials", "20", "--out", str(out))
    code, first, err = run(capsys, *args)
    assert code == 0, err
    assert first.startswith("wrote ")
    code, second, err = run(capsys, *args)
    assert code == 0, err
    assert second.startswith("reused "), second
    # another sweep to the same file replaces it, and says so as sample-size does (a
    # reliability review: it said "wrote")
    code, third, err = run(capsys, *args[:-2], "--seed", "4", "--out", str(out))
    assert code == 0, err
    assert third.startswith(f"replaced {out}: 1 cell "), third


def test_a_local_cluster_that_cannot_start_is_one_line(tmp_path, capsys, run, monkeypatch):
    import dask.distributed

    def no_loopback(*args, **kwargs):
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(dask.distributed, "LocalCluster", no_loopback)
    monkeypatch.setattr("designs.planning.sweep.cluster.local_cpus", lambda: 2)  # 1-CPU machines
    out = tmp_path / "s.nc"
    code, _, err = run(
        capsys, "sweep", "--n-per-arm", "10", "--trials", "20", "--workers", "2", "--out", str(out)
    )
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "--workers 2" in err, err
    assert list(tmp_path.iterdir()) == []  # no cell folder, no file


def test_a_full_disk_is_one_line_exit_1_and_leaves_nothing(tmp_path, capsys, run, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pathlib.Path, "write_text", full)
    out = tmp_path / "trial.csv"
    code, _, err = run(capsys, "trial", "--n-per-arm", "5", "--out", str(out))
    assert code == 1, err
    assert err.strip() == f"error: {out}: no space left on device"
    assert list(tmp_path.iterdir()) == []


def test_a_killed_reports_temporary_folder_is_removed_later(tmp_path):
    from designs.outputs.report import _temporary_folder

    dead = 2**22 + 12345  # above Linux's default pid_max of 2**22: no such process
    stale = tmp_path / f".rep.report-{dead}-abcd1234"
    stale.mkdir()
    (stale / "methods.md").write_text("half written\n")
    alive = tmp_path / f".rep.report-{os.getpid()}-efgh5678"  # a running report's
    alive.mkdir()
    mine = _temporary_folder(tmp_path / "rep")
    assert not stale.exists() and alive.exists() and mine.is_dir()


def test_sample_size_search_starts_below_its_cap():
    from designs.planning.size_grid import initial_sizes
    from designs.planning.size_limit import MAX_SIZE
    from designs.spec import load_design

    tiny = load_design().with_overrides({"effect.kind": "slope_difference", "effect.value": 0.001})
    sizes = initial_sizes(tiny, (0.8,), 8)
    assert max(sizes) <= MAX_SIZE and min(sizes) < MAX_SIZE


def test_csv_cells_never_start_a_formula():
    from designs.outputs.csv_cells import safe_cell

    for text in ('=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(1)", "\t=1"):
        assert safe_cell(text) == "'" + text
    for keep in ("-0.5", "+1", "-inf", "lmm_slope", 3, -1.5):
        assert safe_cell(keep) == keep


def test_blocks_hold_about_the_same_work_at_any_n():
    from designs.simulation.engine import BLOCK_WORK, DEFAULT_BLOCK, block_size_for
    from designs.simulation.inputs import simulation_inputs
    from designs.spec import load_design

    small = simulation_inputs(load_design())  # 100 per arm, 13 visits
    large = simulation_inputs(load_design().with_overrides({"trial.n_per_arm": 3000}))
    assert block_size_for(small, 2) == min(DEFAULT_BLOCK, BLOCK_WORK // (200 * 13))
    # 3,000 per arm: blocks of at most 430 trials, not 16,384 (4.9 s each)
    assert block_size_for(large, 2) == BLOCK_WORK // (6000 * 13) == 430


def test_a_report_whose_target_is_not_reached_is_refused_after_the_search(tmp_path, capsys, run):
    """A reliability review: ``report --effect 0.001`` ran over 10 minutes (every table at
    the search's largest size, 50,000 per arm) where ``sample-size`` says "not reached" in
    seconds. Refused after the search, nothing written; a target reached is untouched."""
    from types import SimpleNamespace

    from designs.errors import InputError
    from designs.planning.report_interim import refuse_unreached

    out = tmp_path / "rep"
    code, _, err = run(
        capsys, "report", "--effect", "0.001", "--trials", "100", "--no-assurance",
        "--out", str(out),
    )  # fmt: skip
    assert code == 2 and not out.exists()
    assert "error: report: the target power 80% is not reached by the search's largest size" in err
    row = SimpleNamespace(reached=True, target_power=0.8, n=120, size_name="n_per_arm")
    refuse_unreached([row])  # reached: nothing to say
    missed = SimpleNamespace(reached=False, target_power=0.9, n_max=400, size_name="n_total")
    with pytest.raises(InputError, match=r"90% is not reached .* \(400 in total\)"):
        refuse_unreached([row, missed])


def test_an_output_encoding_without_the_dash_prints_escapes_not_a_traceback(repo_root, tmp_path):
    """A portability review: under PYTHONIOENCODING=ascii (or a Latin-1 locale) the en dash
    of the sample-size table ended a finished search with a UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    args = ["sample-size", "--trials", "100", "--refine-trials", "0"]
    done = subprocess.run(
        [sys.executable, str(repo_root / "simulate.py"), *args],
        capture_output=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")[-400:]
    assert b"\\u2013" in done.stdout and b"Traceback" not in done.stderr
