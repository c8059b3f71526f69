"""The parameter boxes set when a spending or futility family is chosen on the page."""

from __future__ import annotations

from designs.explorer.controls import base_values, round_control
from designs.spec.interim import READ_ONLY_WITH, unread_defaults

__all__ = ["family_resets"]


def family_resets(base, key: str, family: str) -> dict[str, float]:
    """Parameter controls to set when the ``key`` family (``spending`` or ``futility``) is
    chosen: back to ``base``'s own value when ``family`` is ``base``'s, to the library's
    default when ``family`` does not read the parameter (a gamma left at -2 after hsd -> obf
    would be refused, and nothing simulated); a family that reads it keeps the box."""
    own = base_values(base)
    out = {}
    for name, (setting, readers) in READ_ONLY_WITH.items():
        if setting != key or name not in own:  # user_spending, futility_beta: no control
            continue
        if family == own[key]:
            out[name] = own[name]
        elif family not in {r.value for r in readers}:
            out[name] = round_control(unread_defaults(key, family)[f"interim.{name}"])
    return out
