"""Optimisers of the REML criterion: damped quasi-Newton with backtracking, Nelder-Mead fallback.

Work on the unbounded Cholesky parameters ``theta = (l11, l21, l22)`` (see
:mod:`designs.analyses.reml`).
"""

import numpy as np
from numba import njit

from designs.analyses.reml.criterion import _F, _GF, _MAX_NEWTON, _NW, _PURE_NEWTON, _evaluate


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
