"""What a control's number becomes when its unit is switched, so that the trial stays the same:
100 per arm is 200 in total, a 25% slowing of a decline of 0.5 points/month is 0.125
points/month (a usability review: the page kept the number, so switching to "in total" halved
the trial and switching the effect's unit turned a 25% slowing into 25 points/month)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from designs.explorer.controls import PERCENT

#: Digits an effect keeps when its unit is switched (0.125000000000001 would show otherwise).
EFFECT_DIGITS = 6


def switched_size(n, mode: str) -> int | None:
    """Patients counted as ``mode`` (``"total"`` or ``"per_arm"``) for ``n`` counted the other
    way, with 1:1 allocation (per arm is half the total, rounded half up); None when ``n`` is
    not a number (the box is empty or refused: nothing to carry over)."""
    if not _number(n):
        return None
    return int(n * 2) if mode == "total" else math.floor(n / 2 + 0.5)


def switched_effect(value, kind: str, slope_mean: float) -> float | None:
    """The effect ``value`` given in the other unit as ``kind``: % slowing of the mean
    decline ``slope_mean`` (points/month, negative) to points/month or back; None when
    ``value`` is not a number or there is no decline to take a percentage of."""
    if not _number(value):
        return None
    decline = abs(slope_mean)
    if decline == 0:
        return None
    switched = value / 100 * decline if kind != PERCENT else value / decline * 100
    return round(switched, EFFECT_DIGITS)


def effect_step(kind: str) -> float:
    """The Effect box's arrow step: 1% of slowing, or 0.01 points/month (a step of 1 took
    0.125 points/month to 1.125, far above any decline)."""
    return 1 if kind == PERCENT else 0.01


def effect_label(kind: str) -> str:
    """The Effect box's label in the unit of the kind chosen (an accessibility review: it
    said "% slowing or points/month" whichever was chosen)."""
    if kind == PERCENT:
        return "Effect (% slowing of the decline)"
    return "Effect (points/month, active minus placebo)"


@dataclass(frozen=True)
class Conversion:
    """A box's number carried over to the unit the user switched to, on its way to the
    browser: while the unit control reads ``unit`` and the box still shows one of the
    numbers in ``replaced`` (its number before the switch, or before an earlier switch not
    yet shown either), the page reads ``value`` (an explorer review: the server saw the new
    unit before the box was converted, and simulated the old number in the new unit, a 5%
    slowing where 5 points/month had been typed)."""

    unit: str
    replaced: frozenset
    value: float

    def read(self, unit: str, shown):
        """The box's number as the page reads it: ``value`` while the box has not caught up
        with the switch to ``unit``, else ``shown`` (the user's own number)."""
        return self.value if unit == self.unit and self.awaited(shown) else shown

    def awaited(self, shown) -> bool:
        """Whether the box, showing ``shown``, has yet to show ``value``."""
        return _number(shown) and shown in self.replaced


def carried_over(previous: Conversion | None, shown, unit: str, switched) -> Conversion | None:
    """The :class:`Conversion` of a switch to ``unit`` of a box showing ``shown``:
    ``switched(number, unit)`` of the box's number, which is ``previous.value`` when an
    earlier switch has not reached the box yet (two switches in quick succession convert
    the number twice, not the stale one once). None when there is nothing to carry over."""
    pending = previous is not None and previous.awaited(shown)
    value = switched(previous.value if pending else shown, unit)
    if value is None:
        return None
    # the number it converts to is never one it replaces: once the box shows it, nothing
    # is awaited; and switched there and back before the box moved, the box already shows
    # it: nothing is awaited either, where the browser may never report the round trip (a
    # diff review: 100 per arm replaced {100, 200} for good, and 200 typed later was read as
    # 100; the price is a moment's simulation of the first switch's number, should the
    # browser report it, replaced at once by its own)
    if value == shown:
        return Conversion(unit, frozenset(), value)
    replaced = {shown, *(previous.replaced | {previous.value} if pending else ())} - {value}
    return Conversion(unit, frozenset(replaced), value)


def _number(x) -> bool:
    """Whether a box's ``x`` is a number (not empty, refused or infinite)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
