"""Design files: reading TOML, the default design and the library in ``designs/library``.

Every design file is read on top of ``designs/library/default.toml`` (the proposed CL2020
follow-up; each number there cites docs/references.md), so a file names only what it changes.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from designs.errors import InputError, near_miss
from designs.spec.design import TrialDesign

__all__ = [
    "LIBRARY_DIR",
    "default_mapping",
    "list_designs",
    "load_design",
    "loads_toml",
    "read_toml",
]

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "library"


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file; any problem is an InputError naming the file.

    Raises
    ------
    InputError
        Unreadable file, non-UTF-8 bytes (with the offset) or invalid TOML (with the position).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"design file '{path}': cannot read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (as some editors write) is fine
    except UnicodeDecodeError as exc:
        raise InputError(
            f"design file '{path}': not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from exc
    try:
        return loads_toml(text)
    except InputError as exc:
        raise InputError(f"design file '{path}': {exc}") from None


#: Deepest nesting of TOML arrays and tables a design may have (a design nests 3 levels).
MAX_TOML_DEPTH = 32


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; invalid or absurdly nested text is an InputError ("invalid TOML: ...").

    Nesting deeper than :data:`MAX_TOML_DEPTH` brackets is refused before parsing (the
    parser is recursive: 100,000 levels would exhaust Python's stack).
    """
    depth = _bracket_depth(text)
    if depth > MAX_TOML_DEPTH:
        raise InputError(
            f"invalid TOML: nested {depth} levels deep; at most {MAX_TOML_DEPTH} are allowed"
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = " ".join(str(exc).split())
        raise InputError(f"invalid TOML: {msg}") from None
    except RecursionError:  # pragma: no cover - the depth check above comes first
        raise InputError(f"invalid TOML: nested more than {MAX_TOML_DEPTH} levels") from None


def _bracket_depth(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` outside strings and comments (an upper bound of
    the TOML nesting: ``[[x]]`` headers count 2)."""
    depth = deepest = 0
    quote = ""
    comment = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if comment:
            comment = ch != "\n"
        elif quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return deepest


@functools.cache
def _default_mapping_cached() -> dict[str, Any]:
    path = LIBRARY_DIR / "default.toml"
    mapping = read_toml(path)
    try:
        TrialDesign.from_dict(mapping, on_defaults=False)
    except InputError as exc:
        raise InputError(f"design file '{path}': {exc}") from exc
    return mapping


def default_mapping() -> dict[str, Any]:
    """The sections of ``default.toml`` (validated once; a fresh copy of each section)."""
    return {sec: dict(body) for sec, body in _default_mapping_cached().items()}


def list_designs() -> list[str]:
    """Names of the designs in ``designs/library`` (``default`` first)."""
    names = sorted(p.stem for p in LIBRARY_DIR.glob("*.toml"))
    return sorted(names, key=lambda n: n != "default")


def load_design(
    name_or_path: str | Path | None = None, *, size_searched: bool = False
) -> TrialDesign:
    """Load a design by library name or file path, on top of ``default.toml``.

    Parameters
    ----------
    name_or_path : str, Path or None
        None: the default design. A bare name (a str with no path separator, not ending in
        ``.toml``): ``designs/library/NAME.toml``. Anything else: a path to a TOML file.
        An empty file is valid and overrides nothing (it gives the default design).
    size_searched : bool
        For a command that searches n: a file that sets an unequal allocation and no size
        (which would inherit the default's ``n_per_arm``, refused then) gets the default's
        total as a stand-in ``n_total`` (a diff review: the refusal said that such commands
        find n themselves).

    Raises
    ------
    InputError
        Unknown library name (the message lists the available ones); unreadable file,
        non-UTF-8 bytes or invalid TOML (naming the file and, for TOML, the position); or an
        invalid field (naming the file and the field).
    """
    if name_or_path is None:
        return TrialDesign.from_dict({})
    if isinstance(name_or_path, str) and _is_bare_name(name_or_path):
        path = LIBRARY_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise InputError(
                f"design '{name_or_path}': unknown name{near_miss(name_or_path, list_designs())}; "
                f"available: {', '.join(list_designs())} (or give a path to a .toml file)"
            )
    else:
        path = Path(name_or_path)
    mapping = read_toml(path)
    trial = mapping.get("trial")
    if size_searched and isinstance(trial, dict):
        stand_in = total_stand_in(
            TrialDesign.from_dict({}), {f"trial.{k}": v for k, v in trial.items()}
        )
        mapping = {**mapping, "trial": {**trial, **stand_in}}
    try:
        return TrialDesign.from_dict(mapping)
    except InputError as exc:
        raise InputError(f"design file '{path}': {exc}") from exc


def total_stand_in(design: TrialDesign, overrides: dict[str, Any]) -> dict[str, int]:
    """``{"n_total": ...}``, ``design``'s total, when ``overrides`` (dotted fields) make its
    allocation unequal without giving a size, so that ``design``'s ``n_per_arm`` would be
    refused; else ``{}``. For a command that searches n, which replaces the stand-in: the
    file a design is read from (:func:`load_design`) and the command line's overrides
    (``designs.cli.options.design_from_args``) alike."""
    if design.trial.n_per_arm is None or overrides.keys() & {"trial.n_per_arm", "trial.n_total"}:
        return {}
    alloc = design.trial.allocation
    weights = {"placebo": alloc.placebo, "active": alloc.active}
    table = overrides.get("trial.allocation")
    if isinstance(table, dict):
        weights.update(table)
    for arm in ("placebo", "active"):
        weights[arm] = overrides.get(f"trial.allocation.{arm}", weights[arm])
    return {} if weights["placebo"] == weights["active"] else {"n_total": design.trial.n_total}


def design_files(name_or_path: str | Path | None) -> list[Path]:
    """The files a design is read from: ``default.toml`` and, for a name or path, that file
    (for checks that no output overwrites them)."""
    files = [LIBRARY_DIR / "default.toml"]
    if name_or_path is None:
        return files
    if isinstance(name_or_path, str) and _is_bare_name(name_or_path):
        return [*files, LIBRARY_DIR / f"{name_or_path}.toml"]
    return [*files, Path(name_or_path)]


def _is_bare_name(s: str) -> bool:
    return bool(s) and "/" not in s and "\\" not in s and not s.endswith(".toml")
