"""The pieces every view of the explorer's page uses: the provenance line, the phase 2
caveat, a control's message, and the block of warnings and notes."""

from __future__ import annotations

from shiny import ui

from designs import __version__
from designs.outputs.console import P_EFFECT_NOTE, UNCONTROLLED_NOTE

__all__ = ["caveat", "message_html", "provenance", "warnings_html"]


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
