"""Every command in the README's shell blocks runs as written (in an activated shell), so the
README cannot drift from the tool. The cluster example runs against a real Dask scheduler
and worker on the loopback interface."""

import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_TRIALS = 50  # the README's trial counts are cut to this (the commands are what is tested)


def readme_commands() -> list[list[str]]:
    """``python simulate.py ...`` lines of the README's bash blocks, continuations joined."""
    text = (ROOT / "README.md").read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)  # as a shell reads it
            if words[:2] == ["python", "simulate.py"]:
                commands.append(words)
    return commands


def _small(argv: list[str]) -> list[str]:
    out = list(argv)
    for i, word in enumerate(out[:-1]):
        if word == "--trials":
            out[i + 1] = str(min(int(out[i + 1]), MAX_TRIALS))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_has_commands():
    names = {argv[2] for argv in readme_commands() if len(argv) > 2}
    assert {"power", "sample-size", "sweep", "trial", "analyze", "report"} <= names


def readme_python() -> list[str]:
    """The README's Python examples."""
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def _explore_starts_and_stops(cmd: list[str], cwd: Path) -> None:
    """``explore`` (with ``--no-browser`` added) prints its address, then Ctrl-C ends it with
    status 0."""
    import signal

    if "--no-browser" not in cmd:
        cmd = [*cmd, "--no-browser"]
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        first = proc.stdout.readline()
        assert first.startswith("design explorer at http://127.0.0.1:"), first
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, first + out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _wait_for_port(port: int, seconds: float = 120) -> None:
    """Until something listens on ``port`` (a fixed sleep of 5 s was tight for the dask
    scheduler's start on a loaded machine, a flakiness review)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds:g} s")


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path):
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    scheduler = worker = None
    try:
        for argv in readme_commands():
            argv = _small(argv)
            if "--scheduler" in argv and scheduler is None:
                scheduler = subprocess.Popen(
                    [bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                     "--no-dashboard"],
                    cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                worker = subprocess.Popen(
                    [bin_dir / "dask", "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                     "--no-dashboard"],
                    cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                _wait_for_port(port)  # the sweep's tasks wait for the worker to join
            argv = [a.replace("SCHEDULER:8786", f"127.0.0.1:{port}") for a in argv]
            cmd = [sys.executable, str(ROOT / "simulate.py"), *argv[2:]]
            if argv[2] == "explore":  # a server: it must start, then stop on Ctrl-C
                _explore_starts_and_stops(cmd, tmp_path)
                continue
            out = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=900)
            assert out.returncode == 0, f"{shlex.join(argv)}\n{out.stderr[-2000:]}"
            if argv[2] == "report":  # issue 15: a report of few trials says what a final run needs
                assert "for a final run: --trials 10000 or more" in out.stdout, out.stdout
        for code in readme_python():  # after the commands: it reads their sweep file
            out = subprocess.run(
                [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                timeout=900,
            )  # fmt: skip
            assert out.returncode == 0, f"{code}\n{out.stderr[-2000:]}"
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
