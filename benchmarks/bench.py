"""Trials per second of each analysis against plain NumPy and the random-number floors.

Reference design (docs/conventions.md#benchmark-reference-design): 100 patients per arm, 13
monthly visits, integer scores, complete data. Beside it, ``lmm_slope`` on the designs users
run: the default design (published attrition, integer scores) and the default design with
informative dropout and death; each is compared with NumPy and with the complete-data
``lmm_slope`` row. Everything runs in one process; compilation is done before timing. Used by
``simulate.py bench`` and ``make bench``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from benchmarks.numpy_engine import draw_normals_numpy, simulate_ols_ttest
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs
from designs.simulation.rng import next_normal_pair, next_uniform, seed_key, stream_state
from designs.spec import load_design

ANALYSES = ("lmm_slope", "ols_slope_ttest", "ancova_change")


def reference_design():
    """The benchmark design: 100 per arm, 13 monthly visits, integer scores, no dropout."""
    return load_design(None).with_overrides(
        {
            "trial.n_per_arm": 100,
            "trial.visits_months": [float(m) for m in range(13)],
            "dropout.cumulative": [],
            "dropout.monthly_hazard": 0.0,
            "dropout.death_monthly_hazard": 0.0,
            "population.integer_scores": True,
            "effect.sd": 0.0,
        }
    )


def attrition_design():
    """The default design as users run it: 100 per arm, 13 monthly visits, integer scores,
    published all-cause attrition (36.4% gone by month 12)."""
    return load_design(None)


#: Informative exits for the benchmark only (assumed, not planning values): dropout and death
#: log-hazards rise by 1 per point/month of decline faster than the mean, deaths at 0.5% a
#: month on top of the published attrition.
INFORMATIVE = {
    "dropout.informative": 1.0,
    "dropout.death_monthly_hazard": 0.005,
    "dropout.death_informative": 1.0,
}


def informative_design():
    """The default design with informative dropout and death (:data:`INFORMATIVE`)."""
    return load_design(None).with_overrides(INFORMATIVE)


@njit(cache=True, parallel=True)
def _engine_rng_floor(key, trials, n_per_arm, normals_per_patient):
    """Draw each patient's normals and two uniforms from the engine's own streams."""
    total = np.zeros(trials)
    for b in prange(trials):
        acc = 0.0
        for arm in range(2):
            for p in range(n_per_arm):
                state = stream_state(key, b, arm, p)
                for _ in range(0, normals_per_patient, 2):
                    state, z1, z2 = next_normal_pair(state)
                    acc += z1 + z2
                state, u = next_uniform(state)
                state, w = next_uniform(state)
                acc += u + w
        total[b] = acc
    return total


@dataclass(frozen=True)
class BenchRow:
    """One line of the benchmark table."""

    what: str
    trials: int
    seconds: float
    #: ``what`` of the row this one is also compared with (the complete-data ``lmm_slope``)
    versus: str | None = None

    @property
    def trials_per_second(self) -> float:
        return self.trials / self.seconds


def _time(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_benchmark(
    trials: int = 100_000, numpy_trials: int = 5_000, seed: int = 1
) -> list[BenchRow]:
    """Measure every row; returns them in display order."""
    design = reference_design()
    inputs = simulation_inputs(design)
    n = inputs.n_placebo
    v = inputs.visits.size
    rows = []
    threads = numba.get_num_threads()
    for analysis in ANALYSES:  # compile, then time
        run_trials(inputs, 64, seed, (analysis,))
        sec = _time(lambda a=analysis: run_trials(inputs, trials, seed, (a,)))
        rows.append(BenchRow(f"engine {analysis} ({threads} threads)", trials, sec))
    complete = rows[0].what
    for label, other in (
        ("default design, published attrition", attrition_design()),
        ("informative dropout and death", informative_design()),
    ):
        other_inputs = simulation_inputs(other)
        run_trials(other_inputs, 64, seed, ("lmm_slope",))
        sec = _time(lambda i=other_inputs: run_trials(i, trials, seed, ("lmm_slope",)))
        rows.append(BenchRow(f"engine lmm_slope, {label}", trials, sec, complete))
    rows.append(_three_looks(design, trials, seed, complete))
    key = seed_key(seed)
    _engine_rng_floor(key, 16, n, v + 2)
    sec = _time(lambda: _engine_rng_floor(key, trials, n, v + 2), repeat=2)
    rows.append(BenchRow("random numbers only, engine generator", trials, sec))
    rng = np.random.default_rng(seed)
    per_trial = 2 * n * (v + 2)
    sec = _time(lambda: draw_normals_numpy(rng, numpy_trials, per_trial))
    rows.append(BenchRow("random numbers only, NumPy standard_normal (1 core)", numpy_trials, sec))
    pop = design.population
    shift = design.effect.slope_shift(pop.slope_mean)

    def numpy_run():
        block = 1000
        for start in range(0, numpy_trials, block):
            simulate_ols_ttest(
                rng, min(block, numpy_trials - start), n, inputs.visits, pop.baseline_mean,
                pop.baseline_sd, pop.slope_mean, pop.slope_sd, pop.residual_sd, shift,
            )  # fmt: skip

    sec = _time(numpy_run)
    rows.append(BenchRow("plain NumPy, per-patient OLS + t-test (1 core)", numpy_trials, sec))
    return rows


def _three_looks(design, trials: int, seed: int, versus: str) -> BenchRow:
    """The reference design with looks at 1/3, 2/3 and all of the information (O'Brien-
    Fleming type spending), entries at 8 a month: each trial simulated once in calendar
    time, REML at every look, then each trial's boundaries at its observed information."""
    from designs.planning.group_sequential import decide, planned_boundaries
    from designs.planning.look_times import look_times
    from designs.simulation.engine_looks import run_trials_at_looks

    gs = design.with_overrides({"interim.looks": [1 / 3, 2 / 3, 1.0]})
    times = look_times(gs)
    planned = planned_boundaries(gs)
    inputs = simulation_inputs(gs)

    def once(count):
        res = run_trials_at_looks(
            inputs, count, seed, "lmm_slope", times.months, times.accrual_months
        )
        decide(gs, res, times, planned)

    once(64)
    sec = _time(lambda: once(trials))
    label = f"engine lmm_slope, 3 looks + boundaries ({numba.get_num_threads()} threads)"
    return BenchRow(label, trials, sec, versus)


def format_rows(rows: list[BenchRow]) -> str:
    """A plain-text table with the ratio of each row to plain NumPy (the last row) and, for
    the rows that name one, to the complete-data row."""
    numpy_rate = rows[-1].trials_per_second
    rate = {row.what: row.trials_per_second for row in rows}
    lines = [f"{'what':58s} {'trials/s':>12s} {'x NumPy':>8s} {'x complete':>10s}"]
    for row in rows:
        ratio = row.trials_per_second / numpy_rate
        versus = f"{row.trials_per_second / rate[row.versus]:10.2f}" if row.versus else ""
        lines.append(f"{row.what:58s} {row.trials_per_second:12,.0f} {ratio:8.2f} {versus}")
    return "\n".join(line.rstrip() for line in lines)
