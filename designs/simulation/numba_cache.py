"""Keep Numba's on-disk cache of compiled kernels in step with our sources.

Numba decides whether a cached function is stale from its own file only. Our kernels
inline code from other modules (the generator in :mod:`designs.simulation.rng`, the REML fit in
:mod:`designs.analyses.reml`, ...), so after an edit of one of those a cached kernel would silently
keep the old code and give old numbers. Caching therefore goes to a directory named after a
hash of every source a kernel can read (:mod:`designs.simulation.kernel_sources`): any change
of them compiles afresh, while an edit of the planning, output or command-line layers keeps
the compiled kernels.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numba

from progression.cache_dirs import cache_root, tolerate_damaged_numba_cache, writable_cache

_PACKAGE = Path(__file__).resolve().parents[1]
#: Packages whose modules may hold compiled code: ``designs`` and the benchmarks' kernels.
_SOURCES = (_PACKAGE, _PACKAGE.parent / "benchmarks")


#: File in the cache folder that remembers :func:`sources_hash` by the state of all sources.
MEMO_NAME = "kernel-sources.json"


def _folders_hash(folders, suffixes: tuple[str, ...] = (".py",)) -> str:
    """SHA-256 of every file below ``folders`` whose suffix is one of ``suffixes`` (names
    relative to each folder's parent, and contents), folder by folder, files in sorted
    order."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        # one glob per suffix: a walk of every file (caches too) took 10 ms more per start
        for path in sorted(p for s in suffixes for p in folder.rglob(f"*{s}")):
            digest.update(path.relative_to(folder.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _all_sources_hash() -> str:
    """SHA-256 of every source below :data:`_SOURCES` (names and contents): cheap to compute,
    it keys the memo of :func:`sources_hash`."""
    return _folders_hash(_SOURCES)


#: :func:`_all_sources_hash` as :func:`use_versioned_cache` found it on import (the code
#: this process runs); empty before.
_IMPORTED: list[str] = []


@functools.cache
def code_version() -> str:
    """First 16 hex digits of :func:`_all_sources_hash`, once per process (the hash taken on
    import, when there was one): names the code that computed a result kept on disk (a
    sweep's cells, a journal's blocks), so results of other code (an edit, a pull) are never
    reused as this code's."""
    return (_IMPORTED[0] if _IMPORTED else _all_sources_hash())[:16]


@functools.cache
def source_version() -> str:
    """First 16 hex digits of the SHA-256 of every source of the tool (names and contents):
    ``designs``, ``progression`` (the phase 2 model, its priors and the effect draws
    assurance averages over: a diff review found them outside :func:`code_version`) and
    the benchmarks, and the design library's TOML files (an auditor's review: an edited
    ``default.toml`` gave other numbers under the same source)."""
    folders = (*_SOURCES, _PACKAGE.parent / "progression")
    return _folders_hash(folders, (".py", ".toml"))[:16]


def software() -> str:
    """'als-trial-sim 0.1.0, source 1a2b3c4d5e6f7a8b': the release and the hash of every
    source of the tool (:func:`source_version`), which moves with every edit while the
    release number waits for a release (a reproducibility audit: 0.1.0 named code whose
    numbers moved)."""
    from designs import __version__

    return f"als-trial-sim {__version__}, source {source_version()}"


def sources_hash(memo: Path | None = None, everything: str | None = None) -> str:
    """First 16 hex digits of the SHA-256 of the kernel sources (file names and contents):
    the files :func:`~designs.simulation.kernel_sources.kernel_sources` lists.

    Finding those files parses every module (about half a second), so with ``memo`` (a JSON
    file) the answer is kept under the hash of all sources, the lister's own among them:
    any edit anywhere looks the files up afresh, and no edit can meet a stale answer.
    ``everything``: :func:`_all_sources_hash`, when the caller has it.
    """
    everything = everything or _all_sources_hash()
    known = _read_memo(memo)
    if everything in known:
        return known[everything]
    from designs.simulation.kernel_sources import kernel_sources

    digest = hashlib.sha256()
    for path in kernel_sources(_SOURCES):
        folder = next(f for f in _SOURCES if path.is_relative_to(f))
        digest.update(path.relative_to(folder.parent).as_posix().encode())
        digest.update(path.read_bytes())
    key = digest.hexdigest()[:16]
    if memo is not None:
        _write_memo(memo, {**dict(list(known.items())[-(_MEMO_SIZE - 1) :]), everything: key})
    return key


#: Source states remembered by the memo (the latest ones; older states are looked up afresh).
_MEMO_SIZE = 32


def _read_memo(memo: Path | None) -> dict[str, str]:
    if memo is None:
        return {}
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, unreadable or damaged: look up afresh
        return {}
    if not isinstance(known, dict):
        return {}
    return {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, str)}


def _write_memo(memo: Path, known: dict[str, str]) -> None:
    """Write the memo whole (temporary file, then rename); a failure only costs time."""
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{memo.name}.", dir=memo.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(known, handle)
        os.replace(tmp, memo)
    except OSError:
        pass


def use_versioned_cache() -> Path:
    """Point Numba's cache at ``<base>/src-<hash>`` and return that directory.

    ``<base>`` is ``NUMBA_CACHE_DIR`` if set, else ``numba`` in the tool's one cache folder
    (:func:`progression.cache_dirs.cache_root`: ``.cache/`` of a source checkout, which the
    Makefile uses too, or the user's cache folder); if that cannot be written, this user's own
    temporary folder (:func:`progression.cache_dirs.private_temp_root`). Must run before any
    ``@njit(cache=True)`` of ours is applied, i.e. on import of :mod:`designs`.
    """
    base = os.environ.get("NUMBA_CACHE_DIR") or str(cache_root() / "numba")
    everything = _all_sources_hash()
    _IMPORTED[:] = [everything]
    name = f"src-{sources_hash(Path(base) / MEMO_NAME, everything)}"
    # a read-only home or cache folder: this user's own temporary folder
    cache_dir = writable_cache(Path(base) / name, f"numba/{name}")
    numba.config.CACHE_DIR = str(cache_dir)
    tolerate_damaged_numba_cache()
    return cache_dir


#: The fixed-design engine's kernel, named as Numba's cache files name it (module.function).
ENGINE_KERNEL = "kernels.simulate_block"
#: The interim looks' kernel (compiled apart, on the first run with looks).
LOOKS_KERNEL = "looks.simulate_block_looks"


def engine_compiled(kernel: str = ENGINE_KERNEL) -> bool:
    """Whether the simulation engine's kernel ``kernel`` (:data:`ENGINE_KERNEL` or
    :data:`LOOKS_KERNEL`) is in the current cache (False: the next simulation compiles it
    first, which takes one to three minutes)."""
    folder = Path(numba.config.CACHE_DIR)
    return any(folder.glob(f"simulation_*/{kernel}-*.nbi"))


#: Shown on stderr while the simulation kernels compile (a terminal's status line).
COMPILE_NOTICE = (
    "compiling the simulation kernels: first run after installing or updating only, "
    "one to three minutes; later runs start at once"
)

#: Printed on stderr after a successful command that compiled the kernels, when stderr is
#: not a terminal (a log, a pipe): it explains the slow first run without ever standing
#: before a refusal.
COMPILED_NOTE = (
    "note: this run compiled the simulation kernels (first run after installing or updating "
    "only); later runs start at once"
)

_announced: set[str] = set()
_compiled_here = False

#: Carriage return and erase-to-end-of-line: removes a terminal's status line.
_ERASE = "\r\x1b[K"


@contextmanager
def compilation_notice(kernel: str = ENGINE_KERNEL) -> Iterator[None]:
    """Around the engine's first kernel call: if the kernels are not compiled yet, show
    :data:`COMPILE_NOTICE` on a terminal while they compile and erase it afterwards, even
    when the call raises.

    The notice therefore never remains on stderr in front of whatever follows, so a
    refusal found after the kernels ran (screening that cannot fill an arm, every fit
    failed) stays one line whether or not this run compiled. Off a terminal nothing is
    shown here; the command line prints :data:`COMPILED_NOTE` after a successful run instead
    (:func:`compiled_in_this_process`). ``kernel``: the kernel about to be called (the
    interim looks' kernel compiles apart, about half a minute on a first run with looks).
    """
    global _compiled_here
    if kernel in _announced or engine_compiled(kernel):
        _announced.add(kernel)
        yield
        return
    _announced.add(kernel)
    _compiled_here = True
    tty = sys.stderr.isatty()
    if tty:
        print(COMPILE_NOTICE, end="", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        if tty:
            print(_ERASE, end="", file=sys.stderr, flush=True)


def compiled_in_this_process() -> bool:
    """Whether this process found the kernels uncompiled and compiled them."""
    return _compiled_here
