"""Numba kernels: simulate whole double-blind trials and analyse each one.

Pure arrays in, arrays out; no Python objects, files or xarray. The engine
(:mod:`designs.simulation.engine`) turns a design into the flat inputs below
(:mod:`designs.simulation.layout`), runs :func:`simulate_block` over blocks of trials and
labels the results. Each arm is simulated by :func:`designs.simulation.patients.simulate_arm`
(the patient model and the order of random draws are described there); each simulated
trial is then reduced to the sufficient statistics of every requested analysis and handed
to that analysis' kernel (:mod:`designs.analyses`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from designs.analyses import slope_change_lead_in as LI
from designs.analyses.ancova_change import ancova_change
from designs.analyses.joint_rank import joint_rank_test
from designs.analyses.lmm_slope_kr import kenward_roger_adjust
from designs.analyses.ols_slope_ttest import ols_slope_ttest
from designs.analyses.reml import lmm_slope_fit
from designs.analyses.results import STATUS, STATUS_FAILED
from designs.simulation.layout import (
    A_ANCOVA_CHANGE,
    A_JOINT_RANK,
    A_LMM_SLOPE,
    A_LMM_SLOPE_KR,
    A_OLS_SLOPE_TTEST,
    A_SLOPE_CHANGE_LEAD_IN,
    C_COMPLETERS_PLACEBO,
    C_DEATH_PLACEBO,
    C_DROPOUT_PLACEBO,
    C_SCREENED_PLACEBO,
    COMPLETED,
    DIED,
    N_ANALYSES,
)
from designs.simulation.oracle_gls import add_oracle_groups, curve_prefix_sums, oracle_z
from designs.simulation.patients import (
    arm_scratch,
    arm_scratch_sums,
    max_candidates_per_arm,
    simulate_arm,
    simulate_arm_sums,
)
from designs.simulation.rng import arm_stream_key
from designs.simulation.visit_groups import add_visit_groups, exit_counts


@njit(cache=True)
def _lead_in_slope(visits_all, n_lead, y, p, lead_sums):
    """OLS slope (points/month) of patient ``p``'s lead-in visits and month 0 (row ``p`` of
    ``y``, as :func:`simulate_arm` writes it).

    ``lead_sums`` = (number of points, sum of months, sum of squared months).
    """
    sy = 0.0
    sty = 0.0
    for k in range(n_lead + 1):
        sy += y[p, k]
        sty += visits_all[k] * y[p, k]
    n = lead_sums[0]
    st = lead_sums[1]
    return (sty - st * sy / n) / (lead_sums[2] - st * st / n)


@njit(cache=True)
def _simulate_and_analyse_trial(
    key, trial, n_placebo, n_active, effect_shift, visits_all, n_lead, curve, effect_course,
    cum_hazard, params, run, y_arm, m_arm, exit_arm, status_arm, true_slope_arm, dfs_arm,
    sums_arm, ztz_prefix, sxx_prefix, lead_sums, gstat, arm_c, ztz_c, n_c,
    syy_c, szy_c, szyzy_c, slopes, slope_arm, y0, ylast, anc_arm, jr_arm, jr_death,
    jr_followup, jr_m, jr_change, jr_score, lead_stats, lead_arm, res, counts,
    oracle_row, oracle_group, oracle_work, curve_prefix, oracle_out,
):  # fmt: skip
    """One trial: simulate each arm (:func:`simulate_arm_sums`), accumulate statistics, run
    analyses.

    ``y_arm`` and the other ``*_arm`` arrays are the per-arm scratch
    (:func:`arm_scratch_sums`) that :func:`simulate_arm_sums` fills; ``y_arm[p]`` holds
    patient ``p``'s lead-in visits then scheduled visits, ``sums_arm`` the sums of each
    patient's observed scheduled scores. The standard analyses see only the scheduled visits
    (month >= 0), ``slope_change_lead_in`` also the lead-in. With ``oracle_row`` >= 0 the
    trial's oracle (:mod:`designs.simulation.oracle`) goes to ``oracle_out``, from the
    unrounded sums in rows ``oracle_row`` and ``oracle_row + 1`` of ``sums_arm``.
    """
    v = visits_all.shape[0] - n_lead
    visits = visits_all[n_lead:]
    gstat[:, :] = 0.0  # per (arm, visits) group: n, sum y'y, sum Z'y (2), sum (Z'y)(Z'y)' (3)
    counts[:] = 0.0
    # Counters start as np.int64(0), not 0: a literal 0 makes Numba compile every analysis
    # kernel they are passed to a second time, for the argument type Literal[int](0), which
    # only lengthens the first run (the int64 version is the one that runs).
    n_slopes = np.int64(0)
    n_comp = np.int64(0)
    n_jr = np.int64(0)
    n_lc = np.int64(0)
    last = visits[v - 1]
    need_slopes = run[A_OLS_SLOPE_TTEST] or run[A_SLOPE_CHANGE_LEAD_IN]
    need_groups = run[A_LMM_SLOPE] or run[A_LMM_SLOPE_KR]
    per_patient = need_slopes or run[A_JOINT_RANK] or run[A_ANCOVA_CHANGE]
    if oracle_row >= 0:
        oracle_group[:, :] = 0.0
    for arm in range(2):
        n_arm = n_placebo if arm == 0 else n_active
        screened = simulate_arm_sums(
            arm_stream_key(key, trial, arm), n_arm, arm == 1, effect_shift, visits_all,
            n_lead, curve, effect_course, cum_hazard, params, y_arm, m_arm, exit_arm,
            status_arm, true_slope_arm, dfs_arm, sums_arm,
        )  # fmt: skip
        if screened < 0:  # screening admitted too few: no analysis of this trial
            for a in range(res.shape[0]):
                res[a, STATUS] = STATUS_FAILED
            counts[C_SCREENED_PLACEBO + arm] = max_candidates_per_arm(params, n_arm)
            return
        counts[C_SCREENED_PLACEBO + arm] = screened
        if need_groups:  # lmm_slope's statistics per (arm, visits) group
            add_visit_groups(gstat, arm * v, v, m_arm, sums_arm, n_arm)
        if oracle_row >= 0:
            add_oracle_groups(oracle_group, arm * v, m_arm, sums_arm, oracle_row, n_arm)
        n_completed, n_died, n_dropped = exit_counts(m_arm, status_arm, n_arm, v)
        for p in range(n_arm if per_patient else 0):  # the other analyses' statistics
            m = m_arm[p]
            t_exit = exit_arm[p]
            status = status_arm[p]
            if run[A_JOINT_RANK]:
                jr_arm[n_jr] = arm
                jr_death[n_jr] = t_exit if status == DIED else math.inf
                jr_followup[n_jr] = last if status == COMPLETED else t_exit
                jr_m[n_jr] = m
                for j in range(m):
                    jr_change[n_jr, j] = y_arm[p, n_lead + j] - y_arm[p, n_lead]
                n_jr += 1
            sy = sums_arm[0, p]  # over the observed scheduled visits (simulate_arm)
            sty = sums_arm[1, p]
            yy = sums_arm[2, p]
            if m >= 2 and need_slopes:  # per-patient slopes: only these analyses use them
                st = ztz_prefix[m - 1, 1]
                sxx = sxx_prefix[m - 1]
                slopes[n_slopes] = (sty - st * sy / m) / sxx
                slope_arm[n_slopes] = arm
                if run[A_SLOPE_CHANGE_LEAD_IN]:
                    beta = slopes[n_slopes]
                    lead_stats[n_lc, LI.S_PRE] = _lead_in_slope(
                        visits_all, n_lead, y_arm, p, lead_sums
                    )
                    lead_stats[n_lc, LI.S_POST] = beta
                    lead_stats[n_lc, LI.S_SXX] = sxx
                    lead_stats[n_lc, LI.S_RSS] = max(yy - sy * sy / m - beta * beta * sxx, 0.0)
                    lead_stats[n_lc, LI.S_M] = m
                    lead_arm[n_lc] = arm
                    n_lc += 1
            if m >= 2:
                n_slopes += 1
            if m == v:
                if run[A_ANCOVA_CHANGE]:
                    y0[n_comp] = y_arm[p, n_lead]
                    ylast[n_comp] = y_arm[p, n_lead + v - 1]
                    anc_arm[n_comp] = arm
                n_comp += 1
        counts[C_COMPLETERS_PLACEBO + arm] += float(n_completed)
        counts[C_DEATH_PLACEBO + arm] += float(n_died)
        counts[C_DROPOUT_PLACEBO + arm] += float(n_dropped)
    if need_groups:
        n_groups = np.int64(0)  # not a literal 0: see n_slopes above
        for g in range(2 * v):
            if gstat[g, 0] > 0.0:
                m_idx = g % v
                arm_c[n_groups] = g // v
                ztz_c[n_groups, 0] = ztz_prefix[m_idx, 0]
                ztz_c[n_groups, 1] = ztz_prefix[m_idx, 1]
                ztz_c[n_groups, 2] = ztz_prefix[m_idx, 2]
                n_c[n_groups] = gstat[g, 0]
                syy_c[n_groups] = gstat[g, 1]
                szy_c[n_groups, 0] = gstat[g, 2]
                szy_c[n_groups, 1] = gstat[g, 3]
                szyzy_c[n_groups, 0] = gstat[g, 4]
                szyzy_c[n_groups, 1] = gstat[g, 5]
                szyzy_c[n_groups, 2] = gstat[g, 6]
                n_groups += 1
        if run[A_LMM_SLOPE]:
            lmm_slope_fit(arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, n_groups, res[A_LMM_SLOPE])
        if run[A_LMM_SLOPE_KR]:  # the same REML fit (copied when lmm_slope ran), then KR
            if run[A_LMM_SLOPE]:
                res[A_LMM_SLOPE_KR, :] = res[A_LMM_SLOPE, :]
            else:
                lmm_slope_fit(
                    arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, n_groups, res[A_LMM_SLOPE_KR]
                )
            kenward_roger_adjust(arm_c, ztz_c, n_c, n_groups, res[A_LMM_SLOPE_KR])
    if run[A_OLS_SLOPE_TTEST]:
        ols_slope_ttest(slopes, slope_arm, n_slopes, res[A_OLS_SLOPE_TTEST])
    if run[A_ANCOVA_CHANGE]:
        ancova_change(y0, ylast, anc_arm, n_comp, res[A_ANCOVA_CHANGE])
    if run[A_JOINT_RANK]:
        joint_rank_test(
            jr_arm, jr_death, jr_followup, jr_m, jr_change, n_jr, jr_score, res[A_JOINT_RANK]
        )
    if run[A_SLOPE_CHANGE_LEAD_IN]:
        LI.slope_change_lead_in_test(lead_stats, lead_arm, n_lc, res[A_SLOPE_CHANGE_LEAD_IN])
    if oracle_row >= 0:
        oracle_z(
            params, effect_shift, ztz_prefix, curve_prefix, oracle_group, oracle_out, oracle_work
        )


@njit(cache=True)
def visit_prefix_sums(visits):
    """Per-patient Z'Z entries (m, sum t, sum t^2) for the first m = 1..V visits, shape (V, 3)."""
    v = visits.shape[0]
    out = np.empty((v, 3))
    s1 = 0.0
    s2 = 0.0
    for j in range(v):
        s1 += visits[j]
        s2 += visits[j] * visits[j]
        out[j, 0] = j + 1.0
        out[j, 1] = s1
        out[j, 2] = s2
    return out


@njit(cache=True)
def visit_prefix_sxx(ztz_prefix):
    """Sum of squared deviations of the visit months from their mean, ``sum t^2 - (sum t)^2
    / m`` (months^2), for the first m = 1..V visits (``ztz_prefix``: :func:`visit_prefix_sums`):
    the denominator of a patient's OLS slope."""
    out = np.empty(ztz_prefix.shape[0])
    for j in range(ztz_prefix.shape[0]):
        out[j] = ztz_prefix[j, 2] - ztz_prefix[j, 1] * ztz_prefix[j, 1] / (j + 1)
    return out


@njit(cache=True)
def lead_in_sums(visits_all, n_lead):
    """(points, sum of months, sum of squared months) of the lead-in visits and month 0."""
    out = np.zeros(3)
    for k in range(n_lead + 1):
        out[0] += 1.0
        out[1] += visits_all[k]
        out[2] += visits_all[k] * visits_all[k]
    return out


@njit(cache=True, parallel=True)
def simulate_block(
    key, first_trial, n_placebo, n_active, effect_by_trial, visits_all, n_lead, curve,
    effect_course, cum_hazard, params_rows, run, chunk, res, counts, oracle_row, oracle_out,
):  # fmt: skip
    """Simulate and analyse trials ``first_trial .. first_trial + len(effect_by_trial) - 1``.

    Parameters
    ----------
    key : uint64
        Seed key (:func:`designs.simulation.rng.seed_key`).
    first_trial : int
        Global index of the first trial of the block (results depend only on the global
        index, never on the block or thread).
    n_placebo, n_active : int
        Patients randomised per arm.
    effect_by_trial : float64[B]
        Mean change of slope of active patients in each trial, points/month.
    visits_all, n_lead, curve, effect_course, cum_hazard : see :func:`simulate_arm`.
    params_rows : float64[1 or B, N_PARAMS]
        Population parameters (:func:`simulate_arm`): one row for every trial, or one
        row per trial (e.g. natural-history draws from a posterior).
    run : int64[N_ANALYSES]
        1 where an analysis is wanted.
    chunk : int
        Trials per parallel work item (scratch is allocated once per chunk).
    res : float64[B, N_ANALYSES, N_RESULT]
        Receives each analysis' result (layout :mod:`designs.analyses.results`).
    counts : float64[B, N_COUNTS]
        Receives dropouts, deaths, completers and candidates screened per arm.
    oracle_row : int
        -1: no oracle. Otherwise each trial's oracle (:mod:`designs.simulation.oracle`) from
        the unrounded sums in rows ``oracle_row`` and ``oracle_row + 1`` of the arm sums: 0
        when the scores are not rounded, 4 on the linear model without lead-in.
    oracle_out : float64[B or 1, N_ORACLE]
        Receives each trial's oracle z and mu_P (unused, one row, without the oracle).
    """
    n_trials = effect_by_trial.shape[0]
    n_all = visits_all.shape[0]
    v = n_all - n_lead
    n_total = n_placebo + n_active
    ztz_prefix = visit_prefix_sums(visits_all[n_lead:])
    # Per-patient Sxx of the first m visits (same arithmetic as the slope formula, hoisted).
    sxx_prefix = visit_prefix_sxx(ztz_prefix)
    lead_sums = lead_in_sums(visits_all, n_lead)
    curve_prefix = curve_prefix_sums(visits_all[n_lead:], curve[n_lead:])
    n_chunks = (n_trials + chunk - 1) // chunk
    for c in prange(n_chunks):
        y_arm, m_arm, exit_arm, status_arm, true_slope_arm, dfs_arm, sums_arm = arm_scratch_sums(
            max(n_placebo, n_active), n_all, 6 if oracle_row == 4 else 4
        )
        gstat = np.empty((2 * v, 7))
        arm_c = np.empty(2 * v, dtype=np.int64)
        ztz_c = np.empty((2 * v, 3))
        n_c = np.empty(2 * v)
        syy_c = np.empty(2 * v)
        szy_c = np.empty((2 * v, 2))
        szyzy_c = np.empty((2 * v, 3))
        slopes = np.empty(n_total)
        slope_arm = np.empty(n_total, dtype=np.int64)
        y0 = np.empty(n_total)
        ylast = np.empty(n_total)
        anc_arm = np.empty(n_total, dtype=np.int64)
        n_jr = n_total if run[A_JOINT_RANK] else 1
        jr_arm = np.empty(n_jr, dtype=np.int64)
        jr_death = np.empty(n_jr)
        jr_followup = np.empty(n_jr)
        jr_m = np.empty(n_jr, dtype=np.int64)
        jr_change = np.empty((n_jr, v))
        jr_score = np.empty(n_jr)
        n_lc = n_total if run[A_SLOPE_CHANGE_LEAD_IN] else 1
        lead_stats = np.empty((n_lc, LI.N_STATS))
        lead_arm = np.empty(n_lc, dtype=np.int64)
        oracle_group = np.empty((2 * v, 3))
        oracle_work = np.empty((4, 7))
        for b in range(c * chunk, min((c + 1) * chunk, n_trials)):
            for a in range(N_ANALYSES):
                res[b, a, :] = np.nan
            row = b if params_rows.shape[0] > 1 else 0
            out_row = b if oracle_row >= 0 else 0
            _simulate_and_analyse_trial(
                key, first_trial + b, n_placebo, n_active, effect_by_trial[b], visits_all,
                n_lead, curve, effect_course, cum_hazard, params_rows[row], run, y_arm, m_arm,
                exit_arm, status_arm, true_slope_arm, dfs_arm, sums_arm, ztz_prefix, sxx_prefix,
                lead_sums,
                gstat, arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, slopes,
                slope_arm, y0, ylast, anc_arm, jr_arm, jr_death, jr_followup, jr_m, jr_change,
                jr_score, lead_stats, lead_arm, res[b], counts[b], oracle_row, oracle_group,
                oracle_work, curve_prefix, oracle_out[out_row],
            )  # fmt: skip


@njit(cache=True)
def simulate_trial_long(key, trial, n_placebo, n_active, effect_shift, visits_all, n_lead,
                        curve, effect_course, cum_hazard, params):  # fmt: skip
    """One trial in long format, for export and re-analysis elsewhere.

    Returns
    -------
    patient, arm : int64[rows]
    month, alsfrs_r : float64[rows]
        Lead-in visits (negative months) included.
    status : int64[n_total]
        Per patient (patients numbered placebo first), ``COMPLETED``/``DROPPED_OUT``/``DIED``.
    exit_month : float64[n_total]
        Per patient, ``inf`` for completers.
    slope : float64[n_total]
        Per patient, true slope on treatment, points/month.
    delta_fs : float64[n_total]
        Per patient, pre-baseline rate, points/month (NaN unless screened on).
    screened : int64[2]
        Candidates screened per arm (-1 if screening failed to fill the arm).
    """
    n_all = visits_all.shape[0]
    n_total = n_placebo + n_active
    rows = n_total * n_all
    patient = np.empty(rows, dtype=np.int64)
    arm_out = np.empty(rows, dtype=np.int64)
    month = np.empty(rows)
    score = np.empty(rows)
    status = np.full(n_total, COMPLETED, dtype=np.int64)
    exit_month = np.full(n_total, math.inf)
    slope = np.full(n_total, math.nan)
    delta_fs = np.full(n_total, math.nan)
    screened = np.zeros(2, dtype=np.int64)
    y, m_arm, exit_arm, status_arm, slope_arm, dfs_arm = arm_scratch(
        max(n_placebo, n_active), n_all
    )
    r = 0
    pid = 0
    for arm in range(2):
        n_arm = n_placebo if arm == 0 else n_active
        screened[arm] = simulate_arm(
            arm_stream_key(key, trial, arm), n_arm, arm == 1, effect_shift, visits_all,
            n_lead, curve, effect_course, cum_hazard, params, y, m_arm, exit_arm, status_arm,
            slope_arm, dfs_arm,
        )  # fmt: skip
        if screened[arm] < 0:
            break
        for p in range(n_arm):
            for j in range(n_lead + m_arm[p]):
                patient[r] = pid
                arm_out[r] = arm
                month[r] = visits_all[j]
                score[r] = y[p, j]
                r += 1
            status[pid] = status_arm[p]
            exit_month[pid] = exit_arm[p]
            slope[pid] = slope_arm[p]
            delta_fs[pid] = dfs_arm[p]
            pid += 1
    return (patient[:r], arm_out[:r], month[:r], score[:r], status[:pid], exit_month[:pid],
            slope[:pid], delta_fs[:pid], screened)  # fmt: skip
