"""Finished blocks of simulated trials kept on disk while a command runs: an interrupted
command, run again, reads them back instead of simulating them afresh (resume).

The engine (:func:`designs.simulation.engine.run_trials`,
:func:`designs.simulation.engine_looks.run_trials_at_looks`) simulates trials in blocks.
While a :func:`journal` is open (and, on the command line, once the command has run
:data:`KEEP_AFTER_SECONDS`), each finished block is written to the cache folder under a
key: a hash of everything its kernel reads (the design's arrays and sizes, the seed, the
block's global trial indices, the per-trial effects and parameters, the analyses) and of the
code's version (:func:`designs.simulation.numba_cache.code_version`). Every trial depends only
on (seed, global trial index), so a key always names the same numbers, whatever the threads
or blocks: a block read back is, bit for bit, the block the kernel would have written.

A command that ends normally removes the blocks it wrote or read; what an interrupted run
leaves is read by the next run of the same command (or by any run that simulates the same
trials), and removed after :data:`KEEP_DAYS` days if never read. Outside a journal (the
library, the tests, the explorer) nothing is written. A folder that cannot be written only
turns the journal off: a journal never fails a run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["Journal", "active", "call_key", "columns", "journal", "pack", "unpack"]

#: Days a block no run has read stays in the cache folder.
KEEP_DAYS = 7
#: Seconds a command runs before its blocks are kept (the command line's setting): a run
#: interrupted sooner starts over, and a short run, such as the warm main job (4 s), writes
#: nothing (keeping its 88,000 trials cost it 1.2% of its time, measured).
KEEP_AFTER_SECONDS = 5.0
_SUFFIX = ".npy"


class Journal:
    """The blocks one command writes and reads, in ``folder``.

    Attributes
    ----------
    written : int
        Trials this command simulated and kept.
    read : int
        Trials read back that an earlier run kept (an interrupted run: this one resumes).
    reused : int
        Trials read back that this command kept itself (it simulates some trials twice).
    """

    def __init__(self, folder: Path, keep_after: float = 0.0) -> None:
        self.folder = folder
        self.keep_after = keep_after
        self._started = time.monotonic()
        self.written = 0
        self.read = 0
        self.reused = 0
        self._touched: set[Path] = set()
        self._written: set[Path] = set()
        self._usable = True

    def _path(self, call: str, start: int, stop: int) -> Path:
        return self.folder / f"{call}-{start}-{stop}{_SUFFIX}"

    def load(self, call: str, start: int, stop: int, columns: int) -> np.ndarray | None:
        """The block of trials ``start`` .. ``stop - 1`` (global indices) of the call, as
        float64[stop - start, columns], or None when it is not kept (or is damaged)."""
        path = self._path(call, start, stop)
        try:
            block = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None
        if block.dtype != np.float64 or block.shape != (stop - start, columns):
            return None
        self._touched.add(path)
        if path in self._written:
            self.reused += stop - start
        else:
            self.read += stop - start
        return block

    def keeping(self) -> bool:
        """Whether a block finished now is kept: the folder is usable and the command has
        run ``keep_after`` seconds."""
        return self._usable and time.monotonic() - self._started >= self.keep_after

    def save(self, call: str, start: int, stop: int, block: np.ndarray) -> None:
        """Keep a finished block (a temporary file, then a rename: never half a block)."""
        if not self.keeping():
            return
        path = self._path(call, start, stop)
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".block-", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                np.save(handle, np.ascontiguousarray(block, dtype=np.float64))
            os.replace(tmp, path)
            tmp = None
        except OSError:  # a read-only or full cache folder: run on without resume, and
            self._usable = False  # give back the space its blocks took (the outputs need it)
            self.remove()
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        if self._usable:
            self._touched.add(path)
            self._written.add(path)
            self.written += stop - start

    def remove(self) -> None:
        """Remove every block this command wrote or read (it finished: nothing to resume)."""
        for path in self._touched:
            try:
                path.unlink()
            except OSError:
                pass
        self._touched.clear()

    def prune(self, days: float = KEEP_DAYS) -> None:
        """Remove blocks (and temporary files) older than ``days`` that no run has read."""
        cutoff = time.time() - days * 86_400.0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass


_ACTIVE: list[Journal] = []


def default_folder() -> Path:
    """``resume`` in the tool's cache folder (:func:`progression.cache_dirs.cache_root`)."""
    from progression.cache_dirs import cache_root

    return cache_root() / "resume"


def active() -> Journal | None:
    """The open journal, or None (the engine then keeps nothing)."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def journal(folder: Path | None = None, keep_after: float = 0.0) -> Iterator[Journal]:
    """Keep the finished blocks of every simulation in the body (those finished once it has
    run ``keep_after`` seconds); remove them when the body ends normally, keep them when it
    raises (an interrupt, an error): a rerun resumes.

    ``folder`` defaults to :func:`default_folder`.
    """
    kept = Journal(Path(default_folder() if folder is None else folder), keep_after)
    kept.prune()
    _ACTIVE.append(kept)
    try:
        yield kept
        kept.remove()  # not reached when the body raises: its blocks stay for the rerun
    finally:
        _ACTIVE.remove(kept)


def call_key(*parts) -> str:
    """A hex key for one engine call: the hash of the code's version and ``parts`` (arrays
    by dtype, shape and bytes; other values by their ``repr``)."""
    from designs.simulation.numba_cache import code_version

    digest = hashlib.blake2b(digest_size=16)
    digest.update(code_version().encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            part = np.ascontiguousarray(part)
            digest.update(f"array {part.dtype.str} {part.shape}".encode())
            digest.update(part.tobytes())
        else:
            digest.update(f"value {type(part).__name__} {part!r}".encode())
        digest.update(b"|")
    return digest.hexdigest()


def pack(*parts: np.ndarray) -> np.ndarray:
    """One block's arrays (trials on the first axis) side by side, as float64[trials, columns]."""
    return np.concatenate([p.reshape(p.shape[0], -1) for p in parts], axis=1)


def unpack(block: np.ndarray, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """The arrays :func:`pack` put side by side, given their shapes."""
    out, at = [], 0
    for shape in shapes:
        width = int(np.prod(shape[1:], dtype=np.int64))
        out.append(block[:, at : at + width].reshape(shape))
        at += width
    return out


def columns(*shapes: tuple[int, ...]) -> int:
    """Columns of a packed block of arrays of these shapes."""
    return sum(int(np.prod(shape[1:], dtype=np.int64)) for shape in shapes)
