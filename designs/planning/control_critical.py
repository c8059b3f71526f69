"""Where the control variate's oracle is tested: ``c`` for a design and its decision rule.

The control ``C = Phi(k (z - c)) - Phi(k (mu_P - c) / sqrt(1 + k^2))``
(:mod:`designs.planning.control_variate`) has mean 0 for any ``c`` fixed before the trials are
seen, so ``c`` decides only how much variance the control removes: most where the oracle
rejects in about the trials where the rule succeeds. Under the design's test that is the
test's one-sided critical value. Under the posterior rule (``P(effect > margin | data) >
threshold``) it is the z at which the rule succeeds at the design's planned standard error:
the estimate ``e*`` with ``P(effect <= margin | e*, se) = 1 - threshold`` under the rule's
prior, divided by ``se``. With the test's ``c`` instead, the rule's variance fell 1.1-3.4
times; with its own 6.7-10.2 times (robust, sceptical, sceptical with a margin and vague
priors, 100-245 per arm on the default design; 5 x 4,000 trials each).
"""

from __future__ import annotations

import math

import numpy as np

from designs.errors import InputError
from designs.planning.control_variate import critical_value

#: Bisection steps for the rule's ``e*``: the bracket of 100 planned SEs shrinks below 1e-13
#: of an SE.
_STEPS = 60

#: Half-width of the bracket for ``e*``, in planned SEs around the margin; a rule that
#: succeeds (or fails) at every estimate within it keeps the test's ``c``.
_REACH = 50.0


def planned_se(design) -> float:
    """The standard error (points/month) of the slope difference at the design's size:
    ``sqrt(v_placebo / n_placebo + v_active / n_active)``, the per-patient GLS slope variances
    of :func:`designs.planning.closed_form.design_slope_variances` (dropout and deaths as
    MCAR). NaN where they are undefined."""
    from designs.planning.closed_form import design_slope_variances

    try:
        v_p, v_a = design_slope_variances(design)
    except (InputError, np.linalg.LinAlgError, ValueError):
        return math.nan
    t = design.trial
    return math.sqrt(v_p / t.n_placebo + v_a / t.n_active)


def rule_critical(design, prior, se: float) -> float:
    """The z (``e* / se``) at which the posterior rule of ``design.decision`` under ``prior``
    (:class:`~designs.analyses.decision.NormalMixture`, points/month) succeeds for an estimate
    with standard error ``se`` (points/month); NaN where it succeeds or fails throughout
    ``margin +- 50 se``. ``P(effect <= margin | e, se)`` falls as ``e`` grows (a normal
    likelihood's posterior is stochastically increasing in the estimate), so bisection."""
    from designs.analyses.decision import lower_tail

    rule = design.decision
    if not (math.isfinite(se) and se > 0):
        return math.nan
    target = 1.0 - rule.threshold

    def above(e: float) -> bool:
        return bool(lower_tail(prior, np.array([e]), np.array([se]), rule.margin)[0] > target)

    lo, hi = rule.margin - _REACH * se, rule.margin + _REACH * se
    if not (above(lo) and not above(hi)):
        return math.nan
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        if above(mid):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi) / se


#: The oracle rejections (and non-rejections) a run of the posterior rule is planned to
#: expect at its ``c``: twice the guard's :data:`~designs.planning.control_variate.
#: MIN_ORACLE_SIDE`, so that the control is taken, not the plain share, in runs of 500 trials
#: or more (a review: at the rule's own z the sceptical rule's type I error, about 0.01,
#: expected 5 oracle rejections in 500 trials and kept the plain share, where the test's
#: 1.96 had taken the control).
PLANNED_SIDE = 20

#: The expected count at the rule's own z below which ``c`` moves (to :data:`PLANNED_SIDE`):
#: just above the guard's 10 (the guard counts with the trials' own ``mu_P``, close to the
#: planned drift), so that ``c`` stays the rule's wherever the guard would take the control
#: there (a diff review: moving ``c`` at 11 expected, where the rule's own z worked, cost 2.4
#: times the variance).
MOVE_BELOW = 10.5


def control_critical(design, prior=None, trials: int | None = None) -> float:
    """The control's ``c`` for ``design`` (fixed before any trial, so that a run reduced in
    chunks gives the numbers of one pass): under the posterior rule, with its ``prior``,
    :func:`rule_critical` at :func:`planned_se`, moved towards the planned drift
    ``mu = effect / planned SE`` (to expect :data:`PLANNED_SIDE`) where a run of ``trials``
    would expect fewer than :data:`MOVE_BELOW` oracle rejections (or non-rejections) there;
    otherwise, or where that is undefined, the test's
    :func:`~designs.planning.control_variate.critical_value`."""
    test = critical_value(design.trial.alpha, design.trial.sides)
    if prior is None or not design.decision.is_posterior:
        return test
    se = planned_se(design)
    c = rule_critical(design, prior, se)
    if not math.isfinite(c):
        return test
    if trials:
        from designs.sequential import normal as norm

        mu = design.effect.slope_shift(design.population.slope_mean) / se
        share = min(PLANNED_SIDE / trials, 0.5)
        if trials * float(norm.sf(c - mu)) < MOVE_BELOW:  # too few rejections: lower c
            c = mu + float(norm.isf(share))
        elif trials * float(norm.cdf(c - mu)) < MOVE_BELOW:  # too few non-rejections
            c = mu - float(norm.isf(share))
    return c
