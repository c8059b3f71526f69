"""Write output files atomically: a temporary file in the same folder, then a rename.

An interrupted or failed write leaves no half-written file behind, and a reader never sees
one. A folder that cannot be written is reported as bad input naming the path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from designs.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path: str | Path, option: str = "--out") -> Path:
    """Return ``path`` as a Path if its folder exists (or can be made) and is writable."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{option} {path}: cannot create folder {folder} ({exc.strerror})"
        ) from None
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option} {path}: folder {folder} is not writable")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds."""
    path = check_writable(path, option)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_text(path: str | Path, text: str, option: str = "--out") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path, option) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
