"""What ``power`` prints for a group-sequential design (rendering only)."""

from __future__ import annotations

import math

from designs.outputs.look_notes import (
    boundary_columns,
    by_plan,
    information_gap_note,
    late_final_look_note,
    long_accrual_note,
    type_i_precision_note,
)
from designs.outputs.rates import counted_h0, rate_text, type_i_text
from designs.planning.rate_bound import counted_h1

__all__ = [
    "group_sequential_assurance_text",
    "group_sequential_text",
    "posterior_rule_cases_text",
]


#: What the expected patients and months assume (an economist's review: the expected patients
#: read as the enrolment to fund): docs/group_sequential.md.
DATA_CUT = (
    "randomisation assumed to stop at the data cut of the look where the trial stops, so "
    "patients randomised while the DSMB reviews are not counted"
)


def entered(s, k: int) -> float:
    """Mean patients randomised by look ``k`` (NaN in a summary made before it was kept)."""
    by_look = getattr(s, "n_entered_by_look", None) or []
    return by_look[k] if k < len(by_look) else math.nan


def entered_cell(value: float, missing: str = "\u2013") -> str:
    """A looks table's cell of patients randomised by a look (``missing`` where unknown)."""
    return missing if math.isnan(value) else f"{value:.1f}"


def _z(x) -> str:
    return "-" if x is None else f"{x:.3f}"


#: What the look table's columns mean (a newcomer could not tell whether they are cumulative).
LOOK_COLUMNS = (
    "info(exp), info(obs): the information fraction planned at the look and the simulated "
    "trials' mean; randomised: mean patients randomised by the look; P(eff), P(fut): "
    "probability of stopping at that look (not cumulative) for "
    "efficacy, for futility, under the effect; |H0: under no effect"
)


def group_sequential_text(design, s) -> str:
    """The design line, one line per look, and the operating characteristics."""
    lines = [design.describe()]
    sided = "one-sided" if s.sides == 1 else "two-sided"
    lines.append(
        f"{s.analysis}: {len(s.looks)} looks, {spending_words(s.spending)} alpha spending "
        f"({s.alpha:g} {sided}), futility {spending_words(s.futility)}; {s.trials} trials "
        f"per hypothesis, seed {s.seed}"
    )
    # under no effect the futility stops too (a calendar-time review: in the JSON only)
    futile = has_futility(s)
    lines.append(
        "look  info(exp)  info(obs)  month  randomised  efficacy z  nominal p  futility z  "
        "P(eff)  P(fut)  P(eff|H0)" + ("  P(fut|H0)" if futile else "")
    )
    for k in range(len(s.looks)):
        lines.append(
            f"{k + 1:>4}  {s.expected_information_fraction[k]:9.3f}  "
            f"{s.observed_information_fraction[k]:9.3f}  {s.look_months[k]:5.1f}  "
            f"{entered(s, k):10.1f}  "
            f"{s.efficacy_boundaries_z[k]:10.3f}  {s.nominal_p[k]:9.5f}  "
            f"{_z(s.futility_boundaries_z[k]):>10}  "
            f"{s.p_stop_efficacy[k]:6.3f}  "
            f"{s.p_stop_futility[k]:6.3f}  {s.p_stop_efficacy_h0[k]:9.4f}"
            + (f"  {s.p_stop_futility_h0[k]:9.4f}" if futile else "")
        )
    lines.append(LOOK_COLUMNS + "; " + boundary_columns(s))
    counted = counted_h1(s, design.decision.excludes_failed)
    lines.append(
        # a power of 1 (or 0) with its one-sided bound, not "(MC SE 0.000)"
        f"power {rate_text(s.power, s.mc_se, counted, digits=3)}; "
        "significant and favouring active "
        f"{s.power_favourable:.3f}; "
        f"type I error of the design {type_i_text(s)}{nonbinding_text(s)}; "
        f"failed fits {s.failed_fits} (effect), {s.failed_fits_h0} (no effect)"
    )
    lines.append(expected_text(s))
    lines += charter_lines(s)
    ended = information_stop_text(s)
    if ended:
        lines.append(ended)
    flag = sequential_type_i_flag(s)
    if flag:
        lines.append(f"type I error: {flag}")
    precision = "" if flag else type_i_precision_note(s)  # (a review: LIBERAL, then "too few")
    if precision:
        lines.append(precision)
    for note in (late_final_look_note(design, s.look_months[-1]), long_accrual_note(design)):
        if note:
            lines.append(note)
    unplanned = information_gap_note(design, s.observed_information_fraction[-1], s.analysis)
    if unplanned:
        lines.append(unplanned)
    return "\n".join(lines)


def charter_lines(s) -> list[str]:
    """What a DSMB charter needs beside the z boundaries: the planned maximum information,
    the boundaries on the estimate's scale (points/month) and, for beta-spending futility,
    the effect the boundaries were derived under (a DSMB statistician's review: none of
    these was printed). Empty for a summary without them."""
    i_max = getattr(s, "information_max", float("nan"))
    if i_max != i_max:  # NaN: the posterior rule at looks, or an older summary
        return []

    def values(xs) -> str:
        return ", ".join("-" if x is None else f"{x:.3f}" for x in xs)

    either = " (either direction)" if s.sides == 2 else ""
    moves = (
        "the decision is on the t statistic carried to z, so the estimate needed moves with "
        "the look's own SE and is a little higher at its df"
        if by_plan(s)
        else "each trial's boundaries move with the information it observed, 1/SE^2, and "
        "the decision is on the t statistic carried to z, so the estimate needed is a "
        "little higher at the look's df"
    )
    lines = [
        f"planned maximum information {i_max:.1f} (points/month)^-2 (SE of the final estimate "
        f"{i_max**-0.5:.4f} points/month); boundaries on the estimate's scale at each look's "
        f"planned information, points/month: efficacy{either} "
        f"{values(s.efficacy_boundaries_estimate)}"
        + (f"; futility {values(s.futility_boundaries_estimate)}" if has_futility(s) else "")
        + f" (z x the planned SE; {moves}: analyze --look gives it)"
    ]
    if s.futility_effect is not None:
        lines.append(
            f"futility boundaries (beta spending) derived under an effect of "
            f"{s.futility_effect:+.3f} points/month, the effect with power 1 - "
            f"interim.futility_beta at this n (as rpact does; the design's effect: "
            f"{s.true_effect:+.3f})"
        )
    return lines + early_stop_lines(s)


def early_stop_lines(s) -> list[str]:
    """What a trial stopped early for efficacy reports: an estimate at or beyond its look's
    boundary, above the design's effect when the boundary is, so the naive estimate of an
    early stop overstates the effect, and ``analyze --look`` gives its median-unbiased
    estimate (an HTA review: 20% of trials stopped at look 1, each with an estimate of at
    least 0.379 against a true 0.255 points/month, and no file said so). Empty without an
    interim efficacy boundary or a positive true effect."""
    bounds = getattr(s, "efficacy_boundaries_estimate", [])[:-1]
    first = next(((k, b) for k, b in enumerate(bounds) if b is not None), None)
    if first is None or not s.true_effect > 0:
        return []
    k, bound = first
    ratio = bound / s.true_effect
    than = (
        f"{ratio:.2f} times the design's effect of {s.true_effect:.3f}"
        if ratio > 1
        else f"against the design's effect of {s.true_effect:.3f}"
    )
    return [
        f"a trial that stops for efficacy at an interim look reports an estimate beyond that "
        f"look's boundary (look {k + 1}: about {bound:.3f} points/month at its planned "
        f"information, {than}; each trial's boundary moves with its own), so the "
        "naive estimate of a trial stopped early overstates the effect on average; analyze "
        "--look gives the median-unbiased estimate and the repeated confidence bound such a "
        "trial reports (Jennison & Turnbull 2000, ch. 8-9)"
    ]


def sequential_type_i_flag(s, level: float | None = None, posterior: bool = False) -> str:
    """'' unless the design's simulated type I error lies more than 3 MC SE above its level
    (``level``, default alpha: the rejections of both sides when two-sided; the posterior
    rule's is the one-sided ``alpha / sides``, with ``posterior``), as
    :func:`~designs.outputs.operating_tables.calibration_flag` says it. The error judged is
    the one with futility ignored, the level a non-binding design claims (a DSMB
    statistician's review: the flag was on the error with futility followed, which hid a
    LIBERAL 0.0294). Below its level is not flagged (a review found every futility design
    called "conservative")."""
    from designs.outputs.operating_tables import SEQUENTIAL_CAUSE, calibration_flag

    rate, _ = level_type_i(s)
    level = s.alpha if level is None else level
    # by plan no trial spends by its own information: the test alone (a diff review)
    cause = "the analysis's test on the early looks' data" if by_plan(s) else SEQUENTIAL_CAUSE
    flag = calibration_flag(
        rate, level, counted_h0(s), posterior=posterior, sequential=True, cause=cause
    )
    if not flag.startswith("LIBERAL"):
        return ""
    return ("with futility ignored (non-binding), " + flag) if has_futility(s) else flag


def has_futility(s) -> bool:
    """True when an interim look of the summary ``s`` has a futility rule: a boundary on the
    z scale, or under the posterior rule a predictive probability to stop below."""
    z = getattr(s, "futility_boundaries_z", None)
    if z is not None:
        return any(x is not None for x in z[:-1])
    return getattr(s, "futility_predictive", 0.0) > 0.0


def level_type_i(s) -> tuple[float, float]:
    """The type I error a looks summary's level is judged by, with its MC SE: with futility
    ignored (``type_i_error_nonbinding``) when it has futility boundaries, else (or where
    that was not kept) as simulated."""
    rate = getattr(s, "type_i_error_nonbinding", float("nan"))
    if not has_futility(s) or rate != rate:  # nothing ignored, or NaN: not kept (older)
        return s.type_i_error, getattr(s, "mc_se_type_i_error", float("nan"))
    return rate, s.mc_se_type_i_error_nonbinding


def nonbinding_row(r, s, ft: float, fse: float) -> list:
    """The type I error with the futility boundaries ignored (the level a non-binding
    design claims), as a row of the report's comparison of the fixed and interim designs
    (``r`` builds a row; ``ft``, ``fse``: the fixed design's type I error and its MC SE),
    when the interim design has futility."""
    if not has_futility(s):
        return []
    rate, se = level_type_i(s)
    label = "type I error with futility ignored (non-binding; MC SE)"
    return [r("type_i_error_nonbinding", label, ft, rate, 4, fse, se)]


def _ignored_rate(s) -> str:
    """The type I error with futility ignored as :func:`rate_text` writes it, '0.0294 (MC SE
    0.0012)', when the design has a futility rule (else '')."""
    return rate_text(*level_type_i(s), counted_h0(s)) if has_futility(s) else ""


def nonbinding_paren(s) -> str:
    """' (with futility ignored, the level a non-binding design claims: 0.0294, MC SE
    0.0012)' for running text, when the design has futility boundaries (else '')."""
    rate = _ignored_rate(s)
    if not rate:
        return ""
    inner = rate.replace(" (MC SE ", ", MC SE ").rstrip(")")
    return f" (with futility ignored, the level a non-binding design claims: {inner})"


def nonbinding_text(s) -> str:
    """'; with futility ignored (non-binding: the level the design claims) 0.0294 (MC SE
    0.0012)' when the design has futility boundaries (else '')."""
    rate = _ignored_rate(s)
    return (
        f"; with futility ignored (non-binding: the level the design claims) {rate}" if rate else ""
    )


def information_stop_text(s) -> str:
    """A line on the trials that ended at an interim look because its observed information
    had reached the planned maximum ('' when none did)."""
    pairs = zip(s.p_stop_information, s.p_stop_information_h0, strict=True)
    at = [
        f"look {k + 1}: {p1:.3f} under the effect, {p0:.3f} under no effect"
        for k, (p1, p0) in enumerate(pairs)
        if p1 > 0 or p0 > 0
    ]
    if not at:
        return ""
    return (
        "ended at an interim look whose observed information (1/SE^2) had reached the planned "
        f"maximum, so that look was the final analysis (all alpha spent, no rejection): "
        f"{'; '.join(at)}. These trials count as non-rejections and in the expected months at "
        "that look (docs/group_sequential.md)"
    )


def group_sequential_assurance_text(results, attrs=None) -> str:
    """What ``assurance`` prints for a design with interim looks (one line per transport),
    and with ``attrs`` (the posterior file's attributes) the posterior's provenance and
    what its fit says of itself (:mod:`designs.outputs.posterior_source`)."""
    r0 = results[0]
    if r0.rule == "posterior":
        fut = f"below {r0.futility_predictive:g}" if r0.futility_predictive else "none"
        rule = (
            f"posterior rule ({r0.prior} prior), thresholds "
            f"{', '.join(f'{t:g}' for t in r0.thresholds)}, predictive futility {fut}"
        )
    else:
        rule = (
            f"{spending_words(r0.spending)} alpha spending, futility {spending_words(r0.futility)}"
        )
    lines = [
        f"{r0.analysis}: {len(r0.looks)} looks at information "
        f"{', '.join(f'{x:g}' for x in r0.looks)} (months "
        f"{', '.join(f'{m:.1f}' for m in r0.look_months)}), {rule}; {r0.trials} trials, seed "
        f"{r0.seed}, {r0.posterior_draws} posterior draws, P(effect > 0) "
        f"{r0.p_effect_positive:.3f}"
    ]
    for r in results:
        # success by look adds up to the assurance; stops for efficacy also count crossings
        # towards harm, when a two-sided test has them (a consistency review)
        stops = ", ".join(f"{p:.3f}" for p in r.p_success)
        if any(not math.isclose(a, b) for a, b in zip(r.p_stop_efficacy, r.p_success, strict=True)):
            stops += "; P(stop for efficacy, either direction) by look " + ", ".join(
                f"{p:.3f}" for p in r.p_stop_efficacy
            )
        if r.futility_predictive:  # the posterior rule's predictive futility
            stops += "; for futility " + ", ".join(f"{p:.3f}" for p in r.p_stop_futility)
        lines.append(
            f"{r.transport} transport: assurance (success at any look) "
            f"{rate_text(r.assurance, r.mc_se, r.trials, 3)}; P(success) by look "
            f"{stops}; "
            f"expected patients randomised {r.expected_n_total:.1f} of {r.n_total}; expected "
            f"months {r.expected_months:.1f} of {r.fixed_months:.1f}"
        )
    if attrs is not None:
        from designs.outputs.posterior_source import posterior_sentences

        lines.append(f"phase 2 posterior {posterior_sentences(attrs)}")
    return "\n".join(lines)


def posterior_rule_cases_text(cases: dict) -> str:
    """The line ``assurance`` prints under the posterior rule (with or without looks): the
    optimistic case (the phase 2 posterior generates and analyses) beside the sceptical one."""
    o, s = cases["optimistic"], cases["sceptical"]
    return (
        f"posterior rule, effects drawn from phase 2: assurance "
        f"{rate_text(o.assurance, o.mc_se, o.trials, 3)} when the same phase 2 posterior "
        "also analyses (optimistic), "
        f"{rate_text(s.assurance, s.mc_se, s.trials, 3)} with the sceptical prior"
    )


def spending_words(spending: str) -> str:
    """'O'Brien-Fleming-type (obf)' from a summary's short name ('hsd:-4' keeps its gamma;
    :data:`designs.sequential.spending.FAMILY_WORDS`)."""
    from designs.sequential.spending import FAMILY_WORDS

    name = str(spending).split("(", 1)[0].split(":", 1)[0].strip()
    words = FAMILY_WORDS.get(name)
    return f"{words} ({spending})" if words else str(spending)


def expected_text(s) -> str:
    """The expected patients and months of a looks summary (this rule's or the posterior
    rule's) under the effect and under no effect, with what they assume and, under
    screening, the candidates to screen."""
    return (
        f"expected patients randomised {s.expected_n_total:.1f} under the effect "
        f"({s.true_effect:+.3f} points/month), {s.expected_n_total_h0:.1f} under no effect, "
        f"of {s.n_total}; expected months {s.expected_months:.1f} and "
        f"{s.expected_months_h0:.1f}, of {s.fixed_months:.1f} if it runs to its final look "
        f"({DATA_CUT}){screened_text(s)}"
    )


def screened_text(s) -> str:
    """'; 1.37 candidates screened per patient randomised, so about 389 screened under the
    effect and 409 under no effect' of
    a looks summary under screening (else ''): the candidates to budget for (an economist's
    review: the fixed design's count went missing with looks)."""
    per = getattr(s, "screened_per_enrolled", 1.0)
    if not per > 1.0:
        return ""
    return (
        f"; {per:.2f} candidates screened per patient randomised, so about "
        f"{per * s.expected_n_total:.0f} screened under the effect and "
        f"{per * s.expected_n_total_h0:.0f} under no effect"
    )
