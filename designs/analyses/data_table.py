"""Real trial data in long format, checked, and the result of analysing it.

Input is a long-format table (pandas DataFrame or mapping of equal-length arrays) with
columns ``patient`` (any id), ``arm`` (0 or ``placebo``/``control``; 1 or
``active``/``treatment``, any case), ``month`` (visit time, months
from randomisation) and ``alsfrs_r`` (ALSFRS-R total, points); ``joint_rank`` also needs the
per-patient ``status`` and ``exit_month``. Each analysis module's ``fit_data`` validates the
table here, reduces it to the arrays its Numba kernel takes (the same kernel the engine runs
on every simulated trial) and returns an :class:`AnalysisResult`.

p-values come from Student's t with the kernel's df: two-sided by default, one-sided in the
favourable direction (active declines more slowly: a positive estimate) when ``sides=1``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from designs.analyses.results import DF, ESTIMATE, SE, STATUS, STATUS_OK
from designs.errors import InputError
from progression.records import score_problem

if TYPE_CHECKING:  # pandas and scipy.stats are imported where used (start-up time)
    import pandas as pd

COLUMNS = ("patient", "arm", "month", "alsfrs_r")
#: The largest visit month (either side of randomisation) a data file may give: 10,000 months
#: (833 years) leaves days given as months to the check of a last visit beyond 120
#: (:data:`designs.analyses.registry.MONTHS_PLAUSIBLE`).
MAX_ABS_MONTH = 10_000.0
#: Arm labels read as 0 (placebo) and 1 (active), compared in lower case.
ARM_LABELS = {
    "0": 0,
    "placebo": 0,
    "control": 0,
    "1": 1,
    "active": 1,
    "treatment": 1,
    "treated": 1,
}


#: The arm labels in messages: every label :data:`ARM_LABELS` reads (a review: the message
#: named placebo/active only).
ARMS_ALLOWED = "0/1, placebo/control or active/treatment/treated (any case)"


def _arm_codes(col: pd.Series, at) -> pd.Series:
    """Text arm labels (``placebo``/``active``, any case) as 0/1; numbers are left alone.
    ``at(row)`` names a row in messages (the file's line)."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(col) or col.dtype == bool:
        return col
    text = col.astype(str).str.strip().str.lower()
    coded = text.map(ARM_LABELS)
    bad = coded.isna().to_numpy() & col.notna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(
            f"data: column 'arm' must be {ARMS_ALLOWED}, got {col.iloc[row]!r} at {at(row)}"
        )
    return coded


STATUSES = ("completed", "dropout", "death")
#: The units of an estimate that is a probability minus 1/2 (``joint_rank``), whose
#: interval is kept within [-0.5, 0.5].
PROBABILITY_UNITS = "probability"


def in_range(x: float, units: str) -> float:
    """An interval's end within the estimand's range: a probability minus 1/2
    (``joint_rank``) lies in [-0.5, 0.5] (a CAFS review: 3 v 3 patients printed a 95%
    interval of 0.001 to 0.999); other units have no bound."""
    return min(max(x, -0.5), 0.5) if units == PROBABILITY_UNITS else x


@dataclass(frozen=True)
class AnalysisResult:
    """Result of one analysis of one data set.

    Attributes
    ----------
    analysis : str
        Analysis name, a key of :data:`designs.analyses.registry.REGISTRY`.
    estimate, se : float
        Effect estimate (active minus placebo) and its standard error, in ``units``.
    df : float
        Degrees of freedom of the t reference distribution.
    statistic : float
        ``estimate / se``.
    p_value : float
        Two-sided, or one-sided in the favourable direction (estimate > 0) if ``sides == 1``.
    ci95_low, ci95_high : float
        Two-sided 95% confidence interval of the estimate (``estimate -/+ t_0.975(df) * se``),
        in ``units``, whatever ``sides`` and ``alpha`` are.
    alpha : float
        Significance level of ``significant`` and ``ci_low``/``ci_high`` (default 0.05;
        :meth:`at_alpha` gives the result at another level).
    significant : bool or None
        ``p_value < alpha`` (with ``sides``); None when the fit gave no p-value.
    ci_level : float
        ``1 - alpha``: the confidence level of ``ci_low``/``ci_high``.
    ci_low, ci_high : float or None
        With ``sides == 2`` the two-sided (1 - alpha) interval
        (``estimate -/+ t_(1-alpha/2)(df) * se``); with ``sides == 1`` the one-sided
        (1 - alpha) bound in the favourable direction: ``ci_low = estimate -
        t_(1-alpha)(df) * se`` and ``ci_high`` None (unbounded). Significant exactly when
        the interval excludes 0.
    warnings : tuple of str
        What the user should know about the data's analysis (one line each), e.g.
        ``ancova_change`` with fewer than half of the patients completers.
    n_placebo, n_active : int
        Patients contributing to the analysis.
    estimand, units : str
        What is estimated and its units.
    sides : int
        1 or 2.
    residual_var : float or None
        lmm_slope: residual variance sigma^2, points^2; slope_change_lead_in: the pooled
        within-patient residual variance of the post-randomisation lines, points^2 (NaN
        when the patients are weighted equally).
    slope_var_unexplained : float or None
        slope_change_lead_in only: the DerSimonian-Laird variance of true post-randomisation
        slopes not explained by arm and lead-in slope, (points/month)^2 (NaN when the
        patients are weighted equally).
    lead_in_coefficient : float or None
        slope_change_lead_in only: the coefficient of the lead-in slope (a lead-in review:
        these three were computed and not shown, and a reproduction in R needs them).
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
    ci95_low: float = float("nan")
    ci95_high: float = float("nan")
    residual_var: float | None = None
    slope_var_unexplained: float | None = None
    lead_in_coefficient: float | None = None
    random_effects_cov: np.ndarray | None = field(default=None, compare=False)
    reml_criterion: float | None = None
    converged: bool | None = None
    df_method: str | None = None
    alpha: float = 0.05
    significant: bool | None = None
    ci_level: float = 0.95
    ci_low: float = float("nan")
    ci_high: float | None = float("nan")
    warnings: tuple[str, ...] = ()

    def at_alpha(self, alpha: float) -> AnalysisResult:
        """This result with the decision and the (1 - ``alpha``) interval at ``alpha``."""
        from scipy import stats

        one_sided = self.sides == 1
        t = float(stats.t.ppf(1.0 - alpha if one_sided else 1.0 - alpha / 2.0, self.df))
        low = in_range(self.estimate - t * self.se, self.units)
        p = self.p_value
        return replace(
            self,
            alpha=float(alpha),
            significant=bool(p < alpha) if np.isfinite(p) else None,
            ci_level=1.0 - float(alpha),
            ci_low=low,
            ci_high=None if one_sided else in_range(self.estimate + t * self.se, self.units),
        )

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dictionary (arrays as nested lists)."""
        d = asdict(self)
        if self.random_effects_cov is not None:
            d["random_effects_cov"] = np.asarray(self.random_effects_cov).tolist()
        for k, v in d.items():
            if isinstance(v, np.generic):
                d[k] = v.item()
        return d


def validate_table(data, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Check the long-format table; returns a clean copy sorted by patient and month.

    ``extra`` names further columns to keep (unchecked here), e.g. ``status``.
    """
    import pandas as pd

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
        if c not in frame.columns:  # with what was found, as `fit --data` says (a review)
            found = ", ".join(map(str, frame.columns)) or "none"
            raise InputError(
                f"data: missing column '{c}' (need {', '.join(COLUMNS)}; found: {found}; "
                "names are lower case)"
            )
    for c in extra:
        if c not in frame.columns:
            raise InputError(f"data: missing column '{c}' (this analysis needs {', '.join(extra)})")
    lines = frame.attrs.get("lines")  # the file's line of each row (read_trial_csv)

    def at(row: int) -> str:
        return f"line {lines[row]}" if lines is not None else f"row {row + 1}"

    frame = frame.loc[:, [*COLUMNS, *extra]].reset_index(drop=True)
    # the rows' file lines are in at(): kept in attrs, pandas deep-copied them into every
    # per-patient slice (a stress review: analyze took 46 s at 1,000 per arm, 182 s at 2,000)
    frame.attrs = {}
    if len(frame) == 0:
        raise InputError("data: no rows")
    bad = frame["patient"].isna().to_numpy()
    if bad.any():
        raise InputError(f"data: column 'patient' is missing at {at(int(np.argmax(bad)))}")
    frame["arm"] = _arm_codes(frame["arm"], at)
    for c in ("arm", "month", "alsfrs_r"):
        col = frame[c]
        if col.dtype == bool or not pd.api.types.is_numeric_dtype(col):
            conv = pd.to_numeric(col, errors="coerce")
            bad = conv.isna().to_numpy() & col.notna().to_numpy()
            if col.dtype == bool or bad.any():
                row = int(np.argmax(bad)) if bad.any() else 0
                what = ARMS_ALLOWED if c == "arm" else "numeric"
                if (mixed := _mixed_decimals(col, row, at)) is not None:
                    raise InputError(f"data: column '{c}' {mixed}")
                hint = _date_hint(col.iloc[row]) if c == "month" else ""
                raise InputError(
                    f"data: column '{c}' must be {what}, got {_plain(col.iloc[row])!r} "
                    f"at {at(row)}{_comma_hint(col.iloc[row])}{hint}"
                )
            frame[c] = conv
        values = frame[c].to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            row, count = int(np.argmax(bad)), int(bad.sum())
            rows = f"{count} rows, the first" if count > 1 else "1 row,"
            todo = (
                "delete the rows of visits without a score"
                if c == "alsfrs_r"
                else f"give every row its {c}"
            )
            raise InputError(
                f"data: column '{c}' is missing or not finite in {rows} at {at(row)}; {todo}"
            )
    arm = frame["arm"].to_numpy(dtype=np.float64)
    bad = (arm != 0.0) & (arm != 1.0)
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(
            f"data: column 'arm' must be {ARMS_ALLOWED}, got {arm[row]:g} at {at(row)}"
        )
    frame["arm"] = arm.astype(np.int64)
    frame["month"] = frame["month"].to_numpy(dtype=np.float64)
    far = np.abs(frame["month"].to_numpy()) > MAX_ABS_MONTH
    if far.any():  # (a reliability review: 1e300 gave overflow warnings, then "degenerate")
        row = int(np.argmax(far))
        raise InputError(
            f"data: column 'month' = {frame['month'].iloc[row]:g} at {at(row)}: beyond "
            f"+-{MAX_ABS_MONTH:g} months; months from randomisation are expected"
        )
    frame["alsfrs_r"] = frame["alsfrs_r"].to_numpy(dtype=np.float64)
    n_arms = frame.groupby("patient", sort=False)["arm"].nunique()
    if (n_arms > 1).any():
        pid = n_arms.index[np.argmax(n_arms.to_numpy() > 1)]
        raise InputError(f"data: column 'arm': patient {_plain(pid)!r} appears in both arms")
    dup = frame.duplicated(["patient", "month"]).to_numpy()
    if dup.any():
        row = int(np.argmax(dup))
        pid, month = frame["patient"].iloc[row], frame["month"].iloc[row]
        earlier = int(np.argmax(((frame["patient"] == pid) & (frame["month"] == month)).to_numpy()))
        first, score = float(frame["alsfrs_r"].iloc[earlier]), float(frame["alsfrs_r"].iloc[row])
        what = (  # (a DMC review: a repeated row and two scores read alike)
            "the same row twice: delete one"
            if score == first
            else f"scores {first:g} and {score:g}: keep the one that was measured"
        )
        raise InputError(
            f"data: column 'month': patient {_plain(pid)!r} has two visits at month "
            f"{month:g} ({at(earlier)} and {at(row)}), {what}"
        )
    return frame.sort_values(["patient", "month"], kind="stable").reset_index(drop=True)


def _mixed_decimals(col, row: int, at) -> str | None:
    """The message for a column whose unreadable value at ``row`` has a decimal comma while
    another value has a decimal point (a data manager's review: a semicolon file with one
    "3.8357" among "0,0"s was refused at the first "0,0" with "only a file separated by
    semicolons may use them", in a file separated by semicolons); None otherwise."""
    if not _comma_hint(col.iloc[row]):
        return None
    point = col.astype(str).str.fullmatch(r"\s*[-+]?\d*\.\d+\s*").to_numpy()
    if not point.any():
        return None
    other = int(np.argmax(point))
    return (
        f"mixes decimal commas ({_plain(col.iloc[row])!r} at {at(row)}) and decimal points "
        f"({_plain(col.iloc[other])!r} at {at(other)}): write every number of the file one way "
        "(decimal commas only in a file separated by semicolons)"
    )


def _comma_hint(value) -> str:
    """A decimal comma where a point is read: only semicolon-separated files take them."""
    if re.fullmatch(r"\s*[-+]?\d+,\d+\s*", str(value)):
        return " (a decimal comma: only a file separated by semicolons may use them)"
    return ""


def _date_hint(value) -> str:
    """A calendar date where months are read (a European data manager's review: "15.01.2024"
    got "must be numeric" with no word of what the column holds)."""
    if re.fullmatch(r"\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s*", str(value)):
        return (
            " (a date: give months since randomisation, (visit date - randomisation date) in "
            "days / 30.44, negative before it)"
        )
    return ""


def after_randomisation(frame: pd.DataFrame) -> pd.DataFrame:
    """Visits at month >= 0: lead-in visits (month < 0) are not part of the slope analyses."""
    return frame.loc[frame["month"].to_numpy() >= 0.0].reset_index(drop=True)


def patients(frame: pd.DataFrame):
    """Per patient (arm, months, scores), in order of first appearance. Scores that are all
    the same, or never change within a patient, are bad input: no slope or change can be
    estimated from them."""
    values = frame["alsfrs_r"].to_numpy()
    if values.size > 1 and values.min() == values.max():
        raise InputError(
            f"data: column 'alsfrs_r': every score is {values[0]:g}; the scores do not vary, "
            "so there is no decline to analyse"
        )
    if values.size and (frame.groupby("patient", sort=False)["alsfrs_r"].agg(np.ptp) == 0).all():
        raise InputError(
            "data: column 'alsfrs_r': no patient's score changes between visits, so there is "
            "no decline to analyse"
        )
    arms, months, scores = [], [], []
    for _, d in frame.groupby("patient", sort=False):
        arms.append(int(d["arm"].iloc[0]))
        months.append(d["month"].to_numpy())
        scores.append(d["alsfrs_r"].to_numpy())
    return arms, months, scores


def p_value(statistic: float, df: float, sides: int) -> float:
    from scipy import stats

    if sides == 2:
        return float(2.0 * stats.t.sf(abs(statistic), df))
    return float(stats.t.sf(statistic, df))


def check_sides(sides) -> int:
    if sides not in (1, 2):
        raise InputError(f"sides: must be 1 or 2, got {sides!r}")
    return int(sides)


#: A failed fit's cause where the analysis cannot name one.
DEGENERATE = "the fit is degenerate: check that the scores vary within patients over time"


def finish(
    analysis, out, n0, n1, estimand, units, sides, why_unusable=None, why_degenerate=None, **extra
) -> AnalysisResult:
    """The :class:`AnalysisResult` of a kernel's result row ``out``; a failed fit is bad
    input saying why (``why_unusable``: why too few patients were usable, if known;
    ``why_degenerate()``: what in the data left the fit without variation, or None)."""
    from scipy import stats

    if out[STATUS] != STATUS_OK:
        if (n0 < 2 or n1 < 2) and why_unusable:
            raise InputError(f"data: {analysis} could not be fitted: {why_unusable}")
        if n0 < 2 or n1 < 2:
            raise InputError(
                f"data: {analysis} could not be fitted ({n0} placebo and {n1} active patients "
                "usable; each arm needs at least 2 with enough visits)"
            )
        # the data's own cause where the analysis can name it (a numerics review: "check
        # that the scores vary within patients" where they did, and the baselines did not)
        cause = why_degenerate() if why_degenerate is not None else None
        raise InputError(
            f"data: {analysis} could not be fitted on {n0} placebo and {n1} active patients "
            f"({cause or DEGENERATE})"
        )
    est = float(out[ESTIMATE])
    se = float(out[SE])
    df = float(out[DF])
    statistic = est / se
    half = float(stats.t.ppf(0.975, df)) * se
    return AnalysisResult(
        analysis=analysis,
        estimate=est,
        se=se,
        df=df,
        statistic=statistic,
        p_value=p_value(statistic, df, sides),
        n_placebo=int(n0),
        n_active=int(n1),
        estimand=estimand,
        units=units,
        sides=sides,
        ci95_low=in_range(est - half, units),
        ci95_high=in_range(est + half, units),
        **extra,
    ).at_alpha(0.05)


def _plain(value):
    """A numpy scalar as the Python value it holds (np.int64(0) reads as 0 in messages)."""
    return value.item() if isinstance(value, np.generic) else value


def check_scores(
    frame: pd.DataFrame,
    source: str,
    whole: bool = True,
    option: str = "analyze --continuous-scores",
) -> None:
    """Refuse ALSFRS-R totals that are impossible (outside 0-48 or not whole points), with
    the rule :func:`progression.records.score_problem` that ``fit`` applies too; ``whole``
    False: any finite score is accepted (``analyze --continuous-scores``: a trial simulated
    with ``population.integer_scores = false``, whose scores are neither rounded nor held to
    0-48; ``option``, what a refusal of a fraction advises: the command's option, or the
    library's ``whole_scores=False``)."""
    import pandas as pd

    if "alsfrs_r" not in frame.columns:
        return
    values = pd.to_numeric(frame["alsfrs_r"], errors="coerce").to_numpy(dtype=np.float64)
    for row in np.flatnonzero(np.isfinite(values)):
        problem = score_problem(values[row])
        if not whole:
            problem = None  # simulated continuous scores: no rounding, floor or ceiling
        elif problem and "whole" in problem:
            problem += f" (a trial simulated with population.integer_scores = false: {option})"
        elif problem:  # another score, shifted into 0-48 or not (an endpoint-porting review)
            problem += f" (for a score other than the ALSFRS-R total: {option})"
        if problem:
            lines = frame.attrs.get("lines")
            at = f"line {lines[row]}" if lines is not None else f"data row {row + 1}"
            raise InputError(f"{source}: {at}, column 'alsfrs_r': {problem}")
