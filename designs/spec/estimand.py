"""The estimand of the trial (``[estimand]``, ICH E9(R1)): what the treatment effect means.

An estimand has five attributes. The design states the **population** here; the
**treatment** conditions are active against placebo; the **variable** and the
**population-level summary** are those of the primary analysis (``trial.analysis``: its
``ESTIMAND`` and ``UNITS`` in :mod:`designs.analyses.registry`); and the strategy for each
**intercurrent event** (death) and for leaving the study (loss to follow-up, and stopping
treatment where follow-up ends with it) is the one that analysis implies (its ``DEATH_STRATEGY`` and
``DROPOUT_STRATEGY``); the intercurrent events the simulation does not model are named as
such (:data:`OTHER_EVENTS`). The strategies are not free fields on
purpose: a death strategy that the analysis does not implement would be a false statement
in the methods text. To change the strategy, change the analysis (``joint_rank`` for a
composite of death and function).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from designs.spec.fields import Kind, check_printable, spec_field, validate_fields

__all__ = ["LEAVING", "MAX_POPULATION_LENGTH", "Estimand"]

#: Longest population description, in characters.
MAX_POPULATION_LENGTH = 300


@dataclass(frozen=True)
class Estimand:
    """The trial's estimand as the design states it (``[estimand]``).

    Parameters
    ----------
    population : str
        Who the effect is about, in words (the eligibility criteria and any ``[enrichment]``
        screening); printable text of at most :data:`MAX_POPULATION_LENGTH` characters.
    treatment : str
        The treatment condition compared, in words (an own-design review: "CL2020" was fixed
        in the methods text of every design); the same limits.
    """

    population: str = spec_field(
        "people with ALS who meet the trial's eligibility criteria (after any screening "
        "before randomisation)",
        kind=Kind.TEXT,
        doc="Who the treatment effect is about, in words.",
    )
    treatment: str = spec_field(
        "active (CL2020) against placebo, double-blind, each on top of usual care",
        kind=Kind.TEXT,
        doc="The treatment condition compared, in words.",
    )

    section: ClassVar[str] = "estimand"

    def __post_init__(self) -> None:
        validate_fields(self)
        for name in ("population", "treatment"):
            check_printable(
                f"estimand.{name}", getattr(self, name), MAX_POPULATION_LENGTH, required=True
            )


#: Added to a strategy that assumes missing at random when the design's exit depends on
#: the patient's own decline (``informative`` != 0): the simulated data then break the
#: assumption (a review: the methods text claimed the hypothetical estimand while the
#: simulated estimate of it was 11% low).
NOT_AT_RANDOM = (
    "; but the design's exits depend on each patient's own decline (missing not at random), "
    "so the analysis estimates this with a bias (the operating characteristics measure it)"
)


#: The estimand attribute of leaving the study. A protocol writer's review: it was "loss to
#: follow-up (missing data, not an intercurrent event)", but the dropout schedule's source
#: counts treatment discontinuation with attrition, and stopping treatment is an
#: intercurrent event in ICH E9(R1).
LEAVING = (
    "leaving the study (loss to follow-up, or stopping treatment where follow-up ends with it)"
)

#: The intercurrent events the simulation does not model (a statistical review: a protocol's
#: estimand must name a strategy for each; the tool cannot choose it).
OTHER_EVENTS = (
    "stopping the study treatment is an intercurrent event that the simulation models only "
    "as leaving the study (the dropout schedule's source counts discontinuation with "
    "attrition), so the strategy for leaving is its strategy too{named}; staying in "
    "follow-up off treatment (whose scores a treatment-policy strategy would use: it cannot "
    "be simulated here), starting or changing other ALS treatments (riluzole, "
    "edaravone), non-invasive ventilation and tracheostomy are not simulated; the protocol "
    "states a strategy for each"
)

#: The ICH E9(R1) name of the strategy for stopping treatment that each way of handling the
#: scores after leaving amounts to (a diff review: "missing at random" is not a strategy's
#: name; a protocol needs "hypothetical").
DISCONTINUATION_STRATEGY = {
    "missing at random": "hypothetical: as if treatment had continued",
    "while observed": "while on treatment",
    # an estimand review: these two dropped the clause, as if they had no ICH E9(R1) name
    "completers only": "hypothetical: as if treatment had continued, estimated among "
    "completers (valid only when leaving does not depend on decline)",
    "censored": "hypothetical: as if followed, leaving taken as non-informative censoring "
    "(valid only when leaving does not depend on decline)",
}

#: Added to a slope analysis's strategy for leaving under a time course of the effect (an
#: estimand review: with a delayed effect the straight-line estimate moved with attrition,
#: -3% to -13% of the true value as MCAR dropout rose from 36% to 63% by month 12).
BENT_EFFECT = (
    "; with this design's time course of the effect the difference between the arms is not a "
    "straight line, so a slope estimate depends on how long each patient is followed, even "
    "when leaving is at random"
)

#: Added to a hypothetical strategy for death (a protocol writer's review: stated without a
#: word on why, where it is the contested choice in ALS).
HYPOTHETICAL_DEATH = (
    "; a contested choice in ALS, where deaths are frequent and follow faster decline: the "
    "joint rank analysis (joint_rank) takes the composite strategy instead"
)


def _discontinuation(a) -> str:
    """' (for stopping treatment: hypothetical: ...)' for an analysis whose handling of the
    scores after leaving has an ICH E9(R1) name; "" otherwise."""
    name = next(
        (v for k, v in DISCONTINUATION_STRATEGY.items() if a.dropout_strategy.startswith(k)), None
    )
    return "" if name is None else f" (for stopping treatment: {name})"


#: Added to a censoring strategy when the design's exits depend on decline (an estimand
#: review: censoring assumes leaving tells nothing of the outcome; joint_rank has no true
#: value, so no bias is measured).
INFORMATIVE_CENSORING = (
    "; but the design's exits depend on each patient's own decline, so the censoring is "
    "informative and the comparisons of those who left are biased (this analysis has no true "
    "value to measure the bias against)"
)


def _not_at_random(strategy: str, beta: float) -> str:
    if beta == 0:
        return ""
    if "missing at random" in strategy:
        return NOT_AT_RANDOM
    return INFORMATIVE_CENSORING if strategy.startswith("censored") else ""


def _screened(design) -> str:
    """'; in this design, screened before randomisation for ...' for a design that screens
    candidates ('' otherwise; an estimand review: the enriched design's population read as
    the general one)."""
    e = design.enrichment
    rules = []
    if e.screens_delta_fs:
        rules.append(
            f"delta-FS (the pre-baseline progression rate) from {e.delta_fs_min:g} to "
            f"{e.delta_fs_max:g} points/month"
        )
    if e.screens_lead_in:
        rules.append(
            f"ALSFRS-R decline over the lead-in from {e.lead_in_decline_min:g} to "
            f"{e.lead_in_decline_max:g} points"
        )
    return (
        f"; in this design, screened before randomisation for {' and '.join(rules)}"
        if rules
        else ""
    )


def estimand_lines(design, analysis: str | None = None) -> list[tuple[str, str]]:
    """The attributes of ``design``'s estimand, as (attribute, text) pairs, for its primary
    analysis (or ``analysis`` if given)."""
    from designs.analyses.registry import get, title

    a = get(analysis or str(design.trial.analysis))
    d = design.dropout
    death_on = d.death_monthly_hazard > 0
    dropout_c, death_c = d.acting_informative  # 0 without exits of their kind to move
    dropout_note = _not_at_random(a.dropout_strategy, dropout_c)
    dropout_strategy = a.dropout_strategy + dropout_note  # says "exits": once is enough
    if design.effect.bends_within(design.trial.duration_months) and a.units == "points/month":
        dropout_strategy += BENT_EFFECT
    death_strategy = a.death_strategy + (
        "" if dropout_note else _not_at_random(a.death_strategy, death_c)
    )
    if a.death_strategy.startswith("hypothetical"):
        death_strategy += HYPOTHETICAL_DEATH
    return [
        ("population", design.estimand.population + _screened(design)),
        ("treatment", design.estimand.treatment),
        ("variable", a.variable_text(design.trial)),
        (LEAVING, dropout_strategy),
        (
            "intercurrent event: death",
            death_strategy
            + ("" if death_on else " (the design simulates deaths inside its dropout schedule)"),
        ),
        ("other intercurrent events", OTHER_EVENTS.format(named=_discontinuation(a))),
        ("population-level summary", f"{a.estimand} ({a.units}), analysed by the {title(a.name)}"),
    ]


#: Attribute names as a sentence opens with them in prose (:func:`estimand_prose`).
PROSE_NAMES = {"intercurrent event: death": "death (an intercurrent event)"}


def estimand_prose(design, analysis: str | None = None) -> str:
    """The estimand's attributes as sentences to paste (the methods text): "Death (an
    intercurrent event): hypothetical, as if no patient had died ..." where the lines read
    "intercurrent event: death: hypothetical: as if ..." (a protocol writer's review: a
    chain of colons, not a sentence)."""
    import re

    out = []
    for name, value in estimand_lines(design, analysis):
        name = PROSE_NAMES.get(name, name)
        value = value.replace(": as if", ", as if")
        value = re.sub(r"^([a-z ]{3,30}): ", r"\1; ", value)  # "missing at random; the ..."
        out.append(f"{name[0].upper()}{name[1:]}: {value}.")
    return " ".join(out)


def estimand_text(design) -> str:
    """The estimand in one paragraph (for the methods text and command outputs)."""
    return (
        "Estimand (ICH E9(R1)): " + "; ".join(f"{k}: {v}" for k, v in estimand_lines(design)) + "."
    )
