"""The values each select or radio control of the page offers, and the message for one it
does not (only a hand-made message to the server sends one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designs.analyses.registry import ANALYSIS_NAMES
from designs.explorer.controls import PERCENT, POINTS

__all__ = ["check_choices", "choices"]


def choices() -> dict[str, tuple[str, ...]]:
    """The values each select or radio control offers (layout.py)."""
    from designs.spec.interim import Futility, Spending

    return {
        "size_mode": ("per_arm", "total"),
        "effect_kind": (PERCENT, POINTS),
        "analysis": tuple(ANALYSIS_NAMES),
        "sides": ("1", "2"),
        "rule": ("frequentist", "posterior"),
        "prior": ("vague", "sceptical", "robust"),
        "spending": tuple(x.value for x in Spending),
        "futility": tuple(x.value for x in Futility),
    }


def check_choices(values: Mapping[str, Any]) -> dict[str, str]:
    """Messages for a select or radio control whose value it does not offer (only a
    hand-made message sends one: a review's ``size_mode = "xyz"`` was read as "in total")."""
    return {
        cid: f"{cid} = {values.get(cid)!r}: must be one of {', '.join(allowed)}"
        for cid, allowed in choices().items()
        if cid in values and values[cid] not in allowed
    }
