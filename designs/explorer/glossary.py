"""The words of the page in plain language, for readers who do not plan trials every day (an
accessibility review found MC SE, REML, Kenward-Roger, MCAR, delta-FS, information fraction,
alpha spending and non-binding futility nowhere explained). Nothing here computes."""

from __future__ import annotations

from shiny import ui

__all__ = ["GLOSSARY", "glossary_html"]

#: (term, what it means), in the order a reader meets them on the page.
GLOSSARY = (
    (
        "ALSFRS-R",
        "the revised ALS Functional Rating Scale: 12 questions on daily function, 0 to 48 "
        "points, lower is worse.",
    ),
    (
        "decline, slope (points/month)",
        "how fast a patient's ALSFRS-R falls, in points per month; -0.5 is a loss of 6 "
        "points a year.",
    ),
    (
        "% slowing",
        "the share of the placebo decline the treatment removes: a 25% slowing of a decline "
        "of -0.5 points/month is +0.125 points/month.",
    ),
    (
        "power",
        "the chance that the trial ends with a significant result in favour of the treatment, "
        "if its effect is the one assumed.",
    ),
    (
        "alpha, type I error",
        "the chance of such a result when the treatment does nothing; one-sided alpha counts "
        "only results in its favour.",
    ),
    (
        "Monte Carlo SE (MC SE)",
        "the uncertainty that comes from simulating a limited number of trials; more "
        "simulated trials make it smaller. It is not uncertainty about the disease.",
    ),
    (
        "control variate",
        "a way of simulating power more precisely from the same trials, by correcting for "
        "trials that happened to be lucky or unlucky.",
    ),
    (
        "mixed model of slopes (REML)",
        "the main analysis: it fits each patient's own line through all their visits, so "
        "patients who leave early still count.",
    ),
    (
        "Satterthwaite, Kenward-Roger",
        "small-sample corrections of the mixed model's test; they matter in small trials.",
    ),
    (
        "MCAR dropout",
        "leaving the study for reasons unrelated to the patient's scores (missing completely "
        "at random).",
    ),
    (
        "informative dropout",
        "patients who decline faster leave sooner; the number (log-hazard per point/month) "
        "says how strongly. 0 is off.",
    ),
    (
        "delta-FS",
        "a patient's decline from symptom onset to screening, points/month; enrichment "
        "admits only patients above a cut-off.",
    ),
    (
        "interim look, information fraction",
        "an analysis before the end of the trial, at the time when that share of the final "
        "analysis's statistical information is in.",
    ),
    (
        "alpha spending (obf, pocock, hsd, power)",
        "how the type I error is shared among the looks; O'Brien-Fleming (obf) spends very "
        "little early, Pocock evenly.",
    ),
    (
        "non-binding futility",
        "a rule to stop for lack of effect that the monitoring committee may overrule "
        "without raising the type I error.",
    ),
    (
        "posterior rule, threshold, prior",
        "success when the probability that the effect is above the margin, given the trial's "
        "data and the prior, exceeds the threshold.",
    ),
    (
        "weight on phase 2 (robust prior)",
        "how much of the phase 2 result the prior takes (0: none, 1: all of it); borrowing "
        "raises the type I error unless the threshold is calibrated.",
    ),
    (
        "assurance, transport",
        "the chance of success averaged over what phase 2 says about the effect; transport "
        "is how a phase 2 effect is carried over to this trial's patients.",
    ),
)


def glossary_html() -> ui.Tag:
    """The glossary, folded (one click opens it)."""
    return ui.tags.details(
        ui.tags.summary("What the words on this page mean"),
        ui.tags.dl(
            *[item for term, text in GLOSSARY for item in (ui.tags.dt(term), ui.tags.dd(text))]
        ),
        id="glossary",
    )
