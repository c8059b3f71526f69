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

A command that ends, normally or by an error, removes the blocks it wrote or read; what an
interrupted run leaves is read by the next run of the same command (or by any run that
simulates the same trials), and removed by a later run once neither written nor read for
:data:`KEEP_DAYS` days. Outside a journal (the library, the tests, the explorer) nothing is
written. A folder that cannot be written only turns the journal off: a journal never fails a
run.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["Journal", "active", "call_key", "journal"]

#: Days a block neither written nor read stays in the cache folder.
KEEP_DAYS = 7
#: Seconds a command runs before its blocks are kept (the command line's setting): a run
#: interrupted sooner starts over, and a short run, such as the warm main job (4 s), writes
#: nothing (keeping its 88,000 trials cost it 1.2% of its time, measured).
KEEP_AFTER_SECONDS = 5.0
_SUFFIX = ".block"
#: The names of the files a journal writes: blocks (``<call key>-<start>-<stop>.block``, the
#: key 32 hex digits) and their temporary files while written (``.block-*.tmp``).
_OWN = re.compile(r"[0-9a-f]{32}-\d+-\d+\.block|\.block-[A-Za-z0-9_]+\.tmp")
#: Each block file begins with this many bytes of a hash of its numbers, then the array
#: (NumPy's .npy format): a damaged file (zeros after a crash, a disk error) is not read.
_DIGEST_SIZE = 16


def _digest(block: np.ndarray) -> bytes:
    """The hash a block file begins with: its shape and numbers."""
    digest = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    digest.update(repr(block.shape).encode())
    digest.update(np.ascontiguousarray(block))  # its buffer, without a copy
    return digest.digest()


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

    def load(self, call: str, start: int, stop: int, shapes) -> list[np.ndarray] | None:
        """The arrays of shapes ``shapes`` (trials on the first axis) that :meth:`save` kept
        for trials ``start`` .. ``stop - 1`` (global indices) of the call, or None when they
        are not kept (or are damaged)."""
        columns = _columns(shapes)
        path = self._path(call, start, stop)
        try:
            with open(path, "rb") as handle:
                digest = handle.read(_DIGEST_SIZE)
                block = np.load(handle, allow_pickle=False)
            os.utime(path)  # read now: kept KEEP_DAYS from now
        except (OSError, ValueError, EOFError):
            return None
        if block.dtype != np.float64 or block.shape != (stop - start, columns):
            return None
        if _digest(block) != digest:  # damaged (a crash of the machine, a disk error)
            return None
        self._touched.add(path)
        if path in self._written:
            self.reused += stop - start
        else:
            self.read += stop - start
        return _unpack(block, shapes)

    def keeping(self) -> bool:
        """Whether a block finished now is kept: the folder is usable and the command has
        run ``keep_after`` seconds."""
        return self._usable and time.monotonic() - self._started >= self.keep_after

    def save(self, call: str, start: int, stop: int, *parts: np.ndarray) -> None:
        """Keep a finished block's arrays (trials on the first axis) side by side, in a
        temporary file, then renamed: never half a block."""
        if not self.keeping():
            return
        path = self._path(call, start, stop)
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".block-", suffix=".tmp", dir=self.folder)
            block = np.concatenate([p.reshape(p.shape[0], -1) for p in parts], axis=1)
            block = np.ascontiguousarray(block, dtype=np.float64)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_digest(block))
                np.save(handle, block)
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

    def holds(self) -> bool:
        """Whether blocks of this command are on disk now (written or read, not removed)."""
        return bool(self._touched)

    def remove(self) -> None:
        """Remove every block this command wrote or read (it finished: nothing to resume)."""
        for path in self._touched:
            try:
                path.unlink()
            except OSError:
                pass
        self._touched.clear()

    def prune(self, days: float = KEEP_DAYS) -> None:
        """Remove blocks (and temporary files) neither written nor read for ``days``: the
        tool's own files only, by their names (:data:`_OWN`; a resume audit: every file older
        than 7 days in the folder ``ALS_TRIAL_SIM_RESUME`` names went, a user's design and
        data among them when it named a project folder)."""
        cutoff = time.time() - days * 86_400.0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            try:
                own = _OWN.fullmatch(entry.name)
                if own and entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass


_ACTIVE: list[Journal] = []


def default_folder() -> Path:
    """``ALS_TRIAL_SIM_RESUME`` if set, else ``resume`` in the tool's cache folder
    (:func:`progression.cache_dirs.cache_root`)."""
    env = os.environ.get("ALS_TRIAL_SIM_RESUME")
    if env:
        return Path(env)
    from progression.cache_dirs import cache_root

    return cache_root() / "resume"


def active() -> Journal | None:
    """The open journal, or None (the engine then keeps nothing)."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def journal(folder: Path | None = None, keep_after: float = 0.0) -> Iterator[Journal]:
    """Keep the finished blocks of every simulation in the body (those finished once it has
    run ``keep_after`` seconds) while it runs; when it is interrupted (KeyboardInterrupt, as
    Ctrl-C and SIGTERM raise on the command line) they stay, and a rerun resumes; when it
    ends otherwise, normally or by an error, they are removed (a review: after a full disk
    they stayed, up to hundreds of MB).

    ``folder`` defaults to :func:`default_folder`.
    """
    kept = Journal(Path(default_folder() if folder is None else folder), keep_after)
    kept.prune()
    _ACTIVE.append(kept)
    try:
        yield kept
    except KeyboardInterrupt:
        raise
    except BaseException:
        kept.remove()
        raise
    else:
        kept.remove()
    finally:
        _ACTIVE.remove(kept)


def call_key(*parts) -> str:
    """A hex key for one engine call: the hash of the code's version, the compiler's and
    NumPy's (a shared or upgraded cache) and ``parts`` (arrays by dtype, shape and bytes;
    other values by their ``repr``)."""
    import numba

    from designs.simulation.numba_cache import code_version

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{code_version()} numba {numba.__version__} numpy {np.__version__}".encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            part = np.ascontiguousarray(part)
            digest.update(f"array {part.dtype.str} {part.shape}".encode())
            digest.update(part)
        else:
            digest.update(f"value {type(part).__name__} {part!r}".encode())
        digest.update(b"|")
    return digest.hexdigest()


def _unpack(block: np.ndarray, shapes) -> list[np.ndarray]:
    """The arrays :meth:`Journal.save` put side by side, given their shapes."""
    out, at = [], 0
    for shape in shapes:
        width = int(np.prod(shape[1:], dtype=np.int64))
        out.append(block[:, at : at + width].reshape(shape))
        at += width
    return out


def _columns(shapes) -> int:
    """Columns of a block of arrays of these shapes put side by side."""
    return sum(int(np.prod(shape[1:], dtype=np.int64)) for shape in shapes)
