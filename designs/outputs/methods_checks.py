"""Two sentences of the methods text (:mod:`designs.outputs.methods`) that put the simulated
n in context: the closed form's power at n, where the closed form models the design, and
the power as designed and at its lowest over the realism sensitivity's scenarios."""

from __future__ import annotations

import re

__all__ = ["closed_form_check", "closed_form_models", "sensitivity_range"]


def closed_form_models(design, analysis: str) -> bool:
    """Whether the closed form (:func:`designs.planning.closed_form.design_power`: the GLS
    slope difference of the mixed model, continuous scores, dropout that does not depend on
    the scores) models ``design`` as ``analysis`` tests it: the mixed model of slopes under the
    frequentist rule, a fixed effect acting from month 0, no informative exits, curvature,
    lead-in or screening (a review: it printed 0.804 as "a check" where the simulated power
    was 0.383, an effect starting at month 3)."""
    d, e = design.dropout, design.effect
    informative = d.informative != 0 or (d.death_informative != 0 and d.death_monthly_hazard > 0)
    return (
        analysis in ("lmm_slope", "lmm_slope_kr")
        and not design.decision.is_posterior
        and e.source.value == "fixed"
        and not e.has_time_course
        and not informative
        and design.population.curvature == 0
        and design.trial.lead_in_months == 0
        and not design.enrichment.active
    )


def closed_form_check(design, result) -> str:
    """' As a check, the closed form ... gives a power of ... at n.' for a slope analysis under
    the frequentist rule ('' otherwise): the figure drew it, the text did not say it (a
    review)."""
    from designs.errors import InputError
    from designs.planning import closed_form as cf
    from designs.planning.power_curve import design_at

    if not closed_form_models(design, result.analysis):
        return ""
    try:
        at = [
            f"{cf.design_power(design_at(design, r.n), favourable_only=True):.3f} at {r.n_total} "
            "randomised"
            for r in result.rows
        ]
    except (InputError, ArithmeticError, ValueError):
        return ""
    return (
        " As a check, the closed form (continuous scores, the GLS slope with the design's "
        f"dropout, z test) gives a power of {' and '.join(at)}."
    )


def sensitivity_range(realism: list[dict] | None, analysis: str, n: int | None = None) -> str:
    """'': the power of ``analysis`` as designed and its lowest over the realism sensitivity's
    scenarios, at the size ``n`` they were simulated at (a review: the text pointed to the
    file and quoted none of it, though an effect that starts late costs half the power)."""
    rows = [r for r in realism or () if r["analysis"] == analysis]
    designed = next((r for r in rows if r["scenario"] == "as designed"), None)
    if designed is None or len(rows) < 2:
        return ""
    low = min(rows, key=lambda r: r["power_favourable"])
    at = f" at n = {n}" if n is not None else ""
    if low is designed:
        lowest = designed["power_favourable"]
        return f": there{at}, {analysis}'s power is lowest as designed, {lowest:.3f}"
    # the label without its parenthesis ("(assumed)"; the curve's source): the sentence says
    # these are assumptions, and the source is cited in realism_sensitivity.md
    name = re.sub(r" \([^()]*\)$", "", low["scenario"])
    return (
        f": there{at}, {analysis}'s power is {designed['power_favourable']:.3f} as designed "
        f"and lowest, {low['power_favourable']:.3f}, with {name}"
    )
