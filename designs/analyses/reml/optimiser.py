"""Optimisers of the REML criterion: damped Newton with backtracking, Nelder-Mead fallback.

Work on the unbounded Cholesky parameters ``theta = (l11, l21, l22)`` (see
:mod:`designs.analyses.reml`). Newton uses the exact Hessian
(:mod:`designs.analyses.reml.hessian`); the quasi-Newton method it replaced is kept in
:mod:`designs.analyses.reml.reference` as the reference the tests compare with.
"""

import numpy as np
from numba import njit

from designs.analyses.reml.criterion import (
    _F,
    _GF,
    _MAX_NEWTON,
    _NW,
    _evaluate,
    _evaluate_store,
)
from designs.analyses.reml.hessian import _derivatives_cached


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
def _newton(th, gs, arm, pattern, n_groups, ndf, wk, wk2, hess, cache, cache2, vec):
    """Damped Newton with the exact Hessian from ``th``; returns (converged, iterations).

    ``pattern`` is :func:`~designs.analyses.reml.criterion.visit_patterns` (from ``_prepare``);
    ``cache`` and ``cache2`` (float64[>= n_groups, _NC]) and ``vec`` (float64[>= 9]) are
    scratch (the caller's, so that a fit allocates nothing per iteration).

    Each iteration evaluates the criterion alone at the trial points and its gradients
    and Hessian (:func:`~designs.analyses.reml.hessian._derivatives`) at the accepted one.
    Steps solve ``H p = -g`` (``H`` shifted towards the identity when it is not positive
    definite), halved until the criterion decreases enough (Armijo). Converged when the
    Newton decrement ``g' H^-1 g`` is below 1e-10; that last Newton step is then taken too
    (quadratic convergence leaves ``theta`` at rounding level). On return ``wk`` holds the
    evaluation at the final ``th`` and ``hess`` its Hessian.
    """
    p = vec[0:3]
    tnew = vec[3:6]
    negg = vec[6:9]
    # each group's N^-1, W, N^-1 Z'y at th (cache) and at the trial point (cache2)
    if not _evaluate_store(th, gs, arm, pattern, n_groups, ndf, wk, cache):
        return False, 0
    for it in range(_MAX_NEWTON):
        _derivatives_cached(th, gs, arm, n_groups, ndf, wk, cache, hess)
        for j in range(3):
            negg[j] = -wk[_GF + j]
        scale = max(abs(hess[0, 0]), abs(hess[1, 1]), abs(hess[2, 2]), 1e-300)
        if not np.isfinite(scale):
            return False, it
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
            for j in range(3):
                tnew[j] = th[j] + p[j]
            if (
                _evaluate_store(tnew, gs, arm, pattern, n_groups, ndf, wk2, cache2)
                and wk2[_F] <= wk[_F] + 1e-9
            ):
                for j in range(3):
                    th[j] = tnew[j]
                for j in range(_NW):
                    wk[j] = wk2[j]
                cache, cache2 = cache2, cache
                _derivatives_cached(th, gs, arm, n_groups, ndf, wk, cache, hess)
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
            if _evaluate_store(tnew, gs, arm, pattern, n_groups, ndf, wk2, cache2):
                if wk2[_F] <= f0 - 1e-4 * alpha * dec:
                    accepted = True
                    break
            alpha *= 0.5
        if not accepted:
            # no decrease possible along a descent direction: stationary up to rounding
            return pd and dec < 1e-6 * (1.0 + abs(f0)), it + 1
        for j in range(3):
            th[j] = tnew[j]
        for j in range(_NW):
            wk[j] = wk2[j]
        cache, cache2 = cache2, cache
    return False, _MAX_NEWTON
