"""Two sweeps to the same output at once: the second is refused with one line."""

from __future__ import annotations

import subprocess
import sys

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
