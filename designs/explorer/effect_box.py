"""The Effect box's number as the design's ``effect.value``, and its refusals said in the
box's own unit (% slowing or points/month), never in the design's fraction or with a field
the page does not have (an explorer review: 1000% was refused as "effect.value = 10 ... set
effect.allow_improvement = true")."""

from __future__ import annotations

import math

from designs.explorer.controls import PERCENT, ControlError
from designs.spec.patients import MAX_SLOPE

#: What the page says it leaves to the command line (it has no allow_improvement box).
NOT_ON_THE_PAGE = (
    "this page does not simulate that; the command line does, with effect.allow_improvement = true"
)


def effect_value(design, kind: str, x: float) -> float:
    """``effect.value`` for the box's ``x`` under ``kind`` (``x`` % slowing is the fraction
    ``x / 100``; points/month as given), refused in the box's unit beyond the library's range
    (a slowing above 100%, unless ``design`` allows improvement). An effect that turns the
    decline into improvement is refused by the library on the page's whole design, whose
    screening may have moved with it (``delta_fs_min``), and said in the box's unit by
    :func:`improvement_text` (a diff review: the limit taken from the design the page
    started from refused 90% that the page's own screening allowed). A box that is not a
    number (NaN) is left to the library's message."""
    percent = kind == PERCENT
    scale, unit = (100, "% slowing") if percent else (1, " points/month")
    lo, hi = -MAX_SLOPE * scale, MAX_SLOPE * scale
    if percent and not design.effect.allow_improvement:
        hi = 100.0
        if x > hi:  # the Effect's own refusal (above 1), said here by controls._refusal
            return x / 100
    if math.isfinite(x) and not lo <= x <= hi:
        raise ControlError(f"{x:g}{unit}: must be in [{lo:g}, {_at_most(hi)}]{unit}", "effect")
    return x / 100 if percent else x


def improvement_text(
    kind: str, x: float, limit: float, decline: float | None = None, screened: bool = False
) -> str:
    """Why the box's ``x`` is refused: above ``limit`` (in the box's unit: 100% or less under
    screening, or the randomised patients' mean ``decline``, points/month; the ones
    admitted by screening when ``screened``) it turns their decline into improvement."""
    if kind == PERCENT:
        if limit >= 100.0 or decline is None:
            return (
                f"{x:g}% slowing: at most 100% (a larger slowing turns the decline into "
                f"improvement; {NOT_ON_THE_PAGE})"
            )
        return (
            f"{x:g}% slowing: at most {_at_most(limit)}% of the candidates' decline, which is "
            f"the screened patients' mean decline ({_at_most(decline)} points/month; a larger "
            f"slowing turns their decline into improvement; {NOT_ON_THE_PAGE})"
        )
    whose = "the screened patients' mean decline" if screened else "the patients' mean decline"
    return (
        f"{x:g} points/month: at most {_at_most(limit)} points/month, {whose} (a larger "
        "difference turns the active arm's decline into improvement, a mean slope of "
        f"{x - limit:+.3g} points/month; {NOT_ON_THE_PAGE})"
    )


def _at_most(limit: float, digits: int = 4) -> str:
    """``limit`` to ``digits`` significant digits, rounded down, so that the number shown is
    itself allowed (0.8516 for a decline of 0.85164; 0.852 would be refused)."""
    if limit <= 0 or not math.isfinite(limit):
        return f"{limit:g}"
    step = 10.0 ** (math.floor(math.log10(limit)) + 1 - digits)
    return f"{math.floor(limit / step + 1e-9) * step:.{digits}g}"
