"""Lead-in designs: the change-of-slope analysis ``slope_change_lead_in``.

Each patient is observed for ``trial.lead_in_months`` before randomisation on their
natural-history slope; treatment acts from month 0. Per patient ``i``:

- ``pre_i``: least-squares slope of the lead-in visits and month 0 (points/month);
- ``post_i``: least-squares slope of the observed scheduled visits from month 0
  (points/month; patients with >= 2 of them).

The analysis regresses the post-randomisation slope on arm and the patient's own lead-in
slope,

.. math::

    \\text{post}_i = c_0 + c_1\\,\\text{arm}_i + c_2\\,\\text{pre}_i + \\varepsilon_i,

which is the same as regressing the change of slope ``post_i - pre_i`` on arm and
``pre_i`` (the arm coefficient ``c_1`` is identical). Estimand: the difference in mean
change of slope, active minus placebo, points/month. Randomisation balances the lead-in
slopes, so this equals the difference in mean post-randomisation slope (the same value as
``lmm_slope``'s estimand); the lead-in only removes the part of each patient's slope that
their own history predicts.

Weights. Under dropout, patients with few post-randomisation visits have very noisy
slopes; equal weights (as ``ols_slope_ttest``) waste information. The fit is feasible
generalised least squares: ``Var(eps_i) = tau^2 + sigma^2 / Sxx_i``, ``Sxx_i`` the sum of
squared centred months of patient ``i``'s post visits, ``sigma^2`` pooled from the
within-patient residuals around each post-randomisation line, ``tau^2`` (the variance of
true slopes not explained by the lead-in slope) by moments from an unweighted first fit,
floored at 1% of its residual variance. The standard error is the weighted one scaled by
the weighted residual variance (so a mis-specified weight costs efficiency, not
calibration), with ``n - 3`` degrees of freedom. With complete data every ``Sxx_i`` is
equal and the fit is the ordinary ANCOVA.

What a lead-in saves: with ``R`` the correlation of ``pre_i`` and ``post_i`` (both
including their measurement noise), the residual variance falls by ``1 - R^2``. The lead-in
slope is noisy when the lead-in is short (3 monthly visits plus month 0 at residual SD 2
give a slope SE of 0.89 points/month), so the saving is large only when true slopes vary
much more than that: docs/references.md#lead-in-designs reports 44% fewer patients for a 4-month
lead-in in a 12-month slope trial of unselected patients (slope SD ~0.75/month here), and
little is to be gained in a slow, homogeneous population (slope SD 0.35/month, the
default). Lead-in visits are assumed always observed (nobody leaves before randomisation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from designs.analyses.data_table import (
    AnalysisResult,
    check_sides,
    finish,
    patients,
    validate_table,
)
from designs.analyses.ols_slope_ttest import ols_slope
from designs.analyses.results import (
    DF,
    ESTIMATE,
    EXTRA0,
    N_RESULT,
    SE,
    STATUS,
    STATUS_OK,
    mark_failed,
)
from designs.errors import InputError

ESTIMAND = (
    "difference in mean change of ALSFRS-R slope (post-randomisation slope minus the "
    "patient's own lead-in slope), adjusted for the lead-in slope (weighted ANCOVA), active "
    "minus placebo; equals the difference in mean post-randomisation slope"
)
UNITS = "points/month"
METHODS = (
    "post-randomisation slope regressed on arm and the patient's own lead-in slope "
    "(weighted ANCOVA of the change of slope), t test with n - 3 degrees of freedom"
)
NEEDS_LEAD_IN = True
NAME = "slope_change_lead_in"

# Columns of the per-patient statistics array ``stats`` (float64[n_max, N_STATS]).
S_PRE = 0  # lead-in slope, points/month
S_POST = 1  # post-randomisation slope, points/month
S_SXX = 2  # sum of squared centred months of the post visits, months^2
S_RSS = 3  # residual sum of squares around the post-randomisation line, points^2
S_M = 4  # number of post-randomisation visits
N_STATS = 5

# Analysis-specific result slots.
X_TAU2 = EXTRA0  # variance of true slopes unexplained by the lead-in slope, (points/month)^2
X_SIGMA2 = EXTRA0 + 1  # pooled within-patient residual variance, points^2
X_PRE_COEF = EXTRA0 + 2  # c_2, coefficient of the lead-in slope


@njit(cache=True)
def _wls3(stats, arm, n, tau2, sigma2, out3, cov):
    """Weighted LS of post on (1, arm, pre); returns the weighted residual SS.

    ``tau2 < 0`` means unit weights. ``out3`` receives the coefficients, ``cov`` the
    inverse of ``X'WX`` (3x3).
    """
    a = np.zeros((3, 3))
    b = np.zeros(3)
    x = np.empty(3)
    for i in range(n):
        w = 1.0
        if tau2 >= 0.0:
            w = 1.0 / (tau2 + sigma2 / stats[i, S_SXX])
        x[0] = 1.0
        x[1] = arm[i]
        x[2] = stats[i, S_PRE]
        y = stats[i, S_POST]
        for r in range(3):
            b[r] += w * x[r] * y
            for c in range(3):
                a[r, c] += w * x[r] * x[c]
    # Invert the 3x3 symmetric matrix by cofactors.
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    if not (abs(det) > 1e-300 and math.isfinite(det)):
        return -1.0
    cov[0, 0] = c00 / det
    cov[0, 1] = c01 / det
    cov[0, 2] = c02 / det
    cov[1, 0] = cov[0, 1]
    cov[1, 1] = (a[0, 0] * a[2, 2] - a[0, 2] * a[2, 0]) / det
    cov[1, 2] = (a[0, 2] * a[1, 0] - a[0, 0] * a[1, 2]) / det
    cov[2, 0] = cov[0, 2]
    cov[2, 1] = cov[1, 2]
    cov[2, 2] = (a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]) / det
    for r in range(3):
        out3[r] = cov[r, 0] * b[0] + cov[r, 1] * b[1] + cov[r, 2] * b[2]
    rss = 0.0
    for i in range(n):
        w = 1.0
        if tau2 >= 0.0:
            w = 1.0 / (tau2 + sigma2 / stats[i, S_SXX])
        e = stats[i, S_POST] - out3[0] - out3[1] * arm[i] - out3[2] * stats[i, S_PRE]
        rss += w * e * e
    return rss


@njit(cache=True)
def slope_change_lead_in_test(stats, arm, n, out):
    """Weighted ANCOVA of the post-randomisation slope on arm and the lead-in slope.

    Parameters
    ----------
    stats : float64[n_max, N_STATS]
        Per-patient statistics (columns ``S_*``) of patients with >= 2 post visits.
    arm : int64[n_max]
        Arm (0 placebo, 1 active).
    n : int
        Number of leading rows used.
    out : float64[N_RESULT]
        Written: ESTIMATE = ``c_1`` (points/month), SE (points/month), DF = n - 3, STATUS;
        extras ``X_TAU2``, ``X_SIGMA2``, ``X_PRE_COEF``.
    """
    mark_failed(out)
    n0 = 0
    n1 = 0
    for i in range(n):
        if arm[i] == 0:
            n0 += 1
        elif arm[i] == 1:
            n1 += 1
        else:
            return
    if n0 < 2 or n1 < 2 or n < 4:
        return
    coef = np.empty(3)
    cov = np.empty((3, 3))
    # Pooled within-patient residual variance around the post-randomisation lines.
    rss_w = 0.0
    df_w = 0.0
    inv_sxx = 0.0
    for i in range(n):
        rss_w += stats[i, S_RSS]
        df_w += stats[i, S_M] - 2.0
        inv_sxx += 1.0 / stats[i, S_SXX]
    sigma2 = rss_w / df_w if df_w > 0.0 else 0.0
    # Unweighted fit, then tau^2 by moments: E[residual variance] = tau^2 + sigma^2 mean(1/Sxx).
    rss0 = _wls3(stats, arm, n, -1.0, sigma2, coef, cov)
    if rss0 < 0.0:
        return
    v0 = rss0 / (n - 3.0)
    tau2 = max(v0 - sigma2 * inv_sxx / n, 0.01 * v0)
    if not (tau2 > 0.0 and math.isfinite(tau2)):
        return
    rss = _wls3(stats, arm, n, tau2, sigma2, coef, cov)
    if rss < 0.0:
        return
    phi = rss / (n - 3.0)
    se = math.sqrt(phi * cov[1, 1]) if cov[1, 1] > 0.0 else math.nan
    if not (se > 0.0 and math.isfinite(se) and math.isfinite(coef[1])):
        return
    out[ESTIMATE] = coef[1]
    out[SE] = se
    out[DF] = n - 3.0
    out[STATUS] = STATUS_OK
    out[X_TAU2] = tau2
    out[X_SIGMA2] = sigma2
    out[X_PRE_COEF] = coef[2]


def true_value(shift, visits_months):
    """True estimand under a mean change of slope ``shift`` (points/month): ``shift``
    (randomisation balances the lead-in slopes)."""
    return shift


def fit_data(data, sides: int = 2) -> AnalysisResult:
    """Post-randomisation slope adjusted for the patient's own lead-in slope
    (:mod:`designs.analyses.slope_change_lead_in`).

    Lead-in visits are those at month <= 0 (month 0 is the randomisation visit, assessed
    before treatment); post-randomisation visits those at month >= 0. Patients need >= 2 of
    each.

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean change of slope, active minus placebo (points/month).
    """
    sides = check_sides(sides)
    frame = validate_table(data)
    rows, arm = [], []
    for a, t, y in zip(*patients(frame), strict=True):
        pre = t <= 0.0
        post = t >= 0.0
        if pre.sum() < 2 or post.sum() < 2:
            continue
        tp, yp = t[post], y[post]
        m = tp.size
        st, sy = tp.sum(), yp.sum()
        sxx = float((tp * tp).sum() - st * st / m)
        beta = float(((tp * yp).sum() - st * sy / m) / sxx)
        rss = max(float((yp * yp).sum() - sy * sy / m - beta * beta * sxx), 0.0)
        stats_row = np.empty(N_STATS)
        stats_row[S_PRE] = ols_slope(t[pre], y[pre], int(pre.sum()))
        stats_row[S_POST] = beta
        stats_row[S_SXX] = sxx
        stats_row[S_RSS] = rss
        stats_row[S_M] = m
        rows.append(stats_row)
        arm.append(a)
    if not rows:
        raise InputError(
            "data: slope_change_lead_in needs patients with >= 2 visits at "
            "month <= 0 and >= 2 at month >= 0"
        )
    arm_arr = np.asarray(arm, dtype=np.int64)
    out = np.empty(N_RESULT)
    slope_change_lead_in_test(np.asarray(rows), arm_arr, arm_arr.size, out)
    n1 = int(arm_arr.sum())
    return finish(NAME, out, arm_arr.size - n1, n1, ESTIMAND, UNITS, sides)
