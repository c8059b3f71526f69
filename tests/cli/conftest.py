"""Running the command line: in a real process (``run_cli``) and in-process (``run``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import simulate


@pytest.fixture(scope="session")
def run_cli(repo_root):
    """``run_cli(*args)``: ``python simulate.py *args`` in a subprocess from the repository root."""

    def run_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(repo_root / "simulate.py"), *args],
            capture_output=True,
            text=True,
            cwd=repo_root,
        )

    return run_cli


def _run(capsys, *args):
    code = simulate.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="session")
def run():
    """``run(capsys, *args)``: ``simulate.main`` in-process; returns (exit code, stdout, stderr)."""
    return _run
