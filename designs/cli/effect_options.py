"""The design's fixed effect typed where nothing simulates it: refused, not ignored.

``assurance`` draws each trial's effect from the phase 2 posterior and ``calibrate`` simulates
every trial with no effect, so ``--effect`` and ``--set effect.value`` / ``effect.kind`` would
be printed in the design line and change nothing (reviews: ``assurance --effect 0.5`` and
``calibrate --set effect.value=0.3`` gave the numbers of the plain runs). ``assurance``
reads ``effect.sd`` and the effect's time course; ``calibrate``, whose trials have no effect
for any patient (the sharp null), refuses them too (:data:`NULL_RUN_FIELDS`).
"""

from __future__ import annotations

import re

from designs.errors import InputError
from designs.spec.fixed_effect import FIXED_EFFECT_FIELDS


class Percent(float):
    """An ``--effect`` given as a percentage (``25%``), stored as the fraction (0.25)."""


#: A number followed by a percent sign, as ``--effect`` takes it (``-12.5%``, ``25%``).
_PERCENT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%")

#: Besides those, the fields of the effect a run with no effect for any patient never reads.
NULL_RUN_FIELDS = (
    *FIXED_EFFECT_FIELDS,
    "effect.sd",
    "effect.onset_delay_months",
    "effect.ramp_months",
    "effect.wane_after_months",
    "effect.wane_months",
)


def refuse_fixed_effect(args, given, why: str, fields=FIXED_EFFECT_FIELDS) -> None:
    """Refuse ``--effect`` or a ``--set`` of ``fields`` (``given``: the parsed ``--set``
    overrides) with ``why`` the command does not read them."""
    typed = [k for k in given if k in fields]
    if getattr(args, "effect", None) is not None:
        typed.insert(0, None)
    if typed:
        flag = "--effect" if typed[0] is None else f"--set {typed[0]}"
        raise InputError(f"{flag}: {why}")


def grid_in_percent(tokens) -> bool:
    """Whether a grid option's words hold a percentage (``sweep --effect 20%:30%:5%``)."""
    return isinstance(tokens, list | tuple) and any("%" in t for t in tokens)


def percent_grid(tokens, flag: str) -> tuple[float, ...]:
    """A grid of percentages as fractions, as ``power --effect 25%`` takes one value:
    ``20%:30%:5%`` or ``20%,25%,30%`` is (0.2, 0.25, 0.3); every value a percentage."""
    from designs.planning.sweep.grid import parse_grid_tokens  # no xarray: a grid is numbers

    if any(re.search(r"\d", _PERCENT.sub("", t)) for t in tokens):
        raise InputError(
            f"{flag} {' '.join(tokens)!r}: give every value as a percentage (20%,25%) or none"
        )
    values = parse_grid_tokens([t.replace("%", "") for t in tokens], flag)
    return tuple(dict.fromkeys(float(f"{v / 100:.12g}") for v in values))


def check_percent_effect(args, design) -> None:
    """Refuse ``--effect`` in percent (one value or a sweep's grid) unless the design's effect
    is a proportional slowing, whose value is that fraction."""
    effect = getattr(args, "effect", None)
    if not (isinstance(effect, Percent) or grid_in_percent(effect)):
        return
    from designs.spec import EffectKind

    typed = " ".join(effect) if isinstance(effect, list) else f"{100 * effect:g}%"
    if design.effect.kind is not EffectKind.PROPORTIONAL_SLOWING:
        raise InputError(
            f"--effect {typed}: a percentage needs effect.kind = "
            f"proportional_slowing; this design's effect is {design.effect.kind.value} "
            "(points/month): give the effect in points/month, or add "
            "--set effect.kind=proportional_slowing"
        )
