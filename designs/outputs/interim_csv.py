"""The report's interim tables as CSV: the designs compared (``interim.csv``) and the looks
(``interim_looks.csv``), one table per file, numbers only."""

from __future__ import annotations

import csv
import io
import math

from designs import __version__
from designs.outputs.csv_cells import safe_row
from designs.outputs.interim_tables import (
    interim_comparison_rows,
    interim_look_rows,
    null_trials,
)

__all__ = ["interim_csv", "interim_looks_csv"]


def _number(v) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return str(v)


def _fixed_trials(interim) -> dict[str, int]:
    """The trials behind each fixed-design value with a Monte Carlo error (a paste-ready
    review: the one ``trials`` column gave the interim design's 200 beside the fixed power
    of the search's 800 second-stage trials); the other fixed values have none."""
    out = {"power": interim.fixed_row.trials}
    if interim.fixed_type_i_trials:
        out["type_i_error"] = out["type_i_error_nonbinding"] = interim.fixed_type_i_trials
    for tr, f in (interim.fixed_assurance or {}).items():
        out[f"assurance_{tr}"] = f.trials
    return out


def interim_csv(interim) -> str:
    """The designs compared, one quantity per row; numbers only (MC SE and intervals in
    their own columns). ``trials`` counts the interim design's trials, ``fixed_trials``
    the fixed design's where its value has a Monte Carlo error (empty otherwise). The looks
    are :func:`interim_looks_csv`'s (a CSV holds one table: a grant writer's review found
    pandas and spreadsheets failing on two in one file)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    s = interim.summary
    keys = ("fixed", "fixed_mc_se", "interim", "interim_mc_se", "interim_low", "interim_high")
    w.writerow(["quantity", *keys, "trials", "fixed_trials", "seed", "version"])
    null = null_trials(s)  # the run under no effect may have more (diff review)
    fixed_n = _fixed_trials(interim)
    own = {  # assurance has its own trials (at least the main job's)
        f"{what}_{tr}": a.trials
        for tr, a in (interim.assurance or {}).items()
        for what in ("assurance", "expected_n_total")
    }
    for c in interim_comparison_rows(interim):
        n = null if c["key"].endswith("_h0") or c["key"].startswith("type_i_error") else s.trials
        n = own.get(c["key"], n)
        f_n = fixed_n.get(c["key"], "")
        cells = [c["key"], *(_number(c[k]) for k in keys), n, f_n, s.seed, __version__]
        w.writerow(safe_row(cells))
    return buf.getvalue()


def interim_looks_csv(interim) -> str:
    """The looks, one row per look: boundaries, stopping probabilities and their MC SE; under
    the frequentist rule a last column ``information`` says whether each trial met the
    boundaries at its own observed information (``observed``) or at the planned one
    (``planned``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    # keys starting with "_" are for the tables' text only (a diff review: a "futility"
    # column of Python's True/False)
    rows = [
        {k: v for k, v in r.items() if not k.startswith("_")} for r in interim_look_rows(interim)
    ]
    if interim.threshold_z is None:  # the frequentist rule's boundaries: at which information
        # (the design field ``interim.information``; the CSV said it nowhere)
        rows = [{**r, "information": interim.design.interim.information} for r in rows]
    w.writerow(list(rows[0]))
    for r in rows:
        w.writerow([_number(v) for v in r.values()])
    return buf.getvalue()
