"""The values each select or radio control of the page offers, and the message for one it
does not (only a hand-made message to the server sends one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designs.analyses.registry import ANALYSIS_NAMES, title
from designs.explorer.controls import PERCENT, POINTS

__all__ = ["check_choices", "choices", "options"]


def options() -> dict[str, dict[str, str]]:
    """Each select or radio control's values and the labels the page shows for them (the
    sidebar's options, layout.py; the spending family "user" only for a design that has
    it)."""
    from designs.spec.interim import Futility, Spending

    return {
        "size_mode": {"per_arm": "per arm (1:1)", "total": "in total"},
        "effect_kind": {PERCENT: "% slowing of decline", POINTS: "points/month"},
        # plain names beside the code names (a review: code names alone)
        "analysis": {a: title(a) for a in ANALYSIS_NAMES},
        "sides": {"2": "two-sided", "1": "one-sided"},
        "rule": {"frequentist": "the test", "posterior": "posterior rule"},
        "prior": {x: x for x in ("vague", "sceptical", "robust")},
        "spending": {x.value: x.value for x in Spending},
        "futility": {x.value: x.value for x in Futility},
        "information": {
            "observed": "each trial's observed information",
            "planned": "the planned information",
        },
    }


def choices() -> dict[str, tuple[str, ...]]:
    """The values each select or radio control offers."""
    return {cid: tuple(labels) for cid, labels in options().items()}


def check_choices(values: Mapping[str, Any]) -> dict[str, str]:
    """Messages for a select or radio control whose value it does not offer (only a
    hand-made message sends one: a review's ``size_mode = "xyz"`` was read as "in total")."""
    return {
        cid: f"{cid} = {values.get(cid)!r}: must be one of {', '.join(allowed)}"
        for cid, allowed in choices().items()
        if cid in values and values[cid] not in allowed
    }
