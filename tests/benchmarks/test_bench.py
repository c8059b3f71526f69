"""The benchmark's interleaved rounds: each row's ratio to NumPy is a median of per-round ratios."""

from __future__ import annotations

import numpy as np

from benchmarks.bench import BenchRow, format_rows, run_benchmark


def _line(table: str, what: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(what))


def test_ratio_is_the_median_of_per_round_ratios():
    # The machine doubles its speed in round 2 and halves it in round 3: each round's engine
    # and NumPy timings move together, so every per-round ratio is 4.0, whereas a ratio of
    # the medians (or of the best timings) taken separately would not be.
    numpy = BenchRow("plain NumPy", 1000, (1.0, 0.5, 2.0))
    engine = BenchRow("engine lmm_slope", 4000, (1.0, 0.5, 2.0))
    other = BenchRow("engine other design", 4000, (2.0, 1.0, 3.0), versus="engine lmm_slope")
    table = format_rows([engine, other, numpy])
    fields = _line(table, "engine lmm_slope").split()
    assert fields[-3:] == ["4,000", "4.00", "4.00-4.00"]
    # other: per-round ratios to NumPy 2, 2, 2.67 and to the complete row 0.5, 0.5, 0.67
    fields = _line(table, "engine other design").split()
    assert fields[-4:] == ["2,000", "2.00", "2.00-2.67", "0.50"]
    assert _line(table, "plain NumPy").split()[-2:] == ["1.00", "1.00-1.00"]
    assert engine.trials_per_second == 4000.0
    np.testing.assert_allclose(other.rates, [2000.0, 4000.0, 4000.0 / 3.0])


def test_every_row_is_timed_in_every_round():
    rows = run_benchmark(trials=1000, numpy_trials=100, rounds=2)
    assert len(rows) == 12
    assert rows[-1].what.startswith("plain NumPy")
    assert all(len(row.seconds) == 2 and min(row.seconds) > 0.0 for row in rows)
    assert [row.trials for row in rows] == [1000] * 10 + [100, 100]
    versus = [row.versus for row in rows]
    # the default and informative designs and 3 looks against the complete-data row; the
    # control variate and the default design's 3 looks against the default design's row
    assert versus[3:5] == [rows[0].what] * 2 and versus[6] == rows[0].what
    assert versus[5] == versus[7] == rows[3].what and "oracle" in rows[5].what
    assert versus.count(None) == 7
    assert len(format_rows(rows).splitlines()) == 13


def test_every_row_says_its_threads_and_the_run_its_machine():
    """A benchmark review: some engine rows gave no thread count (and one thread read
    "1 threads"), and nothing said the versions, the trials per round or the seed."""
    import numba

    from benchmarks.bench import machine_text, threads_text

    rows = run_benchmark(trials=1000, numpy_trials=100, rounds=1)
    engine = [row.what for row in rows if row.what.startswith(("engine", "random numbers only, e"))]
    assert len(engine) == 10 and all(w.endswith(f" ({threads_text()})") for w in engine)
    assert threads_text() in ("1 thread", f"{numba.get_num_threads()} threads")
    text = machine_text(1000, 100)
    assert f"numpy {np.__version__}, numba {numba.__version__}" in text
    assert "1,000 engine trials per row, 100 per NumPy row; seed 1" in text
    assert "threading layer" in text and "not yet chosen" not in text  # a parallel run is done
