"""The operating characteristics of a design as Markdown and LaTeX tables, the flag that
judges a simulated type I error against its level, and the flag of a bias beyond Monte Carlo
error (the realism sensitivity's table: :mod:`designs.outputs.realism_table`)."""

from __future__ import annotations

import math

from designs import __version__
from designs.outputs.calendar import accrual_words
from designs.outputs.numbers import se_text
from designs.outputs.rates import rate_cell, rate_text
from designs.outputs.scope import scope_sentence
from designs.outputs.tables import failed_fits_note, posterior_rule_text, type_i_target
from designs.program import program_name

#: Footnote of a bias flagged by :func:`bias_flag`.
BIAS_NOTE = (
    "(*) bias more than 3 Monte Carlo SE from 0, so not simulation noise: likely from the "
    "floor and ceiling of the 0-48 scale with integer scores, informative dropout and death "
    "(and with them completers' selection, ancova_change), or (under a time course of the effect) "
    "a straight line fitted to a bent difference, whose true value is the mean effect over "
    "the follow-up."
)


def bias_flag(row: dict) -> str:
    """'' unless the row's bias is more than 3 Monte Carlo SE (``bias_mc_se``) from 0; then a
    short flag naming how many SE."""
    bias, se = row.get("bias", math.nan), row.get("bias_mc_se", math.nan)
    if not (math.isfinite(bias) and math.isfinite(se) and se > 0) or abs(bias) <= 3 * se:
        return ""
    return f"; {abs(bias) / se:.1f} MC SE from 0 (*)"


#: What can put a group-sequential design above its level (docs/group_sequential.md); under
#: ``interim.information = "planned"`` the test alone (:func:`sequential_remedy`).
SEQUENTIAL_CAUSE = (
    "alpha spent by each trial's observed information, the analysis's test on the early looks' data"
)


def sequential_remedy(cause: str = SEQUENTIAL_CAUSE) -> str:
    """The remedy a liberal group-sequential design is given (an independent review measured
    0.0272 for a 3-look Pocock-type design at one-sided 0.025 on the default design)."""
    return (
        f"the looks do not keep the level at this size ({cause}: docs/group_sequential.md); "
        "confirm it with more trials, and plan with a lower alpha or more patients if it stays"
    )


def _three_se(se: float, trials: int) -> str:
    """The flag's margin in words: 3 Monte Carlo SE of a plain count at alpha, which is not
    the SE printed beside an estimate with a control variate (a review: "3 Monte Carlo SE
    (0.0045)" beside an MC SE of 0.0013)."""
    return (
        f"3 Monte Carlo SE ({3 * se:.4f}: 3 x sqrt(alpha (1 - alpha) / {trials:,}), the SE of a "
        "plain count of these trials at alpha)"
    )


def calibration_flag(
    type_i_error: float,
    alpha: float,
    trials: int,
    *,
    posterior: bool = False,
    sequential: bool = False,
    cause: str = SEQUENTIAL_CAUSE,
) -> str:
    """'' when the simulated type I error is within 3 Monte Carlo SE of ``alpha`` (SE under
    the null, ``sqrt(alpha (1 - alpha) / trials)``); otherwise a warning naming the test as
    liberal or conservative at this design (``posterior``: the posterior rule, whose remedy
    is a calibrated threshold; ``sequential``: a design with interim looks, liberal by
    ``cause``)."""
    se = math.sqrt(alpha * (1 - alpha) / trials)
    # the posterior rule is read against the one-sided level (a Bayesian review: "alpha
    # 0.025" beside a design of alpha 0.05 two-sided)
    level = f"the one-sided level {alpha:g}" if posterior else f"alpha {alpha:g}"
    if type_i_error > alpha + 3 * se:
        if posterior:
            remedy = (
                "do not plan on this rule without a calibrated threshold "
                f"({program_name()} calibrate)"
            )
        elif sequential:
            remedy = sequential_remedy(cause)
        else:
            remedy = "do not plan on this test at this size without a small-sample correction"
        return f"LIBERAL: above {level} by more than {_three_se(se, trials)}; " + remedy
    if type_i_error < alpha - 3 * se:
        # a Bayesian review: a threshold calibrated at 100 per arm, used at 198, held the
        # level at 0.019 and cost about 13 patients per arm
        recalibrate = (
            # a statement, not a question, in paste-ready text (a protocol writer's review);
            # the cause may be the threshold or the prior, so neither is asserted
            "; a threshold calibrated to the level at this size would hold it with more power"
            if posterior
            else ""
        )
        return (
            f"conservative: below {level} by more than {_three_se(se, trials)}; power "
            f"is lost to it{recalibrate}"
        )
    return ""


def operating_characteristics_md(oc: dict, design, cautions=()) -> str:
    """The operating characteristics as a Markdown table with its notes below, then the
    success rate against the true effect (:func:`effect_table`); ``cautions`` (sentences on
    the n they stand on: :func:`designs.outputs.report_cautions.chosen_cautions`) first, in
    bold."""
    scope = scope_sentence()  # in a report with looks: the fixed design's table
    lines = [scope.strip(), ""] if scope else []
    for caution in cautions:
        lines += [f"**{caution}**", ""]
    lines += ["| characteristic | value |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in operating_rows(oc, design)]
    for note in operating_notes(oc, design):
        lines += ["", note]
    header, rows, caption = effect_table(oc, design)
    if rows:
        lines += ["", caption, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def effect_table(oc: dict, design) -> tuple[list[str], list[list[str]], str]:
    """The favourable rate at n against the true effect (effect 0 first: the type I error in
    the direction of benefit), under the posterior rule beside the analysis's one-sided test
    at the rule's level on the same trials: (header, rows, caption); no rows for an operating
    characteristics file written before ``power_by_effect`` was kept."""
    rows_in = oc.get("power_by_effect") or []
    twin = bool(rows_in) and "test_power_favourable" in rows_in[0]
    level = type_i_target(design)
    proportional = oc["effect_kind"] == "proportional_slowing"
    rate = "success of the posterior rule" if twin else "power (significant, favouring active)"
    # in points/month already, the effect needs no second column (an own-design review)
    header = ["true effect", "points/month"] if proportional else ["true effect (points/month)"]
    if _bends(design):  # the full effect, not the mean the methods call true
        header[0] = header[0].replace("true effect", "effect at full strength")
    header.append(f"{rate} (MC SE)")
    if twin:
        header.append(f"one-sided test at {level:g}, same trials (MC SE)")
    rows = []
    for r in rows_in:
        e = r["effect"]
        label = f"{100 * e:.4g}% slowing" if proportional else f"{e:+.3f}"
        if proportional and design.enrichment.active:  # not the admitted patients' decline
            label += " of the candidates' decline"
        label += " (design)" if math.isclose(e, oc["effect"]) else ""
        cells = [label, f"{r['effect_points_per_month']:+.3f}"] if proportional else [label]
        # a rate of 0 or 1 gives its one-sided 95% bound in place of an SE of 0 (a review)
        # the type I error row with 4 decimals, as everywhere else (a paste-ready review:
        # "0.025 (0.00041)" rounded away whether 0.02517 is above the level)
        d = 4 if e == 0 else 3
        cells.append(rate_cell(r["power_favourable"], r["mc_se"], r["trials"], d))
        if twin:
            cells.append(rate_cell(r["test_power_favourable"], r["test_mc_se"], r["trials"], d))
        rows.append(cells)
    size = f"{oc['n_per_arm']} per arm" if oc["n_per_arm"] else f"{oc['n_total']} in total"
    caption = (
        f"Against the true effect, at n = {size} ({oc['analysis']}; at effect 0 the rate is "
        "the type I error in the direction of benefit, on its own trials"
        + (
            "; beside it the analysis's one-sided test at the rule's level on the same "
            "trials: where the rule succeeds more often at every effect, effect 0 included, "
            "what it gains is paid for in type I error)"
            if twin
            else ")"
        )
        + _course_clause(design)
        + _plain_rows_clause(rows_in, rows)
        + ":"
    )
    return header, rows, caption


def _bends(design) -> bool:
    """Whether the effect is other than full from randomisation to the last visit (its time
    course bends within the follow-up): the table's header and caption say so."""
    return not design.effect.full_within(design.trial.duration_months)


def _course_clause(design) -> str:
    """Under a time course: that each row's effect acts with it, so that the value an
    analysis targets is smaller (an effect-translation review: this table's "true effect"
    was the full effect where the methods called its mean over the follow-up true)."""
    e = design.effect
    if not _bends(design):  # (a diff review: waning after the end)
        return ""
    return (
        f"; each effect at full strength, acting with the design's time course ({e.course_text()}"
        "): its mean over the follow-up, about what a slope analysis estimates, is smaller"
    )


def _plain_rows_clause(rows_in, rows) -> str:
    """Where some rows took the control variate and others are plain shares (too few trials,
    or an oracle's rarer side too small, near power 0 or 1): which are which (a consistency
    review: rows at 0.988 = 494/500 stood under a note saying "with a control variate")."""
    kinds = {r.get("estimator") for r in rows_in}
    if kinds != {"control variate", "plain"}:
        return ""
    plain = [row[0] for r, row in zip(rows_in, rows, strict=True) if r["estimator"] == "plain"]
    control = [row[0] for r, row in zip(rows_in, rows, strict=True) if r["estimator"] != "plain"]
    why = "too few trials, or too few on one side of the oracle test, for the control"
    if len(plain) > len(control):  # the shorter list named (an HTA review: every effect but 0)
        return (
            f"; rates as plain shares of trials ({why}) except at "
            + ", ".join(control)
            + ": with the control variate"
        )
    return (
        "; rates with the control variate except at "
        + ", ".join(plain)
        + f": plain shares of trials ({why})"
    )


def operating_characteristics_tex(oc: dict, design, cautions=()) -> str:
    """The same table as booktabs LaTeX (``\\usepackage{booktabs}``), its notes below it
    (``cautions`` first)."""
    import pandas as pd

    from designs.outputs.latex import booktabs_table

    frame = pd.DataFrame(operating_rows(oc, design), columns=["characteristic", "value"])
    notes = [*cautions, *operating_notes(oc, design)]
    notes = [n if n.endswith(".") else f"{n}." for n in notes]
    return booktabs_table(
        frame,
        caption=f"{scope_sentence()}Operating characteristics: "
        f"{' '.join(design.trial.name.split())}",
        notes=" ".join(notes),
        comment=f"operating characteristics, als-trial-sim {__version__}, seed {oc['seed']}; needs "
        "\\usepackage{booktabs,array}",
        label="tab:operating-characteristics",
        # both columns wrap: "l" plus 0.6 of the line ran 90 pt past an A4 page (a paste-ready
        # review); 0.3 + 0.6 of the line and four column gaps fit
        # ragged right (the array package): justified words stretched across a narrow column
        column_format=RAGGED + "p{0.3\\linewidth}" + RAGGED + "p{0.6\\linewidth}",
    ) + _effect_table_tex(oc, design)


#: A LaTeX column of ragged-right text (``\\usepackage{array}``).
RAGGED = ">{\\raggedright\\arraybackslash}"


def _effect_table_tex(oc: dict, design) -> str:
    """The table against the true effect as a second booktabs float ('' without rows)."""
    import pandas as pd

    from designs.outputs.latex import booktabs_table

    header, rows, caption = effect_table(oc, design)
    if not rows:
        return ""
    return "\n" + booktabs_table(
        pd.DataFrame(rows, columns=header),
        caption=caption.rstrip(":"),
        notes=f"{oc['trials']:,} simulated trials per effect, "
        f"{oc['type_i_error_trials']:,} at effect 0, seed {oc['seed']}.",
        comment="operating characteristics against the true effect",
        label="tab:operating-characteristics-effects",
        # the rates' long headers wrap (a review: four right-aligned columns would run past
        # the page)
        column_format="l"
        + "r" * (header[1] == "points/month")
        + "p{0.25\\linewidth}" * (len(header) - 1 - (header[1] == "points/month")),
    )


def _mde_se_text(oc: dict, slowing: bool) -> str:
    """' (MC SE at most about 0.9 percentage points)' or ' (... 0.004 points/month)' of the
    smallest effect with 80% power (a paste-ready review: "25.1%" read as a finding; an upper
    estimate, as the effects share their trials: designs.planning.probit.
    shared_trials_crossing_se); '' for a file written before it was kept."""
    se = oc.get("minimal_detectable_effect_80_mc_se", math.nan)
    if not math.isfinite(se):
        return ""
    if slowing:
        return f" (MC SE at most about {100 * se:.2g} percentage points)"
    return f" (MC SE at most about {se:.2g} points/month)"


def operating_rows(oc: dict, design) -> list[tuple[str, str]]:
    """The table's rows, (characteristic, value) as plain text."""
    from designs.analyses import registry

    slowing = oc["effect_kind"] == "proportional_slowing"
    # under screening a fraction of the candidates' decline, not the admitted patients' (a
    # consistency review: "25% slowing of the decline (+0.255)", 30% of the admitted's)
    whose = "the candidates' decline" if design.enrichment.active else "the decline"
    e = design.effect  # its time course too (a time-course review)
    course = f", {e.course_text()}" if e.has_time_course else ""

    def effect(value: float, points: float) -> str:
        # a paste-ready review: "effect 0.25 fraction = +0.125 points/month"
        if slowing:
            return f"a {100 * value:.3g}% slowing of {whose} ({points:+.3f} points/month){course}"
        return f"{points:+.3f} points/month{course}"

    mde = oc["minimal_detectable_effect_80"]
    mde_text = (
        "not within the simulated range"
        if math.isnan(mde)
        else effect(mde, oc["minimal_detectable_effect_80_points_per_month"])
        + _mde_se_text(oc, slowing)
    )
    size = f"{oc['n_per_arm']} per arm" if oc["n_per_arm"] else f"{oc['n_total']} in total"
    target = type_i_target(design)
    flag = calibration_flag(
        oc["type_i_error"],
        target,
        oc["type_i_error_trials"],
        posterior=design.decision.is_posterior,
    )
    flag = f"; {flag}" if flag else ""
    rows = [
        ("patients randomised", f"{size}: {oc['n_placebo']} placebo + {oc['n_active']} active"),
        (
            "type I error (effect 0, same dropout)",
            f"{oc['type_i_error']:.4f} (MC SE {se_text(oc['type_i_error_mc_se'])}, "
            f"{oc['type_i_error_trials']:,} trials; nominal {target:g}){flag}",
        ),
        (
            "power at the design effect (favourable)",
            f"{oc['power_favourable']:.3f} (MC SE {se_text(oc['power_mc_se'])}, "
            f"{oc['trials']:,} trials at this n); effect "
            + effect(oc["effect"], oc["effect_points_per_month"]),
        ),
        # a plain-language review: "minimal detectable" reads as "smaller effects cannot be
        # detected"; it is the smallest effect this trial has an 80% chance to show
        ("smallest effect with 80% power (minimal detectable effect)", mde_text),
        (
            "mean estimate (bias, its MC SE)",
            # in the analysis's units (a CAFS review: joint_rank's +0.049, a probability,
            # stood unlabelled among points/month)
            f"{oc['mean_estimate']:+.4f} {registry.get(oc['analysis']).units} ("
            + (
                "n/a: no true value"
                if math.isnan(oc["bias"])
                else f"{oc['bias']:+.4f}, MC SE {se_text(oc['bias_mc_se'])}"
            )
            + f"){bias_flag(oc)}",
        ),
        (
            "95% confidence intervals holding the true value",
            "n/a: no true value"
            if math.isnan(oc.get("coverage", math.nan))
            else rate_text(oc["coverage"], oc["coverage_mc_se"], oc.get("coverage_trials", 0), 3),
        ),
        (
            "expected completers (both arms)",
            f"{oc['expected_completers']:.1f} (over these {oc['trials']:,} trials; the "
            "sample-size table's figure rests on its own)",
        ),
        ("expected dropouts (deaths not counted)", f"{oc['expected_dropouts']:.1f}"),
        ("expected deaths", f"{oc['expected_deaths']:.1f}"),
        (
            "calendar length",
            f"{oc['calendar_months']:.1f} months = "
            + (f"{oc['lead_in_months']:g} lead-in + " if oc.get("lead_in_months") else "")
            + f"{oc['accrual_months']:.1f} accrual "
            f"{accrual_words(design, oc['accrual_months'])} + {oc['follow_up_months']:g} "
            "follow-up",
        ),
        _visits_row(oc, design),
        *_screened_row(oc, design),
    ]
    return rows


def _visits_row(oc: dict, design) -> tuple[str, str]:
    """The visits the patients randomised are expected to attend from month 0 (an HTA
    review: visits drive a trial's cost, and no output gave them): each scheduled visit
    times the chance that a patient has not left or died by it, at the design's exit rates
    (informative exits move these between the arms)."""
    visits = design.trial.visits
    stay = 1.0 - design.dropout.cumulative_at(visits, include_death=True)
    per_patient = float(stay.sum())
    n = oc["n_placebo"] + oc["n_active"]
    moved = "; informative exits move it" if design.dropout.exits_informative else ""
    return (
        "expected visits from month 0 (both arms)",
        f"{n * per_patient:,.0f} ({per_patient:.2f} of the {visits.size} scheduled visits per "
        f"patient randomised, at the design's exit rates{moved})",
    )


def _screened_row(oc: dict, design) -> list[tuple[str, str]]:
    """Under delta-FS screening, the candidates to screen for these patients: their number
    over the share the rule admits (an HTA review: the table gave patients and months, not
    the candidates a budget pays to screen). Lead-in screening has no closed form: its
    simulated ratio is in the sample-size table."""
    en = design.enrichment
    if not en.screens_delta_fs_alone:
        return []
    admitted = en.delta_fs_admit_probability(design.population)
    n = oc["n_placebo"] + oc["n_active"]
    return [
        (
            "candidates to screen (expected)",
            f"{math.ceil(n / admitted - 1e-9):,} ({1 / admitted:.3f} per patient randomised: "
            f"the delta-FS rule admits {admitted:.1%}; the design's screening criterion only)",
        )
    ]


def operating_notes(oc: dict, design) -> list[str]:
    """The paragraphs below the table: how it was simulated, then the flags' notes."""
    rule = (
        f"success: {posterior_rule_text(design)}"
        if design.decision.is_posterior
        else f"alpha {design.trial.alpha:g} {'two' if design.trial.sides == 2 else 'one'}-sided"
    )
    from designs.planning.operating import TYPE_I_MC_SE

    null = oc.get("type_i_error_trials", 0)
    notes = [
        f"{oc['analysis']}, {rule}; {oc['trials']} simulated trials "
        f"per point, seed {oc['seed']}, failed fits {oc['failed_fits']} "
        f"({failed_fits_note(design)[:-1].lower()}), als-trial-sim {__version__}"
        # the odd count explained (a protocol writer's review: 21,112 and 10,834 were not)
        + (
            f"; the type I error on {null:,} trials under no effect, the number that gives it "
            f"a Monte Carlo SE of {TYPE_I_MC_SE:g} at its nominal rate"
            if null > oc["trials"]
            else ""
        )
    ]
    if bias_flag(oc):
        notes.append(BIAS_NOTE)
    used = [
        name
        for name, key in (("power", "estimator"), ("the type I error", "type_i_error_estimator"))
        if oc.get(key) == "control variate"
    ]
    if used:  # a pipeline author's review: "Power with a control variate" over plain power
        from designs.outputs.rates import estimator_note

        what = " and ".join(used)
        notes.append(estimator_note("control variate", what=what[0].upper() + what[1:]))
    return notes
