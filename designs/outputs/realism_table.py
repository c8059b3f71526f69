"""The realism sensitivity of a design (power and bias under assumptions that are not
published) as a Markdown table with its caption and notes, and the ALS-realism options a
design switches on, in words (moved out of :mod:`designs.outputs.operating_tables`)."""

from __future__ import annotations

import math

from designs.outputs.numbers import rate_se
from designs.outputs.operating_tables import BIAS_NOTE, bias_flag, calibration_flag
from designs.outputs.rates import rate_cell
from designs.outputs.scope import scope_sentence
from designs.outputs.tables import failed_fits_note, posterior_rule_text
from designs.planning.operating import realism_null_trials


def realism_items(design, *, death: bool = True, lead_in: bool = True) -> list[str]:
    """The ALS-realism options the design switches on, each in a few words (``death``: with
    the death hazard; ``lead_in``: with the lead-in)."""
    d = design.dropout
    dropout_c, death_c = d.acting_informative  # 0 without exits of their kind to move
    on = []
    if dropout_c:
        on.append(f"informative dropout ({dropout_c:g} per point/month)")
    if death and d.death_monthly_hazard:
        on.append(f"death hazard {d.death_monthly_hazard:g}/month")
    if death_c:
        on.append(f"informative death ({death_c:g} per point/month)")
    if design.population.curvature:
        on.append(f"curved decline (curvature {design.population.curvature:g})")
    if lead_in and design.trial.lead_in_months:
        on.append(f"{design.trial.lead_in_months:g}-month lead-in")
    e = design.enrichment
    if e.screens_delta_fs:
        on.append(f"delta-FS enrichment ({e.delta_fs_min:g}-{e.delta_fs_max:g} points/month)")
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
    "curvilinear, fastest early and late over the whole illness, not within a trial's window. "
    "Decline that accelerates throughout the trial, or whose curve differs between patients "
    "(Thakore et al. 2018), is not simulated: these rows do not show robustness to it."
)


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
        "30 seeds, SE 0.002); rerun with more trials before reading one. Bias: the mean "
        "estimate minus the true value of the analysis' estimand in that scenario (under a "
        "time course of the effect, for a slope analysis the mean effect over the follow-up, "
        "the points gained by the last visit over its month, not the design's full effect; "
        "a straight line fitted to the bent difference estimates it only approximately, and "
        "the bias shows by how much). " + failed_fits_note(design),
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
    if not design.dropout.has_other_exits:  # (a diff review: left out without a word)
        lines.append(
            "No informative-dropout rows: the design has no dropout for them to act on "
            "(only deaths, if any, leave before the last visit)."
        )
    type1 = any(math.isfinite(r.get("type_i_error", math.nan)) for r in rows)
    null = realism_null_trials(design, trials)
    if type1:  # the posterior rule (a Bayesian SAP review: its level moves with the scenario)
        lines.append(_realism_type1_note(design, null))
    lines += [
        "",
        "| scenario | analysis | power (MC SE) | "
        + ("type I error (MC SE) | " if type1 else "")
        + "bias | true value | dropped out, placebo / active | died, placebo / active |",
        "|---|---|---|---|---|---|---|" + ("---|" if type1 else ""),
    ]
    for r in rows:
        bias = "n/a" if math.isnan(r["bias"]) else f"{r['bias']:+.4f} {r['units']}"
        bias += " (*)" if bias_flag(r) else ""  # the note below says why
        level = _realism_type1_cell(r, design, null) if type1 else ""
        true = r.get("true_effect", math.nan)
        true = "n/a" if math.isnan(true) else f"{true:+.4f} {r['units']}"
        lines.append(
            f"| {r['scenario']} | {r['analysis']} | "
            f"{rate_se(r['power_favourable'], r['mc_se'])}{_failed_cell(r)} | {level}{bias} | "
            f"{true} | "
            f"{r['dropout_placebo']:.1%} / {r['dropout_active']:.1%} | "
            f"{r['death_placebo']:.1%} / {r['death_active']:.1%} |"
        )
    if any(bias_flag(r) for r in rows):
        lines += ["", BIAS_NOTE]
    if any("per point/month" in r["scenario"] for r in rows):
        lines += ["", informative_note(design)]
    if any(r["scenario"].startswith("curved decline") for r in rows):
        from designs.outputs.methods_references import REFERENCES

        lines += ["", CURVED_DECLINE_NOTE, "", "References:", "", f"- {GORDON_2010}"]
        lines += [f"- {REFERENCES['thakore']}"]
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
