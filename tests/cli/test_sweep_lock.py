"""Two sweeps to the same output at once: the second is refused with one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from designs.planning.sweep.lock import OutputLock, lock_path

SWEEP = ("sweep", "--n-per-arm", "10,12", "--trials", "50")


def test_second_sweep_to_the_same_out_is_refused(run, capsys, tmp_path):
    out = tmp_path / "s.nc"
    held = OutputLock(out)  # as a first sweep would hold it while running
    try:
        code, stdout, err = run(capsys, *SWEEP, "--out", str(out))
    finally:
        held.release()
    assert code == 2 and stdout == ""
    assert "another sweep" in err and str(out) in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "s.nc.cells").exists()


def test_lock_is_free_after_a_finished_sweep_and_leaves_no_file(run, capsys, tmp_path):
    out = tmp_path / "s.nc"
    assert run(capsys, *SWEEP, "--out", str(out))[0] == 0
    assert out.exists() and not lock_path(out).exists()
    assert run(capsys, *SWEEP, "--out", str(out))[0] == 0  # a rerun reuses it, not refused


def test_a_killed_holder_does_not_block_later_runs(tmp_path):
    # A process takes the lock and is killed (SIGKILL): the kernel frees flock locks of a
    # dead process, so the lock file left behind must not block the next run.
    out = tmp_path / "s.nc"
    code = (
        "import os, signal, sys\n"
        "from designs.planning.sweep.lock import OutputLock\n"
        f"lock = OutputLock({str(out)!r})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == -9
    assert lock_path(out).exists()  # left behind by the killed process
    OutputLock(out).release()  # and yet free


def test_sweep_into_a_folder_that_does_not_exist_yet(run, capsys, tmp_path):
    # the README's `--out results/sweep.nc` on a fresh clone: the folder is made, as before
    out = tmp_path / "results" / "s.nc"
    code, _, err = run(capsys, *SWEEP, "--out", str(out))
    assert code == 0, err
    assert out.exists() and not lock_path(out).exists()


def test_a_users_file_or_link_named_like_the_lock_is_refused_and_kept(run, capsys, tmp_path):
    """A sweep review: a user's ``OUT.lock`` of notes was emptied and removed, and a symbolic
    link there had its target overwritten by the process id."""
    out = tmp_path / "u.nc"
    notes = lock_path(out)
    notes.write_text("my notes\n")
    code, _, err = run(capsys, *SWEEP, "--out", str(out))
    assert code == 2 and "u.nc.lock beside it exists and is not a sweep's lock" in err
    assert notes.read_text() == "my notes\n" and not out.exists()
    important = tmp_path / "important.csv"
    important.write_text("a,b\n1,2\n")
    linked = tmp_path / "v.nc"
    lock_path(linked).symlink_to(important)
    code, _, err = run(capsys, *SWEEP, "--out", str(linked))
    assert code == 2 and "is not a sweep's lock" in err
    assert important.read_text() == "a,b\n1,2\n"
    # a lock a killed sweep left (its process id), or one a crash left zero-filled (a diff
    # review), does not block
    lock_path(out).write_text("12345\n")
    assert run(capsys, *SWEEP, "--out", str(out))[0] == 0 and not lock_path(out).exists()
    zeroed = tmp_path / "z.nc"
    lock_path(zeroed).write_bytes(b"\x00" * 6)
    assert run(capsys, *SWEEP, "--out", str(zeroed))[0] == 0


def test_a_worker_running_other_code_refuses_its_cell():
    """A sweep review: a Dask worker with another install gave other numbers in every cell,
    cached under this code's key; the task now checks the submitting command's code."""
    import pytest

    from designs.errors import InputError
    from designs.planning.sweep.cells import _cell_task
    from designs.simulation.numba_cache import code_version
    from designs.spec import load_design

    design = load_design().with_overrides({"trial.n_per_arm": 10}).to_dict()
    with pytest.raises(InputError, match="a Dask worker runs other code of this tool"):
        _cell_task(design, 20, 1, ("lmm_slope",), code="0123456789abcdef")
    cell = _cell_task(design, 20, 1, ("lmm_slope",), code=code_version())
    assert "lmm_slope" in cell


def test_the_full_disk_message_keeps_the_cells_and_the_lock_goes(
    run, capsys, tmp_path, monkeypatch
):
    """A sweep review: on a full disk while writing the file, the lock stayed and the message
    did not say that the finished cells are kept."""
    import errno

    from designs.planning.sweep import run as sweep_run

    def full(ds, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(sweep_run, "write_netcdf", full)
    out = tmp_path / "s.nc"
    code, _, err = run(capsys, *SWEEP, "--out", str(out))
    assert code == 1 and "no space left on device" in err
    assert "the sweep's 2 finished cells are kept (rerun the same command to resume)" in err
    assert not lock_path(out).exists() and len(list((tmp_path / "s.nc.cells").glob("*.json"))) == 2


def test_an_interruption_counts_this_sweeps_cells_only(run, capsys, tmp_path, monkeypatch):
    """A sweep review: interrupted before any of its own cells finished, a sweep said "the 29
    finished cells are kept", another sweep's in the same folder."""
    from designs.planning.sweep import run as sweep_run

    out = tmp_path / "s.nc"
    cells = tmp_path / "s.nc.cells"
    cells.mkdir()
    other = cells / ("0" * 24 + ".json")  # another sweep's finished cell (by its name)
    other.write_text("{}")
    calls = []
    evaluate = sweep_run.evaluate_cell

    def interrupted_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(sweep_run, "evaluate_cell", interrupted_second)
    code, _, err = run(capsys, *SWEEP, "--out", str(out))
    assert code == 130 and "interrupted; the finished cell is kept" in err
    assert other.exists() and len(list(cells.glob("*.json"))) == 2
    calls.clear()
    monkeypatch.setattr(sweep_run, "evaluate_cell", lambda *a, **k: (_ for _ in ()).throw(
        KeyboardInterrupt))  # fmt: skip
    fresh = tmp_path / "t.nc"
    (tmp_path / "t.nc.cells").mkdir()
    (tmp_path / "t.nc.cells" / other.name).write_text("{}")
    code, _, err = run(capsys, *SWEEP, "--out", str(fresh))
    assert code == 130 and "before any cell of the sweep had finished" in err


def test_a_total_that_does_not_split_in_the_ratio_is_noted(run, capsys, tmp_path):
    """A sweep review: --n-total 101 at 1:2 ran 34 + 67 without a word (power notes it)."""
    out = tmp_path / "a.nc"
    argv = ("sweep", "--n-total", "99", "101", "--trials", "20", "--out", str(out))
    code, _, err = run(capsys, *argv, "--set", "trial.allocation.active=2")
    assert code == 0
    assert "n_total = 101 is not a multiple of 3" in err and "n_total = 99 " not in err


def test_without_posix_locks_only_a_sweep_file_is_refused(tmp_path, monkeypatch, repo_root):
    """A portability review: ``fcntl`` (absent on Windows) was imported with the sweep's
    module, so ``report`` could not start either. Now only writing a sweep file needs it, and
    is refused in one line before any folder is made."""
    from designs.errors import InputError

    monkeypatch.setitem(sys.modules, "fcntl", None)
    out = tmp_path / "new" / "s.nc"
    with pytest.raises(InputError, match="writing a sweep file needs POSIX file locks"):
        OutputLock(out)
    assert not (tmp_path / "new").exists()
    code = "import sys; sys.modules['fcntl'] = None; import designs.planning.report_plan"
    done = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-300:]
