"""Numba kernel: trials in calendar time, each analysed at every interim look.

Each trial is simulated once, arm by arm, exactly as the fixed-design kernel does
(:func:`designs.simulation.patients.simulate_arm`, the same streams), and each patient also
gets an entry month from a stream of its own: ``F^-1(U)`` for a uniform ``U``, with ``F``
the piecewise-linear cumulative accrual (knots ``entry_fractions``, ``entry_months``; a
steady rate gives ``accrual_months * U``), drawn (keyed by the entry key,
the trial, arm and patient: :func:`designs.simulation.rng.stream_state`), so the patients'
scores and the thread/worker invariance are those of the fixed design. At the look at
calendar month ``tau`` a patient who entered at ``e <= tau`` contributes the visits it has
(before any dropout) with ``e + month <= tau``; a patient who has not entered is absent. The
statistics of the data then available go to the analysis kernel (``lmm_slope`` REML or
``ols_slope_ttest``), once per look. The final look (after the last patient's last visit)
sees every visit, and its statistics are accumulated in the same order as the fixed
design's, so its result is the fixed design's.

Which look stops the trial is decided afterwards, from every look's estimate and standard
error (:mod:`designs.planning.group_sequential`), because the boundary of a look depends on
the information observed at it.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from designs.analyses.ols_slope_ttest import ols_slope_ttest
from designs.analyses.reml import lmm_slope_fit
from designs.analyses.results import STATUS, STATUS_FAILED
from designs.simulation.kernels import visit_prefix_sums
from designs.simulation.layout import (
    A_LMM_SLOPE,
    C_COMPLETERS_PLACEBO,
    C_DEATH_PLACEBO,
    C_DROPOUT_PLACEBO,
    C_SCREENED_PLACEBO,
    DIED,
    DROPPED_OUT,
)
from designs.simulation.patients import arm_scratch, max_candidates_per_arm, simulate_arm
from designs.simulation.rng import arm_stream_key, next_uniform, patient_stream


@njit(cache=True)
def entry_month(u, fractions, months):
    """Entry month of a patient whose uniform draw is ``u``: the inverse of the
    piecewise-linear cumulative accrual through the knots (``fractions``, ``months``).
    With the two knots (0, 0) and (1, A) it is ``A * u`` exactly."""
    j = 1
    while j < fractions.shape[0] - 1 and u > fractions[j]:
        j += 1
    lo_f = fractions[j - 1]
    lo_m = months[j - 1]
    return lo_m + (u - lo_f) / (fractions[j] - lo_f) * (months[j] - lo_m)


@njit(cache=True)
def _trial_at_looks(
    key, entry_key, trial, n_placebo, n_active, effect_shift, visits, curve, effect_course,
    cum_hazard, params, analysis, look_months, entry_fractions, entry_months, y_arm, m_arm,
    exit_arm,
    status_arm, true_slope_arm, dfs_arm, ztz_prefix, sxx_prefix, gstat, arm_c, ztz_c, n_c,
    syy_c, szy_c, szyzy_c, slopes, slope_arm, n_slopes, sums, res, entered, counts,
):  # fmt: skip
    """One trial analysed at each look: ``res[k]`` is the analysis of look ``k``'s data."""
    v = visits.shape[0]
    n_looks = look_months.shape[0]
    gstat[:, :, :] = 0.0
    n_slopes[:] = 0
    entered[:] = 0.0
    counts[:] = 0.0
    # np.int64(0), not 0: simulate_arm is compiled for int64, not once more for the argument
    # type Literal[int](0) (the fixed design's engine calls simulate_arm_sums instead)
    no_lead_in = np.int64(0)
    for arm in range(2):
        n_arm = n_placebo if arm == 0 else n_active
        screened = simulate_arm(
            arm_stream_key(key, trial, arm), n_arm, arm == 1, effect_shift, visits, no_lead_in,
            curve, effect_course, cum_hazard, params, y_arm, m_arm, exit_arm, status_arm,
            true_slope_arm, dfs_arm,
        )  # fmt: skip
        if screened < 0:
            for k in range(n_looks):
                res[k, STATUS] = STATUS_FAILED
            counts[C_SCREENED_PLACEBO + arm] = max_candidates_per_arm(params, n_arm)
            return
        counts[C_SCREENED_PLACEBO + arm] = screened
        entry_arm = arm_stream_key(entry_key, trial, arm)
        for p in range(n_arm):
            state = patient_stream(entry_arm, p)
            state, u = next_uniform(state)
            entry = entry_month(u, entry_fractions, entry_months)
            m = m_arm[p]
            if m == v:
                counts[C_COMPLETERS_PLACEBO + arm] += 1.0
            elif status_arm[p] == DIED:
                counts[C_DEATH_PLACEBO + arm] += 1.0
            elif status_arm[p] == DROPPED_OUT:
                counts[C_DROPOUT_PLACEBO + arm] += 1.0
            # the patient's running sums after each visit (the same additions in the same
            # order as summing any look's visits afresh, so the same numbers)
            sy = 0.0
            sty = 0.0
            yy = 0.0
            for j in range(m):
                yj = y_arm[p, j]
                sy += yj
                sty += visits[j] * yj
                yy += yj * yj
                sums[j, 0] = sy
                sums[j, 1] = sty
                sums[j, 2] = yy
            for k in range(n_looks):
                # without branches on the patient's entry and visits (new random numbers in
                # every trial, so hard to predict): the visits available at the look counted
                # over all scheduled visits, and a patient not yet randomised added to the
                # spare group row 2 v, which no analysis reads
                inside = entry <= look_months[k]
                a = 0  # visits available at this look
                for j in range(v):
                    a += (j < m) & (entry + visits[j] <= look_months[k])
                entered[k] += 1.0 if inside else 0.0
                g = arm * v + (a - 1) if inside else 2 * v
                j = max(a - 1, 0)
                sy = sums[j, 0] if a > 0 else 0.0
                sty = sums[j, 1] if a > 0 else 0.0
                yy = sums[j, 2] if a > 0 else 0.0
                gstat[k, g, 0] += 1.0
                gstat[k, g, 1] += yy
                gstat[k, g, 2] += sy
                gstat[k, g, 3] += sty
                gstat[k, g, 4] += sy * sy
                gstat[k, g, 5] += sy * sty
                gstat[k, g, 6] += sty * sty
                if inside and a >= 2 and analysis != A_LMM_SLOPE:
                    st = ztz_prefix[a - 1, 1]
                    slopes[k, n_slopes[k]] = (sty - st * sy / a) / sxx_prefix[a - 1]
                    slope_arm[k, n_slopes[k]] = arm
                    n_slopes[k] += 1
    for k in range(n_looks):
        if analysis == A_LMM_SLOPE:
            n_groups = np.int64(0)  # a literal 0 would compile lmm_slope_fit twice
            for g in range(2 * v):
                if gstat[k, g, 0] > 0.0:
                    m_idx = g % v
                    arm_c[n_groups] = g // v
                    ztz_c[n_groups, 0] = ztz_prefix[m_idx, 0]
                    ztz_c[n_groups, 1] = ztz_prefix[m_idx, 1]
                    ztz_c[n_groups, 2] = ztz_prefix[m_idx, 2]
                    n_c[n_groups] = gstat[k, g, 0]
                    syy_c[n_groups] = gstat[k, g, 1]
                    szy_c[n_groups, 0] = gstat[k, g, 2]
                    szy_c[n_groups, 1] = gstat[k, g, 3]
                    szyzy_c[n_groups, 0] = gstat[k, g, 4]
                    szyzy_c[n_groups, 1] = gstat[k, g, 5]
                    szyzy_c[n_groups, 2] = gstat[k, g, 6]
                    n_groups += 1
            lmm_slope_fit(arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, n_groups, res[k])
        else:
            ols_slope_ttest(slopes[k], slope_arm[k], n_slopes[k], res[k])


@njit(cache=True, parallel=True)
def simulate_block_looks(
    key, entry_key, first_trial, n_placebo, n_active, effect_by_trial, visits, curve,
    effect_course, cum_hazard, params, analysis, look_months, entry_fractions, entry_months,
    chunk, res, entered, counts,
):  # fmt: skip
    """Simulate trials ``first_trial ..`` and analyse each at every look.

    Parameters
    ----------
    key, entry_key : uint64
        Seed key of the patients' streams, and of their entry months.
    analysis : int
        Kernel index of ``lmm_slope`` or ``ols_slope_ttest``.
    look_months : float64[K]
        Calendar month of each look, from the first patient's entry; increasing.
    entry_fractions, entry_months : float64[J]
        Knots of the cumulative accrual, from (0, 0) to (1, accrual months): entries are
        drawn from it (:func:`entry_month`).
    res : float64[B, K, N_RESULT]
        Receives each look's analysis.
    entered : float64[B, K]
        Receives the number of patients randomised by each look.
    counts : float64[B, N_COUNTS]
        Dropouts, deaths, completers and candidates screened per arm (whole trial).
    Other parameters as :func:`designs.simulation.kernels.simulate_block` (no lead-in).
    """
    n_trials = effect_by_trial.shape[0]
    n_looks = look_months.shape[0]
    v = visits.shape[0]
    n_total = n_placebo + n_active
    ztz_prefix = visit_prefix_sums(visits)
    sxx_prefix = np.empty(ztz_prefix.shape[0])
    for j in range(ztz_prefix.shape[0]):
        sxx_prefix[j] = ztz_prefix[j, 2] - ztz_prefix[j, 1] * ztz_prefix[j, 1] / (j + 1)
    n_chunks = (n_trials + chunk - 1) // chunk
    for c in prange(n_chunks):
        y_arm, m_arm, exit_arm, status_arm, true_slope_arm, dfs_arm = arm_scratch(
            max(n_placebo, n_active), v
        )
        gstat = np.empty((n_looks, 2 * v + 1, 7))  # row 2 v: patients not yet randomised
        arm_c = np.empty(2 * v, dtype=np.int64)
        ztz_c = np.empty((2 * v, 3))
        n_c = np.empty(2 * v)
        syy_c = np.empty(2 * v)
        szy_c = np.empty((2 * v, 2))
        szyzy_c = np.empty((2 * v, 3))
        slopes = np.empty((n_looks, n_total))
        slope_arm = np.empty((n_looks, n_total), dtype=np.int64)
        n_slopes = np.empty(n_looks, dtype=np.int64)
        sums = np.empty((v, 3))
        for b in range(c * chunk, min((c + 1) * chunk, n_trials)):
            res[b, :, :] = np.nan
            _trial_at_looks(
                key, entry_key, first_trial + b, n_placebo, n_active, effect_by_trial[b],
                visits, curve, effect_course, cum_hazard, params, analysis, look_months,
                entry_fractions, entry_months, y_arm, m_arm, exit_arm, status_arm,
                true_slope_arm, dfs_arm,
                ztz_prefix, sxx_prefix, gstat, arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c,
                slopes, slope_arm, n_slopes, sums, res[b], entered[b], counts[b],
            )  # fmt: skip
