"""Keep Numba's on-disk cache of compiled kernels in step with our sources.

Numba decides whether a cached function is stale from its own file only. Our kernels
inline code from other modules (the generator in :mod:`designs.simulation.rng`, the REML fit in
:mod:`designs.analyses.reml`, ...), so after an edit of one of those a cached kernel would silently
keep the old code and give old numbers. Caching therefore goes to a directory named after a
hash of every kernel source: any change of them compiles afresh.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import numba

from progression.cache_dirs import cache_root

_PACKAGE = Path(__file__).resolve().parents[1]
# Sources whose compiled code can end up inside a cached kernel: every module of the
# ``designs`` package, sub-packages included, and the benchmarks' kernels.
_SOURCES = (_PACKAGE, _PACKAGE.parent / "benchmarks")
#: Sub-packages of ``designs`` that sit above the engine and hold no compiled code (the
#: browser page): editing them never needs the kernels compiled afresh.
_NOT_KERNEL_SOURCES = ("explorer",)


def sources_hash() -> str:
    """First 16 hex digits of the SHA-256 of the kernel sources (file names and contents)."""
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else ():
            if path.relative_to(folder).parts[0] in _NOT_KERNEL_SOURCES:
                continue
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_versioned_cache() -> Path:
    """Point Numba's cache at ``<base>/src-<hash>`` and return that directory.

    ``<base>`` is ``NUMBA_CACHE_DIR`` if set, else ``numba`` in the tool's one cache folder
    (:func:`progression.cache_dirs.cache_root`: ``.cache/`` of a source checkout, which the
    Makefile uses too, or the user's cache folder); if that cannot be written, the system's
    temporary folder. Must run before any
    ``@njit(cache=True)`` of ours is applied, i.e. on import of :mod:`designs`.
    """
    base = os.environ.get("NUMBA_CACHE_DIR") or str(cache_root() / "numba")
    name = f"src-{sources_hash()}"
    cache_dir = Path(base) / name
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=cache_dir):
            pass
    except OSError:  # read-only home or cache folder: compile into the temporary folder
        cache_dir = Path(tempfile.gettempdir()) / "als-trial-sim-numba" / name
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError:  # nowhere to write: Numba falls back to its own cache locations
            pass
    numba.config.CACHE_DIR = str(cache_dir)
    return cache_dir


def engine_compiled() -> bool:
    """Whether the simulation engine's kernels are in the current cache (False: the next
    simulation compiles them first, which takes one to three minutes)."""
    folder = Path(numba.config.CACHE_DIR)
    return any(folder.glob("simulation_*/kernels.simulate_block-*.nbi"))


#: Printed on stderr before a simulation whose kernels are not yet compiled.
COMPILE_NOTICE = (
    "compiling the simulation kernels: first run after installing or updating only, "
    "one to three minutes; later runs start at once"
)

_announced = False


def announce_compilation() -> None:
    """Print :data:`COMPILE_NOTICE` on stderr, once per process, if the kernels are not
    compiled yet (called by the engine before its first kernel call)."""
    global _announced
    if not _announced and not engine_compiled():
        print(COMPILE_NOTICE, file=sys.stderr, flush=True)
    _announced = True
