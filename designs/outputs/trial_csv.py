"""One simulated trial as a plain long-format CSV, with its provenance in a JSON sidecar.

The CSV has a header line and one row per visit, nothing else, so R's ``read.csv(FILE)`` and
``pandas.read_csv(FILE)`` read it with their defaults. Columns ``patient, arm, month,
alsfrs_r, status, exit_month``: ``arm`` 0 placebo / 1 active; ``month`` from randomisation
(lead-in visits negative); ``alsfrs_r`` points; ``exit_month`` empty for completers. The
provenance (tool, version, seed, trial index, command, the resolved design) goes to
``FILE.json`` beside it (:func:`sidecar_path`). A design with interim looks adds
``entry_month`` (the patient's entry, months from the first possible entry, as the looks'
simulation draws it) and ``calendar_month`` (``entry_month + month``, when the visit falls
in calendar time); ``simulate.py analyze`` ignores both. A design that screens candidates on
their pre-baseline progression rate delta-FS adds ``delta_fs`` (each admitted patient's,
points lost per month), and the sidecar gives the candidates screened per arm.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

COLUMNS = ("patient", "arm", "month", "alsfrs_r", "status", "exit_month")

#: Units and meaning of each column, written into the sidecar.
COLUMN_NOTES = {
    "patient": "patient id (0, 1, ...)",
    "arm": "0 placebo, 1 active",
    "month": "visit time, months from randomisation (lead-in visits < 0)",
    "alsfrs_r": "ALSFRS-R total, whole points in 0-48 (with population.integer_scores = false "
    "neither rounded nor clipped: analyze --continuous-scores reads it)",
    "status": "completed, dropout or death",
    "exit_month": "month the patient left or died, months, 6 decimals rounded up (empty for "
    "completers)",
}

#: The columns added for a design with interim looks, and their notes.
ENTRY_COLUMN_NOTES = {
    "entry_month": "month the patient entered, months from the first possible entry",
    "calendar_month": "calendar month of the visit, entry_month + month",
}

#: The column added for a design that screens on delta-FS, and its note.
DELTA_FS_NOTES = {
    "delta_fs": "pre-baseline progression rate on which the patient was admitted, "
    "(48 - ALSFRS-R at enrolment) / months since onset in real data, points lost per month; "
    "here simulated with the patient's slope (log-normal, tied to it by "
    "population.delta_fs_slope_corr), not computed from the scores",
}

#: ``kind`` of the sidecar, by which an earlier output is recognised.
SIDECAR_KIND = "als-trial-sim simulated trial"


def exit_month_text(month: float) -> str:
    """An exit month with 6 decimals, rounded up: a patient's visits are those before the
    exit, so the written exit stays after the last visit written (a review: a death at month
    2.00003 read "2.0000" beside the visit at month 2)."""
    text = f"{month:.6f}"
    return text if float(text) >= month else f"{float(text) + 1e-6:.6f}"


def sidecar_path(csv_path: str | Path) -> Path:
    """The provenance file beside a trial CSV: ``FILE.csv`` -> ``FILE.csv.json``."""
    path = Path(csv_path)
    return path.with_name(path.name + ".json")


def trial_csv_text(trial: dict, *, integer_scores: bool, entry_month=None) -> str:
    """The CSV text of one trial from :func:`designs.simulation.engine.simulate_one_trial`.

    Parameters
    ----------
    trial : dict
        Long-format columns ``patient``, ``arm``, ``month``, ``alsfrs_r`` and per-patient
        ``status`` and ``exit_month`` (months).
    integer_scores : bool
        Write scores as whole points (else with 6 decimals).
    entry_month : float64[patient], optional
        Entry month of each patient: adds the columns ``entry_month`` and
        ``calendar_month`` (months, 4 decimals).

    A trial whose ``delta_fs`` is given (a design screening on it) adds the column
    ``delta_fs`` (points lost per month, 6 decimals). ``exit_month``: :func:`exit_month_text`.
    """
    header = COLUMNS if entry_month is None else (*COLUMNS, *ENTRY_COLUMN_NOTES)
    delta_fs = trial["delta_fs"] if screens_on_delta_fs(trial) else None
    header = header if delta_fs is None else (*header, *DELTA_FS_NOTES)
    lines = [",".join(header)]
    for pid, arm, month, score in zip(
        trial["patient"], trial["arm"], trial["month"], trial["alsfrs_r"], strict=True
    ):
        exit_month = trial["exit_month"][pid]
        exit_text = "" if np.isnan(exit_month) else exit_month_text(exit_month)
        score_text = f"{score:.0f}" if integer_scores else f"{score:.6f}"
        row = f"{pid},{arm},{month:g},{score_text},{trial['status'][pid]},{exit_text}"
        if entry_month is not None:
            row += f",{entry_month[pid]:.4f},{entry_month[pid] + month:.4f}"
        if delta_fs is not None:
            row += f",{delta_fs[pid]:.6f}"
        lines.append(row)
    return "\n".join(lines) + "\n"


def screens_on_delta_fs(trial: dict) -> bool:
    """Whether the trial's patients were admitted on their delta-FS (it is given)."""
    return bool(np.isfinite(trial["delta_fs"]).any())


def screening_fields(trial: dict) -> dict:
    """The sidecar's ``candidates_screened`` per arm, for a design that screens candidates
    (on delta-FS or on the lead-in decline); empty otherwise."""
    if not trial["screens"]:
        return {}
    placebo, active = (int(k) for k in trial["screened"])
    return {"candidates_screened": {"placebo": placebo, "active": active}}


def sidecar_text(
    provenance: dict, *, entry_columns: bool = False, delta_fs_column: bool = False
) -> str:
    """The JSON sidecar: ``kind``, the given provenance fields and the column notes."""
    notes = {**COLUMN_NOTES, **ENTRY_COLUMN_NOTES} if entry_columns else COLUMN_NOTES
    notes = {**notes, **DELTA_FS_NOTES} if delta_fs_column else notes
    return (
        json.dumps(
            {"kind": SIDECAR_KIND, **provenance, "columns": notes},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def is_trial_output(csv_path: Path) -> bool:
    """Whether an existing file is an earlier ``simulate.py trial`` output: its sidecar says
    so, or (files of version 0.1 and before) its first line is the ``# simulated trial``
    comment."""
    try:
        with open(csv_path, "rb") as f:
            if f.readline().startswith(b"# simulated trial"):
                return True
    except OSError:
        return False
    return read_sidecar(sidecar_path(csv_path)) is not None


def is_trial_sidecar(json_path: Path) -> bool:
    """Whether an existing file is the sidecar of an earlier trial output."""
    return read_sidecar(json_path) is not None


def read_sidecar(json_path: str | Path) -> dict | None:
    """A trial output's sidecar (its ``kind`` says so) as a dictionary; None for a missing
    or unreadable file or any other JSON."""
    try:
        meta = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("kind") == SIDECAR_KIND else None


def looks_text(rows: list[dict], analysis: str, information: str = "observed") -> str:
    """The trial's looks (:func:`designs.planning.trial_looks.trial_at_looks`) as a titled
    text table: month, patients randomised, estimate and SE (the analysis's units), z, and
    the rule's boundary (z scale) or posterior probability against its threshold, and the
    decision; ``information``: where the boundaries are met (``interim.information``)."""
    from designs.analyses.registry import get

    def num(x, fmt):
        return "-" if x is None else format(x, fmt)

    posterior = "probability" in rows[0]
    z_head = "estimate / SE" if posterior else "z (t carried to z)"
    head = ["look", "month", "entered", f"estimate ({get(analysis).units})", "SE", z_head]
    predictive = "predictive" in rows[0]
    head += ["P(effect > margin)", "threshold"] if posterior else ["efficacy boundary (z)"]
    head += ["P(final success)"] if predictive else []
    lines = [[*head, "decision"]]
    for r in rows:
        cells = [str(r["look"]), f"{r['month']:.4f}", str(r["entered"])]
        cells += [num(r["estimate"], "+.4f"), num(r["se"], ".4f"), num(r["z"], ".3f")]
        if posterior:
            cells += [num(r["probability"], ".4f"), f"{r['threshold']:g}"]
        else:
            cells += [num(r["boundary"], ".3f")]
        if predictive:
            cells += [num(r["predictive"], ".4f")]
        lines.append([*cells, r["decision"]])
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    table = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    ]
    title = (
        f"The trial at its looks ({analysis}; each look sees the rows with calendar_month up "
        "to its month, exact in the sidecar):"
    )
    note = (
        []
        if posterior
        else [
            "(boundaries: the planned ones, interim.information = planned; '-': the trial "
            "had stopped)"
        ]
        if information == "planned"
        else [
            "(boundary '-': the look was decided from the exit probability at the trial's z, "
            "without solving for the boundary, or the trial had stopped)"
        ]
    )
    return "\n".join([title, *table, *note])
