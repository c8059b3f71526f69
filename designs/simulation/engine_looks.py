"""Run the interim-look kernel over blocks of trials and threads (group-sequential designs).

The patients of trial ``i`` are those of trial ``i`` of the fixed design with the same seed
(:func:`designs.simulation.engine.run_trials`); their entry months come from streams keyed
by a secondary seed (:data:`designs.simulation.seeds.SALT_ENTRY_TIMES`). Every number
depends only on (seed, global trial index): not on threads or blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import numba
import numpy as np

from designs.analyses import registry
from designs.analyses import results as R
from designs.errors import InputError
from designs.simulation import journal
from designs.simulation.engine import _CHUNK, block_size_for, numba_threads
from designs.simulation.inputs import SimulationInputs
from designs.simulation.layout import N_COUNTS
from designs.simulation.looks import simulate_block_looks
from designs.simulation.numba_cache import LOOKS_KERNEL, compilation_notice
from designs.simulation.rng import seed_key
from designs.simulation.seeds import SALT_ENTRY_TIMES, check_seed, secondary_seed

__all__ = ["LookResults", "run_trials_at_looks"]

#: Analyses the interim-look kernel can run.
LOOK_ANALYSES = ("lmm_slope", "ols_slope_ttest")


@dataclass(frozen=True)
class LookResults:
    """Per-trial, per-look results.

    Attributes
    ----------
    results : float64[trial, look, N_RESULT]
        The analysis of the data available at each look.
    entered : float64[trial, look]
        Patients randomised by each look.
    counts : float64[trial, N_COUNTS]
        Dropouts, deaths, completers, candidates screened per arm (whole trial).
    """

    analysis: str
    results: np.ndarray
    entered: np.ndarray
    counts: np.ndarray
    effect_by_trial: np.ndarray

    def failed(self) -> np.ndarray:
        """Boolean (trial, look): the fit failed."""
        est = self.results[:, :, R.ESTIMATE]
        se = self.results[:, :, R.SE]
        df = self.results[:, :, R.DF]
        status = self.results[:, :, R.STATUS]
        return (status != R.STATUS_OK) | ~np.isfinite(est) | ~(se > 0) | ~(df > 0)


def run_trials_at_looks(
    inputs: SimulationInputs,
    trials: int,
    seed: int,
    analysis: str,
    look_months,
    accrual_months: float,
    *,
    accrual_knots=None,
    effect_by_trial: np.ndarray | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    first_trial: int = 0,
) -> LookResults:
    """Simulate ``trials`` trials in calendar time and analyse each at every look.

    Parameters
    ----------
    look_months : float64[K]
        Calendar month of each look (increasing; the last after the last patient's last
        visit to see all data).
    accrual_months : float
        Entries are uniform on (0, accrual_months) unless ``accrual_knots`` is given.
    accrual_knots : (float64[J], float64[J]), optional
        The cumulative accrual as knots (fractions from 0 to 1, months from 0): entries are
        drawn from it (``[accrual]`` ramp-up; :func:`designs.planning.look_times.entry_knots`).
    first_trial : int
        Index of the first trial (``first_trial`` .. ``first_trial + trials - 1`` of the
        seed's run; each trial's patients and entries depend on its index only).
    Other parameters as :func:`designs.simulation.engine.run_trials`.
    """
    if analysis not in LOOK_ANALYSES:
        raise InputError(
            f"analysis = {analysis!r}: interim looks support {', '.join(LOOK_ANALYSES)}"
        )
    if inputs.lead_visits.size:
        raise InputError("interim.looks: designs with a lead-in are not supported yet")
    if trials < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    seed = check_seed(seed)
    looks = np.ascontiguousarray(look_months, dtype=np.float64)
    if looks.size == 0 or not np.all(np.isfinite(looks)) or np.any(np.diff(looks) < 0):
        raise InputError("interim.look_months: must be finite months in increasing order")
    if effect_by_trial is None:
        effect_by_trial = np.full(trials, inputs.effect_shift)
    effect_by_trial = np.ascontiguousarray(effect_by_trial, dtype=np.float64)
    if accrual_knots is None:
        accrual_knots = ([0.0, 1.0], [0.0, float(accrual_months)])
    fractions = np.ascontiguousarray(accrual_knots[0], dtype=np.float64)
    months = np.ascontiguousarray(accrual_knots[1], dtype=np.float64)
    if fractions.size < 2 or fractions.size != months.size or fractions[0] != 0.0:
        raise InputError("accrual: knots must run from (0, 0) to (1, accrual months)")
    key = seed_key(seed)
    entry_key = seed_key(secondary_seed(seed, SALT_ENTRY_TIMES))
    res = np.empty((trials, looks.size, R.N_RESULT))
    entered = np.empty((trials, looks.size))
    counts = np.empty((trials, N_COUNTS))
    block = block_size_for(inputs, threads) // max(1, looks.size)
    kernel_index = registry.get(analysis).kernel_index
    kept = journal.active()
    if kept is not None:  # a command's finished blocks are kept: a rerun reads them back
        call = journal.call_key(
            "run_trials_at_looks", seed, first_trial, inputs.n_placebo, inputs.n_active,
            effect_by_trial, inputs.visits_all, inputs.curve, inputs.effect_course,
            inputs.cum_hazard, inputs.params, kernel_index, looks, fractions, months,
        )  # fmt: skip
    with numba_threads(threads):
        for start in range(0, trials, max(block, 1)):
            stop = min(start + max(block, 1), trials)
            shapes = [res[start:stop].shape, entered[start:stop].shape, counts[start:stop].shape]
            parts = None
            if kept is not None:
                parts = kept.load(call, first_trial + start, first_trial + stop, shapes)
            if parts is not None:
                res[start:stop], entered[start:stop], counts[start:stop] = parts
                if progress is not None:
                    progress(stop - start)
                continue
            # the first call compiles on a first run: a status line erased afterwards
            with compilation_notice(LOOKS_KERNEL) if start == 0 else nullcontext():
                simulate_block_looks(
                    key,
                    entry_key,
                    first_trial + start,
                    inputs.n_placebo,
                    inputs.n_active,
                    effect_by_trial[start:stop],
                    inputs.visits_all,
                    inputs.curve,
                    inputs.effect_course,
                    inputs.cum_hazard,
                    inputs.params,
                    kernel_index,
                    looks,
                    fractions,
                    months,
                    min(_CHUNK, -(-(stop - start) // numba.get_num_threads())),
                    res[start:stop],
                    entered[start:stop],
                    counts[start:stop],
                )
            if kept is not None:
                kept.save(
                    call, first_trial + start, first_trial + stop,
                    res[start:stop], entered[start:stop], counts[start:stop],
                )  # fmt: skip
            if progress is not None:
                progress(stop - start)
    return LookResults(analysis, res, entered, counts, effect_by_trial)
