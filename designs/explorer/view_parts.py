"""The pieces every view of the explorer's page uses: the provenance line, the phase 2
caveat, a control's message, and the block of warnings and notes."""

from __future__ import annotations

from shiny import ui

from designs import __version__
from designs.outputs.console import P_EFFECT_NOTE, UNCONTROLLED_NOTE

__all__ = ["caveat", "data_table", "message_html", "provenance", "warnings_html"]


def provenance(req, what: str = "simulated trials") -> ui.Tag:
    return ui.p(
        f"{req.trials:,} {what}, seed {req.seed}, als-trial-sim {__version__}.",
        class_="provenance",
    )


def caveat() -> ui.Tag:
    return ui.p(f"Phase 2 caveat: {UNCONTROLLED_NOTE} {P_EFFECT_NOTE}", class_="caveat")


def message_html(text: str) -> ui.Tag:
    return ui.p(text, class_="control-error")


def warnings_html(lines, id: str, quiet=()) -> ui.Tag | None:
    """The command line's warnings and notes for a view, in a block the eye cannot miss, and
    the ``quiet`` ones among them in a grey block below (an accessibility review: a routine
    note on an analysis that is not the primary one sat in the red block of every default
    view; a diff review: "note:" also starts a harm, a LIBERAL test and a bias, which stay
    red); None when there are none."""
    if not lines:
        return None
    warnings = [line for line in lines if line not in quiet]
    notes = [line for line in lines if line in quiet]
    return ui.div(
        *[
            ui.div(ui.tags.ul(*[ui.tags.li(line) for line in group]), class_=kind)
            for group, kind in ((warnings, "warning-block"), (notes, "note-block"))
            if group
        ],
        id=id,
    )


def data_table(head, rows, id: str, row_headers: bool = False) -> ui.Tag:
    """A table of the page: column headers with ``scope="col"`` (and, with ``row_headers``,
    each row's first cell a header with ``scope="row"``), in a box of its own that scrolls
    sideways when the table is wider than its card (an accessibility review: the interim
    table, 943 px in an 890-px card at 1280 px, scrolled the whole card and clipped a
    header; the rule held only on a phone)."""

    def cells(r):
        first = [ui.tags.th(r[0], scope="row")] if row_headers else [ui.tags.td(r[0])]
        return first + [ui.tags.td(x) for x in r[1:]]

    table = ui.tags.table(
        ui.tags.thead(ui.tags.tr(*[ui.tags.th(h, scope="col") for h in head])),
        ui.tags.tbody(*[ui.tags.tr(*cells(r)) for r in rows]),
        class_="table table-sm",
        id=id,
    )
    return ui.div(table, class_="table-scroll")


def mc_se_words(design, s) -> str:
    """Of a power summary's rate favouring active: 'Monte Carlo SE 0.0076', or where no
    counted trial (or every one) succeeded 'Monte Carlo SE not defined, none of 500 trials
    (one-sided 95% bound ≤ 0.0060)': an SE of 0 read as certainty (a grant writer's review:
    "SE 0.000" at a power of 0; the tables give the bound,
    :func:`designs.outputs.rates.bound_cell`)."""
    from designs.outputs.assurance_text import counted_trials
    from designs.outputs.numbers import se_text
    from designs.outputs.rates import bound_cell, rate_edge

    rate, trials = s.power_favourable, counted_trials(design, s)
    edge = rate_edge(rate, trials)
    if edge is None:
        return f"Monte Carlo SE {se_text(s.mc_se_favourable)}"
    bound = bound_cell(rate, trials)
    return f"Monte Carlo SE not defined, {edge} of {trials:,} trials (one-sided 95% bound {bound})"
