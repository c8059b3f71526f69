"""Where a design's inputs come from, for the methods text (:mod:`designs.outputs.methods`).

The sample size rests on the decline, the SDs, the effect and the attrition; a protocol has
to say where each number comes from (a statistical review: the sources were only in
docs/references.md and the library designs' comments). Each input of the design is matched
against the values the library designs take from published work (:data:`SOURCES`): a value
that matches is given with its source, any other value is called an assumption of this
design. A user's design that keeps a library value keeps its source; one that changes it is
not credited with a source it does not have. A design's own ``[sources]`` line for an input
(:class:`designs.spec.sources.Sources`) comes first: it is printed as given, and it is dropped
when a later layer changes the value it was written for.

The dropout schedule and the death hazard have their sources in the dropout paragraph
(:mod:`designs.outputs.methods_dropout`).
"""

from __future__ import annotations

from dataclasses import dataclass

from designs.spec.sources import INPUT_FIELDS

__all__ = [
    "INPUTS_TITLE",
    "SOURCES",
    "input_keys",
    "input_sources",
    "inputs_intro",
    "inputs_text",
    "unread_sources",
]


@dataclass(frozen=True)
class Source:
    """Where an input's value comes from: the values it was written for, what they rest on
    (with in-text citations) and the reference keys
    (:data:`designs.outputs.methods_references.REFERENCES`)."""

    values: tuple
    text: str
    keys: tuple[str, ...] = ()


_TOPIRAMATE = "the topiramate trial's placebo cohort (Neurology 2004)"

#: Published or derived values of the library designs, by input (docs/references.md,
#: "Where the library designs take their numbers"). An input's values are the design fields
#: of :data:`INPUTS`, in that order.
SOURCES: dict[str, tuple[Source, ...]] = {
    "baseline": (
        Source(
            (40.6, 2.6),
            "the five CL2020 phase 2 patients' baseline scores (jRCT2063200047 results summary); "
            "their "
            "SD, of observed scores, is taken as the SD of true baselines",
            ("jrct",),
        ),
        Source(
            (38.0, 5.5),
            "typical of broad ALS trials, e.g. 38.1 (5.5) in masitinib AB10015's placebo arm "
            "(Mora et al. 2021, Table 3)",
            ("mora2021",),
        ),
    ),
    "decline": (
        Source(
            (-0.5,),
            "the five CL2020 phase 2 patients lost 0.47 points/month on average before dosing "
            "(Okayama University press release, 2023; its window is not stated, the "
            "publication compares the 12 months after dosing began with the 3 months before), "
            "and "
            "masitinib AB10015's placebo patients with delta-FS below 1.1 and every item at "
            "least 2 lost 0.41 before enrolment, measured from symptom onset (Mora et al. "
            "2021); taken slightly faster than both, as that rate from onset underestimates "
            "later decline (Proudfoot et al. 2016)",
            ("okayama", "mora2021", "proudfoot"),
        ),
        Source(
            (-1.02,),
            "the mean decline in the PRO-ACT database's mixed model (Atassi et al. 2014)",
            ("atassi",),
        ),
    ),
    "slope_sd": (
        Source(
            (0.35, -0.5),
            f"derived from {_TOPIRAMATE}, whose SD of slopes over mean decline is 8.2 / 11.1 "
            "points/year = 0.74: 0.74 x 0.5 = 0.37, taken as 0.35, between it and the 0.23 of "
            "masitinib AB10015's placebo patients with delta-FS below 1.1 and every item at "
            "least 2 (Mora et al. 2021: "
            "of pre-enrolment rates, a narrower selection) and nearer the larger; rounded "
            "down, so a little optimistic against 0.37 alone (the footnote defining the 8.2 "
            "could not be read in full)",
            ("topiramate", "mora2021"),
        ),
        Source(
            (0.75, -1.02),
            f"derived from the coefficient of variation of slopes in {_TOPIRAMATE}: "
            "0.74 x 1.02 = 0.75",
            ("topiramate",),
        ),
    ),
    "residual_sd": (
        Source(
            (2.0,),
            f"derived from the within-patient SD of 1.6 points on the 40-point ALSFRS in "
            f"{_TOPIRAMATE}: 1.6 x 48/40 = 1.92, rounded up",
            ("topiramate",),
        ),
    ),
    "correlation": (
        Source(
            (0.0,),
            "assumed, as no published coefficient was found (Gordon et al. 2010 report an "
            "association only)",
            ("gordon",),
        ),
    ),
    "effect": (
        Source(
            ("proportional_slowing", 0.25),
            "the smallest slowing that all 65 NEALS members surveyed rated at least somewhat "
            "clinically meaningful (Castrillo-Viguera et al. 2010)",
            ("castrillo",),
        ),
    ),
    "delta_fs": (
        Source(
            (0.41, 0.23),
            "masitinib AB10015's placebo patients with delta-FS below 1.1 and every item at "
            "least 2 (Mora et al. 2021, Table 3)",
            ("mora2021",),
        ),
        Source(
            (0.91, 0.53),
            "PRO-ACT matched external controls (Paganoni et al. 2023)",
            ("paganoni",),
        ),
    ),
    "delta_fs_corr": (
        Source(
            (0.5,),
            "assumed, as no coefficient was found: slopes before and after enrolment are "
            "correlated (Thakore et al. 2018), but in JaCALS and PRO-ACT patients the rate "
            "before enrolment did not sort patients by later decline (ALS FTD 2024)",
            ("thakore", "jacals"),
        ),
    ),
}

#: Each input: its design fields, whose values :data:`SOURCES` match (its words: :func:`_label`).
#: A design's own sources (:data:`designs.spec.sources.INPUT_FIELDS`) are for the same fields,
#: except that the library's SD of true slopes was derived from the mean decline, so its
#: source holds for both.
INPUTS: dict[str, tuple[str, ...]] = {
    **{n: f for n, f in INPUT_FIELDS.items() if n not in ("accrual", "attrition", "deaths")},
    "slope_sd": ("population.slope_sd", "population.slope_mean"),
}


def _value(design, field: str):
    section, key = field.split(".")
    value = getattr(getattr(design, section), key)
    return getattr(value, "value", value)  # an enum as its TOML word


def _label(design, name: str) -> str:
    p, e = design.population, design.effect
    if name == "baseline":
        return f"Baseline ALSFRS-R {p.baseline_mean:g} (SD of true baselines {p.baseline_sd:g})"
    if name == "decline":
        whose = " of the candidates screened" if design.enrichment.active else ""
        return f"mean decline{whose} {p.slope_mean:g} points/month"
    if name == "slope_sd":
        return f"SD of true slopes {p.slope_sd:g} points/month"
    if name == "residual_sd":
        return f"residual SD {p.residual_sd:g} points"
    if name == "correlation":
        return f"correlation of true baselines and slopes {p.baseline_slope_corr:g}"
    if name == "effect":
        if e.kind.value == "proportional_slowing":
            shift = e.slope_shift(p.slope_mean)
            of = " of the candidates' mean decline" if design.enrichment.active else ""
            share = design.admitted_share  # the admitted patients' decline, where known
            admitted = "" if share is None else f", {share:.0f}% of the admitted patients'"
            return f"effect {100 * e.value:g}% slowing{of} ({shift:+.3g} points/month{admitted})"
        return f"effect {e.value:+g} points/month"
    if name == "delta_fs":
        return (
            f"pre-enrolment rate delta-FS {p.delta_fs_mean:g} (SD {p.delta_fs_sd:g}) points/month"
        )
    return f"correlation of log delta-FS with decline {p.delta_fs_slope_corr:g}"


def _accrual_line(design, looks: bool) -> str:
    """Accrual: the design's own source, else an assumption; what it sets (a review: with
    interim looks it also sets what each look sees, not only the calendar length)."""
    t = design.trial
    ramp = f", after a ramp-up ({design.accrual.describe(t.accrual_per_month)})"
    sets = (
        "when patients enter, and so the calendar length and the information at each interim look"
        if looks
        else "the calendar length only"
    )
    said = design.sources.clause("accrual") or "an assumption"
    return (
        f"Accrual {t.accrual_per_month:g} patients/month"
        f"{ramp if design.accrual.ramped else ''}: {said} (it sets {sets})."
    )


def _inputs(design) -> list[str]:
    """The inputs the methods text gives a source for: the delta-FS ones only where
    candidates are screened on delta-FS; the effect only where it is fixed (a drawn effect's
    source is the phase 2 posterior, in the assurance paragraph)."""
    names = ["baseline", "decline", "slope_sd", "residual_sd", "correlation"]
    if design.effect.source.value == "fixed":
        names.append("effect")
    if design.enrichment.screens_delta_fs:
        names += ["delta_fs", "delta_fs_corr"]
    return names


def unread_sources(design) -> list[str]:
    """The design's own sources (``[sources]``) that no methods text prints, one line each
    (``sources.KEY: why``): the input plays no part in this design. A source written for
    it suggests a setting left out, so the commands that read a design for its methods text
    warn (a source is text and harms no number, so it is kept, not refused)."""
    given = design.sources.given
    why = {
        "effect": None
        if design.effect.source.value == "fixed"
        else "the effect is drawn from the phase 2 posterior (effect.source = 'posterior'), "
        "whose source the assurance paragraph gives",
        "deaths": None
        if design.dropout.death_monthly_hazard > 0
        else "the design has no death hazard (dropout.death_monthly_hazard = 0)",
    }
    if not design.enrichment.screens_delta_fs:
        why["delta_fs"] = why["delta_fs_corr"] = (
            "no candidate is screened on delta-FS (enrichment.delta_fs_min, delta_fs_max)"
        )
    return [
        f"sources.{name}: the methods text leaves it out, as {reason}"
        for name, reason in why.items()
        if reason is not None and name in given
    ]


def _source(design, name: str) -> Source | None:
    """The design's own source of the input (``[sources]``), else the library's source of
    its values, else None."""
    values = tuple(_value(design, f) for f in INPUTS[name])
    given = design.sources.clause(name)
    if given is not None:
        return Source(values, given)
    found = next((s for s in SOURCES[name] if s.values == values), None)
    if found is not None and name == "effect":
        return _screened_effect(design, found)
    return found


def _screened_effect(design, source: Source) -> Source:
    """The effect's published source under screening that slows the admitted patients'
    decline: a slowing meant of the treated patients' decline, taken of the candidates'
    (a grant review: 25% of the candidates' decline, 30% of the admitted patients', was
    cited as the 25% rated meaningful)."""
    share = design.admitted_share
    if share is None or abs(share - 100 * design.effect.value) < 0.5:
        return source
    e, p = design.effect, design.population
    admitted = e.slope_shift(p.slope_mean) * 100 / share  # their mean decline, points/month
    text = (
        f"{source.text}; that threshold is a slowing of the treated patients' decline, and "
        f"here it is taken of the candidates': the admitted patients decline "
        f"{admitted:.3g} points/month, so this is {share:.0f}% of theirs ({100 * e.value:g}% "
        f"of theirs would be {e.value * admitted:+.3g} points/month)"
    )
    return Source(source.values, text, source.keys)


def input_keys(design) -> list[str]:
    """The reference keys :func:`inputs_text` cites, in the order it cites them."""
    keys: list[str] = []
    for name in _inputs(design):
        source = _source(design, name)
        keys += [k for k in (source.keys if source else ()) if k not in keys]
    return keys


#: The title of the inputs' paragraph (methods.md) and of the explorer's folded list.
INPUTS_TITLE = "Where the inputs come from"


def inputs_intro(design) -> str:
    """The sentence before the list: how to read it."""
    return (
        "Each input with what it rests on; a value not taken from published work is an "
        "assumption of this design"
        + (
            " (the population's values are those of the candidates screened)."
            if design.enrichment.active
            else "."
        )
    )


def input_sources(design, looks: bool | None = None) -> list[str]:
    """Each input with its source (or called an assumption of this design where its value
    is not one the library takes from published work), one sentence each, accrual last
    (``looks``: the trial has interim looks; by default the design's own, but a report with
    looks gives the methods text the same design without them)."""
    out = []
    for name in _inputs(design):
        source = _source(design, name)
        said = source.text if source else _no_source(design, name)
        label = _label(design, name)
        line = f"{label[0].upper()}{label[1:]}: {said}"
        out.append(line if line.endswith((".", "?", "!")) else f"{line}.")
    looks = design.interim.sequential if looks is None else looks
    return [*out, *_effect_shape_lines(design), _accrual_line(design, looks)]


def _effect_shape_lines(design) -> list[str]:
    """The effect's time course and its spread between patients, each an assumption: the
    effect's source is for its size alone (a grant writer's review: with the effect acting
    from month 3 the page credited the whole effect to the clinicians' survey)."""
    e, out = design.effect, []
    if e.has_time_course:
        # (a diff review: "the source above" where the effect line names none)
        sized = (
            "; the source above is for the effect's size only" if _source(design, "effect") else ""
        )
        out.append(f"Time course of the effect ({e.course_text()}): {NO_SOURCE}{sized}.")
    if e.sd > 0:
        out.append(
            f"Spread of the effect between treated patients (SD {e.sd:g} points/month): "
            f"{NO_SOURCE}."
        )
    return out


#: What an input without a published source is called: it may be set in the design's file
#: or inherited from the default design (an endpoint-porting review: "set in this design"
#: was printed for a value the file never set).
NO_SOURCE = "an assumption of this design, not a published value"


def _no_source(design, name: str) -> str:
    """:data:`NO_SOURCE`, and for the SD of true slopes a library value derived for another
    mean decline, which that decline it was derived for."""
    if name == "slope_sd":
        p = design.population
        for source in SOURCES[name]:
            if source.values[0] == p.slope_sd:
                return (
                    f"{NO_SOURCE} (the library derived {p.slope_sd:g} for a mean decline of "
                    f"{source.values[1]:g} points/month, not this design's {p.slope_mean:g})"
                )
    return NO_SOURCE


def inputs_text(design, looks: bool | None = None) -> list[str]:
    """The lines of 'Where the inputs come from' (Markdown) for methods.md."""
    lines = [f"**{INPUTS_TITLE}.** {inputs_intro(design)}", ""]
    return lines + [f"- {line}" for line in input_sources(design, looks)]
