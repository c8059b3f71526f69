"""Simulate the patients of one arm: random effects, screening, scores, dropout and death.

Pure arrays in, arrays out; no Python objects, files or xarray. The engine
(:mod:`designs.simulation.engine`) turns a :class:`~designs.spec.TrialDesign` into the flat inputs
below, runs the kernels over blocks of trials and labels the results.

Patient model (docs/conventions.md), patient ``i`` of arm ``k`` at visit month ``t_j``::

    y_ij = a_i + s_i t_j + c(t_j) + e_ij,  (a_i, s_i) bivariate normal,  e_ij ~ N(0, residual_sd^2)
    s_i += effect_shift (+ effect_sd * z)   for active patients, from month 0 on

scores rounded half up and clipped to 0-48 when ``integer_scores``. ``c(t)`` is the
nonlinear part of the mean trajectory (``population.curvature``; zero when linear, see
:func:`designs.simulation.inputs.curvature_term`). Lead-in visits (months < 0,
``trial.lead_in_months``) follow the natural-history slope; treatment acts from month 0
(randomisation). Dropout is monotone in continuous time after randomisation: the patient's
exit time ``T`` solves ``H(T) = E`` with ``E`` a unit exponential (from the patient's own
uniform) and ``H`` the piecewise-linear cumulative hazard through the visits; a visit ``t_j``
is observed iff ``t_j < T`` (month 0 and the lead-in always). Death has its own constant
monthly hazard and ends the scores too.

Each candidate's draws come from its own stream (see :mod:`designs.simulation.rng`) in a fixed
order: one normal pair for the random effects, one pair for delta-FS (only when the design screens
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

import math

import numpy as np
from numba import njit

from designs.simulation.layout import (
    COMPLETED,
    DIED,
    DROPPED_OUT,
    P_BASELINE_MEAN,
    P_BASELINE_SD,
    P_CORR,
    P_CORR_COMPLEMENT,
    P_CURVED,
    P_DEATH_HAZARD,
    P_DEATH_INFORMATIVE,
    P_DEATH_SCALE,
    P_DFS_CORR,
    P_DFS_LOG_MEAN,
    P_DFS_LOG_SD,
    P_DFS_MAX,
    P_DFS_MIN,
    P_DROPOUT_INFORMATIVE,
    P_DROPOUT_SCALE,
    P_EFFECT_COURSE,
    P_EFFECT_SD,
    P_INTEGER,
    P_LEAD_DECLINE_MAX,
    P_LEAD_DECLINE_MIN,
    P_MAX_SCREEN,
    P_RESIDUAL_SD,
    P_SCREEN_DFS,
    P_SCREEN_LEAD,
    P_SLOPE_MEAN,
    P_SLOPE_SD,
    SCORE_CEILING,
    SCORE_FLOOR,
)
from designs.simulation.linear_arm import (
    exit_time,
    linear_scores_and_sums,
    simulate_linear_arm,
)
from designs.simulation.rng import (
    next_normal_pair,
    next_uniform,
    patient_stream,
    skip_draws,
)


@njit(cache=True, inline="always")
def max_candidates_per_arm(params, n_arm):
    """Candidates an arm may screen before the trial is marked failed."""
    return int(params[P_MAX_SCREEN] * n_arm) + 1000


@njit(cache=True)
def scheduled_sums(y, n_lead, visits, m_arm, n_arm, sums_out):
    """Each patient's sums over the observed scheduled visits: rows 0-2 of ``sums_out``
    receive sum y, sum t y and sum y^2 (points, point-months, points^2).

    The loops run across patients (SIMD lanes when ``y`` is visit-major, as
    :func:`arm_scratch_sums` makes it); each lane adds its patient's visits in time order,
    which gives exactly the numbers of a loop over one patient's visits.
    """
    for p in range(n_arm):
        sums_out[0, p] = 0.0
        sums_out[1, p] = 0.0
        sums_out[2, p] = 0.0
    for j in range(visits.shape[0]):
        t = visits[j]
        for p in range(n_arm):
            yj = y[p, n_lead + j]
            keep = j < m_arm[p]
            sy = sums_out[0, p] + yj
            sty = sums_out[1, p] + t * yj
            yy = sums_out[2, p] + yj * yj
            sums_out[0, p] = sy if keep else sums_out[0, p]
            sums_out[1, p] = sty if keep else sums_out[1, p]
            sums_out[2, p] = yy if keep else sums_out[2, p]


@njit(cache=True)
def simulate_arm(
    arm_key, n_arm, is_active, effect_shift, visits_all, n_lead, curve, effect_course,
    cum_hazard, params, y, m_out, exit_out, status_out, slope_out, dfs_out, sums_out=None,
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
    effect_course : float64[L + V]
        Months of full effect accumulated by each visit (used only when
        ``params[P_EFFECT_COURSE]`` is set: an active patient's trajectory is then the
        natural one plus ``(s - s_natural) * effect_course``).
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
    sums_out : float64[4 or 6, >= n_arm], optional
        Rows 0-2 receive the patient's sum y, sum t y and sum y^2 over the ``m`` observed
        scheduled visits (:func:`scheduled_sums`); row 3 is scratch; with 6 rows, rows 4-5
        receive the sum y and sum t y of the unrounded scores on the linear model without
        lead-in (:func:`~designs.simulation.linear_arm.linear_scores_and_sums`; otherwise
        not written). With it, the linear
        model without lead-in screening turns the residual draws into scores in one pass
        across patients after the candidate loop, and without any screening the whole arm
        runs in passes across patients
        (:func:`designs.simulation.linear_arm.simulate_linear_arm`; fastest when ``y`` is
        visit-major: :func:`arm_scratch_sums`). The numbers are the same with or without it.

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
    course = is_active and params[P_EFFECT_COURSE] > 0.5
    linear = n_lead == 0 and params[P_CURVED] < 0.5 and not course
    integer = params[P_INTEGER] > 0.5
    sd_e = params[P_RESIDUAL_SD]
    # With sums_out, the linear model without lead-in screening draws each patient's
    # residuals here and turns them into scores in one pass across patients afterwards;
    # without any screening the whole arm runs in passes across patients.
    deferred = linear and params[P_SCREEN_LEAD] < 0.5 and sums_out is not None
    if sums_out is not None:
        if deferred and params[P_SCREEN_DFS] < 0.5:
            return simulate_linear_arm(
                arm_key, n_arm, is_active, effect_shift, visits_all, cum_hazard, params, y,
                m_out, exit_out, status_out, slope_out, dfs_out, sums_out,
            )  # fmt: skip
    # Without informative exits every patient's probability of staying to the last visit is
    # the same: computed once (the same expressions as per patient below).
    stay_drop = math.exp(-(cum_hazard[n_visits - 1] * params[P_DROPOUT_SCALE]))
    stay_death = math.exp(-(params[P_DEATH_HAZARD] * params[P_DEATH_SCALE]) * last)
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
                if params[P_DROPOUT_INFORMATIVE] != 0.0:
                    stay_drop = math.exp(-h_last)
                if u_drop > stay_drop:
                    t_drop = exit_time(
                        -math.log(u_drop) / drop_mult, visits_all[n_lead:], cum_hazard
                    )
            t_death = math.inf
            if hazard_death > 0.0:
                _, u_death = next_uniform(skip_draws(exit_state, 1))
                if params[P_DEATH_INFORMATIVE] != 0.0:
                    stay_death = math.exp(-hazard_death * last)
                if u_death > stay_death:
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
            if deferred:  # linear, no lead-in: the common case (scores after the loop)
                for k in range(0, n_obs, 2):
                    state, e1, e2 = next_normal_pair(state)
                    y[p, k] = e1
                    if k + 1 < n_obs:
                        y[p, k + 1] = e2
                if sums_out is not None:
                    sums_out[3, p] = a
            elif linear:
                for k in range(0, n_obs, 2):
                    state, e1, e2 = next_normal_pair(state)
                    y[p, k] = (a + s * visits_all[k]) + sd_e * e1
                    if k + 1 < n_obs:
                        y[p, k + 1] = (a + s * visits_all[k + 1]) + sd_e * e2
            elif course:  # natural decline plus the benefit accumulated so far
                gain = s - s_natural
                for k in range(0, n_obs, 2):
                    state, e1, e2 = next_normal_pair(state)
                    y[p, k] = (
                        a + s_natural * visits_all[k] + gain * effect_course[k] + curve[k]
                    ) + sd_e * e1
                    if k + 1 < n_obs:
                        y[p, k + 1] = (
                            a
                            + s_natural * visits_all[k + 1]
                            + gain * effect_course[k + 1]
                            + curve[k + 1]
                        ) + sd_e * e2
            else:
                for k in range(0, n_obs, 2):
                    state, e1, e2 = next_normal_pair(state)
                    slope_k = s_natural if k < n_lead else s
                    y[p, k] = (a + slope_k * visits_all[k] + curve[k]) + sd_e * e1
                    if k + 1 < n_obs:
                        slope_k = s_natural if k + 1 < n_lead else s
                        y[p, k + 1] = (a + slope_k * visits_all[k + 1] + curve[k + 1]) + sd_e * e2
            if integer and not deferred:
                for k in range(n_obs):
                    y[p, k] = min(max(math.floor(y[p, k] + 0.5), SCORE_FLOOR), SCORE_CEILING)
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
    if sums_out is not None:
        if deferred:
            linear_scores_and_sums(y, visits_all, params, m_out, slope_out, n_arm, sums_out)
        else:
            scheduled_sums(y, n_lead, visits_all[n_lead:], m_out, n_arm, sums_out)
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
def simulate_arm_sums(
    arm_key, n_arm, is_active, effect_shift, visits_all, n_lead, curve, effect_course,
    cum_hazard, params, y, m_out, exit_out, status_out, slope_out, dfs_out, sums_out,
):  # fmt: skip
    """:func:`simulate_arm` with ``sums_out``, on the scratch of :func:`arm_scratch_sums`:
    the engine's kernel (its own compiled specialisation, apart from the calls without
    sums)."""
    return simulate_arm(
        arm_key, n_arm, is_active, effect_shift, visits_all, n_lead, curve, effect_course,
        cum_hazard, params, y, m_out, exit_out, status_out, slope_out, dfs_out, sums_out,
    )  # fmt: skip


@njit(cache=True)
def arm_scratch_sums(n_max, n_all, sums_rows=4):
    """:func:`arm_scratch` with ``y`` visit-major (a transposed view: ``y[p, k]`` still
    indexes patient ``p``, visit ``k``, but a visit's patients are adjacent, so loops across
    patients use SIMD lanes), followed by ``sums_out`` (float64[sums_rows, n_max]: 4, or 6
    to keep the unrounded sums of the oracle) for :func:`simulate_arm`."""
    return (
        np.empty((n_all, n_max)).T,
        np.empty(n_max, dtype=np.int64),
        np.empty(n_max),
        np.empty(n_max, dtype=np.int64),
        np.empty(n_max),
        np.empty(n_max),
        np.empty((sums_rows, n_max)),
    )
