"""The Numba cache folder (designs.simulation.numba_cache) follows the kernel sources
(a stale kernel would give old numbers)."""

import os
import stat
import tempfile

import numba
import pytest

from designs.simulation import numba_cache


def test_cache_dir_is_named_after_the_sources():
    assert numba.config.CACHE_DIR.endswith(f"src-{numba_cache.sources_hash()}")


def _copy_of_the_sources(tmp_path, monkeypatch):
    """A copy of designs/ and benchmarks/ that ``sources_hash`` reads instead of ours."""
    import shutil
    from pathlib import Path

    package = Path(numba_cache.__file__).resolve().parents[1]
    copies = []
    for folder in (package, package.parent / "benchmarks"):
        copy = tmp_path / folder.name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(copy)
    monkeypatch.setattr(numba_cache, "_SOURCES", tuple(copies))
    return tmp_path


def _edit(path) -> None:
    path.write_text(path.read_text() + "\n# an edit\n")


#: Files a kernel reads: a kernel's own file, a module it inlines from (the REML fit in a
#: sub-package, the generator), modules whose constants it reads (no Numba there), the
#: benchmark's kernel.
KERNEL_FILES = (
    "designs/simulation/kernels.py",
    "designs/analyses/reml/fit.py",
    "designs/simulation/rng.py",
    "designs/simulation/layout.py",
    "designs/analyses/results.py",
    "benchmarks/bench.py",
)
#: Planning, outputs, the command line, the browser page and the engine's Python
#: orchestration: no compiled code.
ABOVE_THE_KERNELS = (
    "designs/planning/power.py",
    "designs/planning/sample_size.py",
    "designs/outputs/console.py",
    "designs/cli/main.py",
    "designs/explorer/views.py",
    "designs/spec/trial.py",
    "designs/simulation/engine.py",
    "designs/simulation/inputs.py",
)


def test_the_key_covers_the_kernels_and_what_they_read_only():
    from designs.simulation.kernel_sources import kernel_sources

    root = numba_cache._PACKAGE.parent
    listed = {p.relative_to(root).as_posix() for p in kernel_sources(numba_cache._SOURCES)}
    assert set(KERNEL_FILES) <= listed, set(KERNEL_FILES) - listed
    assert not set(ABOVE_THE_KERNELS) & listed, set(ABOVE_THE_KERNELS) & listed


def test_a_kernel_edit_changes_the_hash_and_an_edit_above_keeps_it(tmp_path, monkeypatch):
    """An edit of the planning layer costs no recompilation; one of a file a kernel reads
    (here the layout's slots, which hold no Numba code) compiles afresh."""
    root = _copy_of_the_sources(tmp_path, monkeypatch)
    before = numba_cache.sources_hash()
    for name in ABOVE_THE_KERNELS:
        _edit(root / name)
    assert numba_cache.sources_hash() == before
    _edit(root / "designs/simulation/layout.py")
    assert numba_cache.sources_hash() != before


def test_a_new_kernel_module_enters_the_hash(tmp_path, monkeypatch):
    """A module that starts compiling code, and the module whose names its kernel reads,
    count from then on; a helper used only by plain Python code does not."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "consts.py").write_text("SLOT = 1\n")
    (tmp_path / "pkg" / "driver.py").write_text("def go():\n    return 1\n")
    kernel = tmp_path / "pkg" / "kern.py"
    kernel.write_text(
        "from numba import njit\n"
        "from pkg.consts import SLOT\n"
        "from pkg.driver import go\n\n"
        "@njit(cache=True)\n"
        "def k(x):\n    return x[SLOT]\n\n"
        "def run(x):\n    return go() + k(x)\n"
    )
    monkeypatch.setattr(numba_cache, "_SOURCES", (tmp_path / "pkg",))
    before = numba_cache.sources_hash()
    _edit(tmp_path / "pkg" / "driver.py")
    assert numba_cache.sources_hash() == before
    (tmp_path / "pkg" / "consts.py").write_text("SLOT = 2\n")
    assert numba_cache.sources_hash() != before


def test_the_memo_gives_the_answer_of_a_fresh_look_up(tmp_path, monkeypatch):
    """The memo is keyed by every source: after an edit it cannot return the old key, and a
    damaged memo is ignored."""
    import json

    root = _copy_of_the_sources(tmp_path / "src", monkeypatch)
    memo = tmp_path / "memo.json"
    fresh = numba_cache.sources_hash(memo)  # looked up and written
    assert list(json.loads(memo.read_text()).values()) == [fresh]
    assert numba_cache.sources_hash(memo) == fresh  # read
    _edit(root / "designs/simulation/kernels.py")
    edited = numba_cache.sources_hash(memo)
    assert edited != fresh
    memo.write_text("{not json")
    assert numba_cache.sources_hash(memo) == edited


def test_every_compiled_function_and_what_it_reads_is_hashed():
    """Independently of the source analysis: each jitted function of the loaded modules,
    and every module or function its code refers to by a global name, is in the hash."""
    import importlib
    import sys
    import types
    from pathlib import Path

    from numba.core.registry import CPUDispatcher

    from designs.simulation.kernel_sources import kernel_sources

    for name in (
        "designs.simulation.kernels",
        "designs.simulation.looks",
        "designs.simulation.entries",
        "designs.sequential.observed",
        "benchmarks.bench",
    ):
        importlib.import_module(name)
    hashed = {p.resolve() for p in kernel_sources(numba_cache._SOURCES)}
    ours = ("designs", "benchmarks")

    def file_of(module_name: str) -> Path:
        return Path(sys.modules[module_name].__file__).resolve()

    def names(code) -> set[str]:
        found = set(code.co_names)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found |= names(const)
        return found

    checked = 0
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] not in ours:
            continue
        for value in vars(module).values():
            if not isinstance(value, CPUDispatcher) or value.py_func.__module__ != module_name:
                continue
            checked += 1
            assert file_of(module_name) in hashed, module_name
            for used in names(value.py_func.__code__):
                target = value.py_func.__globals__.get(used)
                if isinstance(target, types.ModuleType):
                    source = target.__name__
                elif isinstance(target, CPUDispatcher):
                    source = target.py_func.__module__
                else:
                    source = getattr(target, "__module__", None) or ""
                if source.split(".")[0] in ours:
                    assert file_of(source) in hashed, (module_name, used, source)
    assert checked > 20  # the engine's kernels were seen


@pytest.fixture
def fresh_private_root():
    """:func:`progression.cache_dirs.private_temp_root` found afresh (it is one per process)."""
    from progression.cache_dirs import private_temp_root

    private_temp_root.cache_clear()
    yield private_temp_root
    private_temp_root.cache_clear()


def test_unwritable_cache_falls_back_to_this_users_temporary_folder(
    tmp_path, monkeypatch, fresh_private_root
):
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the cache folder would go: cannot be created
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocker / "numba"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = numba.config.CACHE_DIR
    try:
        path = numba_cache.use_versioned_cache()
        assert path.is_dir() and path.parent.name == "numba"
        assert path.parent.parent == tmp_path / f"als-trial-sim-{os.getuid()}"
    finally:
        numba.config.CACHE_DIR = old


def test_the_temporary_fallback_is_private(tmp_path, monkeypatch, fresh_private_root, capsys):
    """An installation review: the fallback was one fixed folder in the shared temporary
    folder for every user, used even where anyone could write to it (Numba's cache files are
    pickles). This user's folder is made readable by its owner only; one that others can
    write to is not used (a fresh private folder instead)."""
    private_temp_root = fresh_private_root
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    own = private_temp_root()
    assert own == tmp_path / f"als-trial-sim-{os.getuid()}"
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert private_temp_root() is own  # one per process
    own.chmod(0o777)  # as if another process (or user) had opened it to everyone
    private_temp_root.cache_clear()  # a new process
    fresh = private_temp_root()
    assert fresh != own and fresh.parent == tmp_path and fresh.name.startswith("als-trial-sim-")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert private_temp_root() is fresh  # one fresh folder per process, not one per use
    assert f"so the compiled code goes to {fresh}" in capsys.readouterr().err


def test_an_unusable_cache_asked_for_is_said(tmp_path, monkeypatch, fresh_private_root, capsys):
    """A file-safety review: ALS_TRIAL_SIM_CACHE set to a regular file was ignored without
    a word (the caches went to the temporary folder). Said once, with where they go."""
    from progression import cache_dirs

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(blocker))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(cache_dirs, "_unusable_said", set())
    for name in ("numba/src-1", "pytensor/2"):
        got = cache_dirs.writable_cache(cache_dirs.cache_root() / name, name)
        assert got == tmp_path / f"als-trial-sim-{os.getuid()}" / name
    err = capsys.readouterr().err
    assert err.count(f"note: ALS_TRIAL_SIM_CACHE={blocker} cannot hold the cache (") == 1
    assert f"the tool's caches go to {tmp_path / f'als-trial-sim-{os.getuid()}'} instead" in err
    # a folder elsewhere (NUMBA_CACHE_DIR's) that cannot be written is not blamed on it
    usable = tmp_path / "usable"
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(usable))
    cache_dirs.writable_cache(blocker / "numba" / "src-2", "numba/src-2")
    assert "ALS_TRIAL_SIM_CACHE" not in capsys.readouterr().err


def test_class_bodies_and_kernels_compiled_inside_functions_count(tmp_path):
    """A class attribute a kernel may read, and a kernel compiled inside a plain function,
    take their modules into the key; a plain function's own imports do not."""
    from designs.simulation.kernel_sources import kernel_sources

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for name in ("__init__", "a", "b", "c"):
        (pkg / f"{name}.py").write_text("X = 1\n")
    (pkg / "kern.py").write_text(
        "import numba\n"
        "from pkg.a import X\n"
        "from pkg.b import X as Y\n"
        "from pkg.c import X as Z\n\n"
        "class Slots:\n    FIRST = X\n\n"
        "def factory():\n"
        "    @numba.njit\n"
        "    def inner():\n        return Y\n"
        "    return inner\n\n"
        "def plain():\n    return Z\n"
    )
    listed = {p.name for p in kernel_sources((pkg,))}
    assert listed == {"__init__.py", "kern.py", "a.py", "b.py"}


def test_module_level_calls_and_aliased_decorators_count(tmp_path):
    """A table built at import by a plain function (``TABLE = _table()``) that reads another
    module, and a decorator imported under another name (``from numba import njit as fast``),
    take their modules into the key (both were once missed); a plain function nothing at
    import calls still does not."""
    from designs.simulation.kernel_sources import kernel_sources

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for name in ("__init__", "a", "b", "c"):
        (pkg / f"{name}.py").write_text("X = 1\n")
    (pkg / "tables.py").write_text(
        "import numba\n"
        "from pkg.a import X\n"
        "from pkg.c import X as Z\n\n"
        "def _inner():\n    return X\n\n"
        "def _table():\n    return _inner() + 1\n\n"
        "def unused():\n    return Z\n\n"
        "TABLE = _table()\n\n"
        "@numba.njit\n"
        "def kernel():\n    return TABLE\n"
    )
    (pkg / "aliased.py").write_text(
        "from numba import njit as fast\nfrom pkg.b import X\n\n@fast\ndef k():\n    return X\n"
    )
    listed = {p.name for p in kernel_sources((pkg,))}
    assert listed == {"__init__.py", "tables.py", "aliased.py", "a.py", "b.py"}


def test_a_fresh_private_folder_lasts_one_run(tmp_path):
    """A diff review: the note said "for this run only", and the fresh folder stayed. Run in
    a process of its own (the folder goes when the process exits), with this user's folder
    open to others, it is said on stderr and gone afterwards."""
    import subprocess
    import sys

    (tmp_path / f"als-trial-sim-{os.getuid()}").mkdir(mode=0o777)
    (tmp_path / f"als-trial-sim-{os.getuid()}").chmod(0o777)
    code = "from progression.cache_dirs import private_temp_root; print(private_temp_root())"
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        check=True,
    )
    fresh = run.stdout.strip()
    assert fresh.startswith(str(tmp_path / "als-trial-sim-")) and f"goes to {fresh}" in run.stderr
    assert not os.path.exists(fresh)


def test_a_cache_any_user_can_write_is_not_used(tmp_path, monkeypatch, fresh_private_root, capsys):
    """A security review: with the cache folder at mode 777 the tool loaded Numba's cache
    files (pickles) from it without a word. Now such a folder, or one in a folder any user
    can write (who could replace it), is left for the private one, said once; a folder its
    group can write (a umask of 002) and one in a sticky folder (the temporary folder's
    kind) are used."""
    from progression import cache_dirs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(cache_dirs, "_unusable_said", set())
    private = tmp_path / f"als-trial-sim-{os.getuid()}"
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    for name in ("numba/src-1", "numba/src-2"):
        assert cache_dirs.writable_cache(shared / name, name) == private / name
    err = capsys.readouterr().err
    assert err.count("can be written by any user (who could replace it), and compiled") == 2
    assert f"(the caches go to {private})" in err  # once per folder: two folders here
    cache_dirs.writable_cache(shared / "numba/src-1", "numba/src-1")
    assert capsys.readouterr().err == ""  # said once
    group = tmp_path / "group"
    group.mkdir()
    group.chmod(0o775)
    assert cache_dirs.writable_cache(group / "numba", "numba") == group / "numba"
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    assert cache_dirs.writable_cache(sticky / "numba", "numba") == sticky / "numba"
    assert capsys.readouterr().err == ""
    # the open folder named: here the one above the cache (a diff review: "chmod o-w it" was
    # said of the cache folder, mode 755, whose parent was the open one)
    inner = shared / "repo" / ".cache"
    inner.mkdir(parents=True)
    assert cache_dirs.writable_cache(inner / "numba", "numba/x") == private / "numba/x"
    err = capsys.readouterr().err
    assert f"note: {shared}, which holds the cache folder {inner / 'numba'}, can be" in err
    assert f"chmod o-w {shared}," in err
    itself = sticky / "open"  # in a sticky folder, but open itself: anyone adds files
    itself.mkdir()
    itself.chmod(0o777)
    assert cache_dirs.writable_cache(itself, "numba/z") == private / "numba/z"
    assert f"note: the cache folder {itself} can be written by any user, and" in (
        capsys.readouterr().err
    )
    # a link to a private folder, the link itself in an open folder: it could be replaced
    own = tmp_path / "own"
    own.mkdir()
    (shared / "link").symlink_to(own)
    got = cache_dirs.writable_cache(shared / "link" / "numba", "numba/y")
    assert got == private / "numba/y"
    # PyTensor's compiled modules too (a diff review: only Numba's cache was checked)
    monkeypatch.delenv("PYTENSOR_FLAGS", raising=False)
    monkeypatch.setattr(cache_dirs, "pytensor_cache", lambda: shared / "pytensor" / "9")
    cache_dirs.use_pytensor_cache()
    assert os.environ["PYTENSOR_FLAGS"] == f"base_compiledir={private / 'pytensor' / '9'}"
