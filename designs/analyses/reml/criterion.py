"""The REML criterion of the slope model on grouped sufficient statistics, and its gradient.

Result slots of ``lmm_slope``, the work-vector layout and the visit patterns live here too
(centring and starting values: :mod:`designs.analyses.reml.start`); the package docstring
(:mod:`designs.analyses.reml`) gives the model and the algebra.
"""

import numpy as np
from numba import njit

from designs.analyses.results import EXTRA0

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
_NCOL = 17  # columns of the per-group statistics (_prepare: centred, then pattern scratch)
# columns 10-16 of gs: the group's (Z'Z)^-1 (entries 00, 01, 11; 1.0 in column 13 when Z'Z is
# invertible) and the moment weights of its visit pattern (_weighted_moments)
_S_I00, _S_I01, _S_I11, _S_OK, _S_W0, _S_W1, _S_W2 = 10, 11, 12, 13, 14, 15, 16
_NW = 24  # work vector length
# work vector layout written by _evaluate
_F, _Q, _LOGDET, _V, _B3 = 0, 1, 2, 3, 4
_GF, _GQ, _GV = 5, 8, 11  # 3 entries each: gradients in theta of f, Q and v
# per-arm W_a^-1 (entries 00, 01, 11) and beta_a (2), placebo then active: 10 entries
_ARM = 14
# per-group cache written by _evaluate_store: N^-1 (00, 01, 10, 11), W = N^-1 S (00, 01, 11),
# N^-1 Z'y (2), Psi N^-1 (00, 01, 11), log|N|
_C_I00, _C_I01, _C_I10, _C_I11, _C_W00, _C_W01, _C_W11, _C_C0, _C_C1 = range(9)
_C_K00, _C_K01, _C_K11, _C_LOG = 9, 10, 11, 12
_NC = 13
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
    none = np.empty(0, dtype=np.int64)
    return _evaluate_into(th, gs, arm, none, n_groups, ndf, grad, wk, np.empty((0, _NC)), False)


@njit(cache=True)
def _evaluate_store(th, gs, arm, pattern, n_groups, ndf, wk, cache):
    """:func:`_evaluate` without gradients that also keeps each group's ``N^-1``, ``W`` and
    ``N^-1 Z'y`` in ``cache`` (float64[>= n_groups, _NC], layout ``_C_*``), which
    :func:`~designs.analyses.reml.hessian._derivatives_cached` reads at the same ``theta``
    instead of recomputing them (the same operations, so the same bits).

    ``pattern[g]`` (:func:`visit_patterns`) is the first group with the same ``Z'Z`` as
    group ``g``: ``N``, its inverse and log-determinant depend on ``Z'Z`` and ``theta`` only,
    so a group of the other arm with the same visits copies them (same bits again).
    """
    return _evaluate_into(th, gs, arm, pattern, n_groups, ndf, False, wk, cache, True)


@njit(cache=True)
def visit_patterns(ztz_g, n_groups, pattern):
    """``pattern[g]`` = the first group ``h <= g`` whose ``Z'Z`` (``ztz_g``: m, sum t,
    sum t^2) is exactly group ``g``'s; groups of the two arms with the same visits share it.

    Groups in the engine's order (each arm's visit patterns in order of ``m``) are matched in
    one pass: a group whose ``m`` exceeds every earlier group's is a new pattern; only the
    others are searched for among the earlier patterns.
    """
    top = -1.0  # the largest m of the groups so far
    for g in range(n_groups):
        pattern[g] = g
        if ztz_g[g, 0] > top:
            top = ztz_g[g, 0]
            continue
        for h in range(g):
            if (
                pattern[h] == h
                and ztz_g[h, 0] == ztz_g[g, 0]
                and ztz_g[h, 1] == ztz_g[g, 1]
                and ztz_g[h, 2] == ztz_g[g, 2]
            ):
                pattern[g] = h
                break


@njit(cache=True, inline="always")
def _evaluate_into(th, gs, arm, pattern, n_groups, ndf, grad, wk, cache, store):
    """The body of :func:`_evaluate`; with ``store``, each group's quantities go to ``cache``
    (and groups whose visit pattern came before copy its ``N`` quantities)."""
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
        zy0 = gs[g, 5]
        zy1 = gs[g, 6]
        if store and pattern[g] < g:
            h = pattern[g]
            i00 = cache[h, _C_I00]
            i01 = cache[h, _C_I01]
            i10 = cache[h, _C_I10]
            i11 = cache[h, _C_I11]
            w00 = cache[h, _C_W00]
            w01 = cache[h, _C_W01]
            w11 = cache[h, _C_W11]
            k00 = cache[h, _C_K00]
            k01 = cache[h, _C_K01]
            k11 = cache[h, _C_K11]
            logn = cache[h, _C_LOG]
        else:
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
            k00 = p00 * i00 + p01 * i10
            k01 = p00 * i01 + p01 * i11
            k11 = p01 * i01 + p11 * i11
            logn = np.log(det)
            w00 = i00 * s00 + i01 * s01
            w01 = i00 * s01 + i01 * s11
            w11 = i10 * s01 + i11 * s11
        quad += gs[g, 4] - (k00 * gs[g, 7] + 2.0 * k01 * gs[g, 8] + k11 * gs[g, 9])
        logdet += n * logn
        c0 = i00 * zy0 + i01 * zy1
        c1 = i10 * zy0 + i11 * zy1
        if store:
            cache[g, _C_I00] = i00
            cache[g, _C_I01] = i01
            cache[g, _C_I10] = i10
            cache[g, _C_I11] = i11
            cache[g, _C_W00] = w00
            cache[g, _C_W01] = w01
            cache[g, _C_W11] = w11
            cache[g, _C_C0] = c0
            cache[g, _C_C1] = c1
            cache[g, _C_K00] = k00
            cache[g, _C_K01] = k01
            cache[g, _C_K11] = k11
            cache[g, _C_LOG] = logn
        if arm[g] == 0:
            wa00 += n * w00
            wa01 += n * w01
            wa02 += n * w11
            ca00 += c0
            ca01 += c1
        else:
            wa10 += n * w00
            wa11 += n * w01
            wa12 += n * w11
            ca10 += c0
            ca11 += c1
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
    wk[_ARM] = wi00
    wk[_ARM + 1] = wi01
    wk[_ARM + 2] = wi02
    wk[_ARM + 3] = b00
    wk[_ARM + 4] = b01
    wk[_ARM + 5] = wi10
    wk[_ARM + 6] = wi11
    wk[_ARM + 7] = wi12
    wk[_ARM + 8] = b10
    wk[_ARM + 9] = b11
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
