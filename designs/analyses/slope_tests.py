"""Numba kernels for the two simpler per-trial analyses.

* ``ols_slope_ttest``: two-sample t-test of per-patient least-squares slopes
  (difference in mean slope, active minus placebo, ALSFRS-R points/month).
* ``ancova_change``: completers' change from baseline to the last scheduled visit regressed
  on arm and baseline score (difference in mean change, active minus placebo, points).

Both write ESTIMATE, SE, DF and STATUS of :mod:`designs.analyses.results` into ``out``; the remaining
slots are NaN. Sums are taken in two passes (means first) so that the result does not lose
digits to cancellation when scores are around 40 points.
"""

import numpy as np
from numba import njit

from designs.analyses.results import DF, ESTIMATE, N_RESULT, SE, STATUS, STATUS_OK, mark_failed


@njit(cache=True)
def ols_slope_ttest(slope, arm, n, out):
    """Pooled-variance two-sample t-test of per-patient OLS slopes.

    Parameters
    ----------
    slope : float64[n_max]
        Per-patient least-squares slopes (points/month) of patients with >= 2 visits.
    arm : int64[n_max]
        Arm of each patient (0 placebo, 1 active).
    n : int
        Number of leading entries used.
    out : float64[N_RESULT]
        Written: ESTIMATE = mean slope active - placebo (points/month), SE (points/month),
        DF = n1 + n2 - 2, STATUS (1 if an arm has < 2 patients, an arm is not 0/1, or the SE
        is 0 or not finite).

    Notes
    -----
    The pooled (Student) test is used, not Welch's. With the 1:1 allocation of the designs it
    is exact under equal variances and nearly exact otherwise (with equal arm sizes the pooled
    and Welch standard errors coincide; only the df differ, and n1 + n2 - 2 is the better small-
    sample choice when the variances are close, as they are here: the same natural-history
    spread in both arms, plus a modest benefit SD if ``effect.sd > 0``). It is also the
    complete-data limit of the primary ``lmm_slope`` analysis (same estimate and SE), which
    keeps the two analyses comparable. With strongly unequal allocation *and* unequal
    variances the pooled test is not calibrated; Welch would be safer there.
    """
    for k in range(N_RESULT):
        out[k] = np.nan
    n0 = 0
    n1 = 0
    s0 = 0.0
    s1 = 0.0
    for i in range(n):
        if arm[i] == 0:
            n0 += 1
            s0 += slope[i]
        elif arm[i] == 1:
            n1 += 1
            s1 += slope[i]
        else:
            mark_failed(out)
            return
    if n0 < 2 or n1 < 2:
        mark_failed(out)
        return
    m0 = s0 / n0
    m1 = s1 / n1
    ss = 0.0
    for i in range(n):
        d = slope[i] - (m1 if arm[i] == 1 else m0)
        ss += d * d
    df = n0 + n1 - 2.0
    se = np.sqrt(ss / df * (1.0 / n0 + 1.0 / n1))
    est = m1 - m0
    if not (se > 0.0 and np.isfinite(se) and np.isfinite(est)):
        mark_failed(out)
        return
    out[ESTIMATE] = est
    out[SE] = se
    out[DF] = df
    out[STATUS] = STATUS_OK


@njit(cache=True)
def ancova_change(y0, ylast, arm, n, out):
    """ANCOVA of change from baseline among completers, adjusted for baseline.

    Fits ``ylast - y0 = c0 + c1 * arm + c2 * y0 + e`` by ordinary least squares.

    Parameters
    ----------
    y0 : float64[n_max]
        Baseline (month 0) scores, points.
    ylast : float64[n_max]
        Scores at the last scheduled visit, points (completers only).
    arm : int64[n_max]
        Arm (0 placebo, 1 active).
    n : int
        Number of leading entries used.
    out : float64[N_RESULT]
        Written: ESTIMATE = ``c1`` (points; difference in mean change, active minus placebo,
        at equal baseline), SE (points), DF = n - 3, STATUS (1 if an arm has < 2 patients,
        the design is singular, or the SE is 0 or not finite).
    """
    for k in range(N_RESULT):
        out[k] = np.nan
    n0 = 0
    n1 = 0
    mx = 0.0
    mc = 0.0
    for i in range(n):
        if arm[i] == 0:
            n0 += 1
        elif arm[i] == 1:
            n1 += 1
        else:
            mark_failed(out)
            return
        mx += y0[i]
        mc += ylast[i] - y0[i]
    if n0 < 2 or n1 < 2:
        mark_failed(out)
        return
    nt = n0 + n1
    ma = n1 / nt
    mx /= nt
    mc /= nt
    saa = 0.0
    sax = 0.0
    sxx = 0.0
    sac = 0.0
    sxc = 0.0
    for i in range(n):
        da = arm[i] - ma
        dx = y0[i] - mx
        dc = (ylast[i] - y0[i]) - mc
        saa += da * da
        sax += da * dx
        sxx += dx * dx
        sac += da * dc
        sxc += dx * dc
    det = saa * sxx - sax * sax
    if not det > 1e-12 * saa * sxx:
        mark_failed(out)
        return
    c1 = (sxx * sac - sax * sxc) / det
    c2 = (saa * sxc - sax * sac) / det
    rss = 0.0
    for i in range(n):
        r = ((ylast[i] - y0[i]) - mc) - c1 * (arm[i] - ma) - c2 * (y0[i] - mx)
        rss += r * r
    df = nt - 3.0
    if df < 1.0:
        mark_failed(out)
        return
    se = np.sqrt(rss / df * sxx / det)
    if not (se > 0.0 and np.isfinite(se) and np.isfinite(c1)):
        mark_failed(out)
        return
    out[ESTIMATE] = c1
    out[SE] = se
    out[DF] = df
    out[STATUS] = STATUS_OK


@njit(cache=True)
def ols_slope(t, y, m):
    """Least-squares slope (points/month) of one patient's first ``m`` visits; NaN if < 2
    distinct months."""
    if m < 2:
        return np.nan
    mt = 0.0
    my = 0.0
    for j in range(m):
        mt += t[j]
        my += y[j]
    mt /= m
    my /= m
    stt = 0.0
    sty = 0.0
    for j in range(m):
        stt += (t[j] - mt) * (t[j] - mt)
        sty += (t[j] - mt) * (y[j] - my)
    if not stt > 0.0:
        return np.nan
    return sty / stt
