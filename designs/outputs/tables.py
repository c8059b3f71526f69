"""Tables of planning results: Markdown, CSV and LaTeX.

Every table carries the seed and the package version (a caption line in Markdown and LaTeX,
columns in CSV). The numbers come from :mod:`designs.planning`; nothing here simulates.
"""

from __future__ import annotations

import csv
import io
import math

from designs import __version__
from designs.outputs.csv_cells import safe_row

FORMATS = ("md", "csv", "latex")


def _n_text(row) -> str:
    if row.n_low < 0 and row.n_high < 0:
        return "?"
    hi = "not reached" if row.n_high < 0 else str(row.n_high)
    return f"{row.n_low}-{hi}"


def _caption(result, design) -> str:
    rows = result.rows
    r0 = rows[0]
    eff = design.effect
    if eff.kind.value == "proportional_slowing":
        effect = f"{100 * eff.value:g}% slowing ({r0.effect_points_per_month:+.3g} points/month)"
    else:
        effect = f"slope difference {r0.effect_points_per_month:+.3g} points/month"
    gone = design.dropout.cumulative_at(design.trial.visits, include_death=True)[-1]
    return (
        f"{design.trial.name}; {effect}; {r0.analysis}, alpha {r0.alpha:g} "
        f"{'two' if r0.sides == 2 else 'one'}-sided; {100 * gone:.1f}% gone by month "
        f"{design.trial.duration_months:g} (already simulated: n is not inflated for dropout); "
        f"power = favourable rejections; interval for n: 95% bootstrap over simulated trials; "
        "n is where the fitted power curve crosses the target, so the power simulated at n "
        "(same trials as the curve) can fall just short of it; power on fresh trials is an "
        "independent check at n; "
        f"{r0.trials} simulated trials per size, seed {r0.seed}, als-trial-sim {__version__}"
    )


def sample_size_table(result, design, fmt: str = "md") -> str:
    """The sample-size table.

    Parameters
    ----------
    result : designs.planning.sample_size.SampleSizeResult
    design : designs.spec.TrialDesign
        The design searched (for the caption).
    fmt : {"md", "csv", "latex"}

    Returns
    -------
    str
        The table as text (ends with a newline).
    """
    rows = result.rows
    equal = rows[0].size_name == "n_per_arm"
    size_label = "n per arm" if equal else "n total"
    if fmt == "csv":
        buf = io.StringIO()
        cols = ["target_power"]
        cols += ["n_per_arm", "n_per_arm_low", "n_per_arm_high"] if equal else []
        cols += [] if equal else ["n_total_low", "n_total_high"]
        cols += [
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
        ]
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in rows:  # every cell through safe_row: no text cell runs as a formula
            vals = [f"{r.target_power:g}"]
            if equal:
                vals += [r.n, _blank(r.n_low), _blank(r.n_high)]
            else:
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
            ]
            w.writerow(safe_row(vals))
        return buf.getvalue()
    header = [
        "target power",
        size_label,
        "95% interval",
        "placebo",
        "active",
        "total",
        "simulated power (MC SE)",
        "power on fresh trials (MC SE)",
        "expected completers",
    ]
    screening = any(r.screened_per_enrolled > 1.0 for r in rows)
    if screening:
        header.append("screened per randomised")
    body = []
    for r in rows:
        n_cell = str(r.n) if r.reached else f">{r.n} (not reached)"
        body.append(
            [
                f"{100 * r.target_power:g}%",
                n_cell,
                _n_text(r),
                str(r.n_placebo),
                str(r.n_active),
                str(r.n_total),
                f"{r.power:.3f} ({r.mc_se:.3f})",
                f"{r.confirmed_power:.3f} ({r.confirmed_mc_se:.3f})",
                f"{r.expected_completers:.0f}",
                *([f"{r.screened_per_enrolled:.2f}"] if screening else []),
            ]
        )
    caption = _caption(result, design)
    if fmt == "md":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return "\n".join(lines) + f"\n\n{caption}\n"
    if fmt == "latex":
        lines = [
            "% " + caption,
            "\\begin{table}[ht]",
            "\\centering",
            "\\begin{tabular}{" + "r" * len(header) + "}",
            "\\hline",
            " & ".join(_tex(h) for h in header) + " \\\\",
            "\\hline",
        ]
        lines += [" & ".join(_tex(c) for c in b) + " \\\\" for b in body]
        lines += ["\\hline", "\\end{tabular}", f"\\caption{{{_tex(caption)}}}", "\\end{table}"]
        return "\n".join(lines) + "\n"
    raise ValueError(f"format {fmt!r}: allowed {', '.join(FORMATS)}")


#: How each format of the sample-size table starts (its first line).
TABLE_STARTS = ("| target power |", "target_power,", "% ")


def is_sample_size_table(path) -> bool:
    """True when ``path`` starts like a sample-size table this tool writes (md, csv, LaTeX
    with the version in its caption line)."""
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


def _tex(text: str) -> str:
    out = text
    for a, b in (("&", "\\&"), ("%", "\\%"), ("#", "\\#"), ("_", "\\_"), (">", "$>$")):
        out = out.replace(a, b)
    return out


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


def realism_sensitivity_md(rows: list[dict], design, n: int, trials: int, seed: int) -> str:
    """The sensitivity rows as a Markdown table with a caption."""
    lines = [
        f"Power (favourable) at n = {n} under assumptions that are not published; {trials} "
        f"simulated trials per row, seed {seed}, common random numbers across rows.",
        realism_switches(design),
        f"Only {rows[0]['analysis']} is the trial's test at its alpha; the other analyses "
        "are shown for comparison, with no multiplicity correction.",
        "",
        "| scenario | analysis | power (MC SE) | bias | dropped out, placebo / active | "
        "died, placebo / active |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        bias = "n/a" if math.isnan(r["bias"]) else f"{r['bias']:+.4f} {r['units']}"
        lines.append(
            f"| {r['scenario']} | {r['analysis']} | {r['power_favourable']:.3f} "
            f"({r['mc_se']:.3f}) | {bias} | {r['dropout_placebo']:.1%} / "
            f"{r['dropout_active']:.1%} | {r['death_placebo']:.1%} / {r['death_active']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def calibration_flag(type_i_error: float, alpha: float, trials: int) -> str:
    """'' when the simulated type I error is within 3 Monte Carlo SE of ``alpha`` (SE under
    the null, ``sqrt(alpha (1 - alpha) / trials)``); otherwise a warning naming the test as
    liberal or conservative at this design."""
    se = math.sqrt(alpha * (1 - alpha) / trials)
    if type_i_error > alpha + 3 * se:
        return (
            f"LIBERAL: above alpha {alpha:g} by more than 3 Monte Carlo SE ({3 * se:.4f}); "
            "do not plan on this test at this size without a small-sample correction"
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
    flag = calibration_flag(oc["type_i_error"], design.trial.alpha, oc["trials"])
    flag = f"; {flag}" if flag else ""
    rows = [
        ("patients randomised", f"{size}: {oc['n_placebo']} placebo + {oc['n_active']} active"),
        (
            "type I error (effect 0, same dropout)",
            f"{oc['type_i_error']:.4f} (MC SE {oc['type_i_error_mc_se']:.4f}; nominal "
            f"{design.trial.alpha:g}){flag}",
        ),
        (
            "power at the design effect (favourable)",
            f"{oc['power_favourable']:.3f} (MC SE {oc['power_mc_se']:.3f}); effect "
            f"{oc['effect']:g} {unit} = {oc['effect_points_per_month']:+.3f} points/month",
        ),
        ("minimal detectable effect (80% power)", mde_text),
        ("mean estimate (bias)", f"{oc['mean_estimate']:+.4f} ({oc['bias']:+.4f})"),
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
    lines.append(
        f"{oc['analysis']}, alpha {design.trial.alpha:g} "
        f"{'two' if design.trial.sides == 2 else 'one'}-sided; {oc['trials']} simulated trials "
        f"per point, seed {oc['seed']}, failed fits {oc['failed_fits']}, "
        f"als-trial-sim {__version__}"
    )
    return "\n".join(lines) + "\n"
