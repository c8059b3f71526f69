"""Notes beside the posterior rule's numbers: whether the sceptical prior fits the design's
effect (the prior line and methods.md), what a prior that borrows from phase 2 is worth and
rests on (:func:`worth_text`, :func:`borrowing_text`, :func:`borrowing_caveat`), and what a
margin other than 0 does to the type I error (:func:`margin_note`).

The sceptical prior's default SD, 0.076 points/month, is the default design's effect over
1.645: it gives that effect 5% prior probability (Spiegelhalter, Freedman & Parmar 1994). A
design with another effect keeps the SD unless told otherwise; :func:`sceptical_note` says
so where the prior is printed.
"""

from __future__ import annotations

__all__ = [
    "SCEPTICAL_TAIL",
    "borrowing_caveat",
    "borrowing_text",
    "margin_note",
    "sceptical_cited",
    "sceptical_note",
    "worth_text",
]


#: The prior probability a sceptical prior conventionally gives the effect the trial is
#: designed to detect (Spiegelhalter, Freedman & Parmar 1994), and how far from it a
#: design's ``sceptical_sd`` may put it before the prior line says so.
SCEPTICAL_TAIL = 0.05
_SCEPTICAL_NOTE_RANGE = (0.04, 0.06)


def sceptical_note(design) -> str:
    """Under the sceptical prior with a fixed effect: the prior probability it gives the
    design's effect, and the SD that would give it 5%, when that probability is outside
    4-6% (a statistician's review: the default SD, 0.076 points/month, is the default
    design's 0.125 / 1.645; on a design with a 0.24 effect it gave that effect 0.1% and the
    posterior rule's power fell to 0.44 with no word why)."""
    from designs.sequential.normal import isf, sf

    d, e = design.decision, design.effect
    if d.prior.value != "sceptical" or e.source.value != "fixed":
        return ""
    shift = e.slope_shift(design.population.slope_mean)
    if shift <= 0:
        return ""
    tail = float(sf(shift / d.sceptical_sd))
    if _SCEPTICAL_NOTE_RANGE[0] <= tail <= _SCEPTICAL_NOTE_RANGE[1]:
        return ""
    return (
        f"; the sceptical prior gives an effect at least as large as the design's "
        f"({shift:+.3g}) a prior probability of {tail:.2%}, where a sceptical prior "
        f"conventionally gives it {SCEPTICAL_TAIL:.0%} (Spiegelhalter, Freedman & Parmar "
        f"1994; decision.sceptical_sd = {shift / float(isf(SCEPTICAL_TAIL)):.3g})"
    )


def margin_note(margin: float) -> str:
    """Under a margin other than 0, the note that the type I error is the rule's success rate
    with no effect, not at the margin, and which way it moves there ('' at margin 0). A
    review: ``calibrate`` said "more often" for a margin below 0 too, where success at the
    margin is less often than with no effect, and ``power`` said nothing."""
    if margin == 0:
        return ""
    more = "more" if margin > 0 else "less"
    return (
        "note: the type I error is the rule's success rate with no effect (effect 0), not at "
        f"the margin: with a true effect of {margin:g} points/month it succeeds {more} often "
        f"(success means P(effect > {margin:g} | data) > threshold)"
    )


def worth_text(worth: dict | None, design=None) -> str:
    """For the prior line: what a borrowing prior is worth in patients per arm
    (:func:`designs.planning.decision_rule.prior_worth`; '' when it does not borrow). The
    unit is one patient in each arm: under unequal allocation said so, with the total (an
    allocation review: "21.5 patients per arm" read as 21.5 of the 100 placebo or of the
    200 active patients)."""
    if not worth:
        return ""
    if design is None or design.trial.allocation.equal:
        return (
            f"; worth {worth['prior']:.1f} patients per arm, its phase 2 part "
            f"{worth['phase2']:.1f} (effective sample size, ELIR)"
        )
    return (
        f"; worth {worth['prior']:.1f} patients in each arm of a 1:1 trial "
        f"({2 * worth['prior']:.1f} in total), its phase 2 part {worth['phase2']:.1f} "
        f"({2 * worth['phase2']:.1f} in total) (effective sample size, ELIR)"
    )


def borrowing_text(rule: dict) -> str:
    """For methods.md: what the borrowing prior is worth (``rule``: the operating
    characteristics' ``decision_rule``, with ``effective_sample_size``) and what its phase 2
    part rests on (a Bayesian review: no output gave either, and a reviewer wants to know that
    a prior worth about 20 patients per arm comes from an uncontrolled comparison)."""
    worth = rule.get("effective_sample_size")
    if not worth:
        return ""
    return (
        f"; by the expected local-information-ratio effective sample size (Neuenschwander et "
        f"al. 2020) the phase 2 part of the prior is worth about {worth['phase2']:.1f} "
        f"patients per arm and the whole prior about {worth['prior']:.1f} (one patient per "
        f"arm's information: an effect SD of {worth['unit_sd']:.3f} points/month); that part "
        "rests on the uncontrolled before/after comparison of phase 2 (regression to the "
        "mean, plateaus and open-label rating can mimic an effect), which the success "
        "criterion takes as evidence of benefit"
    )


def borrowing_caveat(design) -> str:
    """For the caveats of methods.md with assurance, under a prior that borrows: phase 2
    counts twice in assurance (the effect drawn from its posterior, judged by a prior built
    from it); the report's prior_weight.md (written with assurance) shows the weight's
    sensitivity."""
    if not (design.decision.is_posterior and design.decision.borrows):
        return ""
    return (
        " The success criterion's robust prior borrows from the same comparison, and assurance "
        "draws each trial's effect from the posterior that prior is built from, so phase 2 "
        "counts twice there: in the effect and in the prior. How the success probability "
        "and the type I error move with the weight on phase 2 is in prior_weight.md: at a "
        "fixed threshold borrowing raises the success probability by raising the type I "
        "error, and with the threshold calibrated to the level it buys little "
        "(Kopp-Schneider et al. 2020)."
    )


def robust_note(design) -> str:
    """The robust prior's source and, with ``decision.robust_sd = 0``, what its vague
    component is (a statistician's review: Schmidli et al. 2014 was in the reference list
    but cited nowhere in the text, and N(0, 1.24^2) was not called unit information)."""
    from designs.planning.decision_rule import robust_component_sd

    d = design.decision
    if not (d.is_posterior and d.prior.value == "robust"):
        return ""
    unit = (
        f"; its second component, N(0, {robust_component_sd(design):.3f}^2), is the "
        "unit-information prior (Kass and Wasserman 1995), its SD that of the effect estimate "
        "with one patient per arm"
        if unit_information_cited(design)
        else ""
    )
    conflict = (
        "; prior-data conflict is handled by the mixture itself: the robust component's "
        "posterior weight rises above its prior weight only when the trial's estimate is "
        "likelier under it than under the phase 2 components (an estimate of no effect, near "
        "the robust component's centre, need not raise it), and the trial's analysis reports "
        "that weight"
        if d.borrows
        else ""
    )
    # a formula audit: not a meta-analytic-predictive prior, whose between-trial
    # heterogeneity discounts the source; here one source trial and none modelled
    tau = (
        "; its phase 2 part is that trial's posterior of the effect itself, with no "
        "between-trial heterogeneity modelled (one source trial), so it is discounted only by "
        "its weight and the robust component"
        if d.borrows
        else ""
    )
    return f"; the robust mixture prior of Schmidli et al. 2014{unit}{tau}{conflict}"


def unit_information_cited(design) -> bool:
    """Whether the methods text calls the robust prior's second component the
    unit-information prior (``decision.robust_sd = 0`` with some weight on it), and so
    cites Kass and Wasserman 1995 (a Bayesian review: it was named, not cited)."""
    d = design.decision
    robust = d.is_posterior and d.prior.value == "robust"
    # weight 0 is the vague prior (decision_prior), not the unit-information one (a diff
    # review: the text named N(0, 0.602^2) beside the N(0, 10^2) in use)
    return robust and d.robust_sd == 0 and 0 < d.prior_weight < 1


def mixture_text(design, oc) -> str:
    """The borrowing prior written out as its normal components (points/month), from the
    operating characteristics' ``decision_rule``: what a protocol pre-specifies (a review:
    the fitted phase 2 mixture was in no output); empty when the prior does not borrow."""
    parts = oc.get("decision_rule", {}).get("prior_components")
    if not design.decision.borrows or not parts:
        return ""
    mix = " + ".join(f"{c['weight']:.3f} N({c['mean']:+.3f}, {c['sd']:.3f}^2)" for c in parts)
    return (
        "; the prior as a mixture of normals, points/month (the phase 2 posterior draws of "
        "the effect, carried over by the design's transport, fitted by a mixture of up to 3 "
        f"normals by EM, their number chosen by BIC): {mix}"
        f"{borrowing_text(oc.get('decision_rule', {}))}"
    )


def robust_sd_note(design) -> str:
    """The line on a robust prior whose second component is the design's unit information
    (``decision.robust_sd = 0``): it moves with the design, while a protocol states one
    value (a Bayesian review: a sensitivity run moved it from 0.602 to 0.811, and the type I
    error with it); '' for any other prior. Printed by the commands that read the prior and
    shown on the explorer's page (a non-programmer's review: the page left it out)."""
    if not unit_information_cited(design):  # also not at weight 0 (the vague prior) or 1
        return ""
    from designs.planning.decision_rule import robust_component_sd

    return (
        f"robust component N(0, {robust_component_sd(design):.3g}^2): unit information of "
        "this design (decision.robust_sd = 0), so it moves with the design's SDs, visits and "
        "dropout; a protocol states one value, and a sensitivity run keeps the protocol's with "
        "--set decision.robust_sd=VALUE"
    )


def sceptical_cited(design) -> str:
    """The sceptical prior's source where the rule uses it (a diff review: the reference
    list had it, the text cited it only when the prior did not fit the effect)."""
    if design.decision.prior.value != "sceptical" or sceptical_note(design):
        return ""  # the note cites it
    return " (a sceptical prior: Spiegelhalter, Freedman & Parmar 1994)"


def time_course_prior_notes(design, at_looks: bool = False) -> list[str]:
    """Notes on the posterior rule under a time course of the effect within the follow-up
    (a Bayesian review): a borrowing prior is of the phase 2 slope change from the first
    dose, the full effect, while a slope analysis' estimand is then the effect's mean over
    the follow-up, so the prior and the estimate are of different quantities; at looks, the
    predictive probability projects an interim estimate as it stands, and an effect that
    grows (a delay or a ramp) makes interim estimates small, so predictive futility stops
    more trials with a real effect (0.485 at look 1 against 0.163 with the effect from
    month 0, on the enriched design)."""
    from designs.simulation.inputs import simulation_inputs

    d, e, last = design.decision, design.effect, max(design.trial.visits)
    if not d.is_posterior or not e.bends_within(last) or e.source.value != "fixed":
        return []
    notes = []
    if d.borrows:
        mean = float(simulation_inputs(design).true_effect(design.trial.analysis.value))
        full = e.slope_shift(design.population.slope_mean)
        notes.append(
            "note: the prior borrows the phase 2 slope change from the first dose, a full "
            f"effect; this design's effect is {e.course_text()}, and the estimand of "
            f"{design.trial.analysis.value} is its mean over the follow-up ({mean:+.3f} "
            f"points/month against the full {full:+.3f}): the prior and the estimate are of "
            "different quantities, and borrowing pulls the posterior toward the full effect "
            "(this mismatch does not move the type I error, whose trials have no effect; "
            "borrowing itself can, as its line says)"
        )
    growing = e.onset_delay_months > 0 or e.ramp_months > 0
    if at_looks and d.futility_predictive > 0 and growing:
        notes.append(
            "note: the predictive probability of final success projects each interim "
            f"estimate as it stands; an effect {e.course_text()} gives interim estimates "
            "below the final one, so the predictive futility rule stops more trials with a "
            "real effect than the same effect from month 0 would"
        )
    return notes
