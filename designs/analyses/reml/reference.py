"""The quasi-Newton REML optimiser used before the exact-Hessian Newton method (reference).

Slow and straightforward: the Hessian is a forward difference of the analytic gradient,
refreshed at the start and to confirm convergence, with BFGS updates in between.
:func:`lmm_slope_fit_reference` is :func:`designs.analyses.reml.lmm_slope_fit` with this
optimiser (same criterion, starting values, fallback and result); the tests compare the two
on many simulated trials. Not used by the engine.
"""

import numpy as np
from numba import njit

from designs.analyses.reml.criterion import (
    _F,
    _GF,
    _MAX_NEWTON,
    _NCOL,
    _NW,
    _P,
    _PURE_NEWTON,
    _evaluate,
)
from designs.analyses.reml.fit import (
    _NRESULT_SCRATCH,
    _positive_definite,
    _small_decrement,
    write_result,
)
from designs.analyses.reml.optimiser import _cholesky_solve3, _nelder_mead
from designs.analyses.reml.start import _prepare
from designs.analyses.results import mark_failed


@njit(cache=True)
def _fd_hessian(th, gs, arm, n_groups, ndf, wk, wk2, hess):
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
def _bfgs_newton(th, gs, arm, n_groups, ndf, wk, wk2, hess):
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
            if not _fd_hessian(th, gs, arm, n_groups, ndf, wk, wk2, hess):
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
def lmm_slope_fit_reference(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, out):
    """:func:`designs.analyses.reml.lmm_slope_fit` with the quasi-Newton optimiser."""
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
    pattern = np.empty(n_groups, dtype=np.int64)
    n_obs, n2 = _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, th, pattern)
    ndf = n_obs - _P
    if not ndf > 0.5:
        return
    wk = np.empty(_NW)
    wk2 = np.empty(_NW)
    hess = np.empty((3, 3))
    vec = np.empty(6)
    ok, iters = _bfgs_newton(th, gs, arm, n_groups, ndf, wk, wk2, hess)
    if ok:
        ok = _positive_definite(hess, wk, 1e-7, vec)
    if not ok:
        if not np.isfinite(th[0] + th[1] + th[2]):
            _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, th, pattern)
        iters += _nelder_mead(th, gs, arm, n_groups, ndf, wk, 2000)
        ok, it2 = _bfgs_newton(th, gs, arm, n_groups, ndf, wk, wk2, hess)
        iters += it2
        if not ok:
            if not _evaluate(th, gs, arm, n_groups, ndf, True, wk):
                return
            if not _fd_hessian(th, gs, arm, n_groups, ndf, wk, wk2, hess):
                return
            if not _small_decrement(hess, wk, vec):
                return
    scratch = np.empty(_NRESULT_SCRATCH)
    write_result(th, wk, hess, ndf, n2, iters, arm, n_g, ztz_g, szy_g, n_groups, out, scratch)
