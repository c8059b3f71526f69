"""``ancova_change``: completers' change to the last visit, ANCOVA adjusted for baseline.

Estimand: the difference in mean ALSFRS-R change from baseline (month 0) to the last
scheduled visit, adjusted for baseline, active minus placebo (points), estimated among the
completers: unbiased for all randomised only when leaving and death do not depend on decline.
Fits ``ylast - y0 = c0 + c1 * arm + c2 * y0 + e`` by ordinary least squares; the kernel
writes ESTIMATE, SE, DF and STATUS of :mod:`designs.analyses.results` into ``out``.
"""

import numpy as np
from numba import njit

from designs.analyses.data_table import (
    AnalysisResult,
    check_sides,
    finish,
    patients,
    validate_table,
)
from designs.analyses.results import DF, ESTIMATE, N_RESULT, SE, STATUS, STATUS_OK, mark_failed
from designs.errors import InputError

NAME = "ancova_change"
ESTIMAND = (
    "difference in mean ALSFRS-R change from baseline to the last visit, adjusted for "
    "baseline, active minus placebo"
)
UNITS = "points"
#: Strategy for each intercurrent event (ICH E9(R1)), stated in the methods text and outputs.
DROPOUT_STRATEGY = (
    "completers only: estimated among the patients with the last visit, so it is the change "
    "in all randomised only when leaving does not depend on decline (biased otherwise; the "
    "bias is measured against all randomised)"
)
DEATH_STRATEGY = (
    "completers only: patients who died are excluded (biased in the same way when death "
    "depends on decline)"
)
METHODS = "change from baseline to the last visit among completers, ANCOVA adjusted for baseline"
#: The estimand's variable (:data:`designs.analyses.lmm_slope.VARIABLE`'s fields).
VARIABLE = (
    "change in ALSFRS-R total score (0-48 points) from baseline to the last scheduled "
    "visit at month {last_visit:g}"
)
NEEDS_LEAD_IN = False


@njit(cache=True)
def ancova_change(y0, ylast, arm, n, out):
    """ANCOVA of change from baseline among completers, adjusted for baseline.

    Fits ``ylast - y0 = c0 + c1 * arm + c2 * y0 + e`` by ordinary least squares.

    Parameters
    ----------
    y0 : float64[n_max]
        Baseline (month 0) scores, points.
    ylast : float64[n_max]
        Scores at the last scheduled visit, points (completers only).
    arm : int64[n_max]
        Arm (0 placebo, 1 active).
    n : int
        Number of leading entries used.
    out : float64[N_RESULT]
        Written: ESTIMATE = ``c1`` (points; difference in mean change, active minus placebo,
        at equal baseline), SE (points), DF = n - 3, STATUS (1 if an arm has < 2 patients,
        the design is singular, or the SE is 0 or not finite).
    """
    for k in range(N_RESULT):
        out[k] = np.nan
    n0 = 0
    n1 = 0
    mx = 0.0
    mc = 0.0
    for i in range(n):
        if arm[i] == 0:
            n0 += 1
        elif arm[i] == 1:
            n1 += 1
        else:
            mark_failed(out)
            return
        mx += y0[i]
        mc += ylast[i] - y0[i]
    if n0 < 2 or n1 < 2:
        mark_failed(out)
        return
    nt = n0 + n1
    ma = n1 / nt
    mx /= nt
    mc /= nt
    saa = 0.0
    sax = 0.0
    sxx = 0.0
    sac = 0.0
    sxc = 0.0
    for i in range(n):
        da = arm[i] - ma
        dx = y0[i] - mx
        dc = (ylast[i] - y0[i]) - mc
        saa += da * da
        sax += da * dx
        sxx += dx * dx
        sac += da * dc
        sxc += dx * dc
    det = saa * sxx - sax * sax
    if not det > 1e-12 * saa * sxx:
        mark_failed(out)
        return
    c1 = (sxx * sac - sax * sxc) / det
    c2 = (saa * sxc - sax * sac) / det
    rss = 0.0
    for i in range(n):
        r = ((ylast[i] - y0[i]) - mc) - c1 * (arm[i] - ma) - c2 * (y0[i] - mx)
        rss += r * r
    df = nt - 3.0
    if df < 1.0:
        mark_failed(out)
        return
    se = np.sqrt(rss / df * sxx / det)
    if not (se > 0.0 and np.isfinite(se) and np.isfinite(c1)):
        mark_failed(out)
        return
    out[ESTIMATE] = c1
    out[SE] = se
    out[DF] = df
    out[STATUS] = STATUS_OK


def true_value(shift, visits_months):
    """True estimand under a mean change of slope ``shift`` (points/month): the change in all
    randomised, ``shift x duration`` (points).

    Among completers under informative exits the difference is smaller, so the reported
    bias then is the completers' selection (which is the point of showing it; the estimand
    declares all randomised for that reason).
    """
    return shift * (visits_months[-1] - visits_months[0])


def modal_last_visit(months) -> float:
    """The last scheduled visit of a data set: the month the most patients' records end at (the
    later month on a tie), so that a few off-schedule late visits do not move it.

    ``months`` is each patient's visit months (arrays, sorted)."""
    ends, counts = np.unique([float(t[-1]) for t in months], return_counts=True)
    return float(ends[counts == counts.max()][-1])


def fit_data(data, last_month: float | None = None, sides: int = 2) -> AnalysisResult:
    """ANCOVA of change from month 0 to ``last_month`` among completers, adjusted for baseline.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format table (see module docstring).
    last_month : float, optional
        The last scheduled visit (months); default: the month the most patients' records end at
        (:func:`modal_last_visit`). Completers are patients with visits at exactly month 0
        and ``last_month``.
    sides : {1, 2}
        Two-sided p-value, or one-sided favouring active.

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean change at ``last_month``, active minus placebo (points).
        ``warnings`` says which patients are left out (not completers), by arm.
    """
    sides = check_sides(sides)
    frame = validate_table(data)
    arms, months, scores = patients(frame)
    chosen = last_month is None
    ending = 0  # patients whose records end at the chosen last month
    if chosen:
        last_month = modal_last_visit(months)
        ending = sum(float(t[-1]) == last_month for t in months)
        if not last_month > 0.0:
            # an edge-design review: with jittered months, "most patients' records end at
            # month 0" where 5 of 200 did (every other last month was unique)
            raise InputError(
                "data: ancova_change needs visits after month 0 (the most common last visit "
                f"is month {last_month:g}, for {ending} of {len(arms)} patients; months must "
                "be the scheduled visit months: give the last one with --last-month)"
            )
    elif not np.isfinite(float(last_month)) or float(last_month) <= 0.0:
        raise InputError(f"last_month: must be a positive number of months, got {last_month!r}")
    last_month = float(last_month)
    y0, yl, arm = [], [], []
    at_0 = at_last = 0
    for a, t, y in zip(arms, months, scores, strict=True):
        i0 = np.flatnonzero(t == 0.0)
        il = np.flatnonzero(t == last_month)
        at_0 += bool(i0.size)
        at_last += bool(il.size)
        if i0.size and il.size:
            y0.append(y[i0[0]])
            yl.append(y[il[0]])
            arm.append(a)
    y0_arr = np.asarray(y0, dtype=np.float64)
    yl_arr = np.asarray(yl, dtype=np.float64)
    arm_arr = np.asarray(arm, dtype=np.int64)
    out = np.empty(N_RESULT)
    ancova_change(y0_arr, yl_arr, arm_arr, arm_arr.size, out)
    n1 = int(arm_arr.sum())
    n_all = len(arms)
    visits = f"visits at month 0 and month {last_month:g}"
    why = (
        f"{arm_arr.size - n1} placebo and {n1} active patients have {visits}, each arm needs "
        f"at least 2 ({at_0} of {n_all} patients have a visit at exactly month 0, {at_last} "
        f"at exactly month {last_month:g}, the last scheduled visit; months must be the "
        "scheduled visit months, and --last-month sets the last)"
    )
    warnings = []
    active_all = sum(int(a) for a in arms)
    placebo_all = n_all - active_all
    # those left out, by arm (a missing-data review: 65 of 200, more of one arm, unsaid)
    by_arm = (
        f"{placebo_all - (arm_arr.size - n1)} of {placebo_all} placebo, {active_all - n1} of "
        f"{active_all} active"
    )
    if 2 * arm_arr.size < n_all:
        distinct = len(set(np.concatenate(months).tolist()))
        # visit windows: actual visit months around a schedule (a DMC review: 12 of 80
        # patients, 85 distinct months, and the warning gave no cause)
        windows = (
            f"; the visit months vary around a schedule ({distinct} distinct months, at most "
            f"{max(t.size for t in months)} visits a patient): ancova_change compares visits at "
            "exactly month 0 and the last month, so give the scheduled (nominal) visit months"
            if distinct > 2 * max(t.size for t in months)
            else ""
        )
        # by arm and with the strategy, as when fewer are left out (a diff review: the
        # most was said of the fewest missing)
        warnings.append(
            f"ancova_change: only {arm_arr.size} of {n_all} patients count as completers "
            f"({visits}); the others ({by_arm}) are left out, and the completers differ from "
            f"the randomised arms when leaving depends on decline{windows}"
        )
    no_baseline = at_last - arm_arr.size  # at the last month, not at month 0
    if arm_arr.size < n_all and 2 * arm_arr.size >= n_all:
        line = (
            f"ancova_change: {n_all - arm_arr.size} of {n_all} patients ({by_arm}) are left "
            f"out, not seen at both month 0 and month {last_month:g}: the change is estimated "
            "among completers only, who differ from the randomised arms when leaving depends "
            "on decline"
        )
        if no_baseline:
            # a DMC review: 4 completers without a month-0 visit were left out without a word
            line += (
                f"; {no_baseline} of them {'was' if no_baseline == 1 else 'were'} seen at month "
                f"{last_month:g} but {'has' if no_baseline == 1 else 'have'} no visit at month 0 "
                "(the baseline the change is from)"
            )
        warnings.append(line)
    latest = max(float(t[-1]) for t in months)
    if latest > last_month and chosen:
        # heavy attrition moves the month most records end at before the schedule's end (a
        # review: month 1, where the engine analyses month 12)
        later = sum(float(t[-1]) > last_month for t in months)
        warnings.append(
            f"ancova_change: the last visit taken is month {last_month:g}, the most common "
            f"last visit ({ending} of {n_all} patients); {later} have visits after it (up to "
            f"month {latest:g}): give --last-month with the last scheduled visit if it is later"
        )
    return finish(
        NAME,
        out,
        arm_arr.size - n1,
        n1,
        f"{ESTIMAND} (month 0 to month {last_month:g})",
        UNITS,
        sides,
        why_unusable=why,
        why_degenerate=lambda: _no_variation(y0_arr, yl_arr, arm_arr),
        warnings=tuple(warnings),
    )


def _no_variation(y0, yl, arm) -> str | None:
    """What in the completers' scores leaves the ANCOVA without variation, or None: the same
    baseline for all (R's lm then drops it), or last scores exactly on a line in the baseline
    and arm (no residual variation)."""
    if np.ptp(y0) == 0.0:
        return (
            f"every completer's month-0 score is {y0[0]:g} points: there is no baseline "
            "variation to adjust for"
        )
    x = np.column_stack([np.ones_like(y0), y0, arm])
    residual = yl - x @ np.linalg.lstsq(x, yl, rcond=None)[0]
    if residual @ residual <= 1e-20 * max(float(((yl - yl.mean()) ** 2).sum()), 1e-300):
        return (
            "every completer's last score is an exact line in the baseline and arm: the "
            "residual variance is 0"
        )
    return None
