"""The page's address carries its design: a reload or a bookmark opens the page at the same
design, controls, seed and trials while the explorer runs on that port (``--port`` keeps it
across restarts; a colleague puts their own explorer's ``http://127.0.0.1:PORT/`` first).

Every change of a control writes the design's name and the controls' values into the
address's query (Shiny's URL bookmarking, ``App(..., bookmark_store="url")``); opening such
an address starts the controls at those values instead of the design's own (the values go
through the same checks as typed ones, so a hand-edited address gets the same messages). An
uploaded design is not in the address (its file is not): its page's address is the bare one,
and an address that names no library design opens the default design at its own values;
controls an address does not name start at its design's own values.
"""

from __future__ import annotations

import json

from shiny import reactive

from designs.explorer.controls import CONTROL_IDS

#: The inputs the address carries: the design's name and every control (seed and trials too).
KEPT = ("design", *CONTROL_IDS)


def design_named(query, library) -> str:
    """The library design an address names (its query's ``design``, JSON-encoded as Shiny
    writes it), or ``"default"`` when it names none of ``library``."""
    raw = query.get("design")
    try:
        name = json.loads(raw) if raw else "default"
    except ValueError:
        return "default"
    return name if isinstance(name, str) and name in library else "default"


def keep_design_in_address(input, session, *, library, uploaded: str, converting) -> dict:
    """Write the page's design into its address on every change, and say whether the page
    opened from such an address.

    Parameters
    ----------
    library : set of str
        The library's design names (an address naming anything else is not restored).
    uploaded : str
        The design list's entry for an uploaded file (never written into the address).
    converting : reactive.value
        The boxes whose switched unit's number the browser has yet to show
        (:mod:`designs.explorer.units`): the address waits for it.

    Returns
    -------
    dict
        ``{"restored": bool}``: True from the start of a page opened from an address that
        names a library design until the first reset of the controls, which then keeps the
        address's values instead of the design's (``server._reset_controls``).
    """
    opened = {"restored": False}

    @session.bookmark.on_restore
    def _restore(state) -> None:
        opened["restored"] = state.input.get("design") in library

    @session.bookmark.on_bookmarked
    async def _write(url: str) -> None:
        await session.bookmark.update_query_string(url)

    @reactive.effect
    async def _address():
        for name in KEPT:  # every control is a dependency
            input[name]()
        if converting():  # the box shows the carried-over number in a moment
            return
        with reactive.isolate():
            if input.design() == uploaded:
                await session.bookmark.update_query_string(session.clientdata.url_pathname())
                return
            # only the design's inputs (not the upload, buttons or the page's own state)
            session.bookmark.exclude = [name for name in dir(input) if name not in KEPT]
            await session.bookmark()

    return opened
