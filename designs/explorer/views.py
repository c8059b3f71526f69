"""The views as HTML: numbers from the library's results, laid out; nothing is computed.

Each view states the seed and the number of simulated trials; a view that uses the phase 2
posterior carries the caveat about the illustrative, uncontrolled phase 2 data
(:data:`designs.outputs.console.UNCONTROLLED_NOTE`).
"""

from __future__ import annotations

import base64
import math

from shiny import ui

from designs.analyses.registry import title
from designs.explorer.compute import all_failed
from designs.explorer.limits import page_limit
from designs.explorer.messages import losses_caption
from designs.explorer.view_parts import caveat, data_table, mc_se_words, provenance, warnings_html
from designs.outputs.calendar import calendar_text
from designs.outputs.console import (
    MULTIPLE,
    decision_lines,
    estimand_line,
    failed_fit_warnings,
    informative_exits,
    phase2_caveat,
    power_notes,
    prior_text,
)
from designs.outputs.fresh_check import fresh_check_warnings
from designs.outputs.group_sequential import nonbinding_text
from designs.outputs.level_warnings import (
    group_sequential_type_i_warnings,
    posterior_looks_warnings,
    type_i_warnings,
)
from designs.outputs.numbers import rate_se, se_text
from designs.outputs.prior_notes import robust_sd_note
from designs.outputs.rates import type_i_text
from designs.program import program_name
from designs.spec.decision import threshold_text

#: What the LaTeX and figure downloads hold for a design with interim looks (the command
#: line writes neither for it).
NO_LATEX_WITH_LOOKS = (
    "--format latex: with interim looks the sample-size table is written as md or csv only"
)
NO_FIGURE_WITH_LOOKS = (
    "figure: with interim looks no sample-size figure is drawn yet (fixed designs only)"
)


def _size_text(design) -> str:
    t = design.trial
    if t.allocation.equal:
        return f"n = {t.n_per_arm} per arm ({t.n_total} randomised)"
    return f"n = {t.n_total} randomised ({t.n_placebo} placebo, {t.n_active} active)"


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.1%}"


def _power_notes(design, view) -> list[str]:
    """The command line's notes on the power of ``view``'s analyses but its multiplicity note
    (which the page words under the analyses table)."""
    return [n for n in power_notes(design, list(view.summaries.values())) if MULTIPLE not in n]


def _about_other_analyses(notes, design, view) -> list[str]:
    """The notes about an analysis shown for comparison, not the trial's own (e.g. "note:
    ols_slope_ttest under attrition ..." beside lmm_slope): grey, not red."""
    primary = str(design.trial.analysis)
    others = [a for a in view.summaries if a != primary]
    return [n for n in notes if any(n.startswith((f"note: {a} ", f"note: {a}:")) for a in others)]


def power_announcement(req, view) -> str:
    """The headline in one sentence, for the page's one live region (a screen reader reads
    it when the power is new; the views' own regions are quiet)."""
    design = req.design
    primary = str(design.trial.analysis)
    gs = view.sequential
    shown = gs if gs is not None else view.summaries[primary]
    what = "Success probability" if design.decision.is_posterior else "Power"
    looks = "" if gs is None else f" with {len(gs.looks) - 1} interim and a final look"
    return (
        f"{what}{looks}: {shown.power_favourable:.3f} ({mc_se_words(design, shown)}), "
        f"{primary}, {_size_text(design)}."
    )


def sample_size_announcement(req, view) -> str:
    """The sample size in one sentence for the page's live region, after the power: "Sample
    size: n = 184 per arm for 80% power, 245 per arm for 90%." (the maximum n with looks; a
    target not reached says so)."""
    what = "maximum n" if view.sequential else "n"
    parts = []
    for r in view.result.rows:
        unit = "per arm" if r.size_name == "n_per_arm" else "randomised"
        n = r.n_max if view.sequential else r.n
        reached = f"{n:,} {unit}" if r.reached else f"over {n:,} {unit} (not reached)"
        parts.append(f"{reached} for {r.target_power:.0%}")
    word = "success probability" if req.design.decision.is_posterior else "power"
    return f"Sample size: {what} = {', '.join(parts)} {word}."


def power_html(req, view) -> ui.Tag:
    """The headline: power of the primary analysis at the chosen size, significant and
    favouring active, as n is searched for (a review read 0.732, significance either way, for
    a harm); ``data-power`` carries every digit (the command line's ``power_favourable``).
    With interim looks: the group-sequential power, then the fixed design's."""
    design = req.design
    primary = str(design.trial.analysis)
    s = view.summaries[primary]
    gs = view.sequential
    what = "success probability" if design.decision.is_posterior else "power"
    shown = gs if gs is not None else s
    looks = {}
    if gs is not None:
        looks = {"data_looks": ",".join(f"{t:g}" for t in gs.looks)}
    out = [
        ui.div(
            ui.span(
                f"{shown.power_favourable:.3f}",
                id="power-value",
                data_power=repr(shown.power_favourable),
                data_analysis=primary,
                data_n_total=str(s.n_total),
                data_effect=repr(design.effect.value),
                data_seed=str(req.seed),
                data_trials=str(req.trials),
                **looks,
            ),
            class_="headline",
        ),
    ]
    if gs is not None and design.decision.is_posterior:
        thresholds = ", ".join(threshold_text(t) for t in gs.thresholds)
        out.append(
            ui.p(
                f"success probability of the posterior rule with {len(gs.looks)} looks "
                f"(thresholds {thresholds}) on {primary} at {_size_text(design)}: Monte Carlo "
                f"SE {se_text(gs.mc_se)}; success favouring active {gs.power_favourable:.3f} (SE "
                f"{se_text(gs.mc_se_favourable)}); type I error of the design "
                f"{type_i_text(gs)}. Without interim looks: {s.power:.3f} "
                f"(SE {se_text(s.mc_se)})."
            )
        )
    elif gs is not None:
        out.append(
            ui.p(
                f"power of {primary} with {len(gs.looks)} looks (efficacy at any look, "
                f"favouring active) at {_size_text(design)}: Monte Carlo SE "
                f"{se_text(gs.mc_se_favourable)}; significant in either direction "
                f"{gs.power:.3f} (SE {se_text(gs.mc_se)}); type I error of the design "
                f"{type_i_text(gs)}{nonbinding_text(gs)}. Without interim looks: "
                f"{s.power_favourable:.3f} "
                f"(SE {se_text(s.mc_se_favourable)})."
            )
        )
    elif design.decision.is_posterior:
        out.append(
            ui.p(
                f"{what} of the posterior rule on {primary} at {_size_text(design)}: Monte "
                f"Carlo SE {se_text(s.mc_se)}, 95% Monte Carlo interval {s.ci95[0]:.3f}-"
                f"{s.ci95[1]:.3f}; success favouring active {s.power_favourable:.3f} (SE "
                f"{se_text(s.mc_se_favourable)})."
            )
        )
        # the type I error on the same trials with no effect and the prior-data conflict,
        # in the command line's words (``power --decision posterior``)
        lines = decision_lines(design, [s], weight_hint='a value above 0 in "Weight on phase 2"')
        out.append(
            ui.tags.ul(
                *[ui.tags.li(line) for line in lines],
                id="posterior-type1",
                data_type1=repr(s.type1),
            )
        )
    else:
        out.append(
            ui.p(
                f"{what} of {primary} at {_size_text(design)}, significant and favouring "
                f"active (as the sample size below is searched for): {mc_se_words(design, s)}; "
                "significant in either direction "
                f"{s.power:.3f} (SE {se_text(s.mc_se)}, 95% Monte Carlo interval "
                f"{s.ci95[0]:.3f}-{s.ci95[1]:.3f})."
            )
        )
    notes = _power_notes(design, view)
    # the notes on an analysis shown for comparison go under the analyses table, beside its
    # row (one sat grey in this card, under the trial's own analysis: analyses_html)
    others = _about_other_analyses(notes, design, view)
    notes = [n for n in notes if n not in others]
    out.append(
        warnings_html(
            # the command line's notes on this power (a harm, a bias, a lead-in unused, a
            # one-sided 0.05...); the page says of multiplicity under the analyses table
            notes
            + failed_fit_warnings(list(view.summaries.values()), design)
            # the posterior rule at looks: its type I error against the level, in the words
            # of ``power --looks`` (a review: the page showed 0.0475 against 0.025 unflagged)
            + (
                posterior_looks_warnings(design, gs)
                if gs is not None and design.decision.is_posterior
                else []
            ),
            "power-warnings",
        )
    )
    prior_line = prior_text(design, view.prior)  # the posterior rule's, as ``power`` prints it
    out += [
        ui.p(design.describe(), class_="provenance"),
        inputs_html(design),
        ui.p(estimand_line(primary, *informative_exits(design)), class_="provenance"),
        *([ui.p(prior_line, class_="provenance", id="prior-line")] if prior_line else []),
        *(
            [ui.p(sd, class_="provenance", id="robust-sd")]
            if (sd := robust_sd_note(design))
            else []
        ),
        *([ui.p(note, class_="provenance", id="estimator")] if (note := _estimator(s)) else []),
        provenance(req, "simulated trials" + (" per hypothesis" if gs is not None else "")),
        ui.p(
            # a non-programmer's review: "Computed in 112.0 s" of a first, compiling load
            # stayed on later visits and read as still slow
            f"Simulated in {view.seconds:.1f} s when this state was first computed (the first "
            "run after installing also compiles the kernels); a state seen before shows at once.",
            class_="provenance",
        ),
    ]
    if design.decision.borrows:
        out.append(caveat())
    return ui.div(*out)


def inputs_html(design) -> ui.Tag:
    """Where each input of the design comes from, folded under the design's line (the list
    of methods.md: a value not taken from published work is called an assumption), and a
    note for each of the design's own sources that no methods text prints."""
    from designs.outputs import methods_inputs as mi
    from designs.outputs.methods_dropout import also_simulated, attrition_source

    # dropout and deaths as methods.md's dropout paragraph gives them (a review: left out),
    # with the share gone the clause is about (a diff review: "deaths included" had nothing
    # to attach to)
    exits = [
        f"Dropout: {design.gone_text()} ({attrition_source(design)}).",
        also_simulated(design).strip(),
    ]
    return ui.tags.details(
        ui.tags.summary(mi.INPUTS_TITLE),
        ui.p(mi.inputs_intro(design)),
        ui.tags.ul(*[ui.tags.li(line) for line in [*mi.input_sources(design), *exits] if line]),
        *[ui.p(f"Note: {line}.") for line in mi.unread_sources(design)],
        id="input-sources",
        class_="provenance",
    )


def interim_html(req, view) -> ui.Tag:
    """The interim looks' card (:mod:`designs.explorer.views_looks`): the frequentist
    boundaries or the posterior rule at looks; a hint when the design has no looks."""
    from designs.explorer.views_looks import frequentist_looks_html, posterior_looks_html

    gs = view.sequential
    if gs is None:
        return ui.p(
            "No interim looks. Give information fractions (e.g. 0.5, 1) under Interim looks "
            "to simulate a group-sequential design.",
            class_="provenance",
        )
    if req.design.decision.is_posterior:
        return posterior_looks_html(req, gs, provenance)
    return frequentist_looks_html(req, gs, provenance)


def _estimator(s) -> str:
    """The command line's sentence on the control variate, when the power used it."""
    from designs.outputs.rates import estimator_note

    return estimator_note(s.estimator, s.variance_ratio)


def loss_html(req, view) -> ui.Tag:
    """Dropout, deaths and completers by arm; the calendar length."""
    design = req.design
    s = view.summaries[str(design.trial.analysis)]
    c = view.calendar
    rows = [
        ("randomised", str(s.n_placebo), str(s.n_active)),
        ("dropped out", _pct(s.dropout_placebo), _pct(s.dropout_active)),
        ("died while followed", _pct(s.death_placebo), _pct(s.death_active)),
        ("completers (mean number)", f"{s.completers_placebo:.1f}", f"{s.completers_active:.1f}"),
    ]
    if s.screened_per_enrolled > 1:
        rows.append(
            ("screened (mean number)", f"{s.screened_placebo:.0f}", f"{s.screened_active:.0f}")
        )
    table = data_table(("", "placebo", "active"), rows, "loss-table", row_headers=True)
    head, rest = calendar_text(design, c).split(" = ", 1)
    calendar = ui.p(ui.strong(head), " = " + rest, id="calendar")
    how = ui.p(losses_caption(design), class_="provenance", id="loss-how")
    return ui.div(table, how, calendar, provenance(req))


def analyses_html(req, view) -> ui.Tag:
    """Every analysis on the same simulated trials."""
    head = (
        "analysis",
        "estimand (units)",
        "power (MC SE)",
        "95% MC interval",
        "favourable",
        "mean estimate",
        "true value",
        "bias",
        "failed fits",
    )
    body = []
    for a, s in view.summaries.items():
        if all_failed(s):  # power undefined: the row says why, the others stand
            why = f"the fit failed in all {s.trials:,} simulated trials: power undefined"
            na = ("n/a",) * 6
            body.append((title(a), f"{s.estimand} ({s.units})", *na, f"{s.failed_fits} ({why})"))
            continue
        truth = "n/a" if math.isnan(s.true_effect) else f"{s.true_effect:+.3f}"
        bias = "n/a" if math.isnan(s.bias) else f"{s.bias:+.4f}"
        body.append(
            (
                title(a),
                f"{s.estimand} ({s.units})",
                rate_se(s.power, s.mc_se),
                f"{s.ci95[0]:.3f}-{s.ci95[1]:.3f}",
                f"{s.power_favourable:.3f}",
                f"{s.mean_estimate:+.3f}",
                truth,
                bias,
                str(s.failed_fits),
            )
        )
    table = data_table(head, body, "analyses-table")
    note = ui.p(
        f"Only {req.design.trial.analysis} is the trial's test; the others are shown for "
        "comparison on the same simulated trials (no multiplicity correction).",
        class_="provenance",
    )
    # the command line's notes on those others (e.g. ols_slope_ttest conservative under
    # attrition), grey, beside their rows (they sat in the power card, under lmm_slope's)
    others = _about_other_analyses(_power_notes(req.design, view), req.design, view)
    notes = warnings_html(others, "analyses-notes", quiet=others)
    return ui.div(table, note, *([notes] if notes else []), provenance(req))


def _img(png: bytes, alt: str) -> ui.Tag:
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return ui.tags.img(src=src, alt=alt, style="max-width: 100%; height: auto;")


#: The page's search is quick (a review: 179 and 241 per arm, intervals 174-182 and 235-245,
#: where 100,000 trials per size put n at 184.4 and 246.4): the n to quote is the CLI's.
QUICK_SEARCH = (
    "A quick search, one stage on the trials per size above. Before quoting n, run the "
    "sample-size command below without --refine-trials 0 (two stages, as the main job and the "
    "report search) or with more trials: its interval is narrower."
)


def sample_size_html(req, view) -> ui.Tag:
    """n for 80% and 90% power with the Monte Carlo interval of its estimate, the table the
    command line prints, and the search's figure (power over n, bands, target lines); with
    interim looks the maximum n and the group-sequential table (no figure)."""
    lines = []
    limit, limit_unit = page_limit(req.design)
    for r in view.result.rows:
        unit = "per arm" if r.size_name == "n_per_arm" else "randomised"
        flag = (
            ""
            if r.reached
            else f" (target not reached: this page simulates at most {limit:,} {limit_unit}; "
            f"search further on the command line, {program_name()} sample-size)"
        )
        n = r.n_max if view.sequential else r.n
        what = "maximum n" if view.sequential else "n"
        interval = interval_text(r.n_low, r.n_high)
        lines.append(
            ui.tags.li(
                ui.strong(
                    f"{r.target_power:.0%} power: {what} = {n:,} {unit}"
                    if r.reached
                    else f"{r.target_power:.0%} power: {what} over {n:,} {unit} (not reached)"
                ),
                f" (95% Monte Carlo interval of the estimate {interval}; "
                f"simulated power at n {r.power:.3f}, SE {se_text(r.mc_se)}){flag}",
            )
        )
    figure = (
        ui.p(NO_FIGURE_WITH_LOOKS + "; the LaTeX table likewise.", class_="provenance")
        if view.sequential
        else _img(
            view.png,
            "Power over n with 95% Monte Carlo bars, the fitted curve and the targets. "
            + sample_size_announcement(req, view),
        )
    )
    return ui.div(
        warnings_html(
            sample_size_warnings(req.design, view, rerun=_search_args(req)),
            "sample-size-warnings",
        ),
        ui.tags.ul(*lines, id="sample-size-lines"),
        ui.p(QUICK_SEARCH, class_="caveat", id="quick-search"),
        figure,
        markdown(view.tables["md"]),
        provenance(req, "simulated trials per size"),
        ui.p(
            f"Simulated in {view.seconds:.1f} s when this state was first computed.",
            class_="provenance",
        ),
    )


def interval_text(low: int, high: int) -> str:
    """The Monte Carlo interval of n, or its lower end when the search did not reach the upper
    one (``high`` < 0; an explorer review read "6,044-not reached")."""
    return f"{low:,}-{high:,}" if high >= 0 else f"from {low:,}, its upper end not reached"


def markdown(text: str) -> ui.HTML:
    """Markdown (the command line's tables) as HTML with any raw HTML in it escaped: the
    tables name the design, and an uploaded design's name is the user's text (a robustness
    review: ``<script>`` in ``trial.name`` ran in the page through ``ui.markdown``)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # nor images and links: a name's "![t](http://...)" fetched an outside address (a review)
    parser.disable(["image", "link", "autolink"])
    html = parser.render(text)  # each table in a box that scrolls sideways (data_table)
    # Bootstrap's table style, as the page's own tables (a small-screen review: with 1 px of
    # padding the headers read "placeboactivetotal")
    html = html.replace("<table>", '<div class="table-scroll"><table class="table table-sm">')
    return ui.HTML(html.replace("</table>", "</table></div>").replace("<th>", '<th scope="col">'))


def _search_args(req) -> list[str]:
    """The page's search as ``simulate.py sample-size`` arguments (the reproducing command),
    which the advice to rerun it with more trials repeats."""
    from designs.explorer.command import sample_size_args

    return sample_size_args(req.ref, req.base, req.design, seed=req.seed, trials=req.trials)


def sample_size_warnings(design, view, rerun=None) -> list[str]:
    """What ``simulate.py sample-size`` warns for the same search: failed fits, a fresh-trial
    power far from its target (``rerun``: the search's arguments, which its advice repeats
    with more trials), the posterior rule's type I error above the level
    (:mod:`designs.outputs.console`); with interim looks its type I error line."""
    from designs.outputs.effect_notes import informative_exits_notes
    from designs.outputs.small_arm import small_n_notes

    rows = view.result.rows
    exits = informative_exits_notes(design, design.trial.analysis.value)  # a diff review
    if not view.sequential:
        return (
            failed_fit_warnings(rows, design)
            + fresh_check_warnings(rows, design, rerun=rerun)
            + type_i_warnings(rows, design)
            + small_n_notes(rows, design)
            + exits
        )
    # ``sample-size --looks``'s
    return group_sequential_type_i_warnings(rows) + small_n_notes(rows, design) + exits


def not_computed_html(what: str) -> ui.Tag:
    """A view that was not computed because the one it follows failed."""
    return ui.p(f"Not computed: {what}.", class_="control-error", id="not-computed")


def assurance_html(req, text: str) -> ui.Tag:
    # the caveat once, in the box below (a plain-language review: the command line's text
    # gave it too, so the page said the same paragraph twice)
    said = phase2_caveat()
    text = text.replace(" " + said, "").replace(said, "")
    return ui.div(
        ui.h5("Assurance at the chosen size"),
        ui.tags.pre(text, style="white-space: pre-wrap;"),
        provenance(req, "simulated trials per transport"),
        caveat(),
    )


def realism_html(req, text: str) -> ui.Tag:
    return ui.div(
        ui.h5("Realism sensitivity at the chosen size"),
        markdown(text),
        provenance(req, "simulated trials per scenario"),
    )
