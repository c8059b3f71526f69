"""Trials per second of each analysis against plain NumPy and the random-number floors.

Reference design (docs/conventions.md#benchmark-reference-design): 100 patients per arm, 13
monthly visits, integer scores, complete data. Beside it, ``lmm_slope`` on the designs users
run: the default design (published attrition, integer scores) and the default design with
informative dropout and death; each is compared with NumPy and with the complete-data
``lmm_slope`` row, and the default design with each trial's oracle test (the control variate
of :mod:`designs.planning.control_variate`) against the default design's row. Then 3 looks on
the reference design (against its fixed trial, the
complete-data row) and on the default design (against the default design's row), and
``joint_rank`` (the CAFS ranks, counted rather than compared pair by pair) on the design with
informative dropout and death. Everything runs in one process; compilation is done before
timing. Used by ``simulate.py bench`` and ``make bench``.
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
    """One line of the benchmark table: ``trials`` trials timed once in each round."""

    what: str
    trials: int
    #: wall seconds of each round (the rounds alternate every row, NumPy included)
    seconds: tuple[float, ...]
    #: ``what`` of the row this one is also compared with (the complete-data ``lmm_slope``)
    versus: str | None = None

    @property
    def rates(self) -> np.ndarray:
        """Trials per second in each round."""
        return self.trials / np.asarray(self.seconds)

    @property
    def trials_per_second(self) -> float:
        """Median over the rounds."""
        return float(np.median(self.rates))


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


#: Rounds of the interleaved timing: each round times every row once, so a change of the
#: virtual machine's speed (up to 1.7 times between runs minutes apart) hits a row and the
#: NumPy row it is divided by alike; the ratios are medians of per-round ratios.
ROUNDS = 6


def run_benchmark(
    trials: int = 50_000, numpy_trials: int = 2_500, seed: int = 1, rounds: int = ROUNDS
) -> list[BenchRow]:
    """Measure every row in ``rounds`` interleaved rounds; returns them in display order.

    Each round times every row once, in display order (plain NumPy last): ``trials`` engine
    trials per row and ``numpy_trials`` per NumPy row. The defaults (6 rounds of 50,000 and
    2,500) time as many trials in all as the former best of three timings of 100,000 and
    5,000.
    """
    design = reference_design()
    inputs = simulation_inputs(design)
    n = inputs.n_placebo
    v = inputs.visits.size
    on = f" ({threads_text()})"  # every engine row says its threads (a benchmark review)
    jobs = []  # (label, trials per round, versus, timed function of a trial count)
    for analysis in ANALYSES:
        jobs.append(
            (
                f"engine {analysis}{on}",
                trials,
                None,
                lambda k, a=analysis: run_trials(inputs, k, seed, (a,)),
            )
        )
    complete = jobs[0][0]
    default, informative = attrition_design(), simulation_inputs(informative_design())
    default_fixed = f"engine lmm_slope, default design, published attrition{on}"
    for label, other_inputs in (
        (default_fixed, simulation_inputs(default)),
        (f"engine lmm_slope, informative dropout and death{on}", informative),
    ):
        jobs.append(
            (
                label,
                trials,
                complete,
                lambda k, i=other_inputs: run_trials(i, k, seed, ("lmm_slope",)),
            )
        )
    default_inputs = simulation_inputs(default)
    jobs.append(
        (
            f"engine lmm_slope + oracle (control variate), default design{on}",
            trials,
            default_fixed,
            lambda k: run_trials(default_inputs, k, seed, ("lmm_slope",), oracle=True),
        )
    )
    label, looks = _three_looks(design, seed)
    jobs.append((label, trials, complete, looks))
    label, looks = _three_looks(default, seed, "default design")
    jobs.append((label, trials, default_fixed, looks))
    jobs.append(
        (
            f"engine joint_rank, informative dropout and death{on}",
            trials,
            None,
            lambda k: run_trials(informative, k, seed, ("joint_rank",)),
        )
    )
    key = seed_key(seed)
    jobs.append(
        (
            f"random numbers only, engine generator{on}",
            trials,
            None,
            lambda k: _engine_rng_floor(key, k, n, v + 2),
        )
    )
    rng = np.random.default_rng(seed)
    per_trial = 2 * n * (v + 2)
    jobs.append(
        (
            "random numbers only, NumPy standard_normal (1 core)",
            numpy_trials,
            None,
            lambda k: draw_normals_numpy(rng, k, per_trial),
        )
    )
    pop = design.population
    shift = design.effect.slope_shift(pop.slope_mean)

    def numpy_run(count):
        # blocks of 100 trials keep each array (100 x 2 x 100 x 13 doubles, 2 MB) in the
        # cache: 1.28 times the trials per second of blocks of 1,000 (21 MB each, past the
        # 32 MB L3 with their temporaries; a benchmark review, measured again in 5 rounds:
        # 23,000 against 17,900 a second), so the ratios are not flattered by a slow baseline
        block = 100
        for start in range(0, count, block):
            simulate_ols_ttest(
                rng, min(block, count - start), n, inputs.visits, pop.baseline_mean,
                pop.baseline_sd, pop.slope_mean, pop.slope_sd, pop.residual_sd, shift,
            )  # fmt: skip

    jobs.append(("plain NumPy, per-patient OLS + t-test (1 core)", numpy_trials, None, numpy_run))
    for _, _, _, fn in jobs:  # compile and warm up, untimed
        fn(64)
    seconds = [[] for _ in jobs]
    for _ in range(rounds):
        for times, (_, count, _, fn) in zip(seconds, jobs, strict=True):
            times.append(_time(lambda f=fn, c=count: f(c)))
    return [
        BenchRow(what, count, tuple(times), versus)
        for times, (what, count, versus, _) in zip(seconds, jobs, strict=True)
    ]


def _three_looks(design, seed: int, name: str = ""):
    """``design`` with looks at 1/3, 2/3 and all of the information (O'Brien-Fleming type
    spending), entries at 8 a month: each trial simulated once in calendar time, REML at
    every look, then each trial's boundaries at its observed information. Returns the
    row's label (``name`` in it, if given) and its timed function of a trial count."""
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

    where = f", {name}" if name else ""
    label = f"engine lmm_slope, 3 looks + boundaries{where} ({threads_text()})"
    return label, once


def threads_text() -> str:
    """'2 threads', '1 thread': the engine's Numba threads."""
    threads = numba.get_num_threads()
    return f"{threads} thread{'s' if threads != 1 else ''}"


def machine_text(trials: int, numpy_trials: int, seed: int = 1) -> str:
    """What a figure of this benchmark depends on, in one line: the processor, the versions,
    Numba's threads and threading layer (after a parallel run), the trials per round and the
    seed (a benchmark review: none of these was printed)."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel region has run yet
        layer = "not yet chosen"
    return (
        f"{cpu}; numpy {np.__version__}, numba {numba.__version__} ({threads_text()}, "
        f"threading layer {layer}), Python {platform.python_version()}; per round: "
        f"{trials:,} engine trials per row, {numpy_trials:,} per NumPy row; seed {seed}"
    )


def format_rows(rows: list[BenchRow]) -> str:
    """A plain-text table with the ratio of each row to plain NumPy (the last row) and, for
    the rows that name one, to the row they are compared with ("x fixed": the complete-data
    row, or for the default design's 3 looks the default design's fixed trial): medians of
    the per-round ratios, and the range of the ratio to NumPy over the rounds."""
    numpy_rates = rows[-1].rates
    rates = {row.what: row.rates for row in rows}
    width = max(66, *(len(row.what) for row in rows))
    lines = [f"{'what':{width}s} {'trials/s':>12s} {'x NumPy':>8s} {'range':>11s} {'x fixed':>10s}"]
    for row in rows:
        ratio = row.rates / numpy_rates
        spread = f"{ratio.min():.2f}-{ratio.max():.2f}"
        versus = ""
        if row.versus:
            versus = f"{float(np.median(row.rates / rates[row.versus])):10.2f}"
        lines.append(
            f"{row.what:{width}s} {row.trials_per_second:12,.0f} {float(np.median(ratio)):8.2f} "
            f"{spread:>11s} {versus}"
        )
    return "\n".join(line.rstrip() for line in lines)
