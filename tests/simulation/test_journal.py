"""The journal of finished blocks: an interrupted simulation, run again, reads back what it
had simulated and gives the same numbers, bit for bit; nothing else is ever read back."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from designs.simulation import engine_looks, journal, numba_cache
from designs.simulation.engine import run_trials
from designs.simulation.engine_looks import run_trials_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

SEED = 4242
TRIALS = 600
BLOCK = 200  # three blocks
ANALYSES = ("lmm_slope", "ols_slope_ttest")


@pytest.fixture(scope="module")
def inputs():
    return simulation_inputs(load_design(None).with_overrides({"trial.n_per_arm": 30}))


def _run(inputs, progress=None, **changes):
    kwargs = {"block_size": BLOCK, "oracle": True, "progress": progress} | changes
    trials = kwargs.pop("trials", TRIALS)
    seed = kwargs.pop("seed", SEED)
    analyses = kwargs.pop("analyses", ANALYSES)
    return run_trials(inputs, trials, seed, analyses, **kwargs)


def _same(a, b) -> None:
    """Every array of two TrialResults equal bit for bit (NaN where NaN)."""
    assert a.results.tobytes() == b.results.tobytes()
    assert a.counts.tobytes() == b.counts.tobytes()
    assert (a.oracle is None) == (b.oracle is None)
    if a.oracle is not None:
        assert a.oracle.tobytes() == b.oracle.tobytes()


class _StopAfter:
    """A progress callback that interrupts the run after ``blocks`` finished blocks."""

    def __init__(self, blocks: int) -> None:
        self.left = blocks

    def __call__(self, _trials: int) -> None:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt


def _blocks(folder):
    return sorted(folder.glob("*.npy"))


@pytest.fixture(scope="module")
def plain(inputs):
    """The run with no journal: the numbers every journaled run must give."""
    return _run(inputs)


def test_a_finished_run_gives_the_same_numbers_and_leaves_nothing(inputs, plain, tmp_path):
    with journal.journal(tmp_path) as kept:
        got = _run(inputs)
        assert len(_blocks(tmp_path)) == 3  # kept while the command runs
    assert kept.written == TRIALS and kept.read == 0
    assert _blocks(tmp_path) == []  # a normal end removes them
    _same(got, plain)


def test_an_interrupted_run_resumes_with_the_same_numbers(inputs, plain, tmp_path):
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(2))
    assert len(_blocks(tmp_path)) == 2  # the two finished blocks stay
    with journal.journal(tmp_path) as kept:
        got = _run(inputs)
    assert (kept.read, kept.written) == (2 * BLOCK, BLOCK)
    assert _blocks(tmp_path) == []
    _same(got, plain)


def test_a_kept_block_is_what_the_rerun_returns(inputs, plain, tmp_path):
    """The read path is used: a kept block changed on disk comes back changed (so the
    equality above is not the kernel run again)."""
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(1))
    (path,) = _blocks(tmp_path)
    block = np.load(path)
    block[:, 0] = 123.0  # the first analysis' estimate, in every trial of the block
    np.save(path, block)
    with journal.journal(tmp_path):
        got = _run(inputs)
    assert np.all(got.results[:BLOCK, 0, 0] == 123.0)
    assert got.results[BLOCK:].tobytes() == plain.results[BLOCK:].tobytes()


@pytest.mark.parametrize(
    "change",
    [
        {"seed": SEED + 1},
        {"first_trial": 1},
        {"analyses": ("lmm_slope",)},
        {"effect_by_trial": np.full(TRIALS, 0.2)},
        {"oracle": False},
    ],
    ids=["seed", "first-trial", "analyses", "effect", "oracle"],
)
def test_blocks_of_other_trials_are_never_read(inputs, tmp_path, change):
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(2))
    with journal.journal(tmp_path) as kept:
        got = _run(inputs, **change)
    assert kept.read == 0
    _same(got, _run(inputs, **change))


def test_another_design_or_code_reads_nothing(inputs, tmp_path, monkeypatch):
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(2))
    other = simulation_inputs(load_design(None).with_overrides({"trial.n_per_arm": 31}))
    with journal.journal(tmp_path) as kept:
        _run(other)
    assert kept.read == 0
    monkeypatch.setattr(numba_cache, "code_version", lambda: "other code")
    with journal.journal(tmp_path) as kept:
        _run(inputs)
    assert kept.read == 0


def test_a_damaged_block_is_simulated_again(inputs, plain, tmp_path):
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(2))
    first, _ = _blocks(tmp_path)
    first.write_bytes(first.read_bytes()[:100])  # half a file (a crash of another tool)
    with journal.journal(tmp_path) as kept:
        got = _run(inputs)
    assert kept.read == BLOCK
    _same(got, plain)


def test_a_folder_that_cannot_be_written_only_turns_the_journal_off(inputs, plain, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with journal.journal(blocker / "resume") as kept:
        got = _run(inputs)
    assert kept.written == 0
    _same(got, plain)


def test_trials_simulated_twice_in_one_command_are_read_back_not_counted_as_resumed(
    inputs, plain, tmp_path
):
    with journal.journal(tmp_path) as kept:
        _run(inputs)
        again = _run(inputs)
    assert (kept.read, kept.reused, kept.written) == (0, TRIALS, TRIALS)
    _same(again, plain)


def test_old_blocks_are_pruned(tmp_path):
    old, new = tmp_path / "old.npy", tmp_path / "new.npy"
    for path in (old, new):
        np.save(path, np.zeros((1, 1)))
    ago = time.time() - (journal.KEEP_DAYS + 1) * 86_400
    os.utime(old, (ago, ago))
    with journal.journal(tmp_path):
        pass
    assert not old.exists() and new.exists()


def test_the_looks_engine_resumes_with_the_same_numbers(inputs, tmp_path, monkeypatch):
    looks = np.array([20.0, 40.0])
    monkeypatch.setattr(engine_looks, "block_size_for", lambda *a, **k: 2 * 150)

    def run(progress=None):
        return run_trials_at_looks(inputs, 450, SEED, "lmm_slope", looks, 18.0, progress=progress)

    plain = run()
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        run(_StopAfter(2))
    assert len(_blocks(tmp_path)) == 2
    with journal.journal(tmp_path) as kept:
        got = run()
    assert (kept.read, kept.written) == (300, 150)
    for name in ("results", "entered", "counts"):
        assert getattr(got, name).tobytes() == getattr(plain, name).tobytes()


def test_blocks_are_kept_only_once_the_command_has_run_keep_after_seconds(inputs, tmp_path):
    """The command line keeps blocks after KEEP_AFTER_SECONDS: a short run writes nothing."""
    with journal.journal(tmp_path, keep_after=3600.0) as kept:
        _run(inputs)
        assert _blocks(tmp_path) == [] and not kept.keeping()
    assert kept.written == 0
    with journal.journal(tmp_path, keep_after=0.0) as kept:
        assert kept.keeping()
        _run(inputs)
    assert kept.written == TRIALS
