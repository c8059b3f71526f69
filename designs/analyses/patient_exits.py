"""Each patient's status and exit month in a data file, as ``joint_rank`` reads them.

A patient's rows give one status (``completed``, ``dropout`` or ``death``) and, unless
completed, one exit month: within follow-up (no later than the end of follow-up: the file's
last visit month, or the one given) and no earlier than the patient's last visit. A completed
patient without a visit at the last month is counted as followed to the end, and warned of.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from designs.analyses.data_table import STATUSES, AnalysisResult
from designs.errors import InputError


def _one_status(pid, column) -> str:
    """A patient's status, the same on each of their rows that gives one (a review: read
    from the first row, a status given on the last row only counted every dropout and death
    as a completer, and moved the estimate)."""
    given = {str(v).strip().lower() for v in column if str(v).strip() and str(v) != "nan"}
    if len(given) != 1:
        found = ", ".join(sorted(given)) or "none"
        raise InputError(
            f"data: column 'status': patient {pid!r} needs one status ({', '.join(STATUSES)}) "
            f"on every row, or on some rows and the others empty; found {found}"
        )
    (status,) = given
    if status not in STATUSES:
        raise InputError(
            f"data: column 'status': patient {pid!r} has {status!r}; allowed: {', '.join(STATUSES)}"
        )
    return status


def _one_exit_month(pid, months) -> float:
    """A patient's exit month: the one number their rows give (empty rows allowed)."""
    given = np.unique(months.to_numpy(dtype=np.float64)[np.isfinite(months.to_numpy())])
    if given.size > 1:
        raise InputError(
            f"data: column 'exit_month': patient {pid!r} has {given.size} different exit "
            f"months ({', '.join(f'{m:g}' for m in given[:3])}); give one, on every row or "
            "on some rows and the others empty"
        )
    return float(given[0]) if given.size else math.nan


def patient_exit(
    pid, rows, last: float, end: str = "the file's last visit month"
) -> tuple[str, float]:
    """(status, exit month) of one patient's rows (``rows``: their visits from month 0, with
    ``status`` and ``exit_month`` columns; NaN exit month for a completer); ``last``: the
    end of follow-up (months), which ``end`` names."""
    import pandas as pd

    t = rows["month"].to_numpy()
    status = _one_status(pid, rows["status"])
    exit_month = _one_exit_month(pid, pd.to_numeric(rows["exit_month"], errors="coerce"))
    if status == "completed":
        if np.isfinite(exit_month) and exit_month < t[-1]:
            # a reliability review: exit_month 3 on a completer seen to month 12 was ignored
            raise InputError(
                f"data: column 'exit_month': patient {pid!r} (completed) has exit_month "
                f"{exit_month:g} before their last visit at month {t[-1]:g}; a completer has "
                "no exit (leave it empty), a patient who left is dropout or death"
            )
        return status, exit_month
    if not (np.isfinite(exit_month) and exit_month >= 0.0):
        raise InputError(
            f"data: column 'exit_month': patient {pid!r} ({status}) needs the month they "
            "left, a number >= 0"
        )
    if t[-1] > exit_month:
        raise InputError(
            f"data: column 'exit_month': patient {pid!r} ({status}) has a visit at month "
            f"{t[-1]:g} after their exit_month {exit_month:g}; a patient's visits end "
            "when they leave or die"
        )
    if exit_month > last:  # (a data manager's review: exit months in days, or a death at
        # month 500 of a 12-month file, were ranked as given)
        raise InputError(
            f"data: column 'exit_month': patient {pid!r} ({status}) left at month "
            f"{exit_month:g}, after {end} {last:g}; exits are within "
            "follow-up, in months (a patient followed to the end is completed; --last-month "
            "gives the end of follow-up if no patient reached it)"
        )
    return status, exit_month


def short_completers_warning(result: AnalysisResult, short, last: float) -> AnalysisResult:
    """``result`` with a warning on the patients marked completed whose visits stop before
    the last month (``short``: (patient, last visit month) pairs; a data manager's review:
    they were counted as followed to the end without a word)."""
    pid, month = short[0]
    count = (
        f"{len(short)} patients marked completed have"
        if len(short) > 1
        else ("1 patient marked completed has")
    )
    line = (
        f"{count} no visit at the last month {last:g} "
        f"(patient {pid!r}: last visit at month {month:g}); joint_rank counts them as alive "
        "and followed to the end: if they left early, give status dropout and exit_month"
    )
    return dataclasses.replace(result, warnings=(*result.warnings, line))


def off_schedule_message(pid, months: np.ndarray, frame) -> str:
    """Why the visits of the data (``frame``, from month 0) are not, for every patient, the
    first visits of the common schedule, which ``joint_rank`` needs (it compares two
    patients' changes at the last visit both attended): a month no other patient attends
    (visit windows: give the nominal months), named for the patient who has it, or else a
    visit missed before patient ``pid`` (whose months from 0 are ``months``) left (a CAFS
    review: both read "joint_rank needs monotone dropout", the first for the wrong reason)."""
    patients = frame["patient"].nunique()
    counts = frame.groupby("month")["patient"].nunique()
    # the schedule's months: those more than one patient attends (a later month may be
    # attended by few under dropout; a month off the schedule is usually one patient's)
    schedule = np.sort(counts.index[counts.to_numpy() >= min(2, patients)].to_numpy(float))
    on = set(schedule)
    # the patient with a month off the schedule, if any, whichever patient failed first (a
    # diff review: every patient followed past an odd month failed before its owner did)
    for other, rows in frame.groupby("patient", sort=False):
        if any(m not in on for m in rows["month"].to_numpy()):
            pid, months = other, rows["month"].to_numpy()
            break
    odd = [m for m in months if m not in on]
    head = f"data: column 'month': patient {pid!r}"
    listed = ", ".join(f"{m:g}" for m in schedule[:4]) + (", ..." if schedule.size > 4 else "")
    if odd and schedule.size < 2:
        return (
            f"{head} has a visit at month {odd[0]:g}, and the visit months differ from patient "
            "to patient (visit windows?); joint_rank compares patients at the visits they "
            "share: give each visit's nominal month"
        )
    if odd:
        return (
            f"{head} has a visit at month {odd[0]:g}, not one of the schedule's months "
            f"(those more than one patient attends: {listed}); joint_rank compares patients at the "
            "visits they share: give each visit's nominal month"
        )
    if months[0] != 0.0:
        return f"{head} has no visit at month 0 (joint_rank needs each patient's baseline)"
    attended = set(months)
    missed = [m for m in schedule if m < months[-1] and m not in attended]
    return (
        f"{head} misses the visit at month {missed[0]:g} before their last one; joint_rank "
        "needs every scheduled visit until a patient leaves (monotone dropout)"
        if missed
        else f"{head} does not have the first visits of the schedule from month 0 "
        "(joint_rank needs monotone dropout)"
    )
