"""One sweep at a time per output file: an advisory lock beside ``OUT``.

Two runs of ``sweep`` to the same ``--out`` would share the folder of finished cells, and the
second would report "resumed" while the first is still writing. The first run holds an
exclusive ``flock`` on ``OUT.lock`` for as long as it runs; a second run is refused at once
with one line. The kernel releases the lock when the process ends, however it ends (SIGKILL
included), so a stale lock never blocks a later run.
"""

from __future__ import annotations

import os
from pathlib import Path

from designs.atomic import make_writable_folder
from designs.errors import InputError


def lock_path(out_path: str | Path) -> Path:
    """The lock file of a sweep written to ``out_path``: ``OUT.lock``."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.name + ".lock")


def _check_not_users(path: Path, option: str, out_path) -> None:
    """Refuse a ``path`` that is not a sweep's lock: a symbolic link, anything but a file, or
    a file holding anything but a process id (a sweep review: a user's ``OUT.lock`` of notes
    was emptied and removed, and a link's target overwritten by the process id)."""
    if not (path.exists() or path.is_symlink()):
        return
    text = None
    if path.is_file() and not path.is_symlink():
        try:
            # NUL bytes: a lock written just before a crash can come back zero-filled
            text = path.read_bytes()[:64].decode("ascii").strip("\x00 \t\r\n")
        except (OSError, UnicodeDecodeError):
            text = None
    if text is None or not (text == "" or text.isdigit()):
        raise InputError(
            f"{option} {out_path}: {path.name} beside it exists and is not a sweep's lock (a "
            "sweep writes its process id there and removes it at the end); move it away or "
            "choose another output"
        )


class OutputLock:
    """An exclusive lock on ``OUT.lock``, taken on creation; :meth:`release` removes it."""

    def __init__(self, out_path: str | Path, option: str = "--out") -> None:
        try:
            # imported here, before anything is made: a platform without POSIX file locks
            # (Windows) can still run every command that writes no sweep file, report among
            # them (a portability review: report stopped at import)
            import fcntl
        except ImportError:
            raise InputError(
                f"{option} {out_path}: writing a sweep file needs POSIX file locks, which this "
                "platform lacks; run it under Linux, macOS or WSL"
            ) from None
        self.path = lock_path(out_path)
        # the folders made here, deepest first: removed again when the sweep is refused before
        # any work (a review: an unreachable --scheduler left newdir/sub/ behind)
        parent = self.path.parent
        self._made = [p for p in (parent, *parent.parents) if not p.exists()]
        # the inputs are checked by now: the output's folder may be made (as the sweep will)
        make_writable_folder(self.path.parent, option, Path(out_path))
        _check_not_users(self.path, option, out_path)
        try:
            # O_NOFOLLOW: a symbolic link there is not followed to a user's file (a review)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        except OSError as exc:
            raise InputError(
                f"{option} {out_path}: cannot create {self.path} ({exc.strerror})"
            ) from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self._fd)
            self._fd = None
            raise InputError(
                f"{option} {out_path}: another sweep (process {holder}) is writing it; wait for "
                "it to finish or choose another output"
            ) from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)

    def release(self, *, undo_folders: bool = False) -> None:
        """Remove the lock file and release the lock (idempotent); with ``undo_folders``
        also the folders the lock made, where empty (nothing was written)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
        for folder in self._made if undo_folders else ():
            try:
                folder.rmdir()
            except OSError:
                break  # not empty (or not ours to remove): leave it and its parents

    def __del__(self) -> None:  # an exception left run_sweep: free the lock, keep the file
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None
