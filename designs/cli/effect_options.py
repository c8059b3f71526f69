"""The design's fixed effect typed where nothing simulates it: refused, not ignored.

``assurance`` draws each trial's effect from the phase 2 posterior and ``calibrate`` simulates
every trial with no effect, so ``--effect`` and ``--set effect.value`` / ``effect.kind`` would
be printed in the design line and change nothing (reviews: ``assurance --effect 0.5`` and
``calibrate --set effect.value=0.3`` gave the numbers of the plain runs). ``effect.sd`` and
the effect's time course are read by both and stay allowed.
"""

from __future__ import annotations

from designs.errors import InputError

#: The ``--set`` fields of the fixed effect.
FIXED_EFFECT_FIELDS = ("effect.value", "effect.kind")


def refuse_fixed_effect(args, given, why: str) -> None:
    """Refuse ``--effect`` or a ``--set`` of :data:`FIXED_EFFECT_FIELDS` (``given``: the
    parsed ``--set`` overrides) with ``why`` the command does not read them."""
    typed = [k for k in given if k in FIXED_EFFECT_FIELDS]
    if getattr(args, "effect", None) is not None:
        typed.insert(0, None)
    if typed:
        flag = "--effect" if typed[0] is None else f"--set {typed[0]}"
        raise InputError(f"{flag}: {why}")


def reads_fixed_effect(design) -> bool:
    """Whether a design with looks reads its fixed effect: a conditional-power futility rule
    under the design's effect (``interim.futility_cp_under = "design"``)."""
    i = design.interim
    return bool(i.sequential and i.futility.value == "cp" and i.futility_cp_under.value == "design")
