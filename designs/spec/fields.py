"""Declared fields of the design's sections and the one loop that validates them.

Each field of a section is declared with :func:`spec_field`, which stores a :class:`FieldSpec`
(kind, bounds, unit, one-line description) in the dataclass field's ``metadata``. Each
section's ``__post_init__`` calls :func:`validate_fields` first, which checks every declared
field in order, converts it (ints to floats, strings to enums, lists to tuples, tables to
sections) and raises :class:`~designs.errors.InputError` with one line naming the field, the
value given and what is allowed, e.g. ``population.slope_sd = -1.0: must be >= 0
(points/month)``. Rules between fields follow the loop in each section's own code.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from designs.errors import InputError, near_miss

__all__ = [
    "NUMERIC_KINDS",
    "FieldSpec",
    "Kind",
    "check_keys",
    "field_names",
    "field_specs",
    "is_real",
    "show",
    "spec_field",
    "validate_fields",
]

#: Key of the :class:`FieldSpec` in a dataclass field's ``metadata``.
SPEC_KEY = "spec"


class Kind(StrEnum):
    """What a field holds, and so how it is checked."""

    REAL = "real"  # a finite number (ints accepted), stored as float
    INTEGER = "integer"  # an integer >= lo (no bool, no float)
    ONE_OF = "one_of"  # an integer from a short list (``choices``)
    CHOICE = "choice"  # a member of the StrEnum ``choices``, or its value
    BOOL = "bool"  # true or false
    REAL_LIST = "real_list"  # a list of finite numbers, stored as a tuple of floats
    TEXT = "text"  # a string
    TABLE = "table"  # a nested section (class ``table``), or a mapping of its fields


#: Kinds that hold numbers: each must declare a unit or ``dimensionless=True``.
NUMERIC_KINDS = frozenset({Kind.REAL, Kind.INTEGER, Kind.ONE_OF, Kind.REAL_LIST})


@dataclass(frozen=True)
class FieldSpec:
    """The declaration of one field of a section.

    Attributes
    ----------
    kind : Kind
        What the field holds.
    doc : str
        One-line description.
    lo, hi : float or None
        Bounds (None: unbounded); ``INTEGER`` needs ``lo``.
    lo_open, hi_open : bool
        Exclude the bound itself.
    unit : str
        Unit shown in error messages, e.g. ``"points/month"`` (for a list, what its values are).
    unit_by : tuple of (str, Mapping) or None
        A unit that depends on an earlier field: ``(field name, {value: unit})``.
    dimensionless : bool
        The number has no unit (a probability, correlation, weight or count of sides).
    choices : type of StrEnum, tuple of int, or None
        Allowed values of ``CHOICE`` (an enum) and ``ONE_OF`` (integers) fields.
    table : type or None
        The section class of a ``TABLE`` field.
    optional : bool
        None is allowed (and left as None).
    """

    kind: Kind
    doc: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""
    unit_by: tuple[str, Mapping[str, str]] | None = None
    dimensionless: bool = False
    choices: Any = None
    table: type | None = None
    optional: bool = False

    def unit_for(self, obj: Any) -> str:
        """The unit of this field of ``obj`` (``unit_by`` read from ``obj``'s earlier field)."""
        if self.unit_by is None:
            return self.unit
        name, units = self.unit_by
        return units[getattr(obj, name)]

    def domain(self) -> str:
        """Allowed range as text: ``'in (0, 1)'``, ``'>= 0'``, ``'< 5'`` or ``''``."""
        lo, hi = self.lo, self.hi
        if lo is not None and hi is not None:
            left, right = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
            return f"in {left}{lo:g}, {hi:g}{right}"
        if lo is not None:
            return f"{'>' if self.lo_open else '>='} {lo:g}"
        if hi is not None:
            return f"{'<' if self.hi_open else '<='} {hi:g}"
        return ""


def spec_field(
    default: Any = dataclasses.MISSING,
    *,
    kind: Kind = Kind.REAL,
    doc: str,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    unit: str = "",
    unit_by: tuple[str, Mapping[str, str]] | None = None,
    dimensionless: bool = False,
    choices: Any = None,
    table: type | None = None,
    optional: bool = False,
    default_factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field carrying its :class:`FieldSpec` in ``metadata["spec"]``.

    Parameters
    ----------
    default : Any, optional
        Default value; omit (with ``default_factory``) for a required field.
    kind : Kind
        What the field holds (default ``Kind.REAL``).
    doc : str
        One-line description (required).
    lo, hi, lo_open, hi_open, unit, unit_by, dimensionless, choices, table, optional
        As in :class:`FieldSpec`. A numeric field must give ``unit`` or ``unit_by``, or else
        ``dimensionless=True``.
    default_factory : callable, optional
        Builds the default (for a ``TABLE`` field).

    Raises
    ------
    TypeError
        The declaration is incomplete (no description, no unit, no choices, ...). This is a
        programming error, raised when the section class is defined.
    """
    kind = Kind(kind)
    if not doc or "\n" in doc:
        raise TypeError(f"spec_field: doc must be one non-empty line, got {doc!r}")
    if kind in NUMERIC_KINDS and bool(unit or unit_by) == dimensionless:
        raise TypeError(f"spec_field({doc!r}): give a unit or dimensionless=True (not both)")
    if kind is Kind.INTEGER and lo is None:
        raise TypeError(f"spec_field({doc!r}): an INTEGER field needs lo")
    if kind is Kind.CHOICE and not (isinstance(choices, type) and issubclass(choices, StrEnum)):
        raise TypeError(f"spec_field({doc!r}): a CHOICE field needs choices=<StrEnum>")
    if kind is Kind.ONE_OF and not choices:
        raise TypeError(f"spec_field({doc!r}): a ONE_OF field needs choices=(...)")
    if kind is Kind.TABLE and table is None:
        raise TypeError(f"spec_field({doc!r}): a TABLE field needs table=<section class>")
    spec = FieldSpec(
        kind=kind,
        doc=doc,
        lo=lo,
        hi=hi,
        lo_open=lo_open,
        hi_open=hi_open,
        unit=unit,
        unit_by=unit_by,
        dimensionless=dimensionless,
        choices=choices,
        table=table,
        optional=optional,
    )
    return dataclasses.field(
        default=default, default_factory=default_factory, metadata={SPEC_KEY: spec}
    )


def field_specs(cls: Any) -> dict[str, FieldSpec | None]:
    """``{field name: FieldSpec}`` of a section class (None for an undeclared field)."""
    return {f.name: f.metadata.get(SPEC_KEY) for f in dataclasses.fields(cls)}


def field_names(cls: Any) -> tuple[str, ...]:
    """Names of a section's fields, in order."""
    return tuple(f.name for f in dataclasses.fields(cls))


# --------------------------------------------------------------------------- the loop


def validate_fields(obj: Any) -> dict[str, Any]:
    """Check and convert every declared field of a section instance, in order.

    Parameters
    ----------
    obj : dataclass instance
        A section; its class attribute ``section`` (e.g. ``"population"``) prefixes the field
        names in messages.

    Returns
    -------
    dict
        The values as given, before conversion, for the messages of rules between fields.

    Raises
    ------
    InputError
        The first invalid field, in one line.
    TypeError
        A field was not declared with :func:`spec_field`.
    """
    prefix = type(obj).section
    raw: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        spec = f.metadata.get(SPEC_KEY)
        if spec is None:
            raise TypeError(f"{type(obj).__name__}.{f.name}: declare it with spec_field")
        value = getattr(obj, f.name)
        raw[f.name] = value
        if spec.optional and value is None:
            continue
        checked = _CHECKS[spec.kind](f"{prefix}.{f.name}", value, spec, obj)
        object.__setattr__(obj, f.name, checked)
    return raw


def check_keys(where: str, mapping: Mapping, allowed: tuple[str, ...]) -> None:
    """Refuse keys of ``mapping`` not in ``allowed``: ``'where.key: unknown key (did you mean
    ...?); allowed: ...'`` (:func:`designs.errors.near_miss`)."""
    for key in mapping:
        if key not in allowed:
            raise InputError(
                f"{where}.{key}: unknown key{near_miss(str(key), allowed)}; "
                f"allowed: {', '.join(allowed)}"
            )


#: The bidirectional embedding, override and isolate controls: printed, they reorder the text
#: around them (a reliability review: a source holding U+202E was accepted).
_BIDI = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))))


def check_printable(name: str, text: str, max_length: int, *, required: bool = False) -> None:
    """Refuse free text that is too long, empty (when ``required``) or holds control
    characters, which would reach terminals, CSV and TOML files as escape sequences or line
    breaks, or bidirectional controls (:data:`_BIDI`). ``name`` is the field, e.g.
    ``trial.name``."""
    if len(text) > max_length:
        raise InputError(f"{name}: {len(text):,} characters; at most {max_length} allowed")
    if required and not text.strip():
        raise InputError(f"{name}: empty; give 1 to {max_length} characters")
    bad = next(
        (ch for ch in text if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI),
        None,
    )
    if bad is not None:
        raise InputError(
            f"{name} = {show(text[:60])}: contains the control character {bad!r}; "
            "use printable characters only (no line breaks, tabs or escapes)"
        )


def show(value: Any) -> str:
    """Render a value for an error message (tuples as TOML-like lists)."""
    if isinstance(value, tuple | list) and len(value) > SHOWN_VALUES:
        head = ", ".join(show(v) for v in value[: SHOWN_VALUES - 1])
        return f"[{head}, ..., {show(value[-1])}] ({len(value):,} values)"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, np.generic):  # np.int64(0) reads as 0
        return show(value.item())
    if isinstance(value, str) and len(value) > 80:
        return repr(value[:80]) + f"... ({len(value):,} characters)"
    return repr(value)


#: Values of a list shown in a message (a longer list is cut, with its length).
SHOWN_VALUES = 8


# --------------------------------------------------------------------------- the checks


def is_real(value: Any) -> bool:
    """A real number, not a bool (TOML's true is no number)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _real(where: str, value: Any, spec: FieldSpec, obj: Any) -> float:
    """A finite real number in the declared range, as float.

    Ints are accepted for floats; bools, strings, NaN and infinities are not.
    """
    domain = spec.domain()
    unit = spec.unit_for(obj)
    suffix = f" ({unit})" if unit else ""
    if not is_real(value):
        raise InputError(f"{where} = {show(value)}: must be a number {domain}".rstrip() + suffix)
    x = float(value)
    if not math.isfinite(x):
        raise InputError(
            f"{where} = {show(value)}: must be a finite number {domain}".rstrip() + suffix
        )
    lo, hi = spec.lo, spec.hi
    too_low = lo is not None and (x <= lo if spec.lo_open else x < lo)
    too_high = hi is not None and (x >= hi if spec.hi_open else x > hi)
    if too_low or too_high:
        hint = _scale_hint(spec) if too_high and where.startswith("population.") else ""
        raise InputError(f"{where} = {show(value)}: must be {domain}{suffix}{hint}")
    return x


def _scale_hint(spec: FieldSpec) -> str:
    """Where a field is bounded by the ALSFRS-R's 48 points: how another score fits (an
    endpoint-porting review: a baseline of 80 was refused without a word of the way)."""
    if spec.unit != "points" or spec.hi != 48:
        return ""
    return (
        "; the ALSFRS-R's 0-48: another score is simulated with population.integer_scores = "
        "false, shifted or rescaled into it (docs/conventions.md#scale)"
    )


def _integer(where: str, value: Any, spec: FieldSpec, obj: Any) -> int:
    """An integer (not bool, not float) >= ``lo``."""
    lo = spec.lo
    suffix = f" ({spec.unit})" if spec.unit else ""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_):
        raise InputError(f"{where} = {show(value)}: must be an integer >= {lo}{suffix}")
    if int(value) < lo:
        raise InputError(f"{where} = {show(value)}: must be >= {lo}{suffix}")
    return int(value)


def _one_of(where: str, value: Any, spec: FieldSpec, obj: Any) -> int:
    """An integer (not bool, not float) among ``choices``."""
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool | np.bool_)
        or int(value) not in spec.choices
    ):
        allowed = " or ".join(str(c) for c in spec.choices)
        raise InputError(f"{where} = {show(value)}: must be {allowed}")
    return int(value)


def _choice(where: str, value: Any, spec: FieldSpec, obj: Any) -> StrEnum:
    """A member of the enum ``choices``, given as a member or its value."""
    enum = spec.choices
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(m.value for m in enum)
    hint = near_miss(value, [m.value for m in enum]) if isinstance(value, str) else ""
    raise InputError(f"{where} = {show(value)}: must be one of {allowed}{hint}")


def _bool(where: str, value: Any, spec: FieldSpec, obj: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise InputError(f"{where} = {show(value)}: must be true or false")


def has_empty_item(text: str) -> bool:
    """Whether a comma-separated list as typed has an empty item: two commas in a row, or a
    comma first or last ("0.5,,1" has lost a number). The command line and the explorer
    read typed lists by this one rule."""
    return re.search(r",\s*,|^\s*,|,\s*$", text) is not None


def _real_list(where: str, value: Any, spec: FieldSpec, obj: Any) -> tuple[float, ...]:
    """A list/tuple/array of finite reals as a tuple of floats."""
    what = f" ({spec.unit_for(obj)})" if spec.unit_for(obj) else ""  # none: dimensionless
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise InputError(f"{where} = {show(value)}: must be a list of numbers{what}")
    out = []
    for v in value:
        if not is_real(v) or not math.isfinite(float(v)):
            raise InputError(
                f"{where} = {show(tuple(value))}: must be a list of finite numbers{what}"
            )
        out.append(float(v))
    return tuple(out)


def _text(where: str, value: Any, spec: FieldSpec, obj: Any) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where} = {show(value)}: must be text (in quotes)")
    return value


def _table(where: str, value: Any, spec: FieldSpec, obj: Any) -> Any:
    """A nested section, or a mapping of its fields (unknown keys refused)."""
    cls = spec.table
    if isinstance(value, Mapping):
        check_keys(where, value, field_names(cls))
        return cls(**value)
    if isinstance(value, cls):
        return value
    shape = ", ".join(
        f"{name} = {_what(sub)}" for name, sub in field_specs(cls).items() if sub is not None
    )
    raise InputError(f"{where} = {show(value)}: must be a table {{ {shape} }}")


def _what(spec: FieldSpec) -> str:
    """Short text of what a field takes, for the shape of a table: ``'number > 0'``."""
    if spec.kind is Kind.REAL:
        return f"number {spec.domain()}".rstrip()
    return str(spec.kind)


_CHECKS = {
    Kind.REAL: _real,
    Kind.INTEGER: _integer,
    Kind.ONE_OF: _one_of,
    Kind.CHOICE: _choice,
    Kind.BOOL: _bool,
    Kind.REAL_LIST: _real_list,
    Kind.TEXT: _text,
    Kind.TABLE: _table,
}
