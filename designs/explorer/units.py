"""What a control's number becomes when its unit is switched, so that the trial stays the same:
100 per arm is 200 in total, a 25% slowing of a decline of 0.5 points/month is 0.125
points/month (a usability review: the page kept the number, so switching to "in total" halved
the trial and switching the effect's unit turned a 25% slowing into 25 points/month)."""

from __future__ import annotations

import math

from designs.explorer.controls import PERCENT

#: Digits an effect keeps when its unit is switched (0.125000000000001 would show otherwise).
EFFECT_DIGITS = 6


def switched_size(n, mode: str) -> int | None:
    """Patients counted as ``mode`` (``"total"`` or ``"per_arm"``) for ``n`` counted the other
    way, with 1:1 allocation (per arm is half the total, rounded half up); None when ``n`` is
    not a number (the box is empty or refused: nothing to carry over)."""
    if not isinstance(n, int | float) or isinstance(n, bool) or not math.isfinite(n):
        return None
    return int(n * 2) if mode == "total" else math.floor(n / 2 + 0.5)


def switched_effect(value, kind: str, slope_mean: float) -> float | None:
    """The effect ``value`` given in the other unit as ``kind``: % slowing of the mean
    decline ``slope_mean`` (points/month, negative) to points/month or back; None when
    ``value`` is not a number or there is no decline to take a percentage of."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    decline = abs(slope_mean)
    if decline == 0:
        return None
    switched = value / 100 * decline if kind != PERCENT else value / decline * 100
    return round(switched, EFFECT_DIGITS)


def effect_label(kind: str) -> str:
    """The Effect box's label in the unit of the kind chosen (an accessibility review: it
    said "% slowing or points/month" whichever was chosen)."""
    if kind == PERCENT:
        return "Effect (% slowing of the decline)"
    return "Effect (points/month, active minus placebo)"
