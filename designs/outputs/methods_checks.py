"""Sentences of the methods text (:mod:`designs.outputs.methods`) that put the simulated n in
context: the closed form's power and n, where the closed form models the design; the power as
designed and at its lowest over the realism sensitivity's scenarios; the analysis's mean
estimate against its true value."""

from __future__ import annotations

import math
import re

from designs.analyses.registry import title
from designs.outputs.numbers import se_text
from designs.planning.closed_form import closed_form_models
from designs.planning.size_grid import round_up

__all__ = [
    "assumption_sensitivity",
    "closed_form_check",
    "closed_form_models",
    "course_clause",
    "estimate_bias_text",
    "rule_prior",
    "sensitivity_range",
]


def course_clause(design, analysis: str) -> str:
    """The effect's time course for the methods text, and what the bias is measured against
    then ('' without a time course; an estimand review: the report never said the effect
    began at month 3, nor why the true value was not the full shift)."""
    from designs.analyses import registry
    from designs.simulation.inputs import simulation_inputs

    e = design.effect
    if not e.has_time_course:
        return ""
    last = design.trial.duration_months
    if not e.bends_within(last):  # the course lies after the last visit
        seen = (
            "no effect within the follow-up"
            if e.onset_delay_months >= last
            else "the full effect throughout the follow-up"
        )
        return f", {e.course_text()} (after the last visit, month {last:g}: {seen})"
    units = registry.get(analysis).units
    factor = simulation_inputs(design).course_factor
    months = float(design.trial.visits_months[-1])
    if units != "points/month":  # the change to the last visit, or a rank summary
        return (
            f", {e.course_text()} ({factor * months:.3g} months of full effect by month {months:g})"
        )
    return (
        f", {e.course_text()}: the true value against which bias is reported is the mean effect "
        f"over the follow-up, {factor:.3g} of the full shift (the points gained by month "
        f"{months:g} over its months); a straight line fitted to the bent difference does not "
        "target it exactly, and its estimate moves with how long each patient is followed, "
        "even when leaving is at random"
    )


def course_model_clause(design) -> str:
    """What the model's line says beyond itself: a treated patient's term for an effect with
    a time course (a time-course review: the methods stated y_ij = a_i + s_i t_j + e_ij for
    every patient), and with a lead-in that the line runs through the lead-in's visits too,
    the same slope before and after randomisation (a covariate review: the lead-in
    analysis's gain rests on it, unsaid); '' with neither."""
    clause = ""
    if design.effect.has_time_course:
        clause = (
            ", a treated patient's a_i + s_i t_j + d_i G(t_j) + e_ij, with d_i the benefit "
            "(points/month) and G(t) the months of full effect by month t"
        )
    if design.trial.lead_in_months > 0:
        clause += (
            ", over the lead-in's visits too (the same true slope s_i before and after "
            "randomisation, an assumption: published cohorts suggest a weaker link, so a "
            "lead-in's gain in power is its largest here)"
        )
    return clause


def estimate_bias_text(design, entry, oc) -> str:
    """' At N randomised, A's mean estimate is ... against a true ... (bias ..., MC SE ...).'
    for an analysis whose estimand has a true value, without informative exits (the dropout
    paragraph says it then, with the data missing not at random); '' otherwise. A bias more
    than 3 MC SE from 0 is called beyond simulation noise (a statistical review: the mean
    estimate's small shortfall, about -0.002 points/month on the defaults, was in the tables,
    not the text)."""
    bias, se = oc.get("bias", math.nan), oc.get("bias_mc_se", math.nan)
    if design.dropout.exits_informative or not (math.isfinite(bias) and math.isfinite(se)):
        return ""
    true = oc["mean_estimate"] - bias
    noise = ""
    if se > 0 and abs(bias) > 3 * se:
        from designs.outputs.effect_notes import bias_causes

        # its causes, as power's note gives them (a clinimetrics review: +0.53 against a
        # true +0.75 "beyond simulation noise" on a design at the floor, with no cause)
        noise = f", beyond simulation noise; likely causes: {bias_causes(design, entry.name)}"
    return (
        f" At {oc['n_placebo'] + oc['n_active']} randomised, the mean estimate of the "
        f"{title(entry.name)} is "
        f"{oc['mean_estimate']:+.4g} against a true {true:+.4g} {entry.units} (bias "
        f"{bias:+.2g}, MC SE {se_text(se)}{noise})."
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
    slope = (
        "the GLS slope, which on complete data is the mean of the patients' OLS slopes"
        if result.analysis == "ols_slope_ttest"
        else "the GLS slope with the design's dropout"
    )
    return (
        f" As a check, the closed form (continuous scores, {slope}{_admitted(design)}, z test) "
        f"gives a power of {' and '.join(at)}.{_floor_aside(design)}"
        f"{_by_hand(design, result.rows)}"
    )


def _floor_aside(design) -> str:
    """' The closed form leaves aside the scale's floor, ...' where 5% or more of the
    placebo patients' true lines reach 0 by the last visit ('' otherwise): the simulated power
    is then below it for that reason too (a clinimetrics review: 0.885 beside a simulated
    0.80, with no word of why)."""
    from designs.outputs.effect_notes import FLOOR_SHARE_NOTED
    from designs.planning.scale_bounds import floor_share

    if not design.population.integer_scores:
        return ""
    share = floor_share(design)
    if share < FLOOR_SHARE_NOTED:
        return ""
    return (
        f" The closed form leaves aside the scale's floor, which the true ALSFRS-R lines of "
        f"about {share:.0%} of the placebo patients reach by the last visit: their scores "
        "stop at 0 and their slopes flatten, so the simulated power is lower."
    )


def _admitted(design) -> str:
    """Under delta-FS screening, whose random effects the closed form takes: the admitted
    patients' ('' otherwise)."""
    if not design.enrichment.screens_delta_fs:
        return ""
    pop = design.population
    slope_var = design.enrichment.admitted_random_effects(pop)[2]
    return (
        ", and the random effects of the patients delta-FS screening admits: SD of true "
        f"slopes {slope_var**0.5:.3f} points/month against the candidates' {pop.slope_sd:g}"
    )


def _by_hand(design, rows) -> str:
    """The closed form's n as a reviewer recomputes it by hand (a grant writer's review: the
    text gave no variance to do so, nor why dropout raised n less than 1 / (1 - dropout)):
    the per-patient variance of the GLS slope with and without dropout, and the formula.
    1:1 allocation and the same variance in both arms only ('' otherwise)."""
    from designs.planning import closed_form as cf

    t, pop = design.trial, design.population
    targets = [getattr(r, "target_power", None) for r in rows]
    v_p, v_a = cf.design_slope_variances(design)
    if t.allocation.placebo != t.allocation.active or v_p != v_a or None in targets:
        return ""
    base_var, cov, slope_var = design.enrichment.admitted_random_effects(pop)
    v0 = cf.slope_variance_per_patient(t.visits, base_var, slope_var, cov, pop.residual_sd**2)
    delta = design.effect.slope_shift(pop.slope_mean)
    z = [cf.z_sum(t.alpha, p, t.sides) for p in targets]
    ns = "; ".join(
        f"2 x {zs:.3f}^2 x {v_p:.4f} / {delta:.4f}^2 = {2 * zs**2 * v_p / delta**2:.1f} for "
        f"{p:.0%} power"
        for zs, p in zip(z, targets, strict=True)
    )
    level = "alpha" if t.sides == 1 else f"alpha/{t.sides}"
    formula = f"n per arm = 2 (z_(1-{level}) + z_power)^2 x variance / effect^2: {ns}."
    if not v_p > v0 * (1.0 + 1e-12):  # complete follow-up (a diff review: "Dropout raises n
        # by 1.00 times" on a design without dropout)
        return (
            " By hand: the variance of a patient's GLS slope with complete follow-up is "
            f"{v_p:.4f} (points/month)^2 (SD {v_p**0.5:.3f}), so {formula}"
        )
    return (
        " By hand: the variance of a patient's GLS slope, averaged as information over the "
        f"dropout patterns, is {v_p:.4f} (points/month)^2 (SD {v_p**0.5:.3f}; {v0:.4f} with "
        f"complete follow-up), so {formula} Dropout "
        f"raises n by {v_p / v0:.2f} times, not 1 / (1 - fraction gone): a patient lost "
        "before the end still gives a slope from the earlier visits, and most of its "
        "variance is the spread of true slopes, which dropout does not add to."
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
    # its own trials' estimate, beside the sample-size table's at the same n (a grant
    # writer's review read 0.803 here against 0.800 there as two powers of one design)
    own = (
        f" (MC SE {se_text(designed['mc_se'])}, on this comparison's own trials)"
        if "mc_se" in designed
        else ""
    )
    if low is designed:
        lowest = designed["power_favourable"]
        return (
            f": there{at}, the power of the {title(analysis)} is lowest as designed, "
            f"{lowest:.3f}{own}"
        )
    # the label without its parenthesis ("(assumed)"; the curve's source): the sentence says
    # these are assumptions, and the source is cited in realism_sensitivity.md
    name = re.sub(r" \([^()]*\)$", "", low["scenario"])
    return (
        f": there{at}, the power of the {title(analysis)} is "
        f"{designed['power_favourable']:.3f} as designed"
        # the scenario named as a scenario (a protocol writer's review read "with effect
        # wanes from month 6"); its months are those of the default design's dosing
        f"{own} and lowest, {low['power_favourable']:.3f}, in the scenario \u201c{name}\u201d"
    )


#: How far each input moves in :func:`assumption_sensitivity`: (design field, factors, words,
#: unit). Effects and SDs by a fraction of their value; the attrition schedule's fractions gone.
ASSUMPTION_STEPS = (
    ("population.slope_sd", (0.7, 1.3), "SD of true slopes", " points/month"),
    ("population.residual_sd", (0.75, 1.25), "residual SD", " points"),
    ("effect.value", (0.8, 1.2), "effect", ""),
    ("dropout", (0.5, 1.5), "attrition", ""),  # words and unit from the moved design
)


def _closed_form_n(design, target: float, prior=None) -> float:
    """Patients per arm (1:1) or in total (unequal allocation) for ``target`` power by the
    closed form: ``(z_{1-alpha/sides} + z_power)^2 (v_p / r_p + v_a / r_a) / delta^2``; with
    a ``prior`` (the posterior rule), :func:`_posterior_rule_n`."""
    from designs.planning import closed_form as cf

    if prior is not None:
        return _posterior_rule_n(design, target, prior)
    t = design.trial
    total = cf.n_total_slope_arms(
        design.effect.slope_shift(design.population.slope_mean),
        *cf.design_slope_variances(design),
        alpha=t.alpha,
        power=target,
        sides=t.sides,
        allocation=(t.allocation.placebo, t.allocation.active),
    )
    return total / 2.0 if t.allocation.equal else total


def _posterior_rule_n(design, target: float, prior) -> float:
    """:func:`_closed_form_n` under the posterior rule: the GLS slope difference ``x`` with
    its variance ``v_p / n_p + v_a / n_a`` as a normal likelihood and ``prior`` held as given,
    success when ``x`` exceeds the critical estimate ``c`` at which ``P(effect > margin | x) =
    threshold`` (:func:`~designs.analyses.decision_predictive.critical_estimate`), so power
    ``Phi((delta - c) / se)``; n by bisection on the total (power rises with n). A vague
    prior gives the one-sided test's n (181.9 and 243.6 per arm on the default design)."""
    from designs.analyses.decision_predictive import critical_estimate
    from designs.planning import closed_form as cf
    from designs.sequential import normal as norm

    v_p, v_a = cf.design_slope_variances(design)
    delta = design.effect.slope_shift(design.population.slope_mean)
    t, d = design.trial, design.decision
    placebo = t.allocation.placebo / (t.allocation.placebo + t.allocation.active)

    def power(total: float) -> float:
        se = math.sqrt(v_p / (total * placebo) + v_a / (total * (1.0 - placebo)))
        return float(norm.cdf((delta - critical_estimate(prior, se, d.threshold, d.margin)) / se))

    lo, hi = 4.0, 8.0
    while power(hi) < target:
        lo, hi = hi, 2.0 * hi
        if hi > 1e8:  # a rule that never reaches the target
            raise ArithmeticError("the posterior rule does not reach the target power")
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if power(mid) < target else (lo, mid)
    return hi / 2.0 if t.allocation.equal else hi


def _moved(design, field: str, factor: float):
    """``design`` with ``field`` times ``factor``, and the moved value (None for the
    attrition, whose other-exit schedule is scaled: deaths stay as they are)."""
    if field != "dropout":
        section, key = field.split(".")
        value = round(getattr(getattr(design, section), key) * factor, 4)
        return design.with_overrides({field: value}), value
    d = design.dropout
    if d.cumulative:
        moved = design.with_overrides(
            {"dropout.cumulative": [min(round(c * factor, 4), 0.95) for c in d.cumulative]}
        )
    else:
        moved = design.with_overrides({"dropout.monthly_hazard": d.monthly_hazard * factor})
    return moved, None


def rule_prior(design, oc):
    """The posterior rule's prior as the operating characteristics recorded it (its normal
    components, ``decision_rule.prior_components``), or None (the frequentist test, or not
    recorded)."""
    parts = oc.get("decision_rule", {}).get("prior_components")
    if not (design.decision.is_posterior and parts):
        return None
    from designs.analyses.decision import NormalMixture

    return NormalMixture(
        tuple(c["weight"] for c in parts),
        tuple(c["mean"] for c in parts),
        tuple(c["sd"] for c in parts),
    )


def assumption_sensitivity(design, analysis: str, target: float, prior=None) -> str:
    """A paragraph: the closed form's n for ``target`` power at the design's values and when
    one input moves (the SD of true slopes, the residual SD, the effect, the attrition), where
    the closed form models the design (:func:`closed_form_models`; under the posterior rule
    with its ``prior``, :func:`_posterior_rule_n`); '' otherwise (a statistical review: the
    text gave n without saying how much it rests on each assumption; a protocol writer's
    review: under the posterior rule it had no such paragraph)."""
    from designs.errors import InputError

    posterior = design.decision.is_posterior
    if posterior and prior is None:
        return ""
    plain = design.with_overrides({"decision.rule": "frequentist"}) if posterior else design
    if not closed_form_models(plain, analysis):  # informative exits included
        return ""
    prior = prior if posterior else None
    if design.effect.slope_shift(design.population.slope_mean) <= 0:
        return ""  # no n "for power" to detect no effect or harm (the search refuses one too)
    t = design.trial
    unit = "per arm" if t.allocation.equal else "in total"
    try:
        n0 = _closed_form_n(design, target, prior)
        parts = []
        for field, factors, words, suffix in ASSUMPTION_STEPS:
            if field == "dropout" and not design.dropout.has_other_exits:
                continue  # no exits other than deaths to move
            values, ns = [], []
            for f in factors:
                moved, value = _moved(design, field, f)
                ns.append(f"{round_up(design, _closed_form_n(moved, target, prior))}")
                if value is None:  # the attrition: the share gone by the last visit
                    gone = moved.dropout.cumulative_at(t.visits, include_death=True)[-1]
                    value = f"{100 * gone:.1f}%"
                elif field == "effect.value" and design.effect.kind.value == "proportional_slowing":
                    value = f"{100 * value:g}% slowing"
                elif field == "effect.value":
                    value = f"{value:g} points/month"
                else:
                    value = f"{value:g}"
                values.append(value)
            # how far it moved (a statistician's review: the reader had to work the steps out)
            step = f"{100 * (1 - factors[0]):.0f}% down and up"
            if field == "dropout":
                words = f"gone by month {t.visits_months[-1]:g} (deaths included)"
                step = f"the other exits' schedule {step}, deaths kept"
            parts.append(f"{words} {' / '.join(values)}{suffix} ({step}): {' / '.join(ns)}")
    except (InputError, ArithmeticError, ValueError):
        return ""
    form = (
        "The closed form of the posterior rule (the GLS slope difference as a normal "
        "likelihood, continuous scores, dropout not depending on the scores, the prior above "
        "held as it is)"
        if posterior
        else "The closed form (as in the check above)"
    )
    power = "success probability" if posterior else "power"
    return (
        "**Assumptions behind n.** The effect, the variances and the attrition are "
        f"assumptions. {form} needs {round_up(design, n0)} {unit} for {target:.0%} {power} at "
        f"the design's values; with one input moved and the others kept: {'; '.join(parts)}."
    )
