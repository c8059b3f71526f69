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
true slopes not explained by the lead-in slope) by the method of moments of DerSimonian and
Laird (1986) as extended to regression: from a first fit weighted by
``v_i = Sxx_i / sigma^2``, ``Q`` the weighted residual sum of squares of that fit,
``tau^2 = max(0, (Q - (n - 3)) / (sum v_i - tr((X'VX)^-1 X'V^2X)))``. (An earlier version
took ``tau^2`` from the residuals of an unweighted fit, whose variance is dominated by the
patients with two post visits; its estimate ranged over two orders of magnitude from trial
to trial, and with the model-based standard error and ``n - 3`` degrees of freedom the test
rejected 5.4-5.7% at alpha 0.05 under the default attrition.)

Reference distribution. The model-based standard error of feasible GLS ignores that the
weights are estimated, and the weight model is only approximate (month 0 is in both slopes,
so the regression on the lead-in slope differs with the number of post visits). The
standard error is therefore the HC2 sandwich (MacKinnon & White 1985), robust to a
misspecified weight model, and the test is a t test with Bell-McCaffrey degrees of freedom
(Bell & McCaffrey 2002; Imbens & Kolesar 2016), the Satterthwaite approximation to the
distribution of the HC2 variance under the working model: at most ``n - 3`` and smaller the
more a few heavily weighted patients dominate the contrast. Simulated type I error at alpha
0.05 is within 3 Monte Carlo SE of alpha at 15 and 50 patients per arm with the default
attrition (tests/analyses/test_slope_change_lead_in.py). With complete data every
``Sxx_i`` is equal and the estimate is the ordinary ANCOVA's.

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
#: Strategy for each intercurrent event (ICH E9(R1)), stated in the methods text and outputs.
# A paste-ready review: these read "missing at random" (the mixed model's words); a
# two-stage analysis of per-patient slopes has no model for the visits missed, as
# ols_slope_ttest, only weights by each slope's precision.
DROPOUT_STRATEGY = (
    "while observed: per-patient slopes over the visits each patient attended (at least 2 "
    "from month 0), weighted by their precision; no model for the visits missed"
)
DEATH_STRATEGY = "while alive: per-patient slopes over the visits before death"
METHODS = (
    "post-randomisation slope regressed on arm and the patient's own lead-in slope "
    "(weighted ANCOVA of the change of slope; weights from the within-patient variance of "
    "each slope and a moment estimate of the between-patient variance), HC2 sandwich "
    "standard error and t test with Bell-McCaffrey degrees of freedom"
)
#: The estimand's variable (:data:`designs.analyses.lmm_slope.VARIABLE`'s fields), with
#: the lead-in visits.
VARIABLE = (
    "ALSFRS-R total score (0-48 points) at the lead-in visits over the {lead_in:g} months "
    "before randomisation and the scheduled visits over {months:g} months"
)
NEEDS_LEAD_IN = True
NAME = "slope_change_lead_in"

# Columns of the per-patient statistics array ``stats`` (float64[n_max, N_STATS]).
#: Visits a patient needs up to month 0 (the lead-in slope) and from it (the slope after
#: randomisation): a line needs two.
MIN_VISITS = 2
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
def _wls3(stats, arm, n, w, out3, cov):
    """Weighted LS of post on (1, arm, pre) with weights ``w`` (float64[n]).

    ``out3`` receives the coefficients, ``cov`` the inverse of ``X'WX`` (3x3). Returns
    False when ``X'WX`` is singular.
    """
    a = np.zeros((3, 3))
    b = np.zeros(3)
    x = np.empty(3)
    for i in range(n):
        x[0] = 1.0
        x[1] = arm[i]
        x[2] = stats[i, S_PRE]
        y = stats[i, S_POST]
        for r in range(3):
            b[r] += w[i] * x[r] * y
            for c in range(3):
                a[r, c] += w[i] * x[r] * x[c]
    # Invert the 3x3 symmetric matrix by cofactors.
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    if not (abs(det) > 1e-300 and math.isfinite(det)):
        return False
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
    return True


@njit(cache=True)
def _residual(stats, arm, i, coef):
    """Residual of patient ``i`` around the fitted line, points/month."""
    return stats[i, S_POST] - coef[0] - coef[1] * arm[i] - coef[2] * stats[i, S_PRE]


@njit(cache=True)
def _moment_tau2(stats, arm, n, v, coef, cov):
    """Method-of-moments ``tau^2`` (DerSimonian & Laird 1986, as extended to
    meta-regression): weights ``v_i = 1 / (sigma^2 / Sxx_i)``, ``Q`` their weighted residual
    SS, ``E[Q] = n - 3 + tau^2 (sum v - tr((X'VX)^-1 X'V^2X))``; truncated at 0.

    Returns -1 when ``X'VX`` is singular.
    """
    if not _wls3(stats, arm, n, v, coef, cov):
        return -1.0
    q = 0.0
    sum_v = 0.0
    tr = 0.0
    x = np.empty(3)
    for i in range(n):
        e = _residual(stats, arm, i, coef)
        q += v[i] * e * e
        sum_v += v[i]
        x[0] = 1.0
        x[1] = arm[i]
        x[2] = stats[i, S_PRE]
        for r in range(3):
            for c in range(3):
                tr += cov[r, c] * v[i] * v[i] * x[r] * x[c]
    denom = sum_v - tr
    if not denom > 0.0:
        return 0.0
    return max((q - (n - 3.0)) / denom, 0.0)


@njit(cache=True)
def _hc2_bell_mccaffrey(stats, arm, n, w, coef, cov):
    """HC2 variance of the arm coefficient and its Bell-McCaffrey degrees of freedom.

    With ``h_i = w_i x_i' (X'WX)^-1 x_i`` (leverage) and ``g_i = sqrt(w_i) [(X'WX)^-1
    x_i]_arm``, the variance is ``sum g_i^2 w_i e_i^2 / (1 - h_i)`` (MacKinnon & White 1985)
    and the degrees of freedom ``tr(MD)^2 / tr((MD)^2)``, ``M = I - H``, ``D =
    diag(g_i^2 / (1 - h_i))`` (Bell & McCaffrey 2002; Imbens & Kolesar 2016), computed in
    O(n) as ``tr(MD) = sum g_i^2`` and ``tr((MD)^2) = sum d_i^2 (1 - 2 h_i) +
    tr((A P)^2)``, ``A = (X'WX)^-1``, ``P = sum d_i w_i x_i x_i'``.

    Returns (variance, df); variance -1 when a leverage is 1.
    """
    p = np.zeros((3, 3))
    x = np.empty(3)
    var = 0.0
    sum_g2 = 0.0
    sum_d2 = 0.0
    for i in range(n):
        x[0] = 1.0
        x[1] = arm[i]
        x[2] = stats[i, S_PRE]
        h = 0.0
        ax1 = 0.0
        for r in range(3):
            ax1 += cov[1, r] * x[r]
            for c in range(3):
                h += x[r] * cov[r, c] * x[c]
        h *= w[i]
        if not 1.0 - h > 1e-10:
            return -1.0, math.nan
        g2 = w[i] * ax1 * ax1
        d = g2 / (1.0 - h)
        e = _residual(stats, arm, i, coef)
        var += d * w[i] * e * e
        sum_g2 += g2
        sum_d2 += d * d * (1.0 - 2.0 * h)
        for r in range(3):
            for c in range(3):
                p[r, c] += d * w[i] * x[r] * x[c]
    ap = np.zeros((3, 3))
    for r in range(3):
        for c in range(3):
            for k in range(3):
                ap[r, c] += cov[r, k] * p[k, c]
    tr_ap2 = 0.0
    for r in range(3):
        for c in range(3):
            tr_ap2 += ap[r, c] * ap[c, r]
    return var, sum_g2 * sum_g2 / (sum_d2 + tr_ap2)


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
        Written: ESTIMATE = ``c_1`` (points/month), SE (HC2, points/month), DF
        (Bell-McCaffrey), STATUS; extras ``X_TAU2``, ``X_SIGMA2``, ``X_PRE_COEF``.
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
    w = np.empty(n)
    # Pooled within-patient residual variance around the post-randomisation lines.
    rss_w = 0.0
    df_w = 0.0
    for i in range(n):
        rss_w += stats[i, S_RSS]
        df_w += stats[i, S_M] - 2.0
    sigma2 = rss_w / df_w if df_w > 0.0 else 0.0
    if sigma2 > 0.0 and math.isfinite(sigma2):
        for i in range(n):
            w[i] = stats[i, S_SXX] / sigma2
        tau2 = _moment_tau2(stats, arm, n, w, coef, cov)
        if not (tau2 >= 0.0 and math.isfinite(tau2)):
            return
        for i in range(n):
            w[i] = 1.0 / (tau2 + sigma2 / stats[i, S_SXX])
    else:  # no within-patient variance to weigh by (no patient with 3+ post visits)
        tau2 = math.nan
        for i in range(n):
            w[i] = 1.0
    if not _wls3(stats, arm, n, w, coef, cov):
        return
    var, df = _hc2_bell_mccaffrey(stats, arm, n, w, coef, cov)
    se = math.sqrt(var) if var > 0.0 else math.nan
    if not (se > 0.0 and math.isfinite(se) and math.isfinite(coef[1])):
        return
    if not (df > 0.0 and math.isfinite(df)):
        return
    out[ESTIMATE] = coef[1]
    out[SE] = se
    out[DF] = df
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
        if pre.sum() < MIN_VISITS or post.sum() < MIN_VISITS:
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
            f"data: slope_change_lead_in needs patients with >= {MIN_VISITS} visits at "
            f"month <= 0 and >= {MIN_VISITS} at month >= 0"
        )
    arm_arr = np.asarray(arm, dtype=np.int64)
    out = np.empty(N_RESULT)
    slope_change_lead_in_test(np.asarray(rows), arm_arr, arm_arr.size, out)
    n1 = int(arm_arr.sum())
    result = finish(
        NAME,
        out,
        arm_arr.size - n1,
        n1,
        ESTIMAND,
        UNITS,
        sides,
        residual_var=float(out[X_SIGMA2]) if math.isfinite(out[X_TAU2]) else math.nan,
        slope_var_unexplained=float(out[X_TAU2]),
        lead_in_coefficient=float(out[X_PRE_COEF]),
    )
    if out[STATUS] == STATUS_OK and math.isnan(out[X_TAU2]):
        # a lead-in review: the fit fell back to equal weights and still read as weighted
        from dataclasses import replace

        unweighted = (
            f"slope_change_lead_in: no patient has {MIN_VISITS + 1} or more visits at month "
            ">= 0, so the within-patient variance cannot be estimated and the patients are "
            "weighted equally (an unweighted ANCOVA of the post-randomisation slopes, with "
            "its HC2 SE and Bell-McCaffrey df), not by the precision of their slopes"
        )
        result = replace(result, warnings=(*result.warnings, unweighted))
    return result
