"""A design's resolved TOML with each field's unit and allowed range as a comment
(``simulate.py designs show``): the library files say "points/month" beside their numbers,
and a resolved design without them left a reader guessing (a review: ``sceptical_sd =
0.076``, ``accrual_per_month = 8.0``)."""

from __future__ import annotations

import dataclasses
import re

_SECTION = re.compile(r"^\[([A-Za-z0-9_.]+)\]\s*$")
_KEY = re.compile(r"^([A-Za-z0-9_]+) = ")


def _field_note(obj, name: str) -> str:
    """``unit, range`` of field ``name`` of the section object ``obj`` (empty if none)."""
    fields = {f.name: f for f in dataclasses.fields(obj)} if dataclasses.is_dataclass(obj) else {}
    spec = fields[name].metadata.get("spec") if name in fields else None
    if spec is None:
        return ""
    unit = "" if spec.dimensionless else spec.unit_for(obj)
    domain = _slowing_domain(obj, name, spec) or spec.domain()
    return ", ".join(part for part in (unit, domain) if part)


def _slowing_domain(obj, name: str, spec) -> str:
    """A proportional slowing's own upper limit, 1 (an effect-translation review: "in [-10,
    10]" beside 0.25, where 1.5 is refused unless improvement is allowed); '' elsewhere."""
    kind = getattr(getattr(obj, "kind", None), "value", None)
    if name != "value" or kind != "proportional_slowing" or obj.allow_improvement is True:
        return ""
    return f"in [{spec.lo:g}, 1] (above 1 the decline turns into improvement: allow_improvement)"


def annotated_toml(design) -> str:
    """``design.to_toml()`` with ``# unit, range`` after each field that has them (still
    TOML: ``--design`` reads it back as the same design)."""
    out, section = [], None
    for line in design.to_toml().splitlines():
        header = _SECTION.match(line)
        if header:
            section = design
            for part in header.group(1).split("."):
                section = getattr(section, part, None)
        key = _KEY.match(line)
        note = _field_note(section, key.group(1)) if key and section is not None else ""
        out.append(f"{line}  # {note}" if note else line)
    return "\n".join(out) + "\n"
