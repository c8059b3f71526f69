"""``analyze``'s warnings on the mixed model's fit to a trial's data: variance components
that two visits per patient cannot tell apart, and Satterthwaite's degrees of freedom in a
small trial with leavers (the rates near its size). Text only; moved out of
:mod:`designs.analyses.registry`."""

from __future__ import annotations

import dataclasses

from designs.analyses import lmm_slope, lmm_slope_kr
from designs.analyses.data_table import AnalysisResult

__all__ = ["KENWARD_ROGER_TINY_ARMS", "identifiability_warning", "small_trial_warning"]

#: Kenward-Roger's type I error in tiny arms (two-sided 0.05, the default design's
#: attrition; the runs: designs/outputs/small_arm.py), said by analyze and by power's note.
KENWARD_ROGER_TINY_ARMS = "0.8% at 2, 2.6% at 3, 4.0% at 4 per arm"


def identifiability_warning(result: AnalysisResult, frame, analysis: str) -> AnalysisResult:
    """A warning when the mixed model has no more visits (from month 0) than random effects
    (2 per patient), lme4's ``check.nobs.vs.nRE`` rule: the residual variance and the
    random-effects covariance then need not be separately identifiable (an edge-design
    review: with visits at months 0 and 12 lme4 refused, the tool printed a residual
    variance of 5.92, and lme4 forced to fit gave 3.01 or 1.83 by optimiser; the estimate,
    SE, df and p agreed with R to 1e-6)."""
    if analysis not in (lmm_slope.NAME, lmm_slope_kr.NAME):
        return result
    used = frame[frame["month"] >= 0.0]
    visits, people = len(used), used["patient"].nunique()
    if visits > 2 * people:
        return result
    line = (
        f"{visits} visits from month 0 for {people} patients: no more than the random effects "
        "(an intercept and a slope per patient), so the residual variance and the "
        "random-effects covariance may not be separately identifiable (lme4 refuses such a "
        "fit by default); the test of arm x month rests on their sum at each patient's "
        "visits, the printed variance components may mean nothing on their own"
    )
    return dataclasses.replace(result, warnings=(*result.warnings, line))


def small_trial_warning(result: AnalysisResult, frame) -> AnalysisResult:
    """A warning when ``lmm_slope`` with Satterthwaite df analyses a small trial with patients
    who left before the last visit, where its test is a little liberal
    (:data:`~designs.analyses.lmm_slope.SMALL_ARM`), as ``power`` notes for a simulated one
    (a type I error review: 5.3% at 20 per arm; ``analyze`` said nothing)."""
    if result.analysis != lmm_slope.NAME or result.df_method != "satterthwaite":
        return result
    smallest = min(result.n_placebo, result.n_active)
    # leavers have fewer visits than others (a diff review: by the last month, visit windows
    # such as 11.8 against 12.2 read as leaving)
    visits = frame[frame["month"] >= 0.0].groupby("patient", sort=False).size()
    if smallest >= lmm_slope.SMALL_ARM or not (visits < visits.max()).any():
        return result
    # the rates near this trial's size (a small-sample review: 10-20 per arm's were quoted
    # for a trial of 2 per arm, where about 6% holds; designs/outputs/small_arm.py)
    rates = (
        "about 6% at 2-4 and 5.8% at 5 per arm"
        if smallest < 8
        else "5.3-5.5% at 10 and 5.3% at 20 per arm"
    )
    line = (
        f"{smallest} {'patient' if smallest == 1 else 'patients'} in the smaller arm, some "
        "with fewer visits than others (leaving early): "
        f"Satterthwaite's degrees of freedom are liberal at this size (simulated type I error "
        f"{rates} for a two-sided 0.05 with the default design's attrition); --df-method "
        "kenward-roger holds the level"
        + (f", conservatively ({KENWARD_ROGER_TINY_ARMS})" if smallest < 5 else "")
    )
    return dataclasses.replace(result, warnings=(*result.warnings, line))
