"""PyMC's worker processes die with the process that started them, even on SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from progression.workers import worker_context


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_context_is_the_default_fork_on_linux():
    ctx = worker_context()
    if sys.platform.startswith("linux"):
        assert ctx is not None and ctx.get_start_method() == "fork"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_sampler_workers_die_when_the_fit_is_killed(repo_root, tmp_path):
    # A fit long enough to be caught while sampling (2 chains in 2 worker processes: PyMC's
    # sampler; nutpie, the default, samples in threads of the fitting process).
    cmd = [sys.executable, str(repo_root / "simulate.py"), "fit", "--draws", "20000",
           "--tune", "1000", "--chains", "2", "--sampler", "pymc",
           "--out", str(tmp_path / "p.nc")]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
        time.sleep(0.5)
        workers = _children(proc.pid)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    assert len(workers) >= 2, "the sampler's workers never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them running if the test fails
        os.kill(w, signal.SIGKILL)
    assert left == [], "worker processes outlived the killed fit"
    assert not (tmp_path / "p.nc").exists()
