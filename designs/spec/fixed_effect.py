"""Which fields hold a design's fixed effect, and whether a design with looks reads it: the
command line refuses them where nothing simulates them, and the explorer leaves them out of
the commands that reproduce such a run (both read this, so neither imports the other)."""

from __future__ import annotations

#: The ``--set`` fields of the fixed effect.
FIXED_EFFECT_FIELDS = ("effect.value", "effect.kind")


def reads_fixed_effect(design) -> bool:
    """Whether a design with looks reads its fixed effect: a conditional-power futility rule
    under the design's effect (``interim.futility_cp_under = "design"``)."""
    i = design.interim
    return bool(i.sequential and i.futility.value == "cp" and i.futility_cp_under.value == "design")
