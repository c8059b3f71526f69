"""Kenward-Roger adjusted SE and df of ``lmm_slope``'s arm x month on grouped statistics (Numba).

The same quantities as :mod:`designs.analyses.reml.kenward_roger` (Kenward & Roger 1997,
Biometrics 53:983-997, as R's pbkrtest computes them), reduced to 2x2 algebra per group of
patients that share an arm and visit months. For one patient with random-effects design
``Z = [1, t]`` (m x 2), ``S = Z'Z``, ``V = Z D Z' + sigma^2 I`` and
``M = (sigma^2 I + D S)^-1``:

* ``V^-1 Z = Z M`` and ``V^-1 = (I - Z M D Z') / sigma^2`` (Woodbury; ``D`` may be singular);
* ``W = Z'V^-1 Z = S M`` (symmetric) and ``R = Z'V^-2 Z = M'S M = W M``;
* with ``dV/d d_k = Z E_k Z'`` (``E_k`` the 2x2 indicator of the entry d11, d12 or d22) and
  ``dV/d sigma^2 = I``, the per-patient cores of pbkrtest's ``P_k``, ``Q_kl`` and ``T_kl`` are
  ``W E_k W`` and ``R``; ``W E_k W E_l W``, ``W E_k R``, ``R E_l W`` and ``Z'V^-3 Z = R M``;
  ``tr(E_k W E_l W)``, ``tr(E_k R)`` and
  ``tr(V^-2) = (m - 2 tr(M D S) + tr((M D S)^2)) / sigma^4``.

The fixed effects are ``X = [Z, a Z]``; in the per-arm coefficients (intercept and slope of
each arm) every 4x4 matrix of the method is block diagonal by arm, so its traces are sums
over the arms of 2x2 traces and the contrast arm x month is the slope of active minus the
slope of placebo: ``Phi_A[b3, b3] = Phi_A,0[1, 1] + Phi_A,1[1, 1]``.
"""

import numpy as np
from numba import njit

_K = 4  # covariance parameters: d11, d12, d22 (entries of D), sigma^2


@njit(cache=True, inline="always")
def _mm(a, b, out):
    """out = a @ b for 2x2 arrays (out must not alias a or b)."""
    out[0, 0] = a[0, 0] * b[0, 0] + a[0, 1] * b[1, 0]
    out[0, 1] = a[0, 0] * b[0, 1] + a[0, 1] * b[1, 1]
    out[1, 0] = a[1, 0] * b[0, 0] + a[1, 1] * b[1, 0]
    out[1, 1] = a[1, 0] * b[0, 1] + a[1, 1] * b[1, 1]


@njit(cache=True, inline="always")
def _div(a, b):
    """a / b, NaN when b is 0 (Numba raises ZeroDivisionError on float division by 0)."""
    return a / b if b != 0.0 else np.nan


@njit(cache=True)
def _tr_mm(a, b):
    """tr(a @ b) for 2x2 arrays."""
    return a[0, 0] * b[0, 0] + a[0, 1] * b[1, 0] + a[1, 0] * b[0, 1] + a[1, 1] * b[1, 1]


@njit(cache=True)
def _inv2(a, out):
    """out = a^-1 for a 2x2 array; False when singular or not finite."""
    det = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
    if not (det != 0.0 and np.isfinite(det)):
        return False
    out[0, 0] = a[1, 1] / det
    out[0, 1] = -a[0, 1] / det
    out[1, 0] = -a[1, 0] / det
    out[1, 1] = a[0, 0] / det
    return True


@njit(cache=True)
def kenward_roger_grouped(arm_g, ztz_g, n_g, n_groups, sigma2, d11, d12, d22):
    """Kenward-Roger variance and df of arm x month from per-group ``Z'Z``.

    Parameters
    ----------
    arm_g : int64[G]
        Arm of each group (0 placebo, 1 active).
    ztz_g : float64[G, 3]
        Per-patient ``Z'Z`` of the group's visit months: (m, sum t, sum t^2); t in months.
    n_g : float64[G]
        Patients in each group.
    n_groups : int
        Rows used.
    sigma2 : float
        REML residual variance, points^2.
    d11, d12, d22 : float
        REML covariance of the random intercept (points) and slope (points/month).

    Returns
    -------
    (float, float, float)
        Unadjusted variance ``Phi[b3, b3]``, Kenward-Roger adjusted variance
        ``Phi_A[b3, b3]`` ((points/month)^2) and the Kenward-Roger df; NaN when undefined.
    """
    nan = np.nan
    d = np.empty((2, 2))
    d[0, 0] = d11
    d[0, 1] = d12
    d[1, 0] = d12
    d[1, 1] = d22
    e = np.zeros((3, 2, 2))
    e[0, 0, 0] = 1.0
    e[1, 0, 1] = 1.0
    e[1, 1, 0] = 1.0
    e[2, 1, 1] = 1.0
    w_arm = np.zeros((2, 2, 2))
    p_arm = np.zeros((2, _K, 2, 2))
    q_arm = np.zeros((2, _K, _K, 2, 2))
    t_kl = np.zeros((_K, _K))
    s = np.empty((2, 2))
    a2 = np.empty((2, 2))
    m = np.empty((2, 2))
    w = np.empty((2, 2))
    r = np.empty((2, 2))
    rm = np.empty((2, 2))
    mds = np.empty((2, 2))
    tmp = np.empty((2, 2))
    tmp2 = np.empty((2, 2))
    core_p = np.empty((_K, 2, 2))
    ew = np.empty((3, 2, 2))  # E_k W
    for g in range(n_groups):
        a = arm_g[g]
        n = n_g[g]
        s[0, 0] = ztz_g[g, 0]
        s[0, 1] = ztz_g[g, 1]
        s[1, 0] = ztz_g[g, 1]
        s[1, 1] = ztz_g[g, 2]
        _mm(d, s, a2)
        a2[0, 0] += sigma2
        a2[1, 1] += sigma2
        if not _inv2(a2, m):
            return nan, nan, nan
        _mm(s, m, w)
        # W is symmetric in exact arithmetic: use its symmetric part
        w[0, 1] = 0.5 * (w[0, 1] + w[1, 0])
        w[1, 0] = w[0, 1]
        _mm(w, m, r)
        r[0, 1] = 0.5 * (r[0, 1] + r[1, 0])
        r[1, 0] = r[0, 1]
        _mm(r, m, rm)
        rm[0, 1] = 0.5 * (rm[0, 1] + rm[1, 0])
        rm[1, 0] = rm[0, 1]
        for k in range(3):
            _mm(e[k], w, ew[k])
            _mm(w, ew[k], core_p[k])
        core_p[3, :, :] = r
        # tr(V^-2)
        _mm(m, d, tmp)
        _mm(tmp, s, mds)
        tr_mds = mds[0, 0] + mds[1, 1]
        tv2 = _div(s[0, 0] - 2.0 * tr_mds + _tr_mm(mds, mds), sigma2 * sigma2)
        for i in range(2):
            for j in range(2):
                w_arm[a, i, j] += n * w[i, j]
        for k in range(_K):
            for i in range(2):
                for j in range(2):
                    p_arm[a, k, i, j] += n * core_p[k, i, j]
        for k in range(3):
            for ll in range(3):
                # W E_k W E_l W = (W E_k W) (E_l W)
                _mm(core_p[k], ew[ll], tmp)
                t_kl[k, ll] += n * _tr_mm(ew[k], ew[ll])
                for i in range(2):
                    for j in range(2):
                        q_arm[a, k, ll, i, j] += n * tmp[i, j]
            # Q_k,sigma = W E_k R; Q_sigma,k its transpose
            _mm(e[k], r, tmp2)
            _mm(w, tmp2, tmp)
            tr_er = _tr_mm(e[k], r)
            t_kl[k, 3] += n * tr_er
            t_kl[3, k] += n * tr_er
            for i in range(2):
                for j in range(2):
                    q_arm[a, k, 3, i, j] += n * tmp[i, j]
                    q_arm[a, 3, k, i, j] += n * tmp[j, i]
        t_kl[3, 3] += n * tv2
        for i in range(2):
            for j in range(2):
                q_arm[a, 3, 3, i, j] += n * rm[i, j]
    phi = np.empty((2, 2, 2))
    for a in range(2):
        if not _inv2(w_arm[a], phi[a]):
            return nan, nan, nan
    # phi P_k (per arm) and the information of the covariance parameters
    php = np.empty((2, _K, 2, 2))
    for a in range(2):
        for k in range(_K):
            _mm(phi[a], p_arm[a, k], php[a, k])
    info = np.empty((_K, _K))
    for k in range(_K):
        for ll in range(_K):
            v = t_kl[k, ll]
            for a in range(2):
                v -= 2.0 * _tr_mm(phi[a], q_arm[a, k, ll])
                v += _tr_mm(php[a, k], php[a, ll])
            info[k, ll] = v
    if not np.all(np.isfinite(info)):
        return nan, nan, nan
    # (a singular information gives a zero or partial pinv: then a1 = 0 and the df is NaN)
    wmat = 2.0 * np.linalg.pinv(info)
    # Phi_A,a = Phi_a + 2 Phi_a U_a Phi_a, U_a = sum w_kl (Q_kl,a - P_k,a Phi_a P_l,a)
    var0 = phi[0, 1, 1] + phi[1, 1, 1]
    var_a = var0
    u = np.empty((2, 2))
    for a in range(2):
        u[:, :] = 0.0
        for k in range(_K):
            for ll in range(_K):
                _mm(p_arm[a, k], php[a, ll], tmp)
                for i in range(2):
                    for j in range(2):
                        u[i, j] += wmat[k, ll] * (q_arm[a, k, ll, i, j] - tmp[i, j])
        _mm(u, phi[a], tmp)
        _mm(phi[a], tmp, tmp2)
        var_a += 2.0 * tmp2[1, 1]
    # df (pbkrtest's Lb_ddf, q = 1): with a rank-one Theta, tr(U_k U_l) = tr(U_k) tr(U_l)
    tr_u = np.empty(_K)
    for k in range(_K):
        v = 0.0
        for a in range(2):
            _mm(php[a, k], phi[a], tmp)
            v += tmp[1, 1]
        tr_u[k] = _div(v, var0)
    a1 = 0.0
    for k in range(_K):
        for ll in range(_K):
            a1 += wmat[k, ll] * tr_u[k] * tr_u[ll]
    # pbkrtest's Lb_ddf with q = 1 (a2 = a1, Theta of rank one): its rho = ((1 - a2) / v1)^2
    # v0 / v2 with v0 = 1 - a1 / 2, v1 = 1 - a1, v2 = 1 - 2 a1 reduces exactly to df = 2 / a1
    # (a numerics review: written out, it divided 0 by 0 as df neared 2, at 2 per arm df
    # 1.33-2.26 where 2 is exact and NaN marking 2.8% of fits failed; and at a1 = 1/2, v2 = 0,
    # which needed a special case for pbkrtest's df 4)
    return var0, var_a, _div(2.0, a1)
