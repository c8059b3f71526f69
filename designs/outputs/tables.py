"""Tables of planning results: Markdown, CSV and LaTeX.

Every table carries the seed and the package version (a caption line in Markdown and LaTeX,
columns in CSV). The numbers come from :mod:`designs.planning`; nothing here simulates.
"""

from __future__ import annotations

import csv
import io
import math

from designs import __version__
from designs.outputs.console import trials_note
from designs.outputs.csv_cells import safe_row

FORMATS = ("md", "csv", "latex")


#: What the interval of n is, said wherever it is shown (tables, JSON, methods text).
N_INTERVAL_NOTE = (
    "the 95% Monte Carlo interval of the estimate of n (bootstrap over the simulated "
    "trials): it measures simulation error only, not uncertainty about the true n, which "
    "rests on the assumed effect, variances and dropout"
)


def _n_text(row) -> str:
    """The Monte Carlo interval of n as a range with an en-dash ('?' when not estimable)."""
    if row.n_low < 0 and row.n_high < 0:
        return "?"
    hi = "not reached" if row.n_high < 0 else str(row.n_high)
    return f"{row.n_low}\u2013{hi}"


def _effect_text(design, row) -> str:
    eff = design.effect
    if eff.kind.value == "proportional_slowing":
        return (
            f"{100 * eff.value:g}% slowing of decline "
            f"({row.effect_points_per_month:+.3g} points/month)"
        )
    return f"slope difference {row.effect_points_per_month:+.3g} points/month"


def failed_fits_note(design) -> str:
    """One sentence: how the rates count trials whose analysis failed (``decision.failed_fits``)."""
    if design.decision.excludes_failed:
        return "Trials whose analysis failed are left out of the rates."
    return "Trials whose analysis failed count as failures to reject."


def _caption(result, design) -> str:
    """One short sentence: what the table is, for which design."""
    r0 = result.rows[0]
    targets = " and ".join(f"{100 * r.target_power:g}%" for r in result.rows)
    return (
        f"Patients to randomise for {targets} power: {design.trial.name}, "
        f"{_effect_text(design, r0)}, {r0.analysis}."
    )


def posterior_rule_text(design) -> str:
    """The posterior rule in words: ``P(effect > margin | data) > T with the <prior> prior``."""
    dec = design.decision
    weight = f" (weight {dec.prior_weight:g} on phase 2)" if dec.prior.value == "robust" else ""
    return (
        f"P(effect > {dec.margin:g} points/month | data) > {dec.threshold:g} with the "
        f"{dec.prior.value} prior{weight}"
    )


def type_i_target(design) -> float:
    """The level the simulated type I error is held against: alpha for the test; under the
    one-sided posterior rule, the design's one-sided level alpha / sides."""
    from designs.planning.operating import nominal_type_i_error

    return nominal_type_i_error(design)


def success_phrase(design, r0) -> str:
    """What counts as a success: the frequentist test, or the posterior rule with its prior."""
    dec = design.decision
    if not dec.is_posterior:
        return (
            f"significant results favouring active ({r0.analysis}, alpha {r0.alpha:g} "
            f"{'two' if r0.sides == 2 else 'one'}-sided)"
        )
    weight = f", weight {dec.prior_weight:g} on phase 2" if dec.prior.value == "robust" else ""
    return (
        f"probability of success of the posterior rule, P(effect > {dec.margin:g} points/month "
        f"| data) > {dec.threshold:g} ({r0.analysis}, {dec.prior.value} prior{weight})"
    )


def _notes(result, design) -> str:
    """What a reader needs to read the table right (printed below it)."""
    r0 = result.rows[0]
    gone = design.dropout.cumulative_at(design.trial.visits, include_death=True)[-1]
    return (
        f"Notes: n is the number randomised; {100 * gone:.1f}% are gone by month "
        f"{design.trial.duration_months:g} and the simulation already loses them, so n is not "
        "inflated for dropout. MC interval: "
        f"{N_INTERVAL_NOTE}. Power: {success_phrase(design, r0)}. Fitted: the probit "
        "curve fitted to power over n, at n; n is where it crosses the target, so the power "
        "simulated at n on the same trials can fall just short of the target. Fresh trials: "
        "power at n on independent trials, the check. In brackets: Monte Carlo SE. "
        f"{failed_fits_note(design)} {trials_note(r0)}, seed {r0.seed}, "
        f"als-trial-sim {__version__}."
    )


_CSV_COLUMNS = [
    "n_placebo",
    "n_active",
    "n_total",
    "power_favourable",
    "mc_se",
    "expected_completers",
    "screened_per_enrolled",
    "failed_fits",
    "reached",
    "analysis",
    "effect_points_per_month",
    "alpha",
    "sides",
    "trials",
    "seed",
    "version",
    "fitted_power",
    "confirmed_power",
    "confirmed_mc_se",
    "grid_trials",
    "refine_trials",
]


def _csv_table(rows, equal: bool) -> str:
    buf = io.StringIO()
    size = "n_per_arm" if equal else "n_total"
    cols = ["target_power"] + (["n_per_arm"] if equal else [])
    cols += [f"{size}_mc_low", f"{size}_mc_high", *_CSV_COLUMNS]
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        vals = [f"{r.target_power:g}"] + ([r.n] if equal else [])
        vals += [_blank(r.n_low), _blank(r.n_high)]
        vals += [
            r.n_placebo,
            r.n_active,
            r.n_total,
            f"{r.power:.4f}",
            f"{r.mc_se:.4f}",
            f"{r.expected_completers:.1f}",
            f"{r.screened_per_enrolled:.3f}",
            r.failed_fits,
            str(r.reached).lower(),
            r.analysis,
            f"{r.effect_points_per_month:.6g}",
            f"{r.alpha:g}",
            r.sides,
            r.trials,
            r.seed,
            r.version,
            f"{r.fitted_power:.4f}",
            f"{r.confirmed_power:.4f}",
            f"{r.confirmed_mc_se:.4f}",
            r.grid_trials or r.trials,
            r.refine_trials,
        ]
        w.writerow(safe_row(vals))  # no text cell runs as a spreadsheet formula
    return buf.getvalue()


def _n_cell(r) -> str:
    return str(r.n) if r.reached else f"over {r.n} (not reached)"


def _md_table(result, design, equal: bool, screening: bool) -> str:
    size_label = "n per arm" if equal else "n total"
    header = [
        "target power",
        size_label,
        f"MC 95% interval of {size_label}",
        "placebo",
        "active",
        "total",
        "fitted power at n",
        "simulated power, same trials (MC SE)",
        "power on fresh trials (MC SE)",
        "expected completers",
    ] + (["screened per randomised"] if screening else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in result.rows:
        cells = [
            f"{100 * r.target_power:g}%",
            _n_cell(r),
            _n_text(r),
            str(r.n_placebo),
            str(r.n_active),
            str(r.n_total),
            f"{r.fitted_power:.3f}",
            f"{r.power:.3f} ({r.mc_se:.3f})",
            f"{r.confirmed_power:.3f} ({r.confirmed_mc_se:.3f})",
            f"{r.expected_completers:.0f}",
        ] + ([f"{r.screened_per_enrolled:.2f}"] if screening else [])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + f"\n\n{_caption(result, design)}\n\n{_notes(result, design)}\n"


def _latex_extra_notes(result, screening: bool) -> str:
    """Notes only the LaTeX table needs: what it leaves out to fit the page."""
    rows, text = result.rows, " Expected completers: both arms, for information."
    if screening:
        per = ", ".join(f"{r.screened_per_enrolled:.2f} ({100 * r.target_power:g}%)" for r in rows)
        text += f" Candidates screened per patient randomised: {per}."
    if not all(r.reached for r in rows):
        text += " >n: the target was not reached within the sizes simulated (up to n)."
    if any(r.n_high < 0 for r in rows):
        text += " From: the upper end of the interval was not reached."
    return text


def _latex_interval(r) -> str:
    if r.n_low >= 0 and r.n_high < 0:
        return f"from {r.n_low}"
    return _n_text(r)


def _latex_table(result, design, equal: bool, screening: bool) -> str:
    """Eight columns (nine with unequal allocation) that fit 6.5 in at 10 pt; screening goes
    to the notes."""
    import pandas as pd

    from designs.outputs.latex import booktabs_table

    size = "n per arm" if equal else "n in total"
    cols = [("Target", "power"), (size, "chosen"), (size, "MC interval")]
    cols += [("Total", "randomised")] if equal else [("", "placebo"), ("", "active")]
    cols += [
        ("Power at n", "fitted"),
        ("Power at n", "same trials"),
        ("Power at n", "fresh trials"),
        ("Expected", "completers"),
    ]
    body = []
    for r in result.rows:
        cells = [f"{100 * r.target_power:g}%", str(r.n) if r.reached else f">{r.n}"]
        cells += [_latex_interval(r)]
        cells += [str(r.n_total)] if equal else [str(r.n_placebo), str(r.n_active)]
        cells += [
            f"{r.fitted_power:.3f}",
            f"{r.power:.3f} ({r.mc_se:.3f})",
            f"{r.confirmed_power:.3f} ({r.confirmed_mc_se:.3f})",
            f"{r.expected_completers:.0f}",
        ]
        body.append(cells)
    frame = pd.DataFrame(body, columns=pd.MultiIndex.from_tuples(cols))
    r0 = result.rows[0]
    notes = _notes(result, design) + _latex_extra_notes(result, screening)
    return booktabs_table(
        frame,
        caption=_caption(result, design),
        notes=notes,
        comment=(
            f"sample-size table, als-trial-sim {__version__}, seed {r0.seed}; needs "
            "\\usepackage{booktabs}"
        ),
        label="tab:sample-size",
    )


def sample_size_table(result, design, fmt: str = "md") -> str:
    """The sample-size table.

    Parameters
    ----------
    result : designs.planning.sample_size.SampleSizeResult
    design : designs.spec.TrialDesign
        The design searched (for the caption and notes).
    fmt : {"md", "csv", "latex"}
        LaTeX: a booktabs ``table`` float (pandas ``Styler.to_latex``) with a short caption
        above and notes below, every text escaped.

    Returns
    -------
    str
        The table as text (ends with a newline).
    """
    rows = result.rows
    equal = rows[0].size_name == "n_per_arm"
    screening = any(r.screened_per_enrolled > 1.0 for r in rows)
    if fmt == "csv":
        return _csv_table(rows, equal)
    if fmt == "md":
        return _md_table(result, design, equal, screening)
    if fmt == "latex":
        return _latex_table(result, design, equal, screening)
    raise ValueError(f"format {fmt!r}: allowed {', '.join(FORMATS)}")


#: How each format of the sample-size table starts (its first line).
TABLE_STARTS = ("| target power |", "target_power,", "% ")


def is_sample_size_table(path) -> bool:
    """True when ``path`` starts like a sample-size table this tool writes (md, csv, LaTeX
    with the version in its first, comment line)."""
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline()
            second = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    if first.startswith("% "):
        return "als-trial-sim" in first and second.startswith("\\begin{table}")
    return first.startswith(TABLE_STARTS[:2])


def _blank(v: int) -> str:
    return "" if v < 0 else str(v)


def realism_switches(design) -> str:
    """One sentence saying which of the ALS-realism options the design switches on."""
    d = design.dropout
    on = []
    if d.informative:
        on.append(f"informative dropout ({d.informative:g} per point/month)")
    if d.death_monthly_hazard:
        on.append(f"death hazard {d.death_monthly_hazard:g}/month")
    if d.death_informative:
        on.append(f"informative death ({d.death_informative:g} per point/month)")
    if design.population.curvature:
        on.append(f"curved decline (curvature {design.population.curvature:g})")
    if design.trial.lead_in_months:
        on.append(f"{design.trial.lead_in_months:g}-month lead-in")
    e = design.enrichment
    if e.screens_delta_fs:
        on.append(f"delta-FS enrichment ({e.delta_fs_min:g}-{e.delta_fs_max:g}/month)")
    if e.screens_lead_in:
        on.append(
            f"lead-in decline enrichment ({e.lead_in_decline_min:g}-"
            f"{e.lead_in_decline_max:g} points)"
        )
    if not on:
        return (
            "ALS-realism options switched on: none (dropout missing completely at random, "
            "no separate death hazard, linear decline, no lead-in, no enrichment)."
        )
    return "ALS-realism options switched on: " + "; ".join(on) + "."


#: Why the curved-decline rows of the realism sensitivity stay close to "as designed".
CURVED_DECLINE_NOTE = (
    "Curved decline: the curvature term is the same in both arms and zero at month 0 and at "
    "the last visit, so the treatment difference in slope is unchanged; power moves only "
    "through the added departure from a straight line (and who leaves before the curve "
    "turns), which is why these rows can equal 'as designed' to the digits shown."
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


def realism_sensitivity_md(rows: list[dict], design, n: int, trials: int, seed: int) -> str:
    """The sensitivity rows as a Markdown table with a caption."""
    lines = [
        f"Power (favourable) at n = {n} under assumptions that are not published; {trials} "
        f"simulated trials per row, seed {seed}, common random numbers across rows. "
        + failed_fits_note(design),
        realism_switches(design),
        f"Only {rows[0]['analysis']} is the trial's "
        + (
            f"analysis (success: {posterior_rule_text(design)})"
            if design.decision.is_posterior
            else "test at its alpha"
        )
        + "; the other analyses are shown for comparison, with no multiplicity correction.",
        "",
        "| scenario | analysis | power (MC SE) | bias | dropped out, placebo / active | "
        "died, placebo / active |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        bias = "n/a" if math.isnan(r["bias"]) else f"{r['bias']:+.4f} {r['units']}"
        bias += " (*)" if bias_flag(r) else ""  # the note below says why
        lines.append(
            f"| {r['scenario']} | {r['analysis']} | {r['power_favourable']:.3f} "
            f"({r['mc_se']:.3f}) | {bias} | {r['dropout_placebo']:.1%} / "
            f"{r['dropout_active']:.1%} | {r['death_placebo']:.1%} / {r['death_active']:.1%} |"
        )
    if any(bias_flag(r) for r in rows):
        lines += ["", BIAS_NOTE]
    if any(r["scenario"].startswith("curved decline") for r in rows):
        lines += ["", CURVED_DECLINE_NOTE]
    return "\n".join(lines) + "\n"


def calibration_flag(
    type_i_error: float, alpha: float, trials: int, *, posterior: bool = False
) -> str:
    """'' when the simulated type I error is within 3 Monte Carlo SE of ``alpha`` (SE under
    the null, ``sqrt(alpha (1 - alpha) / trials)``); otherwise a warning naming the test as
    liberal or conservative at this design (``posterior``: the posterior rule, whose remedy
    is a calibrated threshold)."""
    se = math.sqrt(alpha * (1 - alpha) / trials)
    if type_i_error > alpha + 3 * se:
        remedy = (
            "do not plan on this rule without a calibrated threshold (simulate.py calibrate)"
            if posterior
            else "do not plan on this test at this size without a small-sample correction"
        )
        return (
            f"LIBERAL: above alpha {alpha:g} by more than 3 Monte Carlo SE ({3 * se:.4f}); "
            + remedy
        )
    if type_i_error < alpha - 3 * se:
        return (
            f"conservative: below alpha {alpha:g} by more than 3 Monte Carlo SE "
            f"({3 * se:.4f}); power is lost to it"
        )
    return ""


def operating_characteristics_md(oc: dict, design) -> str:
    """The operating characteristics as a Markdown table with a caption."""
    unit = "fraction" if oc["effect_kind"] == "proportional_slowing" else "points/month"
    mde = oc["minimal_detectable_effect_80"]
    mde_text = (
        "not within the simulated range"
        if math.isnan(mde)
        else f"{mde:.3g} {unit} ({oc['minimal_detectable_effect_80_points_per_month']:+.3f} "
        "points/month)"
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
            f"{oc['type_i_error']:.4f} (MC SE {oc['type_i_error_mc_se']:.4f}, "
            f"{oc['type_i_error_trials']:,} trials; nominal {target:g}){flag}",
        ),
        (
            "power at the design effect (favourable)",
            f"{oc['power_favourable']:.3f} (MC SE {oc['power_mc_se']:.3f}); effect "
            f"{oc['effect']:g} {unit} = {oc['effect_points_per_month']:+.3f} points/month",
        ),
        ("minimal detectable effect (80% power)", mde_text),
        ("mean estimate (bias)", f"{oc['mean_estimate']:+.4f} ({oc['bias']:+.4f}){bias_flag(oc)}"),
        ("expected completers", f"{oc['expected_completers']:.1f}"),
        ("expected dropouts (incl. deaths in the schedule)", f"{oc['expected_dropouts']:.1f}"),
        ("expected deaths (separate hazard)", f"{oc['expected_deaths']:.1f}"),
        (
            "calendar length",
            f"{oc['calendar_months']:.1f} months = {oc['accrual_months']:.1f} accrual at "
            f"{design.trial.accrual_per_month:g}/month + {oc['follow_up_months']:g} follow-up",
        ),
    ]
    lines = ["| characteristic | value |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    lines.append("")
    rule = (
        f"success: {posterior_rule_text(design)}"
        if design.decision.is_posterior
        else f"alpha {design.trial.alpha:g} {'two' if design.trial.sides == 2 else 'one'}-sided"
    )
    lines.append(
        f"{oc['analysis']}, {rule}; {oc['trials']} simulated trials "
        f"per point, seed {oc['seed']}, failed fits {oc['failed_fits']} "
        f"({failed_fits_note(design)[:-1].lower()}), als-trial-sim {__version__}"
    )
    if bias_flag(oc):
        lines += ["", BIAS_NOTE]
    return "\n".join(lines) + "\n"
