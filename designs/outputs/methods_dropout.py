"""The dropout paragraph of the methods text (:mod:`designs.outputs.methods`): where the
dropout schedule comes from, the deaths and the other ALS-realism options, in sentences for a
protocol, and the bias of the primary analysis when exits depend on decline."""

from __future__ import annotations

import functools
import math

from designs.analyses.registry import title
from designs.outputs.realism_table import realism_items

__all__ = [
    "also_simulated",
    "attrition_source",
    "cited_exit_sources",
    "informative_bias_text",
    "published_attrition",
    "survival_effect_text",
]


def informative_bias_text(design, entry, oc) -> str:
    """With informative exits, a sentence saying the simulated data are missing not at
    random, and the primary analysis's bias against its estimand at the operating
    characteristics' size (empty without informative exits, or where the estimand has no
    true value, as for ``joint_rank``)."""
    bias = oc.get("bias", math.nan)
    if not design.dropout.exits_informative or not math.isfinite(bias):
        return ""
    true = oc["mean_estimate"] - bias
    return (
        "These exits depend on each patient's own decline, so the data are missing not at "
        f"random: at {oc['n_placebo'] + oc['n_active']} randomised, the mean estimate of the "
        f"{title(entry.name)} is {oc['mean_estimate']:+.4g} against a true {true:+.4g} "
        f"{entry.units} "
        f"(bias {bias:+.3g}, MC SE {oc['bias_mc_se']:.2g}). "
    )


def also_simulated(design) -> str:
    """The deaths (with their source: the design's own, else the library's, else an
    assumption) and the other ALS-realism options the design switches on, in sentences for a
    protocol (empty when there are none)."""
    d = design.dropout
    text = ""
    if d.death_monthly_hazard > 0:
        given = design.sources.clause("deaths")
        published = published_attrition(design)
        # the library's schedule was derived with its deaths split off (a design's own
        # schedule is its other exits, deaths coming on top)
        split = ", split off this attrition, not added to it" if published else ""
        text = f"Deaths follow a constant hazard of {d.death_monthly_hazard:g}/month" + (
            f" ({given}){split}. "
            if given is not None
            else f" ({100 * d.death_monthly_hazard:g} per 100 person-months, the most recent "
            "of the placebo-controlled ALS trials with death alone as event in van Eijk et al. "
            "2019; older trials saw 2.0-2.9, so a chosen, not a typical, rate), split off this "
            "attrition, not added to it. "
            if published
            else " (an assumption). "
        )
    # the lead-in's visits are the model's (a grant review: "Also simulated: 3-month lead-in"
    # stood among the exits, and the lead-in's visits were given nowhere)
    others = realism_items(design, death=False, lead_in=False)
    if others:
        text += "Also simulated: " + "; ".join(others) + ". "
    acting = zip(d.acting_informative, ("drops out", "dies"), strict=True)
    exits = [(c, what) for c, what in acting if c]
    if exits:
        # a paste-ready review: "2 per point/month" was defined nowhere a reader would see;
        # a diff review: each coefficient, and what is kept nominal under lead-in screening
        each = "; ".join(
            f"at c = {c:g} a patient declining 1 point/month faster than the mean {what} "
            f"{math.exp(c):.3g} times as often"
            for c, what in exits
        )
        kept = (
            "the candidates' overall rate (before lead-in screening; among those admitted it "
            "differs)"
            if design.enrichment.screens_lead_in
            else "the placebo arm's overall rate"
        )
        text += (
            "An informative coefficient c multiplies a patient's hazard by exp(c x (mean "
            f"slope - own slope)), slopes in points/month: {each}; {kept} stays at its "
            "nominal value. "
        )
    return text + survival_effect_text(design)


def survival_effect_text(design) -> str:
    """What the treatment does to survival in the simulation, where patients die: nothing of
    its own (a survival review: the tool cannot give it an effect on survival apart from
    the slope, and nothing said so where a trialist chooses between an ALSFRS-R slope and a
    joint rank of function and survival; an independent simulation gave joint_rank 0.21
    power without and 0.44 with a hazard ratio of 0.7 for death). Empty without deaths."""
    d = design.dropout
    if d.death_monthly_hazard <= 0:
        return ""
    how = (
        "changes the death rate only through each patient's slope (the informative death "
        "coefficient)"
        if d.acting_informative[1]
        # paste-ready words, not the tool's fields (a paste-ready review)
        else "leaves the death rate alone: deaths follow the same hazard in both arms, "
        "unrelated to each patient's rate of decline"
    )
    return (
        f"The simulated treatment {how}; no effect of the treatment on survival of its own "
        "was simulated, so a survival benefit, which would raise the power of an analysis of "
        "function and survival together such as the joint rank, is not reflected in these "
        "results. "
    )


#: After the pointer to realism_sensitivity.md: what that file is not (a regulatory review:
#: the report's one "sensitivity" file checks the design's power and bias under other
#: assumptions; a SAP needs a sensitivity analysis of the estimate itself, which no output
#: of the tool named).
NOT_AN_ESTIMATE_SENSITIVITY = (
    "That table checks the design's robustness; it is not a sensitivity analysis of the "
    "trial's estimate: the statistical analysis plan still needs one for the primary "
    "estimand under other assumptions about the data missing after a patient leaves (for "
    "data missing not at random, e.g. a delta-adjusted tipping-point analysis; ICH E9(R1)), "
    "which these simulations do not include."
)


#: How an exit is simulated, for a reader who re-implements the design (an ADEMP review:
#: methods.md did not say it; docs/conventions.md, "Dropout and death").
EXIT_MECHANICS = (
    "Each exit happens in continuous time (the hazards constant between consecutive "
    "visits; death a competing exit, independent of leaving given the patient's slope), and "
    "a patient contributes the visits "
    "before it; the baseline visit is always observed. "
)


def effect_spread_text(design) -> str:
    """'the same for every treated patient', or the SD of its spread (``effect.sd``), its
    shape and, for a fixed effect, the share of treated patients whose slope it makes worse
    (a heterogeneity review: a quarter at effect.sd 0.2, said nowhere)."""
    sd = design.effect.sd
    if sd <= 0:
        return "the same for every treated patient"
    text = f"spread across treated patients with SD {sd:g} points/month"
    if design.effect.source.value != "fixed":
        return f"{text} (normal, independent of the natural slope)"
    from scipy.special import ndtr

    from designs.outputs.effect_notes import _share_text

    mean = design.effect.slope_shift(design.population.slope_mean)
    worse = _share_text(float(ndtr(-mean / sd)))
    return (
        f"{text} (normal, independent of the natural slope: about {worse} of treated patients "
        "decline faster than they would without treatment)"
    )


def improvers_text(design) -> str:
    """'; normal slopes give about 7.7% of the placebo patients a true slope at or above 0
    (no decline; 14% on active)': the share of patients who do not decline, in closed form
    ``Phi(mean / sd)`` of the randomised patients' slopes (the admitted ones' under delta-FS
    screening; the active arm's shifted by the fixed effect and widened by its spread). ''
    under lead-in screening, whose admitted slopes have no closed form. A clinimetrics review:
    the ~8% of placebo patients who improve was said nowhere (Bedlack et al. 2016 found 16% of
    PRO-ACT patients without decline over 12 months, with measurement noise)."""
    import math

    from scipy.special import ndtr

    p, en = design.population, design.enrichment
    admitted = en.admitted_slope(p)
    # no spread of slopes or of the benefit: nothing to say (it said "under 0.1%" of none)
    if (en.active and admitted is None) or (p.slope_sd == 0 and design.effect.sd == 0):
        return ""
    mean, sd = (p.slope_mean, p.slope_sd) if admitted is None else admitted

    def share(m: float, s: float) -> str:
        from designs.outputs.effect_notes import _share_text

        if s == 0:  # every patient alike: all or none, exactly
            return "all" if m >= 0 else "none"
        text = _share_text(float(ndtr(m / s)))
        return text if text.startswith("under") else f"about {text}"

    text = f"; normal slopes give {share(mean, sd)} of the placebo patients a true slope "
    text += "at or above 0 (no decline over the follow-up"
    if design.effect.source.value != "fixed":
        return text + ")"
    from designs.simulation.inputs import simulation_inputs

    # the mean effect over the follow-up, time course included (a diff review: the full
    # effect's 14% was said of an effect gone by month 6)
    inputs = simulation_inputs(design)
    shift = float(inputs.true_effect("lmm_slope"))
    # the spread scaled as the mean is (a diff review: 34% said where 23.6% do not decline);
    # the factor is 1 without a time course
    active = share(mean + shift, math.hypot(sd, design.effect.sd * inputs.course_factor))
    return text + f"; {active} on active)"


def published_attrition(design) -> bool:
    """Whether the design keeps the library default's dropout and death schedule: the
    published all-cause attrition (van Eijk et al. 2025) with deaths split off it. Informative
    exits keep it (they change who leaves, not how many in the placebo arm)."""
    ours, default = design.dropout, _library_dropout()
    # the schedule, not who leaves: informative exits keep the placebo arm's rate nominal
    schedule = ("cumulative", "monthly_hazard", "death_monthly_hazard")
    return all(getattr(ours, f) == getattr(default, f) for f in schedule)


@functools.cache
def _library_dropout():
    """The library default design's ``[dropout]``, read once per process (the methods text
    asks three times)."""
    from designs.spec import load_design

    return load_design("default").dropout


def cited_exit_sources(design) -> tuple[bool, bool]:
    """Whether the dropout paragraph cites the published all-cause attrition and the
    published death hazard (the library's values without the design's own source for them),
    for the reference list."""
    published = published_attrition(design)
    given = design.sources.given
    attrition = published and "attrition" not in given
    deaths = published and design.dropout.death_monthly_hazard > 0
    return attrition, deaths and "deaths" not in given


def attrition_source(design) -> str:
    """Where the dropout schedule comes from: the design's own source (``[sources]``), else
    the published all-cause attrition (:func:`published_attrition`), else the design's own
    assumption, with or without deaths."""
    deaths = (
        "deaths included" if design.dropout.death_monthly_hazard > 0 else "no separate death hazard"
    )
    given = design.sources.clause("attrition")
    if given is not None:  # the share gone, deaths and all, is the simulation's
        return given if "death" in given.lower() else f"{given}; {deaths}"
    if published_attrition(design):
        # what the meta-regression predicts for trials of 6 and 12 months, used as the curve
        # within one trial: an assumption, said (a regulatory review)
        return (
            "published all-cause attrition in ALS trials, deaths included; van Eijk et al. "
            "2025, whose meta-regression predicts 19.3% and 36.4% for trials of 6 and 12 months, "
            "taken here as the share gone by those months of one trial (an assumption)"
        )
    # a design's own schedule is dropout alone and its deaths a further exit (an explorer
    # review: "deaths included" read as the opposite); the share gone counts both
    hazard = design.dropout.death_monthly_hazard
    if hazard <= 0:
        return f"an assumption of this design, not a published figure; {deaths}"
    # the share gone counts the deaths already (a visit-schedule review read "on top of it"
    # as deaths to add to 45.8%, which held them): dropout alone said beside it
    visits = design.trial.visits
    alone = float(design.dropout.cumulative_at(visits)[-1])
    return (
        "an assumption of this design, not a published figure, deaths included: dropout "
        f"alone {100 * alone:.1f}% by month {design.trial.duration_months:g}, deaths "
        f"{100 * hazard:g}% a month besides"
    )
