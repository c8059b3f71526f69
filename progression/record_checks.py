"""Checks of phase 2 records for typing errors that every value's own range lets through (a
review of ``fit --data`` on one's own records: a month typed in days, a whole file in weeks
and a score with a dropped digit each passed and moved P(delta > 0) from 0.91 to 0.96, the
effect by half, and to 0.58).

:func:`visit_gap` finds a gap between a patient's visits that no phase 2 schedule has (the
loader refuses it); :func:`record_warnings` names what is possible but unlikely, for ``fit``
to print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Longest gap between two of a patient's visits taken, months: beyond it one visit's month
#: is likely days (a month-3 visit typed as day 91).
MAX_VISIT_GAP = 24.0
#: A span of visit months beyond which ``fit`` asks whether months are weeks (months x
#: 52/12 turned a 15-month record into 65).
WEEKS_SPAN = 36.0
#: A score this many points away from both of its neighbours, in the same direction, reads
#: as a typing error (32 typed as 3 between 32 and 33): ALSFRS-R moves about 0.5-1 point a
#: month, with a visit-to-visit noise of about 2.
SPIKE_POINTS = 10


def visit_gap(frame: pd.DataFrame) -> tuple[str, float, float] | None:
    """(patient, month before, month after) of the first gap between a patient's consecutive
    visits longer than :data:`MAX_VISIT_GAP` months, or None. ``frame``: sorted by patient
    then month."""
    for patient, rows in frame.groupby("patient", sort=False):
        months = rows["month"].to_numpy(dtype=float)
        gaps = np.diff(months)
        if gaps.size and gaps.max() > MAX_VISIT_GAP:
            i = int(np.argmax(gaps))
            return str(patient), float(months[i]), float(months[i + 1])
    return None


def record_warnings(frame: pd.DataFrame) -> tuple[str, ...]:
    """What in valid records is unlikely enough to be a typing error: a span of months that
    reads as weeks, and scores far from both neighbours. ``frame``: sorted by patient then
    month, as :func:`progression.records.validate_frame` returns it."""
    out = []
    first, last = float(frame["month"].min()), float(frame["month"].max())
    if last - first > WEEKS_SPAN:
        out.append(
            f"the visits span {last - first:g} months (months {first:g} to {last:g}), longer "
            "than a phase 2 follows its patients: months given in weeks (months = weeks x "
            "12/52)?"
        )
    for patient, rows in frame.groupby("patient", sort=False):
        y = rows["alsfrs_r"].to_numpy(dtype=float)
        m = rows["month"].to_numpy(dtype=float)
        for i in range(1, y.size - 1):
            before, after = y[i] - y[i - 1], y[i + 1] - y[i]
            if min(abs(before), abs(after)) >= SPIKE_POINTS and before * after < 0:
                out.append(
                    f"patient {patient!r}: {y[i]:g} points at month {m[i]:g}, between "
                    f"{y[i - 1]:g} (month {m[i - 1]:g}) and {y[i + 1]:g} (month {m[i + 1]:g}): "
                    "a typing error? It is fitted as given"
                )
        # the first and last visits have one neighbour: far from it where it agrees with
        # the one beyond (a diff review: the last visit, which weighs most in the post-dose
        # slope, was not checked)
        for end, near, far in ((0, 1, 2), (y.size - 1, y.size - 2, y.size - 3)):
            if far < 0 or far >= y.size:
                continue
            if abs(y[end] - y[near]) >= SPIKE_POINTS and abs(y[near] - y[far]) < SPIKE_POINTS / 2:
                which = "first" if end == 0 else "last"
                out.append(
                    f"patient {patient!r}: {y[end]:g} points at month {m[end]:g}, the {which} "
                    f"visit, beside {y[near]:g} (month {m[near]:g}) and {y[far]:g} (month "
                    f"{m[far]:g}): a typing error? It is fitted as given"
                )
    return tuple(out)
