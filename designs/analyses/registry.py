"""The one table of analyses: everything the rest of the code needs to know about each.

Each entry is built from its analysis module, which defines ``NAME``, ``ESTIMAND``,
``UNITS``, ``METHODS`` (the sentence of the methods text), ``DROPOUT_STRATEGY`` and
``DEATH_STRATEGY`` (how the analysis handles each intercurrent event), ``VARIABLE`` (the
estimand's variable, a template of the design's months), ``NEEDS_LEAD_IN``,
``true_value(shift, visits_months)`` (the estimand's true value when treatment changes each
patient's slope by ``shift`` points/month; under a time course of the effect ``shift`` is
its mean over the whole follow-up, :attr:`designs.simulation.inputs.SimulationInputs.
course_factor`, right for estimands read over the follow-up or at its last visit only) and
``fit_data(data, sides)`` (the analysis of a real long-format data set, on the same Numba
kernel). The entry adds the kernel index: the slot that
:func:`designs.simulation.kernels.simulate_block` dispatches on.

The design's allowed ``trial.analysis`` values, the command line's ``--analysis`` choices,
``analyze``, the engine, the sweep and the report all read this table. To add an analysis,
follow the recipe in docs/architecture.md ("Add an analysis"): its module, one line in
:data:`REGISTRY`, its dispatch and ``A_NAME`` slot in the engine, its kernels in
:func:`designs.simulation.precompile.leaves`, its measured departures in
``tests/analyses/test_registry.py``, and, if it leaves patients out, ``_USES`` and
``_left_out_ids`` here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from designs.analyses import (
    ancova_change,
    joint_rank,
    lmm_slope,
    lmm_slope_kr,
    ols_slope_ttest,
    slope_change_lead_in,
)
from designs.analyses.data_table import AnalysisResult
from designs.analyses.mixed_model_warnings import identifiability_warning, small_trial_warning
from designs.errors import InputError


@dataclass(frozen=True)
class RegisteredAnalysis:
    """One analysis of a trial, as the engine, the command line and the report see it.

    Attributes
    ----------
    name : str
        Name in files, design TOML and on the command line.
    kernel_index : int
        Slot in the engine's per-trial result array and dispatch flags.
    estimand, units : str
        What the estimate estimates (active minus placebo) and its units.
    methods : str
        The analysis in one clause, for the methods text of reports.
    dropout_strategy, death_strategy : str
        The strategy for each intercurrent event (ICH E9(R1)) that the analysis implies.
    variable : str
        The estimand's variable (ICH E9(R1)), a template filled by :meth:`variable_text`.
    needs_lead_in : bool
        True when the analysis needs visits before randomisation (``trial.lead_in_months``).
    true_value : callable
        ``true_value(shift, visits_months)``: the estimand's value when treatment changes each
        patient's slope by ``shift`` points/month (NaN where no closed form exists).
    fit_data : callable
        ``fit_data(data, sides=2) -> AnalysisResult`` on a long-format table.
    """

    name: str
    kernel_index: int
    estimand: str
    units: str
    methods: str
    dropout_strategy: str
    death_strategy: str
    variable: str
    needs_lead_in: bool
    true_value: Callable
    fit_data: Callable[..., AnalysisResult]

    @property
    def dropout_short(self) -> str:
        """The loss-to-follow-up strategy's name, without its explanation ("missing at
        random")."""
        return self.dropout_strategy.split(":", 1)[0]

    @property
    def death_short(self) -> str:
        """The death strategy's name, without its explanation ("composite")."""
        return self.death_strategy.split(":", 1)[0]

    def variable_text(self, trial) -> str:
        """The estimand's variable for a design's ``trial`` section: its follow-up, last
        scheduled visit and lead-in (months) in :attr:`variable`."""
        return self.variable.format(
            months=trial.duration_months,
            last_visit=trial.visits_months[-1],
            lead_in=trial.lead_in_months,
        )

    @classmethod
    def from_module(cls, module: ModuleType, kernel_index: int) -> RegisteredAnalysis:
        """The entry of an analysis module (its ``NAME``, ``ESTIMAND``, ... attributes)."""
        return cls(
            name=module.NAME,
            kernel_index=kernel_index,
            estimand=module.ESTIMAND,
            units=module.UNITS,
            methods=module.METHODS,
            dropout_strategy=module.DROPOUT_STRATEGY,
            death_strategy=module.DEATH_STRATEGY,
            variable=module.VARIABLE,
            needs_lead_in=module.NEEDS_LEAD_IN,
            true_value=module.true_value,
            fit_data=module.fit_data,
        )


#: Every analysis, in kernel-index order (the first is the default primary analysis).
REGISTRY: dict[str, RegisteredAnalysis] = {
    entry.name: entry
    for entry in (
        RegisteredAnalysis.from_module(lmm_slope, 0),
        RegisteredAnalysis.from_module(ols_slope_ttest, 1),
        RegisteredAnalysis.from_module(ancova_change, 2),
        RegisteredAnalysis.from_module(joint_rank, 3),
        RegisteredAnalysis.from_module(slope_change_lead_in, 4),
        RegisteredAnalysis.from_module(lmm_slope_kr, 5),
    )
}

#: Plain names of the analyses for prose, legends and titles (the code name follows in
#: brackets: :func:`title`).
TITLES = {
    "lmm_slope": "mixed model of slopes",
    "lmm_slope_kr": "mixed model of slopes, Kenward-Roger",
    "ols_slope_ttest": "t-test of per-patient slopes",
    "ancova_change": "ANCOVA of change, completers",
    "joint_rank": "joint rank of function and survival",
    "slope_change_lead_in": "slope change from the lead-in",
}


def title(name: str) -> str:
    """'mixed model of slopes (lmm_slope)'; the code name alone when it has no plain name."""
    plain = TITLES.get(name)
    return f"{plain} ({name})" if plain else name


#: Analysis names, in kernel-index order.
ANALYSIS_NAMES: tuple[str, ...] = tuple(REGISTRY)
#: Number of analysis slots of the engine's kernels.
N_ANALYSES = len(REGISTRY)


def check_lead_in(names, has_lead_in: bool, label: str = "analysis = {name!r}") -> None:
    """Refuse an analysis of ``names`` that needs a lead-in when the design has none (one
    line, ``label`` naming the field: ``"--analysis {name}"``, ``"trial.analysis = '{name}'"``)."""
    if has_lead_in:
        return
    for name in names:
        if get(name).needs_lead_in:
            raise InputError(f"{label.format(name=str(name))}: needs trial.lead_in_months > 0")


def check_distinct(names, label: str = "analyses") -> None:
    """Refuse an analysis named twice (a review: every trial was counted twice, so the
    Monte Carlo SE read sqrt(2) too small and the trials twice as many)."""
    seen = set()
    for name in names:
        if name in seen:
            raise InputError(f"{label}: {name} is given twice; give each analysis once")
        seen.add(name)


def get(name: str) -> RegisteredAnalysis:
    """The registry entry of ``name``; an unknown name is bad input listing the allowed ones."""
    try:
        return REGISTRY[str(name)]
    except KeyError:
        raise InputError(
            f"analysis = {name!r}: unknown; allowed: {', '.join(ANALYSIS_NAMES)}"
        ) from None


def analyze(
    data,
    analysis: str,
    alpha: float = 0.05,
    sides: int = 2,
    df_method: str | None = None,
    last_month: float | None = None,
    whole_scores: bool = True,
) -> AnalysisResult:
    """Run the named analysis on one real data set.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of arrays
        Long format: ``patient``, ``arm`` (0/1), ``month`` (months), ``alsfrs_r`` (points);
        ``joint_rank`` also needs ``status`` and ``exit_month``.
    analysis : str
        A name in :data:`REGISTRY`.
    alpha : float
        Significance level in (0, 1); validated here. The result's ``significant`` is
        ``p_value < alpha`` and ``ci_low``/``ci_high`` the (1 - alpha) interval (with
        ``sides=1`` the one-sided bound in the favourable direction).
    sides : {1, 2}
        Two-sided test, or one-sided in the favourable direction.
    df_method : {"satterthwaite", "kenward-roger"}, optional
        ``lmm_slope`` only: its reference distribution (default Satterthwaite).
    last_month : float, optional
        ``ancova_change`` only: the last scheduled visit (months; default: the month most
        patients' records end at).
    whole_scores : bool
        Refuse ALSFRS-R totals outside 0-48 or not whole points, as ``analyze --data`` does
        (a pipeline author's review: a score of 60 was analysed here without a word); False
        takes any finite score (a trial simulated with ``population.integer_scores =
        false``: ``analyze --continuous-scores``).
    """
    if not (isinstance(alpha, int | float) and 0.0 < float(alpha) < 1.0):
        raise InputError(f"alpha: must be in (0, 1), got {alpha!r}")
    if df_method is not None and analysis != lmm_slope.NAME:
        raise InputError(f"df_method: only {lmm_slope.NAME} offers a choice, not {analysis!r}")
    from designs.analyses.data_table import check_scores, validate_table

    frame = validate_table(data)  # the warnings' view of the data, checked once
    check_scores(frame, "data", whole_scores, "whole_scores=False")
    last = float(frame["month"].max())
    if last > MONTHS_PLAUSIBLE:  # a review: analyze gave a slope per day as "points/month"
        raise InputError(
            f"column 'month': the last visit is at month {last:g}; months from randomisation "
            f"are taken up to {MONTHS_PLAUSIBLE:g} (10 years): months given in days? (months "
            "= days / 30.44)"
        )
    if last_month is not None:
        if analysis not in (ancova_change.NAME, joint_rank.NAME):
            raise InputError(
                f"last_month: only for {ancova_change.NAME} and {joint_rank.NAME}, not {analysis!r}"
            )
        fit = ancova_change if analysis == ancova_change.NAME else joint_rank
        result = fit.fit_data(data, last_month=last_month, sides=sides)
    elif df_method is None:
        result = get(analysis).fit_data(data, sides=sides)
    else:
        result = lmm_slope.fit_data(data, sides=sides, df_method=df_method)
    result = _months_warnings(_left_out_warning(result, frame, analysis), frame, analysis)
    result = small_trial_warning(identifiability_warning(result, frame, analysis), frame)
    result = _id_warnings(result, frame)
    if read := getattr(data, "attrs", {}).get("read_warnings"):  # read_trial_csv's
        result = dataclasses.replace(result, warnings=(*read, *result.warnings))
    if analysis == joint_rank.NAME:  # as power notes it (a CAFS review: analyze did not)
        from designs.analyses.small_rank_sum import small_arm_text

        rank = small_arm_text(result.n_placebo, result.n_active, float(alpha), sides)
        if rank:
            result = dataclasses.replace(result, warnings=(*result.warnings, rank))
    return result.at_alpha(float(alpha))


#: A last visit later than this many months reads as days in the month column (weeks, 52-104
#: for a 12-24-month trial, cannot be told from a long trial in months by the last visit).
MONTHS_PLAUSIBLE = 120.0


def _months_warnings(result: AnalysisResult, frame, analysis: str) -> AnalysisResult:
    """Warnings on the month column: visits before month 0 that a slope analysis leaves out
    (a review: month 1 typed as -1 moved lmm_slope's estimate from 0.080 to 0.050 with no
    word). ``frame``: the data as :func:`~designs.analyses.data_table.validate_table`
    returns them. (A last visit beyond :data:`MONTHS_PLAUSIBLE` is refused before.)"""
    import dataclasses

    months = frame["month"].to_numpy()
    lines = []
    before = int((months < 0.0).sum())
    if before and analysis != slope_change_lead_in.NAME:
        lines.append(
            f"{before} {'visit' if before == 1 else 'visits'} at months before 0 (a lead-in "
            "before randomisation, or months typed with a minus) "
            f"{'is' if before == 1 else 'are'} not used by {analysis}; "
            f"{slope_change_lead_in.NAME} is the analysis that uses lead-in "
            f"visits{_baseline_clause(frame)}"
        )
    lines += _code_like_values(frame)
    return dataclasses.replace(result, warnings=(*result.warnings, *lines)) if lines else result


#: Scores this far outside 0-48 (points) read as missing-value codes, not continuous scores
#: slightly beyond the scale (``--continuous-scores``: a simulated trial's are not clipped).
CODE_LIKE_SCORE = 24.0


def _code_like_values(frame) -> list[str]:
    """Warnings on values that read as missing-value codes (a data manager's review: a month
    of 99 and, with ``--continuous-scores``, a score of -99 were analysed and moved the
    estimate, the one shown only as "months 0 to 99"): the latest month when it lies far
    beyond every other (more than twice the next latest and 12 months past it), and scores
    more than :data:`CODE_LIKE_SCORE` points outside 0-48."""
    import numpy as np

    out = []
    months = np.unique(frame["month"].to_numpy())
    if months.size >= 3 and months[-1] > max(2 * months[-2], months[-2] + 12):
        count = int((frame["month"].to_numpy() == months[-1]).sum())
        out.append(
            f"{count} {'visit' if count == 1 else 'visits'} at month {months[-1]:g}, far beyond "
            f"every other (the others end at month {months[-2]:g}): a missing-value code or a "
            "typing error? They are analysed as visits"
        )
    scores = frame["alsfrs_r"].to_numpy()
    far = (scores < -CODE_LIKE_SCORE) | (scores > 48 + CODE_LIKE_SCORE)
    if far.any():
        out.append(
            f"{int(far.sum())} ALSFRS-R {'score' if far.sum() == 1 else 'scores'} far outside "
            f"0-48 (e.g. {scores[far][0]:g}): a missing-value code? They are analysed as scores"
        )
    return out


def _baseline_clause(frame) -> str:
    """A clause for patients whose last visit before month 0 is their baseline: they have no
    visit at month 0 (a data manager's review: a baseline dated 2 days before randomisation,
    month -0.07, was left out for every patient, and the estimate moved 0.183 -> 0.205)."""
    first = frame.groupby("patient", sort=False)["month"].agg(
        lambda m: bool((m < 0).any() and not (m == 0).any())
    )
    count = int(first.sum())
    if not count:
        return ""
    return (
        f"; {count} of {first.size} patients have visits before month 0 and none at month 0: "
        "if their last one before 0 is the baseline, give it as month 0"
    )


def _id_warnings(result: AnalysisResult, frame) -> AnalysisResult:
    """A warning when two patient ids differ as text but are the same number ("5" and
    "5.0", "01" and "1"): ids are text, so they are two patients (a review: one patient
    written both ways was split in two, and n and the estimate moved without a word)."""
    import dataclasses

    import pandas as pd

    ids = pd.Series(frame["patient"].unique())
    if pd.api.types.is_numeric_dtype(ids):  # ids given as numbers: one per number
        return result
    numbers = pd.to_numeric(ids, errors="coerce")
    same = numbers.notna() & numbers.duplicated(keep=False)
    if not same.any():
        return result
    first = same & (numbers == numbers[same].iloc[0])
    shown = " and ".join(repr(str(x)) for x in ids[first])
    more = (
        f" ({int(same.sum())} ids in all are numbers written two ways)"
        if not first.equals(same)
        else ""
    )
    line = (
        f"patient ids {shown} are the same number written differently, so they are analysed "
        f"as different patients{more}; if they are one patient, write the id the same way on "
        "every row"
    )
    return dataclasses.replace(result, warnings=(*result.warnings, line))


#: Who each analysis can use, for the warning on patients of the data it leaves out
#: (``ancova_change`` states its completers in its own header and warning).
_USES = {
    ols_slope_ttest.NAME: "patients with at least 2 visits from month 0",
    slope_change_lead_in.NAME: f"patients with at least {slope_change_lead_in.MIN_VISITS} "
    f"visits up to month 0 and {slope_change_lead_in.MIN_VISITS} from it",
}


def _left_out_warning(result: AnalysisResult, frame, analysis: str) -> AnalysisResult:
    """Add a warning when the analysis used fewer patients than the data hold (a review:
    14 of 60 patients, who left before month 1, were silently not in ``ols_slope_ttest``;
    under informative dropout they are the fastest decliners). ``frame``: the data as
    :func:`~designs.analyses.data_table.validate_table` returns them."""
    import dataclasses

    if analysis == ancova_change.NAME:
        return result
    arms = frame.groupby("patient", sort=False)["arm"].first()
    n_active = int((arms == 1).sum())
    n_placebo = int(arms.size - n_active)
    left = (n_placebo - result.n_placebo, n_active - result.n_active)
    if left[0] <= 0 and left[1] <= 0:
        return result
    uses = _USES.get(analysis, "the patients it can fit")
    line = (
        f"{left[0]} of {n_placebo} placebo and {left[1]} of {n_active} active patients are not "
        f"in this analysis, which uses {uses}"
        + _lead_in_clause(frame, analysis)
        + _left_out_ids(frame, analysis, left[0] + left[1])
        + "; when leaving depends on decline, those left out differ from the rest (the "
        "fastest decliners, when faster decline means leaving sooner)"
    )
    return dataclasses.replace(result, warnings=(*result.warnings, line))


#: Patients named in the warning on those left out; more are counted.
IDS_NAMED = 10


def _left_out_ids(frame, analysis: str, count: int) -> str:
    """The IDs of the patients an analysis left out, found by its rule on visits (at least 2
    from month 0 for ``ols_slope_ttest``, the lead-in's visits on both sides of month 0, one
    from month 0 otherwise), named only when the rule finds as many as the analysis left out
    (a DMC review: the warning counted them, and the committee had to find them by hand)."""
    months = frame["month"].to_numpy()
    per = frame.assign(after=months >= 0.0, before=months <= 0.0).groupby("patient", sort=False)[
        ["after", "before"]
    ]
    visits = per.sum()
    if analysis == ols_slope_ttest.NAME:
        out = visits["after"] < 2
    elif analysis == slope_change_lead_in.NAME:
        need = slope_change_lead_in.MIN_VISITS
        out = (visits["after"] < need) | (visits["before"] < need)
    else:
        out = visits["after"] < 1
    ids = sorted((str(i) for i in visits.index[out.to_numpy()]), key=_natural)
    if len(ids) != count:
        return ""
    more = f" and {len(ids) - IDS_NAMED} more" if len(ids) > IDS_NAMED else ""
    return f" (patient{'s' if len(ids) > 1 else ''} {', '.join(ids[:IDS_NAMED])}{more})"


def _natural(text: str) -> list:
    """Sort key of an ID with its numbers as numbers ('3' before '25', 'x2' before 'x10')."""
    import re

    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)
    ]


def _lead_in_clause(frame, analysis: str) -> str:
    """For the lead-in analysis, how many of those left out had no lead-in slope (fewer than
    its ``MIN_VISITS`` visits up to month 0): they were left out for a missing lead-in, not
    for leaving (a lead-in review: the warning gave only the reason of leaving)."""
    if analysis != slope_change_lead_in.NAME:
        return ""
    before = frame["month"].to_numpy() <= 0.0
    lead_in_visits = frame.assign(before=before).groupby("patient", sort=False)["before"].sum()
    need = slope_change_lead_in.MIN_VISITS
    missing = int((lead_in_visits < need).sum())
    return f" ({missing} of them lack the lead-in's {need} visits)" if missing else ""
