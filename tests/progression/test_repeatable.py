"""``cache_independent_rounding`` reaches processes that do not fork: PyMC's chain workers
started by ``spawn`` or ``forkserver`` (macOS, Python 3.14+) rebuild their functions in a new
interpreter, which reads PyTensor's flags from the environment."""

from __future__ import annotations

import multiprocessing
import os

from progression.repeatable import NO_FASTMATH, cache_independent_rounding


def _flag_in_new_interpreter(queue) -> None:
    from pytensor import config

    queue.put(bool(config.numba__fastmath))


def _fastmath_of_a_spawned_process() -> bool:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_flag_in_new_interpreter, args=(queue,))
    proc.start()
    try:
        return queue.get(timeout=120)
    finally:
        proc.join(timeout=30)


def test_a_spawned_process_started_inside_the_block_compiles_without_fastmath(monkeypatch):
    monkeypatch.setenv("PYTENSOR_FLAGS", "floatX=float64,numba__fastmath=True")
    with cache_independent_rounding():
        assert os.environ["PYTENSOR_FLAGS"] == f"floatX=float64,{NO_FASTMATH}"
        assert _fastmath_of_a_spawned_process() is False
    # the caller's flags are back, and a process started now has fastmath as they say
    assert os.environ["PYTENSOR_FLAGS"] == "floatX=float64,numba__fastmath=True"
    assert _fastmath_of_a_spawned_process() is True


def test_the_environment_is_left_as_found_when_it_had_no_flags(monkeypatch):
    monkeypatch.delenv("PYTENSOR_FLAGS", raising=False)
    with cache_independent_rounding():
        assert os.environ["PYTENSOR_FLAGS"] == NO_FASTMATH
    assert "PYTENSOR_FLAGS" not in os.environ
