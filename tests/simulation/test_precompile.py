"""A first run compiles the engine's leaf kernels in background processes
(designs.simulation.precompile): they must compile exactly the specialisations the engine
uses (else the engine compiles them again), and really fill the cache the parent reads."""

from __future__ import annotations

import numba
import pytest

from designs import load_design
from designs.simulation import engine, numba_cache, precompile
from designs.simulation.inputs import population_rows, simulation_inputs


def _cached_signatures(kernel) -> set:
    """Argument types of every specialisation of ``kernel`` in the current cache folder
    (Numba's index file of that kernel)."""
    return {key[0] for key in kernel._cache._cache_file._load_index()}


def test_the_parts_compile_the_argument_types_the_engine_calls_them_with():
    """Once the engine is compiled (by this process or an earlier one, with or without the
    children), each leaf kernel's cache holds exactly the specialisation the children
    compile: a kernel argument of another type in the engine would add a second one (and
    the first run would compile that kernel twice)."""
    inputs = simulation_inputs(load_design("default").with_overrides({"trial.n_per_arm": 5}))
    engine.run_trials(inputs, 2, seed=1)
    assert numba_cache.engine_compiled()
    for part in precompile.PARTS:
        for kernel, args in precompile.leaves()[part]:
            assert _cached_signatures(kernel) == {tuple(args)}, kernel.__name__


def test_the_last_child_compiles_the_engine_kernel_the_main_job_calls(monkeypatch):
    """compile_engine compiles simulate_block for the argument types the engine passes on
    the designs a main job runs (fixed effect, posterior draws per trial, attrition or
    not): a design passing another type would compile the engine again after the fit."""
    from designs.simulation import kernels as K

    seen = []
    real = K.simulate_block

    def spy(*args):
        seen.append(tuple(real.typeof_pyval(a) for a in args))
        return real(*args)

    monkeypatch.setattr(K, "simulate_block", spy)
    precompile.compile_engine()
    assert len(seen) == 1
    design = load_design("default")
    inputs = simulation_inputs(design)
    engine.run_trials(inputs, 2, seed=1)
    reference = simulation_inputs(design.with_overrides({"dropout.cumulative": []}))
    engine.run_trials(reference, 2, seed=1, analyses=("lmm_slope", "ols_slope_ttest"))
    pop = design.population
    rows = population_rows(
        inputs, design, baseline_mean=[pop.baseline_mean] * 2, baseline_sd=[pop.baseline_sd] * 2,
        slope_mean=[-0.9, -1.1], slope_sd=[pop.slope_sd] * 2,
        residual_sd=[pop.residual_sd] * 2,
    )  # fmt: skip
    engine.run_trials(inputs, 2, seed=1, effect_by_trial=[0.1, 0.2], params_by_trial=rows)
    assert len(seen) == 4
    assert set(seen) == {seen[0]}


def test_no_children_when_the_engine_is_compiled():
    inputs = simulation_inputs(load_design("default").with_overrides({"trial.n_per_arm": 5}))
    engine.run_trials(inputs, 2, seed=1)
    assert numba_cache.engine_compiled()
    assert precompile.start() == []


@pytest.mark.slow
def test_the_children_fill_the_cache_folder(tmp_path, monkeypatch):
    """In an empty cache the children compile every leaf kernel into the same versioned
    folder this process reads (its index files appear there)."""
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    folder = tmp_path / "numba" / f"src-{numba_cache.sources_hash()}"
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(folder))
    children = precompile.start()
    assert len(children) == len(precompile.PARTS)
    precompile.wait(children)
    assert [c.returncode for c in children] == [0] * len(children)
    index = {p.name.split(".py")[0].rsplit("-", 1)[0] for p in folder.rglob("*.nbi")}
    for part in precompile.PARTS:
        for kernel, _ in precompile.leaves()[part]:
            module = kernel.py_func.__module__.rsplit(".", 1)[-1]
            assert f"{module}.{kernel.__name__}" in index, (module, sorted(index))
    assert "kernels.simulate_block" in index, sorted(index)  # the last child's engine


def test_stop_ends_running_children():
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    precompile.stop([child])
    assert child.returncode is not None and child.returncode != 0


def test_every_part_is_named_on_the_terminal():
    """The main job says what compiles in each background process (a part without a label
    would fail there, on a first run only)."""
    assert set(precompile.PART_LABELS) == set(precompile.PARTS)
