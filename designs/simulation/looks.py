"""Numba kernel: trials in calendar time, each analysed at every interim look.

Each trial is simulated once, arm by arm, exactly as the fixed-design kernel does
(:func:`designs.simulation.patients.simulate_arm_sums`, the same streams), and each patient also
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
from designs.simulation.kernels import visit_prefix_sums, visit_prefix_sxx
from designs.simulation.layout import (
    A_LMM_SLOPE,
    C_COMPLETERS_PLACEBO,
    C_DEATH_PLACEBO,
    C_DROPOUT_PLACEBO,
    C_SCREENED_PLACEBO,
)
from designs.simulation.look_groups import (
    add_looks_groups,
    add_whole_arm,
    available_sums,
    sees_whole_arm,
)
from designs.simulation.patients import (
    arm_scratch_sums,
    max_candidates_per_arm,
    simulate_arm_sums,
)
from designs.simulation.rng import arm_stream_key, next_uniform, patient_stream
from designs.simulation.visit_groups import exit_counts


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
def _entry_months(entry_arm, n_arm, entry_fractions, entry_months, states, entry):
    """Entry month of each patient of one arm (``entry[p]``, months from the start of recruitment).

    The patients' stream states and uniform draws are computed across patients first (the
    64-bit hashes in SIMD lanes, as :func:`designs.simulation.rng.advance_streams` does),
    then each uniform is turned into a month: the same numbers as per patient.
    """
    for p in range(n_arm):
        states[p] = patient_stream(entry_arm, p)
    for p in range(n_arm):
        _, entry[p] = next_uniform(states[p])
    for p in range(n_arm):
        entry[p] = entry_month(entry[p], entry_fractions, entry_months)


@njit(cache=True)
def _ols_slopes(sums, avail, n_arm, arm, ztz_prefix, sxx_prefix, slopes, slope_arm, n_slopes):
    """Append the OLS slope of each patient with >= 2 visits available (patient order) to
    ``slopes`` (and its arm to ``slope_arm``); returns the new count. ``sums`` rows 0-1:
    each patient's sum y and sum t y over its available visits."""
    for p in range(n_arm):
        a = avail[p]
        if a >= 2:
            sy = sums[0, p]
            sty = sums[1, p]
            st = ztz_prefix[a - 1, 1]
            slopes[n_slopes] = (sty - st * sy / a) / sxx_prefix[a - 1]
            slope_arm[n_slopes] = arm
            n_slopes += 1
    return n_slopes


@njit(cache=True)
def _trial_at_looks(
    key, entry_key, trial, n_placebo, n_active, effect_shift, visits, curve, effect_course,
    cum_hazard, params, analysis, look_months, entry_fractions, entry_months, y_arm, m_arm,
    exit_arm, status_arm, true_slope_arm, dfs_arm, sums_arm, ztz_prefix, sxx_prefix, gstat,
    arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, slopes, slope_arm, n_slopes, entry, states,
    partial, avail, look_sums, res, entered, counts,
):  # fmt: skip
    """One trial analysed at each look: ``res[k]`` is the analysis of look ``k``'s data.

    Each arm is simulated as the fixed design does it (:func:`simulate_arm_sums`: visit-major
    ``y_arm``, each patient's sums over all its visits in ``sums_arm``); then, across the
    arm's patients, their entry months. A look that sees every visit of the arm adds its
    patients to their groups with the fixed design's additions in its order (:func:`add_whole_arm`),
    so its numbers are the fixed design's; for the other looks the visits each patient has
    available are counted, and its sums over them are its running sums while its visits are
    available (:func:`available_sums`: the additions of
    :func:`designs.simulation.patients.scheduled_sums` on the available visits), added into
    the groups (arm, visits available) in patient order (:func:`add_looks_groups`).
    """
    v = visits.shape[0]
    n_looks = look_months.shape[0]
    lmm = analysis == A_LMM_SLOPE
    gstat[:, :, :] = 0.0
    n_slopes[:] = 0
    entered[:] = 0.0
    counts[:] = 0.0
    # np.int64(0), not 0: simulate_arm_sums is compiled for int64, not once more for the
    # argument type Literal[int](0)
    no_lead_in = np.int64(0)
    for arm in range(2):
        n_arm = n_placebo if arm == 0 else n_active
        screened = simulate_arm_sums(
            arm_stream_key(key, trial, arm), n_arm, arm == 1, effect_shift, visits, no_lead_in,
            curve, effect_course, cum_hazard, params, y_arm, m_arm, exit_arm, status_arm,
            true_slope_arm, dfs_arm, sums_arm,
        )  # fmt: skip
        if screened < 0:
            for k in range(n_looks):
                res[k, STATUS] = STATUS_FAILED
            counts[C_SCREENED_PLACEBO + arm] = max_candidates_per_arm(params, n_arm)
            return
        counts[C_SCREENED_PLACEBO + arm] = screened
        n_completed, n_died, n_dropped = exit_counts(m_arm, status_arm, n_arm, v)
        counts[C_COMPLETERS_PLACEBO + arm] += float(n_completed)
        counts[C_DEATH_PLACEBO + arm] += float(n_died)
        counts[C_DROPOUT_PLACEBO + arm] += float(n_dropped)
        _entry_months(
            arm_stream_key(entry_key, trial, arm), n_arm, entry_fractions, entry_months, states,
            entry,
        )  # fmt: skip
        # the looks that see only part of the arm: their visits available and running sums
        n_partial = 0
        for k in range(n_looks):
            tau = look_months[k]
            n_in = 0
            for p in range(n_arm):
                n_in += np.int64(entry[p] <= tau)
            entered[k] += float(n_in)
            if sees_whole_arm(entry, m_arm, n_arm, visits, tau):
                if lmm:
                    add_whole_arm(gstat[k], arm * v, v, m_arm, sums_arm, n_arm, n_arm - n_completed)
                else:
                    n_slopes[k] = _ols_slopes(
                        sums_arm, m_arm, n_arm, arm, ztz_prefix, sxx_prefix, slopes[k],
                        slope_arm[k], n_slopes[k],
                    )  # fmt: skip
            else:
                partial[n_partial] = k
                n_partial += 1
        if n_partial == 0:
            continue
        available_sums(
            y_arm, visits, m_arm, entry, n_arm, look_months, partial, n_partial, avail, look_sums
        )
        if lmm:
            # in patient order; a patient not yet randomised is added (without branches) to
            # the spare group row 2 v, which no analysis reads
            add_looks_groups(gstat, partial, n_partial, arm * v, 2 * v, avail, look_sums, n_arm)
            continue
        for i in range(n_partial):
            k = partial[i]
            n_slopes[k] = _ols_slopes(
                look_sums[i], avail[i], n_arm, arm, ztz_prefix, sxx_prefix, slopes[k],
                slope_arm[k], n_slopes[k],
            )  # fmt: skip
    for k in range(n_looks):
        if lmm:
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
    sxx_prefix = visit_prefix_sxx(ztz_prefix)
    n_chunks = (n_trials + chunk - 1) // chunk
    for c in prange(n_chunks):
        n_max = max(n_placebo, n_active)
        y_arm, m_arm, exit_arm, status_arm, true_slope_arm, dfs_arm, sums_arm = arm_scratch_sums(
            n_max, v
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
        entry = np.empty(n_max)
        states = np.empty(n_max, dtype=np.uint64)
        partial = np.empty(n_looks, dtype=np.int64)
        avail = np.empty((n_looks, n_max), dtype=np.int64)
        look_sums = np.empty((n_looks, 3, n_max))
        for b in range(c * chunk, min((c + 1) * chunk, n_trials)):
            res[b, :, :] = np.nan
            _trial_at_looks(
                key, entry_key, first_trial + b, n_placebo, n_active, effect_by_trial[b],
                visits, curve, effect_course, cum_hazard, params, analysis, look_months,
                entry_fractions, entry_months, y_arm, m_arm, exit_arm, status_arm,
                true_slope_arm, dfs_arm, sums_arm, ztz_prefix, sxx_prefix, gstat, arm_c, ztz_c,
                n_c, syy_c, szy_c, szyzy_c, slopes, slope_arm, n_slopes, entry, states, partial,
                avail, look_sums, res[b], entered[b], counts[b],
            )  # fmt: skip
