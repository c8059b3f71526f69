"""The ``lmm_slope`` fit: REML estimates, the Wald statistic and its Satterthwaite df.

:func:`lmm_slope_fit` is the kernel the engine calls on every simulated trial;
:func:`group_statistics` and :func:`lmm_slope_fit_arrays` serve real data and tests.
"""

import numpy as np
from numba import njit

from designs.analyses.reml.criterion import (
    _B3,
    _GF,
    _GQ,
    _GV,
    _LOGDET,
    _NC,
    _NCOL,
    _NW,
    _P,
    _Q,
    _V,
    D11,
    D12,
    D22,
    DF_FALLBACK,
    DF_METHOD,
    DF_SATTERTHWAITE,
    N_ITER,
    REML_CRITERION,
    SIGMA2,
    _evaluate,
)
from designs.analyses.reml.hessian import _derivatives
from designs.analyses.reml.optimiser import _cholesky_solve3, _nelder_mead, _newton
from designs.analyses.reml.start import _prepare
from designs.analyses.results import (
    DF,
    ESTIMATE,
    EXTRA0,
    N_RESULT,
    SE,
    STATUS,
    STATUS_FAILED,
    STATUS_OK,
    mark_failed,
)

#: float64 scratch of :func:`write_result` (hp 4x4, gp 4, Cholesky factor 4x4, y 4)
_NRESULT_SCRATCH = 40
#: the fit's small scratch: th 3, hess 9, vec 12, wk and wk2, write_result's
_NSMALL = 24 + 2 * _NW + _NRESULT_SCRATCH


@njit(cache=True)
def _solve_sym(h, b, idx, m, c, y):
    """Quadratic form b' H^-1 b over the m x m sub-block of rows and columns ``idx[:m]``
    (Cholesky); NaN if not PD. ``c`` (float64[>= m, >= m]) and ``y`` (float64[>= m]) are
    scratch."""
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
    for g in range(n_groups):
        if arm_g[g] != 0 and arm_g[g] != 1:
            return
    arm = arm_g  # rows from n_groups on are never read
    # All scratch in one allocation, the views below: the 28 small arrays allocated before
    # (about 30 ns each) were about a third of a complete-data fit.
    work = np.empty(n_groups * (_NCOL + 2 * _NC) + _NSMALL)
    o = n_groups * _NCOL
    gs = work[:o].reshape((n_groups, _NCOL))
    # each group's N^-1, W, N^-1 Z'y (the optimiser's, at two points)
    cache = work[o : o + n_groups * _NC].reshape((n_groups, _NC))
    o += n_groups * _NC
    cache2 = work[o : o + n_groups * _NC].reshape((n_groups, _NC))
    o += n_groups * _NC
    small = work[o:]
    th = small[0:3]
    hess = small[3:12].reshape((3, 3))
    vec = small[12:24]
    wk = small[24 : 24 + _NW]
    wk2 = small[24 + _NW : 24 + 2 * _NW]
    res_scratch = small[24 + 2 * _NW :]
    pattern = np.empty(n_groups, dtype=np.int64)
    n_obs, n2 = _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, th, pattern)
    ndf = n_obs - _P
    if not ndf > 0.5:
        return
    ok, iters = _newton(th, gs, arm, pattern, n_groups, ndf, wk, wk2, hess, cache, cache2, vec)
    if ok:
        # a saddle (e.g. started on a ridge) shows as a Hessian that is not PD
        ok = _positive_definite(hess, wk, 1e-7, vec)
    if not ok:
        if not np.isfinite(th[0] + th[1] + th[2]):
            _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, th, pattern)
        iters += _nelder_mead(th, gs, arm, n_groups, ndf, wk, 2000)
        ok, it2 = _newton(th, gs, arm, pattern, n_groups, ndf, wk, wk2, hess, cache, cache2, vec)
        iters += it2
        if not ok:
            # accept the Nelder-Mead point if the gradient is small relative to the curvature
            if not _evaluate(th, gs, arm, n_groups, ndf, False, wk):
                return
            _derivatives(th, gs, arm, n_groups, ndf, wk, hess)
            if not _small_decrement(hess, wk, vec):
                return
    write_result(th, wk, hess, ndf, n2, iters, arm, n_g, ztz_g, szy_g, n_groups, out, res_scratch)


@njit(cache=True)
def _positive_definite(hess, wk, rel_shift, vec):
    """Whether ``hess`` (+ a shift of ``rel_shift`` times its largest diagonal) is PD
    (``vec``: float64[>= 3] scratch)."""
    scale = max(abs(hess[0, 0]), abs(hess[1, 1]), abs(hess[2, 2]))
    return _cholesky_solve3(hess, wk[_GF : _GF + 3], rel_shift * scale, vec[:3])


@njit(cache=True)
def _small_decrement(hess, wk, vec):
    """Whether the Newton decrement ``g' H^-1 g`` at a (Nelder-Mead) point is below 1e-6
    (``vec``: float64[>= 6] scratch)."""
    scale = max(abs(hess[0, 0]), abs(hess[1, 1]), abs(hess[2, 2]))
    tmp = vec[0:3]
    negg = vec[3:6]
    for j in range(3):
        negg[j] = -wk[_GF + j]
    if not _cholesky_solve3(hess, negg, 1e-6 * scale, tmp):
        return False
    dec = negg[0] * tmp[0] + negg[1] * tmp[1] + negg[2] * tmp[2]
    return dec < 1e-6


@njit(cache=True)
def write_result(th, wk, hess, ndf, n2, iters, arm, n_g, ztz_g, szy_g, n_groups, out, scratch):
    """Estimates, SE and Satterthwaite df at the optimum ``th`` into ``out``.

    ``wk`` holds the criterion's evaluation (with gradients) at ``th``, ``hess`` its Hessian;
    ``scratch`` is float64[>= _NRESULT_SCRATCH].
    """
    q = wk[_Q]
    sigma2 = q / ndf
    l11 = th[0]
    l21 = th[1]
    l22 = th[2]
    v = wk[_V]
    var_b3 = sigma2 * v
    # Satterthwaite: deviance Hessian in phi = (sigma2, l11, l21, l22)
    hp = scratch[0:16].reshape((4, 4))
    gp = scratch[16:20]
    hp[0, 0] = ndf / (sigma2 * sigma2)
    for i in range(3):
        hp[0, i + 1] = -wk[_GQ + i] / (sigma2 * sigma2)
        hp[i + 1, 0] = hp[0, i + 1]
        for j in range(3):
            hp[i + 1, j + 1] = hess[i, j] + wk[_GQ + i] * wk[_GQ + j] / (sigma2 * sigma2 * ndf)
        gp[i + 1] = sigma2 * wk[_GV + i]
    gp[0] = v
    # the parameters kept (on the boundary the criterion is even in the others)
    tiny = 1e-6
    keep_l22 = not abs(l22) < tiny
    keep_l1 = not (abs(l11) < tiny and abs(l21) < tiny)
    if keep_l1 and keep_l22:
        idx, m = (0, 1, 2, 3), 4
    elif keep_l1:
        idx, m = (0, 1, 2, 0), 3
    elif keep_l22:
        idx, m = (0, 3, 0, 0), 2
    else:
        idx, m = (0, 0, 0, 0), 1
    quadform = _solve_sym(hp, gp, idx, m, scratch[20:36].reshape((4, 4)), scratch[36:40])
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
    n00 = n01 = n02 = n10 = n11 = n12 = 0.0
    y00 = y01 = y10 = y11 = 0.0
    for g in range(n_groups):
        if arm[g] == 0:
            n00 += n_g[g] * ztz_g[g, 0]
            n01 += n_g[g] * ztz_g[g, 1]
            n02 += n_g[g] * ztz_g[g, 2]
            y00 += szy_g[g, 0]
            y01 += szy_g[g, 1]
        else:
            n10 += n_g[g] * ztz_g[g, 0]
            n11 += n_g[g] * ztz_g[g, 1]
            n12 += n_g[g] * ztz_g[g, 2]
            y10 += szy_g[g, 0]
            y11 += szy_g[g, 1]
    d = n00 * n02 - n01 * n01
    b3 += -((n00 * y01 - n01 * y00) / d)
    d = n10 * n12 - n11 * n11
    b3 += (n10 * y11 - n11 * y10) / d
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
