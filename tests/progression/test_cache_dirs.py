"""Where the caches go when the tool's cache folder cannot be written
(progression.cache_dirs; an installation review: a read-only home stopped ``fit`` and
``assurance`` with PyTensor's traceback)."""

import os
import tempfile

import pytest

from progression import cache_dirs


@pytest.fixture(autouse=True)
def fresh_private_root():
    """The private folder found afresh in each test (it is one per process)."""
    cache_dirs.private_temp_root.cache_clear()
    yield
    cache_dirs.private_temp_root.cache_clear()


def test_pytensor_compiles_in_this_users_temporary_folder_when_the_cache_is_read_only(
    tmp_path, monkeypatch
):
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the cache folder would go: cannot be created
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(blocker / "cache"))
    monkeypatch.delenv("PYTENSOR_FLAGS", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    cache_dirs.use_pytensor_cache()
    flags = os.environ["PYTENSOR_FLAGS"]
    private = tmp_path / "tmp" / f"als-trial-sim-{os.getuid()}" / "pytensor"
    assert flags == f"base_compiledir={private / cache_dirs.pytensor_cache().name}"
    assert (private / cache_dirs.pytensor_cache().name).is_dir()


def test_a_writable_cache_is_used_and_a_users_flags_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("PYTENSOR_FLAGS", raising=False)
    cache_dirs.use_pytensor_cache()
    assert os.environ["PYTENSOR_FLAGS"] == f"base_compiledir={cache_dirs.pytensor_cache()}"
    assert str(cache_dirs.pytensor_cache()).startswith(str(tmp_path / "cache"))
    monkeypatch.setenv("PYTENSOR_FLAGS", "floatX=float32")
    cache_dirs.use_pytensor_cache()
    assert os.environ["PYTENSOR_FLAGS"] == "floatX=float32"


def test_a_damaged_compiled_code_file_is_a_cache_miss(tmp_path, capsys):
    """A file-safety review: one truncated file of Numba's cache (the engine's ``.nbc``, or
    PyTensor's) gave a traceback on every run until the user deleted the cache. Numba's own
    cache file class, as the tool runs it: a truncated data file, an empty or truncated index
    read as a miss (compiled anew and written again), said once on stderr; an intact one
    still loads."""
    from numba.core.caching import IndexDataCacheFile

    import designs  # noqa: F401 - installs the tolerance, as every command does
    from progression import cache_dirs

    cache_dirs._damage_said.clear()
    files = IndexDataCacheFile(str(tmp_path), "kernel-1", source_stamp=(1.0, 2))
    files.save(("sig",), {"code": b"x" * 4000})
    assert files.load(("sig",)) == {"code": b"x" * 4000}
    (data,) = tmp_path.glob("*.nbc")
    data.write_bytes(data.read_bytes()[:1000])
    assert files.load(("sig",)) is None  # a miss: Numba compiles and saves again
    files.save(("sig",), {"code": b"y"})
    assert files.load(("sig",)) == {"code": b"y"}
    (index,) = tmp_path.glob("*.nbi")
    whole = index.read_bytes()
    for damaged in (b"", whole[: len(whole) // 2]):
        index.write_bytes(damaged)
        assert files._load_index() == {} and files.load(("sig",)) is None
    err = capsys.readouterr().err
    assert err.count("note: a damaged file of the compiled-code cache") == 1
    assert str(tmp_path) in err


def test_no_home_folder_at_all_uses_the_private_temporary_folder(tmp_path, monkeypatch):
    """A portability review: with HOME unset and a user id without a passwd entry (a
    container run as an arbitrary user) an installed tool stopped at import, ``--help`` too
    (platformdirs: "could not determine the home directory")."""
    import platformdirs

    def homeless(*args, **kwargs):
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("ALS_TRIAL_SIM_CACHE", raising=False)
    monkeypatch.setattr(cache_dirs, "_CHECKOUT", tmp_path / "installed")  # no pyproject.toml
    monkeypatch.setattr(platformdirs, "user_cache_dir", homeless)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert cache_dirs.cache_root() == tmp_path / f"als-trial-sim-{os.getuid()}"


def test_matplotlib_gets_a_writable_config_folder_only_where_its_own_is_not(tmp_path, monkeypatch):
    """A portability review: on a read-only home every figure-making run printed
    Matplotlib's warning about a temporary config folder. MPLCONFIGDIR is then pointed into
    the tool's cache; left alone where Matplotlib's own folder can be written or the user set
    it."""
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the config folder's parent would be: not writable
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLCONFIGDIR", "set")  # recorded, so that teardown restores it
    monkeypatch.delenv("MPLCONFIGDIR")  # (what use_matplotlib_config sets is undone too)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # writable: left alone
    cache_dirs.use_matplotlib_config()
    assert "MPLCONFIGDIR" not in os.environ
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    cache_dirs.use_matplotlib_config()
    assert os.environ["MPLCONFIGDIR"] == str(tmp_path / "cache" / "matplotlib")
    monkeypatch.setenv("MPLCONFIGDIR", "/users/own")
    cache_dirs.use_matplotlib_config()
    assert os.environ["MPLCONFIGDIR"] == "/users/own"
