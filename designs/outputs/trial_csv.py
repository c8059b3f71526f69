"""One simulated trial as a long-format CSV, for re-analysis elsewhere.

Columns ``patient, arm, month, alsfrs_r, status, exit_month``; the first line is a ``#``
comment with the seed, version and command (R: ``read.csv(..., comment.char = "#")``).
Lead-in visits have negative months; ``exit_month`` is empty for completers.
"""

from __future__ import annotations

import numpy as np

COLUMNS = ("patient", "arm", "month", "alsfrs_r", "status", "exit_month")


def trial_csv_text(trial: dict, *, integer_scores: bool, comment: str) -> str:
    """The CSV text of one trial from :func:`designs.simulation.engine.simulate_one_trial`.

    Parameters
    ----------
    trial : dict
        Long-format columns ``patient``, ``arm``, ``month``, ``alsfrs_r`` and per-patient
        ``status`` and ``exit_month`` (months).
    integer_scores : bool
        Write scores as whole points (else with 6 decimals).
    comment : str
        The provenance line, written after ``# ``.
    """
    lines = [f"# {comment}", ",".join(COLUMNS)]
    for pid, arm, month, score in zip(
        trial["patient"], trial["arm"], trial["month"], trial["alsfrs_r"], strict=True
    ):
        exit_month = trial["exit_month"][pid]
        exit_text = "" if np.isnan(exit_month) else f"{exit_month:.4f}"
        score_text = f"{score:.0f}" if integer_scores else f"{score:.6f}"
        lines.append(f"{pid},{arm},{month:g},{score_text},{trial['status'][pid]},{exit_text}")
    return "\n".join(lines) + "\n"
