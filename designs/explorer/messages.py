"""The library's messages as the page's controls show them: an emptied box says it is empty,
and every other message is led by its control's label (the messages name the design's fields,
which a reader of the page does not know)."""

from __future__ import annotations

from designs.explorer.controls import CONTROLS

#: What an emptied number box says.
EMPTY_BOX = "empty: give a number"


def control_messages(values, errors: dict[str, str]) -> dict[str, str]:
    """The library's messages as the controls show them: an empty box says it is empty (a
    review: "trial.n_per_arm = nan" and "seed = None" meant nothing to a reader of the page,
    and the library's range is in the field's unit, a fraction where the box takes %)."""
    return {
        # led by the label too (an explorer review: "empty: give a number" alone)
        cid: _labelled(cid, EMPTY_BOX if values.get(cid) in (None, "") else message)
        for cid, message in errors.items()
    }


def _labelled(cid: str, message: str) -> str:
    """The library's message led by the control's label, so that a reader who does not know
    the design's field names sees which box it is about (an explorer review: "trial.n_total
    = -5: must be >= 4" beside the Patients box)."""
    label = next((c.label for c in CONTROLS if c.id == cid), None)
    return message if label is None or message.startswith(label) else f"{label}: {message}"


def losses_caption(design) -> str:
    """What the losses card's figures are and how the Dropout control relates to them: the
    control is the share leaving alive by month 12 were no one to die; on a follow-up of
    another length the design's dropout goes on to its end (an explorer review: on an
    18-month design "a little fewer leave alive than it says" stood beside 54% gone)."""
    end = design.trial.duration_months
    text = (
        f"The table: shares of the simulated patients who left alive, or died, before their "
        f"last visit (month {end:g}). The design line's \u201cgone by month {end:g}\u201d "
        "counts both, as planned. The Dropout control sets the share who would leave alive "
        "by month 12 if no one died"
    )
    if end == 12:
        return text + "; deaths compete with leaving, so a little fewer leave alive than it says."
    by_end = float(design.dropout.cumulative_at(design.trial.visits)[-1])
    return (
        text + f"; the design's dropout goes on to month {end:g}, where {by_end:.1%} would "
        "have left alive were no one to die (deaths compete with leaving)."
    )
