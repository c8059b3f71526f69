"""``lmm_slope_kr``: ``lmm_slope``'s REML fit, Wald test with Kenward-Roger SE and df.

The same random intercept and slope model and REML estimates as ``lmm_slope`` (same
estimate of the arm x month coefficient, points/month); the covariance of the fixed effects
is adjusted for the estimation of the variance components and the Wald statistic is
referred to a t distribution with Kenward-Roger degrees of freedom (Kenward & Roger 1997,
Biometrics 53:983-997), as R's pbkrtest (``vcovAdj``, ``Lb_ddf``). The kernel computes the
adjustment on the grouped statistics the engine already builds
(:mod:`designs.analyses.reml.kenward_roger_grouped`); the per-patient NumPy implementation
(:mod:`designs.analyses.reml.kenward_roger`, checked against pbkrtest) is its reference.
"""

import numpy as np
from numba import njit

from designs.analyses import lmm_slope, reml
from designs.analyses.data_table import (
    AnalysisResult,
    after_randomisation,
    check_sides,
    patients,
    validate_table,
)
from designs.analyses.reml.kenward_roger_grouped import kenward_roger_grouped
from designs.analyses.results import DF, EXTRA0, N_RESULT, SE, STATUS, STATUS_OK, mark_failed

NAME = "lmm_slope_kr"
# The same model, estimand and handling of intercurrent events as lmm_slope.
ESTIMAND = lmm_slope.ESTIMAND
UNITS = lmm_slope.UNITS
DROPOUT_STRATEGY = lmm_slope.DROPOUT_STRATEGY
DEATH_STRATEGY = lmm_slope.DEATH_STRATEGY
METHODS = (
    "linear mixed model of the score with fixed effects for month, arm and arm x month "
    "and a random intercept and slope per patient (unstructured 2x2 covariance), fitted "
    "by REML; Wald test of arm x month with the Kenward-Roger adjusted standard error and "
    "degrees of freedom (Kenward & Roger 1997)"
)
VARIABLE = lmm_slope.VARIABLE
NEEDS_LEAD_IN = False

#: Result slot: the unadjusted REML standard error of arm x month (points/month), as
#: ``lmm_slope`` reports it; SE holds the Kenward-Roger adjusted one.
SE_UNADJUSTED = EXTRA0 + 7
#: ``DF_METHOD`` value of a Kenward-Roger result.
DF_KENWARD_ROGER = 2.0


@njit(cache=True)
def kenward_roger_adjust(arm_g, ztz_g, n_g, n_groups, out):
    """Turn an ``lmm_slope`` result ``out`` (written by :func:`reml.lmm_slope_fit` on these
    groups) into the Kenward-Roger result in place: SE adjusted, DF Kenward-Roger,
    SE_UNADJUSTED the REML SE. A failed fit stays failed; an adjustment that is not finite
    and positive marks the result failed."""
    if out[STATUS] != STATUS_OK:
        return
    _, var_a, df = kenward_roger_grouped(
        arm_g, ztz_g, n_g, n_groups, out[reml.SIGMA2], out[reml.D11], out[reml.D12],
        out[reml.D22],
    )  # fmt: skip
    if not (var_a > 0.0 and np.isfinite(var_a) and df > 0.0 and np.isfinite(df)):
        mark_failed(out)
        return
    out[SE_UNADJUSTED] = out[SE]
    out[SE] = np.sqrt(var_a)
    out[DF] = df
    out[reml.DF_METHOD] = DF_KENWARD_ROGER


@njit(cache=True)
def lmm_slope_kr_fit(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, out):
    """REML fit (:func:`reml.lmm_slope_fit`, same arguments) and Kenward-Roger adjustment."""
    reml.lmm_slope_fit(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, out)
    kenward_roger_adjust(arm_g, ztz_g, n_g, n_groups, out)


#: The engine's kernel (called on every simulated trial with grouped statistics).
kernel = lmm_slope_kr_fit


def true_value(shift, visits_months):
    """True estimand under a mean change of slope ``shift`` (points/month): ``shift``
    (as ``lmm_slope``: same estimate)."""
    return shift


def fit_data(data, sides: int = 2) -> AnalysisResult:
    """``lmm_slope``'s REML fit with the Kenward-Roger Wald t test of arm x month.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format: ``patient``, ``arm`` (0/1), ``month`` (months), ``alsfrs_r`` (points).
    sides : {1, 2}
        Two-sided p-value, or one-sided favouring active (slower decline).

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean slope, active minus placebo (points/month); SE and df
        Kenward-Roger, on the engine's kernel.
    """
    sides = check_sides(sides)
    frame = after_randomisation(validate_table(data))
    arms, months, scores = patients(frame)
    groups = reml.group_statistics(arms, months, scores)
    arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g = groups
    out = np.empty(N_RESULT)
    lmm_slope_kr_fit(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, len(arm_g), out)
    return lmm_slope.mixed_model_result(NAME, out, arms, sides, "kenward-roger", months, scores)
