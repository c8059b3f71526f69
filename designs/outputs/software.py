"""Which software made a report: the tool's release and the hash of its sources, the git
commit of the checkout it runs from (a regulatory review: the release number, 0.1.0, covers
every commit, and a source hash can confirm a checkout but not find one), and the versions of
the libraries whose arithmetic the numbers rest on."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["git_commit", "software_text"]

#: The folder that holds ``designs/`` (a checkout's top level, or site-packages).
TOP = Path(__file__).resolve().parents[2]


def git_commit(top: Path = TOP) -> str | None:
    """'7650196abcde', or '7650196abcde with local changes' when tracked files differ from
    it, for a tool run from a git checkout; None for an installed copy, or without git."""
    if not (top / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(top), "describe", "--always", "--abbrev=12", "--dirty=+changes"],
            capture_output=True,
            text=True,
            timeout=10,
            # no refresh of the checkout's index (a diff review: every call rewrote it)
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    described = out.stdout.strip()
    if out.returncode != 0 or not described:
        return None
    commit = described.removesuffix("+changes")
    return commit + (" with local changes" if described.endswith("+changes") else "")


def software_text() -> str:
    """The methods text's software: 'als-trial-sim 0.1.0, source 1a2b..., git commit ...,
    Python 3.12.3, NumPy ...'."""
    import platform
    from importlib.metadata import version

    import numba
    import numpy
    import scipy
    import xarray

    from designs.simulation.numba_cache import software

    commit = git_commit()
    parts = [
        software() + (f", git commit {commit}" if commit else ""),
        f"Python {platform.python_version()}",
        f"NumPy {numpy.__version__}",
        f"SciPy {scipy.__version__}",
        f"Numba {numba.__version__}",
        f"xarray {xarray.__version__}",
        f"PyMC {version('pymc')}",  # its metadata: importing PyMC takes seconds
    ]
    return ", ".join(parts)
