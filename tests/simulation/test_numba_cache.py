"""The Numba cache folder (designs.simulation.numba_cache) follows the kernel sources
(a stale kernel would give old numbers)."""

import numba

from designs.simulation import numba_cache


def test_cache_dir_is_named_after_the_sources():
    assert numba.config.CACHE_DIR.endswith(f"src-{numba_cache.sources_hash()}")


def test_any_source_edit_changes_the_hash(tmp_path, monkeypatch):
    (tmp_path / "kernels.py").write_text("x = 1\n")
    monkeypatch.setattr(numba_cache, "_SOURCES", (tmp_path,))
    before = numba_cache.sources_hash()
    (tmp_path / "kernels.py").write_text("x = 2\n")
    assert numba_cache.sources_hash() != before


def test_an_edit_inside_a_sub_package_changes_the_hash(tmp_path, monkeypatch):
    """The key covers every source below designs/, sub-packages included (a kernel inlines
    code from designs/analyses/reml/, designs/simulation/rng.py, ...)."""
    import shutil
    from pathlib import Path

    package = Path(numba_cache.__file__).resolve().parents[1]
    copy = tmp_path / "designs"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(numba_cache, "_SOURCES", (copy,))
    before = numba_cache.sources_hash()
    deep = copy / "analyses" / "reml" / "fit.py"
    deep.write_text(deep.read_text() + "\n# an edit\n")
    assert numba_cache.sources_hash() != before


def test_an_edit_of_the_browser_page_keeps_the_compiled_kernels(tmp_path, monkeypatch):
    """designs/explorer/ (the page) holds no compiled code: editing it must not cost a
    recompilation, while an edit next to it still does."""
    (tmp_path / "explorer").mkdir()
    (tmp_path / "explorer" / "views.py").write_text("x = 1\n")
    (tmp_path / "kernels.py").write_text("x = 1\n")
    monkeypatch.setattr(numba_cache, "_SOURCES", (tmp_path,))
    before = numba_cache.sources_hash()
    (tmp_path / "explorer" / "views.py").write_text("x = 2\n")
    assert numba_cache.sources_hash() == before
    (tmp_path / "kernels.py").write_text("x = 2\n")
    assert numba_cache.sources_hash() != before


def test_unwritable_cache_falls_back_to_a_temporary_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the cache folder would go: cannot be created
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocker / "numba"))
    old = numba.config.CACHE_DIR
    try:
        path = numba_cache.use_versioned_cache()
        assert path.parent.name == "als-trial-sim-numba" and path.is_dir()
    finally:
        numba.config.CACHE_DIR = old
