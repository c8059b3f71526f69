"""The interim looks' card as HTML: the frequentist boundaries
(:class:`designs.planning.group_sequential.GroupSequentialSummary`) or the posterior rule at
looks (:class:`designs.planning.decision_looks.PosteriorLooksSummary`), laid out; nothing is
computed."""

from __future__ import annotations

from shiny import ui

from designs.explorer.view_parts import data_table
from designs.outputs.decision_looks import posterior_rule_phrase
from designs.outputs.group_sequential import (
    DATA_CUT,
    charter_lines,
    entered,
    entered_cell,
    has_futility,
    nonbinding_text,
    screened_text,
    sequential_type_i_flag,
    spending_words,
)
from designs.outputs.look_notes import by_plan
from designs.outputs.numbers import rate_se, se_text
from designs.outputs.rates import counted_h0, rate_cell, type_i_text
from designs.outputs.tables import type_i_target
from designs.planning.power import mc_se


def _rule_line(s) -> str:
    """The rule as ``simulate.py power --looks ... --decision posterior`` states it."""
    phrase = posterior_rule_phrase(s)
    return f"{phrase[0].upper()}{phrase[1:]}."


def posterior_looks_html(req, s, provenance) -> ui.Tag:
    """Per look its information, month, threshold and the probability of stopping there for
    success and for futility under the design's effect (H1) and under no effect (H0); the
    success probability, type I error, expected patients and months."""
    head = (
        "look",
        "information (expected)",
        "information (observed, H1)",
        "month",
        "randomised by then (mean)",
        "threshold",
        "P(stop for success) H1 (MC SE)",
        "P(stop for futility) H1 (MC SE)",
        "P(stop for success) H0 (MC SE)",
        "P(stop for futility) H0 (MC SE)",
    )
    body = [
        (
            str(k + 1),
            f"{s.expected_information_fraction[k]:.3f}",
            f"{s.observed_information_fraction[k]:.3f}",
            f"{s.look_months[k]:.1f}",
            entered_cell(entered(s, k), "-"),
            f"{s.thresholds[k]:.4f}",
            *_stop_cells(s, k),
        )
        for k in range(len(s.looks))
    ]
    table = data_table(head, body, "looks-table")
    summary = ui.tags.ul(
        ui.tags.li(_rule_line(s), id="posterior-rule"),
        ui.tags.li(
            ui.strong(f"Success probability {s.power:.3f}"),
            f" (MC SE {se_text(s.mc_se)}; favouring active {s.power_favourable:.3f}); type I "
            f"error (success with no effect) {type_i_text(s)} against the one-sided level "
            f"{type_i_target(req.design):g}{nonbinding_text(s)}.",
            id="gs-type1",
            data_type1=repr(s.type_i_error),
        ),
        ui.tags.li(
            f"Expected patients randomised: {s.expected_n_total:.1f} under the effect "
            f"({s.true_effect:+.3f} points/month), {s.expected_n_total_h0:.1f} under no "
            f"effect, of {s.n_total} ({DATA_CUT}){screened_text(s)}.",
            id="gs-expected-n",
            data_expected_n=repr(s.expected_n_total),
        ),
        ui.tags.li(
            f"Expected calendar months: {s.expected_months:.1f} under the effect, "
            f"{s.expected_months_h0:.1f} under no effect, of {s.fixed_months:.1f} without "
            "interim analyses.",
            id="gs-expected-months",
            data_expected_months=repr(s.expected_months),
        ),
        ui.tags.li(
            f"Failed fits at the final look: {s.failed_fits} (effect), {s.failed_fits_h0} "
            "(no effect).",
        ),
    )
    note = ui.p(
        "Each look is at the calendar month where the expected information reaches its "
        "fraction; each trial is analysed at every look with the data available then and "
        "stops at the first look whose posterior probability crosses the threshold (or, "
        "with a futility rule, whose predictive probability of final success is below it; "
        "non-binding). Alpha spending and futility boundaries belong to the frequentist "
        "rule (leave them at obf and none here). H1: the design's effect; H0: no effect, "
        "the same patients and seed. In brackets: Monte Carlo SE. The analyses side by side, "
        "the losses and the calendar length above are of the same design without interim "
        "looks.",
        class_="provenance",
    )
    return ui.div(table, summary, note, provenance(req, "simulated trials per hypothesis"))


def _stop_cells(s, k: int) -> tuple[str, str, str, str]:
    """Look ``k``'s probabilities of stopping for efficacy (success) and futility under the
    effect and under none, each with its MC SE (an accessibility review: none under no
    effect), and dashes for futility where the design has no such rule, as the report's."""
    n0 = counted_h0(s)
    # no futility stop at the final look either: a trial short of the boundary ends there
    none = None if has_futility(s) and k < len(s.looks) - 1 else "-"
    return (
        rate_se(s.p_stop_efficacy[k], s.mc_se_stop_efficacy[k]),
        none or rate_se(s.p_stop_futility[k], s.mc_se_stop_futility[k]),
        rate_cell(s.p_stop_efficacy_h0[k], mc_se(s.p_stop_efficacy_h0[k], n0), n0),
        none or rate_se(s.p_stop_futility_h0[k], mc_se(s.p_stop_futility_h0[k], n0)),
    )


def _z(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _z_and_estimate(z, estimate) -> str:
    """'2.963 (= 0.253 points/month)': a boundary on the z scale and on the estimate's (an
    accessibility review: in brackets as a bare number it read as the MC SE the other
    cells' brackets hold)."""
    if estimate is None or z is None:
        return _z(z)
    return f"{z:.3f} (= {estimate:.3f} points/month)"


def _at(values, k: int):
    """The look's value, None where a summary has none (an older one)."""
    return values[k] if k < len(values) else None


def frequentist_looks_html(req, gs, provenance) -> ui.Tag:
    """The group-sequential design: per look its information, month, boundaries (z, nominal
    p, points/month) and the probability of stopping there under the effect (H1) and under
    no effect (H0); expected patients and months under both; the type I error of the design;
    what a DSMB charter needs (all from
    :func:`designs.planning.group_sequential.group_sequential_power`)."""
    head = (
        "look",
        "information (expected)",
        "information (observed, H1)",
        "month",
        "randomised by then (mean)",
        "efficacy boundary z",
        f"nominal p ({'one' if gs.sides == 1 else 'two'}-sided)",
        "futility boundary z",
        "P(stop for efficacy) H1 (MC SE)",
        "P(stop for futility) H1 (MC SE)",
        "P(stop for efficacy) H0 (MC SE)",
        "P(stop for futility) H0 (MC SE)",
    )
    body = []
    for k in range(len(gs.looks)):
        body.append(
            (
                str(k + 1),
                f"{gs.expected_information_fraction[k]:.3f}",
                f"{gs.observed_information_fraction[k]:.3f}",
                f"{gs.look_months[k]:.1f}",
                entered_cell(entered(gs, k), "-"),
                _z_and_estimate(
                    gs.efficacy_boundaries_z[k], _at(gs.efficacy_boundaries_estimate, k)
                ),
                f"{gs.nominal_p[k]:.5f}",
                _z_and_estimate(
                    gs.futility_boundaries_z[k], _at(gs.futility_boundaries_estimate, k)
                ),
                *_stop_cells(gs, k),
            )
        )
    table = data_table(head, body, "looks-table")
    sided = "one-sided" if gs.sides == 1 else "two-sided"
    summary = ui.tags.ul(
        ui.tags.li(
            ui.strong(f"Type I error of the design {type_i_text(gs)}{nonbinding_text(gs)}"),
            f" (nominal {gs.alpha:g} {sided}), "
            f"{spending_words(gs.spending)} alpha spending, futility "
            f"{spending_words(gs.futility)}. "
            + sequential_type_i_flag(gs),  # LIBERAL ..., when it is off its level
            id="gs-type1",
            data_type1=repr(gs.type_i_error),
        ),
        ui.tags.li(
            f"Expected patients randomised: {gs.expected_n_total:.1f} under the effect, "
            f"{gs.expected_n_total_h0:.1f} under no effect, of {gs.n_total} ({DATA_CUT})"
            f"{screened_text(gs)}.",
            id="gs-expected-n",
        ),
        ui.tags.li(
            f"Expected calendar months: {gs.expected_months:.1f} under the effect, "
            f"{gs.expected_months_h0:.1f} under no effect, of {gs.fixed_months:.1f} without "
            "interim analyses.",
        ),
        ui.tags.li(
            f"Failed fits at the final look: {gs.failed_fits} (effect), {gs.failed_fits_h0} "
            "(no effect).",
        ),
        _information_stop(gs),
        # what a DSMB charter needs, as power --looks prints it
        *[ui.tags.li(_sentence(x), class_="gs-charter") for x in charter_lines(gs)],
        # and its notes on when the looks come (an explorer review: in the command line's
        # output only)
        *[ui.tags.li(_sentence(x), class_="gs-look-note") for x in _look_notes(req.design, gs)],
    )
    met = (
        "every trial meets the planned efficacy boundaries (boundaries at the planned information)"
        if by_plan(gs)
        else "each trial's efficacy boundary spends alpha by the information it observed"
    )
    note = ui.p(
        "Each look is at the calendar month where the expected information reaches its "
        f"fraction; {met}; a futility boundary is non-binding. H1: the design's effect; H0: no "
        "effect, the same patients and seed. In brackets: Monte Carlo SE, and beside a "
        "boundary, after =, the boundary in points/month at the look's planned information. "
        "The analyses "
        "side by side, the losses and the calendar length above are of the same design "
        "without interim looks.",
        class_="provenance",
    )
    return ui.div(table, summary, note, provenance(req, "simulated trials per hypothesis"))


def _information_stop(gs) -> ui.Tag | None:
    """The command line's line on trials that ended at a look whose observed information had
    reached the planned maximum (:func:`designs.outputs.group_sequential.information_stop_text`;
    None when none did)."""
    from designs.outputs.group_sequential import information_stop_text

    text = information_stop_text(gs)
    return ui.tags.li(_sentence(text), id="gs-information-stop") if text else None


def _look_notes(design, gs) -> list[str]:
    """The command line's notes on when the looks come: a final look long after the data are
    complete, looks at other information than planned, an accrual of many years; and on a
    type I error resting on too few null trials (:mod:`designs.outputs.look_notes`)."""
    from designs.outputs.look_notes import (
        information_gap_note,
        late_final_look_note,
        long_accrual_note,
        type_i_precision_note,
    )

    # the command line's note that the type I error rests on too few null trials (an
    # explorer review: the page left it out), where no flag says it is off its level
    precision = "" if sequential_type_i_flag(gs) else type_i_precision_note(gs)
    notes = (
        late_final_look_note(design, gs.look_months[-1]),
        information_gap_note(design, gs.observed_information_fraction[-1], gs.analysis),
        long_accrual_note(design),
        precision.replace(
            "report --looks does, or power with --trials",
            "the report download does, or the command line's power with --trials",
        ),
    )
    return [n for n in notes if n]


def _sentence(note: str) -> str:
    """A command-line line as a sentence of the page: without "note: ", capitalised, a stop."""
    text = note.removeprefix("note: ")
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
