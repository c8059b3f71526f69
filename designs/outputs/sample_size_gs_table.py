"""The sample-size table of a group-sequential design (``sample-size --looks``; md and csv):
n max per target, its expected patients and months, type I error, and the inflation over
the fixed design's n, with the notes under it (rendering only)."""

from __future__ import annotations

import math

from designs.outputs.group_sequential import DATA_CUT, spending_words
from designs.outputs.look_notes import futility_beta_note
from designs.outputs.numbers import se_text
from designs.outputs.rates import bound_cell, counted_h0
from designs.planning.rate_bound import counted_h1, edge_bound
from designs.spec.decision import threshold_text

__all__ = [
    "GS_CSV_KEYS",
    "group_sequential_sample_size_table",
    "gs_csv_header",
    "gs_md_header",
]


#: Columns of the group-sequential sample-size table (md and csv), per arm with 1:1: head,
#: key and how the Markdown writes the cell.
_GS_COLUMNS = (
    ("target power", "target_power", lambda p: f"{100 * p:g}%"),  # as the fixed table
    ("n max", "n_max", "{:d}".format),
    ("95% MC interval", "n_interval", "{}".format),
    ("n total max", "n_total_max", "{:d}".format),
    ("power", "power", "{:.3f}".format),
    ("MC SE", "mc_se", se_text),
    ("E[n total] H1", "expected_n_total_h1", "{:.1f}".format),
    ("E[n total] H0", "expected_n_total_h0", "{:.1f}".format),
    ("E[months] H1", "expected_months_h1", "{:.1f}".format),
    ("E[months] H0", "expected_months_h0", "{:.1f}".format),
    ("type I error", "type_i_error", "{:.4f}".format),
    ("type I MC SE", "mc_se_type_i_error", se_text),
    ("n fixed", "n_fixed", "{:d}".format),
    ("inflation", "inflation", "{:.3f}".format),
    ("95% MC interval ", "inflation_interval", "{}".format),
)


#: The keys of :data:`_GS_COLUMNS`, one per column.
GS_CSV_KEYS = tuple(k for _, k, _ in _GS_COLUMNS)


def gs_csv_header(per_arm: bool, earlier: bool = False) -> list[str]:
    """The CSV table's header: :data:`GS_CSV_KEYS` with n max, its interval and n fixed
    named per arm or in total (an economist's review: ``n_max`` and ``n_fixed`` were per arm
    at 1:1 and totals under unequal allocation under the same names), then the design's
    name and its effect in words (``earlier``: a file's header before those two, 2026-12-08;
    a diff review: the fixed table had them, this one not)."""
    size = "per_arm" if per_arm else "total"
    names = {
        "n_max": f"n_max_{size}",
        "n_interval": f"n_max_{size}_mc_interval",
        "n_fixed": f"n_fixed_{size}",
    }
    # a type I error of 0 (or 1) has an MC SE of 0: its one-sided bound, as the JSON and the
    # Markdown give it (an economist's review read the CSV's 0 and 0 alone)
    head = [names.get(k, k) for k in GS_CSV_KEYS] + ["type_i_error_one_sided_bound_95"]
    return head if earlier else [*head, "design", "effect"]


def _gs_cells(r) -> dict:
    d = r.to_dict()
    n_lo = "" if r.n_low < 0 else str(r.n_low)
    n_hi = "" if r.n_high < 0 else str(r.n_high)
    d["n_interval"] = f"{n_lo}-{n_hi}"
    d["inflation_interval"] = f"{r.inflation_low:.3f}-{r.inflation_high:.3f}"
    return d


def _gs_csv(rows, design) -> str:
    """The CSV table (the csv module: the design's name and effect hold commas)."""
    import csv
    import io
    from types import SimpleNamespace

    from designs.outputs.csv_cells import safe_row
    from designs.outputs.tables import _effect_text

    shift = design.effect.slope_shift(design.population.slope_mean)
    effect = _effect_text(design, SimpleNamespace(effect_points_per_month=shift))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(gs_csv_header(rows[0].size_name == "n_per_arm"))
    for r in rows:
        cells = _gs_cells(r)
        bound = edge_bound(r.type_i_error, counted_h0(r))
        values = [str(cells[k]) for k in GS_CSV_KEYS]
        values += ["" if bound is None else f"{bound:.4f}", *safe_row([design.trial.name, effect])]
        w.writerow(values)
    return buf.getvalue()


def gs_md_header(per_arm: bool, posterior: bool) -> str:
    """The Markdown table's first line: n max per arm or in total; under the posterior rule
    a success, not a rejection."""
    # in total, the total again would repeat n max (an own-design review): the arms instead
    names = (
        {"n_max": "n max per arm"}
        if per_arm
        else {
            "n_max": "n max (total)",
            "n_total_max": "n max placebo + active",
        }
    )
    heads = [names.get(k, h.strip()) for h, k, _ in _GS_COLUMNS]
    if posterior:
        words = {"target power": "target success probability", "power": "success probability"}
        heads = [words.get(h, h) for h in heads]
    return "| " + " | ".join(heads) + " |"


def group_sequential_sample_size_table(result, design, fmt: str = "md") -> str:
    """The sample-size table of a group-sequential design (``md`` or ``csv``).

    Its first line (:func:`gs_md_header`, :func:`gs_csv_header`) is one that ``--out``
    recognises as an earlier table of this tool
    (:func:`designs.outputs.tables.is_sample_size_table`).
    """
    from designs.errors import InputError
    from designs.planning.power_curve import design_at

    rows = result.rows
    if fmt == "csv":
        return _gs_csv(rows, design)
    if fmt != "md":
        raise InputError(f"--format {fmt}: a group-sequential sample size is written as md or csv")
    posterior = getattr(rows[0], "rule", "frequentist") == "posterior"
    lines = [
        gs_md_header(rows[0].size_name == "n_per_arm", posterior),
        "|" + "---|" * len(_GS_COLUMNS),
    ]
    bounded = False
    for r in rows:
        cells = _gs_cells(r)
        shown = [f(cells[k]) for _, k, f in _GS_COLUMNS]
        # no null trial rejected (or every one): the one-sided bound over the null trials
        # counted, not an SE of 0 (a docs review)
        bound = bound_cell(r.type_i_error, counted_h0(r))
        if bound:
            shown[[k for _, k, _ in _GS_COLUMNS].index("mc_se_type_i_error")] = bound
        # likewise a power of 1 (or 0) over the trials it counted: "1.000 | 0.000" read as
        # certain (noted in an earlier sitting)
        power_bound = bound_cell(r.power, counted_h1(r, design.decision.excludes_failed), digits=3)
        if power_bound:
            shown[[k for _, k, _ in _GS_COLUMNS].index("mc_se")] = power_bound
        bounded = bounded or bool(bound or power_bound)
        if r.size_name != "n_per_arm":
            t = design_at(design, r.n_max).trial
            shown[[k for _, k, _ in _GS_COLUMNS].index("n_total_max")] = (
                f"{t.n_placebo} + {t.n_active}"
            )
        lines.append("| " + " | ".join(shown) + " |")
    r0 = rows[0]
    # the design's own size is not the one found (a review read "100 per arm" under n max 127)
    # a paragraph of its own (a review: it ran into the notes' first line, without a stop)
    described = f"Design (n max is found above): {design.describe(size=False)}."
    lines += ["", described, "", *_gs_notes(r0), *futility_beta_note(rows, design)]
    lines += _screening_lines(rows, design)
    from designs.outputs.look_notes import long_accrual_note

    slow = long_accrual_note(design, max(r.n_max for r in rows), " (the largest n max)")
    if slow:
        lines.append("N" + slow[1:])
    if bounded:
        lines.append(
            "A rate of 0 or 1 shows, in place of its MC SE of 0, its one-sided 95% bound over "
            "the trials counted (\u2264 for 0, \u2265 for 1)."
        )
    return "\n".join(lines) + "\n"


def _screening_lines(rows, design) -> list[str]:
    """Under delta-FS screening, the candidates to screen for each row's n max and expected
    patients (an economist's review: the fixed design's table gave them, this one none), by
    the closed form 1 / P(admitted); lead-in screening has none, and says so."""
    en = design.enrichment
    if not en.active:
        return []
    if en.screens_lead_in:
        return [
            "Candidates to screen: not given with looks under lead-in screening (no closed "
            "form); power --looks gives the simulated number at a size."
        ]
    p = en.delta_fs_admit_probability(design.population)
    per = 1.0 / p
    counts = "; ".join(
        f"{100 * r.target_power:g}%: {math.ceil(per * r.n_total_max - 1e-9):,} for n max, "
        f"about {per * r.expected_n_total_h1:.0f} and {per * r.expected_n_total_h0:.0f} "
        "expected under the effect and under no effect"
        for r in rows
    )
    return [
        f"Candidates to screen: {per:.2f} per patient randomised (the delta-FS rule admits "
        f"{p:.1%} of candidates; the design's screening criterion only): {counts}."
    ]


def _gs_notes(r0) -> list[str]:
    """The lines under the group-sequential sample-size table (md)."""
    sided = "one-sided" if r0.sides == 1 else "two-sided"
    looks = ", ".join(f"{x:g}" for x in r0.looks)
    if getattr(r0, "rule", "frequentist") == "posterior":
        return _posterior_notes(r0, looks)
    return [
        f"{r0.analysis}: looks at information {looks}, "
        f"{spending_words(r0.spending)} alpha spending ({r0.alpha:g} {sided}), "
        f"futility {spending_words(r0.futility)}; "
        f"{r0.trials} trials per size, seed {r0.seed}{_second_stage(r0)}.",
        "n max: the size the trial randomises if it reaches its final look; power: overall "
        "power in favour of active under the design's effect at n max; E[n total]: mean "
        "patients randomised by the look where the trial stopped, under the effect (H1) and "
        f"under no effect (H0), {DATA_CUT}; E[months]: the mean calendar month of that look "
        f"(the first row {r0.fixed_months:.1f} if it runs to its final look{_fixed_months(r0)}); "
        "inflation: n max / "
        "n of the same design without interim looks, "
        "both fitted on the same trials (same seed); n max is the inflation times n fixed, the "
        "fixed design's n as sample-size finds it without looks. Intervals: 95% Monte Carlo "
        "(bootstrap over simulated trials; n max's combines the inflation's and n fixed's), "
        f"simulation error only. {OWN_TRIALS}",
        *_nonbinding_rows_note(r0),
    ]


def _fixed_months(r0) -> str:
    """', the fixed design 57.3 at n fixed 181 per arm': the months an interim design's
    expected months compare with (an accrual review: the months to the final look at n max
    were called "without interim analyses", so the looks seemed to save 18 months, not 10)."""
    months = getattr(r0, "fixed_design_months", float("nan"))
    if months != months:  # NaN: an earlier file, or no fixed n found
        return ""
    per = "per arm" if r0.size_name == "n_per_arm" else "in total"
    return f", the fixed design {months:.1f} at n fixed {r0.n_fixed:,} {per}"


def _nonbinding_rows_note(r0) -> list[str]:
    """Under futility: each row's type I error with futility ignored, the level a
    non-binding design claims (the table's column follows the futility rule)."""
    if r0.futility == "none" or r0.type_i_error_nonbinding != r0.type_i_error_nonbinding:
        return []
    return [
        "Type I error with futility ignored (the level a non-binding design claims; the "
        "column above follows the futility rule, as the simulation does): "
        f"{r0.type_i_error_nonbinding:.4f} (MC SE {se_text(r0.mc_se_type_i_error_nonbinding)})"
        f" at the first row's n max; every row's is in the JSON (`type_i_error_nonbinding`)."
    ]


def _second_stage(r0) -> str:
    """The fixed search's second stage, which n max depends on (a review: rerunning with
    another --refine-trials gave another n max, and the notes did not say which was used)."""
    refine = r0.refine_trials
    return f"; the fixed search's second stage {refine} trials" if refine else ""


def _posterior_notes(r0, looks: str) -> list[str]:
    thresholds = ", ".join(threshold_text(t) for t in r0.thresholds)
    futility = (
        f"futility if the predictive probability of final success < {r0.futility_predictive:g}"
        if r0.futility_predictive > 0
        else "no futility rule"
    )
    return [
        f"{r0.analysis}: looks at information {looks}; posterior rule P(effect > "
        f"{r0.margin:g} | data) > {thresholds} by look ({r0.prior} prior), {futility}; "
        f"{r0.trials} trials per size, seed {r0.seed}{_second_stage(r0)}.",
        "n max: the size the trial randomises if it reaches its final look; power: the rule's "
        "success probability (any look) under the design's effect at n max; type I error: its "
        "success probability under no effect at n max, to compare with the one-sided level "
        f"{_one_sided_level(r0)}. The thresholds are used as given, NOT re-calibrated at each n: "
        "if the type I error is too high, run calibrate --looks at n max. E[n total]: mean "
        "patients randomised by the look where the trial stopped, under the effect (H1) and "
        f"under no effect (H0), {DATA_CUT}; E[months]: the mean calendar month of that look "
        f"(the first row {r0.fixed_months:.1f} if it runs to its final look{_fixed_months(r0)}); "
        "inflation: n max / "
        "n of the same design without interim looks "
        "judged at the final threshold, both fitted on the same trials (same seed); n max is "
        "the inflation times n fixed, that design's n as sample-size finds it. Intervals: 95% "
        "Monte Carlo (bootstrap over simulated trials; n max's combines the inflation's and n "
        f"fixed's), simulation error only. {OWN_TRIALS}",
    ]


#: Under the group-sequential sample-size tables: where the figures at n max come from (a
#: Bayesian review: unlike the fixed design's table, no column is on fresh trials).
OWN_TRIALS = (
    "The power and type I error at n max are simulated on the search's own trials (its "
    "seed), not on fresh ones, so they do not check n max independently: power --looks at n "
    "max with another --seed does."
)


def _one_sided_level(r0) -> str:
    """The level a one-directional rule's type I error is compared with: alpha one-sided, or
    half a two-sided alpha (a review read "alpha 0.025 one-sided / sides" as garbled)."""
    if r0.sides == 1:
        return f"{r0.alpha:g}"
    return (
        f"{r0.alpha / 2:g} (alpha {r0.alpha:g} two-sided, halved: the rule succeeds in one "
        "direction only)"
    )
