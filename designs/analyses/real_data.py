"""The trial analyses on one real data set, sharing the engine's Numba kernels.

Input is a long-format table (pandas DataFrame or mapping of equal-length arrays) with
columns ``patient`` (any id), ``arm`` (0 placebo, 1 active), ``month`` (visit time, months
from randomisation) and ``alsfrs_r`` (ALSFRS-R total, points). Each function validates the
table, reduces it to the arrays the engine's kernels take and calls the same kernels:

* :func:`fit_lmm_slope` -> :func:`designs.analyses.reml.lmm_slope_fit` (patients grouped by arm and
  exact visit months);
* :func:`fit_ols_slope_ttest` -> :func:`designs.analyses.slope_tests.ols_slope_ttest`;
* :func:`fit_ancova_change` -> :func:`designs.analyses.slope_tests.ancova_change`.

p-values come from Student's t with the kernel's df: two-sided by default, one-sided in the
favourable direction (active declines more slowly: a positive estimate) when ``sides=1``.
"""

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from designs.analyses import reml as lmm
from designs.analyses.results import DF, ESTIMATE, SE, STATUS, STATUS_OK
from designs.analyses.slope_tests import ancova_change, ols_slope, ols_slope_ttest
from designs.errors import InputError

COLUMNS = ("patient", "arm", "month", "alsfrs_r")
ANALYSES = (
    "lmm_slope",
    "ols_slope_ttest",
    "ancova_change",
    "joint_rank",
    "slope_change_lead_in",
)
STATUSES = ("completed", "dropout", "death")


@dataclass(frozen=True)
class AnalysisResult:
    """Result of one analysis of one data set.

    Attributes
    ----------
    analysis : str
        Analysis name (``lmm_slope``, ``ols_slope_ttest`` or ``ancova_change``).
    estimate, se : float
        Effect estimate (active minus placebo) and its standard error, in ``units``.
    df : float
        Degrees of freedom of the t reference distribution.
    statistic : float
        ``estimate / se``.
    p_value : float
        Two-sided, or one-sided in the favourable direction (estimate > 0) if ``sides == 1``.
    n_placebo, n_active : int
        Patients contributing to the analysis.
    estimand, units : str
        What is estimated and its units.
    sides : int
        1 or 2.
    residual_var : float or None
        lmm_slope only: residual variance sigma^2, points^2.
    random_effects_cov : numpy.ndarray or None
        lmm_slope only: 2x2 covariance of (intercept, slope) random effects
        (points^2, points^2/month, (points/month)^2).
    reml_criterion : float or None
        lmm_slope only: -2 restricted log-likelihood (statsmodels' ``-2 * llf`` convention).
    converged : bool or None
        lmm_slope only: whether the REML optimiser converged.
    df_method : str or None
        lmm_slope only: ``"satterthwaite"`` or ``"between-patient fallback"``.
    """

    analysis: str
    estimate: float
    se: float
    df: float
    statistic: float
    p_value: float
    n_placebo: int
    n_active: int
    estimand: str
    units: str
    sides: int = 2
    residual_var: float | None = None
    random_effects_cov: np.ndarray | None = field(default=None, compare=False)
    reml_criterion: float | None = None
    converged: bool | None = None
    df_method: str | None = None

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dictionary (arrays as nested lists)."""
        d = asdict(self)
        if self.random_effects_cov is not None:
            d["random_effects_cov"] = np.asarray(self.random_effects_cov).tolist()
        for k, v in d.items():
            if isinstance(v, np.generic):
                d[k] = v.item()
        return d


def _validate(data, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Check the long-format table; returns a clean copy sorted by patient and month.

    ``extra`` names further columns to keep (unchecked here), e.g. ``status``.
    """
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, Mapping):
        for c in COLUMNS:
            if c not in data:
                raise InputError(f"data: missing column '{c}' (need {', '.join(COLUMNS)})")
        try:
            frame = pd.DataFrame({c: np.asarray(data[c]) for c in (*COLUMNS, *extra) if c in data})
        except ValueError as exc:
            raise InputError(f"data: columns must have equal lengths ({exc})") from None
    else:
        raise InputError(
            f"data: expected a pandas DataFrame or a mapping of arrays, got {type(data).__name__}"
        )
    for c in COLUMNS:
        if c not in frame.columns:
            raise InputError(f"data: missing column '{c}' (need {', '.join(COLUMNS)})")
    for c in extra:
        if c not in frame.columns:
            raise InputError(f"data: missing column '{c}' (this analysis needs {', '.join(extra)})")
    frame = frame.loc[:, [*COLUMNS, *extra]].reset_index(drop=True)
    if len(frame) == 0:
        raise InputError("data: no rows")
    bad = frame["patient"].isna().to_numpy()
    if bad.any():
        raise InputError(f"data: column 'patient' is missing at row {int(np.argmax(bad))}")
    for c in ("arm", "month", "alsfrs_r"):
        col = frame[c]
        if col.dtype == bool or not pd.api.types.is_numeric_dtype(col):
            conv = pd.to_numeric(col, errors="coerce")
            bad = conv.isna().to_numpy() & col.notna().to_numpy()
            if col.dtype == bool or bad.any():
                row = int(np.argmax(bad)) if bad.any() else 0
                raise InputError(
                    f"data: column '{c}' must be numeric, got {col.iloc[row]!r} at row {row}"
                )
            frame[c] = conv
        values = frame[c].to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(f"data: column '{c}' is missing or not finite at row {row}")
    arm = frame["arm"].to_numpy(dtype=np.float64)
    bad = (arm != 0.0) & (arm != 1.0)
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(f"data: column 'arm' must be 0 or 1, got {arm[row]:g} at row {row}")
    frame["arm"] = arm.astype(np.int64)
    frame["month"] = frame["month"].to_numpy(dtype=np.float64)
    frame["alsfrs_r"] = frame["alsfrs_r"].to_numpy(dtype=np.float64)
    n_arms = frame.groupby("patient", sort=False)["arm"].nunique()
    if (n_arms > 1).any():
        pid = n_arms.index[np.argmax(n_arms.to_numpy() > 1)]
        raise InputError(f"data: column 'arm': patient {pid!r} appears in both arms")
    dup = frame.duplicated(["patient", "month"]).to_numpy()
    if dup.any():
        row = int(np.argmax(dup))
        raise InputError(
            f"data: column 'month': patient {frame['patient'].iloc[row]!r} has two visits at "
            f"month {frame['month'].iloc[row]:g} (row {row})"
        )
    return frame.sort_values(["patient", "month"], kind="stable").reset_index(drop=True)


def _after_randomisation(frame: pd.DataFrame) -> pd.DataFrame:
    """Visits at month >= 0: lead-in visits (month < 0) are not part of the slope analyses."""
    return frame.loc[frame["month"].to_numpy() >= 0.0].reset_index(drop=True)


def _patients(frame: pd.DataFrame):
    """Per patient (arm, months, scores), in order of first appearance."""
    arms, months, scores = [], [], []
    for _, d in frame.groupby("patient", sort=False):
        arms.append(int(d["arm"].iloc[0]))
        months.append(d["month"].to_numpy())
        scores.append(d["alsfrs_r"].to_numpy())
    return arms, months, scores


def _p_value(statistic: float, df: float, sides: int) -> float:
    if sides == 2:
        return float(2.0 * stats.t.sf(abs(statistic), df))
    return float(stats.t.sf(statistic, df))


def _check_sides(sides) -> int:
    if sides not in (1, 2):
        raise InputError(f"sides: must be 1 or 2, got {sides!r}")
    return int(sides)


def _finish(analysis, out, n0, n1, estimand, units, sides, **extra) -> AnalysisResult:
    if out[STATUS] != STATUS_OK:
        raise InputError(
            f"data: {analysis} could not be fitted ({n0} placebo and {n1} active patients "
            "usable; each arm needs at least 2 with enough visits)"
        )
    est = float(out[ESTIMATE])
    se = float(out[SE])
    df = float(out[DF])
    statistic = est / se
    return AnalysisResult(
        analysis=analysis,
        estimate=est,
        se=se,
        df=df,
        statistic=statistic,
        p_value=_p_value(statistic, df, sides),
        n_placebo=int(n0),
        n_active=int(n1),
        estimand=estimand,
        units=units,
        sides=sides,
        **extra,
    )


def fit_lmm_slope(data, sides: int = 2) -> AnalysisResult:
    """Random intercept and slope model (REML), Wald t test of arm x month (Satterthwaite df).

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format: ``patient``, ``arm`` (0/1), ``month`` (months), ``alsfrs_r`` (points).
    sides : {1, 2}
        Two-sided p-value, or one-sided favouring active (slower decline).

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean slope, active minus placebo (points/month).
    """
    sides = _check_sides(sides)
    frame = _after_randomisation(_validate(data))
    arms, months, scores = _patients(frame)
    groups = lmm.group_statistics(arms, months, scores)
    out = lmm.lmm_slope_fit_arrays(*groups)
    n1 = sum(arms)
    n0 = len(arms) - n1
    converged = out[STATUS] == STATUS_OK
    cov = None
    if converged:
        cov = np.array(
            [[out[lmm.D11], out[lmm.D12]], [out[lmm.D12], out[lmm.D22]]], dtype=np.float64
        )
    return _finish(
        "lmm_slope",
        out,
        n0,
        n1,
        "difference in mean slope (active - placebo)",
        "points/month",
        sides,
        residual_var=float(out[lmm.SIGMA2]),
        random_effects_cov=cov,
        reml_criterion=float(out[lmm.REML_CRITERION]),
        converged=bool(converged),
        df_method="satterthwaite"
        if out[lmm.DF_METHOD] == lmm.DF_SATTERTHWAITE
        else "between-patient fallback",
    )


def fit_ols_slope_ttest(data, sides: int = 2) -> AnalysisResult:
    """Two-sample pooled t-test of per-patient least-squares slopes (patients with >= 2
    distinct visit months).

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean slope, active minus placebo (points/month).
    """
    sides = _check_sides(sides)
    frame = _after_randomisation(_validate(data))
    arms, months, scores = _patients(frame)
    slope = []
    arm = []
    for a, t, y in zip(arms, months, scores, strict=True):
        s = ols_slope(t, y, t.size)
        if np.isfinite(s):
            slope.append(s)
            arm.append(a)
    slope_arr = np.asarray(slope, dtype=np.float64)
    arm_arr = np.asarray(arm, dtype=np.int64)
    out = np.empty(lmm.N_RESULT)
    ols_slope_ttest(slope_arr, arm_arr, slope_arr.size, out)
    n1 = int(arm_arr.sum())
    return _finish(
        "ols_slope_ttest",
        out,
        arm_arr.size - n1,
        n1,
        "difference in mean per-patient OLS slope (active - placebo)",
        "points/month",
        sides,
    )


def fit_ancova_change(data, last_month: float | None = None, sides: int = 2) -> AnalysisResult:
    """ANCOVA of change from month 0 to ``last_month`` among completers, adjusted for baseline.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format table (see module docstring).
    last_month : float, optional
        The last scheduled visit (months); default: the latest month in the data.
        Completers are patients with visits at month 0 and at ``last_month``.
    sides : {1, 2}
        Two-sided p-value, or one-sided favouring active.

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean change at ``last_month``, active minus placebo (points).
    """
    sides = _check_sides(sides)
    frame = _validate(data)
    if last_month is None:
        last_month = float(frame["month"].max())
    elif not np.isfinite(float(last_month)) or float(last_month) <= 0.0:
        raise InputError(f"last_month: must be a positive number of months, got {last_month!r}")
    arms, months, scores = _patients(frame)
    y0, yl, arm = [], [], []
    for a, t, y in zip(arms, months, scores, strict=True):
        i0 = np.flatnonzero(t == 0.0)
        il = np.flatnonzero(t == float(last_month))
        if i0.size and il.size:
            y0.append(y[i0[0]])
            yl.append(y[il[0]])
            arm.append(a)
    y0_arr = np.asarray(y0, dtype=np.float64)
    yl_arr = np.asarray(yl, dtype=np.float64)
    arm_arr = np.asarray(arm, dtype=np.int64)
    out = np.empty(lmm.N_RESULT)
    ancova_change(y0_arr, yl_arr, arm_arr, arm_arr.size, out)
    n1 = int(arm_arr.sum())
    return _finish(
        "ancova_change",
        out,
        arm_arr.size - n1,
        n1,
        f"difference in mean change from month 0 to month {float(last_month):g} among "
        "completers, adjusted for baseline (active - placebo)",
        "points",
        sides,
    )


def fit_joint_rank(data, sides: int = 2) -> AnalysisResult:
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
    from designs.analyses.joint_rank import ESTIMAND, UNITS, joint_rank_test

    sides = _check_sides(sides)
    frame = _validate(data, extra=("status", "exit_month"))
    frame = _after_randomisation(frame)
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
    out = np.empty(lmm.N_RESULT)
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
    return _finish("joint_rank", out, n - n1, n1, ESTIMAND, UNITS, sides)


def fit_slope_change_lead_in(data, sides: int = 2) -> AnalysisResult:
    """Post-randomisation slope adjusted for the patient's own lead-in slope
    (:mod:`designs.analyses.slope_change_lead_in`).

    Lead-in visits are those at month <= 0 (month 0 is the randomisation visit, assessed
    before treatment); post-randomisation visits those at month >= 0. Patients need >= 2 of
    each.

    Returns
    -------
    AnalysisResult
        Estimand: difference in mean change of slope, active minus placebo (points/month).
    """
    from designs.analyses import slope_change_lead_in as LI

    sides = _check_sides(sides)
    frame = _validate(data)
    rows, arm = [], []
    for a, t, y in zip(*_patients(frame), strict=True):
        pre = t <= 0.0
        post = t >= 0.0
        if pre.sum() < 2 or post.sum() < 2:
            continue
        tp, yp = t[post], y[post]
        m = tp.size
        st, sy = tp.sum(), yp.sum()
        sxx = float((tp * tp).sum() - st * st / m)
        beta = float(((tp * yp).sum() - st * sy / m) / sxx)
        rss = max(float((yp * yp).sum() - sy * sy / m - beta * beta * sxx), 0.0)
        stats_row = np.empty(LI.N_STATS)
        stats_row[LI.S_PRE] = ols_slope(t[pre], y[pre], int(pre.sum()))
        stats_row[LI.S_POST] = beta
        stats_row[LI.S_SXX] = sxx
        stats_row[LI.S_RSS] = rss
        stats_row[LI.S_M] = m
        rows.append(stats_row)
        arm.append(a)
    if not rows:
        raise InputError(
            "data: slope_change_lead_in needs patients with >= 2 visits at "
            "month <= 0 and >= 2 at month >= 0"
        )
    arm_arr = np.asarray(arm, dtype=np.int64)
    out = np.empty(lmm.N_RESULT)
    LI.slope_change_lead_in_test(np.asarray(rows), arm_arr, arm_arr.size, out)
    n1 = int(arm_arr.sum())
    return _finish("slope_change_lead_in", out, arm_arr.size - n1, n1, LI.ESTIMAND, LI.UNITS, sides)


def analyze(data, analysis: str, alpha: float = 0.05, sides: int = 2) -> AnalysisResult:
    """Run the named analysis on one data set.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format: ``patient``, ``arm``, ``month``, ``alsfrs_r``.
    analysis : {"lmm_slope", "ols_slope_ttest", "ancova_change", "joint_rank", \
"slope_change_lead_in"}
        Analysis name (``joint_rank`` also needs ``status`` and ``exit_month`` columns).
    alpha : float
        Significance level in (0, 1); validated here, the decision is ``p_value < alpha``.
    sides : {1, 2}
        Two-sided test, or one-sided in the favourable direction.

    Returns
    -------
    AnalysisResult
    """
    if not (isinstance(alpha, int | float) and 0.0 < float(alpha) < 1.0):
        raise InputError(f"alpha: must be in (0, 1), got {alpha!r}")
    if analysis == "lmm_slope":
        return fit_lmm_slope(data, sides=sides)
    if analysis == "ols_slope_ttest":
        return fit_ols_slope_ttest(data, sides=sides)
    if analysis == "ancova_change":
        return fit_ancova_change(data, sides=sides)
    if analysis == "joint_rank":
        return fit_joint_rank(data, sides=sides)
    if analysis == "slope_change_lead_in":
        return fit_slope_change_lead_in(data, sides=sides)
    raise InputError(f"analysis: unknown '{analysis}' (allowed: {', '.join(ANALYSES)})")
