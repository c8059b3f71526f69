"""Joint rank of survival and function (CAFS; Berry et al. 2013, ALS FTD 14:162).

Every patient is compared with every other: first on survival, then, where survival does
not decide, on ALSFRS-R change from baseline. Each patient's score is the number of
patients it beats minus the number it loses to; the scores are ranked and the arms
compared by the Wilcoxon-Mann-Whitney rank-sum test (normal approximation with the tie
correction).

How patients who leave alive are handled (the Finkelstein-Schoenfeld rule that the
ALS/SURV-type methods use; references 72 and 82 of ``docs/references.md``):

- survival decides a pair only when the earlier death is observed while the other patient
  is known to be alive: both died (earlier death loses), or one died at ``d`` and the other
  was followed to ``d`` or later (the one who died loses: a patient last seen alive in the
  month another died outlives them, Gehan's convention for a death tied with a censoring;
  a CAFS review found a completer seen at month 12 ranked below a death at month 12);
- otherwise the pair is compared on ALSFRS-R change from baseline at the last scheduled
  visit both attended (less decline wins); with no common visit after baseline, a tie.

The scores are not found by comparing every pair (n^2 / 2 comparisons: 0.8 ms per trial of
2 x 100 patients, 3 ms of 2 x 200) but counted (:func:`joint_rank_scores`): survival from
the sorted months of death and follow-up, function visit by visit from the changes there,
per whole point for integer scores (else sorted); only the pairs of a death with a patient
who left alive before it, and deaths in the same month, are compared one by one. Each
score is a whole number, so the counts give the pairs' scores bit for bit
(tests/analyses/test_joint_rank_scores.py): about 30 and 75 us per trial.

The estimate is the Mann-Whitney probability that an active patient's score exceeds a
placebo patient's, minus 1/2 (positive favours active; the scores are against every patient
of the trial, so with patients leaving it is not the share of active-placebo pairs won, and
it shrinks with shorter follow-up); its standard error is the null SE of the rank sum, so
``estimate / se`` is the usual z statistic and ``df`` is infinite.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from designs.analyses import results as R
from designs.analyses.data_table import (
    PROBABILITY_UNITS,
    AnalysisResult,
    after_randomisation,
    check_sides,
    finish,
    validate_table,
)
from designs.analyses.patient_exits import (
    off_schedule_message,
    patient_exit,
    short_completers_warning,
)
from designs.errors import InputError

ESTIMAND = (  # an estimand review: the scores are against every patient, not between arms
    "probability that an active patient's joint rank score (CAFS: survival, then ALSFRS-R "
    "change, each patient compared with every other over the time both were followed, "
    "Finkelstein-Schoenfeld) exceeds a placebo patient's, a tie counting 1/2, minus 1/2; its "
    "value depends on how long patients are followed"
)
UNITS = PROBABILITY_UNITS
#: Strategy for each intercurrent event (ICH E9(R1)), stated in the methods text and outputs.
DROPOUT_STRATEGY = (
    "censored: patients who left alive are compared only over the time both were followed "
    "(Finkelstein-Schoenfeld)"
)
DEATH_STRATEGY = (
    "composite: a death loses to every patient known to be alive at that time (followed to "
    "that month or later), and earlier deaths lose to later ones; a pair survival cannot "
    "decide (one left alive before the other died, or both died in the same month) is "
    "compared on ALSFRS-R change over the time both were followed (Finkelstein-Schoenfeld)"
)
METHODS = (
    "CAFS joint rank of survival and ALSFRS-R change (Berry et al. 2013; "
    "Finkelstein-Schoenfeld rule for patients who leave alive), Wilcoxon rank-sum test "
    "(normal approximation with tie correction, no continuity correction: R's "
    "wilcox.test(exact = FALSE, correct = FALSE) of the scores)"
)
#: The estimand's variable (:data:`designs.analyses.lmm_slope.VARIABLE`'s fields).
VARIABLE = (
    "survival over {months:g} months and the change in ALSFRS-R total score (0-48 points) "
    "from baseline, ranked jointly (CAFS)"
)
NEEDS_LEAD_IN = False
NAME = "joint_rank"


@njit(cache=True)
def _compare_function(i, j, m, change):
    """+1 / -1 / 0: patient i's ALSFRS-R change from baseline against j's at the last
    scheduled visit both attended (0 with no common visit after baseline)."""
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
            if followup[j] >= di:  # known alive at di (Gehan: a tie counts as outliving)
                return -1
        elif followup[i] >= dj:
            return 1
    return _compare_function(i, j, m, change)


@njit(cache=True)
def pairwise_scores(death, followup, m, change, n, score):
    """Each patient's score (patients it beats minus patients it loses to), every pair
    compared by :func:`_compare`: n (n - 1) / 2 comparisons. The reference of
    :func:`joint_rank_scores`, and what it falls back to on NaN."""
    for i in range(n):
        score[i] = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            c = _compare(i, j, death, followup, m, change)
            score[i] += c
            score[j] -= c


@njit(cache=True)
def _has_nan(death, followup, m, change, n):
    for i in range(n):
        if math.isnan(death[i]) or math.isnan(followup[i]):
            return True
        for k in range(min(m[i], change.shape[1])):
            if math.isnan(change[i, k]):
                return True
    return False


@njit(cache=True)
def _tie_end(x, order, start, n):
    """End (exclusive) of the run of ties that starts at ``start`` in ``x[order[:n]]``
    (sorted): the first position whose value differs from ``x[order[start]]``."""
    stop = start + 1
    while stop < n and x[order[stop]] == x[order[start]]:
        stop += 1
    return stop


#: The changes at a visit are counted in bins of whole points when they are whole numbers
#: spanning at most ``BIN_SPAN_PER_PATIENT`` points per patient (plus ``BIN_SPAN_EXTRA``);
#: otherwise they are sorted.
BIN_SPAN_PER_PATIENT = 4
BIN_SPAN_EXTRA = 64


@njit(cache=True)
def _level_by_bins(values, who, q, p_total, level_last, m, score, lo, span, bins):
    """:func:`_function_levels` at one visit, the changes ``values[:q]`` being whole numbers
    from ``lo`` to ``lo + span``: counted per point (``bins``: int64[>= span + 1, 4] scratch),
    so no sort. The same counts as the sort's."""
    size = np.int64(span) + 1
    for b in range(size):
        bins[b, 0] = 0
        bins[b, 1] = 0
    for r in range(q):
        b = np.int64(values[r] - lo)
        bins[b, 0] += 1
        bins[b, 1] += np.int64(m[who[r]] == level_last)
    q_below = 0
    p_below = 0
    for b in range(size):  # columns 2, 3: below minus above, among Q and among P
        q_here = bins[b, 0]
        p_here = bins[b, 1]
        bins[b, 2] = q_below - (q - q_below - q_here)
        bins[b, 3] = p_below - (p_total - p_below - p_here)
        q_below += q_here
        p_below += p_here
    for r in range(q):
        j = who[r]
        b = np.int64(values[r] - lo)
        score[j] += bins[b, 2] if m[j] == level_last else bins[b, 3]


@njit(cache=True)
def _level_by_sort(values, who, q, p_total, level_last, m, score):
    """:func:`_function_levels` at one visit by one sort of the changes ``values[:q]``."""
    order = np.argsort(values[:q])
    start = 0
    p_below = 0
    while start < q:
        stop = _tie_end(values, order, start, q)
        p_group = 0
        for r in range(start, stop):
            p_group += np.int64(m[who[order[r]]] == level_last)
        q_diff = start - (q - stop)  # below minus above, among Q
        p_diff = p_below - (p_total - p_below - p_group)  # among P
        for r in range(start, stop):
            j = who[order[r]]
            score[j] += q_diff if m[j] == level_last else p_diff
        p_below += p_group
        start = stop


@njit(cache=True)
def _function_levels(alive, n_alive, m, change, score):
    """Add to ``score`` the function comparisons among the patients ``alive[:n_alive]``
    (every such pair is compared on function: neither died).

    A pair whose fewer visits are ``K + 1`` (``K >= 1``) is compared on the change at visit
    ``K``. So at each visit ``K``, with ``Q`` the patients who attended it and ``P`` those
    of them whose last visit it was: a patient of ``P`` meets every other patient of ``Q``
    there, and a patient of ``Q`` outside ``P`` meets every patient of ``P`` there. Counting
    for each patient how many of ``Q`` and of ``P`` lie below and above its change (equal
    changes tie) gives its score: per whole point when the changes are whole numbers in a
    short span (integer ALSFRS-R scores), else by one sort of ``Q``'s changes.
    """
    v = change.shape[1]
    values = np.empty(max(n_alive, 1))
    who = np.empty(max(n_alive, 1), dtype=np.int64)
    max_span = BIN_SPAN_PER_PATIENT * n_alive + BIN_SPAN_EXTRA
    bins = np.empty((max_span + 1, 4), dtype=np.int64)
    for k in range(1, v):
        q = 0
        p_total = 0
        lo = math.inf
        hi = -math.inf
        whole = True
        for t in range(n_alive):
            j = alive[t]
            if m[j] >= k + 1:
                x = change[j, k]
                values[q] = x
                who[q] = j
                q += 1
                p_total += np.int64(m[j] == k + 1)
                lo = min(lo, x)
                hi = max(hi, x)
                whole = whole and x == math.floor(x)
        if p_total == 0:
            continue
        # an infinite change makes hi - lo infinite or NaN: sorted (equal infinities tie)
        if whole and hi - lo <= max_span:
            _level_by_bins(values, who, q, p_total, k + 1, m, score, lo, hi - lo, bins)
        else:
            _level_by_sort(values, who, q, p_total, k + 1, m, score)


@njit(cache=True)
def joint_rank_scores(death, followup, m, change, n, score):
    """Each patient's score, as :func:`pairwise_scores` gives it, counted: O(n V) with integer
    changes (O(n V log n) otherwise), plus the pairs compared one by one below.

    Survival, where it decides, is counted from sorted months: a patient who died at ``d``
    beats those who died earlier and loses to those who died later and to those alive and
    followed to ``d`` or later; a patient alive until ``f`` beats those who died by ``f``.
    The pairs survival leaves undecided are compared on function: all pairs of patients
    alive by visits (:func:`_function_levels`), and, one by one, a death against a patient
    who left alive by then, and two deaths in the same month. Each score is a whole number,
    so the sums are exact in any order: the same scores bit for bit.
    """
    if _has_nan(death, followup, m, change, n):
        pairwise_scores(death, followup, m, change, n, score)
        return
    dead = np.empty(n, dtype=np.int64)
    alive = np.empty(n, dtype=np.int64)
    n_dead = 0
    n_alive = 0
    for i in range(n):
        score[i] = 0.0
        if death[i] < math.inf:
            dead[n_dead] = i
            n_dead += 1
        else:
            alive[n_alive] = i
            n_alive += 1
    dead_months = np.empty(n_dead)
    for t in range(n_dead):
        dead_months[t] = death[dead[t]]
    by_death = np.argsort(dead_months)
    dead_sorted = dead_months[by_death]
    alive_followup = np.empty(n_alive)
    for t in range(n_alive):
        alive_followup[t] = followup[alive[t]]
    by_followup = np.argsort(alive_followup)
    followup_sorted = alive_followup[by_followup]
    # survival
    for t in range(n_dead):
        i = dead[t]
        d = death[i]
        earlier = np.searchsorted(dead_sorted, d, side="left")
        later = n_dead - np.searchsorted(dead_sorted, d, side="right")
        followed = n_alive - np.searchsorted(followup_sorted, d, side="left")  # followup >= d
        score[i] += earlier - later - followed
        # function: against each patient who left alive before d (followup < d)
        for r in range(n_alive - followed):
            j = alive[by_followup[r]]
            c = _compare_function(i, j, m, change)
            score[i] += c
            score[j] -= c
    for t in range(n_alive):
        i = alive[t]
        score[i] += np.searchsorted(dead_sorted, followup[i], side="right")  # died by f
    # function: two deaths in the same month
    start = 0
    while start < n_dead:
        stop = _tie_end(dead_months, by_death, start, n_dead)
        for a in range(start, stop):
            for b in range(a + 1, stop):
                i = dead[by_death[a]]
                j = dead[by_death[b]]
                c = _compare_function(i, j, m, change)
                score[i] += c
                score[j] -= c
        start = stop
    # function: every pair of patients alive
    _function_levels(alive, n_alive, m, change, score)


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
        Number of visits attended (a prefix of the schedule; at most V).
    change : float64[n_max, V]
        ALSFRS-R change from baseline at each attended visit, points.
    n : int
        Patients (the first ``n`` rows are used).
    score : float64[n_max]
        Scratch: receives each patient's pairwise score (:func:`joint_rank_scores`).
    out : float64[N_RESULT]
        Receives ESTIMATE, SE, DF (inf: z test) and STATUS.
    """
    joint_rank_scores(death, followup, m, change, n, score)
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
        stop = _tie_end(score, order, start, n)
        midrank = 0.5 * (start + stop - 1) + 1.0
        t = stop - start + 0.0
        ties += t * t * t - t
        for k in range(start, stop):
            if arm[order[k]] == 1:
                rank_sum_active += midrank
        start = stop
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


def fit_data(data, sides: int = 2, last_month: float | None = None) -> AnalysisResult:
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
    last_month : float, optional
        The end of follow-up, months: the last scheduled visit, to which completers are
        followed and within which exits lie. Default: the file's last visit month (a CAFS
        review: a file in which everyone died or left before the last visit could not be
        analysed).

    Returns
    -------
    AnalysisResult
        Estimand: probability that an active patient's score exceeds a placebo patient's,
        minus 1/2 (:data:`ESTIMAND`).
    """
    sides = check_sides(sides)
    frame = validate_table(data, extra=("status", "exit_month"))
    frame = after_randomisation(frame)
    schedule = np.unique(frame["month"].to_numpy())
    last = float(schedule[-1])
    end = "the file's last visit month"
    if last_month is not None:
        end = "the end of follow-up given, month"
        if not (np.isfinite(float(last_month)) and float(last_month) >= last):
            raise InputError(
                f"last_month (--last-month) {last_month!r}: must be a number of months no "
                f"earlier than the file's last visit, month {last:g} (the end of follow-up)"
            )
        last = float(last_month)
    arms, death, followup, m_arr = [], [], [], []
    change, short = [], []
    for pid, d in frame.groupby("patient", sort=False):
        t = d["month"].to_numpy()
        y = d["alsfrs_r"].to_numpy()
        if t.size == 0 or t[0] != 0.0 or not np.array_equal(t, schedule[: t.size]):
            raise InputError(off_schedule_message(pid, t, frame))
        status, exit_month = patient_exit(pid, d, last, end)
        if status == "completed" and t[-1] < last:
            short.append((pid, t[-1]))
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
    score = np.empty(n)
    joint_rank_test(
        arm_arr,
        np.asarray(death, dtype=np.float64),
        np.asarray(followup, dtype=np.float64),
        np.asarray(m_arr, dtype=np.int64),
        np.asarray(change, dtype=np.float64).reshape(n, schedule.size),
        n,
        score,
        out,
    )
    n1 = int(arm_arr.sum())
    if min(n1, n - n1) < 2:  # as ols_slope_ttest and ancova_change (a review: 1 ran)
        raise InputError(
            f"data: joint_rank could not be fitted ({n - n1} placebo and {n1} active patients; "
            "each arm needs at least 2)"
        )
    if out[R.STATUS] != R.STATUS_OK and 0 < n1 < n and np.all(score == score[0]):
        raise InputError(
            f"data: joint_rank could not be fitted: every one of the {n} patients has the same "
            "joint-rank score (no pair is decided by survival or by ALSFRS-R change), so the "
            "rank-sum test has no variance"
        )
    result = finish(NAME, out, n - n1, n1, ESTIMAND, UNITS, sides)
    return short_completers_warning(result, short, last) if short else result
