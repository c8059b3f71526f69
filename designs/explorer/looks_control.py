"""The looks control's text and the interim fields it stands for.

The page takes interim looks in one box, in any of the library's three ways: information
fractions (``0.5, 1``), calendar months (``months 18, 37``) or fractions of patients
completed (``completed 0.5, 1``); empty is no looks. The library checks the values.
"""

from __future__ import annotations

import math

from designs.errors import InputError
from designs.spec.fields import has_empty_item

__all__ = ["LOOK_WORDS", "looks_text", "looks_value"]

#: The looks control's leading word for each way the library takes looks (none: fractions).
LOOK_WORDS = {"months": "look_months", "completed": "look_completed"}


def looks_text(interim) -> str:
    """The looks as the control shows them, in the way the design gives them: information
    fractions ``0.5, 1``, ``months 18, 37`` or ``completed 0.5, 1``; none: empty."""
    way = interim.looks_as or "looks"
    word = next((w for w, field in LOOK_WORDS.items() if field == way), "")
    values = ", ".join(f"{float(t):g}" for t in getattr(interim, way))
    return f"{word} {values}" if word and values else values


#: The longest looks text the box reads: 10 looks of a few digits each fit many times over.
MAX_LOOKS_TEXT = 500


def looks_value(text) -> tuple[str, list[float]]:
    """The looks control's text as ``(interim field, values)``: information fractions
    (``looks``), or after ``months``/``completed`` calendar months or fractions of patients
    completed; empty: no looks. The library checks the values themselves."""
    text = str(text or "")
    if len(text) > MAX_LOOKS_TEXT:  # before parsing (a security review: 12 MB took 5 s)
        raise InputError(
            f"interim.looks: {len(text):,} characters; give at most 10 looks, such as 0.5, 1, "
            "or months 18, 37, or completed 0.5, 1"
        )
    if has_empty_item(text.split(":")[-1]):  # "0.5,,1" has lost a number
        raise InputError(
            f"interim.looks: {text!r} has an empty item between commas; give information "
            "fractions such as 0.5, 1, or months 18, 37, or completed 0.5, 1"
        )
    tokens = text.replace(",", " ").replace(":", " ").split()
    field = "looks"
    if tokens and tokens[0].lower() in LOOK_WORDS:
        field = LOOK_WORDS[tokens.pop(0).lower()]
    out = []
    for token in tokens:
        try:
            x = float(token)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise InputError(
                f"interim.looks: {token!r} is not a number; give information fractions in "
                "(0, 1], increasing, the last 1, e.g. 0.5, 1, or months 18, 37, or "
                "completed 0.5, 1 (empty: no interim looks)"
            )
        out.append(x)
    return field, out
