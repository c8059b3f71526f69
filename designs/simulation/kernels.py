"""Numba kernels: simulate double-blind ALSFRS-R trials and analyse each one.

Pure arrays in, arrays out; no Python objects, files or xarray. The engine
(:mod:`designs.simulation.engine`) turns a :class:`~designs.spec.TrialDesign` into the flat inputs
below, runs the kernels over blocks of trials and labels the results.

Patient model (DESIGN section 2), patient ``i`` of arm ``k`` at visit month ``t_j``::

    y_ij = a_i + s_i t_j + c(t_j) + e_ij,  (a_i, s_i) bivariate normal,  e_ij ~ N(0, residual_sd^2)
    s_i += effect_shift (+ effect_sd * z)   for active patients, from month 0 on

scores rounded half up and clipped to 0-48 when ``integer_scores``. ``c(t)`` is the
nonlinear part of the mean trajectory (``population.curvature``; zero when linear, see
:func:`designs.simulation.engine.curvature_term`). Lead-in visits (months < 0, ``trial.lead_in_months``)
follow the natural-history slope; treatment acts from month 0 (randomisation). Dropout is
monotone in continuous time after randomisation: the patient's exit time ``T`` solves
``H(T) = E`` with ``E`` a unit exponential (from the patient's own uniform) and ``H`` the
piecewise-linear cumulative hazard through the visits; a visit ``t_j`` is observed iff
``t_j < T`` (month 0 and the lead-in always). Death has its own constant monthly hazard and
ends the scores too.

Each candidate's draws come from its own stream (see :mod:`designs.simulation.rng`) in a fixed order:
one normal pair for the random effects, one pair for delta-FS (only when the design screens
on it), one pair for the effect (only when ``effect_sd > 0``; the second half is unused),
the dropout and death uniforms, then the residuals in pairs over the lead-in and scheduled
visits in time order, visit ``k`` taking half ``k % 2`` of pair ``k // 2``. With
enrichment (``[enrichment]``) each arm screens its own sequence of candidate streams
``(seed, trial, arm, candidate)`` and the p-th patient randomised is the p-th candidate
admitted; without it candidate ``p`` is patient ``p``. So a patient is the same person
whatever the sample size, effect, dropout rate or trial duration (common random numbers),
and a design with every new feature switched off gives exactly the numbers of the linear
model.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from designs.analyses import slope_change_lead_in as LI
from designs.analyses.joint_rank import joint_rank_test
from designs.analyses.reml import lmm_slope_fit
from designs.analyses.results import STATUS, STATUS_FAILED
from designs.analyses.slope_tests import ancova_change, ols_slope_ttest
from designs.simulation.rng import (
    arm_stream_key,
    next_normal_pair,
    next_uniform,
    patient_stream,
    skip_draws,
)

# Slots of the flat parameter vector ``params`` (float64).
P_BASELINE_MEAN = 0  # points
P_BASELINE_SD = 1  # points
P_SLOPE_MEAN = 2  # points/month (placebo arm)
P_SLOPE_SD = 3  # points/month, SD of true slopes
P_CORR = 4  # baseline-slope correlation
P_RESIDUAL_SD = 5  # points
P_EFFECT_SD = 6  # points/month, between-patient SD of the benefit
P_INTEGER = 7  # 1.0 = round and clip to 0-48
P_DEATH_HAZARD = 8  # deaths per patient-month (constant), before the informative scaling
P_DROPOUT_INFORMATIVE = 9  # log-hazard per point/month of decline faster than slope_mean
P_DROPOUT_SCALE = 10  # calibration factor of the dropout hazard (1 when MCAR)
P_DEATH_INFORMATIVE = 11  # the same for death
P_DEATH_SCALE = 12
P_DFS_LOG_MEAN = 13  # mean of log delta-FS (delta-FS in points/month)
P_DFS_LOG_SD = 14  # SD of log delta-FS
P_DFS_CORR = 15  # correlation of log delta-FS with the rate of decline -s
P_DFS_MIN = 16  # admitted delta-FS range, points/month
P_DFS_MAX = 17
P_SCREEN_DFS = 18  # 1.0 = draw delta-FS and screen on it
P_LEAD_DECLINE_MIN = 19  # admitted points lost during the lead-in
P_LEAD_DECLINE_MAX = 20
P_SCREEN_LEAD = 21  # 1.0 = screen on lead-in decline
P_MAX_SCREEN = 22  # candidates screened per arm at most, per patient randomised
P_CORR_COMPLEMENT = 23  # sqrt(1 - baseline_slope_corr^2), hoisted out of the patient loop
P_CURVED = 24  # 1.0 when the mean trajectory has a nonlinear part (curve not all zero)
N_PARAMS = 25

# Analyses by index (the engine maps names to these).
A_LMM_SLOPE = 0
A_OLS_SLOPE_TTEST = 1
A_ANCOVA_CHANGE = 2
A_JOINT_RANK = 3
A_SLOPE_CHANGE_LEAD_IN = 4
N_ANALYSES = 5

# Exit status of a patient.
COMPLETED = 0
DROPPED_OUT = 1
DIED = 2

# Per-trial counts written beside the analysis results, shape (trial, N_COUNTS).
C_DROPOUT_PLACEBO = 0
C_DROPOUT_ACTIVE = 1
C_DEATH_PLACEBO = 2
C_DEATH_ACTIVE = 3
C_COMPLETERS_PLACEBO = 4
C_COMPLETERS_ACTIVE = 5
C_SCREENED_PLACEBO = 6  # candidates screened (= randomised when nobody is screened out)
C_SCREENED_ACTIVE = 7
N_COUNTS = 8

_FLOOR = 0.0
_CEILING = 48.0


@njit(cache=True)
def exit_time(energy, visits, cum_hazard):
    """Month at which the cumulative hazard reaches ``energy`` (a unit-exponential draw).

    ``cum_hazard[j]`` is the cumulative hazard at ``visits[j]`` (``cum_hazard[0] = 0``),
    linear in between (piecewise-constant hazard). Returns ``inf`` when the patient is still
    in the trial at the last visit.
    """
    n = visits.shape[0]
    if energy >= cum_hazard[n - 1]:
        return math.inf
    for j in range(1, n):
        if energy < cum_hazard[j]:
            h0 = cum_hazard[j - 1]
            frac = (energy - h0) / (cum_hazard[j] - h0)
            return visits[j - 1] + frac * (visits[j] - visits[j - 1])
    return math.inf  # pragma: no cover - unreachable


@njit(cache=True, inline="always")
def max_candidates_per_arm(params, n_arm):
    """Candidates an arm may screen before the trial is marked failed."""
    return int(params[P_MAX_SCREEN] * n_arm) + 1000


@njit(cache=True)
def simulate_arm(
    arm_key, n_arm, is_active, effect_shift, visits_all, n_lead, curve, cum_hazard, params,
    y, m_out, exit_out, status_out, slope_out, dfs_out,
):  # fmt: skip
    """Screen candidates and simulate the observed ALSFRS-R scores of one arm's patients.

    The p-th patient randomised to an arm is the p-th admitted candidate of the arm's own
    sequence of candidate streams ``(seed, trial, arm, candidate)``, so patients nest across
    sample sizes; without screening candidate ``p`` is patient ``p``. The whole arm is one
    function body on purpose: a helper taking arrays, inlined or called once per patient,
    costs Numba reference-count updates (atomic, and shared between threads) per patient.

    Parameters
    ----------
    arm_key : uint64
        :func:`designs.simulation.rng.arm_stream_key` of (seed key, trial, arm).
    n_arm : int
        Patients to randomise to the arm.
    is_active : bool
        Arm (False placebo, True active).
    effect_shift : float
        Mean change of slope on treatment, points/month (positive = slower decline).
    visits_all : float64[L + V]
        Lead-in visit months (``L`` of them, negative) followed by the scheduled visits
        (``V``, starting at month 0).
    n_lead : int
        Number of lead-in visits ``L`` (0 without a lead-in).
    curve : float64[L + V]
        Nonlinear part of the mean trajectory at each visit, points (zeros when linear).
    cum_hazard : float64[V]
        Dropout cumulative hazard at each scheduled visit (0 at month 0).
    params : float64[N_PARAMS]
        Population parameters (slots ``P_*``).
    y : float64[>= n_arm, L + V]
        Row ``p`` receives patient ``p``'s observed scores (points): the ``L`` lead-in
        visits, then the first ``m`` scheduled visits (the rest of the row is scratch).
    m_out : int64[>= n_arm]
        Number of observed scheduled visits (>= 1), lead-in visits not counted.
    exit_out : float64[>= n_arm]
        Month the patient left (``inf`` if completed).
    status_out : int64[>= n_arm]
        ``COMPLETED``, ``DROPPED_OUT`` or ``DIED``.
    slope_out : float64[>= n_arm]
        The patient's true slope on treatment, points/month (for bias and checks).
    dfs_out : float64[>= n_arm]
        Pre-baseline rate delta-FS, points/month (NaN unless the design screens on it).

    Returns
    -------
    int
        Candidates screened (``n_arm`` without screening), or ``-1`` when
        :func:`max_candidates_per_arm` were screened before the arm was full (the trial is
        then marked failed and the outputs are partial).

    Notes
    -----
    A candidate's draws, in order: the random-effects pair; the delta-FS pair (only when
    screening on delta-FS; the second half is unused); the effect pair (active,
    ``effect_sd > 0``); the dropout and death uniforms; then the residuals in pairs over the
    lead-in and scheduled visits in time order. Without screening, lead-in or curvature the
    draws and arithmetic are exactly those of the linear model. Delta-FS follows a Gaussian
    copula: ``log dFS = mu + sd (-rho z_s + sqrt(1 - rho^2) z)`` with ``z_s`` the
    standardised natural slope, so ``rho > 0`` ties fast pre-baseline loss to fast decline.
    """
    n_all = visits_all.shape[0]
    n_visits = n_all - n_lead
    last = visits_all[n_all - 1]
    max_candidates = max_candidates_per_arm(params, n_arm)
    linear = n_lead == 0 and params[P_CURVED] < 0.5
    integer = params[P_INTEGER] > 0.5
    sd_e = params[P_RESIDUAL_SD]
    candidate = 0
    for p in range(n_arm):
        while True:
            if candidate >= max_candidates:
                return -1
            state = patient_stream(arm_key, candidate)
            candidate += 1
            state, z1, z2 = next_normal_pair(state)
            a = params[P_BASELINE_MEAN] + params[P_BASELINE_SD] * z1
            z_s = params[P_CORR] * z1 + params[P_CORR_COMPLEMENT] * z2
            s_natural = params[P_SLOPE_MEAN] + params[P_SLOPE_SD] * z_s
            delta_fs = math.nan
            if params[P_SCREEN_DFS] > 0.5:
                state, z4, _ = next_normal_pair(state)
                rho = params[P_DFS_CORR]
                w = -rho * z_s + math.sqrt(1.0 - rho * rho) * z4
                delta_fs = math.exp(params[P_DFS_LOG_MEAN] + params[P_DFS_LOG_SD] * w)
                if delta_fs < params[P_DFS_MIN] or delta_fs > params[P_DFS_MAX]:
                    continue
            s = s_natural
            if is_active:
                s += effect_shift
                if params[P_EFFECT_SD] > 0.0:
                    state, z3, _ = next_normal_pair(state)
                    s += params[P_EFFECT_SD] * z3
            # The dropout and death uniforms are the next two draws; they are computed only
            # when a hazard needs them (skipping a counter-based draw gives the same stream).
            exit_state = state
            state = skip_draws(state, 2)
            # Informative exits: the hazards are multiplied by exp(beta (slope_mean - s)).
            faster = params[P_SLOPE_MEAN] - s
            drop_mult = params[P_DROPOUT_SCALE]
            if params[P_DROPOUT_INFORMATIVE] != 0.0:
                drop_mult *= math.exp(params[P_DROPOUT_INFORMATIVE] * faster)
            hazard_death = params[P_DEATH_HAZARD] * params[P_DEATH_SCALE]
            if hazard_death > 0.0 and params[P_DEATH_INFORMATIVE] != 0.0:
                hazard_death *= math.exp(params[P_DEATH_INFORMATIVE] * faster)
            # A unit exponential E = -log(u) exceeds H(last) iff u < exp(-H(last)): most
            # patients complete, and need no logarithm.
            t_drop = math.inf
            h_last = cum_hazard[n_visits - 1] * drop_mult
            if h_last > 0.0:
                _, u_drop = next_uniform(exit_state)
                if u_drop > math.exp(-h_last):
                    t_drop = exit_time(
                        -math.log(u_drop) / drop_mult, visits_all[n_lead:], cum_hazard
                    )
            t_death = math.inf
            if hazard_death > 0.0:
                _, u_death = next_uniform(skip_draws(exit_state, 1))
                if u_death > math.exp(-hazard_death * last):
                    t_death = -math.log(u_death) / hazard_death
            t_exit = min(t_drop, t_death)
            status = COMPLETED
            if t_exit < last:
                status = DIED if t_death < t_drop else DROPPED_OUT
            else:
                t_exit = math.inf
            m = n_visits
            if t_exit < last:
                m = 1
                while m < n_visits and visits_all[n_lead + m] < t_exit:
                    m += 1
            n_obs = n_lead + m
            # Mean trajectory (natural slope before randomisation, slope on treatment after)
            # plus residuals drawn in pairs, in one pass.
            if linear:  # linear, no lead-in: the common case
                for k in range(0, n_obs, 2):
                    state, e1, e2 = next_normal_pair(state)
                    y[p, k] = (a + s * visits_all[k]) + sd_e * e1
                    if k + 1 < n_obs:
                        y[p, k + 1] = (a + s * visits_all[k + 1]) + sd_e * e2
            else:
                for k in range(0, n_obs, 2):
                    state, e1, e2 = next_normal_pair(state)
                    slope_k = s_natural if k < n_lead else s
                    y[p, k] = (a + slope_k * visits_all[k] + curve[k]) + sd_e * e1
                    if k + 1 < n_obs:
                        slope_k = s_natural if k + 1 < n_lead else s
                        y[p, k + 1] = (a + slope_k * visits_all[k + 1] + curve[k + 1]) + sd_e * e2
            if integer:
                for k in range(n_obs):
                    y[p, k] = min(max(math.floor(y[p, k] + 0.5), _FLOOR), _CEILING)
            if params[P_SCREEN_LEAD] > 0.5:
                loss = y[p, 0] - y[p, n_lead]
                if loss < params[P_LEAD_DECLINE_MIN] or loss > params[P_LEAD_DECLINE_MAX]:
                    continue
            m_out[p] = m
            exit_out[p] = t_exit
            status_out[p] = status
            slope_out[p] = s
            dfs_out[p] = delta_fs
            break
    return candidate


@njit(cache=True)
def arm_scratch(n_max, n_all):
    """Output arrays of :func:`simulate_arm` for arms of up to ``n_max`` patients and
    ``n_all`` visits: (y, m_out, exit_out, status_out, slope_out, dfs_out)."""
    return (
        np.empty((n_max, n_all)),
        np.empty(n_max, dtype=np.int64),
        np.empty(n_max),
        np.empty(n_max, dtype=np.int64),
        np.empty(n_max),
        np.empty(n_max),
    )


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
    key, trial, n_placebo, n_active, effect_shift, visits_all, n_lead, curve, cum_hazard,
    params, run, y_arm, m_arm, exit_arm, status_arm, true_slope_arm, dfs_arm, ztz_prefix,
    sxx_prefix, lead_sums, gstat, arm_c, ztz_c, n_c,
    syy_c, szy_c, szyzy_c, slopes, slope_arm, y0, ylast, anc_arm, jr_arm, jr_death,
    jr_followup, jr_m, jr_change, jr_score, lead_stats, lead_arm, res, counts,
):  # fmt: skip
    """One trial: simulate each arm (:func:`simulate_arm`), accumulate statistics, run analyses.

    ``y_arm`` and the other ``*_arm`` arrays are the per-arm scratch :func:`simulate_arm`
    fills; a row of ``y_arm`` holds a patient's lead-in visits then scheduled visits. The
    standard analyses see only the scheduled visits (month >= 0), ``slope_change_lead_in``
    also the lead-in.
    """
    v = visits_all.shape[0] - n_lead
    visits = visits_all[n_lead:]
    gstat[:, :] = 0.0  # per (arm, visits) group: n, sum y'y, sum Z'y (2), sum (Z'y)(Z'y)' (3)
    counts[:] = 0.0
    n_slopes = 0
    n_comp = 0
    n_jr = 0
    n_lc = 0
    last = visits[v - 1]
    for arm in range(2):
        n_arm = n_placebo if arm == 0 else n_active
        screened = simulate_arm(
            arm_stream_key(key, trial, arm), n_arm, arm == 1, effect_shift, visits_all,
            n_lead, curve, cum_hazard, params, y_arm, m_arm, exit_arm, status_arm,
            true_slope_arm, dfs_arm,
        )  # fmt: skip
        if screened < 0:  # screening admitted too few: no analysis of this trial
            for a in range(res.shape[0]):
                res[a, STATUS] = STATUS_FAILED
            counts[C_SCREENED_PLACEBO + arm] = max_candidates_per_arm(params, n_arm)
            return
        counts[C_SCREENED_PLACEBO + arm] = screened
        for p in range(n_arm):
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
            sy = 0.0
            sty = 0.0
            yy = 0.0
            for j in range(m):
                yj = y_arm[p, n_lead + j]
                sy += yj
                sty += visits[j] * yj
                yy += yj * yj
            g = arm * v + (m - 1)
            gstat[g, 0] += 1.0
            gstat[g, 1] += yy
            gstat[g, 2] += sy
            gstat[g, 3] += sty
            gstat[g, 4] += sy * sy
            gstat[g, 5] += sy * sty
            gstat[g, 6] += sty * sty
            if m >= 2:
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
                n_slopes += 1
            if m == v:
                y0[n_comp] = y_arm[p, n_lead]
                ylast[n_comp] = y_arm[p, n_lead + v - 1]
                anc_arm[n_comp] = arm
                n_comp += 1
                counts[C_COMPLETERS_PLACEBO + arm] += 1.0
            elif status == DIED:
                counts[C_DEATH_PLACEBO + arm] += 1.0
            elif status == DROPPED_OUT:
                counts[C_DROPOUT_PLACEBO + arm] += 1.0
    if run[A_LMM_SLOPE]:
        n_groups = 0
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
        lmm_slope_fit(arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, n_groups, res[A_LMM_SLOPE])
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
    cum_hazard, params_rows, run, chunk, res, counts,
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
    visits_all, n_lead, curve, cum_hazard : see :func:`simulate_arm`.
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
    """
    n_trials = effect_by_trial.shape[0]
    n_all = visits_all.shape[0]
    v = n_all - n_lead
    n_total = n_placebo + n_active
    ztz_prefix = visit_prefix_sums(visits_all[n_lead:])
    # Per-patient Sxx of the first m visits (same arithmetic as the slope formula, hoisted).
    sxx_prefix = np.empty(ztz_prefix.shape[0])
    for j in range(ztz_prefix.shape[0]):
        sxx_prefix[j] = ztz_prefix[j, 2] - ztz_prefix[j, 1] * ztz_prefix[j, 1] / (j + 1)
    lead_sums = lead_in_sums(visits_all, n_lead)
    n_chunks = (n_trials + chunk - 1) // chunk
    for c in prange(n_chunks):
        y_arm, m_arm, exit_arm, status_arm, true_slope_arm, dfs_arm = arm_scratch(
            max(n_placebo, n_active), n_all
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
        for b in range(c * chunk, min((c + 1) * chunk, n_trials)):
            for a in range(N_ANALYSES):
                res[b, a, :] = np.nan
            row = b if params_rows.shape[0] > 1 else 0
            _simulate_and_analyse_trial(
                key, first_trial + b, n_placebo, n_active, effect_by_trial[b], visits_all,
                n_lead, curve, cum_hazard, params_rows[row], run, y_arm, m_arm, exit_arm,
                status_arm, true_slope_arm, dfs_arm, ztz_prefix, sxx_prefix, lead_sums,
                gstat, arm_c, ztz_c, n_c, syy_c, szy_c, szyzy_c, slopes,
                slope_arm, y0, ylast, anc_arm, jr_arm, jr_death, jr_followup, jr_m, jr_change,
                jr_score, lead_stats, lead_arm, res[b], counts[b],
            )  # fmt: skip


@njit(cache=True)
def simulate_trial_long(key, trial, n_placebo, n_active, effect_shift, visits_all, n_lead,
                        curve, cum_hazard, params):  # fmt: skip
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
            n_lead, curve, cum_hazard, params, y, m_arm, exit_arm, status_arm, slope_arm,
            dfs_arm,
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
