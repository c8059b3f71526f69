"""The methods text's sentence on the other analyses of the report's comparison: how each
treats loss to follow-up and death, and which carry the primary analysis's estimand."""

from __future__ import annotations


def _compared_names(design, analysis: str) -> tuple[str, ...]:
    """The other analyses the text's comparison names (:func:`_compared_strategies`)."""
    from designs.planning.report_plan import compared_analyses

    return tuple(a for a in compared_analyses(design, analysis) if a != analysis)


#: In-text citations of the compared analyses whose works the reference list gives (a
#: protocol writer's review: listed there, cited nowhere in the text).
COMPARED_CITATIONS = {
    "lmm_slope_kr": "Kenward & Roger 1997, as R's pbkrtest computes it, Halekoh & Hojsgaard 2014",
    "joint_rank": "Berry et al. 2013, with the Finkelstein & Schoenfeld 1999 rule for patients "
    "who leave alive",
}


def _compared_strategies(design, analysis: str) -> str:
    """How the other analyses of the report's comparison treat loss to follow-up and death (a
    review: the text sent the reader to realism_sensitivity.md, which does not say); those
    that carry the primary analysis's estimand (``lmm_slope_kr`` beside ``lmm_slope``) are
    named as such."""
    from designs.analyses.registry import get, title

    primary = get(analysis)
    others = [get(a) for a in _compared_names(design, analysis)]
    if not others:
        return "No other analysis is compared."

    def same(a) -> bool:
        return (a.estimand, a.dropout_strategy, a.death_strategy) == (
            primary.estimand,
            primary.dropout_strategy,
            primary.death_strategy,
        )

    def strategies(a) -> str:  # a grant writer's review: "... death as ols_slope_ttest: ..."
        named = title(a.name)  # "t-test of per-patient slopes (ols_slope_ttest)"
        named = named[:-1] if named.endswith(")") else f"{named} ({a.name}"
        named += f"; {COMPARED_CITATIONS[a.name]}" if a.name in COMPARED_CITATIONS else ""
        if a.dropout_short == a.death_short:
            return f"the {named}; {a.dropout_short} for both)"
        return f"the {named}; leaving the study: {a.dropout_short}, death: {a.death_short})"

    def cited(a) -> str:  # the name, then its works in brackets
        works = COMPARED_CITATIONS.get(a.name)
        return f"{title(a.name)} ({works})" if works else title(a.name)

    alike = [cited(a) for a in others if same(a)]
    unlike = [strategies(a) for a in others if not same(a)]
    parts = []
    if alike:
        parts.append(
            f"the {' and the '.join(alike)} {'carries' if len(alike) == 1 else 'carry'} the "
            "same estimand"
        )
    if unlike:
        listed = unlike[0] if len(unlike) == 1 else ", ".join(unlike[:-1]) + " and " + unlike[-1]
        parts.append(
            ("the others" if alike else "the other analyses")
            + " treat leaving the study and death differently: "
            + listed
        )
    text = "; ".join(parts)
    return (
        f"Of the analyses shown for comparison, {text}."
        if alike
        else f"{text[0].upper()}{text[1:]}."
    )
