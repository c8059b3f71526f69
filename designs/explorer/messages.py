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
        cid: EMPTY_BOX if values.get(cid) in (None, "") else _labelled(cid, message)
        for cid, message in errors.items()
    }


def _labelled(cid: str, message: str) -> str:
    """The library's message led by the control's label, so that a reader who does not know
    the design's field names sees which box it is about (an explorer review: "trial.n_total
    = -5: must be >= 4" beside the Patients box)."""
    label = next((c.label for c in CONTROLS if c.id == cid), None)
    return message if label is None or message.startswith(label) else f"{label}: {message}"
