"""``lmm_slope`` (primary): REML linear mixed model of slopes, Wald t test of arm x month.

Random intercept and slope per patient (unstructured 2x2 covariance), fixed effects
intercept, month, arm and arm x month; the estimand is the arm x month coefficient, the
difference in mean ALSFRS-R slope, active minus placebo (points/month), referred to a t
distribution with Satterthwaite degrees of freedom. The numerical core (REML criterion on
grouped sufficient statistics, optimiser, Satterthwaite df) is :mod:`designs.analyses.reml`;
this module names the analysis and fits it to real data.
"""

import dataclasses

import numpy as np

from designs.analyses import reml
from designs.analyses.data_table import (
    AnalysisResult,
    after_randomisation,
    check_sides,
    finish,
    patients,
    validate_table,
)
from designs.analyses.reml.kenward_roger import kenward_roger
from designs.analyses.results import DF, SE, STATUS, STATUS_OK
from designs.errors import InputError

NAME = "lmm_slope"
ESTIMAND = "difference in mean ALSFRS-R slope, active minus placebo"
UNITS = "points/month"
#: Strategy for each intercurrent event (ICH E9(R1)), stated in the methods text and outputs.
DROPOUT_STRATEGY = (
    "missing at random: the scores after a patient leaves are taken as missing at random "
    "given the observed ones, so the estimate is that of every patient followed to the last "
    "visit"
)
DEATH_STRATEGY = (
    "hypothetical: as if no patient had died (scores up to death are used; missing at random)"
)
METHODS = (
    "linear mixed model of the score with fixed effects for month, arm and arm x month "
    "and a random intercept and slope per patient (unstructured 2x2 covariance), fitted "
    "by REML; Wald test of arm x month with Satterthwaite degrees of freedom"
)
#: The estimand's variable (ICH E9(R1)), with the design's follow-up ``{months}`` (months),
#: last scheduled visit ``{last_visit}`` and lead-in ``{lead_in}`` (months) to fill in.
VARIABLE = "ALSFRS-R total score (0-48 points) at the scheduled visits over {months:g} months"
NEEDS_LEAD_IN = False
#: Reference distributions ``fit_data`` offers (in the engine: lmm_slope and lmm_slope_kr).
DF_METHODS = ("satterthwaite", "kenward-roger")

#: Patients in the smaller arm below which lmm_slope's Satterthwaite test is liberal under
#: attrition (10 per arm, default attrition: 5.46%, and 5.33% in a later review; 15 per arm,
#: 62% gone: 5.77%; at alpha 0.05, 20,000 trials each, MC SE 0.0016; Kenward-Roger 5.1% and
#: 5.2%; independent reviews. With the default attrition a later review found 5.22% at 12 and
#: 5.17% at 15 per arm, 5.94% at 5, where Kenward-Roger gave 4.77%. A type I error review,
#: 2026-12-06: 5.32% at 20 per arm, MC SE 0.06%, 120,000 trials over 6 seeds, Kenward-Roger
#: 5.12%; 5.16% at 30 per arm, 40,000 trials, and 5.00% at 50: the note stopped at 15 before).
SMALL_ARM = 25
#: The engine's kernel (called on every simulated trial with grouped statistics).
kernel = reml.lmm_slope_fit


def true_value(shift, visits_months):
    """True estimand under a mean change of slope ``shift`` (points/month): ``shift``.

    Curvature is shared by both arms and has zero mean slope over the randomised period, so
    it does not enter; under enrichment the shift is still the same for every admitted
    patient.
    """
    return shift


def fit_data(data, sides: int = 2, df_method: str = "satterthwaite") -> AnalysisResult:
    """Random intercept and slope model (REML), Wald t test of arm x month.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format: ``patient``, ``arm`` (0/1), ``month`` (months), ``alsfrs_r`` (points).
    sides : {1, 2}
        Two-sided p-value, or one-sided favouring active (slower decline).
    df_method : {"satterthwaite", "kenward-roger"}
        Satterthwaite df with the REML covariance of the fixed effects (as the engine and
        lmerTest's default), or Kenward & Roger (1997): adjusted covariance and df, as R's
        pbkrtest (:mod:`designs.analyses.reml.kenward_roger`; in the engine, the analysis
        ``lmm_slope_kr``).

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean slope, active minus placebo (points/month).
    """
    sides = check_sides(sides)
    if df_method not in DF_METHODS:
        raise InputError(f"df_method: must be one of {', '.join(DF_METHODS)}, got {df_method!r}")
    frame = after_randomisation(validate_table(data))
    arms, months, scores = patients(frame)
    groups = reml.group_statistics(arms, months, scores)
    out = reml.lmm_slope_fit_arrays(*groups)
    converged = out[STATUS] == STATUS_OK
    used = (
        "satterthwaite"
        if out[reml.DF_METHOD] == reml.DF_SATTERTHWAITE
        else "between-patient fallback"
    )
    if converged and df_method == "kenward-roger":
        cov = random_effects_cov(out)
        _, var_a, df_kr = kenward_roger(arms, months, float(out[reml.SIGMA2]), cov)
        out = out.copy()
        out[SE] = np.sqrt(var_a)
        out[DF] = df_kr
        used = "kenward-roger"
    return mixed_model_result(NAME, out, arms, sides, used, months, scores)


def random_effects_cov(out) -> np.ndarray:
    """The 2x2 covariance of (intercept, slope) random effects of a REML result ``out``
    (points^2, points^2/month, (points/month)^2)."""
    return np.array(
        [[out[reml.D11], out[reml.D12]], [out[reml.D12], out[reml.D22]]], dtype=np.float64
    )


def mixed_model_result(
    name: str, out, arms, sides: int, df_method: str, months=None, scores=None
) -> AnalysisResult:
    """The :class:`AnalysisResult` of a REML fit of this model (``out``, the kernel's result
    row) on patients of arms ``arms`` (visit ``months`` and ``scores`` per patient: a failed
    fit whose arm has no patient seen at two months, or whose scores lie on each patient's
    line, says so); shared by ``lmm_slope`` and ``lmm_slope_kr``."""
    n1 = sum(arms)
    n0 = len(arms) - n1
    converged = out[STATUS] == STATUS_OK
    if not converged and months is not None:
        _no_slope_in_an_arm(name, arms, months)
    result = finish(
        name,
        out,
        n0,
        n1,
        ESTIMAND,
        UNITS,
        sides,
        residual_var=float(out[reml.SIGMA2]),
        random_effects_cov=random_effects_cov(out) if converged else None,
        reml_criterion=float(out[reml.REML_CRITERION]),
        converged=bool(converged),
        df_method=df_method,
        why_degenerate=None if scores is None else lambda: _on_their_lines(months, scores),
    )
    if not singular_fit(out):
        return result
    line = (
        "singular fit (lme4's isSingular rule: the random intercept's or slope's variance, or "
        "what the slope's keeps beyond its correlation with the intercept, is on its "
        "boundary: the data show no such variation between patients)"
    )
    if df_method == "satterthwaite" and result.df > len(arms) - 2:
        line += (
            f"; Satterthwaite's df from a boundary fit ({result.df:.4g}) exceeds the "
            f"between-patient df ({len(arms) - 2}): --df-method kenward-roger (or "
            "ols_slope_ttest) is the cautious reading"
        )
    return dataclasses.replace(result, warnings=(*result.warnings, line))


#: lme4's ``isSingular`` tolerance: a diagonal entry of the random effects' relative
#: Cholesky factor, chol(D / sigma^2), below it is on its boundary.
SINGULAR_TOL = 1e-4


def singular_fit(out) -> bool:
    """Whether the converged REML fit ``out`` is singular by lme4's ``isSingular`` rule: the
    relative Cholesky factor's diagonal (``l11``, ``l22`` of chol(D / sigma^2)) has an entry
    below :data:`SINGULAR_TOL` (a numerics review: lme4 flagged 36 fits the tool reported
    as plainly converged, with the same numbers)."""
    if out[STATUS] != STATUS_OK:
        return False
    s2 = float(out[reml.SIGMA2])
    d11, d12, d22 = (float(out[k]) / s2 for k in (reml.D11, reml.D12, reml.D22))
    l11 = np.sqrt(max(d11, 0.0))
    rest = d22 - d12 * d12 / d11 if l11 > 0.0 else d22  # the slope's variance beyond it
    return min(l11, np.sqrt(max(rest, 0.0))) < SINGULAR_TOL


def _on_their_lines(months, scores) -> str | None:
    """A failed fit's cause when every patient's scores lie on their own straight line (no
    residual variation for the model's residual variance; a numerics review: a residual SD
    of 1e-6 points failed every fit, as lme4 does, with "check that the scores vary"), or
    None."""
    residual = total = 0.0
    for t, y in zip(months, scores, strict=True):
        if np.unique(t).size < 3:
            continue
        x = np.column_stack([np.ones_like(t), t])
        r = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        residual += float(r @ r)
        total += float(((y - y.mean()) ** 2).sum())
    if not (total > 0.0 and residual <= 1e-8 * total):
        return None
    return (
        "every patient's scores lie on a straight line in month (no variation about each "
        "patient's line for the model's residual variance); ols_slope_ttest analyses such data"
    )


def _no_slope_in_an_arm(name: str, arms, months) -> None:
    """Refuse, naming the arm, data where an arm has fewer than 2 patients seen at two or
    more visit months (a DMC statistician's review: every active patient seen at baseline only
    was reported as "the fit is degenerate: check that the scores vary")."""
    for arm, label in ((0, "placebo"), (1, "active")):
        mine = [t for a, t in zip(arms, months, strict=True) if a == arm]
        moving = sum(np.unique(t).size >= 2 for t in mine)
        if moving < 2:
            raise InputError(
                f"data: {name} could not be fitted: {moving} of {len(mine)} {label} patients "
                "have visits at two or more months, so the arm's slope cannot be estimated "
                "(each arm needs at least 2 such patients)"
            )
