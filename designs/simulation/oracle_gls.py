"""The oracle's GLS of one trial from its per-pattern sums (pure kernels).

:mod:`designs.simulation.oracle` says what the oracle is and when it is exact; these are the
numbers: the 2x2 Woodbury steps per (arm, visit pattern) and the 4x4 information of the
fixed effects (intercept, month, arm, arm x month), called from the engine's trial loop
(:func:`designs.simulation.kernels.simulate_block`) or from the oracle's own block kernel.
"""

import math

import numpy as np
from numba import njit

from designs.simulation.layout import (
    P_BASELINE_SD,
    P_CORR,
    P_EFFECT_SD,
    P_RESIDUAL_SD,
    P_SLOPE_SD,
)

#: Columns of the oracle's per-trial output.
O_Z = 0  # the oracle's z statistic of the change of slope
O_MU = 1  # its mean given the trial's visit patterns, effect / SE_P
N_ORACLE = 2


@njit(cache=True)
def add_oracle_groups(group, base, m_arm, sums_arm, row, n_arm):
    """Add one arm's patients to the oracle's group sums: ``group[base + m - 1]`` holds
    (patients, sum y, sum t y) of the patients observed at the first ``m`` visits, from rows
    ``row`` and ``row + 1`` of ``sums_arm`` (unrounded scores; points, point-months)."""
    for p in range(n_arm):
        g = base + m_arm[p] - 1
        group[g, 0] += 1.0
        group[g, 1] += sums_arm[row, p]
        group[g, 2] += sums_arm[row + 1, p]


@njit(cache=True)
def _pattern_weights(params, is_active, ztz):
    """For one arm and one visit pattern (``ztz`` = m, sum t, sum t^2 of its visits): the
    2x2 matrices ``L`` with ``Z'V^-1 y = L Z'y`` and ``W = Z'V^-1 Z = L Z'Z``, as
    (w00, w01, w11, l00, l01, l10, l11).

    ``Z'V^-1 = (Z'Z D + sigma^2 I)^-1 Z'`` (push-through: ``(Z'Z D + sigma^2 I) Z' = Z' V``),
    so ``L = (Z'Z D + sigma^2 I)^-1``, which exists for any covariance ``D`` of the random
    effects, a singular one (no slope variance, a correlation of +-1) included, when
    ``sigma > 0``.
    """
    sd_a = params[P_BASELINE_SD]
    sd_s = params[P_SLOPE_SD]
    d00 = sd_a * sd_a
    d01 = params[P_CORR] * sd_a * sd_s
    d11 = sd_s * sd_s
    if is_active:
        d11 += params[P_EFFECT_SD] * params[P_EFFECT_SD]
    s2 = params[P_RESIDUAL_SD] * params[P_RESIDUAL_SD]
    # A = Z'Z D + s2 I
    a00 = ztz[0] * d00 + ztz[1] * d01 + s2
    a01 = ztz[0] * d01 + ztz[1] * d11
    a10 = ztz[1] * d00 + ztz[2] * d01
    a11 = ztz[1] * d01 + ztz[2] * d11 + s2
    det = a00 * a11 - a01 * a10
    l00 = a11 / det
    l01 = -a01 / det
    l10 = -a10 / det
    l11 = a00 / det
    # W = L Z'Z (symmetric)
    w00 = l00 * ztz[0] + l01 * ztz[1]
    w01 = l00 * ztz[1] + l01 * ztz[2]
    w11 = l10 * ztz[1] + l11 * ztz[2]
    return w00, w01, w11, l00, l01, l10, l11


@njit(cache=True)
def _last_row_of_inverse(work):
    """Row 3 of the inverse of the symmetric 4x4 ``work[:, :4]`` into ``work[:, 6]``
    (Gaussian elimination with partial pivoting on ``info x = e_3``, in place: ``work[:, :4]``
    and ``work[:, 5]`` are overwritten); False when a pivot is not above 1e-12 times the
    largest entry (the information is singular: an arm with nobody, or no patient with two
    visits)."""
    scale = 0.0
    for i in range(4):
        work[i, 5] = 1.0 if i == 3 else 0.0
        for j in range(4):
            scale = max(scale, abs(work[i, j]))
    if not scale > 0.0:
        return False
    for k in range(4):
        piv = k
        for i in range(k + 1, 4):
            if abs(work[i, k]) > abs(work[piv, k]):
                piv = i
        if not abs(work[piv, k]) > 1e-12 * scale:
            return False
        if piv != k:
            for j in range(4):
                work[k, j], work[piv, j] = work[piv, j], work[k, j]
            work[k, 5], work[piv, 5] = work[piv, 5], work[k, 5]
        for i in range(k + 1, 4):
            f = work[i, k] / work[k, k]
            for j in range(k, 4):
                work[i, j] -= f * work[k, j]
            work[i, 5] -= f * work[k, 5]
    for i in range(3, -1, -1):
        acc = work[i, 5]
        for j in range(i + 1, 4):
            acc -= work[i, j] * work[j, 6]
        work[i, 6] = acc / work[i, i]
    return True


@njit(cache=True)
def oracle_z(params, effect, ztz_prefix, curve_prefix, group, out, work):
    """The oracle's z and ``mu_P`` of one trial from its group sums.

    ``group[arm * V + m - 1]`` holds (patients, sum of their sum y, sum of their sum t y) on
    the latent scores for the patients of ``arm`` observed at the first ``m`` visits;
    ``curve_prefix[m - 1]`` the sums of ``c(t)`` and ``t c(t)`` over those visits (points,
    point-months), subtracted so that the mean is linear. ``work`` (float64[4, 7]) is scratch:
    the information of (intercept, month, arm, arm x month) in columns 0-3, the score in
    column 4. Writes ``out[O_Z]``, ``out[O_MU]``; NaN when the information is singular.
    """
    v = ztz_prefix.shape[0]
    for i in range(4):
        for j in range(5):
            work[i, j] = 0.0
    for arm in range(2):
        n_cols = 4 if arm == 1 else 2
        for mi in range(v):
            g = arm * v + mi
            n_g = group[g, 0]
            if n_g == 0.0:
                continue
            w00, w01, w11, l00, l01, l10, l11 = _pattern_weights(params, arm == 1, ztz_prefix[mi])
            s0 = group[g, 1] - n_g * curve_prefix[mi, 0]
            s1 = group[g, 2] - n_g * curve_prefix[mi, 1]
            u0 = l00 * s0 + l01 * s1
            u1 = l10 * s0 + l11 * s1
            # X = Z A: columns (intercept, month, arm, arm x month) take Z's columns
            # (0, 1, 0, 1) on active and (0, 1) on placebo.
            for i in range(n_cols):
                work[i, 4] += u0 if i % 2 == 0 else u1
                for j in range(n_cols):
                    both = (i % 2) + (j % 2)
                    work[i, j] += n_g * (w00 if both == 0 else (w01 if both == 1 else w11))
    score = 0.0  # the row of the inverse times the score, once the elimination is done
    if not _last_row_of_inverse(work) or not work[3, 6] > 0.0:
        out[O_Z] = math.nan
        out[O_MU] = math.nan
        return
    for j in range(4):
        score += work[j, 6] * work[j, 4]
    se = math.sqrt(work[3, 6])
    out[O_Z] = score / se
    out[O_MU] = effect / se


@njit(cache=True)
def curve_prefix_sums(visits, curve):
    """Sums of ``c(t)`` and ``t c(t)`` over the first m = 1..V scheduled visits, shape (V, 2)."""
    v = visits.shape[0]
    out = np.empty((v, 2))
    c0 = 0.0
    c1 = 0.0
    for j in range(v):
        c0 += curve[j]
        c1 += visits[j] * curve[j]
        out[j, 0] = c0
        out[j, 1] = c1
    return out
