"""Joint rank of survival and function (CAFS; Berry et al. 2013, ALS FTD 14:162).

Every patient is compared with every other: first on survival, then, where survival does
not decide, on ALSFRS-R change from baseline. Each patient's score is the number of
patients it beats minus the number it loses to; the scores are ranked and the arms
compared by the Wilcoxon-Mann-Whitney rank-sum test (normal approximation with the tie
correction).

How patients who leave alive are handled (the Finkelstein-Schoenfeld rule that the
ALS/SURV-type methods use):

- survival decides a pair only when the earlier death is observed while the other patient
  is known to be alive: both died (earlier death loses), or one died at ``d`` and the other
  was still followed at ``d`` (the one who died loses);
- otherwise the pair is compared on ALSFRS-R change from baseline at the last scheduled
  visit both attended (less decline wins); with no common visit after baseline, a tie.

The estimate is the Mann-Whitney probability that an active patient outranks a placebo
patient, minus 1/2 (positive favours active); its standard error is the null SE of the
rank sum, so ``estimate / se`` is the usual z statistic and ``df`` is infinite.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from designs.analyses import results as R
from designs.analyses.data_table import (
    STATUSES,
    AnalysisResult,
    after_randomisation,
    check_sides,
    finish,
    validate_table,
)
from designs.errors import InputError

ESTIMAND = (
    "probability that an active patient outranks a placebo patient on the joint rank of "
    "survival and ALSFRS-R change (CAFS), minus 1/2"
)
UNITS = "probability"
#: Strategy for each intercurrent event (ICH E9(R1)), stated in the methods text and outputs.
DROPOUT_STRATEGY = (
    "censored: patients who left alive are compared only over the time both were followed "
    "(Finkelstein-Schoenfeld)"
)
DEATH_STRATEGY = "composite: death ranks below every survivor, earlier death lower (CAFS)"
METHODS = (
    "CAFS joint rank of survival and ALSFRS-R change (Berry et al. 2013; "
    "Finkelstein-Schoenfeld rule for patients who leave alive), Wilcoxon rank-sum test"
)
NEEDS_LEAD_IN = False
NAME = "joint_rank"


@njit(cache=True)
def _compare(i, j, death, followup, m, change):
    """+1 if patient i does better than j, -1 if worse, 0 if tied or undecidable."""
    di = death[i]
    dj = death[j]
    if di < math.inf or dj < math.inf:
        if di < math.inf and dj < math.inf:
            if di < dj:
                return -1
            if dj < di:
                return 1
        elif di < math.inf:
            if followup[j] > di:
                return -1
        elif followup[i] > dj:
            return 1
    k = min(m[i], m[j]) - 1
    if k <= 0:
        return 0
    ci = change[i, k]
    cj = change[j, k]
    if ci > cj:
        return 1
    if ci < cj:
        return -1
    return 0


@njit(cache=True)
def joint_rank_test(arm, death, followup, m, change, n, score, out):
    """CAFS rank-sum test of one trial.

    Parameters
    ----------
    arm : int64[n_max]
        0 placebo, 1 active.
    death : float64[n_max]
        Month of death, ``inf`` if not observed to die.
    followup : float64[n_max]
        Month the patient was last known alive (exit month for dropouts, the last visit for
        completers, the death month for deaths).
    m : int64[n_max]
        Number of visits attended (a prefix of the schedule).
    change : float64[n_max, V]
        ALSFRS-R change from baseline at each attended visit, points.
    n : int
        Patients (the first ``n`` rows are used).
    score : float64[n_max]
        Scratch: receives each patient's pairwise score.
    out : float64[N_RESULT]
        Receives ESTIMATE, SE, DF (inf: z test) and STATUS.
    """
    for i in range(n):
        score[i] = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            c = _compare(i, j, death, followup, m, change)
            score[i] += c
            score[j] -= c
    n_active = 0
    for i in range(n):
        n_active += arm[i]
    n_placebo = n - n_active
    out[R.STATUS] = R.STATUS_FAILED
    if n_active < 1 or n_placebo < 1:
        return
    order = np.argsort(score[:n])
    rank_sum_active = 0.0
    ties = 0.0
    start = 0
    while start < n:
        stop = start
        while stop + 1 < n and score[order[stop + 1]] == score[order[start]]:
            stop += 1
        midrank = 0.5 * (start + stop) + 1.0
        t = stop - start + 1.0
        ties += t * t * t - t
        for k in range(start, stop + 1):
            if arm[order[k]] == 1:
                rank_sum_active += midrank
        start = stop + 1
    n1 = float(n_active)
    n0 = float(n_placebo)
    u = rank_sum_active - n1 * (n1 + 1.0) / 2.0
    var_u = n1 * n0 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))
    if not var_u > 0.0:
        return
    out[R.ESTIMATE] = u / (n1 * n0) - 0.5
    out[R.SE] = math.sqrt(var_u) / (n1 * n0)
    out[R.DF] = math.inf
    out[R.STATUS] = R.STATUS_OK


def true_value(shift, visits_months):
    """No closed form for the joint-rank estimand: NaN (bias is not reported)."""
    return np.full_like(np.asarray(shift, dtype=float), np.nan)


def fit_data(data, sides: int = 2) -> AnalysisResult:
    """CAFS joint rank of survival and ALSFRS-R change (:mod:`designs.analyses.joint_rank`).

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format with, besides ``patient``, ``arm``, ``month``, ``alsfrs_r``, the
        per-patient columns ``status`` (``completed``, ``dropout`` or ``death``) and
        ``exit_month`` (month the patient left or died; empty for completers), as written
        by ``simulate.py trial``. Visits at month >= 0 must be, for every patient, the first
        visits of the common schedule (monotone dropout), starting at month 0.
    sides : {1, 2}

    Returns
    -------
    AnalysisResult
        Estimand: probability that an active patient outranks a placebo patient, minus 1/2.
    """
    import pandas as pd

    sides = check_sides(sides)
    frame = validate_table(data, extra=("status", "exit_month"))
    frame = after_randomisation(frame)
    schedule = np.unique(frame["month"].to_numpy())
    last = float(schedule[-1])
    arms, death, followup, m_arr = [], [], [], []
    change = []
    for pid, d in frame.groupby("patient", sort=False):
        t = d["month"].to_numpy()
        y = d["alsfrs_r"].to_numpy()
        if t.size == 0 or t[0] != 0.0 or not np.array_equal(t, schedule[: t.size]):
            raise InputError(
                f"data: column 'month': patient {pid!r} does not have the first visits of the "
                "schedule from month 0 (joint_rank needs monotone dropout)"
            )
        status = str(d["status"].iloc[0]).strip().lower()
        if status not in STATUSES:
            raise InputError(
                f"data: column 'status': patient {pid!r} has {d['status'].iloc[0]!r}; "
                f"allowed: {', '.join(STATUSES)}"
            )
        exit_month = pd.to_numeric(d["exit_month"], errors="coerce").iloc[0]
        if status != "completed" and not (np.isfinite(exit_month) and exit_month >= 0.0):
            raise InputError(
                f"data: column 'exit_month': patient {pid!r} ({status}) needs the month they "
                "left, a number >= 0"
            )
        arms.append(int(d["arm"].iloc[0]))
        death.append(float(exit_month) if status == "death" else math.inf)
        followup.append(last if status == "completed" else float(exit_month))
        m_arr.append(t.size)
        row = np.zeros(schedule.size)
        row[: t.size] = y - y[0]
        change.append(row)
    n = len(arms)
    arm_arr = np.asarray(arms, dtype=np.int64)
    out = np.empty(R.N_RESULT)
    joint_rank_test(
        arm_arr,
        np.asarray(death, dtype=np.float64),
        np.asarray(followup, dtype=np.float64),
        np.asarray(m_arr, dtype=np.int64),
        np.asarray(change, dtype=np.float64).reshape(n, schedule.size),
        n,
        np.empty(n),
        out,
    )
    n1 = int(arm_arr.sum())
    return finish(NAME, out, n - n1, n1, ESTIMAND, UNITS, sides)
