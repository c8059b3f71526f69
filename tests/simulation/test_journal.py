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
    return sorted(folder.glob("*.block"))


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
    with open(path, "rb") as handle:
        handle.read(journal._DIGEST_SIZE)
        block = np.load(handle)
    block[:, 0] = 123.0  # the first analysis' estimate, in every trial of the block
    with open(path, "wb") as handle:  # written as the journal writes it, with its hash
        handle.write(journal._digest(block))
        np.save(handle, block)
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


@pytest.mark.parametrize("damage", ["truncated", "zeroed"])
def test_a_damaged_block_is_simulated_again(inputs, plain, tmp_path, damage):
    """Half a file, or a whole file whose numbers became zeros (a machine's crash before the
    data reached the disk; a review): the hash it begins with no longer matches."""
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(2))
    first, _ = _blocks(tmp_path)
    data = first.read_bytes()
    if damage == "truncated":
        first.write_bytes(data[:100])
    else:  # the header intact, the numbers zero
        first.write_bytes(data[: -(8 * BLOCK * 10)] + bytes(8 * BLOCK * 10))
    with journal.journal(tmp_path) as kept:
        got = _run(inputs)
    assert kept.read == BLOCK
    _same(got, plain)


def test_a_folder_that_cannot_be_written_only_turns_the_journal_off(inputs, plain, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with journal.journal(blocker / "resume") as kept:
        got = _run(inputs)
    assert kept.written == 0 and not kept.holds()
    _same(got, plain)


def test_a_save_that_fails_gives_back_the_space_and_holds_nothing(inputs, tmp_path, monkeypatch):
    """A review: after a full disk the journal removed its blocks, and the command line still
    said the trials were kept."""
    import errno

    calls = []
    replace = journal.os.replace

    def full_on_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(journal.os, "replace", full_on_second)
    with journal.journal(tmp_path) as kept:
        _run(inputs)
        assert not kept.holds() and not kept.keeping()
    assert _blocks(tmp_path) == [] and not list(tmp_path.glob(".block-*"))


def test_blocks_stay_after_an_interrupt_and_go_after_an_error(inputs, tmp_path):
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path) as kept:
        _run(inputs, progress=_StopAfter(2))
    assert kept.holds() and len(_blocks(tmp_path)) == 2
    with pytest.raises(ValueError), journal.journal(tmp_path) as kept:
        _run(inputs)  # reads two blocks back, simulates the third
        assert kept.read == 2 * BLOCK
        raise ValueError("an error, not an interrupt")
    assert _blocks(tmp_path) == []


def test_a_shifted_call_with_per_trial_effects_reads_nothing(inputs, tmp_path):
    """A review: the key held the whole per-trial arrays but not first_trial, so the same
    arrays from trial BLOCK on met the first run's blocks of the same global indices."""
    effects = np.linspace(0.0, 0.4, 2 * BLOCK)
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(2), trials=2 * BLOCK, effect_by_trial=effects)
    with journal.journal(tmp_path) as kept:
        got = _run(inputs, trials=2 * BLOCK, effect_by_trial=effects, first_trial=BLOCK)
    assert kept.read == 0
    _same(got, _run(inputs, trials=2 * BLOCK, effect_by_trial=effects, first_trial=BLOCK))


def test_the_folder_can_be_named_by_the_environment(tmp_path, monkeypatch):
    from progression.cache_dirs import cache_root

    monkeypatch.setenv("ALS_TRIAL_SIM_RESUME", str(tmp_path / "elsewhere"))
    assert journal.default_folder() == tmp_path / "elsewhere"
    monkeypatch.delenv("ALS_TRIAL_SIM_RESUME")
    assert journal.default_folder() == cache_root() / "resume"


def test_trials_simulated_twice_in_one_command_are_read_back_not_counted_as_resumed(
    inputs, plain, tmp_path
):
    with journal.journal(tmp_path) as kept:
        _run(inputs)
        again = _run(inputs)
    assert (kept.read, kept.reused, kept.written) == (0, TRIALS, TRIALS)
    _same(again, plain)


def test_old_blocks_are_pruned_and_nothing_else(tmp_path):
    """A resume audit: pruning removed every file older than 7 days in the folder, so
    ``ALS_TRIAL_SIM_RESUME=.`` in a project folder deleted the user's design and data."""
    key = journal.call_key("a call")
    old, new = tmp_path / f"{key}-0-100.block", tmp_path / f"{key}-100-200.block"
    tmp = tmp_path / ".block-abc123_x.tmp"
    mine = [tmp_path / n for n in ("mytrial.toml", "mydata.csv", "old.block", "notes.block.txt")]
    for path in (old, new, tmp, *mine):
        path.write_bytes(b"a block")
    ago = time.time() - (journal.KEEP_DAYS + 1) * 86_400
    for path in (old, tmp, *mine):
        os.utime(path, (ago, ago))
    with journal.journal(tmp_path):
        pass
    assert not old.exists() and not tmp.exists() and new.exists()
    assert all(path.exists() for path in mine)


def test_a_block_read_back_is_kept_another_keep_days(inputs, tmp_path):
    """A review: pruning went by the time a block was written, though the docs said read."""
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path):
        _run(inputs, progress=_StopAfter(1))
    (path,) = _blocks(tmp_path)
    ago = time.time() - (journal.KEEP_DAYS - 1) * 86_400
    os.utime(path, (ago, ago))
    with pytest.raises(KeyboardInterrupt), journal.journal(tmp_path) as kept:
        _run(inputs, progress=_StopAfter(1))  # reads the block back, then stops again
    assert kept.read == BLOCK and path.stat().st_mtime > time.time() - 3600


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
