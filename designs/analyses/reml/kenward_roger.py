"""Kenward-Roger small-sample inference for ``lmm_slope`` (real-data path, NumPy).

Kenward & Roger (1997, Biometrics 53:983-997): the covariance of the fixed effects is
inflated for the uncertainty of the estimated variance components, and the Wald statistic
is referred to a t (F with one numerator df) whose degrees of freedom match the first two
moments of the adjusted statistic. Implemented as R's pbkrtest does (``vcovAdj`` and
``Lb_ddf``, Halekoh & Hojsgaard 2014, J Stat Softw 59(9)): the covariance parameters are
the entries of ``D`` (d11, d12, d22, points^2, points^2/month, (points/month)^2) and the
residual variance ``sigma^2`` (points^2), in which ``V_i = Z_i D Z_i' + sigma^2 I`` is
linear, so the second-derivative term of Kenward and Roger vanishes.

This module computes per patient with explicit matrices (visit counts of a few dozen at
most); it is not a Numba kernel and the engine does not call it (see
:func:`designs.analyses.lmm_slope.fit_data`, ``df_method="kenward-roger"``). The engine's
``lmm_slope_kr`` computes the same on grouped statistics
(:mod:`designs.analyses.reml.kenward_roger_grouped`), tested against this module.
"""

from __future__ import annotations

import numpy as np

#: Fixed effects of lmm_slope, in this order: intercept, month, arm, arm x month.
ARM_X_MONTH = 3


def _parameter_matrices(z):
    """dV/d(d11, d12, d22, sigma^2) for one patient with random-effects design ``z`` (m x 2)."""
    z0 = z[:, :1]
    z1 = z[:, 1:]
    return (
        z0 @ z0.T,
        z0 @ z1.T + z1 @ z0.T,
        z1 @ z1.T,
        np.eye(z.shape[0]),
    )


def kenward_roger(patient_arm, patient_months, sigma2, d, contrast=ARM_X_MONTH):
    """Kenward-Roger adjusted variance and degrees of freedom of one fixed effect.

    Parameters
    ----------
    patient_arm : sequence of int
        Arm of each patient (0 placebo, 1 active).
    patient_months : sequence of 1-D arrays
        Visit months of each patient (months; the visits that enter the fit).
    sigma2 : float
        REML residual variance, points^2.
    d : array (2, 2)
        REML covariance of the random intercept (points) and slope (points/month).
    contrast : int
        Index of the fixed effect tested (default arm x month).

    Returns
    -------
    (float, float, float)
        Unadjusted variance (``Phi``), Kenward-Roger adjusted variance (``Phi_A``), both in
        the effect's units squared, and the Kenward-Roger denominator degrees of freedom.
    """
    d = np.asarray(d, dtype=np.float64)
    p, k = 4, 4
    xvx = np.zeros((p, p))
    pk = np.zeros((k, p, p))
    qkl = np.zeros((k, k, p, p))
    tkl = np.zeros((k, k))
    for a, t in zip(patient_arm, patient_months, strict=True):
        t = np.asarray(t, dtype=np.float64)
        z = np.column_stack([np.ones_like(t), t])
        x = np.column_stack([z, a * z])
        vinv = np.linalg.inv(z @ d @ z.T + sigma2 * np.eye(t.size))
        vx = vinv @ x
        xvx += x.T @ vx
        g = _parameter_matrices(z)
        vg = [vinv @ gk for gk in g]
        for i in range(k):
            pk[i] += vx.T @ g[i] @ vx
            for j in range(k):
                qkl[i, j] += vx.T @ g[i] @ vg[j] @ vx
                tkl[i, j] += np.sum(vg[i] * vg[j].T)
    phi = np.linalg.inv(xvx)
    info = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            info[i, j] = (
                tkl[i, j] - 2.0 * np.trace(phi @ qkl[i, j]) + np.trace(phi @ pk[i] @ phi @ pk[j])
            )
    w = 2.0 * np.linalg.pinv(info)
    u = np.zeros((p, p))
    for i in range(k):
        for j in range(k):
            u += w[i, j] * (qkl[i, j] - pk[i] @ phi @ pk[j])
    phi_a = phi + 2.0 * phi @ u @ phi
    # Degrees of freedom for L = e_contrast (pbkrtest's Lb_ddf with q = 1).
    ell = np.zeros((1, p))
    ell[0, contrast] = 1.0
    theta = ell.T @ ell / (ell @ phi @ ell.T)[0, 0]
    uk = [theta @ phi @ pk[i] @ phi for i in range(k)]
    a1 = sum(w[i, j] * np.trace(uk[i]) * np.trace(uk[j]) for i in range(k) for j in range(k))
    # q = 1: Theta has rank one, so a2 = a1, and pbkrtest's rho = ((1 - a2) / v1)^2 v0 / v2
    # (v0 = 1 - a1 / 2, v1 = 1 - a1, v2 = 1 - 2 a1) reduces exactly to df = 2 / a1; written
    # out it divided 0 by 0 as df neared 2 (a numerics review: NaN at 2 per arm)
    df = 2.0 / a1 if a1 != 0.0 else np.nan
    return float(phi[contrast, contrast]), float(phi_a[contrast, contrast]), float(df)
