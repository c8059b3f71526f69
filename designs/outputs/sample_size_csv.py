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
]


def csv_header(equal: bool) -> list[str]:
    """The CSV table's columns: n per arm (1:1) or in total."""
    size = "n_per_arm" if equal else "n_total"
    cols = ["target_power"] + (["n_per_arm"] if equal else [])
    return [*cols, f"{size}_mc_low", f"{size}_mc_high", *_CSV_COLUMNS]


def csv_table(rows, equal: bool, decision: str = "frequentist test") -> str:
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
        ]
        w.writerow(safe_row(vals))  # no text cell runs as a spreadsheet formula
    return buf.getvalue()


def _blank(v: int) -> str:
    return "" if v < 0 else str(v)


def _blank_nan(v: float) -> str:
    """A CSV cell: empty for NaN (not simulated: the frequentist test), else 4 decimals."""
    return "" if math.isnan(v) else f"{v:.4f}"
