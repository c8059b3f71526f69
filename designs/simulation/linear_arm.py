"""One arm of the linear model in passes across patients (the engine's common case).

Without lead-in, curvature, effect time course or screening, every patient of an arm is
simulated by the same few steps, so :func:`simulate_linear_arm` takes them one at a time
across all patients: the stream states, the random-effects pairs, the exits, then the
residuals visit pair by visit pair, then the scores and their sums. Each loop over patients is
short and the same for every patient, so the 64-bit hashes of the streams run in SIMD lanes
(:func:`designs.simulation.rng.advance_streams`), the scores and sums too, and the
unpredictable branches of a patient's exit are taken only by the patients who leave.

Each patient still has its own stream and takes its draws in the order of
:mod:`designs.simulation.patients` (random-effects pair, effect pair when ``effect_sd > 0``,
the dropout and death uniforms, then the residuals in pairs), with the same arithmetic, so
every number equals that of :func:`designs.simulation.patients.simulate_arm`'s per-patient
loop. Only the order of the work across patients changes (patients' streams are independent).
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
    P_DEATH_HAZARD,
    P_DEATH_INFORMATIVE,
    P_DEATH_SCALE,
    P_DROPOUT_INFORMATIVE,
    P_DROPOUT_SCALE,
    P_EFFECT_SD,
    P_INTEGER,
    P_RESIDUAL_SD,
    P_SLOPE_MEAN,
    P_SLOPE_SD,
    SCORE_CEILING,
    SCORE_FLOOR,
)
from designs.simulation.rng import (
    advance_streams,
    next_normal_pair,
    next_uniform,
    normal_pair_from_bits,
    patient_stream,
    skip_draws,
)


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


@njit(cache=True)
def linear_scores_and_sums(y, visits, params, m_arm, slope_arm, n_arm, sums_out):
    """Scores of the linear model from the residual draws ``y`` holds, and their sums.

    On entry ``y[p, k]`` is patient ``p``'s standard-normal residual draw of visit ``k`` and
    ``sums_out[3, p]`` its intercept (points); on exit ``y`` holds the scores (rounded and
    clipped when the design has integer scores) and rows 0-2 of ``sums_out`` the sum y, sum t y
    and sum y^2 over the patient's ``m_arm[p]`` observed visits (points, point-months,
    points^2). One pass across patients (SIMD lanes on visit-major ``y``) with the arithmetic
    of a per-patient loop over the visits in time order, so the numbers are identical. Visits
    after a patient's last observed one are computed from scratch values and never read.
    When ``sums_out`` has 6 rows, a pass before it puts the sum y and sum t y of the
    unrounded scores in rows 4-5 (the oracle's, :mod:`designs.simulation.oracle`): a pass of
    its own, so that without it the scores' loop is the one it was.
    """
    integer = params[P_INTEGER] > 0.5
    sd_e = params[P_RESIDUAL_SD]
    if sums_out.shape[0] > 4:  # the oracle's sums, from the draws before they become scores
        for p in range(n_arm):
            sums_out[4, p] = 0.0
            sums_out[5, p] = 0.0
        for k in range(visits.shape[0]):
            t = visits[k]
            for p in range(n_arm):
                latent = (sums_out[3, p] + slope_arm[p] * t) + sd_e * y[p, k]
                keep = k < m_arm[p]
                ly = sums_out[4, p] + latent
                lty = sums_out[5, p] + t * latent
                sums_out[4, p] = ly if keep else sums_out[4, p]
                sums_out[5, p] = lty if keep else sums_out[5, p]
    for p in range(n_arm):
        sums_out[0, p] = 0.0
        sums_out[1, p] = 0.0
        sums_out[2, p] = 0.0
    for k in range(visits.shape[0]):
        t = visits[k]
        for p in range(n_arm):
            yk = (sums_out[3, p] + slope_arm[p] * t) + sd_e * y[p, k]
            if integer:
                yk = min(max(math.floor(yk + 0.5), SCORE_FLOOR), SCORE_CEILING)
            y[p, k] = yk
            keep = k < m_arm[p]
            sy = sums_out[0, p] + yk
            sty = sums_out[1, p] + t * yk
            yy = sums_out[2, p] + yk * yk
            sums_out[0, p] = sy if keep else sums_out[0, p]
            sums_out[1, p] = sty if keep else sums_out[1, p]
            sums_out[2, p] = yy if keep else sums_out[2, p]


@njit(cache=True)
def _random_effects(states, bits, n_arm, is_active, effect_shift, params, slope_out, sums_out):
    """Each patient's intercept (points, to ``sums_out[3]``) and slope on treatment
    (points/month, to ``slope_out``) from the first pair of its stream (and the effect pair
    when ``effect_sd > 0`` on the active arm); ``states`` move past these draws."""
    advance_streams(states, bits, n_arm)
    b_mean = params[P_BASELINE_MEAN]
    b_sd = params[P_BASELINE_SD]
    corr = params[P_CORR]
    corr_c = params[P_CORR_COMPLEMENT]
    s_mean = params[P_SLOPE_MEAN]
    s_sd = params[P_SLOPE_SD]
    effect_sd = params[P_EFFECT_SD]
    for p in range(n_arm):
        state, z1, z2 = normal_pair_from_bits(states[p], bits[p])
        sums_out[3, p] = b_mean + b_sd * z1
        z_s = corr * z1 + corr_c * z2
        s = s_mean + s_sd * z_s
        if is_active:
            s += effect_shift
            if effect_sd > 0.0:
                state, z3, _ = next_normal_pair(state)
                s += effect_sd * z3
        slope_out[p] = s
        states[p] = state


@njit(cache=True)
def _exits(states, n_arm, visits, cum_hazard, params, slope_out, m_out, exit_out, status_out):
    """Each patient's exit (month, status, observed visits) from its dropout and death
    uniforms, the next two draws of ``states`` (which are not moved).

    Without informative exits, the uniforms of all patients are drawn in one loop and only
    the patients whose uniform passes a hazard's stay probability (those who may leave before
    the last visit) go through the exit-time arithmetic; the others complete.
    """
    n_visits = visits.shape[0]
    last = visits[n_visits - 1]
    for p in range(n_arm):
        m_out[p] = n_visits
        exit_out[p] = math.inf
        status_out[p] = COMPLETED
    drop_scale = params[P_DROPOUT_SCALE]
    beta_drop = params[P_DROPOUT_INFORMATIVE]
    beta_death = params[P_DEATH_INFORMATIVE]
    hazard_death_0 = params[P_DEATH_HAZARD] * params[P_DEATH_SCALE]
    h_last_0 = cum_hazard[n_visits - 1] * drop_scale
    informative = beta_drop != 0.0 or (hazard_death_0 > 0.0 and beta_death != 0.0)
    if not (informative or h_last_0 > 0.0 or hazard_death_0 > 0.0):
        return
    # Probabilities of staying to the last visit, the same for every patient unless the
    # exits are informative (then computed per patient below).
    stay_drop = math.exp(-(cum_hazard[n_visits - 1] * drop_scale))
    stay_death = math.exp(-hazard_death_0 * last)
    u_drop = np.empty(n_arm)
    u_death = np.empty(n_arm)
    leavers = np.empty(n_arm, dtype=np.int64)
    for p in range(n_arm):
        _, u_drop[p] = next_uniform(states[p])
        _, u_death[p] = next_uniform(skip_draws(states[p], 1))
    n_leavers = 0
    for p in range(n_arm):  # the patients who may leave, without a branch per patient
        leavers[n_leavers] = p
        may_leave = ((h_last_0 > 0.0) & (u_drop[p] > stay_drop)) | (
            (hazard_death_0 > 0.0) & (u_death[p] > stay_death)
        )
        n_leavers += informative | may_leave
    last_hazard = cum_hazard[n_visits - 1]
    for i in range(n_leavers):
        p = leavers[i]
        # Informative exits: the hazards are multiplied by exp(beta (slope_mean - s)).
        faster = params[P_SLOPE_MEAN] - slope_out[p]
        drop_mult = drop_scale
        if beta_drop != 0.0:
            drop_mult *= math.exp(beta_drop * faster)
        hazard_death = hazard_death_0
        if hazard_death > 0.0 and beta_death != 0.0:
            hazard_death *= math.exp(beta_death * faster)
        # A unit exponential E = -log(u) exceeds H(last) iff u < exp(-H(last)).
        t_drop = math.inf
        h_last = last_hazard * drop_mult
        if h_last > 0.0:
            stay = math.exp(-h_last) if beta_drop != 0.0 else stay_drop
            if u_drop[p] > stay:
                energy = -math.log(u_drop[p]) / drop_mult
                if energy < last_hazard:  # exit_time's arithmetic, without a call per patient
                    j = 1  # the first visit with energy < cum_hazard[j] (non-decreasing)
                    for jj in range(1, n_visits - 1):
                        j += cum_hazard[jj] <= energy
                    h0 = cum_hazard[j - 1]
                    frac = (energy - h0) / (cum_hazard[j] - h0)
                    t_drop = visits[j - 1] + frac * (visits[j] - visits[j - 1])
        t_death = math.inf
        if hazard_death > 0.0:
            stay = math.exp(-hazard_death * last) if beta_death != 0.0 else stay_death
            if u_death[p] > stay:
                t_death = -math.log(u_death[p]) / hazard_death
        t_exit = min(t_drop, t_death)
        if t_exit < last:
            status_out[p] = DIED if t_death < t_drop else DROPPED_OUT
            exit_out[p] = t_exit
            m = 1  # the first visit at or after the exit (visits strictly increasing)
            for j in range(1, n_visits):
                m += visits[j] < t_exit
            m_out[p] = m


@njit(cache=True)
def _residual_draws(states, bits, n_arm, n_visits, y):
    """Each patient's standard-normal residual draws of all visits into ``y[p, :n_visits]``,
    in pairs, visit pair by visit pair across patients (a visit's patients are adjacent in
    visit-major ``y``). Visits after a patient's exit are drawn too, as scratch: a branch per
    patient and pair would cost more than the draws."""
    for k in range(0, n_visits - 1, 2):
        advance_streams(states, bits, n_arm)
        for p in range(n_arm):
            state, e1, e2 = normal_pair_from_bits(states[p], bits[p])
            states[p] = state
            y[p, k] = e1
            y[p, k + 1] = e2
    if n_visits % 2 == 1:  # the last visit takes the first half of a pair
        k = n_visits - 1
        advance_streams(states, bits, n_arm)
        for p in range(n_arm):
            _, e1, _ = normal_pair_from_bits(states[p], bits[p])
            y[p, k] = e1


@njit(cache=True)
def simulate_linear_arm(
    arm_key, n_arm, is_active, effect_shift, visits, cum_hazard, params, y, m_out, exit_out,
    status_out, slope_out, dfs_out, sums_out,
):  # fmt: skip
    """:func:`designs.simulation.patients.simulate_arm` with ``sums_out`` for the linear
    model without lead-in, effect time course or screening, in passes across patients.

    ``visits`` are the scheduled visit months (no lead-in); the other arguments and the
    outputs are those of ``simulate_arm`` (``dfs_out`` all NaN). Returns ``n_arm``, the
    candidates screened.
    """
    streams = np.empty((2, n_arm), dtype=np.uint64)
    states = streams[0]
    bits = streams[1]
    for p in range(n_arm):
        states[p] = patient_stream(arm_key, p)
    _random_effects(states, bits, n_arm, is_active, effect_shift, params, slope_out, sums_out)
    _exits(states, n_arm, visits, cum_hazard, params, slope_out, m_out, exit_out, status_out)
    for p in range(n_arm):
        states[p] = skip_draws(states[p], 2)  # past the dropout and death uniforms
        dfs_out[p] = math.nan
    _residual_draws(states, bits, n_arm, visits.shape[0], y)
    linear_scores_and_sums(y, visits, params, m_out, slope_out, n_arm, sums_out)
    return n_arm
