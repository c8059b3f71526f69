"""Entry months of one simulated trial's patients, as the interim-look kernel draws them.

Patient ``p`` of arm ``a`` in trial ``i`` enters at ``F^-1(U)``, ``U`` the first uniform of
its stream keyed by the entry key (``secondary_seed(seed, SALT_ENTRY_TIMES)``), the trial,
the arm and the patient, and ``F`` the cumulative accrual through the knots
(:func:`designs.simulation.looks.entry_month`): the same draw as
:func:`designs.simulation.looks.simulate_block_looks`, so a trial written by ``simulate.py
trial`` has the entry months its interim analyses saw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from designs.simulation.looks import entry_month
from designs.simulation.rng import arm_stream_key, next_uniform, patient_stream, seed_key
from designs.simulation.seeds import SALT_ENTRY_TIMES, check_seed, secondary_seed

__all__ = ["trial_entry_months"]


@njit(cache=True)
def _entry_months(entry_key, trial, n_placebo, n_active, fractions, months):
    out = np.empty(n_placebo + n_active)
    pid = 0
    for arm in range(2):
        n_arm = n_placebo if arm == 0 else n_active
        entry_arm = arm_stream_key(entry_key, trial, arm)
        for p in range(n_arm):
            _, u = next_uniform(patient_stream(entry_arm, p))
            out[pid] = entry_month(u, fractions, months)
            pid += 1
    return out


def trial_entry_months(n_placebo: int, n_active: int, seed: int, trial: int, knots) -> np.ndarray:
    """Entry month of each patient of trial ``trial`` (placebo patients first, then active,
    as :func:`designs.simulation.engine.simulate_one_trial` numbers them), months from the
    first possible entry.

    ``knots``: the cumulative accrual (fractions from 0 to 1, months), as
    :func:`designs.planning.look_times.entry_knots` gives it.
    """
    entry_key = seed_key(secondary_seed(check_seed(seed), SALT_ENTRY_TIMES))
    fractions = np.ascontiguousarray(knots[0], dtype=np.float64)
    months = np.ascontiguousarray(knots[1], dtype=np.float64)
    return _entry_months(entry_key, trial, n_placebo, n_active, fractions, months)
