"""Write output files atomically: a temporary file in the same folder, then a rename.

An interrupted or failed write leaves no half-written file behind, and a reader never sees
one. A folder that cannot be written is reported as bad input naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from designs.errors import InputError
from progression.netcdf_bytes import netcdf_bytes
from progression.signals import signals_held


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Bytes a file name given as an output may have: the file system's limit (255 on Linux)
#: less room for the names written beside it (``.NAME.XXXXXXXX.part``, ``NAME.cells``,
#: a report's ``.NAME.report-PID-XXXXXXXX``).
NAME_ROOM = 40


def check_writable(
    path: str | Path,
    option: str = "--out",
    *,
    inputs: Sequence[tuple[str, str | Path | None]] = (),
    is_earlier_output: Callable[[Path], bool] | None = None,
    what: str = "output of this command",
    force: bool = False,
) -> Path:
    """Return ``path`` as a Path if it may be written: nothing of the user's is lost.

    Nothing is created here (a refusal later leaves no folder behind): the folder is
    created when the file is written (:func:`atomic_path`). Refused, each with one line
    naming ``option``: a file name too long for the file system; a folder that cannot be
    made or written; a path that exists and is not a regular file (a folder, a device such
    as ``/dev/null``, a FIFO: writing would replace it with a file); a path that is one of
    the command's ``inputs`` (``(option, path)`` pairs); and, when ``is_earlier_output`` is
    given, an existing file it does not recognise as an earlier output of the same kind,
    unless ``force``.
    """
    path = Path(path)
    check_folder_can_be_made(path.parent, option, path)
    check_name_length(path, option)
    check_not_cached_fit(path, option)
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name")
    if not (path.exists() or path.is_symlink()):
        return path
    if path.is_symlink() and not path.exists():  # (a security review: called a device)
        raise InputError(
            f"{option} {path}: is a link to {os.readlink(path)}, which does not "
            "exist; give another file name"
        )
    if not path.is_file():
        raise InputError(
            f"{option} {path}: exists and is not a regular file (a device, FIFO or socket "
            "would be replaced); give another file name"
        )
    for name, given in inputs:
        if given is not None and Path(given).is_file() and os.path.samefile(path, given):
            raise InputError(
                f"{option} {path}: is also this command's input ({name}); writing would "
                "destroy it, choose another file"
            )
    if is_earlier_output is not None and not force and not is_earlier_output(path):
        raise InputError(
            f"{option} {path}: exists and is not an earlier {what}; give --force to replace it"
        )
    return path


def check_not_cached_fit(path: Path, option: str) -> None:
    """Refuse a path in the tool's cache of phase 2 fits: a command that is given no
    ``--posterior`` reads its posterior there (a review: ``sample-size --out`` on that file
    with ``--force`` replaced the posterior the command had just read)."""
    from progression.cache_dirs import cache_root

    fits = cache_root() / "posterior"
    if path.resolve().is_relative_to(fits.resolve()):
        raise InputError(
            f"{option} {path}: is in the tool's cache of phase 2 fits ({fits}), which the "
            "commands read as their input; choose another file"
        )


def check_name_length(path: Path, option: str) -> None:
    """Refuse a file name longer than the file system allows, less :data:`NAME_ROOM`."""
    most = _name_max(path.parent) - NAME_ROOM
    size = len(os.fsencode(path.name))
    if size > most:
        raise InputError(
            f"{option} {str(path)[:60]}...: file name of {size} bytes; at most {most} allowed"
        )


def _name_max(folder: Path) -> int:
    for where in (folder, *folder.parents):
        try:
            return int(os.pathconf(where if str(where) else ".", "PC_NAME_MAX"))
        except (OSError, ValueError):
            continue
    return 255


def check_folder_can_be_made(folder: Path, option: str, shown: Path) -> None:
    """Check, without creating anything, that ``folder`` exists and can be written, or can be
    created: its nearest existing ancestor is a writable folder (tried with an unnamed
    temporary file, so that special file systems such as /proc are caught)."""
    folder = folder if str(folder) else Path(".")
    for part in (folder, *folder.parents):
        if part.exists() or part.is_symlink():
            break
    else:  # pragma: no cover - "/" or "." always exists
        part = Path(".")
    if not part.is_dir():
        raise InputError(f"{option} {shown}: cannot create folder {folder} ({part} is a file)")
    try:
        with tempfile.TemporaryFile(dir=part):
            pass
    except OSError as exc:
        # an existing folder that says "No such file or directory" (/proc: a pipeline
        # author's review) is a file system where files cannot be created
        why = (
            "files cannot be created on its file system"
            if exc.errno in (errno.ENOENT, errno.EOPNOTSUPP)
            else exc.strerror or str(exc)
        )
        raise InputError(f"{option} {shown}: folder {part} is not writable ({why})") from None


def make_writable_folder(folder: Path, option: str, shown: Path) -> Path:
    """Create ``folder`` if needed and check it can be written; errors name ``option`` and
    the path the user gave (``shown``)."""
    folder = folder if str(folder) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{option} {shown}: cannot create folder {folder} ({exc.strerror})"
        ) from None
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option} {shown}: folder {folder} is not writable")
    return folder


def text_mentions(marker: str, *, first_line: bool = False) -> Callable[[Path], bool]:
    """A recogniser for :func:`check_writable`: the file's text (or first line) has ``marker``."""

    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as f:
                head = f.readline() if first_line else f.read(1 << 20)
        except OSError:
            return False
        return marker.encode() in head

    return recognise


@contextlib.contextmanager
def atomic_path(path: str | Path, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds."""
    with atomic_paths([path], option) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_paths(
    paths: Sequence[str | Path], option: str | Sequence[str] = "--out"
) -> Iterator[list[Path]]:
    """Yield a temporary path beside each of ``paths``; if the block succeeds, rename them all
    onto ``paths`` with Ctrl-C and SIGTERM held until the last rename (a file and its sidecar
    never disagree); otherwise none is written. ``option``: the option that named the paths
    (one for all, or one per path), for messages."""
    options = [option] * len(paths) if isinstance(option, str) else list(option)
    targets = [check_writable(p, o) for p, o in zip(paths, options, strict=True)]
    tmps: list[Path] = []
    current = targets[0]  # the file an OSError is about, unless it names its own
    try:
        for current, opt in zip(targets, options, strict=True):
            make_writable_folder(current.parent, opt, current)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{current.name}.", suffix=".part", dir=current.parent
            )
            os.close(fd)
            tmps.append(Path(tmp))
        current = targets[0]
        yield tmps
        with signals_held():
            for tmp, current in zip(tmps, targets, strict=True):
                os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
                os.replace(tmp, current)
    except OSError as exc:  # e.g. a full disk: name the file the user asked for
        named = dict(zip(map(str, tmps), targets, strict=False)).get(str(exc.filename), current)
        if exc.filename is None and len(set(options)) > 1:  # which option's output failed?
            # (an operations review: the table was blamed where the figure did not fit; a
            # file and its sidecar, named by one option, are named by the file)
            named = " or ".join(map(str, targets))
        raise OSError(exc.errno, exc.strerror or str(exc), str(named)) from None
    finally:
        for tmp in tmps:
            if tmp.exists():
                tmp.unlink()


def atomic_write_text(path: str | Path, text: str, option: str = "--out") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path, option) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_netcdf(data, path: str | Path) -> None:
    """Write an xarray Dataset or DataTree to ``path`` as netCDF-4 (h5netcdf), built in
    memory first (:mod:`progression.netcdf_bytes`: no h5py crash on a full disk)."""
    Path(path).write_bytes(netcdf_bytes(data))
