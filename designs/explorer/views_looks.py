"""The posterior rule at interim looks as HTML: numbers of
:class:`designs.planning.decision_looks.PosteriorLooksSummary`, laid out; nothing is computed
(the frequentist boundaries are in :func:`designs.explorer.views.interim_html`)."""

from __future__ import annotations

from shiny import ui

from designs.outputs.decision_looks import posterior_rule_phrase
from designs.outputs.group_sequential import nonbinding_text
from designs.outputs.numbers import rate_se, se_text
from designs.outputs.rates import type_i_text


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
        "threshold",
        "P(stop for success) H1",
        "P(stop for futility) H1",
        "P(stop for success) H0",
        "P(stop for futility) H0",
    )
    body = [
        (
            str(k + 1),
            f"{s.expected_information_fraction[k]:.3f}",
            f"{s.observed_information_fraction[k]:.3f}",
            f"{s.look_months[k]:.1f}",
            f"{s.thresholds[k]:.4f}",
            rate_se(s.p_stop_efficacy[k], s.mc_se_stop_efficacy[k]),
            rate_se(s.p_stop_futility[k], s.mc_se_stop_futility[k]),
            f"{s.p_stop_efficacy_h0[k]:.4f}",
            f"{s.p_stop_futility_h0[k]:.3f}",
        )
        for k in range(len(s.looks))
    ]
    table = ui.tags.table(
        ui.tags.thead(ui.tags.tr(*[ui.tags.th(h) for h in head])),
        ui.tags.tbody(*[ui.tags.tr(*[ui.tags.td(x) for x in r]) for r in body]),
        class_="table table-sm",
        id="looks-table",
    )
    summary = ui.tags.ul(
        ui.tags.li(_rule_line(s), id="posterior-rule"),
        ui.tags.li(
            ui.strong(f"Success probability {s.power:.3f}"),
            f" (MC SE {se_text(s.mc_se)}; favouring active {s.power_favourable:.3f}); type I "
            f"error (success with no effect) {type_i_text(s)}{nonbinding_text(s)}.",
            id="gs-type1",
            data_type1=repr(s.type_i_error),
        ),
        ui.tags.li(
            f"Expected patients randomised: {s.expected_n_total:.1f} under the effect "
            f"({s.true_effect:+.3f} points/month), {s.expected_n_total_h0:.1f} under no "
            f"effect, of {s.n_total}.",
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
