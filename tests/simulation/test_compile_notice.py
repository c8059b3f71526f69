"""The notice shown while the simulation kernels compile (no silent 2-minute wait) never stands
in front of a refusal: a refusal found after the kernels ran stays one line (issue 21)."""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager

import numba
import pytest

from designs import load_design
from designs.cli.main import main
from designs.simulation import engine, numba_cache
from designs.simulation.inputs import simulation_inputs


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def uncompiled(tmp_path, monkeypatch):
    """An empty kernel cache folder, as on a first run (the kernels already loaded in this
    process are reused, so nothing compiles for minutes)."""
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba_cache, "_announced", set())
    monkeypatch.setattr(numba_cache, "_compiled_here", False)
    assert not numba_cache.engine_compiled()


def test_a_terminal_sees_the_notice_once_and_it_is_erased(uncompiled, monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with pytest.raises(RuntimeError), numba_cache.compilation_notice():
        raise RuntimeError  # erased even when the kernel call raises
    with numba_cache.compilation_notice():
        pass
    text = term.getvalue()
    assert text == numba_cache.COMPILE_NOTICE + "\r\x1b[K"
    assert numba_cache.compiled_in_this_process()


def test_no_notice_when_the_kernels_are_cached(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "simulation_abc"
    folder.mkdir()
    (folder / "kernels.simulate_block-210.py312.nbi").write_bytes(b"")
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba_cache, "_announced", set())
    monkeypatch.setattr(numba_cache, "_compiled_here", False)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with numba_cache.compilation_notice():
        pass
    assert sys.stderr.getvalue() == ""
    assert not numba_cache.compiled_in_this_process()


def test_the_looks_kernel_has_its_own_notice(tmp_path, monkeypatch):
    """The interim looks' kernel compiles apart (about half a minute, on the first run with
    looks, often after the main job compiled the fixed-design kernel): a newcomer waited in
    silence. Its notice shows though the fixed-design kernel is cached."""
    folder = tmp_path / "simulation_abc"
    folder.mkdir()
    (folder / "kernels.simulate_block-210.py312.nbi").write_bytes(b"")
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba_cache, "_announced", set())
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with numba_cache.compilation_notice():
        pass
    assert sys.stderr.getvalue() == ""
    with numba_cache.compilation_notice(numba_cache.LOOKS_KERNEL):
        pass
    assert sys.stderr.getvalue() == numba_cache.COMPILE_NOTICE + "\r\x1b[K"
    (folder / "looks.simulate_block_looks-209.py312.nbi").write_bytes(b"")
    assert numba_cache.engine_compiled(numba_cache.LOOKS_KERNEL)


def test_the_looks_engine_announces_its_own_kernel(monkeypatch):
    from designs.simulation import engine_looks

    kernels = []

    @contextmanager
    def recording(kernel=numba_cache.ENGINE_KERNEL):
        kernels.append(kernel)
        yield

    from designs.planning.look_times import look_times

    monkeypatch.setattr(engine_looks, "compilation_notice", recording)
    design = load_design("default").with_overrides(
        {"trial.n_per_arm": 10, "interim.looks": [0.5, 1.0]}
    )
    times = look_times(design)
    inputs = simulation_inputs(design)
    engine_looks.run_trials_at_looks(inputs, 4, 1, "lmm_slope", times.months, times.accrual_months)
    assert kernels == [numba_cache.LOOKS_KERNEL]


def test_the_engine_wraps_its_first_kernel_call(monkeypatch):
    calls = []

    @contextmanager
    def counting():
        calls.append(1)
        yield

    monkeypatch.setattr(engine, "compilation_notice", counting)
    inputs = simulation_inputs(load_design("default").with_overrides({"trial.n_per_arm": 5}))
    engine.run_trials(inputs, 4, seed=1, block_size=2)  # two blocks, one notice
    engine.simulate_one_trial(inputs, seed=1)
    assert len(calls) == 2


def refused_after_the_kernel(folder) -> list[str]:
    """Screening is found unable to fill an arm only by simulating it."""
    return [*REFUSED, "--out", str(folder / "never.csv")]


REFUSED = [
    "trial",
    "--design",
    "lead_in",
    "--n-per-arm",
    "5",
    "--set",
    "enrichment.lead_in_decline_min=25",
]


def test_a_refusal_after_a_first_compile_is_one_line_in_a_log(uncompiled, tmp_path, capsys):
    assert main(refused_after_the_kernel(tmp_path)) == 2
    assert not (tmp_path / "never.csv").exists()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "screening admitted fewer than 5" in err


def test_a_refusal_after_a_first_compile_is_one_line_on_a_terminal(
    uncompiled, tmp_path, monkeypatch
):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert main(refused_after_the_kernel(tmp_path)) == 2
    shown = term.getvalue().split("\r\x1b[K")  # what remains on screen: after the erase
    assert shown[0] == numba_cache.COMPILE_NOTICE
    assert len(shown[-1].strip().splitlines()) == 1 and "screening" in shown[-1]


def test_a_successful_first_run_says_it_compiled(uncompiled, tmp_path, capsys):
    assert main(["trial", "--n-per-arm", "5", "--out", str(tmp_path / "t.csv")]) == 0
    assert numba_cache.COMPILED_NOTE in capsys.readouterr().err


def test_the_current_cache_is_recognised_as_compiled():
    # This process has run the engine (the test above, or any earlier one, compiled or loaded
    # the kernels into the versioned cache folder), so the check must see them.
    inputs = simulation_inputs(load_design("default").with_overrides({"trial.n_per_arm": 5}))
    engine.run_trials(inputs, 2, seed=1)
    assert numba_cache.engine_compiled()
