"""A line on stderr whenever the simulation kernels will be compiled (no silent 2-minute wait)."""

from __future__ import annotations

import numba

from designs import load_design
from designs.simulation import engine, numba_cache
from designs.simulation.inputs import simulation_inputs


def test_notice_when_the_cache_is_empty_and_only_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba_cache, "_announced", False)
    numba_cache.announce_compilation()
    numba_cache.announce_compilation()
    err = capsys.readouterr().err
    assert err.count("compiling the simulation kernels") == 1


def test_no_notice_when_the_kernels_are_cached(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "simulation_abc"
    folder.mkdir()
    (folder / "kernels.simulate_block-210.py312.nbi").write_bytes(b"")
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba_cache, "_announced", False)
    numba_cache.announce_compilation()
    assert capsys.readouterr().err == ""


def test_the_engine_announces_before_its_kernels_run(monkeypatch):
    calls = []
    monkeypatch.setattr(engine, "announce_compilation", lambda: calls.append(1))
    inputs = simulation_inputs(load_design("default").with_overrides({"trial.n_per_arm": 5}))
    engine.run_trials(inputs, 4, seed=1)
    engine.simulate_one_trial(inputs, seed=1)
    assert len(calls) == 2


def test_the_current_cache_is_recognised_as_compiled():
    # This process has run the engine (the test above, or any earlier one, compiled or loaded
    # the kernels into the versioned cache folder), so the check must see them.
    inputs = simulation_inputs(load_design("default").with_overrides({"trial.n_per_arm": 5}))
    engine.run_trials(inputs, 2, seed=1)
    assert numba_cache.engine_compiled()
