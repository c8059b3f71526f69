"""The oracle test of each simulated trial: a control variate for power.

Beside each trial's analyses, the oracle estimates the change of slope (points/month) by
generalised least squares on the same patients' *latent* scores (before rounding and
clipping) at the visits each patient was observed, with the true covariance of the design,
and the fixed effects of ``lmm_slope`` (intercept, month, arm, arm x month):

    y_i = X_i beta + Z_i b_i + e_i,  X_i = [1, t, arm, arm t],  Z_i = [1, t],
    V_i = Z_i D_arm Z_i' + sigma^2 I,

``D_arm`` the covariance of (intercept, slope) on that arm (the slope variance plus
``effect.sd^2`` on active) and ``sigma`` the residual SD. Given which visits were observed
(the trial's visit patterns ``P``), the estimate is Gaussian with a variance known exactly,
so its z statistic is exactly ``N(mu_P, 1)`` with ``mu_P = effect / SE_P``, provided the exits
do not depend on the scores: then ``1{z > c} - Phi(mu_P - c)`` (and smooth functions of
``z`` with a closed-form mean) have mean exactly 0 and correlate with the trial's own test.
:mod:`designs.planning.control_variate` turns them into a power estimate with a smaller Monte
Carlo error (Glasserman 2004, section 4.1; reference 74 of ``docs/references.md``).

It is exact only for designs in which nothing that decides who is observed depends on the
scores or slopes (:func:`oracle_exact`): informative dropout or death, screening on
delta-FS or on the lead-in decline, and an effect time course are outside it. The curvature
of the mean trajectory is known and subtracted. On the linear model without lead-in the
engine's trial loop keeps each patient's unrounded sums beside the rounded ones and computes
the oracle itself (:func:`fused_row`); with a lead-in or a curved mean and integer scores,
:func:`oracle_block` simulates the latent scores again from the same streams
(:func:`designs.simulation.patients.simulate_arm_sums` with integer scores off: the same
patients, draws and exits). Either way the analyses' numbers are untouched; the GLS itself is
:mod:`designs.simulation.oracle_gls`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from designs.simulation.kernels import visit_prefix_sums
from designs.simulation.layout import (
    P_CURVED,
    P_DEATH_HAZARD,
    P_DEATH_INFORMATIVE,
    P_DEATH_SCALE,
    P_DROPOUT_INFORMATIVE,
    P_EFFECT_COURSE,
    P_INTEGER,
    P_RESIDUAL_SD,
    P_SCREEN_DFS,
    P_SCREEN_LEAD,
)
from designs.simulation.oracle_gls import (
    N_ORACLE,
    O_MU,
    O_Z,
    add_oracle_groups,
    curve_prefix_sums,
    oracle_z,
)
from designs.simulation.patients import arm_scratch_sums, simulate_arm_sums
from designs.simulation.rng import arm_stream_key

__all__ = ["N_ORACLE", "O_MU", "O_Z", "fused_row", "oracle_block", "oracle_exact"]


def oracle_exact(params_rows: np.ndarray) -> bool:
    """True when the oracle's z is exactly ``N(mu_P, 1)`` given the visit patterns for every
    row of population parameters: no informative dropout or death, no screening, no effect
    time course, and a positive residual SD."""
    p = np.atleast_2d(params_rows)
    death = p[:, P_DEATH_HAZARD] * p[:, P_DEATH_SCALE]
    informative = (p[:, P_DROPOUT_INFORMATIVE] != 0.0) | (
        (death > 0.0) & (p[:, P_DEATH_INFORMATIVE] != 0.0)
    )
    screens = (p[:, P_SCREEN_DFS] > 0.5) | (p[:, P_SCREEN_LEAD] > 0.5)
    course = p[:, P_EFFECT_COURSE] > 0.5
    return bool(np.all(~informative & ~screens & ~course & (p[:, P_RESIDUAL_SD] > 0.0)))


def fused_row(params_rows: np.ndarray, n_lead: int) -> int:
    """Where the engine's own trial loop finds each patient's unrounded sums: rows 0-1 of
    the arm sums when the scores are not rounded (they are the unrounded ones), else rows
    4-5 on the linear model without lead-in (a pass of the linear arm writes them); -1
    otherwise, and then :func:`oracle_block` simulates the latent scores again."""
    p = np.atleast_2d(params_rows)
    if np.all(p[:, P_INTEGER] < 0.5):
        return 0
    if n_lead == 0 and np.all(p[:, P_CURVED] < 0.5):
        return 4
    return -1


@njit(cache=True, parallel=True)
def oracle_block(
    key, first_trial, n_placebo, n_active, effect_by_trial, visits_all, n_lead, curve,
    effect_course, cum_hazard, params_rows, chunk, out,
):  # fmt: skip
    """The oracle of trials ``first_trial .. first_trial + len(effect_by_trial) - 1``
    (arguments as :func:`designs.simulation.kernels.simulate_block`): ``out[b]`` receives
    (z, mu_P) of trial ``b`` of the block (``O_Z``, ``O_MU``)."""
    n_trials = effect_by_trial.shape[0]
    n_all = visits_all.shape[0]
    v = n_all - n_lead
    visits = visits_all[n_lead:]
    ztz_prefix = visit_prefix_sums(visits)
    curve_prefix = curve_prefix_sums(visits, curve[n_lead:])
    n_chunks = (n_trials + chunk - 1) // chunk
    for c in prange(n_chunks):
        y_arm, m_arm, exit_arm, status_arm, slope_arm, dfs_arm, sums_arm = arm_scratch_sums(
            max(n_placebo, n_active), n_all
        )
        group = np.empty((2 * v, 3))
        work = np.empty((4, 7))
        latent = np.empty(params_rows.shape[1])
        for b in range(c * chunk, min((c + 1) * chunk, n_trials)):
            row = b if params_rows.shape[0] > 1 else 0
            latent[:] = params_rows[row]
            latent[P_INTEGER] = 0.0  # the same patients and draws, scores not rounded
            group[:, :] = 0.0
            for arm in range(2):
                n_arm = n_placebo if arm == 0 else n_active
                simulate_arm_sums(
                    arm_stream_key(key, first_trial + b, arm), n_arm, arm == 1,
                    effect_by_trial[b], visits_all, n_lead, curve, effect_course, cum_hazard,
                    latent, y_arm, m_arm, exit_arm, status_arm, slope_arm, dfs_arm, sums_arm,
                )  # fmt: skip
                add_oracle_groups(group, arm * v, m_arm, sums_arm, 0, n_arm)
            oracle_z(latent, effect_by_trial[b], ztz_prefix, curve_prefix, group, out[b], work)
