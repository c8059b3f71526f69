"""Tables of planning results: Markdown, CSV and LaTeX.

Every table carries the seed and the package version (a caption line in Markdown and LaTeX,
columns in CSV). The numbers come from :mod:`designs.planning`; nothing here simulates.
"""

from __future__ import annotations

import math

from designs import __version__
from designs.analyses.registry import title
from designs.outputs.console import trials_note
from designs.outputs.rates import estimator_note, rate_cell, search_estimator
from designs.outputs.sample_size_csv import csv_header, csv_table
from designs.outputs.scope import scope_sentence
from designs.program import program_name
from designs.spec.decision import threshold_text
from designs.spec.trial import MAX_ALLOCATION_BLOCK

FORMATS = ("md", "csv", "latex")


#: What the interval of n is, said wherever it is shown (tables, JSON, methods text).
N_INTERVAL_NOTE = (
    "the 95% Monte Carlo interval of the estimate of n (bootstrap over the simulated "
    "trials; its coverage, measured over hundreds of seeds at 500 or more trials per size, "
    "92\u201399%, the lower end where n is large; lower with fewer trials): it measures "
    "simulation error only, not uncertainty about the "
    "true n, which rests on the assumed effect, variances and dropout"
)


def _n_text(row) -> str:
    """The Monte Carlo interval of n as a range with an en-dash ('?' when not estimable;
    "not reached" for a target not reached, whose limits would extrapolate the curve past
    the sizes simulated: a diff review found "113-not reached" beside n = 80, as JSON gives
    null)."""
    if not getattr(row, "reached", True):
        return "not reached"
    if row.n_low < 0 and row.n_high < 0:
        return "?"
    hi = "not reached" if row.n_high < 0 else str(row.n_high)
    return f"{row.n_low}\u2013{hi}"


def _effect_text(design, row) -> str:
    eff = design.effect
    # its time course too (a time-course review: the captions named a delayed effect as if
    # full from randomisation)
    course = f", {eff.course_text()}" if eff.has_time_course else ""
    if eff.kind.value == "proportional_slowing":
        # under screening a fraction of the candidates' decline, not the admitted patients'
        # (a realism review: "25% slowing of decline" where 30% of the admitted's was meant)
        whose = "the candidates' decline" if design.enrichment.active else "decline"
        # and what the placebo arm loses, as the design line says (an effect-translation
        # review: the caption gave 25% of the candidates' where 30% of the admitted's is meant)
        share = design.admitted_share
        admitted = "" if share is None else f": {share:.0f}% of the admitted patients' decline"
        return (
            f"{100 * eff.value:g}% slowing of {whose} "
            f"({row.effect_points_per_month:+.3g} points/month{admitted}){course}"
        )
    share = design.decline_share_text()
    return f"slope difference {row.effect_points_per_month:+.3g} points/month{share}{course}"


def failed_fits_note(design) -> str:
    """One sentence: how the rates count trials whose analysis failed (``decision.failed_fits``)."""
    if design.decision.excludes_failed:
        return "Trials whose analysis failed are left out of the rates."
    if design.decision.is_posterior:
        return "Trials whose analysis failed count as failures (no success of the rule)."
    return "Trials whose analysis failed count as failures to reject."


def _caption(result, design, *, kept: bool = True) -> str:
    """One short sentence: what the table is, for which design; with ``kept`` also the points
    the effect keeps by the last visit (not in LaTeX's caption, which stays short)."""
    from designs.outputs.effect_notes import points_kept_text

    r0 = result.rows[0]
    targets = " and ".join(f"{100 * r.target_power:g}%" for r in result.rows)
    # the points kept by the last visit too (a plain-language review: "+0.125 points/month"
    # alone, where a reader asks what it means for a patient by the end)
    return (
        f"{scope_sentence()}Patients to randomise for {targets} power: {design.trial.name}, "
        f"{_effect_text(design, r0)}, {title(r0.analysis)}"
        f"{points_kept_text(design) if kept else ''}."
    )


def prior_text(design) -> str:
    """The posterior rule's prior with its numbers (points/month): ``sceptical prior N(0,
    0.076^2)``, ``robust prior (weight 0.5 on phase 2, 0.5 on N(0, 0.6^2))``."""
    dec = design.decision
    kind = dec.prior.value
    if kind == "sceptical":
        return f"sceptical prior N(0, {dec.sceptical_sd:g}^2)"
    if kind == "vague" or dec.prior_weight == 0:
        return f"{kind} prior N(0, {dec.vague_sd:g}^2)" + (
            " (weight 0 on phase 2)" if kind == "robust" else ""
        )
    # the transport carries the phase 2 posterior over (a review: its name was in no output,
    # and it moved the type I error from 0.046 to 0.057)
    phase2 = f"phase 2 by {design.effect.transport.value} transport"
    if dec.prior_weight == 1:
        return f"robust prior (weight 1 on {phase2})"
    from designs.planning.decision_rule import robust_component_sd

    return (
        f"robust prior (weight {dec.prior_weight:g} on {phase2}, {1 - dec.prior_weight:g} on "
        f"N(0, {robust_component_sd(design):.3g}^2))"
    )


def posterior_rule_text(design) -> str:
    """The posterior rule in words: ``P(effect > margin | data) > T with the <prior>``, the
    prior with its numbers (:func:`prior_text`), points/month."""
    dec = design.decision
    return (
        f"P(effect > {dec.margin:g} points/month | data) > {threshold_text(dec.threshold)} "
        f"with the {prior_text(design)}"
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
    return (
        f"probability of success of the posterior rule, P(effect > {dec.margin:g} points/month "
        f"| data) > {threshold_text(dec.threshold)} ({r0.analysis}, {prior_text(design)})"
    )


def refit_words(result) -> str:
    """Which targets' curves were refitted near n: the refit needs 3 sizes there with 5
    successes and failures each, else the curve over every size is used (a diff review: the
    notes said every target was refitted where some were not)."""
    spans = list(getattr(result, "target_spans", ()) or ())
    rows = result.rows
    if spans and all(s is not None for s in spans):
        return "refitted on the sizes near n"
    if not any(s is not None for s in spans):
        return "fitted to every size; too few sizes near n had 5 successes and failures each"
    fitted = ", ".join(f"{r.target_power:.0%}" for r, s in zip(rows, spans, strict=True) if s)
    return f"refitted on the sizes near n for {fitted}, elsewhere fitted to every size"


def _notes(result, design) -> str:
    """What a reader needs to read the table right (printed below it)."""
    r0 = result.rows[0]
    return (
        f"Notes: n is the number randomised{block_words(design)}; {design.gone_text()} and "
        "the simulation already "
        "loses them, so n is not "
        "inflated for dropout. MC interval: "
        f"{N_INTERVAL_NOTE}. Power: {success_phrase(design, r0)}. Fitted: the target's "
        f"probit curve of power over n ({refit_words(result)}), at n; n is where it "
        "crosses the target, so the power "
        "simulated at n on the same trials can fall just short of the target. Fresh trials: "
        "power at n on independent trials, the check. In brackets: Monte Carlo SE (where all "
        "or none of the trials succeeded, the one-sided 95% bound instead). Expected "
        "completers: both arms. "
        f"{_estimator(result)}{failed_fits_note(design)} {type_i_note(result, design)}"
        f"{screening_note(result.rows, design)}{trials_note(r0)}, "
        f"seed {r0.seed}, als-trial-sim {__version__}."
    )


def screening_note(rows, design=None) -> str:
    """With screening: the candidates to screen for each n, n times the candidates screened
    per patient randomised (a review: the table gave the ratio only), and what they count
    (with a lead-in: no loss during it, :func:`lead_in_loss_words`)."""
    if not any(r.screened_per_enrolled > 1.0 for r in rows):
        return ""
    en = design.enrichment if design is not None else None
    if en is not None and en.screens_delta_fs_alone:
        admitted = en.delta_fs_admit_probability(design.population)
        how = (
            f"patients randomised / {admitted:.4f}, the share of candidates the delta-FS rule "
            "admits"
        )
    else:
        how = "patients randomised x screened per randomised, simulated"
    ratios = [screened_per_randomised(r, design) for r in rows]
    per = ", ".join(
        f"{math.ceil(r.n_total * ratio - 1e-9):,} for {100 * r.target_power:g}%"
        for r, ratio in zip(rows, ratios, strict=True)
    )
    return (
        f"Candidates to screen (expected): {per} ({how}; the design's screening criterion "
        "only, not the trial's other "
        f"eligibility criteria{lead_in_loss_words(design)}). "
    )


def screened_per_randomised(row, design=None) -> float:
    """Candidates screened per patient randomised: under delta-FS screening the expectation
    itself, 1 / P(admitted), as sample-size --looks, interim.md and the operating
    characteristics give it (an HTA review: 405 candidates in sample_size.md from the
    simulated ratio, 404 in interim.md for the same n, and the diff review after it: 1.37
    beside 418 in one table); under lead-in screening, which has no closed form, the
    simulated ratio (``row.screened_per_enrolled``)."""
    en = design.enrichment if design is not None else None
    if en is not None and en.screens_delta_fs_alone:
        return 1.0 / en.delta_fs_admit_probability(design.population)
    return row.screened_per_enrolled


def lead_in_loss_words(design) -> str:
    """'; nobody assumed to leave or die during the 3-month lead-in ...' with a lead-in (a
    lead-in review: the counts of candidates did not repeat the assumption), else ''."""
    months = 0.0 if design is None else design.trial.lead_in_months
    if not months:
        return ""
    return (
        f"; nobody is assumed to leave or die during the {months:g}-month lead-in, so losses "
        "there would need more candidates"
    )


def block_words(design) -> str:
    """Under unequal allocation, how n splits into arms (``''`` with 1:1): a multiple of the
    allocation's block, so that the arms are in the ratio exactly, or, for a ratio that needs
    a block longer than :data:`designs.spec.trial.MAX_ALLOCATION_BLOCK`, the active arm's
    share rounded."""
    alloc = design.trial.allocation
    if alloc.equal:
        return ""
    if alloc.block > 1:
        return (
            f", in total, a multiple of {alloc.block} so that the arms are "
            f"{alloc.describe()} (placebo:active) exactly"
        )
    return (
        f", in total; the active arm is n x {alloc.active_fraction:.4g} rounded (halves up), "
        f"since {alloc.describe()} (placebo:active) needs a randomisation block of more than "
        f"{MAX_ALLOCATION_BLOCK} patients"
    )


def _estimator(result) -> str:
    """The control variate's sentence (with a space after it) when the search used it."""
    note = estimator_note(search_estimator(result))
    return f"{note} " if note else ""


def type_i_note(result, design) -> str:
    """Under the posterior rule: what the type I error at n is and what it is held against
    (the rule's threshold is not calibrated per n); '' under the frequentist test."""
    if not design.decision.is_posterior:
        return ""
    return (
        "Type I error at n: the rule's success rate with no effect, on the fresh trials' "
        f"patients, against the design's one-sided level {type_i_target(design):g}; the "
        f"threshold is not calibrated per n ({program_name()} calibrate at n gives the one that "
        "holds the level there). "
        + (
            "'≤': no null trial succeeded, and the bound is the rate's one-sided 95% upper "
            "bound in place of its MC SE of 0. "
            if any(r.type_i_error == 0.0 for r in result.rows)
            else ""
        )
    )


def type_i_cell(r) -> str:
    """The posterior rule's type I error at n with its Monte Carlo SE (with no null trial
    counted, its one-sided 95% upper bound: :func:`designs.outputs.rates.rate_cell`)."""
    from designs.outputs.rates import rate_cell

    return rate_cell(r.type_i_error, r.mc_se_type_i_error, r.type_i_trials or r.trials)


def decision_cell(design) -> str:
    """The CSV's ``decision`` cell: ``frequentist test`` (the rows' alpha and sides), or the
    posterior rule with its threshold, margin and prior (:func:`posterior_rule_text`)."""
    if not design.decision.is_posterior:
        return "frequentist test"
    return "posterior rule: " + posterior_rule_text(design)


def _n_cell(r) -> str:
    return str(r.n) if r.reached else f"over {r.n} (not reached)"


def _md_header(equal: bool, screening: bool, posterior: bool) -> list[str]:
    """The Markdown table's column heads."""
    size_label = "n per arm" if equal else "n total"
    header = [
        "target power",
        size_label,
        f"MC 95% interval of {size_label}",
        "placebo",
        "active",
        *(["total"] if equal else []),  # n itself under unequal allocation (a review)
        "fitted power at n",
        "simulated power, same trials (MC SE)",
        "power on fresh trials (MC SE)",
        "expected completers",
    ] + (["screened per randomised"] if screening else [])
    return header + (["type I error at n (MC SE)"] if posterior else [])


def _md_table(result, design, equal: bool, screening: bool) -> str:
    posterior = design.decision.is_posterior
    header = _md_header(equal, screening, posterior)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in result.rows:
        cells = [
            f"{100 * r.target_power:g}%",
            _n_cell(r),
            _n_text(r),
            str(r.n_placebo),
            str(r.n_active),
            *([str(r.n_total)] if equal else []),
            f"{r.fitted_power:.3f}",
            # all or none of the trials: the one-sided bound, not an SE of 0 (a diff review)
            rate_cell(r.power, r.mc_se, r.trials, 3),
            rate_cell(r.confirmed_power, r.confirmed_mc_se, r.trials, 3),
            f"{r.expected_completers:.0f}",
        ] + ([f"{screened_per_randomised(r, design):.2f}"] if screening else [])
        cells += [type_i_cell(r)] if posterior else []
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + f"\n\n{_caption(result, design)}\n\n{_notes(result, design)}\n"


def _latex_extra_notes(result, screening: bool, design=None) -> str:
    """Notes only the LaTeX table needs: what it leaves out to fit the page."""
    rows, text = result.rows, ""  # the common notes say what expected completers count
    if screening:
        per = ", ".join(
            f"{screened_per_randomised(r, design):.2f} ({100 * r.target_power:g}%)" for r in rows
        )
        text += f" Candidates screened per patient randomised: {per}."
    if any(not math.isnan(r.type_i_error) for r in rows):
        per = ", ".join(f"{type_i_cell(r)} ({100 * r.target_power:g}%)" for r in rows)
        text += f" Type I error at n (MC SE): {per}."
    if not all(r.reached for r in rows):
        text += " >n: the target was not reached within the sizes simulated (up to n)."
    if any(r.n_high < 0 for r in rows):
        text += " From: the upper end of the interval was not reached."
    return text


def _latex_interval(r) -> str:
    if r.reached and r.n_low >= 0 and r.n_high < 0:
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
            # all or none of the trials: the one-sided bound, not an SE of 0 (a diff review)
            rate_cell(r.power, r.mc_se, r.trials, 3),
            rate_cell(r.confirmed_power, r.confirmed_mc_se, r.trials, 3),
            f"{r.expected_completers:.0f}",
        ]
        body.append(cells)
    frame = pd.DataFrame(body, columns=pd.MultiIndex.from_tuples(cols))
    r0 = result.rows[0]
    notes = _notes(result, design) + _latex_extra_notes(result, screening, design)
    from designs.outputs.fresh_check import fresh_check_warnings
    from designs.outputs.level_warnings import type_i_warnings

    # the README's cautions (a review: the type I error's; a paste-ready review: the fresh
    # check's "underpowered" warning was in sample_size.md and methods.md, not in the .tex)
    above = fresh_check_warnings(result.rows, design, advise=False)
    above += type_i_warnings(result.rows, design, above_only=True)
    notes += "".join(f" CAUTION: {w.removeprefix('warning: ')}." for w in above)
    return booktabs_table(
        frame,
        caption=_caption(result, design, kept=False),
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
        effect = _effect_text(design, rows[0])
        return csv_table(rows, equal, decision_cell(design), design.trial.name, effect)
    if fmt == "md":
        return _md_table(result, design, equal, screening)
    if fmt == "latex":
        return _latex_table(result, design, equal, screening)
    raise ValueError(f"format {fmt!r}: allowed {', '.join(FORMATS)}")


def csv_headers() -> frozenset[str]:
    """The header lines (without the newline) of every CSV sample-size table this tool
    writes: the fixed design's per arm and in total, and the group-sequential one's (and its
    header before 2026-12-07, whose n max had no unit in its name)."""
    from designs.outputs.sample_size_gs_table import GS_CSV_KEYS, gs_csv_header

    gs = {",".join(GS_CSV_KEYS)} | {
        ",".join(gs_csv_header(e, earlier)) for e in (True, False) for earlier in (True, False)
    }
    fixed = {",".join(csv_header(e, earlier)) for e in (True, False) for earlier in (True, False)}
    return frozenset(gs | fixed)


def md_headers() -> frozenset[str]:
    """The first lines of every Markdown sample-size table this tool writes: the fixed
    design's (per arm or in total, with or without screening, under either rule) and the
    group-sequential one's."""
    from itertools import product

    from designs.outputs.sample_size_gs_table import gs_md_header

    fixed = {"| " + " | ".join(_md_header(*flags)) + " |" for flags in product((0, 1), repeat=3)}
    return frozenset(fixed | {gs_md_header(*flags) for flags in product((0, 1), repeat=2)})


def is_sample_size_table(path) -> bool:
    """True when ``path`` is a sample-size table this tool writes: LaTeX with the version in
    its first, comment line; CSV whose header is one of :func:`csv_headers` exactly (a
    user's CSV that only starts with ``target_power,`` is not replaced without ``--force``);
    Markdown whose first line is one of :func:`md_headers` and whose second is the
    separator."""
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline()
            second = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    if first.startswith("% "):
        return "als-trial-sim" in first and second.startswith("\\begin{table}")
    if first.startswith("target_power,"):  # (a CSV of --format csv was once refused, a review)
        return first.rstrip("\r\n") in csv_headers()
    return first.rstrip("\r\n") in md_headers() and second.startswith("|---|")
