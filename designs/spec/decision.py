"""How each simulated trial is judged (``[decision]``): the frequentist test or a posterior rule.

``rule = "frequentist"`` (the default) keeps the design's test (``trial.alpha``,
``trial.sides``) and every number as before. ``rule = "posterior"`` declares success when
``P(effect > margin | data) > threshold``, the posterior of the effect (points/month) coming
from the trial's estimate and standard error (a normal likelihood) and a prior
(:mod:`designs.analyses.decision`):

- ``vague``: ``N(0, vague_sd^2)``;
- ``sceptical``: ``N(0, sceptical_sd^2)``, centred at no effect (Spiegelhalter, Freedman &
  Parmar 1994);
- ``robust``: ``prior_weight`` on the phase 2 posterior of the effect (carried over by
  ``effect.transport``, approximated by a normal mixture fitted to its draws) and
  ``1 - prior_weight`` on a weakly informative component ``N(0, robust_sd^2)``, a robust
  mixture as in Schmidli et al. (2014), though not a meta-analytic-predictive prior: with one
  source trial no between-trial heterogeneity is modelled (docs/conventions.md).
  ``robust_sd = 0`` (the default) is a unit-information component (Kass & Wasserman 1995):
  the SD of the effect estimate with one patient per arm under this design,
  ``sqrt(v_placebo + v_active)`` from
  :func:`designs.planning.closed_form.design_slope_variances` (0.60 points/month on the
  default design). Not the vague prior: against an SD of 10 points/month the trial's data
  (SE about 0.06) make the vague component's marginal likelihood so small that null-looking
  data keep most of the weight on phase 2 whatever ``prior_weight`` is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from designs.errors import InputError
from designs.spec.fields import Kind, spec_field, validate_fields
from designs.spec.patients import MAX_SLOPE

__all__ = [
    "TO_THE_TEST",
    "Decision",
    "DecisionRule",
    "FailedFits",
    "PriorKind",
    "threshold_text",
]


def threshold_text(threshold: float) -> str:
    """A posterior threshold (a probability) as text: six significant digits (``:g``), or
    every digit it has (``repr``) when six would show a threshold strictly between 0 and 1
    as 0 or 1 (0.9999999999999999 read "> 1", a rule nothing can meet)."""
    shown = f"{threshold:g}"
    if 0.0 < threshold < 1.0 and float(shown) in (0.0, 1.0):
        return repr(float(threshold))
    return shown


#: Smallest and largest SD of a prior of the effect, points/month: squared, an SD of 1e200 or
#: 1e-160 over- or underflows and the posterior rule read every trial as a failure (a review:
#: power 0.000 with a warning on stderr at most). An ALSFRS-R slope difference is of the order
#: of 1 point/month, so these bounds exclude no prior anyone means.
MIN_PRIOR_SD = 1e-6
MAX_PRIOR_SD = 1e6


#: The overrides that judge a design by the frequentist test instead of the posterior rule:
#: the rule's own fields at interim looks go back to their defaults, since a design refuses
#: them under the test (the explorer's switch of rule, and the test set beside the rule in
#: the operating characteristics, :func:`designs.planning.operating.frequentist_twin`).
TO_THE_TEST = {
    "decision.rule": "frequentist",
    "decision.thresholds": [],
    "decision.futility_predictive": 0.0,
}


class DecisionRule(StrEnum):
    """How a trial is judged a success."""

    FREQUENTIST = "frequentist"  # the design's test: trial.alpha, trial.sides
    POSTERIOR = "posterior"  # P(effect > margin | data) > threshold


class FailedFits(StrEnum):
    """What a simulated trial whose analysis failed (no REML convergence, too few patients)
    counts as."""

    FAILURE = "failure"  # a failure to reject: kept in the denominator (conservative)
    EXCLUDE = "exclude"  # left out of the denominator (rates over successful fits only)


class PriorKind(StrEnum):
    """Prior of the effect under the posterior rule."""

    VAGUE = "vague"
    SCEPTICAL = "sceptical"
    ROBUST = "robust"


@dataclass(frozen=True)
class Decision:
    """The decision rule applied to each simulated trial (``[decision]``).

    Parameters
    ----------
    rule : DecisionRule
        ``frequentist`` (default: the design's test, numbers unchanged) or ``posterior``.
    prior : PriorKind
        ``vague``, ``sceptical`` or ``robust`` (used only with ``rule = "posterior"``).
    prior_weight : float
        Weight of the phase 2 posterior in the robust prior, in [0, 1] (0: no borrowing).
    threshold : float
        Success when ``P(effect > margin | data) > threshold``; in (0, 1). The default 0.975
        is the one-sided 2.5% level of a vague-prior rule; with borrowing it no longer is
        (``simulate.py calibrate`` finds the threshold that is).
    margin : float
        Points/month: the effect the posterior must exceed (0: any benefit), in [-10, 10]
        as the effect is (a review: 1e300 crashed the futility rule at looks).
    vague_sd : float
        SD of the vague prior, points/month, > 0. Default 10 (assumed): twenty times the
        default design's mean decline of 0.5 points/month and about a hundred times the
        standard error of its slope difference at 100 per arm, so the prior barely moves the
        posterior (a vague-prior rule is the normal-reference Wald test).
    robust_sd : float
        SD of the robust prior's second component ``N(0, robust_sd^2)``, points/month, >= 0.
        Default 0: unit information, the SD of the effect estimate with one patient per arm
        under this design (its visits, dropout and deaths, random slope SD and residual SD;
        :func:`designs.planning.decision_rule.robust_component_sd`).
    sceptical_sd : float
        SD of the sceptical prior, points/month, > 0. Default 0.076: a 25% slowing of a
        -0.5 points/month decline (0.125 points/month, the default design's effect) has a 5%
        prior probability (0.125 / 1.645), Spiegelhalter et al.'s sceptical prior.
    thresholds : tuple of float
        With ``[interim]`` looks: the threshold of each look (one per look, each in (0, 1));
        empty (the default): ``threshold`` at every look.
    futility_predictive : float
        With ``[interim]`` looks: a non-binding futility rule that stops at an interim look
        when the predictive probability of success at the final analysis (given the look's
        posterior and the final information projected from the look's) is below this; in
        [0, 1), 0 (the default): no futility rule. See docs/bayesian_looks.md.
    failed_fits : FailedFits
        ``failure`` (default, the conservative convention): a trial whose analysis failed
        counts as a failure to reject, so rates are over all simulated trials;
        ``exclude``: such trials are left out and rates are over successful fits.
    """

    rule: DecisionRule = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        DecisionRule.FREQUENTIST,
        kind=Kind.CHOICE,
        choices=DecisionRule,
        doc="frequentist (the design's test) or posterior (P(effect > margin) > threshold).",
    )
    prior: PriorKind = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        PriorKind.VAGUE,
        kind=Kind.CHOICE,
        choices=PriorKind,
        doc="Prior of the effect: vague, sceptical or robust (phase 2 posterior + "
        "N(0, robust_sd^2)).",
    )
    prior_weight: float = spec_field(
        0.0, lo=0, hi=1, dimensionless=True, doc="Weight of the phase 2 posterior (robust prior)."
    )
    threshold: float = spec_field(
        0.975,
        lo=0,
        hi=1,
        lo_open=True,
        hi_open=True,
        dimensionless=True,
        doc="Success when P(effect > margin | data) exceeds this.",
    )
    margin: float = spec_field(
        0.0,
        lo=-MAX_SLOPE,
        hi=MAX_SLOPE,
        unit="points/month",
        doc="Effect the posterior must exceed (0: any benefit).",
    )
    vague_sd: float = spec_field(
        10.0, lo=MIN_PRIOR_SD, hi=MAX_PRIOR_SD, unit="points/month", doc="SD of the vague prior."
    )
    robust_sd: float = spec_field(
        0.0,
        lo=0,
        hi=MAX_PRIOR_SD,
        unit="points/month",
        doc="SD of the robust prior's component N(0, robust_sd^2) (0: unit information, the "
        "SD of the effect estimate with one patient per arm).",
    )
    sceptical_sd: float = spec_field(
        0.076,
        lo=MIN_PRIOR_SD,
        hi=MAX_PRIOR_SD,
        unit="points/month",
        doc="SD of the sceptical prior (mean 0).",
    )

    thresholds: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        dimensionless=True,
        doc="With interim looks: one threshold per look, each in (0, 1) (empty: threshold).",
    )
    futility_predictive: float = spec_field(
        0.0,
        lo=0,
        hi=1,
        hi_open=True,
        dimensionless=True,
        doc="With interim looks: stop for futility when the predictive probability of "
        "success at the final analysis is below this (0: no futility rule).",
    )

    failed_fits: FailedFits = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        FailedFits.FAILURE,
        kind=Kind.CHOICE,
        choices=FailedFits,
        doc="A failed analysis counts as a failure to reject (failure) or is left out (exclude).",
    )

    section: ClassVar[str] = "decision"

    def __post_init__(self) -> None:
        sd = self.robust_sd  # one message for both sides of its range (a review)
        number = isinstance(sd, int | float) and not isinstance(sd, bool)
        if number and (0.0 < sd < MIN_PRIOR_SD or sd > MAX_PRIOR_SD or sd < 0.0):
            raise InputError(
                f"decision.robust_sd = {sd:g}: must be 0 (unit information) or in "
                f"[{MIN_PRIOR_SD:g}, {MAX_PRIOR_SD:g}] (points/month)"
            )
        validate_fields(self)
        for t in self.thresholds:
            if not 0.0 < t < 1.0:
                shown = ", ".join(f"{x:g}" for x in self.thresholds)
                raise InputError(f"decision.thresholds = [{shown}]: each must be in (0, 1)")

    def look_thresholds(self, looks: int) -> tuple[float, ...]:
        """The threshold of each of ``looks`` analyses (``thresholds``, or ``threshold``)."""
        return self.thresholds if self.thresholds else (self.threshold,) * looks

    @property
    def is_posterior(self) -> bool:
        """True under the posterior rule."""
        return self.rule is DecisionRule.POSTERIOR

    @property
    def excludes_failed(self) -> bool:
        """True when failed fits are left out of the rates' denominator."""
        return self.failed_fits is FailedFits.EXCLUDE

    @property
    def borrows(self) -> bool:
        """True when the prior takes weight from the phase 2 posterior."""
        return self.is_posterior and self.prior is PriorKind.ROBUST and self.prior_weight > 0
