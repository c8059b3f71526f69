"""The index of a report folder (its ``README.md``): what each file is, which to paste first,
and a legend for each figure; and the header lines of the two design files."""

from __future__ import annotations

from designs.analyses.registry import title
from designs.outputs.console import is_illustrative, phase2_words
from designs.outputs.csv_columns import columns_markdown
from designs.outputs.methods_dropout import survival_effect_text
from designs.outputs.plotting import posterior_rule_short
from designs.outputs.report_cautions import fresh_check_block, one_stage_caution
from designs.outputs.tables import N_INTERVAL_NOTE, _n_text, csv_header, refit_words

#: What rerunning the report's command promises (a regulatory review: "the same command makes
#: the same files" holds on one machine; another machine's phase 2 fit draws another MCMC
#: sample, and assurance and the borrowing rule's numbers move with it).
SAME_FILES = (
    "on this machine the same command makes the same files; on another, the simulated numbers "
    "agree to a relative 1e-9 and the phase 2 fit is another MCMC sample of its posterior (the "
    'tool\'s README, section: What "the same seed gives the same numbers" promises).'
)


def input_design_header(chosen, interim=None) -> str:
    """Header of ``design.toml``: it is the design as given, not at the chosen size."""
    size = _size_text(chosen)
    if interim is None:
        return (
            "# INPUT design of this report, as given: its trial size is NOT the size the "
            f"report\n# chose. The chosen size ({size} for {chosen.target_power:.0%} power) is "
            "in\n# sample_size.md; design_chosen.toml is this design at that size.\n"
        )
    return (
        "# INPUT design of this report, as given: its trial size is NOT the size the report\n"
        f"# chose. design_chosen_interim.toml is this design at its n max for "
        f"{chosen.target_power:.0%} power\n# ({_max_text(interim.row)}; interim.md); "
        f"design_chosen.toml is the fixed design (without\n# its [interim] looks) at "
        f"{size} (sample_size.md).\n"
    )


def chosen_design_header(chosen, interim=None, cautions=()) -> str:
    """Header of ``design_chosen.toml``: with interim looks, the FIXED design; ``cautions``
    on that size below it, as comments (the file most likely reused)."""
    warned = _comment_block(cautions)
    if interim is None:
        return (
            f"# The report's design at the size chosen for {chosen.target_power:.0%} power: "
            f"{_size_text(chosen)}\n# (sample_size.md; the input design is design.toml).\n" + warned
        )
    return (
        "# The FIXED design (the input design WITHOUT its [interim] looks) at the size chosen\n"
        f"# for {chosen.target_power:.0%} power: {_size_text(chosen)} (sample_size.md). The "
        "interim design at its n max\n# is design_chosen_interim.toml; the input design is "
        "design.toml.\n" + warned
    )


def chosen_interim_header(row, cautions=()) -> str:
    """Header of ``design_chosen_interim.toml``: the interim design at its n max; the
    ``cautions`` on the fixed n it is scaled from below it."""
    scaled = [f"The fixed design's n, which n max is scaled from: {c}" for c in cautions]
    return (
        "# The INTERIM design (the input design with its [interim] looks) at its n max for\n"
        f"# {row.target_power:.0%} power: {_max_text(row)} (interim.md). The fixed design at "
        "its n\n# is design_chosen.toml; the input design is design.toml.\n"
    ) + _comment_block(scaled)


def _comment_block(lines) -> str:
    """``lines`` as TOML comments, each wrapped at 88 characters after an empty comment
    line, and one more after them (nothing without lines)."""
    import textwrap

    wrapped = (
        "\n".join(textwrap.wrap(c, 88, initial_indent="# ", subsequent_indent="# ")) for c in lines
    )
    return "".join(f"#\n{w}\n" for w in wrapped) + ("#\n" if lines else "")


def _max_text(row) -> str:
    if row.size_name == "n_per_arm":
        return f"n_per_arm = {row.n_max}"
    return f"n_total = {row.n_max}"


def _size_text(row) -> str:
    if row.size_name == "n_per_arm":
        return f"n_per_arm = {row.n}"
    return f"n_total = {row.n} ({row.n_placebo} placebo + {row.n_active} active)"


def _second_stage(result) -> str:
    """After a two-stage sample-size search, what its second stage simulated."""
    if not result.refine_trials:
        return ""
    return (
        f" (the sample-size search in two stages: then {result.refine_trials} more trials at "
        "the sizes near each n)"
    )


def _second_stage_legend(plan) -> str:
    result = plan.sample_size
    if not result.refine_trials:
        return ""
    return (
        f" Two stages: the points are the first stage ({result.trials} trials per size); "
        f"hollow diamonds: the second stage ({result.refine_trials} more trials at the sizes "
        "near each first-stage n, with their 95% Monte Carlo bars); the curve is fitted to "
        "both."
    )


def _power(design, capital: bool = False) -> str:
    """What the power figures show: 'power (significant and favouring active)' or the
    posterior rule's success probability."""
    if design.decision.is_posterior:
        text = f"success probability of the posterior rule ({posterior_rule_short(design)})"
    else:
        text = "power (significant and favouring active)"
    return text[0].upper() + text[1:] if capital else text


def _no_benefit_bound(plan) -> str:
    """What successes without benefit add to assurance at most: 1 - P times the rule's type
    I error, the one-sided alpha for the design's test; the posterior rule's own, which
    borrowing raises above it (a review: "the one-sided alpha" beside a type I error of
    0.064 at 0.025), as simulated at the first target's n."""
    design = plan.design
    if not design.decision.is_posterior:
        return "at most 1 - P times the one-sided alpha"
    oc = plan.operating
    return (
        "at most about 1 - P times the rule's type I error, "
        f"{oc['type_i_error']:.4f} at {_size_text(plan.sample_size.rows[0])} (operating "
        "characteristics), which moves with n"
    )


def _curve_legend(result) -> str:
    """The search figure's curves: dashed over every size and solid per refitted target, or
    one solid curve when no target was refitted (a diff review)."""
    if not any(s is not None for s in (getattr(result, "target_spans", ()) or ())):
        return "solid line: the probit curve in the square root of n fitted to them, inverted for n"
    return (
        "dashed line: the probit curve in the square root of n fitted to them; each refitted "
        "target's curve in the target's colour (solid, dash-dot, then dash-dot-dot by target), "
        "on the sizes near where the dashed one crosses it, inverted for n ("
        + refit_words(result)
        + ")"
    )


def _success_event(design) -> str:
    if design.decision.is_posterior:
        return f"success under the posterior rule ({posterior_rule_short(design)})"
    return "a significant favourable result"


def _closed_form_legend(design) -> str:
    if not design.decision.is_posterior:
        return (
            "closed-form power (continuous scores, GLS slope, z test; shown for slope "
            "analyses only)"
        )
    t = design.trial
    return (
        f"the frequentist z test at alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided "
        "in closed form (continuous scores, GLS slope; slope analyses only), for comparison "
        "only: it is not the trial's posterior rule, so it need not agree with the points"
    )


def _borrowing_at(plan) -> str:
    """The borrowing sweep's n, threshold, margin and robust SD."""
    from designs.outputs.figures_decision import settings_text
    from designs.planning.power_curve import design_at

    return settings_text(design_at(plan.design, plan.sample_size.rows[0].n))


def _chosen_rows(plan) -> list[str]:
    target = f"{plan.sample_size.rows[0].target_power:.0%}"
    if plan.interim is None:
        return [f"| `design_chosen.toml` | the same design at the size chosen for {target} power |"]
    return [
        "| `design_chosen.toml` | the FIXED design (the input design without its [interim] "
        f"looks) at the size chosen for {target} power, which every table but `interim.*` "
        "is about |",
        f"| `design_chosen_interim.toml` | the INTERIM design (with its looks) at its n max for "
        f"{target} power (`interim.md`) |",
    ]


def _figure(name: str, title: str, legend: str) -> list[str]:
    return [
        f"### {title}",
        "",
        f"`{name}.pdf` (vector) and `{name}.png` (300 dpi).",
        "",
        legend,
        "",
    ]


def _assurance_trials(plan) -> str:
    """'; assurance: 4000 per size and transport' when assurance has more trials."""
    curves = getattr(plan, "assurance_curves", None)
    if not curves:
        return ""
    trials = next(iter(curves.values()))[0].trials
    return "" if trials == plan.trials else f"; assurance: {trials} per size and transport"


def _interim_answers(plan) -> str:
    """The design with its looks: n max for each target, ahead of the fixed design's answers
    (a grant writer's review: the headline gave the fixed n only; a protocol writer's review:
    with n max after the fixed n, the fixed n was what a reader took for the trial's)."""
    interim = plan.interim
    rows = interim.sample_size.rows
    per = "per arm" if rows[0].size_name == "n_per_arm" else "in total"
    answers = "; ".join(
        f"{r.target_power:.0%} power: n max = {r.n_max} {per} ({r.n_total_max} randomised at "
        f"most, {r.expected_n_total_h1:.0f} expected under the effect)"
        for r in rows
    )
    looks = interim.design.interim.describe()
    if interim.threshold_z is not None:  # no alpha spending under the posterior rule (a review)
        looks = looks.split(";")[0] + "; posterior rule"
    return f"With the interim looks ({looks}): {answers} (`interim.md`)."


def draft_caution(trials: int) -> list[str]:
    """A Markdown block when the report's trials per point are fewer than a final run's (an
    HTA review: the console said so, the folder a reader receives did not)."""
    from designs.planning.operating import FINAL_RUN_MC_SE, final_run_trials

    if trials >= final_run_trials():
        return []
    return [
        f"> **A draft: {trials:,} simulated trials per point. A final run uses "
        f"`--trials {final_run_trials()}` or more (a Monte Carlo SE of every power in the "
        f"curves and tables of at most {FINAL_RUN_MC_SE:g}); n itself is as precise as its "
        "Monte Carlo interval says.**",
        "",
    ]


def report_readme(plan, command: str | None = None) -> str:
    """The folder's README.md (Markdown); ``command``: the command line that made it."""
    from designs.simulation.numba_cache import software

    design, rows = plan.design, plan.sample_size.rows
    per_arm = rows[0].size_name == "n_per_arm"
    # with the Monte Carlo interval of n (an HTA review: the headline gave n alone, its
    # interval only in the table)
    answers = "; ".join(
        f"{r.target_power:.0%} power: n = {r.n} per arm (MC interval {_n_text(r)} per arm; "
        f"{r.n_total} randomised)"
        if per_arm
        else f"{r.target_power:.0%} power: n = {r.n} in total (MC interval {_n_text(r)} in "
        f"total; {r.n_placebo} placebo + {r.n_active} active)"
        for r in rows
    )
    analysis = title(plan.analysis)
    if plan.interim is not None:  # the trial's own size first, then the fixed design's
        answers = (
            f"{_interim_answers(plan)} Without the looks (the fixed design, which the "
            "sample-size, operating-characteristics and realism tables and the figures other "
            f"than `interim_boundaries` describe; `methods.md` gives both): {answers}"
        )
    lines = [
        f"# Report: {' '.join(design.trial.name.split())}",
        "",
        f"{answers}. Analysis: {analysis}. {plan.trials} simulated trials per point"
        f"{_second_stage(plan.sample_size)}{_assurance_trials(plan)}, seed {plan.seed}, "
        f"{software()}.",
        "",
        # the cautions on these numbers right under them (a protocol writer's review: an
        # uncalibrated rule's "type I error above the level" came six lines after its n)
        *fresh_check_block(
            plan.sample_size.rows,
            design,
            command,
            calibrated=getattr(plan, "prior_weight_calibrated", None),
        ),
        *one_stage_caution(plan.sample_size),
        *draft_caution(plan.trials),
        *([f"Made with `{command}`; {SAME_FILES}", ""] if command else []),
        *_posterior_lines(plan),
        "## Paste first",
        "",
        "1. `methods.md`: the methods paragraph (estimand, model, dropout, sample size, "
        + ("assurance, " if plan.assurance is not None else "")
        + "software, references).",
        *(
            [  # the trial's own design before the fixed one's tables (a protocol review)
                "2. `interim.tex` or `interim.md`: the design with its interim looks beside "
                "the fixed one (n max, boundaries, stopping), and `interim_boundaries.pdf`.",
                "3. `sample_size.tex` (LaTeX, needs `\\usepackage{booktabs}`) or "
                "`sample_size.md`: the fixed design's sample-size table, which n max "
                "inflates.",
                "4. `sample_size_curve.pdf`: the figure behind that table.",
            ]
            if plan.interim is not None
            else [
                "2. `sample_size.tex` (LaTeX, needs `\\usepackage{booktabs}`) or "
                "`sample_size.md`: the sample-size table.",
                "3. `sample_size_curve.pdf`: the figure behind the table.",
            ]
        ),
        "",
        f"The interval given for n is {N_INTERVAL_NOTE}.",
        "",
        "## Files",
        "",
        "| file | what it is |",
        "|---|---|",
        "| `methods.md` | methods paragraph with its reference list |",
        "| `sample_size.md`, `.tex`, `.csv` | n for each target power: Markdown, LaTeX "
        "(booktabs), CSV with every column |",
        "| `operating_characteristics.md`, `.tex`, `.json` | type I error, power, minimal "
        "detectable effect, completers, visits, calendar length (and under screening the "
        f"candidates to screen) at n = {rows[0].n}, and the power "
        "against the true effect (under the posterior rule beside the one-sided test at its "
        "level, on the same trials) |",
        "| `realism_sensitivity.md` | power and bias at that n under assumptions that are not "
        "published (informative dropout, deaths, curved decline, an effect that starts late "
        "or wanes) |",
        "| `power_sweep.nc` | the trial's analysis only: its simulated power against the size "
        "at 75%, 100% and 125% of the design's effect, behind `power_curve` (and the "
        "fixed-effect line of `assurance_curve`); the other analyses and the sample-size "
        "search are not in it (netCDF, xarray: `xr.load_dataset`) |",
        "| `design.toml` | the INPUT design, as given (its size is not the chosen one) |",
        *_chosen_rows(plan),
        "| `*.pdf`, `*.png` | figures, below |",
        "| `SHA256SUMS` | the SHA-256 of every other file (`sha256sum -c SHA256SUMS` checks "
        "that none was edited since) |",
    ]
    if plan.assurance is not None:
        lines.append(
            "| `assurance.json` | the posterior it rests on (data and draws SHA-256), seed, "
            "software and command, and under `assurance` the assurance at each chosen n, both "
            "transports, with Monte "
            "Carlo SE |"
        )
    if plan.prior_weight_sweep is not None:
        lines.append(
            "| `prior_weight.md`, `.csv` | the posterior rule with a robust prior: power and "
            "type I error against the weight of the phase 2 posterior, and the power at the "
            "threshold that holds the type I error at the one-sided level |"
        )
    if plan.interim is not None:
        lines.append(
            "| `interim.md`, `.tex`, `.csv` | the interim design beside the fixed one: n max "
            "and inflation, power, type I error, expected patients and months under the "
            "effect and under no effect; boundaries and stopping probabilities per look "
            "(in the CSV: `interim_looks.csv`) |"
        )
    lines += ["", "## Columns of `sample_size.csv`", ""]
    lines += columns_markdown(
        csv_header(rows[0].size_name == "n_per_arm"), design.decision.is_posterior
    )
    lines += ["", "## Figures", ""]
    lines += _figure(
        "sample_size_curve",
        "Sample-size search",
        f"Points: simulated {_power(design)} at each size searched (bars: 95% Monte Carlo "
        f"interval); {_curve_legend(plan.sample_size)}; dotted: "
        f"{_closed_form_legend(design)}; square, triangle, then down-triangle: n for each "
        "target power, with the Monte Carlo interval of that estimate (simulation error only)."
        + _second_stage_legend(plan),
    )
    lines += _figure(
        "power_curve",
        "Power against sample size",
        f"{_power(design, capital=True)} of the trial's analysis against the size, "
        "for the design's effect (thick) and 75% and 125% of it, with 95% Monte Carlo bands; "
        "dots: the chosen n on the target lines. The title states the assumptions.",
    )
    lines += _figure(
        "analyses_compared",
        "Analyses compared on the same simulated trials",
        "Power of each analysis at the design's effect, all on the same simulated trials, so "
        "differences are between analyses, not data sets; bands: 95% Monte Carlo interval. "
        + (
            "Every analysis is judged by the trial's posterior rule; only the trial's own "
            "analysis is planned, the others are for comparison (no multiplicity correction)."
            if design.decision.is_posterior
            else "Only the trial's own test is at its alpha; the others are for comparison (no "
            "multiplicity correction)."
        )
        + _survival_caption(plan),
    )
    if plan.assurance is not None:
        lines += _figure(
            "assurance_curve",
            "Assurance beside power",
            "Black: power at the design's fixed effect (95% Monte Carlo band). Blue (filled "
            "band) and orange (hatched band): assurance, the probability of "
            f"{_success_event(design)} averaged over the phase 2 posterior, with proportional and "
            "absolute transport; dotted lines of the same colours: power at the "
            "posterior-median effect; dash-dot: P(true effect > 0), which assurance exceeds "
            f"only by successes without benefit ({_no_benefit_bound(plan)}); "
            "vertical dotted lines: the n chosen at the fixed effect.",
        )
        lines += _figure(
            "posterior_effect",
            "Posterior of the treatment effect",
            "Posterior draws of the effect on slope with proportional transport (left, % of "
            "the mean pre-dose decline) and absolute transport (right, points/month); dashed red: "
            "median; shaded: central 95% of the draws; dotted green: the design's fixed effect. "
            f"Phase 2: {phase2_words(is_illustrative(plan.posterior_attrs))}.",
        )
    if plan.interim is not None:
        left = (
            "Left: the planned efficacy boundary (red; futility: green dashed) on the z scale"
            if plan.interim.threshold_z is None
            else "Left: each look's threshold of the posterior rule as the z it implies at the "
            "look's planned information (red)"
        )
        lines += _figure(
            "interim_boundaries",
            "Interim looks: boundaries and stopping",
            left + " at each look, over the distribution of the simulated trials' z at that look "
            "(every trial, whether or not it had stopped; right halves: under the design's "
            "effect, left halves: under no effect; lines: medians). Right: cumulative "
            "probability of having stopped for efficacy (solid) and futility (dashed) by "
            "each look. Every other table and figure of this report is the fixed design "
            "(the same design without interim looks).",
        )
    if plan.prior_weight_sweep is not None:
        lines += _figure(
            "prior_weight",
            "Borrowing from phase 2: power and type I error against the weight",
            "The posterior rule (success when P(effect > margin | data) exceeds the design's "
            "threshold) with a robust prior: weight w on the phase 2 posterior of the effect, "
            "1 - w on N(0, robust_sd^2) (unit information: the SD of the effect estimate with "
            "one patient per arm, unless decision.robust_sd is set), at the n chosen for the "
            f"first target ({_borrowing_at(plan)}). Left: power at the "
            "design's effect; right: type I error on the same trials with no effect (the "
            "prior-data conflict: phase 3 truth zero, phase 2 says benefit), dashed: the "
            "one-sided level. Bars: 95% Monte Carlo intervals." + _calibrated_caption(plan),
        )
    return "\n".join(lines)


def _calibrated_caption(plan) -> str:
    """The figure's dashed line of power at the threshold calibrated per weight."""
    c = plan.prior_weight_calibrated
    if c is None:
        return ""
    return (
        f" Dashed (left): the power at the threshold that holds the type I error at "
        f"{c.target:g} at each weight ({c.null_trials:,} trials with no effect; "
        "`prior_weight.md` gives the thresholds and what held type I error leaves of the "
        "gain)."
    )


def _posterior_lines(plan) -> list[str]:
    """The phase 2 posterior the assurance rests on: the data it was fitted to and whether
    the fit converged (a review: neither was in any file of a report on the user's own
    posterior; an unconverged fit was said on stderr only)."""
    if plan.posterior_attrs is None:
        return []
    from designs.outputs.posterior_source import posterior_sentences

    return [f"Phase 2 posterior: {posterior_sentences(plan.posterior_attrs)}", ""]


def _survival_caption(plan) -> str:
    """The comparison figure's sentence on survival where the joint rank is compared and
    patients die: the simulated treatment has no effect on survival of its own (a survival
    review)."""
    sweep = getattr(plan, "analyses_sweep", None)  # a plan without the comparison
    if sweep is None or "analysis" not in sweep.dims:
        return ""
    if "joint_rank" not in [str(a) for a in sweep["analysis"].values]:
        return ""
    text = survival_effect_text(plan.design)
    return " " + text.strip() if text else ""
