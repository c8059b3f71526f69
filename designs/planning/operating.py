"""Operating characteristics and the realism sensitivity of a design at one sample size.

Both are simulations (:func:`designs.planning.power.power` with one seed throughout, so
rows differ by their assumptions, not by Monte Carlo noise); :mod:`designs.outputs.tables`
renders them.
"""

from __future__ import annotations

import math

import numpy as np

from designs import __version__
from designs.planning.power import null_design, power
from designs.planning.probit import shared_trials_crossing_se
from designs.planning.sample_size import design_at, probit_fit
from designs.sequential import normal as norm
from designs.simulation.numba_cache import software

#: Effects simulated for the minimal detectable effect (0.25 to 2 times the design's).
OC_EFFECTS = 8

#: Largest Monte Carlo SE of the type I error a report gives: at 2,000 trials it was about
#: 0.005 at alpha 0.05, too coarse to write that the test controls its level.
TYPE_I_MC_SE = 0.0015


def nominal_type_i_error(design) -> float:
    """The level a simulated type I error is judged against: ``trial.alpha`` for the test (two
    rejection regions when two-sided), ``alpha / sides`` for the posterior rule, whose
    success is one-sided (P(effect > margin | data) > threshold)."""
    t = design.trial
    return t.alpha / t.sides if design.decision.is_posterior else t.alpha


def type_i_trials(alpha: float, trials: int) -> int:
    """Trials that give the type I error a Monte Carlo SE of at most :data:`TYPE_I_MC_SE`
    at its nominal rate ``alpha`` (``alpha (1 - alpha) / SE^2``: 21,112 at 0.05, 10,834 at
    0.025), and never fewer than ``trials``."""
    return max(int(trials), math.ceil(alpha * (1 - alpha) / TYPE_I_MC_SE**2))


#: Largest Monte Carlo SE of a power that a final run should leave (at any power).
FINAL_RUN_MC_SE = 0.005


def final_run_trials() -> int:
    """Trials per size for a final run: the Monte Carlo SE of a power is at most
    :data:`FINAL_RUN_MC_SE` whatever the power (``0.25 / SE^2``: 10,000)."""
    return math.ceil(0.25 / FINAL_RUN_MC_SE**2)


def calendar_length(design) -> dict:
    """Months from the start of recruitment to the last patient's last visit: a lead-in
    before randomisation if any, accrual of ``n_total`` at ``accrual_per_month`` after the
    ``[accrual]`` ramp-up if any (the model the interim looks are planned and simulated
    with: entries spread over exactly that many months from month 0, the start of
    recruitment, so the first patient enters a little after it; an accrual review), then one
    patient's follow-up (months). A review: the lead-in's months were left out."""
    t = design.trial
    accrual = design.accrual.months(t.n_total, t.accrual_per_month)
    return {
        "lead_in_months": t.lead_in_months,
        "accrual_months": accrual,
        "follow_up_months": t.duration_months,
        "calendar_months": t.lead_in_months + accrual + t.duration_months,
    }


def fixed_calendar_months(fixed_design, n_fixed: int) -> float:
    """Calendar months of a design without looks at its own size ``n_fixed`` (per arm with
    1:1 allocation, in total otherwise; NaN when no size was found): what a group-sequential
    design's expected months compare with (an accrual review: the sample-size notes called
    the months to the final look at n max "without interim analyses", 65.5 where the fixed
    design at its own n takes 57.3)."""
    if n_fixed <= 0:
        return float("nan")
    return float(calendar_length(design_at(fixed_design, n_fixed))["calendar_months"])


def effects_in_range(design, values) -> list:
    """The ``values`` of ``effect.value`` (design units) that ``design`` accepts, in order: a
    grid made as multiples of the design's effect can pass the effect's range (a reliability
    review: a 100% slowing made 1.25 and 2 times, and `report` refused a design that
    sample-size takes, naming a value the user never gave)."""
    from designs.errors import InputError

    kept = []
    for value in values:
        try:
            design.with_overrides({"effect.value": float(value)})
        except InputError:
            continue
        kept.append(value)
    return kept


def oc_effects(design) -> np.ndarray:
    """The effects the minimal detectable effect is fitted on: 0.25 to 2 times the design's
    (:data:`OC_EFFECTS` of them), those within the effect's range (:func:`effects_in_range`)."""
    return np.asarray(
        effects_in_range(design, np.linspace(0.25, 2.0, OC_EFFECTS) * design.effect.value)
    )


def operating_characteristics(
    design,
    n: int,
    trials: int,
    seed: int,
    analysis: str | None = None,
    *,
    progress=None,
    prior=None,
) -> dict:
    """Simulated operating characteristics of ``design`` at size ``n``.

    Type I error (effect 0, the design's own dropout; on :func:`type_i_trials` trials, so
    that its Monte Carlo SE is at most :data:`TYPE_I_MC_SE`), power at the design's effect, the
    minimal detectable effect (80% favourable power; probit curve in the effect fitted to a
    grid simulated with the same seed), expected completers, dropouts and deaths, and the
    calendar length from ``accrual_per_month`` (accrual time plus one patient's follow-up).
    ``prior``: the posterior rule's prior of the effect (see :func:`designs.planning.power.power`).

    Returns
    -------
    dict
        JSON-ready; effects in the design's units and in points/month.
    """
    analysis = analysis or str(design.trial.analysis)
    d = design_at(design, n)
    s1 = power(d, trials, seed, (analysis,), progress=progress, prior=prior)[analysis]
    null_trials = type_i_trials(nominal_type_i_error(design), trials)
    s0 = power(
        null_design(d),
        null_trials,
        seed,
        (analysis,),
        progress=progress,
        prior=prior,
    )[analysis]
    base = design.effect.value
    slope = design.population.slope_mean
    to_points = (
        (lambda v: v * abs(slope))
        if design.effect.kind.value == "proportional_slowing"
        else (lambda v: v)
    )
    effects = oc_effects(design)
    twin = frequentist_twin(d)  # under the posterior rule: the test at its level, same trials
    by_effect = [_effect_row(0.0, 0.0, s0)]
    if twin is not None:
        by_effect[0].update(
            _test_cells(power(null_design(twin), null_trials, seed, (analysis,), progress=progress))
        )
    k, m = [], []
    for e in effects:
        s = power(
            d.with_overrides({"effect.value": float(e)}),
            trials,
            seed,
            (analysis,),
            progress=progress,
            prior=prior,
        )[analysis]
        k.append(round(s.power_favourable * s.denominator))
        m.append(s.denominator)
        by_effect.append(_effect_row(float(e), to_points(float(e)), s))
        if twin is not None:
            at = twin.with_overrides({"effect.value": float(e)})
            by_effect[-1].update(
                _test_cells(power(at, trials, seed, (analysis,), progress=progress))
            )
    b0, b1 = probit_fit(effects, k, m)
    mde = (norm.ppf(0.8) - b0) / b1 if b1 > 0 else math.nan
    if not effects.min() * 0.5 <= mde <= effects.max() * 1.5:
        mde = math.nan  # outside what was simulated: do not extrapolate
    # the effects share their trials: an upper estimate (shared_trials_crossing_se)
    mde_se = math.nan if math.isnan(mde) else shared_trials_crossing_se(b1, norm.ppf(0.8), trials)
    t = d.trial
    return {
        "analysis": analysis,
        "n_per_arm": t.n_per_arm if t.allocation.equal else None,
        "n_placebo": t.n_placebo,
        "n_active": t.n_active,
        "n_total": t.n_total,
        "type_i_error": s0.power,
        "type_i_error_mc_se": s0.mc_se,
        "type_i_error_ci95": list(s0.ci95),
        "type_i_error_trials": null_trials,
        # the names of power's and sample-size's JSON, beside this file's own
        "mc_se_type_i_error": s0.mc_se,
        "type_i_trials": null_trials,
        "power": s1.power,
        "power_favourable": s1.power_favourable,
        "power_mc_se": s1.mc_se_favourable,
        "effect": base,
        "effect_kind": design.effect.kind.value,
        "effect_points_per_month": to_points(base),
        "minimal_detectable_effect_80": mde,
        "minimal_detectable_effect_80_points_per_month": to_points(mde),
        "minimal_detectable_effect_80_mc_se": mde_se,  # design units, an upper estimate
        "mean_estimate": s1.mean_estimate,
        "bias": s1.bias,
        "bias_mc_se": s1.bias_mc_se,
        # the trials' 95% confidence intervals that hold the true value (an ADEMP review)
        "coverage": s1.coverage,
        "coverage_mc_se": s1.coverage_mc_se,
        "coverage_trials": s1.coverage_trials,
        "expected_completers": s1.completers_placebo + s1.completers_active,
        "expected_dropouts": s1.dropout_placebo * t.n_placebo + s1.dropout_active * t.n_active,
        "expected_deaths": s1.death_placebo * t.n_placebo + s1.death_active * t.n_active,
        **calendar_length(d),
        "failed_fits": s1.failed_fits,
        # the success rate at n against the true effect (effect 0: the type I error's run)
        "power_by_effect": by_effect,
        # how the rates were estimated (docs/conventions.md#power): "plain" or "control variate"
        "estimator": s1.estimator,
        "type_i_error_estimator": s0.estimator,
        "trials": trials,
        "seed": seed,
        "version": __version__,
        "software": software(),
    }


def frequentist_twin(design):
    """Under the posterior rule, the design judged instead by its analysis's one-sided test
    at the rule's level (:func:`nominal_type_i_error`): the comparison that says what the rule
    and its prior buy, on the same simulated trials (a regulatory statistician's review: the
    report gave no success rates across true effects beside a test at the same level); None
    under the frequentist test."""
    if not design.decision.is_posterior:
        return None
    from designs.spec.decision import TO_THE_TEST

    return design.with_overrides(
        {**TO_THE_TEST, "trial.sides": 1, "trial.alpha": nominal_type_i_error(design)}
    )


def _effect_row(effect: float, points: float, s) -> dict:
    """One row of ``power_by_effect``: the effect (design units and points/month), the
    favourable rate at it (the rule's success rate under the posterior rule; at effect 0 the
    type I error in the direction of benefit) and its MC SE."""
    return {
        "effect": effect,
        "effect_points_per_month": points,
        "power_favourable": s.power_favourable,
        "mc_se": s.mc_se_favourable,
        "trials": s.trials,
        # "plain" where the oracle's rarer side is too small for the control variate (a
        # consistency review: the rows near power 1 are plain shares under a note that
        # said "with a control variate")
        "estimator": s.estimator,
    }


def _test_cells(summaries) -> dict:
    """The one-sided test's rate beside a ``power_by_effect`` row (:func:`frequentist_twin`)."""
    (s,) = summaries.values()
    return {"test_power_favourable": s.power_favourable, "test_mc_se": s.mc_se_favourable}


#: Scenarios for unpublished assumptions (docs/references.md, attrition; nonlinear decline;
#: the effect's time course): (label, overrides). The dependence of dropout and death on
#: decline is "not found" in the literature, so it is swept; the death hazard is van Eijk
#: 2019's 1.8-2.5 events per 100 person-months (there including tracheostomy and NIV, so
#: an upper bound for death alone).
REALISM_SCENARIOS = (
    ("as designed", {}),
    ("informative dropout, 1 per point/month (assumed)", {"dropout.informative": 1.0}),
    ("informative dropout, 2 per point/month (assumed)", {"dropout.informative": 2.0}),
    ("informative dropout, 4 per point/month (assumed)", {"dropout.informative": 4.0}),
    (
        "death 2%/month on top, its hazard informative 2 per point/month (assumed)",
        {"dropout.death_monthly_hazard": 0.02, "dropout.death_informative": 2.0},
    ),
    (
        # a clinician's review: Gordon et al. 2010's early and late acceleration is over the
        # whole illness, not within a 12-month window (Thakore 2018: slightly accelerating)
        "curved decline, curvature 0.3 (fastest at the window's start and end: shape and size "
        "assumed)",
        {"population.curvature": 0.3},
    ),
    # A cell therapy dosed monthly for 6 months may act late or fade after the last dose.
    (
        "effect from month 3, full by month 6 (assumed)",
        {
            "effect.onset_delay_months": 3.0,
            "effect.ramp_months": 3.0,
            "effect.wane_after_months": 0.0,
        },
    ),
    (
        "effect wanes from month 6, gone by month 12 (assumed)",
        {
            "effect.onset_delay_months": 0.0,
            "effect.ramp_months": 0.0,
            "effect.wane_after_months": 6.0,
            "effect.wane_months": 6.0,
        },
    ),
)


#: A type I error not simulated (the test's, in the realism rows), and its MC SE.
NO_RATE = (math.nan, math.nan)


def realism_scenarios(design) -> list[tuple[str, dict]]:
    """:data:`REALISM_SCENARIOS` that can move ``design``: informative dropout only where it
    has a dropout schedule to act on (a diff review: on a design without dropout the three
    rows equalled "as designed" and read as robustness to informative dropout)."""
    return [
        (label, over)
        for label, over in REALISM_SCENARIOS
        if set(over) != {"dropout.informative"} or design.dropout.has_other_exits
    ]


def _needs_null_run(design, overrides: dict) -> bool:
    """Whether a realism row simulates its own trials with no effect: under the posterior
    rule (whose type I error moves with the information a scenario leaves: a Bayesian SAP
    review asked for it beside the power), unless the scenario changes only the effect's
    time course, whose null trials are the design's own (no effect at any time)."""
    course_only = bool(overrides) and all(k.startswith("effect.") for k in overrides)
    return design.decision.is_posterior and not course_only


def realism_null_runs(design) -> int:
    """How many realism rows simulate trials with no effect (:func:`_needs_null_run`)."""
    return sum(_needs_null_run(design, over) for _, over in realism_scenarios(design))


def scenario_label(design, label: str, over: dict) -> str:
    """A realism row's label; a row that sets the effect's time course says so when the
    design has its own, which it replaces (a time-course review: "effect wanes from month
    6" read as the design's course with waning added, its delay and ramp dropped)."""
    if not (any(k.startswith("effect.") for k in over) and design.effect.has_time_course):
        return label
    head, paren, tail = label.rpartition(" (")  # before its "(assumed)"
    return (
        f"{head}, in place of the design's course{paren}{tail}"
        if paren
        else f"{label}, in place of the design's course"
    )


def realism_null_trials(design, trials: int) -> int:
    """Trials with no effect per realism row: the operating characteristics' count
    (:func:`type_i_trials` at the rule's one-sided level: 10,834 at 0.025), so that the first
    row's null trials are theirs."""
    return type_i_trials(nominal_type_i_error(design), trials)


def realism_sensitivity(
    design, n: int, trials: int, seed: int, analyses, *, progress=None, prior=None
) -> list[dict]:
    """Power and bias at size ``n`` under each of :func:`realism_scenarios`.

    The same seed throughout (common random numbers), and every row's rates plain shares of
    its trials, so differences between rows are mostly the assumptions (the same patients;
    an ADEMP review measured the SD of a paired difference of 0.01 at 500 trials per row, so
    not free of Monte Carlo noise): the
    control variate holds only where exits do not depend on the scores, and with it on the
    first row alone that row's estimate had other noise than the rest (a realism review:
    0.802 with it against 0.778 for informative dropout, where both were 0.774-0.778 as plain
    shares of the same trials). Under a time course of the effect the bias is against the
    mean effect over the follow-up (:attr:`SimulationInputs.course_factor`). ``prior``: the
    posterior rule's prior of the effect (see :func:`designs.planning.power.power`); under
    that rule each row also gives the rule's type I error (``type_i_error``, NaN under the
    test, whose level a scenario that treats both arms alike cannot move).
    """
    base = design_at(design, n)
    rows, null = [], {}
    null_trials = realism_null_trials(design, trials)
    for label, over in realism_scenarios(design):
        d = base.with_overrides(over) if over else base
        label = scenario_label(design, label, over)
        out = power(d, trials, seed, tuple(analyses), progress=progress, prior=prior, control=False)
        simulated = _needs_null_run(design, over)  # else the first row's: the same trials
        if simulated:  # on the operating characteristics' null trials (a diff review: on
            # the rows' 1,000 the first row read 0.031 beside their LIBERAL 0.045)
            zero = power(
                null_design(d), null_trials, seed, tuple(analyses), progress=progress,
                prior=prior, control=False, require_fits=False,
            )  # fmt: skip
        for a, s in out.items():
            if simulated:  # the design's own (the first row's) serve the effect's courses
                rate = (zero[a].power, zero[a].mc_se)
                null.setdefault(a, rate)
            type1, type1_se = rate if simulated else null.get(a, NO_RATE)
            rows.append(
                {
                    "type_i_error": type1,
                    "type_i_mc_se": type1_se,
                    "scenario": label,
                    "analysis": a,
                    "power_favourable": s.power_favourable,
                    "mc_se": s.mc_se_favourable,
                    "bias": s.bias,
                    "bias_mc_se": s.bias_mc_se,
                    # what the bias is measured against (an HTA review: a time course's
                    # true value, +0.078 against the design's +0.125, went unsaid)
                    "true_effect": s.true_effect,
                    "units": s.units,
                    "dropout_placebo": s.dropout_placebo,
                    "dropout_active": s.dropout_active,
                    "death_placebo": s.death_placebo,
                    "death_active": s.death_active,
                    # (an ADEMP review: ancova_change failed in 246 of 500 trials of a row
                    # whose table said nothing)
                    "failed_fits": s.failed_fits,
                    "trials": s.trials,
                }
            )
    return rows
