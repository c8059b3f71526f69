"""The grid of a sweep: its dimensions, the command line's grid options, and their checks.

A grid is ``{dim: values}`` over :data:`DIMS`; every combination of values is one cell.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from designs.errors import InputError
from designs.planning.sweep.interim import INTERIM_DIMS, LABELS
from designs.spec.patients import MAX_SLOPE
from designs.spec.trial import MAX_DURATION_MONTHS, MIN_DURATION_MONTHS

#: Swept dimensions, in the order they appear in the dataset (``analysis`` last).
DIMS = (
    "n_per_arm",
    "n_total",
    "effect",
    "duration_months",
    "dropout_12m",
    "dropout_informative",
    "slope_sd",
    "prior_weight",
    "looks",
    "spending",
    "information",
)
#: Option that sets each dimension on the command line (for error messages).
OPTIONS = {
    "n_per_arm": "--n-per-arm",
    "n_total": "--n-total",
    "effect": "--effect",
    "duration_months": "--duration",
    "dropout_12m": "--dropout",
    "dropout_informative": "--informative",
    "slope_sd": "--slope-sd",
    "prior_weight": "--prior-weight",
    "looks": "--looks",
    "spending": "--spending",
    "information": "--information",
    "analysis": "--analysis",
}
MAX_CELLS = 10_000
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def parse_grid(
    text: str | list[str] | tuple[str, ...], option: str, *, integer: bool = False
) -> tuple[float, ...]:
    """Parse ``START:STOP:STEP`` (inclusive) or a comma/space separated list.

    Parameters
    ----------
    text : str, or list of str
        E.g. ``"50:300:25"``, ``"0.2,0.25 0.3"``. A list (or tuple) of separate words, as
        ``nargs="+"`` gives them, is read by :func:`parse_grid_tokens`.
    option : str
        The option name, for error messages (e.g. ``--n-per-arm``).
    integer : bool
        Require whole numbers (returned as int).

    Returns
    -------
    tuple
        The values in the order given (ranges ascending or descending by the step's sign);
        duplicates removed. Units are those of the option's dimension (patients, the
        design's effect units, months, dropout by month 12 were no one to die (deaths compete),
        log-hazard per point/month).

    Raises
    ------
    InputError
        One line naming the option: empty grid, zero step, non-numbers, too many values.
    """
    if isinstance(text, list | tuple):
        return parse_grid_tokens(text, option, integer=integer)
    raw = re.sub(r"\s*:\s*", ":", str(text).strip())  # "0.2 : 0.4 : 0.1" is one range
    if not raw:
        raise InputError(f"{option} {text!r}: empty grid; give START:STOP:STEP or a list")
    if ":" in raw:
        if re.search(r"[,\s]", raw):  # a sweep review: '50:100:25,200' read as a bad range
            raise InputError(
                f"{option} {text!r}: a range START:STOP:STEP stands alone; give it as the "
                "only value, or list the values"
            )
        parts = raw.split(":")
        if len(parts) != 3 or not all(re.fullmatch(_NUMBER, p.strip()) for p in parts):
            raise InputError(f"{option} {text!r}: a range is START:STOP:STEP with three numbers")
        start, stop, step = (float(p) for p in parts)
        if step == 0:
            raise InputError(f"{option} {text!r}: step must not be 0")
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count < 1:
            raise InputError(
                f"{option} {text!r}: empty range (STOP is not reached from START by STEP)"
            )
        if count > MAX_CELLS:
            raise InputError(f"{option} {text!r}: {count:,} values; at most {MAX_CELLS:,}")
        values = [start + k * step for k in range(count)]
        # tidy binary noise of repeated additions (0.1 steps) to 12 significant digits
        values = [float(f"{v:.12g}") for v in values]
    else:
        if re.search(r",\s*,|^,|,$", raw):  # a sweep review: '100,,200' was accepted
            raise InputError(f"{option} {text!r}: an empty value between commas")
        tokens = [t for t in re.split(r"[,\s]+", raw) if t]
        if not tokens:
            raise InputError(f"{option} {text!r}: empty grid")
        bad = [t for t in tokens if not re.fullmatch(_NUMBER, t)]
        if bad:
            raise InputError(f"{option} {text!r}: {bad[0]!r} is not a number")
        if len(tokens) > MAX_CELLS:
            raise InputError(f"{option} {text!r}: {len(tokens):,} values; at most {MAX_CELLS:,}")
        values = [float(t) for t in tokens]
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"{option} {text!r}: values must be finite")
    if integer:
        if not all(float(v).is_integer() for v in values):
            raise InputError(f"{option} {text!r}: values must be whole numbers")
        values = [int(v) for v in values]
    return tuple(dict.fromkeys(values))


def parse_grid_tokens(
    tokens: Sequence[str], option: str, integer: bool = False
) -> tuple[float, ...]:
    """Parse a grid given as separate words (``nargs="+"`` on the command line).

    The words are joined with spaces and read by :func:`parse_grid` (so ``0.2, 0.3`` as
    the shell splits it is two values, while ``100,,200`` in one word is refused); where a
    word is a range, each word is read on its own and the values follow in order
    (``["50:100:25", "150:200:25"]``: the option given twice). So
    ``["0.15", "0.2", "0.25"]``, ``["0.15,0.2", "0.25"]`` and ``["0.15,0.2,0.25"]`` give the
    same values, and a single word (``["50:300:25"]``) is read exactly as that text. Within
    one word a range cannot be mixed with other values.

    Parameters
    ----------
    tokens : sequence of str
        The words, e.g. ``["0.2,0.3", "0.4"]`` (a bare string is one word).
    option : str
        The option name, for error messages (e.g. ``--effect``).
    integer : bool
        Require whole numbers (returned as int).

    Returns
    -------
    tuple
        ``parse_grid(" ".join(tokens), option, integer=integer)``: the values in the order
        given, duplicates removed, in the units of the option's dimension.

    Raises
    ------
    InputError
        As :func:`parse_grid`, quoting the joined text.
    """
    if isinstance(tokens, str):  # one word given bare, not split into characters
        tokens = [tokens]
    words = [str(t) for t in tokens]
    if any(not w.strip() for w in words) and len(words) > 1:  # a diff review: '50 "" 100'
        raise InputError(f"{option} {' '.join(map(repr, words))}: an empty value")
    if len(words) > 1 and any(":" in w for w in words):
        # the option given twice with a range each (`action="extend"`), or a range beside
        # values: each word on its own, in order (a diff review: '--n-per-arm 50:100:25
        # --n-per-arm 150:200:25' was refused though both lists are swept)
        values = [v for w in words for v in parse_grid(w, option, integer=integer)]
        if len(values) > MAX_CELLS:
            raise InputError(f"{option}: {len(values):,} values; at most {MAX_CELLS:,}")
        return tuple(dict.fromkeys(values))
    return parse_grid(" ".join(words), option, integer=integer)


def _check_grid(design, grid: Mapping[str, Sequence]) -> dict[str, tuple]:
    """Validate dims and values (without simulating); returns ``{dim: values}`` in DIMS order."""
    unknown = [k for k in grid if k not in DIMS]
    if unknown:
        raise InputError(f"grid: unknown dimension {unknown[0]!r}; allowed: {', '.join(DIMS)}")
    if "n_per_arm" in grid and "n_total" in grid:
        raise InputError("--n-per-arm and --n-total: sweep one of them, not both")
    if "n_per_arm" in grid and not design.trial.allocation.equal:
        raise InputError(
            "--n-per-arm: not allowed with unequal allocation "
            f"{design.trial.allocation.describe()}; sweep --n-total"
        )
    out: dict[str, tuple] = {}
    for dim in DIMS:
        if dim not in grid:
            continue
        values = tuple(grid[dim])
        opt = OPTIONS[dim]
        if not values:
            raise InputError(f"{opt}: empty grid")
        if dim in INTERIM_DIMS:  # labels (designs.planning.sweep.interim)
            out[dim] = tuple(dict.fromkeys(LABELS[dim](v) for v in values))
            continue
        if dim in ("n_per_arm", "n_total"):
            lo = 2 if dim == "n_per_arm" else 4
            if not all(isinstance(v, int | np.integer) and v >= lo for v in values):
                raise InputError(f"{opt}: values must be whole numbers >= {lo}")
            values = tuple(int(v) for v in values)
        else:
            values = tuple(float(v) for v in values)
        if dim == "duration_months" and not all(
            MIN_DURATION_MONTHS <= v <= MAX_DURATION_MONTHS for v in values
        ):
            raise InputError(
                f"{opt}: trial lengths must be in [{MIN_DURATION_MONTHS:g}, "
                f"{MAX_DURATION_MONTHS:g}] months"
            )
        if dim == "dropout_12m" and not all(0 <= v < 1 for v in values):
            raise InputError(f"{opt}: 12-month dropout fractions must be in [0, 1)")
        if dim == "dropout_informative" and not all(-20 <= v <= 20 for v in values):
            raise InputError(f"{opt}: log-hazard per point/month must be in [-20, 20]")
        if dim == "slope_sd" and not all(0 <= v <= MAX_SLOPE for v in values):
            raise InputError(f"{opt}: SDs of the slope must be in [0, {MAX_SLOPE:g}] points/month")
        if dim == "prior_weight":
            if not all(0 <= v <= 1 for v in values):
                raise InputError(f"{opt}: weights of the phase 2 posterior must be in [0, 1]")
            if not design.decision.is_posterior or design.decision.prior.value != "robust":
                raise InputError(
                    f"{opt}: a grid of prior weights needs the posterior rule with the robust "
                    f"prior (--decision posterior --prior robust; the prior is "
                    f"'{design.decision.prior.value}', which no weight changes)"
                )
        out[dim] = values
    cells = math.prod(len(v) for v in out.values())
    if cells > MAX_CELLS:
        raise InputError(
            f"{', '.join(OPTIONS[d] for d in out)}: the grid has {cells:,} cells; "
            f"at most {MAX_CELLS:,}"
        )
    return out


def _cells(grid: dict[str, tuple]) -> list[dict]:
    """Every cell of a checked grid, ``{dim: value}``, the last dim varying fastest."""
    dims = list(grid)
    return [dict(zip(dims, combo, strict=True)) for combo in itertools.product(*grid.values())]
