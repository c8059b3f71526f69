"""The operating characteristics and the realism sensitivity of a design as Markdown tables,
and the flag that judges a simulated type I error against its level."""

from __future__ import annotations

import math

from designs import __version__
from designs.outputs.numbers import rate_se, se_text
from designs.outputs.rates import rate_cell
from designs.outputs.scope import scope_sentence
from designs.outputs.tables import failed_fits_note, posterior_rule_text, type_i_target
from designs.planning.operating import realism_null_trials


def realism_items(design, *, death: bool = True, lead_in: bool = True) -> list[str]:
    """The ALS-realism options the design switches on, each in a few words (``death``: with
    the death hazard; ``lead_in``: with the lead-in)."""
    d = design.dropout
    on = []
    if d.informative:
        on.append(f"informative dropout ({d.informative:g} per point/month)")
    if death and d.death_monthly_hazard:
        on.append(f"death hazard {d.death_monthly_hazard:g}/month")
    if d.death_informative:
        on.append(f"informative death ({d.death_informative:g} per point/month)")
    if design.population.curvature:
        on.append(f"curved decline (curvature {design.population.curvature:g})")
    if lead_in and design.trial.lead_in_months:
        on.append(f"{design.trial.lead_in_months:g}-month lead-in")
    e = design.enrichment
    if e.screens_delta_fs:
        on.append(f"delta-FS enrichment ({e.delta_fs_min:g}-{e.delta_fs_max:g}/month)")
    if e.screens_lead_in:
        on.append(
            f"lead-in decline enrichment ({e.lead_in_decline_min:g}-"
            f"{e.lead_in_decline_max:g} points)"
        )
    return on


def realism_switches(design) -> str:
    """One sentence saying which of the ALS-realism options the design switches on."""
    on = realism_items(design)
    if not on:
        return (
            "ALS-realism options switched on: none (dropout missing completely at random, "
            "no separate death hazard, linear decline, no lead-in, no enrichment)."
        )
    return "ALS-realism options switched on: " + "; ".join(on) + "."


#: The source of the curved decline's shape (docs/references.md, entry 14).
GORDON_2010 = (
    "Gordon PH, Cheng B, Salachas F, et al. (2010). Progression in ALS is not linear but is "
    "curvilinear. *Journal of Neurology* 257(10):1713-1717. doi:10.1007/s00415-010-5609-1"
)

#: Why the curved-decline rows of the realism sensitivity stay close to "as designed".
CURVED_DECLINE_NOTE = (
    "Curved decline: the curvature term is the same in both arms and zero at month 0 and at "
    "the last visit, so the treatment difference in slope is unchanged; power moves only "
    "through the added departure from a straight line (and who leaves before the curve "
    "turns), which is why these rows can equal 'as designed' to the digits shown. The shape, "
    "fastest at the window's start and end, is assumed: Gordon et al. (2010) found decline "
    "curvilinear, fastest early and late over the whole illness, not within a trial's window."
)


#: Footnote of a bias flagged by :func:`bias_flag`.
BIAS_NOTE = (
    "(*) bias more than 3 Monte Carlo SE from 0, so not simulation noise: likely from the "
    "floor and ceiling of the 0-48 scale with integer scores, completers' selection "
    "(ancova_change), informative dropout and death, or (under a time course of the effect) "
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


def informative_note(design) -> str:
    """What "c per point/month" of an informative exit means (a protocol writer's review: the
    rows gave the unit without defining it), as the methods text defines it."""
    kept = (
        "the candidates' overall rate (before lead-in screening)"
        if design.enrichment.screens_lead_in
        else "the placebo arm's overall rate"
    )
    return (
        "Informative dropout or death, c per point/month: the hazard of leaving (or of dying) "
        "is multiplied by exp(c x (mean slope - own slope)), slopes in points/month, so at "
        "c = 1 a patient declining 1 point/month faster than the mean leaves 2.72 times as "
        f"often; {kept} stays at its nominal value."
    )


def _failed_cell(row) -> str:
    """'; 246 of 500 fits failed' beside a row's power where any fit failed (they count as
    failures to reject, or are left out: the caption says which); '' otherwise."""
    failed = row.get("failed_fits", 0)
    return f"; {failed:,} of {row['trials']:,} fits failed" if failed else ""


def realism_sensitivity_md(rows: list[dict], design, n: int, trials: int, seed: int) -> str:
    """The sensitivity rows as a Markdown table with a caption."""
    lines = [
        f"{scope_sentence()}Power (favourable) at n = {n} under assumptions that are not "
        f"published; {trials} "
        f"simulated trials per row, seed {seed}, common random numbers across rows; each "
        "power the plain share of its trials (no control variate: it holds only where exits "
        "do not depend on the scores), so the rows compare with each other on the same "
        "patients, and the first can differ from the power above within its MC SE. A "
        "difference between two rows is less noisy than their MC SEs suggest, not free of "
        "noise: its SE is not given here, and a difference of a few points at a few hundred "
        "trials can be noise (an ADEMP review: at 500 trials per row, as designed against "
        "informative dropout 1 differed by -0.024 in one report and by -0.004 on average over "
        "30 seeds, SE 0.002); rerun with more trials before reading one. "
        + failed_fits_note(design),
        realism_switches(design),
        f"Only {rows[0]['analysis']} is the trial's "
        + (
            f"analysis (success: {posterior_rule_text(design)})"
            if design.decision.is_posterior
            else "test at its alpha"
        )
        + (
            "; the other analyses are shown for comparison, with no multiplicity correction."
            if len({r["analysis"] for r in rows}) > 1
            else "."  # (a report review: "the other analyses" where none was shown)
        ),
    ]
    type1 = any(math.isfinite(r.get("type_i_error", math.nan)) for r in rows)
    null = realism_null_trials(design, trials)
    if type1:  # the posterior rule (a Bayesian SAP review: its level moves with the scenario)
        lines.append(_realism_type1_note(design, null))
    lines += [
        "",
        "| scenario | analysis | power (MC SE) | "
        + ("type I error (MC SE) | " if type1 else "")
        + "bias | dropped out, placebo / active | died, placebo / active |",
        "|---|---|---|---|---|---|" + ("---|" if type1 else ""),
    ]
    for r in rows:
        bias = "n/a" if math.isnan(r["bias"]) else f"{r['bias']:+.4f} {r['units']}"
        bias += " (*)" if bias_flag(r) else ""  # the note below says why
        level = _realism_type1_cell(r, design, null) if type1 else ""
        lines.append(
            f"| {r['scenario']} | {r['analysis']} | "
            f"{rate_se(r['power_favourable'], r['mc_se'])}{_failed_cell(r)} | {level}{bias} | "
            f"{r['dropout_placebo']:.1%} / {r['dropout_active']:.1%} | "
            f"{r['death_placebo']:.1%} / {r['death_active']:.1%} |"
        )
    if any(bias_flag(r) for r in rows):
        lines += ["", BIAS_NOTE]
    if any("per point/month" in r["scenario"] for r in rows):
        lines += ["", informative_note(design)]
    if any(r["scenario"].startswith("curved decline") for r in rows):
        lines += ["", CURVED_DECLINE_NOTE, "", f"Reference: {GORDON_2010}"]
    return "\n".join(lines) + "\n"


def _realism_type1_cell(r: dict, design, null: int) -> str:
    """A row's type I error with its MC SE, and LIBERAL where it is above the one-sided
    level by more than 3 MC SE (as the operating characteristics flag it)."""
    level = design.trial.alpha / design.trial.sides
    liberal = calibration_flag(r["type_i_error"], level, null, posterior=True)
    flag = "; LIBERAL" if liberal.startswith("LIBERAL") else ""
    return f"{rate_cell(r['type_i_error'], r['type_i_mc_se'], null)}{flag} | "


def _realism_type1_note(design, trials: int) -> str:
    """What the realism table's type I errors are: the rule's successes on the same trials
    with no effect for any patient, per scenario (a scenario of the effect's time course
    has the design's own null trials)."""
    level = design.trial.alpha / design.trial.sides
    return (
        f"Type I error: the posterior rule's successes on {trials:,} trials per row with no "
        "effect for any patient (the same seed: in the first row the operating "
        "characteristics' trials, counted here without their control variate), against the "
        f"one-sided level {level:g}, LIBERAL where above it by more than 3 MC SE: the "
        "information a scenario leaves can move how far the prior carries the rule (the "
        "test's level does not move, both arms being alike under no effect); the rows with a "
        "time course of the effect have the design's own trials with no effect."
    )


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
                "do not plan on this rule without a calibrated threshold (simulate.py calibrate)"
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
        cells.append(rate_cell(r["power_favourable"], r["mc_se"], r["trials"], 3))
        if twin:
            cells.append(rate_cell(r["test_power_favourable"], r["test_mc_se"], r["trials"], 3))
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
        + _plain_rows_clause(rows_in, rows)
        + ":"
    )
    return header, rows, caption


def _plain_rows_clause(rows_in, rows) -> str:
    """Where some rows took the control variate and others are plain shares (too few trials,
    or an oracle's rarer side too small, near power 0 or 1): which are which (a consistency
    review: rows at 0.988 = 494/500 stood under a note saying "with a control variate")."""
    kinds = {r.get("estimator") for r in rows_in}
    if kinds != {"control variate", "plain"}:
        return ""
    plain = [row[0] for r, row in zip(rows_in, rows, strict=True) if r["estimator"] == "plain"]
    return (
        "; rates with the control variate except at "
        + ", ".join(plain)
        + ": plain shares of trials (too few trials, or too few on one side of the oracle "
        "test, for the control)"
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
        "\\usepackage{booktabs}",
        label="tab:operating-characteristics",
        column_format="lp{0.6\\linewidth}",  # the values are phrases: they wrap
    ) + _effect_table_tex(oc, design)


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


def operating_rows(oc: dict, design) -> list[tuple[str, str]]:
    """The table's rows, (characteristic, value) as plain text."""
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
        ("minimal detectable effect (80% power)", mde_text),
        (
            "mean estimate (bias)",
            f"{oc['mean_estimate']:+.4f} "
            f"({'n/a: no true value' if math.isnan(oc['bias']) else format(oc['bias'], '+.4f')})"
            f"{bias_flag(oc)}",
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
            + f"{oc['accrual_months']:.1f} accrual at {design.trial.accrual_per_month:g}/month"
            f" + {oc['follow_up_months']:g} follow-up",
        ),
    ]
    return rows


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
