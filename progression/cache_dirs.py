"""One place for the tool's caches (compiled kernels, compiled PyMC models, fitted posteriors),
whichever way it is started: ``make``, ``python simulate.py``, ``als-trial-sim`` or Python.

In a source checkout (the package sits beside ``pyproject.toml`` in a writable folder) the
caches live in ``<checkout>/.cache``; an installed package uses the user's cache folder
(``platformdirs``: ``~/.cache/als-trial-sim`` on Linux). ``ALS_TRIAL_SIM_CACHE`` overrides
both.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
import tempfile
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def cache_root() -> Path:
    """The folder that holds every cache of the tool."""
    env = os.environ.get("ALS_TRIAL_SIM_CACHE")
    if env:
        return Path(env)
    if (_CHECKOUT / "pyproject.toml").is_file() and os.access(_CHECKOUT, os.W_OK):
        return _CHECKOUT / ".cache"
    import platformdirs

    try:
        return Path(platformdirs.user_cache_dir("als-trial-sim"))
    except (RuntimeError, KeyError, OSError):
        # no home folder at all (HOME unset and a user id without a passwd entry, as in
        # containers run as an arbitrary user: a portability review found every command,
        # --help too, stopped at import); the private temporary folder instead
        return private_temp_root()


@functools.cache
def private_temp_root() -> Path:
    """A folder of this user's own in the system's temporary folder, for caches when
    :func:`cache_root` cannot be written (a read-only home or checkout):
    ``<tmp>/als-trial-sim-<uid>``, made readable by its owner only, and used only if this user
    owns it and nobody else can write to it; otherwise a fresh private folder
    (``tempfile.mkdtemp``, not kept between runs). An installation review: the fallback was
    one fixed ``<tmp>/als-trial-sim-numba`` for every user, so a second user whose home was
    read-only could not start the tool at all (the first user owned it), and a folder anyone
    could write was used for Numba's cache files, which are pickles. One per process (a diff
    review: Numba and PyTensor made one fresh folder each), and the fresh folder said once
    on stderr, since the kernels then compile on every run."""
    uid = os.getuid() if hasattr(os, "getuid") else -1
    folder = Path(tempfile.gettempdir()) / _kept_root_name()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
        own = uid < 0 or st.st_uid == uid
        if stat.S_ISDIR(st.st_mode) and own and not st.st_mode & 0o022:
            if os.access(folder, os.W_OK):
                return folder
    except OSError:
        pass
    fresh = Path(tempfile.mkdtemp(prefix="als-trial-sim-"))
    import atexit
    import shutil

    atexit.register(shutil.rmtree, fresh, ignore_errors=True)  # for this run only, as said
    print(
        f"note: the tool's cache folder cannot be written and {folder} is not this user's "
        f"alone, so the compiled code goes to {fresh}, for this run only (compiling again "
        "next time): set ALS_TRIAL_SIM_CACHE to a folder that can be written",
        file=sys.stderr,
    )
    return fresh


def writable_cache(folder: Path, name: str) -> Path:
    """``folder`` (created) if files can be written in it and not by any user (Numba's
    cache files are pickles, loaded as code: a security review ran the tool on a cache of
    mode 777 without a word), else ``name`` in :func:`private_temp_root`, said once. A
    folder its group can write is used (with a umask of 002 every user's own group can)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
        open_to_all = anyone_writes(folder)
    except OSError as exc:
        given = os.environ.get("ALS_TRIAL_SIM_CACHE")
        # asked for by the user: not in silence (a file-safety review: a regular file was
        # ignored); only for a folder under it (a diff review: NUMBA_CACHE_DIR's was blamed)
        if given and folder.is_relative_to(given):
            _say_once(
                given,
                f"note: ALS_TRIAL_SIM_CACHE={given} cannot hold the cache "
                f"({exc.strerror or exc}); the tool's caches go to {private_temp_root()} "
                "instead",
            )
        return _private_cache(name)
    if open_to_all is None:
        return folder
    # the folder that is open named (a diff review: "chmod o-w it" was said of a cache
    # folder whose parent was the open one)
    which = (
        f"the cache folder {folder} can be written by any user"
        if open_to_all == folder
        else f"{open_to_all}, which holds the cache folder {folder}, can be written by any "
        "user (who could replace it)"
    )
    _say_once(
        folder,
        f"note: {which}, and compiled code is loaded from it, so it is not used (the "
        f"caches go to {private_temp_root()}): chmod o-w {open_to_all}, or set "
        "ALS_TRIAL_SIM_CACHE (or NUMBA_CACHE_DIR, where set) to a folder of your own",
    )
    return _private_cache(name)


def _private_cache(name: str) -> Path:
    """``name`` in :func:`private_temp_root`, made."""
    fallback = private_temp_root() / name
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


_unusable_said: set[str] = set()


def anyone_writes(folder: Path) -> Path | None:
    """The folder any user can write among ``folder`` (where they could add files) and the
    folders above it, as given and with links resolved (where they could replace it), a
    sticky one above it excepted (the temporary folder's kind); None where there is none.
    Folders that do not exist yet are skipped."""
    if folder.exists() and folder.stat().st_mode & stat.S_IWOTH:
        return folder
    for above in dict.fromkeys([*folder.absolute().parents, *folder.resolve().parents]):
        try:
            mode = above.stat().st_mode
        except OSError:
            continue
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            return above
    return None


def _say_once(folder: Path | str, line: str) -> None:
    """``line`` on stderr, once per folder and process."""
    if str(folder) not in _unusable_said:
        _unusable_said.add(str(folder))
        print(line, file=sys.stderr)


def _kept_root_name() -> str:
    """The name of :func:`private_temp_root`'s folder kept between runs: one per user."""
    uid = os.getuid() if hasattr(os, "getuid") else -1
    return f"als-trial-sim-{uid}"


def private_root_kept() -> bool:
    """Whether :func:`private_temp_root` is the folder kept between runs
    (``<tmp>/als-trial-sim-<uid>``), not a fresh one for this run only."""
    return private_temp_root().name == _kept_root_name()


def pytensor_cache() -> Path:
    """PyTensor's cache folder (its ``base_compiledir``): compiled C modules, and the
    Numba functions of the models' graphs and of nutpie's callbacks
    (:mod:`progression.nutpie_compile`), one folder per PyTensor version: PyTensor keys its
    Numba functions by graph, not by its own version, so an upgrade starts afresh."""
    try:
        from importlib.metadata import version

        pytensor_version = version("pytensor")
    except ImportError:  # PackageNotFoundError is an ImportError: one folder for all
        pytensor_version = "unknown"
    return cache_root() / "pytensor" / pytensor_version


def use_pytensor_cache() -> None:
    """Point PyTensor's caches (:func:`pytensor_cache`) into :func:`cache_root`, or where that
    cannot be written into :func:`private_temp_root` (an installation review: a read-only
    home stopped ``fit`` with a traceback), unless the user set ``PYTENSOR_FLAGS``; must run
    before PyTensor is imported."""
    if "PYTENSOR_FLAGS" not in os.environ:
        folder = pytensor_cache()
        # checked without making it (PyTensor makes it on use); its compiled modules are
        # code too, so a folder any user can write is not used (a diff review)
        if not could_write(folder) or anyone_writes(folder) is not None:
            folder = writable_cache(folder, f"pytensor/{folder.name}")
        os.environ["PYTENSOR_FLAGS"] = f"base_compiledir={folder}"


def use_matplotlib_config() -> None:
    """Point Matplotlib's configuration and font cache (``MPLCONFIGDIR``) into
    :func:`cache_root` when its own folder (``$XDG_CONFIG_HOME/matplotlib`` or
    ``~/.config/matplotlib``) cannot be written, unless the user set ``MPLCONFIGDIR``: a
    portability review saw every figure-making run on a read-only home print Matplotlib's
    two-line warning about a temporary folder (and rebuild its font cache each time). Must
    run before Matplotlib is imported; nothing is made unless needed."""
    if "MPLCONFIGDIR" in os.environ:
        return
    try:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    except RuntimeError:  # no home folder at all
        base = ""
    if base and could_write(Path(base) / "matplotlib"):
        return
    os.environ["MPLCONFIGDIR"] = str(writable_cache(cache_root() / "matplotlib", "matplotlib"))


def could_write(folder: Path) -> bool:
    """Whether ``folder`` could be made and written: its nearest existing ancestor is a
    folder this process may write to (a read-only mount says no, even to root); nothing is
    made (a diff review: every command, ``--version`` too, made PyTensor's folder at import)."""
    for parent in (folder, *folder.parents):
        if parent.exists():
            return parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)
    return False


def tolerate_damaged_numba_cache() -> None:
    """Read a damaged file of Numba's on-disk cache (a truncated index ``.nbi`` or data
    ``.nbc``, an empty one) as a cache miss: the function compiles anew and the files are
    written again. A file-safety review: one truncated file gave a 36-line traceback
    (``UnpicklingError: pickle data was truncated``) on every run, for the tool's kernels and
    PyTensor's alike, until the user found the cache and deleted it. Numba treats a missing
    or stale file as a miss already, but not one it cannot unpickle. Said once on stderr.
    Idempotent."""
    from numba.core import caching

    files = caching.IndexDataCacheFile
    if getattr(files, "_als_tolerant", False):
        return

    def miss(read, empty):
        def tolerant(self, *args):
            try:
                return read(self, *args)
            except OSError:  # a file that cannot be read (not a damaged one): as before
                raise
            except Exception as exc:  # any pickle that cannot be read back is a miss
                if not _damage_said:
                    _damage_said.append(True)
                    print(
                        f"note: a damaged file of the compiled-code cache in "
                        f"{self._cache_path} was ignored ({type(exc).__name__}); its code "
                        "compiles anew (the simulation kernels take one to three minutes) and "
                        "the file is written again",
                        file=sys.stderr,
                    )
                return empty

        return tolerant

    files._load_index = miss(files._load_index, {})
    files._load_data = miss(files._load_data, None)
    files._als_tolerant = True


_damage_said: list[bool] = []
