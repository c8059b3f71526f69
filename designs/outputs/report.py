"""Tables (Markdown, CSV, LaTeX), the operating characteristics and the methods paragraph.

Every table carries the seed and the package version (a caption line in Markdown and LaTeX,
columns in CSV). Plots are in :mod:`designs.outputs.figures`; the whole report folder is written by
:func:`write_report`.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from designs import __version__
from designs.analyses import registry

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
        ]
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
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
            ]
            w.writerow(vals)
        return buf.getvalue()
    header = [
        "target power",
        size_label,
        "95% interval",
        "placebo",
        "active",
        "total",
        "simulated power (MC SE)",
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


def _blank(v: int) -> str:
    return "" if v < 0 else str(v)


def _tex(text: str) -> str:
    out = text
    for a, b in (("&", "\\&"), ("%", "\\%"), ("#", "\\#"), ("_", "\\_"), (">", "$>$")):
        out = out.replace(a, b)
    return out


def fmt_num(x: float, digits: int = 3) -> str:
    """A number for text, or 'n/a' for NaN."""
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


# --------------------------------------------------------------------------- the report folder


def _software() -> str:
    import platform

    import numba
    import numpy
    import scipy
    import xarray

    parts = [
        f"als-trial-sim {__version__}",
        f"Python {platform.python_version()}",
        f"NumPy {numpy.__version__}",
        f"SciPy {scipy.__version__}",
        f"Numba {numba.__version__}",
        f"xarray {xarray.__version__}",
    ]
    try:
        import pymc

        parts.append(f"PyMC {pymc.__version__}")
    except ImportError:  # pragma: no cover
        pass
    return ", ".join(parts)


def operating_characteristics(
    design, n: int, trials: int, seed: int, analysis: str | None = None, *, progress=None
) -> dict:
    """Simulated operating characteristics of ``design`` at size ``n``.

    Type I error (effect 0, the design's own dropout), power at the design's effect, the
    minimal detectable effect (80% favourable power; probit curve in the effect fitted to a
    grid simulated with the same seed), expected completers, dropouts and deaths, and the
    calendar length from ``accrual_per_month`` (accrual time plus one patient's follow-up).

    Returns
    -------
    dict
        JSON-ready; effects in the design's units and in points/month.
    """
    from designs.planning.power import power
    from designs.planning.sample_size import design_at, probit_fit

    analysis = analysis or str(design.trial.analysis)
    d = design_at(design, n)
    s1 = power(d, trials, seed, (analysis,), progress=progress)[analysis]
    s0 = power(
        d.with_overrides({"effect.value": 0.0}), trials, seed, (analysis,), progress=progress
    )[analysis]
    base = design.effect.value
    effects = np.linspace(0.25, 2.0, 8) * base
    k, m = [], []
    for e in effects:
        s = power(
            d.with_overrides({"effect.value": float(e)}),
            trials,
            seed,
            (analysis,),
            progress=progress,
        )[analysis]
        ok = s.trials - s.failed_fits
        k.append(round(s.power_favourable * ok))
        m.append(ok)
    b0, b1 = probit_fit(effects, k, m)
    from scipy import stats

    mde = (stats.norm.ppf(0.8) - b0) / b1 if b1 > 0 else math.nan
    if not effects.min() * 0.5 <= mde <= effects.max() * 1.5:
        mde = math.nan  # outside what was simulated: do not extrapolate
    slope = design.population.slope_mean
    to_points = (
        (lambda v: v * abs(slope))
        if design.effect.kind.value == "proportional_slowing"
        else (lambda v: v)
    )
    t = d.trial
    accrual = t.n_total / t.accrual_per_month
    return {
        "analysis": analysis,
        "n_per_arm": t.n_per_arm if t.allocation.equal else None,
        "n_placebo": t.n_placebo,
        "n_active": t.n_active,
        "n_total": t.n_total,
        "type_i_error": s0.power,
        "type_i_error_mc_se": s0.mc_se,
        "type_i_error_ci95": list(s0.ci95),
        "power": s1.power,
        "power_favourable": s1.power_favourable,
        "power_mc_se": s1.mc_se_favourable,
        "effect": base,
        "effect_kind": design.effect.kind.value,
        "effect_points_per_month": to_points(base),
        "minimal_detectable_effect_80": mde,
        "minimal_detectable_effect_80_points_per_month": to_points(mde),
        "mean_estimate": s1.mean_estimate,
        "bias": s1.bias,
        "expected_completers": s1.completers_placebo + s1.completers_active,
        "expected_dropouts": s1.dropout_placebo * t.n_placebo + s1.dropout_active * t.n_active,
        "expected_deaths": s1.death_placebo * t.n_placebo + s1.death_active * t.n_active,
        "accrual_months": accrual,
        "follow_up_months": t.duration_months,
        "calendar_months": accrual + t.duration_months,
        "failed_fits": s1.failed_fits,
        "trials": trials,
        "seed": seed,
        "version": __version__,
    }


#: Scenarios for unpublished assumptions (docs/references.md, attrition; nonlinear decline):
#: (label, overrides). The dependence of dropout and death on decline is "not found" in the
#: literature, so it is swept; the death hazard is van Eijk 2019's 1.8-2.5 events per 100
#: person-months (there including tracheostomy and NIV, so an upper bound for death alone).
REALISM_SCENARIOS = (
    ("as designed", {}),
    ("informative dropout, 1 per point/month (assumed)", {"dropout.informative": 1.0}),
    ("informative dropout, 2 per point/month (assumed)", {"dropout.informative": 2.0}),
    ("informative dropout, 4 per point/month (assumed)", {"dropout.informative": 4.0}),
    (
        "death 2%/month on top, informative 2 (assumed)",
        {"dropout.death_monthly_hazard": 0.02, "dropout.death_informative": 2.0},
    ),
    ("curved decline, curvature 0.3 (Gordon 2010 shape)", {"population.curvature": 0.3}),
)


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


def realism_sensitivity(
    design, n: int, trials: int, seed: int, analyses, *, progress=None
) -> list[dict]:
    """Power and bias at size ``n`` under each of :data:`REALISM_SCENARIOS`.

    The same seed throughout (common random numbers), so differences between rows are the
    assumptions, not Monte Carlo noise.
    """
    from designs.planning.power import power
    from designs.planning.sample_size import design_at

    base = design_at(design, n)
    rows = []
    for label, over in REALISM_SCENARIOS:
        d = base.with_overrides(over) if over else base
        out = power(d, trials, seed, tuple(analyses), progress=progress)
        for a, s in out.items():
            rows.append(
                {
                    "scenario": label,
                    "analysis": a,
                    "power_favourable": s.power_favourable,
                    "mc_se": s.mc_se_favourable,
                    "bias": s.bias,
                    "units": s.units,
                    "dropout_placebo": s.dropout_placebo,
                    "dropout_active": s.dropout_active,
                    "death_placebo": s.death_placebo,
                    "death_active": s.death_active,
                }
            )
    return rows


def realism_sensitivity_md(rows: list[dict], design, n: int, trials: int, seed: int) -> str:
    """The sensitivity rows as a Markdown table with a caption."""
    lines = [
        f"Power (favourable) at n = {n} under assumptions that are not published; {trials} "
        f"simulated trials per row, seed {seed}, common random numbers across rows.",
        realism_switches(design),
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
    rows = [
        ("patients randomised", f"{size}: {oc['n_placebo']} placebo + {oc['n_active']} active"),
        (
            "type I error (effect 0, same dropout)",
            f"{oc['type_i_error']:.4f} (MC SE {oc['type_i_error_mc_se']:.4f}; nominal "
            f"{design.trial.alpha:g})",
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


def methods_text(design, result, oc, assurance: dict | None, idata_attrs: dict | None) -> str:
    """A methods paragraph a grant writer can paste (Markdown)."""
    t, p, e = design.trial, design.population, design.effect
    entry = registry.get(result.analysis)
    estimand, units = entry.estimand, entry.units
    rows = {r.target_power: r for r in result.rows}
    sizes = "; ".join(
        f"{r.target_power:.0%} power: {r.n_placebo} placebo + {r.n_active} active = "
        f"{r.n_total} randomised (95% interval for "
        f"{'n per arm' if r.size_name == 'n_per_arm' else 'n total'} {_n_text(r)}; simulated "
        f"power {r.power:.3f}, MC SE {r.mc_se:.3f})"
        for r in rows.values()
    )
    gone = design.dropout.cumulative_at(t.visits, include_death=True)[-1]
    mechanism = (
        "missing completely at random"
        if not (design.dropout.informative or design.dropout.death_informative)
        else "informative (faster decliners leave or die more often)"
    )
    if e.kind.value == "proportional_slowing":
        effect = (
            f"a {100 * e.value:g}% slowing of the mean ALSFRS-R decline "
            f"({e.slope_shift(p.slope_mean):+.3f} points/month)"
        )
    else:
        effect = f"a slope difference of {e.value:+.3f} points/month"
    text = [
        "# Methods: sample size and assurance",
        "",
        f"**Estimand (ICH E9(R1)).** Population: patients like those of the planned trial "
        f"(baseline ALSFRS-R mean {p.baseline_mean:g}, SD {p.baseline_sd:g}; mean decline "
        f"{p.slope_mean:g} points/month, SD of true slopes {p.slope_sd:g}). Variable: the "
        f"ALSFRS-R total (0-48) over {t.duration_months:g} months. Treatment condition: "
        f"randomised active versus placebo. Population-level summary: the {estimand} "
        f"({units}). Intercurrent events: discontinuation, loss to follow-up and death end a "
        "patient's observations; the mixed model uses every visit before the event and "
        "assumes the missing visits are missing at random given the observed ones "
        "(a hypothetical strategy: the slope had patients stayed on their trajectory). "
        "Deaths are not given a score; a composite or survival-aware estimand would be "
        "needed if death were expected to differ by arm.",
        "",
        f"**Model and analysis.** Each simulated patient follows "
        f"y_ij = a_i + s_i t_j + e_ij with (a_i, s_i) bivariate normal and residual SD "
        f"{p.residual_sd:g} points; scores are "
        + ("rounded to integers and clipped to 0-48" if p.integer_scores else "continuous")
        + f". Visits at months {', '.join(f'{v:g}' for v in t.visits_months)}. The treatment "
        f"effect acts on each treated patient's slope: {effect}. Each trial is analysed with "
        f"{result.analysis} ({entry.methods}), "
        f"alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided; a success is a "
        "significant result favouring active.",
        "",
        f"**Dropout.** Monotone, {mechanism}, {100 * gone:.1f}% gone by month "
        f"{t.duration_months:g} (published all-cause attrition in ALS trials, deaths "
        "included; van Eijk et al. 2025). The simulation loses these patients, so the "
        "sample size is the number randomised and is not inflated again. "
        f"{realism_switches(design)} How far power and bias move when dropout and death "
        "depend on the patient's own decline, and when decline curves (assumptions that are "
        "not published), is shown in realism_sensitivity.md.",
        "",
        f"**Sample size.** {result.trials} trials were simulated at each of "
        f"{len(result.curve.sizes)} sizes with common random numbers (the same patients at "
        "every size); a probit curve of power in the square root of n was fitted and "
        f"inverted, with a bootstrap over trials for the interval. {sizes}. At "
        f"{oc['n_placebo'] + oc['n_active']} randomised the simulated type I error under the "
        f"same dropout is {oc['type_i_error']:.4f} (MC SE {oc['type_i_error_mc_se']:.4f}), "
        f"about {oc['expected_completers']:.0f} patients are expected to complete, and "
        f"accrual at {t.accrual_per_month:g} patients/month gives a calendar length of about "
        f"{oc['calendar_months']:.0f} months.",
        "",
    ]
    if assurance:
        a_text = "; ".join(
            f"at {n} per arm: {a['proportional'].assurance:.3f} (MC SE "
            f"{a['proportional'].mc_se:.3f}) with proportional transport and "
            f"{a['absolute'].assurance:.3f} with absolute transport, against "
            f"{a['proportional'].power_at_mean:.3f} power at the posterior-mean effect"
            for n, a in assurance.items()
        )
        first = next(iter(assurance.values()))["proportional"]
        seed_text = f", fit seed {idata_attrs.get('seed')}" if idata_attrs else ""
        text += [
            "**Assurance.** The treatment effect was also drawn, trial by trial, from the "
            "posterior of a Bayesian piecewise-linear hierarchical model of the phase 2 "
            f"data{seed_text} ({first.posterior_draws} draws; P(effect > 0) = "
            f"{first.p_effect_positive:.2f}). Proportional transport carries each draw over as "
            "a fraction of the phase 2 patients' own pre-dose decline; absolute transport as "
            f"points/month. Assurance (probability of a significant favourable result): "
            f"{a_text}.",
            "",
            "**Caveats.** The phase 2 comparison was uncontrolled (before/after in five "
            "patients, open-label rating): regression to the mean, plateaus and rater "
            "expectation can all mimic an effect, so assurance built on it is optimistic if "
            "anything. The phase 2 data bundled with this tool are an illustrative "
            "reconstruction from published summaries, not the trial's patient-level data.",
            "",
        ]
    text += [
        f"**Simulation.** {result.trials} simulated trials per size (seed {result.seed}); "
        f"software: {_software()}.",
        "",
    ]
    return "\n".join(text)


#: Every file a report folder can hold (stale ones from an earlier run are removed).
REPORT_FILES = (
    "sample_size.md",
    "sample_size.csv",
    "sample_size.tex",
    "operating_characteristics.md",
    "operating_characteristics.json",
    "realism_sensitivity.md",
    "power_sweep.nc",
    "power_curve.png",
    "posterior_effect.png",
    "assurance_curve.png",
    "assurance.json",
    "methods.md",
    "design.toml",
)


def write_report(
    design,
    out_dir,
    *,
    trials: int = 2000,
    seed: int = 20261125,
    targets=(0.8, 0.9),
    idata=None,
    analysis: str | None = None,
    progress=None,
) -> list:
    """Write the report folder: tables, operating characteristics, plots and methods.md.

    Files are made in a temporary folder beside ``out_dir`` and moved in only when all are
    done, so an interrupted report leaves no half-written file.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        Fixed-effect design.
    out_dir : path
        Folder to write into (created).
    trials : int
        Simulated trials per point.
    seed : int
    targets : sequence of float
        Target powers; the operating characteristics are at the first target's n.
    idata : xarray.DataTree, optional
        Phase 2 posterior; without it, no assurance or posterior plot.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import json
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from designs.errors import InputError
    from designs.outputs import figures as plots
    from designs.planning.assurance import assurance_curve, posterior_draws
    from designs.planning.sample_size import find_sample_size
    from designs.planning.sweep import run_sweep

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a folder")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create folder ({exc.strerror})") from None
    if not os.access(out_dir.parent, os.W_OK):
        raise InputError(f"--out {out_dir}: folder {out_dir.parent} is not writable")
    result = find_sample_size(design, targets, trials, seed, analysis, progress=progress)
    analysis = result.analysis
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        files = {}
        for fmt, ext in (("md", "md"), ("csv", "csv"), ("latex", "tex")):
            (tmp / f"sample_size.{ext}").write_text(sample_size_table(result, design, fmt))
            files[f"sample_size.{ext}"] = True
        chosen = result.rows[0]
        oc = operating_characteristics(design, chosen.n, trials, seed, analysis, progress=progress)
        (tmp / "operating_characteristics.md").write_text(operating_characteristics_md(oc, design))
        (tmp / "operating_characteristics.json").write_text(json.dumps(oc, indent=2) + "\n")
        compared = tuple(dict.fromkeys((analysis, "lmm_slope", "joint_rank")))
        realism = realism_sensitivity(design, chosen.n, trials, seed, compared, progress=progress)
        (tmp / "realism_sensitivity.md").write_text(
            realism_sensitivity_md(realism, design, chosen.n, trials, seed)
        )
        # power curve: sizes spanning the answers, three effects around the design's
        n_hi = max(r.n for r in result.rows)
        size_dim = result.rows[0].size_name
        sizes = sorted(
            {
                max(3 if size_dim == "n_per_arm" else 6, round(v))
                for v in np.linspace(0.25 * n_hi, 1.4 * n_hi, 10)
            }
        )
        effects = [round(f * design.effect.value, 6) for f in (0.75, 1.0, 1.25)]
        ds = run_sweep(
            design,
            {size_dim: sizes, "effect": effects},
            trials,
            seed,
            (analysis,),
            progress=None if progress is None else (lambda cells: progress(cells * trials)),
        )
        ds.to_netcdf(tmp / "power_sweep.nc", engine="h5netcdf")
        plots.power_curve_png(ds, tmp / "power_curve.png", targets=targets, analysis=analysis)
        assurance = None
        if idata is not None:
            draws = {tr: posterior_draws(idata, tr) for tr in ("proportional", "absolute")}
            fixed = (
                design.effect.value if design.effect.kind.value == "proportional_slowing" else None
            )
            plots.posterior_effect_png(
                draws,
                tmp / "posterior_effect.png",
                design_effect=fixed,
                seed=idata.attrs.get("seed"),
            )
            a_sizes = sizes[::2] + [r.n for r in result.rows]
            a_sizes = sorted(set(a_sizes))
            curves = {
                tr: assurance_curve(
                    design, draws[tr], a_sizes, trials, seed, analysis, tr, progress=progress
                )
                for tr in draws
            }
            plots.assurance_curve_png(
                curves, tmp / "assurance_curve.png", targets=targets, seed=seed
            )
            assurance = {}
            for r in result.rows:
                i = a_sizes.index(r.n)
                assurance[r.n] = {tr: curves[tr][i] for tr in curves}
            (tmp / "assurance.json").write_text(
                json.dumps(
                    {
                        str(n): {tr: a.to_dict() for tr, a in v.items()}
                        for n, v in assurance.items()
                    },
                    indent=2,
                    default=float,
                )
                + "\n"
            )
        attrs = dict(idata.attrs) if idata is not None else None
        (tmp / "methods.md").write_text(methods_text(design, result, oc, assurance, attrs))
        (tmp / "design.toml").write_text(design.to_toml())
        out_dir.mkdir(exist_ok=True)
        # A report from an earlier run must not survive beside this one: remove every file
        # a report can write that this run did not.
        for name in REPORT_FILES:
            if not (tmp / name).exists():
                (out_dir / name).unlink(missing_ok=True)
        written = []
        for f in sorted(tmp.iterdir()):
            os.replace(f, out_dir / f.name)
            written.append(out_dir / f.name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
