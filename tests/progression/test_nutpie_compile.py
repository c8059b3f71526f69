"""nutpie's compiled model kept between processes (progression.nutpie_compile): a fresh
process loads both callbacks from the cache and draws, bit for bit, what a compile without
the cache draws; the fit samples as ``pm.sample(nuts_sampler="nutpie")`` did, draw for draw;
the cache key changes with each of its parts; the cache lives in the tool's cache folder."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from progression import cache_dirs, model, nutpie_compile, samplers

NAMES = ("delta", "pre_slope_mean", "level_z", "residual_sd")

#: In a fresh process: compile through the cache, sample briefly, save the draws and how
#: many of the two callbacks came from the cache.
FRESH_PROCESS = f"""
import sys
import numpy as np
import nutpie
from progression import model
from progression.nutpie_compile import compile_model

compiled = compile_model(model.build_model(model.load_phase2()))
trace = nutpie.sample(compiled, draws=60, tune=60, chains=2, cores=1, seed=5,
                      progress_bar=False)
hits = [compiled.compiled_logp_func.cache_hits, compiled.compiled_expand_func.cache_hits]
np.savez(sys.argv[1], hits=hits, **{{n: trace.posterior[n].values for n in {NAMES!r}}})
"""


def _draws(compiled) -> dict[str, np.ndarray]:
    import nutpie

    trace = nutpie.sample(
        compiled, draws=60, tune=60, chains=2, cores=1, seed=5, progress_bar=False
    )
    return {name: trace.posterior[name].values for name in NAMES}


@pytest.mark.slow  # about 15 CPU seconds: a fresh process (imports, graphs) and a compile
def test_a_fresh_process_loads_the_compile_and_draws_what_a_fresh_compile_draws(
    phase2, tmp_path, repo_root
):
    """Short runs (60 draws after 60 tuning steps, 2 chains): equality, not convergence."""
    built = model.build_model(phase2)
    nutpie_compile.compile_model(built)  # writes the cache entry if it is not there yet
    fresh = nutpie_compile.compile_model(built, cache=False)
    assert fresh.compiled_logp_func.cache_hits == 0  # really compiled here
    out = tmp_path / "draws.npz"
    subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(out)],
        cwd=repo_root,
        env={**os.environ, "MPLBACKEND": "Agg"},
        check=True,
        capture_output=True,
    )
    loaded = np.load(out)
    assert loaded["hits"].tolist() == [1, 1]  # log-density and expand both from the cache
    expected = _draws(fresh)
    for name in NAMES:
        np.testing.assert_array_equal(loaded[name], expected[name])


@pytest.mark.slow
def test_the_fit_samples_what_pm_sample_with_nutpie_sampled(phase2):
    """The fit's sampling (compiled model from the cache, then nutpie.sample as pm.sample
    calls it) against ``pm.sample(nuts_sampler="nutpie")``, which compiles with nutpie's own
    compile: every group and variable equal, bit for bit (a short run: equality is checked,
    not convergence)."""
    import pymc as pm

    settings = dict(draws=100, tune=100, chains=3, target_accept=0.95)
    built = model.build_model(phase2)
    ours = samplers.run_nuts(built, "nutpie", seed=123, progressbar=False, **settings)
    with built:
        theirs = pm.sample(
            random_seed=123,
            cores=2,
            progressbar=False,
            nuts_sampler="nutpie",
            compute_convergence_checks=False,
            **settings,
        )
    assert sorted(ours.children) == sorted(theirs.children)
    for group in theirs.children:
        a, b = ours[group].to_dataset(), theirs[group].to_dataset()
        assert sorted(a.data_vars) == sorted(b.data_vars)
        for name in b.data_vars:
            nan_equal = b[name].dtype.kind == "f"
            assert np.array_equal(a[name].values, b[name].values, equal_nan=nan_equal), name


def test_each_part_of_the_cache_key_changes_it():
    parts = dict(text="src", inner_key="graph", data_key="data", keys=["s0"], versions="v")
    key = nutpie_compile._cache_key(**parts)
    changed = {"text": "src2", "inner_key": "graph2", "data_key": "data2", "keys": ["s1"],
               "versions": "v2"}  # fmt: skip
    for name, value in changed.items():
        assert nutpie_compile._cache_key(**{**parts, name: value}) != key, name
    assert nutpie_compile._cache_key(**parts) == key


def test_the_data_key_changes_with_the_scores_and_their_type():
    month = np.arange(5.0)
    scores = np.array([40.0, 39, 37, 36, 35])
    key = nutpie_compile._data_key({"shared0": month, "shared1": scores})
    assert nutpie_compile._data_key({"shared0": month, "shared1": scores.copy()}) == key
    other = scores.copy()
    other[2] += 1
    assert nutpie_compile._data_key({"shared0": month, "shared1": other}) != key
    as_int = scores.astype(np.int64)
    assert nutpie_compile._data_key({"shared0": month, "shared1": as_int}) != key


def test_an_unknown_nutpie_is_compiled_by_nutpie_itself(monkeypatch):
    import nutpie

    calls = []
    monkeypatch.setattr(nutpie, "__version__", "99.0.0")
    monkeypatch.setattr(nutpie, "compile_pymc_model", lambda m, **kw: calls.append(kw) or "c")
    assert nutpie_compile.compile_model("a model") == "c"
    assert calls == [{"backend": "numba"}]


def test_pytensors_cache_is_in_the_tools_cache_folder_one_per_version(monkeypatch, tmp_path):
    from importlib.metadata import version

    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(tmp_path))
    monkeypatch.delenv("PYTENSOR_FLAGS", raising=False)
    cache_dirs.use_pytensor_cache()
    folder = tmp_path / "pytensor" / version("pytensor")
    assert os.environ["PYTENSOR_FLAGS"] == f"base_compiledir={folder}"
    monkeypatch.setenv("PYTENSOR_FLAGS", "base_compiledir=/elsewhere")  # the user's choice
    cache_dirs.use_pytensor_cache()
    assert os.environ["PYTENSOR_FLAGS"] == "base_compiledir=/elsewhere"
