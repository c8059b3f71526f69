"""Run the trial kernels over blocks of trials, threads and seeds; label the results.

The engine takes a design flattened by :func:`designs.simulation.inputs.simulation_inputs`,
runs :func:`~designs.simulation.kernels.simulate_block` block by block (a progress callback
sees each finished block) and returns per-trial estimates, standard errors, degrees of
freedom, p-values and rejections for each analysis. Every trial's result depends only on
(seed, global trial index), so the numbers do not change with the number of threads or the
block size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numba
import numpy as np
from scipy import special

from designs.analyses import registry
from designs.analyses import results as R
from designs.errors import InputError
from designs.simulation import journal
from designs.simulation import kernels as K
from designs.simulation.inputs import SimulationInputs
from designs.simulation.layout import N_ANALYSES, N_COUNTS, N_PARAMS, P_SCREEN_DFS, P_SCREEN_LEAD
from designs.simulation.numba_cache import compilation_notice
from designs.simulation.oracle import N_ORACLE, fused_row, oracle_block, oracle_exact
from designs.simulation.rng import seed_key
from designs.simulation.seeds import check_seed

DEFAULT_BLOCK = 16_384
#: Patient-visits simulated per block: blocks hold about the same work at any n (about a
#: tenth of a second on one core of the benchmark machine), so SIGTERM, Ctrl-C and the
#: progress bar, which act between blocks, respond within about a second. A block never
#: changes a number: every trial depends only on (seed, global trial index).
BLOCK_WORK = 2**25
_CHUNK = 32


def block_size_for(
    inputs: SimulationInputs, threads: int | None = None, screened_per_enrolled: float = 1.0
) -> int:
    """Trials per block for these inputs: :data:`BLOCK_WORK` patient-visits (candidate-visits
    when the design screens: ``screened_per_enrolled`` candidates per patient randomised), at
    most :data:`DEFAULT_BLOCK` trials and at least one trial per thread."""
    per_patient = int(inputs.visits_all.size) * max(1.0, screened_per_enrolled)
    per_trial = int((inputs.n_placebo + inputs.n_active) * per_patient)
    least = int(threads or numba.get_num_threads())
    return int(min(DEFAULT_BLOCK, max(least, BLOCK_WORK // max(per_trial, 1))))


@dataclass(frozen=True)
class TrialResults:
    """Per-trial results of one simulated design.

    Attributes
    ----------
    analyses : tuple of str
        Analysis names, in the order of the second axis of ``results``.
    results : float64[trial, analysis, N_RESULT]
        Kernel outputs (layout :mod:`designs.analyses.results`).
    counts : float64[trial, N_COUNTS]
        Dropouts, deaths and completers per arm (slots ``designs.simulation.kernels.C_*``).
    effect_by_trial : float64[trial]
        The true mean change of slope in each trial, points/month.
    inputs : SimulationInputs
    seed : int
    first_trial : int
    oracle : float64[trial, N_ORACLE] or None
        Each trial's oracle z and its mean given the visit patterns
        (:mod:`designs.simulation.oracle`), when asked for and exact for the design; else None.
    """

    analyses: tuple[str, ...]
    results: np.ndarray
    counts: np.ndarray
    effect_by_trial: np.ndarray
    inputs: SimulationInputs
    seed: int
    first_trial: int
    oracle: np.ndarray | None = None

    @property
    def trials(self) -> int:
        """Number of simulated trials."""
        return self.results.shape[0]

    def column(self, analysis: str, slot: int) -> np.ndarray:
        """One result slot of one analysis for every trial."""
        return self.results[:, self.analyses.index(analysis), slot]

    def failed(self, analysis: str) -> np.ndarray:
        """Boolean per trial: the fit failed (never counted as 'not rejected')."""
        est = self.column(analysis, R.ESTIMATE)
        se = self.column(analysis, R.SE)
        df = self.column(analysis, R.DF)
        status = self.column(analysis, R.STATUS)
        return (status != R.STATUS_OK) | ~np.isfinite(est) | ~(se > 0) | ~(df > 0)

    def p_values(self, analysis: str, sides: int = 2) -> np.ndarray:
        """p-values of the analysis' test (t with the kernel's df; ``inf`` df is a z test).

        Two-sided by default; with ``sides=1`` the alternative is that active is better
        (a positive estimate: slower decline). Failed fits give NaN.
        """
        est = self.column(analysis, R.ESTIMATE)
        se = self.column(analysis, R.SE)
        df = self.column(analysis, R.DF)
        bad = self.failed(analysis)
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = np.where(bad, 0.0, est / np.where(bad, 1.0, se))
            dfs = np.where(bad, 1.0, df)
            if sides == 2:
                p = 2.0 * special.stdtr(dfs, -np.abs(stat))  # = stats.t.sf, without scipy.stats
            else:
                p = special.stdtr(dfs, -stat)
        return np.where(bad, np.nan, p)

    def rejected(self, analysis: str, alpha: float, sides: int = 2) -> np.ndarray:
        """Boolean per trial: the null hypothesis of no effect was rejected."""
        p = self.p_values(analysis, sides)
        return np.nan_to_num(p, nan=1.0) < alpha

    def rejected_favourable(self, analysis: str, alpha: float, sides: int = 2) -> np.ndarray:
        """Rejections whose estimate favours active (a significant harm is no success)."""
        return self.rejected(analysis, alpha, sides) & (self.column(analysis, R.ESTIMATE) > 0)


def analysis_flags(analyses: Sequence[str]) -> np.ndarray:
    """The kernels' int64[N_ANALYSES] run flags for these analysis names (checked)."""
    run = np.zeros(N_ANALYSES, dtype=np.int64)
    for name in analyses:
        run[registry.get(name).kernel_index] = 1
    return run


@contextmanager
def numba_threads(threads: int | None) -> Iterator[None]:
    """Run the block with ``threads`` Numba threads (None: as set), then restore the count.

    Raises
    ------
    InputError
        When ``threads`` is outside [1, NUMBA_NUM_THREADS].
    """
    previous = numba.get_num_threads()
    if threads is not None:
        most = numba.config.NUMBA_NUM_THREADS
        if not 1 <= int(threads) <= most:
            raise InputError(
                f"threads = {threads}: must be between 1 and {most} (NUMBA_NUM_THREADS)"
            )
        numba.set_num_threads(int(threads))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def run_trials(
    inputs: SimulationInputs,
    trials: int,
    seed: int,
    analyses: Sequence[str] = ("lmm_slope",),
    *,
    effect_by_trial: np.ndarray | None = None,
    params_by_trial: np.ndarray | None = None,
    first_trial: int = 0,
    block_size: int | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    oracle: bool = False,
) -> TrialResults:
    """Simulate and analyse ``trials`` double-blind trials.

    Parameters
    ----------
    inputs : SimulationInputs
        From :func:`simulation_inputs`.
    trials : int
        Number of trials (>= 1).
    seed : int
        Non-negative seed; the same seed gives the same numbers on any machine, thread count
        or block size.
    analyses : sequence of str
        Analysis names (keys of :data:`designs.analyses.registry.REGISTRY`), all run on the
        same simulated
        trials; ``slope_change_lead_in`` needs a lead-in.
    effect_by_trial : float64[trials], optional
        A true change of slope per trial (points/month), e.g. posterior draws for assurance;
        default ``inputs.effect_shift`` for every trial.
    params_by_trial : float64[trials, N_PARAMS], optional
        Population parameters per trial (see :func:`population_rows`), e.g. natural-history
        draws from the phase 2 posterior; default ``inputs.params`` for every trial.
    first_trial : int
        Global index of the first trial (to extend or split a run).
    block_size : int, optional
        Trials per kernel call (memory stays bounded; results do not depend on it).
        Default: :func:`block_size_for` (about the same work per block at any n).
    threads : int, optional
        Numba threads for this call (default: Numba's setting, ``NUMBA_NUM_THREADS``).
    progress : callable, optional
        Called with the number of trials finished after each block.
    oracle : bool
        Also compute each trial's oracle test (:mod:`designs.simulation.oracle`), the
        control variate of :mod:`designs.planning.control_variate`, where it is exact for
        the design (:func:`oracle_exact`); the analyses' numbers do not change.
    """
    if trials < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    seed = check_seed(seed)
    check_seed(first_trial + trials - 1, "trial index")
    if block_size is None:
        ratio = screening_pilot(inputs, seed, first_trial) if params_by_trial is None else 1.0
        block_size = block_size_for(inputs, threads, ratio)
    if block_size < 1:
        raise InputError(f"block_size = {block_size}: must be >= 1")
    analyses = tuple(analyses)
    run = analysis_flags(analyses)
    registry.check_lead_in(analyses, inputs.lead_visits.size > 0)
    if effect_by_trial is None:
        effect_by_trial = np.full(trials, inputs.effect_shift)
    effect_by_trial = np.ascontiguousarray(effect_by_trial, dtype=np.float64)
    if effect_by_trial.shape != (trials,):
        raise InputError(f"effect_by_trial: needs {trials} values, got {effect_by_trial.shape}")
    if params_by_trial is None:
        params_rows = inputs.params[None, :]
    else:
        params_rows = np.ascontiguousarray(params_by_trial, dtype=np.float64)
        if params_rows.shape != (trials, N_PARAMS):
            raise InputError(
                f"params_by_trial: needs shape ({trials}, {N_PARAMS}), got {params_rows.shape}"
            )
    key = seed_key(seed)
    visits_all = inputs.visits_all
    n_lead = int(inputs.lead_visits.size)
    res = np.empty((trials, N_ANALYSES, R.N_RESULT))
    counts = np.empty((trials, N_COUNTS))
    oracle = oracle and oracle_exact(params_rows)
    oracle_out = np.empty((trials, N_ORACLE)) if oracle else None
    row = fused_row(params_rows, n_lead) if oracle else -1
    no_oracle = np.empty((1, N_ORACLE))  # the kernel's argument when it has no oracle to write
    order = [registry.get(a).kernel_index for a in analyses]
    kept = journal.active()
    if kept is not None:  # a command's finished blocks are kept: a rerun reads them back
        call = journal.call_key(
            "run_trials", seed, first_trial, inputs.n_placebo, inputs.n_active,
            effect_by_trial, visits_all, n_lead, inputs.curve, inputs.effect_course,
            inputs.cum_hazard, params_rows, run, np.asarray(order), oracle, row,
        )  # fmt: skip
    with numba_threads(threads):
        for start in range(0, trials, block_size):
            stop = min(start + block_size, trials)
            shapes = [(stop - start, len(order), R.N_RESULT), (stop - start, N_COUNTS)]
            shapes += [(stop - start, N_ORACLE)] if oracle else []
            parts = None
            if kept is not None:
                parts = kept.load(call, first_trial + start, first_trial + stop, shapes)
            if parts is not None:
                res[start:stop, order, :] = parts[0]
                counts[start:stop] = parts[1]
                if oracle:
                    oracle_out[start:stop] = parts[2]
                if progress is not None:
                    progress(stop - start)
                continue
            # the first call compiles on a first run: a status line erased afterwards
            with compilation_notice() if start == 0 else nullcontext():
                K.simulate_block(
                    key,
                    first_trial + start,
                    inputs.n_placebo,
                    inputs.n_active,
                    effect_by_trial[start:stop],
                    visits_all,
                    n_lead,
                    inputs.curve,
                    inputs.effect_course,
                    inputs.cum_hazard,
                    params_rows if params_rows.shape[0] == 1 else params_rows[start:stop],
                    run,
                    min(_CHUNK, -(-(stop - start) // numba.get_num_threads())),
                    res[start:stop],
                    counts[start:stop],
                    row,
                    no_oracle if row < 0 else oracle_out[start:stop],
                )
                if oracle_out is not None and row < 0:
                    oracle_block(
                        key, first_trial + start, inputs.n_placebo, inputs.n_active,
                        effect_by_trial[start:stop], visits_all, n_lead, inputs.curve,
                        inputs.effect_course, inputs.cum_hazard,
                        params_rows if params_rows.shape[0] == 1 else params_rows[start:stop],
                        min(_CHUNK, -(-(stop - start) // numba.get_num_threads())),
                        oracle_out[start:stop],
                    )  # fmt: skip
            if kept is not None and kept.keeping():  # (the analyses' columns are a copy)
                parts = [res[start:stop][:, order, :], counts[start:stop]]
                parts += [oracle_out[start:stop]] if oracle else []
                kept.save(call, first_trial + start, first_trial + stop, *parts)
            if progress is not None:
                progress(stop - start)
    return TrialResults(
        analyses=analyses,
        results=res[:, order, :],
        counts=counts,
        effect_by_trial=effect_by_trial,
        inputs=inputs,
        seed=seed,
        first_trial=first_trial,
        oracle=oracle_out,
    )


def screens(inputs: SimulationInputs) -> bool:
    """True when the design screens candidates (``[enrichment]`` on delta-FS or lead-in)."""
    p = inputs.params
    return bool(p[P_SCREEN_DFS] > 0.5 or p[P_SCREEN_LEAD] > 0.5)


def screening_pilot(inputs: SimulationInputs, seed: int, trial: int) -> float:
    """Candidates screened per patient randomised in trial ``trial`` (1.0 without screening).

    Run before the trials of a design that screens: a screen that cannot fill an arm is
    refused at the cost of one trial (InputError naming the admission range) instead of
    every trial screening its whole quota of candidates, up to
    :data:`~designs.simulation.inputs.MAX_SCREENED_PER_ENROLLED` per patient, and the ratio
    sizes the blocks so that Ctrl-C and the progress bar still respond within about a
    second. One trial more is simulated; no result changes.
    """
    if not screens(inputs):
        return 1.0
    screened = simulate_one_trial(inputs, seed, trial)["screened"]
    return float(screened.sum()) / (inputs.n_placebo + inputs.n_active)


def simulate_one_trial(inputs: SimulationInputs, seed: int, trial: int = 0) -> dict:
    """One simulated trial as long-format columns (``patient, arm, month, alsfrs_r``).

    Lead-in visits appear with negative months. Also returns per patient ``status``
    (``completed``, ``dropout`` or ``death``), ``exit_month`` (NaN for completers),
    ``true_slope`` (slope on treatment, points/month) and ``delta_fs`` (points/month, NaN
    unless the design screens on it), ``screened`` (candidates screened per arm, placebo
    then active) and ``screens`` (whether the design screens candidates). The same (seed,
    trial) gives the same patients as trial ``trial`` of :func:`run_trials`.

    Raises :class:`~designs.errors.InputError` when screening cannot fill an arm (the
    kernels would mark such a trial failed); no partial trial is returned.
    """
    check_seed(trial, "trial index")
    key = seed_key(check_seed(seed))
    with compilation_notice():
        patient, arm, month, score, status, exit_month, slope, delta_fs, screened = (
            K.simulate_trial_long(
                key,
                trial,
                inputs.n_placebo,
                inputs.n_active,
                inputs.effect_shift,
                inputs.visits_all,
                int(inputs.lead_visits.size),
                inputs.curve,
                inputs.effect_course,
                inputs.cum_hazard,
                inputs.params,
            )
        )
    for k, name in enumerate(("placebo", "active")):
        if screened[k] < 0:
            n_arm = inputs.n_placebo if k == 0 else inputs.n_active
            cap = K.max_candidates_per_arm(inputs.params, n_arm)
            raise InputError(
                f"enrichment: screening admitted fewer than {n_arm} patients to the {name} "
                f"arm of trial {trial} in {cap:,} candidates; widen the admission range "
                "(delta_fs_min/delta_fs_max, lead_in_decline_min/lead_in_decline_max)"
            )
    names = np.array(["completed", "dropout", "death"])
    return {
        "patient": patient,
        "arm": arm,
        "month": month,
        "alsfrs_r": score,
        "status": names[status],
        "exit_month": np.where(np.isfinite(exit_month), exit_month, np.nan),
        "true_slope": slope,
        "delta_fs": delta_fs,
        "screened": screened,
        "screens": screens(inputs),
    }
