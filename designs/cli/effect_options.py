"""The design's fixed effect typed where nothing simulates it: refused, not ignored.

``assurance`` draws each trial's effect from the phase 2 posterior and ``calibrate`` simulates
every trial with no effect, so ``--effect`` and ``--set effect.value`` / ``effect.kind`` would
be printed in the design line and change nothing (reviews: ``assurance --effect 0.5`` and
``calibrate --set effect.value=0.3`` gave the numbers of the plain runs). ``assurance``
reads ``effect.sd`` and the effect's time course; ``calibrate``, whose trials have no effect
for any patient (the sharp null), refuses them too (:data:`NULL_RUN_FIELDS`).
"""

from __future__ import annotations

from designs.errors import InputError

#: The ``--set`` fields of the fixed effect.
FIXED_EFFECT_FIELDS = ("effect.value", "effect.kind")
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


def reads_fixed_effect(design) -> bool:
    """Whether a design with looks reads its fixed effect: a conditional-power futility rule
    under the design's effect (``interim.futility_cp_under = "design"``)."""
    i = design.interim
    return bool(i.sequential and i.futility.value == "cp" and i.futility_cp_under.value == "design")
