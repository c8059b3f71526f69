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
