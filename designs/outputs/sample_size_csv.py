"""The sample-size table as CSV: one row per target power, with the seed, version and
decision rule in columns (:mod:`designs.outputs.csv_columns` says what each means)."""

from __future__ import annotations

import csv
import io
import math

from designs.outputs.csv_cells import safe_row
from designs.outputs.fresh_check import fresh_check_missed

_CSV_COLUMNS = [
    "n_placebo",
    "n_active",
    "n_total",
    "power_favourable",
    "mc_se",
    "expected_completers",
    "screened_per_enrolled",
    "failed_fits",
    "reached",
    "analysis",
    "effect_points_per_month",
    "alpha",
    "sides",
    "trials",
    "seed",
    "version",
    "fitted_power",
    "confirmed_power",
    "confirmed_mc_se",
    "grid_trials",
    "refine_trials",
    "type_i_error",
    "type_i_error_mc_se",
    "decision",
    "fresh_check_missed",
    "design",
    "effect",
]
#: The columns before the design's name and effect were added (2026-12-08): a file written
#: then is still recognised as this tool's table (:func:`designs.outputs.tables.csv_headers`).
_CSV_COLUMNS_BEFORE_EFFECT = _CSV_COLUMNS[:-2]


def csv_header(equal: bool, earlier: bool = False) -> list[str]:
    """The CSV table's columns: n per arm (1:1) or in total (``earlier``: those of a file
    written before the design and effect columns)."""
    size = "n_per_arm" if equal else "n_total"
    cols = ["target_power"] + (["n_per_arm"] if equal else [])
    rest = _CSV_COLUMNS_BEFORE_EFFECT if earlier else _CSV_COLUMNS
    return [*cols, f"{size}_mc_low", f"{size}_mc_high", *rest]


def csv_table(
    rows, equal: bool, decision: str = "frequentist test", design: str = "", effect: str = ""
) -> str:
    """``design``: the trial's name; ``effect``: the effect in words, with its time course
    (a grant writer's review: a row copied from the CSV said 0.125 points/month for an effect
    acting from month 3, and nothing told two designs' files apart)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(csv_header(equal))
    for r in rows:
        vals = [f"{r.target_power:g}"] + ([r.n] if equal else [])
        # a target not reached: no limits (as JSON's null and the table's "not reached")
        vals += [_blank(r.n_low), _blank(r.n_high)] if r.reached else ["", ""]
        vals += [
            r.n_placebo,
            r.n_active,
            r.n_total,
            f"{r.power:.4f}",
            f"{r.mc_se:.4f}",
            f"{r.expected_completers:.1f}",
            f"{r.screened_per_enrolled:.3f}",
            r.failed_fits,
            str(r.reached).lower(),
            r.analysis,
            f"{r.effect_points_per_month:.6g}",
            f"{r.alpha:g}",
            r.sides,
            r.trials,
            r.seed,
            r.version,
            f"{r.fitted_power:.4f}",
            f"{r.confirmed_power:.4f}",
            f"{r.confirmed_mc_se:.4f}",
            r.grid_trials or r.trials,
            r.refine_trials,
            _blank_nan(r.type_i_error),
            _blank_nan(r.mc_se_type_i_error),
            decision,
            str(fresh_check_missed(r)).lower(),
            design,
            effect,
        ]
        w.writerow(safe_row(vals))  # no text cell runs as a spreadsheet formula
    return buf.getvalue()


def _blank(v: int) -> str:
    return "" if v < 0 else str(v)


def _blank_nan(v: float) -> str:
    """A CSV cell: empty for NaN (not simulated: the frequentist test), else 4 decimals."""
    return "" if math.isnan(v) else f"{v:.4f}"
