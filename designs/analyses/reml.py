"""REML fit of the linear mixed model of slopes on grouped sufficient statistics (Numba).

The model, for patient ``i`` of a two-arm trial at visit month ``t_ij``:

.. math::

    y_{ij} = b_0 + b_1 t_{ij} + b_2 a_i + b_3 a_i t_{ij} + u_{0i} + u_{1i} t_{ij} + e_{ij},
    \\quad (u_{0i}, u_{1i}) \\sim N(0, D),\\ e_{ij} \\sim N(0, \\sigma^2),

with ``a_i`` = 1 for active, 0 for placebo, ``D`` unstructured 2x2 and REML estimation. The
estimand is ``b3``, the difference in mean slope (active minus placebo, ALSFRS-R points/month).

Computation
-----------
Patients of one arm with the same visit months share ``Z_g = [1, t]`` and hence
``V_g = sigma^2 H_g`` with ``H_g = I + Z_g Psi Z_g'`` and ``Psi = D / sigma^2 = L L'``
(``L`` lower triangular, the three free parameters ``theta = (l11, l21, l22)``). With
``S = Z'Z`` (per patient), ``N = I + S Psi`` (2x2):

* ``log|H_g| = log|N|`` (Sylvester), valid for singular ``Psi`` too;
* ``Z'H^-1 Z = N^-1 S = W_g`` (symmetric) and ``Z'H^-1 y = N^-1 Z'y``;
* ``y'H^-1 y = y'y - tr(Psi N^-1 (Z'y)(Z'y)')``.

Since ``X_i = [Z_i, a_i Z_i]``, the fixed effects decouple by arm: the per-arm coefficient
vectors are ``W_arm^-1 c_arm`` with ``W_arm = sum_g n_g W_g`` and ``c_arm = sum_g N_g^-1 sum Z'y``;
``log|X'H^-1 X| = log|W_0| + log|W_1|``. ``sigma^2`` profiles out as ``Q / (N_obs - 4)``
(``Q`` the generalised residual sum of squares), leaving a criterion in ``theta`` that costs
O(groups) per evaluation. The gradient is analytic (``dW = -W dPsi W``, envelope theorem for
``Q``); the Hessian is a forward difference of the analytic gradient, refreshed at the start
and to confirm convergence, with BFGS updates in between (about twice as fast as refreshing it
every step). The optimiser is a damped (quasi-)Newton method with backtracking in the
unbounded ``theta`` (the sign of each column of ``L``
is arbitrary, so the criterion is even in ``l22``: the boundary ``det D = 0`` is an ordinary
interior point of ``theta``-space, where Newton converges quadratically when the unconstrained
optimum lies beyond it). A Nelder-Mead search is the fallback, followed by Newton polishing.
Before optimising, the data are centred per arm by the arm's pooled OLS line (absorbed by the
fixed effects, so the fit is unchanged) to avoid cancellation in ``Q``.

Starting values are moment estimates from the per-patient OLS decomposition (within-patient
residual variance for ``sigma^2``; scatter of per-patient coefficients minus their average
sampling covariance for ``D``). For complete, balanced data with an interior optimum these
are exactly the REML estimates, so such fits converge in one Newton check.

Reference distribution (Satterthwaite)
--------------------------------------
The Wald statistic ``b3 / SE`` is referred to a t distribution with Satterthwaite degrees of
freedom, as lmerTest does: ``df = 2 var(b3)^2 / (g' A g)``, ``g`` the gradient of
``var(b3) = sigma^2 (X'V^-1X)^-1[b3, b3]`` in the variance parameters
``phi = (sigma^2, l11, l21, l22)`` and ``A = 2 H^-1`` their asymptotic covariance, ``H`` the
Hessian of the REML deviance (-2 restricted log-likelihood) in ``phi`` (invariant to the
parameterisation at the optimum). A z test is liberal at small n (about 6.8% rejections at
nominal 5% with 15 patients per arm), t(2n - 2) gives about 5.7% and Satterthwaite about 5.6%
(lme4/lmerTest measurements); Satterthwaite also adapts when the slope variance is small and
within-patient information dominates, where 2n - 2 is too conservative.

On the boundary (``l22 = 0``, or the whole first column of ``L`` zero) the criterion is even in
that parameter, so its gradient and its cross-derivatives vanish there: the parameter is
dropped from the computation (what lmerTest effectively does). If the remaining Hessian is not
positive definite the df falls back to the between-patient df (patients with >= 2 distinct
visits minus 2) and ``DF_METHOD`` records it. The df is clipped to ``[1, N_obs - 4]``.
"""

import numpy as np
from numba import njit

from designs.analyses.results import (
    DF,
    EXTRA0,
    N_RESULT,
    SE,
    STATUS,
    STATUS_FAILED,
    STATUS_OK,
    mark_failed,
)
from designs.analyses.results import ESTIMATE as ESTIMATE

# lmm_slope-specific result slots (after ESTIMATE, SE, DF, STATUS)
SIGMA2 = EXTRA0  # residual variance sigma^2, points^2
D11 = EXTRA0 + 1  # random-intercept variance, points^2
D12 = EXTRA0 + 2  # intercept-slope covariance, points^2/month
D22 = EXTRA0 + 3  # random-slope variance, (points/month)^2
REML_CRITERION = EXTRA0 + 4  # -2 restricted log-likelihood (statsmodels' -2 * llf convention)
N_ITER = EXTRA0 + 5  # optimiser iterations (Newton iterations + Nelder-Mead iterations)
DF_METHOD = EXTRA0 + 6  # 0 = Satterthwaite, 1 = fallback to between-patient df

DF_SATTERTHWAITE = 0.0
DF_FALLBACK = 1.0

_P = 4  # number of fixed effects
_NCOL = 10  # columns of the centred per-group statistics
_NW = 24  # work vector length
# work vector layout written by _evaluate
_F, _Q, _LOGDET, _V, _B3 = 0, 1, 2, 3, 4
_GF, _GQ, _GV = 5, 8, 11  # 3 entries each: gradients in theta of f, Q and v
_MAX_NEWTON = 60
_PURE_NEWTON = False  # False: BFGS updates between finite-difference Hessians


@njit(cache=True, inline="always")
def _arm_solution(w00, w01, w11, c0, c1):
    """One arm's ``W_a^-1`` (entries 00, 01, 11) and ``beta_a = W_a^-1 c_a``, on scalars.

    Returns (ok, det W_a, Winv00, Winv01, Winv11, beta0, beta1); ok is False (and the rest
    zero) when ``W_a`` is not positive definite.
    """
    dw = w00 * w11 - w01 * w01
    if not dw > 0.0:
        return False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    wi00 = w11 / dw
    wi01 = -w01 / dw
    wi11 = w00 / dw
    return True, dw, wi00, wi01, wi11, wi00 * c0 + wi01 * c1, wi01 * c0 + wi11 * c1


@njit(cache=True)
def _evaluate(th, gs, arm, n_groups, ndf, grad, wk):
    """One pass (two with ``grad``) over the groups at ``theta``; writes ``wk``.

    Returns False if the criterion is not defined (singular arm information, Q <= 0).
    """
    l11 = th[0]
    l21 = th[1]
    l22 = th[2]
    p00 = l11 * l11
    p01 = l11 * l21
    p11 = l21 * l21 + l22 * l22
    # Per-arm sums, kept in scalars (no allocation per evaluation): W_a = sum n N^-1 Z'Z
    # entries (0, 0), (0, 1), (1, 1) and c_a = sum N^-1 Z'y.
    wa00 = 0.0
    wa01 = 0.0
    wa02 = 0.0
    wa10 = 0.0
    wa11 = 0.0
    wa12 = 0.0
    ca00 = 0.0
    ca01 = 0.0
    ca10 = 0.0
    ca11 = 0.0
    quad = 0.0
    logdet = 0.0
    for g in range(n_groups):
        n = gs[g, 0]
        s00 = gs[g, 1]
        s01 = gs[g, 2]
        s11 = gs[g, 3]
        n00 = 1.0 + s00 * p00 + s01 * p01
        n01 = s00 * p01 + s01 * p11
        n10 = s01 * p00 + s11 * p01
        n11 = 1.0 + s01 * p01 + s11 * p11
        det = n00 * n11 - n01 * n10
        i00 = n11 / det
        i01 = -n01 / det
        i10 = -n10 / det
        i11 = n00 / det
        zy0 = gs[g, 5]
        zy1 = gs[g, 6]
        k00 = p00 * i00 + p01 * i10
        k01 = p00 * i01 + p01 * i11
        k11 = p01 * i01 + p11 * i11
        quad += gs[g, 4] - (k00 * gs[g, 7] + 2.0 * k01 * gs[g, 8] + k11 * gs[g, 9])
        logdet += n * np.log(det)
        if arm[g] == 0:
            wa00 += n * (i00 * s00 + i01 * s01)
            wa01 += n * (i00 * s01 + i01 * s11)
            wa02 += n * (i10 * s01 + i11 * s11)
            ca00 += i00 * zy0 + i01 * zy1
            ca01 += i10 * zy0 + i11 * zy1
        else:
            wa10 += n * (i00 * s00 + i01 * s01)
            wa11 += n * (i00 * s01 + i01 * s11)
            wa12 += n * (i10 * s01 + i11 * s11)
            ca10 += i00 * zy0 + i01 * zy1
            ca11 += i10 * zy0 + i11 * zy1
    ok, dw, wi00, wi01, wi02, b00, b01 = _arm_solution(wa00, wa01, wa02, ca00, ca01)
    if not ok:
        return False
    logdet += np.log(dw)
    ok, dw, wi10, wi11, wi12, b10, b11 = _arm_solution(wa10, wa11, wa12, ca10, ca11)
    if not ok:
        return False
    logdet += np.log(dw)
    q = quad
    q -= ca00 * b00 + ca01 * b01
    q -= ca10 * b10 + ca11 * b11
    v = wi02 + wi12
    if not (q > 0.0 and np.isfinite(logdet)):
        return False
    wk[_F] = ndf * np.log(q) + logdet
    wk[_Q] = q
    wk[_LOGDET] = logdet
    wk[_V] = v
    wk[_B3] = b11 - b01
    if not grad:
        return True
    # second pass: gradients in Psi (symmetric matrices, entries 00, 01, 11)
    gl00 = 0.0
    gl01 = 0.0
    gl11 = 0.0
    gq00 = 0.0
    gq01 = 0.0
    gq11 = 0.0
    gv00 = 0.0
    gv01 = 0.0
    gv11 = 0.0
    for g in range(n_groups):
        n = gs[g, 0]
        s00 = gs[g, 1]
        s01 = gs[g, 2]
        s11 = gs[g, 3]
        n00 = 1.0 + s00 * p00 + s01 * p01
        n01 = s00 * p01 + s01 * p11
        n10 = s01 * p00 + s11 * p01
        n11 = 1.0 + s01 * p01 + s11 * p11
        det = n00 * n11 - n01 * n10
        i00 = n11 / det
        i01 = -n01 / det
        i10 = -n10 / det
        i11 = n00 / det
        w00 = i00 * s00 + i01 * s01
        w01 = i00 * s01 + i01 * s11
        w11 = i10 * s01 + i11 * s11
        if arm[g] == 0:
            x0, x1, x2, be0, be1 = wi00, wi01, wi02, b00, b01
        else:
            x0, x1, x2, be0, be1 = wi10, wi11, wi12, b10, b11
        # log|N| part: n W ; log|W_a| part: - n W Winv_a W  (Winv_a = [[x0, x1], [x1, x2]])
        u00 = x0 * w00 + x1 * w01  # (Winv_a W)[0,0]
        u01 = x0 * w01 + x1 * w11  # (Winv_a W)[0,1]
        u10 = x1 * w00 + x2 * w01
        u11 = x1 * w01 + x2 * w11
        gl00 += n * (w00 - (w00 * u00 + w01 * u10))
        gl01 += n * (w01 - (w00 * u01 + w01 * u11))
        gl11 += n * (w11 - (w01 * u01 + w11 * u11))
        # Q part: -sum_i (u_i - W beta)(u_i - W beta)', u_i = N^-1 Z'y_i
        zy0 = gs[g, 5]
        zy1 = gs[g, 6]
        c0 = i00 * zy0 + i01 * zy1
        c1 = i10 * zy0 + i11 * zy1
        z00 = gs[g, 7]
        z01 = gs[g, 8]
        z11 = gs[g, 9]
        # N^-1 zz N^-T
        t00 = i00 * z00 + i01 * z01
        t01 = i00 * z01 + i01 * z11
        t10 = i10 * z00 + i11 * z01
        t11 = i10 * z01 + i11 * z11
        r00 = t00 * i00 + t01 * i01
        r01 = t00 * i10 + t01 * i11
        r11 = t10 * i10 + t11 * i11
        wb0 = w00 * be0 + w01 * be1
        wb1 = w01 * be0 + w11 * be1
        gq00 -= r00 - 2.0 * c0 * wb0 + n * wb0 * wb0
        gq01 -= r01 - c0 * wb1 - wb0 * c1 + n * wb0 * wb1
        gq11 -= r11 - 2.0 * c1 * wb1 + n * wb1 * wb1
        # v part: n q q', q = W Winv_a e1 = (u10, u11) of (W Winv_a)... W Winv_a e1
        qa = w00 * x1 + w01 * x2
        qb = w01 * x1 + w11 * x2
        gv00 += n * qa * qa
        gv01 += n * qa * qb
        gv11 += n * qb * qb
    s = ndf / q
    f00 = gl00 + s * gq00
    f01 = gl01 + s * gq01
    f11 = gl11 + s * gq11
    # chain rule Psi = L L':  d/dL = 2 G L (lower triangle)
    wk[_GF] = 2.0 * (f00 * l11 + f01 * l21)
    wk[_GF + 1] = 2.0 * (f01 * l11 + f11 * l21)
    wk[_GF + 2] = 2.0 * f11 * l22
    wk[_GQ] = 2.0 * (gq00 * l11 + gq01 * l21)
    wk[_GQ + 1] = 2.0 * (gq01 * l11 + gq11 * l21)
    wk[_GQ + 2] = 2.0 * gq11 * l22
    wk[_GV] = 2.0 * (gv00 * l11 + gv01 * l21)
    wk[_GV + 1] = 2.0 * (gv01 * l11 + gv11 * l21)
    wk[_GV + 2] = 2.0 * gv11 * l22
    return True


@njit(cache=True)
def _cholesky_solve3(h, b, shift, x):
    """Solve (h + shift I) x = b for a symmetric 3x3 h; False if not positive definite."""
    a00 = h[0, 0] + shift
    if not a00 > 0.0:
        return False
    c00 = np.sqrt(a00)
    c10 = h[1, 0] / c00
    c20 = h[2, 0] / c00
    a11 = h[1, 1] + shift - c10 * c10
    if not a11 > 0.0:
        return False
    c11 = np.sqrt(a11)
    c21 = (h[2, 1] - c20 * c10) / c11
    a22 = h[2, 2] + shift - c20 * c20 - c21 * c21
    if not a22 > 0.0:
        return False
    c22 = np.sqrt(a22)
    y0 = b[0] / c00
    y1 = (b[1] - c10 * y0) / c11
    y2 = (b[2] - c20 * y0 - c21 * y1) / c22
    x[2] = y2 / c22
    x[1] = (y1 - c21 * x[2]) / c11
    x[0] = (y0 - c10 * x[1] - c20 * x[2]) / c00
    return True


@njit(cache=True)
def _hessian(th, gs, arm, n_groups, ndf, wk, wk2, hess):
    """Forward-difference Hessian of the profiled criterion from the analytic gradient."""
    tp = np.empty(3)
    for i in range(3):
        h = 1e-6 * (abs(th[i]) + 0.1)
        for j in range(3):
            tp[j] = th[j]
        tp[i] = th[i] + h
        if not _evaluate(tp, gs, arm, n_groups, ndf, True, wk2):
            return False
        for j in range(3):
            hess[i, j] = (wk2[_GF + j] - wk[_GF + j]) / h
    for i in range(3):
        for j in range(i):
            m = 0.5 * (hess[i, j] + hess[j, i])
            hess[i, j] = m
            hess[j, i] = m
    return True


@njit(cache=True)
def _nelder_mead(th, gs, arm, n_groups, ndf, wk, max_iter):
    """Minimise the profiled criterion from ``th`` (overwritten with the best point)."""
    simplex = np.empty((4, 3))
    fs = np.empty(4)
    for k in range(4):
        for j in range(3):
            simplex[k, j] = th[j]
        if k > 0:
            simplex[k, k - 1] += 0.2 * (abs(th[k - 1]) + 0.1)
        if _evaluate(simplex[k], gs, arm, n_groups, ndf, False, wk):
            fs[k] = wk[_F]
        else:
            fs[k] = np.inf
    cen = np.empty(3)
    xr = np.empty(3)
    xe = np.empty(3)
    n_it = 0
    for _ in range(max_iter):
        n_it += 1
        order = np.argsort(fs)
        simplex = simplex[order]
        fs = fs[order]
        if abs(fs[3] - fs[0]) <= 1e-12 * (1.0 + abs(fs[0])):
            size = 0.0
            for k in range(1, 4):
                for j in range(3):
                    size = max(size, abs(simplex[k, j] - simplex[0, j]))
            if size < 1e-9:
                break
        for j in range(3):
            cen[j] = (simplex[0, j] + simplex[1, j] + simplex[2, j]) / 3.0
            xr[j] = cen[j] + (cen[j] - simplex[3, j])
        fr = wk[_F] if _evaluate(xr, gs, arm, n_groups, ndf, False, wk) else np.inf
        if fr < fs[0]:
            for j in range(3):
                xe[j] = cen[j] + 2.0 * (cen[j] - simplex[3, j])
            fe = wk[_F] if _evaluate(xe, gs, arm, n_groups, ndf, False, wk) else np.inf
            if fe < fr:
                simplex[3] = xe
                fs[3] = fe
            else:
                simplex[3] = xr
                fs[3] = fr
        elif fr < fs[2]:
            simplex[3] = xr
            fs[3] = fr
        else:
            for j in range(3):
                xe[j] = cen[j] + 0.5 * (simplex[3, j] - cen[j])
            fc = wk[_F] if _evaluate(xe, gs, arm, n_groups, ndf, False, wk) else np.inf
            if fc < fs[3]:
                simplex[3] = xe
                fs[3] = fc
            else:
                for k in range(1, 4):
                    for j in range(3):
                        simplex[k, j] = simplex[0, j] + 0.5 * (simplex[k, j] - simplex[0, j])
                    if _evaluate(simplex[k], gs, arm, n_groups, ndf, False, wk):
                        fs[k] = wk[_F]
                    else:
                        fs[k] = np.inf
    best = np.argmin(fs)
    for j in range(3):
        th[j] = simplex[best, j]
    return n_it


@njit(cache=True)
def _newton(th, gs, arm, n_groups, ndf, wk, wk2, hess):
    """Damped Newton / BFGS from ``th``; returns (converged, iterations).

    The first step and the convergence check use the finite-difference Hessian; steps in
    between use BFGS updates of it (one gradient per step instead of four). On return ``wk``
    holds the evaluation at the final ``th`` and ``hess`` the finite-difference Hessian at (or
    within one converged Newton step of) it.
    """
    p = np.empty(3)
    tnew = np.empty(3)
    negg = np.empty(3)
    hs = np.empty(3)
    if not _evaluate(th, gs, arm, n_groups, ndf, True, wk):
        return False, 0
    need_fd = True
    for it in range(_MAX_NEWTON):
        if need_fd:
            if not _hessian(th, gs, arm, n_groups, ndf, wk, wk2, hess):
                return False, it
        fresh = need_fd
        for j in range(3):
            negg[j] = -wk[_GF + j]
        scale = max(abs(hess[0, 0]), abs(hess[1, 1]), abs(hess[2, 2]), 1e-300)
        shift = 0.0
        pd = _cholesky_solve3(hess, negg, 0.0, p)
        if not pd:
            shift = 1e-8 * scale
            while not _cholesky_solve3(hess, negg, shift, p):
                shift *= 10.0
                if shift > 1e12 * scale:
                    return False, it
        dec = 0.0
        for j in range(3):
            dec += negg[j] * p[j]
        if pd and dec < 1e-10:
            if not fresh:
                need_fd = True  # confirm with the finite-difference Hessian
                continue
            for j in range(3):
                tnew[j] = th[j] + p[j]
            if _evaluate(tnew, gs, arm, n_groups, ndf, True, wk2) and wk2[_F] <= wk[_F] + 1e-9:
                for j in range(3):
                    th[j] = tnew[j]
                for j in range(_NW):
                    wk[j] = wk2[j]
            return True, it + 1
        # limit the step length
        pmax = 0.0
        tmax = 0.0
        for j in range(3):
            pmax = max(pmax, abs(p[j]))
            tmax = max(tmax, abs(th[j]))
        alpha = 1.0
        if pmax > 2.0 * (1.0 + tmax):
            alpha = 2.0 * (1.0 + tmax) / pmax
        f0 = wk[_F]
        accepted = False
        for _ in range(40):
            for j in range(3):
                tnew[j] = th[j] + alpha * p[j]
            if _evaluate(tnew, gs, arm, n_groups, ndf, True, wk2):
                if wk2[_F] <= f0 - 1e-4 * alpha * dec:
                    accepted = True
                    break
            alpha *= 0.5
        if not accepted:
            if not fresh:
                need_fd = True
                continue
            # no decrease possible along a descent direction: stationary up to rounding
            return pd and dec < 1e-6 * (1.0 + abs(f0)), it + 1
        # BFGS update of the Hessian with s = alpha p, y = change of gradient
        sy = 0.0
        shs = 0.0
        for j in range(3):
            hs[j] = 0.0
            for k in range(3):
                hs[j] += hess[j, k] * alpha * p[k]
        for j in range(3):
            yj = wk2[_GF + j] - wk[_GF + j]
            sy += alpha * p[j] * yj
            shs += alpha * p[j] * hs[j]
        need_fd = _PURE_NEWTON or not (sy > 1e-12 * abs(shs) and shs > 0.0 and pd)
        if not need_fd:
            for j in range(3):
                yj = wk2[_GF + j] - wk[_GF + j]
                for k in range(3):
                    yk = wk2[_GF + k] - wk[_GF + k]
                    hess[j, k] += yj * yk / sy - hs[j] * hs[k] / shs
        for j in range(3):
            th[j] = tnew[j]
        for j in range(_NW):
            wk[j] = wk2[j]
    return False, _MAX_NEWTON


@njit(cache=True)
def _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, start):
    """Centre the statistics per arm (pooled OLS line); moment starting values.

    Returns (n_obs, n_patients_with_2_visits) or (-1, -1) if an arm has no estimable line.
    """
    # per-arm pooled OLS line
    sa = np.zeros((2, 3))
    ya = np.zeros((2, 2))
    n_obs = 0.0
    for g in range(n_groups):
        a = arm_g[g]
        n = n_g[g]
        for k in range(3):
            sa[a, k] += n * ztz_g[g, k]
        ya[a, 0] += szy_g[g, 0]
        ya[a, 1] += szy_g[g, 1]
        n_obs += n * ztz_g[g, 0]
    gam = np.empty((2, 2))
    for a in range(2):
        d = sa[a, 0] * sa[a, 2] - sa[a, 1] * sa[a, 1]
        if not d > 1e-12 * sa[a, 0] * sa[a, 2]:
            return -1.0, -1.0
        gam[a, 0] = (sa[a, 2] * ya[a, 0] - sa[a, 1] * ya[a, 1]) / d
        gam[a, 1] = (sa[a, 0] * ya[a, 1] - sa[a, 1] * ya[a, 0]) / d
    # centred statistics: y~ = y - Z gamma_arm
    for g in range(n_groups):
        a = arm_g[g]
        n = n_g[g]
        s00 = ztz_g[g, 0]
        s01 = ztz_g[g, 1]
        s11 = ztz_g[g, 2]
        g0 = gam[a, 0]
        g1 = gam[a, 1]
        sg0 = s00 * g0 + s01 * g1
        sg1 = s01 * g0 + s11 * g1
        zy0 = szy_g[g, 0]
        zy1 = szy_g[g, 1]
        gs[g, 0] = n
        gs[g, 1] = s00
        gs[g, 2] = s01
        gs[g, 3] = s11
        gs[g, 4] = syy_g[g] - 2.0 * (g0 * zy0 + g1 * zy1) + n * (g0 * sg0 + g1 * sg1)
        gs[g, 5] = zy0 - n * sg0
        gs[g, 6] = zy1 - n * sg1
        gs[g, 7] = szyzy_g[g, 0] - 2.0 * zy0 * sg0 + n * sg0 * sg0
        gs[g, 8] = szyzy_g[g, 1] - zy0 * sg1 - sg0 * zy1 + n * sg0 * sg1
        gs[g, 9] = szyzy_g[g, 2] - 2.0 * zy1 * sg1 + n * sg1 * sg1
    # moment estimates from per-patient OLS (patients whose Z'Z is invertible)
    rss = 0.0
    rdf = 0.0
    n2 = 0.0
    m0 = np.zeros((2, 2))  # per-arm sum of per-patient coefficients
    na = np.zeros(2)
    sinv = np.zeros(3)  # sum of (Z'Z)^-1
    scat = np.zeros(3)  # sum of coefficient outer products (centred data)
    for g in range(n_groups):
        s00 = gs[g, 1]
        s01 = gs[g, 2]
        s11 = gs[g, 3]
        d = s00 * s11 - s01 * s01
        if not d > 1e-9 * s00 * s11:
            continue
        n = gs[g, 0]
        i00 = s11 / d
        i01 = -s01 / d
        i11 = s00 / d
        zy0 = gs[g, 5]
        zy1 = gs[g, 6]
        z00 = gs[g, 7]
        z01 = gs[g, 8]
        z11 = gs[g, 9]
        rss += gs[g, 4] - (i00 * z00 + 2.0 * i01 * z01 + i11 * z11)
        rdf += n * (s00 - 2.0)
        a = arm_g[g]
        m0[a, 0] += i00 * zy0 + i01 * zy1
        m0[a, 1] += i01 * zy0 + i11 * zy1
        na[a] += n
        n2 += n
        sinv[0] += n * i00
        sinv[1] += n * i01
        sinv[2] += n * i11
        # S^-1 zz S^-1
        t00 = i00 * z00 + i01 * z01
        t01 = i00 * z01 + i01 * z11
        t11 = i01 * z01 + i11 * z11
        scat[0] += t00 * i00 + t01 * i01
        scat[1] += t00 * i01 + t01 * i11
        scat[2] += (i01 * z00 + i11 * z01) * i01 + t11 * i11
    sigma2 = rss / rdf if rdf > 0.5 else 0.0
    psi00 = 1.0
    psi01 = 0.0
    psi11 = 0.01
    if n2 > 2.5 and na[0] > 0.5 and na[1] > 0.5:
        for a in range(2):
            scat[0] -= m0[a, 0] * m0[a, 0] / na[a]
            scat[1] -= m0[a, 0] * m0[a, 1] / na[a]
            scat[2] -= m0[a, 1] * m0[a, 1] / na[a]
        if not sigma2 > 0.0:
            sigma2 = 0.5 * scat[0] / (n2 - 2.0) / (sinv[0] / n2)
        if sigma2 > 0.0:
            b00 = sinv[0] / n2
            b11 = sinv[2] / n2
            psi00 = max((scat[0] / (n2 - 2.0)) / sigma2 - b00, 0.05 * b00)
            psi11 = max((scat[2] / (n2 - 2.0)) / sigma2 - b11, 0.05 * b11)
            psi01 = (scat[1] / (n2 - 2.0)) / sigma2 - sinv[1] / n2
            lim = 0.95 * np.sqrt(psi00 * psi11)
            psi01 = min(max(psi01, -lim), lim)
    start[0] = np.sqrt(psi00)
    start[1] = psi01 / start[0]
    start[2] = np.sqrt(max(psi11 - start[1] * start[1], 1e-12))
    if not (np.isfinite(start[0]) and np.isfinite(start[1]) and np.isfinite(start[2])):
        start[0] = 1.0
        start[1] = 0.0
        start[2] = 0.1
    return n_obs, n2


@njit(cache=True)
def _solve_sym(h, b, mask, k):
    """Quadratic form b' H^-1 b over the masked k x k sub-block (Cholesky); NaN if not PD."""
    idx = np.empty(k, dtype=np.int64)
    m = 0
    for i in range(k):
        if mask[i]:
            idx[m] = i
            m += 1
    c = np.zeros((m, m))
    for i in range(m):
        for j in range(i + 1):
            s = h[idx[i], idx[j]]
            for r in range(j):
                s -= c[i, r] * c[j, r]
            if i == j:
                if not s > 0.0:
                    return np.nan
                c[i, i] = np.sqrt(s)
            else:
                c[i, j] = s / c[j, j]
    y = np.empty(m)
    tot = 0.0
    for i in range(m):
        s = b[idx[i]]
        for r in range(i):
            s -= c[i, r] * y[r]
        y[i] = s / c[i, i]
        tot += y[i] * y[i]
    return tot


@njit(cache=True)
def lmm_slope_fit(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, out):
    """REML fit of the random intercept and slope model on grouped sufficient statistics.

    Parameters
    ----------
    arm_g : int64[G]
        Arm of each group (0 placebo, 1 active).
    ztz_g : float64[G, 3]
        Per-patient ``Z'Z`` of the group's visit months: (m, sum t, sum t^2); t in months.
    n_g : float64[G]
        Number of patients in each group.
    syy_g : float64[G]
        Sum over the group's patients of ``y'y`` (points^2).
    szy_g : float64[G, 2]
        Sum over patients of ``Z'y`` = (sum y, sum t*y) (points, points*months).
    szyzy_g : float64[G, 3]
        Sum over patients of the entries (0,0), (0,1), (1,1) of ``(Z'y)(Z'y)'``.
    n_groups : int
        Number of rows used (the arrays may be longer scratch).
    out : float64[N_RESULT]
        Written: ESTIMATE (b3, points/month), SE (points/month), DF (Satterthwaite), STATUS,
        SIGMA2, D11, D12, D22, REML_CRITERION, N_ITER, DF_METHOD (module constants).
        STATUS = 1 (and NaN elsewhere) when the fit fails or anything is not finite.
    """
    mark_failed(out)
    if n_groups < 2:
        return
    gs = np.empty((n_groups, _NCOL))
    th = np.empty(3)
    arm = np.empty(n_groups, dtype=np.int64)
    for g in range(n_groups):
        if arm_g[g] != 0 and arm_g[g] != 1:
            return
        arm[g] = arm_g[g]
    n_obs, n2 = _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, th)
    ndf = n_obs - _P
    if not ndf > 0.5:
        return
    wk = np.empty(_NW)
    wk2 = np.empty(_NW)
    hess = np.empty((3, 3))
    ok, iters = _newton(th, gs, arm, n_groups, ndf, wk, wk2, hess)
    if ok:
        # a saddle (e.g. started on a ridge) shows as a Hessian that is not PD
        scale = max(abs(hess[0, 0]), abs(hess[1, 1]), abs(hess[2, 2]))
        tmp = np.empty(3)
        ok = _cholesky_solve3(hess, wk[_GF : _GF + 3], 1e-7 * scale, tmp)
    if not ok:
        if not np.isfinite(th[0] + th[1] + th[2]):
            _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, th)
        iters += _nelder_mead(th, gs, arm, n_groups, ndf, wk, 2000)
        ok, it2 = _newton(th, gs, arm, n_groups, ndf, wk, wk2, hess)
        iters += it2
        if not ok:
            # accept the Nelder-Mead point if the gradient is small relative to the curvature
            if not _evaluate(th, gs, arm, n_groups, ndf, True, wk):
                return
            if not _hessian(th, gs, arm, n_groups, ndf, wk, wk2, hess):
                return
            scale = max(abs(hess[0, 0]), abs(hess[1, 1]), abs(hess[2, 2]))
            tmp = np.empty(3)
            negg = np.empty(3)
            for j in range(3):
                negg[j] = -wk[_GF + j]
            if not _cholesky_solve3(hess, negg, 1e-6 * scale, tmp):
                return
            dec = negg[0] * tmp[0] + negg[1] * tmp[1] + negg[2] * tmp[2]
            if not dec < 1e-6:
                return
    q = wk[_Q]
    sigma2 = q / ndf
    l11 = th[0]
    l21 = th[1]
    l22 = th[2]
    v = wk[_V]
    var_b3 = sigma2 * v
    # Satterthwaite: deviance Hessian in phi = (sigma2, l11, l21, l22)
    hp = np.empty((4, 4))
    gp = np.empty(4)
    hp[0, 0] = ndf / (sigma2 * sigma2)
    for i in range(3):
        hp[0, i + 1] = -wk[_GQ + i] / (sigma2 * sigma2)
        hp[i + 1, 0] = hp[0, i + 1]
        for j in range(3):
            hp[i + 1, j + 1] = hess[i, j] + wk[_GQ + i] * wk[_GQ + j] / (sigma2 * sigma2 * ndf)
        gp[i + 1] = sigma2 * wk[_GV + i]
    gp[0] = v
    mask = np.ones(4, dtype=np.bool_)
    tiny = 1e-6
    if abs(l22) < tiny:
        mask[3] = False
    if abs(l11) < tiny and abs(l21) < tiny:
        mask[1] = False
        mask[2] = False
    quadform = _solve_sym(hp, gp, mask, 4)
    df_method = DF_SATTERTHWAITE
    df = np.nan
    if quadform > 0.0 and np.isfinite(quadform):
        df = var_b3 * var_b3 / quadform
    if not (df > 0.0 and np.isfinite(df)):
        df = n2 - 2.0
        df_method = DF_FALLBACK
    df = min(max(df, 1.0), ndf)
    b3 = wk[_B3]
    # add back the centring lines: slope of active minus placebo pooled OLS lines
    n_a = np.zeros((2, 3))
    y_a = np.zeros((2, 2))
    for g in range(n_groups):
        a = arm[g]
        for k in range(3):
            n_a[a, k] += n_g[g] * ztz_g[g, k]
        y_a[a, 0] += szy_g[g, 0]
        y_a[a, 1] += szy_g[g, 1]
    for a in range(2):
        d = n_a[a, 0] * n_a[a, 2] - n_a[a, 1] * n_a[a, 1]
        slope = (n_a[a, 0] * y_a[a, 1] - n_a[a, 1] * y_a[a, 0]) / d
        b3 += slope if a == 1 else -slope
    reml = ndf * (1.0 + np.log(2.0 * np.pi * q / ndf)) + wk[_LOGDET]
    out[ESTIMATE] = b3
    out[SE] = np.sqrt(var_b3)
    out[DF] = df
    out[SIGMA2] = sigma2
    out[D11] = sigma2 * l11 * l11
    out[D12] = sigma2 * l11 * l21
    out[D22] = sigma2 * (l21 * l21 + l22 * l22)
    out[REML_CRITERION] = reml
    out[N_ITER] = iters
    out[DF_METHOD] = df_method
    for k in range(EXTRA0 + 7):
        if not np.isfinite(out[k]):
            for j in range(N_RESULT):
                out[j] = np.nan
            out[STATUS] = STATUS_FAILED
            return
    out[STATUS] = STATUS_OK


def lmm_slope_fit_arrays(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups=None):
    """Allocate ``out`` and call :func:`lmm_slope_fit` (for tests and one-off fits).

    Parameters are as for :func:`lmm_slope_fit` (converted to contiguous int64/float64);
    ``n_groups`` defaults to ``len(arm_g)``. Returns the float64[N_RESULT] result vector.
    """
    arm_g = np.ascontiguousarray(arm_g, dtype=np.int64)
    ztz_g = np.ascontiguousarray(ztz_g, dtype=np.float64).reshape(-1, 3)
    n_g = np.ascontiguousarray(n_g, dtype=np.float64)
    syy_g = np.ascontiguousarray(syy_g, dtype=np.float64)
    szy_g = np.ascontiguousarray(szy_g, dtype=np.float64).reshape(-1, 2)
    szyzy_g = np.ascontiguousarray(szyzy_g, dtype=np.float64).reshape(-1, 3)
    if n_groups is None:
        n_groups = arm_g.shape[0]
    out = np.empty(N_RESULT)
    lmm_slope_fit(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, int(n_groups), out)
    return out


def group_statistics(patient_arm, patient_months, patient_scores):
    """Group patients by (arm, exact tuple of visit months) into the kernel's statistics.

    Parameters
    ----------
    patient_arm : sequence of int
        Arm of each patient (0 placebo, 1 active).
    patient_months : sequence of 1-D arrays
        Visit months of each patient.
    patient_scores : sequence of 1-D arrays
        ALSFRS-R scores (points) at those visits.

    Returns
    -------
    tuple
        ``(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g)`` ready for :func:`lmm_slope_fit`.
    """
    index: dict = {}
    rows = []
    for a, t, y in zip(patient_arm, patient_months, patient_scores, strict=True):
        t = np.asarray(t, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        key = (int(a), tuple(t.tolist()))
        if key not in index:
            index[key] = len(rows)
            rows.append([int(a), [t.size, t.sum(), (t * t).sum()], 0.0, 0.0, [0.0, 0.0], [0.0] * 3])
        r = rows[index[key]]
        zy0 = y.sum()
        zy1 = (t * y).sum()
        r[2] += 1.0
        r[3] += float(y @ y)
        r[4][0] += zy0
        r[4][1] += zy1
        r[5][0] += zy0 * zy0
        r[5][1] += zy0 * zy1
        r[5][2] += zy1 * zy1
    arm_g = np.array([r[0] for r in rows], dtype=np.int64)
    ztz_g = np.array([r[1] for r in rows], dtype=np.float64).reshape(-1, 3)
    n_g = np.array([r[2] for r in rows], dtype=np.float64)
    syy_g = np.array([r[3] for r in rows], dtype=np.float64)
    szy_g = np.array([r[4] for r in rows], dtype=np.float64).reshape(-1, 2)
    szyzy_g = np.array([r[5] for r in rows], dtype=np.float64).reshape(-1, 3)
    return arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g
