"""The report's interim design beside the fixed one: tables (Markdown, CSV, LaTeX) and the
methods paragraph, rendered from a :class:`designs.planning.report_interim.InterimPlan`.

Two tables: the designs compared (n max against n fixed, inflation, power, type I error,
expected patients randomised and calendar months under the effect and under no effect), and
the looks (information fractions, month, boundaries on the z scale and as nominal p, the
probability of stopping for efficacy and for futility at each look). Nothing here simulates.
"""

from __future__ import annotations

import math

from designs import __version__
from designs.analyses.registry import title
from designs.outputs.group_sequential import (
    DATA_CUT,
    charter_lines,
    has_futility,
    nonbinding_paren,
    nonbinding_row,
    sequential_type_i_flag,
    spending_words,
)
from designs.outputs.interim_looks_table import (
    _look_columns,
    interim_look_rows,
    null_trials,
)
from designs.outputs.look_notes import boundary_words, monitoring_text
from designs.outputs.numbers import rate_mc_se, se_text
from designs.outputs.rates import counted_h0, rate_cell, rate_edge, type_i_text
from designs.program import program_name

__all__ = [
    "INTERIM_REFERENCES",
    "interim_assurance_sentence",
    "interim_comparison_rows",
    "interim_look_rows",
    "interim_methods",
    "interim_table",
]

#: Works the interim paragraph cites (docs/references.md [20], [29], [17], [25], [45], [9], [30]).
INTERIM_REFERENCES = {
    "jennison_turnbull": "Jennison C, Turnbull BW (2000). *Group Sequential Methods with "
    "Applications to Clinical Trials*. Boca Raton: Chapman & Hall/CRC.",
    "lan_demets": "Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical "
    "trials. *Biometrika* 70(3):659-663. doi:10.1093/biomet/70.3.659",
    "hsd": "Hwang IK, Shih WJ, De Cani JS (1990). Group sequential designs using a family of "
    "type I error probability spending functions. *Statistics in Medicine* 9(12):1439-1445. "
    "doi:10.1002/sim.4780091207",
    "kim_demets": "Kim K, DeMets DL (1987). Design and analysis of group sequential tests "
    "based on the type I error spending rate function. *Biometrika* 74(1):149-154. "
    "doi:10.1093/biomet/74.1.149",
    "spiegelhalter_2004": "Spiegelhalter DJ, Abrams KR, Myles JP (2004). *Bayesian Approaches "
    "to Clinical Trials and Health-Care Evaluation*. Chichester: Wiley.",
    "berry_2010": "Berry SM, Carlin BP, Lee JJ, M\u00fcller P (2010). *Bayesian Adaptive "
    "Methods for Clinical Trials*. Boca Raton: Chapman & Hall/CRC.",
    "lan_wittes": "Lan KKG, Wittes J (1988). The B-value: a tool for monitoring data. "
    "*Biometrics* 44(2):579-585. doi:10.2307/2531870",
}


def interim_reference_keys(interim) -> list[str]:
    """The references the paragraph needs for this design's spending functions (under the
    posterior rule, those of its posterior and predictive probabilities)."""
    if interim.threshold_z is not None:  # Jennison & Turnbull: the implied type I error
        return ["spiegelhalter_2004", "berry_2010", "jennison_turnbull"]
    keys = ["jennison_turnbull", "lan_demets"]
    families = {interim.design.interim.spending.value, interim.design.interim.futility.value}
    if "hsd" in families:
        keys.append("hsd")
    if "power" in families:
        keys.append("kim_demets")
    if "cp" in families:  # conditional-power futility
        keys.append("lan_wittes")
    return keys


_NAN = math.nan


def interim_comparison_rows(interim) -> list[dict]:
    """The designs compared, as numbers: ``key``, ``label``, ``fixed``, ``fixed_mc_se``,
    ``interim``, ``interim_mc_se``, ``interim_low``/``interim_high`` (95% MC interval of the
    inflation) and ``digits`` (how the Markdown and LaTeX tables print it)."""
    s, row, fixed = interim.summary, interim.row, interim.fixed_row
    per = "per arm" if row.size_name == "n_per_arm" else "in total"

    def r(key, label, f, g, digits, f_se=_NAN, g_se=_NAN, lo=_NAN, hi=_NAN):
        return {
            "key": key,
            "label": label,
            "fixed": float(f),
            "fixed_mc_se": float(f_se),
            "interim": float(g),
            "interim_mc_se": float(g_se),
            "interim_low": float(lo),
            "interim_high": float(hi),
            "digits": digits,
        }

    ft, fse = interim.fixed_type_i_error, interim.fixed_type_i_mc_se
    extra = []
    for tr, a in (interim.assurance or {}).items():
        f = interim.fixed_assurance[tr]
        extra += [
            r(
                f"assurance_{tr}",
                f"assurance, {tr} transport (MC SE)",
                f.assurance,
                a.assurance,
                3,
                f.mc_se,
                a.mc_se,
            ),
            r(
                f"expected_n_total_{tr}",
                f"expected patients randomised over the posterior, {tr} transport",
                f.n_total,
                a.expected_n_total,
                1,
            ),
        ]
    power = ("power in favour of active (MC SE)", s.power_favourable, s.mc_se_favourable)
    if interim.threshold_z is not None:  # the posterior rule: its success probability
        power = ("probability of success of the posterior rule (MC SE)", s.power, s.mc_se)
    rows = [
        # the key names the unit too (an economist's review: "n" read as either)
        r(row.size_name, f"n {per} (interim: n max)", fixed.n, row.n_max, 0),
        r("n_total_max", "patients randomised at most", fixed.n_total, row.n_total_max, 0),
        r(
            "inflation",
            "inflation n max / n fixed (95% MC interval)",
            1.0,
            row.inflation,
            3,
            lo=row.inflation_low,
            hi=row.inflation_high,
        ),
        r("power", power[0], fixed.power, power[1], 3, fixed.mc_se, power[2]),
        r(
            "type_i_error",
            "type I error of the design (MC SE)",
            ft,
            s.type_i_error,
            4,
            fse,
            s.mc_se_type_i_error,
        ),
        *nonbinding_row(r, s, ft, fse),
        r(
            "expected_n_total_h1",
            "expected patients randomised, under the effect",
            fixed.n_total,
            s.expected_n_total,
            1,
        ),
        r(
            "expected_n_total_h0",
            "expected patients randomised, under no effect",
            fixed.n_total,
            s.expected_n_total_h0,
            1,
        ),
        r(
            "expected_months_h1",
            "expected calendar months, under the effect",
            interim.fixed_months,
            s.expected_months,
            1,
        ),
        r(
            "expected_months_h0",
            "expected calendar months, under no effect",
            interim.fixed_months,
            s.expected_months_h0,
            1,
        ),
    ]
    return rows + extra


def _cell(value: float, se: float, digits: int, lo: float = _NAN, hi: float = _NAN) -> str:
    text = f"{value:.{digits}f}"
    if math.isfinite(se):  # two significant digits, as every other table (a review: 0.001)
        text += f" ({se_text(se)})"
    if math.isfinite(lo) and math.isfinite(hi):
        text += f" ({lo:.{digits}f}\u2013{hi:.{digits}f})"
    return text


def _comparison_cells(interim) -> list[tuple[str, str, str]]:
    """(label, fixed, interim) as text; a type I error that counted no null trial with its
    one-sided 95% bound (:func:`designs.outputs.rates.rate_cell`)."""
    out = []
    for c in interim_comparison_rows(interim):
        d = c["digits"]
        fixed = "1" if c["key"] == "inflation" else _cell(c["fixed"], c["fixed_mc_se"], d)
        gs = _cell(c["interim"], c["interim_mc_se"], d, c["interim_low"], c["interim_high"])
        if c["key"] in ("type_i_error", "type_i_error_nonbinding"):
            gs = rate_cell(c["interim"], c["interim_mc_se"], counted_h0(interim.summary), d)
        out.append((c["label"], fixed, gs))
    return out


def _caption(interim) -> str:
    looks = interim.design.interim.describe()
    if interim.threshold_z is not None:
        looks = looks.split(";")[0] + "; posterior rule"
    return (
        f"Interim design beside the fixed design: {interim.design.trial.name}, "
        f"{looks}, {title(interim.summary.analysis)}."
    )


def _notes(interim) -> str:
    if interim.threshold_z is not None:
        from designs.outputs.interim_posterior import posterior_notes

        return posterior_notes(interim)
    s, row = interim.summary, interim.row
    sided = "one-sided" if s.sides == 1 else "two-sided"
    return (
        f"Both designs at the size chosen for {100 * row.target_power:g}% power "
        f"({s.alpha:g} {sided}): the fixed design at its n, the interim design at n max, the "
        "size it randomises if it reaches its final look. Expected patients randomised and "
        "calendar months: means over simulated trials of the patients entered and the month "
        f"at the look where each trial stopped ({DATA_CUT}; the fixed design randomises all "
        "and ends after the last patient's last visit; patients, not the expected information of "
        "rpact's or EAST's tables). Boundaries: planned, on the z scale, with their nominal "
        f"p ({sided}); {boundary_words(s)}. "
        + (
            "Futility is non-binding (the efficacy boundaries ignore it) and followed in the "
            "simulation. "
            if has_futility(s)
            else "No futility rule. "
        )
        + (
            "P(stop, efficacy): a crossing of either efficacy boundary, so under no effect it "
            "includes crossings favouring placebo (harm); summed over looks it is the "
            "two-sided type I error. "
            if s.sides == 2
            else ""
        )
        + "Information fraction observed: mean over trials of 1/SE^2 at the "
        "look over the planned final information. In brackets: Monte Carlo SE. "
        f"{hypothesis_trials_text(s)}{_assurance_trials_text(interim)}, seed {s.seed}, "
        f"als-trial-sim {__version__}.{type_i_flag_sentence(s)}"
        + "".join(f" {line[0].upper()}{line[1:]}." for line in charter_lines(s))
    )


def type_i_flag_sentence(s, level: float | None = None, posterior: bool = False) -> str:
    """' Interim design's type I error: LIBERAL ...' when it is off its level (else ''):
    :func:`~designs.outputs.group_sequential.sequential_type_i_flag` as the notes' sentence,
    for the frequentist notes and (``level``, ``posterior``) the posterior rule's."""
    flag = sequential_type_i_flag(s, level, posterior)
    return f" Interim design's type I error: {flag}." if flag else ""


def _assurance_trials_text(interim) -> str:
    """'; assurance: 4000 simulated trials per design' when assurance has trials of its own."""
    counts = {a.trials for a in (interim.assurance or {}).values()}
    if not counts or counts == {interim.summary.trials}:
        return ""
    return f"; assurance: {max(counts)} simulated trials per design and transport"


def type_i_over_trials(s) -> str:
    """The whole design's type I error with the null trials it is over, for running text:
    ``'0.0240 (MC SE 0.0024) over 4,000 trials'``; when no trial counted, the rate's text
    names them itself (``'0.0000 (none of 4,000 trials; one-sided 95% upper bound ...)'``),
    so they are not named twice."""
    text = type_i_text(s)
    if rate_edge(s.type_i_error, counted_h0(s)) is None:
        text += f" over {null_trials(s):,} trials"
    return text


def hypothesis_trials_text(s) -> str:
    """'2000 simulated trials under the effect and 10834 under no effect' (the type I
    error's run has more, for its MC SE), or '... per hypothesis' when they are as many."""
    null = null_trials(s)
    if null == s.trials:
        return f"{s.trials} simulated trials per hypothesis"
    return f"{s.trials} simulated trials under the effect and {null} under no effect"


def _md(interim) -> str:
    lines = ["| | fixed design | interim design |", "|---|---|---|"]
    lines += [f"| {label} | {f} | {g} |" for label, f, g in _comparison_cells(interim)]
    columns, cells = _look_columns(interim)
    lines += ["", "| " + " | ".join(h for _, h, _, _ in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    lines += ["| " + " | ".join(cells(r)) + " |" for r in interim_look_rows(interim)]
    return (
        "\n".join(lines)
        + f"\n\n{_caption(interim)}\n\n{_notes(interim)}\n"
        + _every_target(interim)
    )


def _every_target(interim) -> str:
    """Every target's n max with its 95% Monte Carlo interval, as ``sample-size --looks``
    gives them (a report review: the 90% target's n max was in the README alone, and no
    interval of n max was in the folder); empty with one target."""
    if len(interim.sample_size.rows) < 2:
        return ""
    from designs.outputs.sample_size_gs_table import group_sequential_sample_size_table

    table = group_sequential_sample_size_table(interim.sample_size, interim.design, "md")
    s = interim.summary
    return (
        f"\nEvery target (the tables above are the {interim.row.target_power:.0%} target's "
        f"design), as {program_name()} sample-size with the looks gives them: power, E[n total] "
        f"and type I error on the search's own {interim.sample_size.trials:,} trials per "
        f"size, so the {interim.row.target_power:.0%} row differs from the tables above "
        f"({s.trials:,} trials under the effect, {null_trials(s):,} under no effect) by "
        f"Monte Carlo error:\n\n{table}"
    )


def _latex(interim, cautions=()) -> str:
    import pandas as pd

    from designs.outputs.latex import booktabs_table

    frame = pd.DataFrame(
        [list(c) for c in _comparison_cells(interim)],
        columns=pd.MultiIndex.from_tuples([("", ""), ("Design", "fixed"), ("Design", "interim")]),
    )
    comment = f"interim tables, als-trial-sim {__version__}, seed {interim.summary.seed}"
    first = booktabs_table(
        frame,
        caption=_caption(interim),
        notes=" ".join([*cautions, _notes(interim)]),
        comment=comment + "; needs \\usepackage{booktabs} and \\usepackage{graphicx}",
        label="tab:interim-design",
        # a review: 45-character labels right-aligned in an r column; a protocol writer's
        # review: the longest ran past the margin (they wrap now)
        column_format="p{0.5\\linewidth}rr",
    )
    columns, cells = _look_columns(interim)
    looks = pd.DataFrame(
        [cells(r) for r in interim_look_rows(interim)],
        columns=pd.MultiIndex.from_tuples([(g, h) for _, _, g, h in columns]),
    )
    second = booktabs_table(
        looks,
        caption="Interim looks: information, boundaries and stopping probabilities.",
        notes="P(stop): probability of stopping at the look for efficacy or for futility "
        "(MC SE in brackets). " + _caption(interim),
        comment=comment,
        label="tab:interim-looks",
        fit_width=True,  # 12 columns: about twice an article's text width
    )
    return first + "\n" + second


def interim_table(interim, fmt: str = "md", cautions=()) -> str:
    """Both interim tables in ``fmt`` (``md`` or ``latex``), or the designs compared
    (``csv``: the looks are
    :func:`designs.outputs.interim_csv.interim_looks_csv`); ends with a newline.
    ``cautions``: on the fixed design's n, which n max is scaled from (its notes open with
    them)."""
    scaled = [f"The fixed design's n, which n max is scaled from: {c}" for c in cautions]
    if fmt == "md":
        return "".join(f"**{c}**\n\n" for c in scaled) + _md(interim)
    if fmt == "csv":
        from designs.outputs.interim_csv import interim_csv

        return interim_csv(interim)
    if fmt == "latex":
        return _latex(interim, scaled)
    raise ValueError(f"format {fmt!r}: allowed md, csv, latex")


#: How the paragraph cites each reference (author-year, as the rest of the methods text).
_CITES = {
    "jennison_turnbull": "Jennison & Turnbull 2000",
    "lan_demets": "Lan & DeMets 1983",
    "hsd": "Hwang, Shih & DeCani 1990",
    "kim_demets": "Kim & DeMets 1987",
    "lan_wittes": "Lan & Wittes 1988",  # conditional-power futility (a review: KeyError)
}


def interim_assurance_sentence(interim) -> str:
    """The methods' sentence on the interim design's assurance ("" without a posterior)."""
    if not interim.assurance:
        return ""
    tr, a = next(iter(interim.assurance.items()))
    f = interim.fixed_assurance[tr]
    return (
        f" Averaged over the phase 2 posterior of the effect ({tr} transport), the "
        f"probability of success at any look was {rate_mc_se(a.assurance, a.mc_se)} "
        f"against an assurance of {f.assurance:.3f} for the fixed design, with "
        f"{a.expected_n_total:.1f} patients randomised on average."
    )


def interim_methods(interim) -> str:
    """The methods paragraph on the interim design (Markdown, author-year citations)."""
    if interim.threshold_z is not None:
        from designs.outputs.interim_posterior import posterior_methods

        return posterior_methods(interim)
    s, row = interim.summary, interim.row
    keys = interim_reference_keys(interim)
    sided = "one-sided" if s.sides == 1 else "two-sided"
    looks = ", ".join(f"{x:g}" for x in s.looks)
    months = ", ".join(f"{m:.1f}" for m in s.look_months)
    bounds = ", ".join(f"{z:.3f}" for z in s.efficacy_boundaries_z)
    spend = "; ".join(_CITES[k] for k in keys if k != "jennison_turnbull")
    fut = (
        "without a futility rule"
        if s.futility == "none"
        else f"with {interim.design.interim.futility_words()}, followed in the simulation"
    )
    per = "per arm" if row.size_name == "n_per_arm" else "in total"
    prior = interim_assurance_sentence(interim)
    plan = interim.design
    given = {
        "look_months": "at calendar months {} (expected information fractions {})",
        "look_completed": "when fractions {} of the patients had passed their last visit "
        "(expected information fractions {})",
    }.get(plan.interim.looks_as)
    at = (
        given.format(
            ", ".join(f"{x:g}" for x in getattr(plan.interim, plan.interim.looks_as)), looks
        )
        if given
        else f"at information fractions {looks}"
    )
    accrual = (
        f"accrual of {plan.accrual.describe(plan.trial.accrual_per_month)}"
        if plan.accrual.ramped
        else "uniform accrual"
    )
    return (
        f"**Interim analyses.** The design was also planned with {len(s.looks)} analyses "
        f"{at} (expected calendar months {months}), stopping for "
        f"efficacy when the z statistic of the {title(s.analysis)} crosses a boundary that "
        "spends "
        f"{s.alpha:g} ({sided}) by the {spending_words(s.spending)} alpha-spending function "
        f"({spend}), {fut}. "
        "Boundaries were computed by recursive numerical integration over the canonical "
        "joint distribution of the z statistics (Jennison & Turnbull 2000; planned z: "
        f"{bounds}); each simulated trial, generated in calendar time with {accrual} "
        "and analysed with the data available at each look, "
        f"{monitoring_text(s, plan.population.integer_scores)}. The "
        "maximum size for "
        f"{100 * row.target_power:g}% power was "
        f"{row.n_max} {per} against {row.n_fixed} for the fixed design: the inflation "
        f"{row.inflation:.3f} (95% Monte Carlo interval {row.inflation_low:.3f}-"
        f"{row.inflation_high:.3f}; both designs' sizes fitted on the same simulated trials) "
        "times the fixed design's unrounded n "
        # (a paste-ready review: 1.004 x 183 is not 183; the n found was 182.4)
        f"({row.n_fixed_estimate:.1f}), rounded up; at that size the power was "
        f"{s.power_favourable:.3f} (MC "
        f"SE {se_text(s.mc_se_favourable)}), the type I error of the whole design "
        f"{type_i_over_trials(s)} under no effect{nonbinding_paren(s)}, and the expected number "
        f"randomised {s.expected_n_total:.1f} under the effect and {s.expected_n_total_h0:.1f} "
        f"under no effect, of {s.n_total}, with expected durations of {s.expected_months:.1f} "
        f"and {s.expected_months_h0:.1f} months against {interim.fixed_months:.1f} for the "
        "fixed design." + prior
    )
