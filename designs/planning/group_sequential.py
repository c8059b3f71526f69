"""Operating characteristics of a group-sequential design, simulated in calendar time.

Each simulated trial is generated once and analysed at every look with the data available
then (:func:`designs.simulation.engine_looks.run_trials_at_looks`), at the calendar months
where the expected information reaches the design's fractions
(:func:`designs.planning.look_times.look_times`). At each look the Wald statistic
``estimate / SE`` with the analysis' degrees of freedom is carried to the z scale by its
p-value (``z = Phi^-1(F_t(stat; df))``, so each look keeps its nominal level) and compared
with the trial's own efficacy boundary, which spends alpha by the information it observed,
``1 / SE^2`` (:func:`designs.sequential.observed.observed_crossings`), or under
``interim.information = "planned"`` with the planned boundaries. A non-binding
futility rule (one-sided designs) stops a trial whose z falls at or below the planned
futility boundary of that look. The trial stops at the first boundary crossed.

The design is simulated under its effect and under no effect (the same seed and patients):
power, stopping probabilities, expected patients randomised and expected calendar months
come with both, and the no-effect run gives the type I error of the whole design.
A look whose fit failed takes no decision (the trial continues); a trial whose final fit
failed is counted in ``failed_fits`` and as a failure to reject, or left out of the rates
under ``decision.failed_fits = "exclude"``, as in :mod:`power`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from designs.analyses import results as R
from designs.errors import InputError
from designs.planning.look_times import LookTimes, look_times
from designs.planning.look_z import z_statistics
from designs.planning.power import mc_se, null_design
from designs.planning.rate_bound import counted_h0, edge_bound
from designs.program import program_name
from designs.sequential import efficacy_boundaries, futility_boundaries
from designs.sequential.conditional_power import conditional_power_futility
from designs.sequential.observed import observed_crossings
from designs.simulation import layout as K
from designs.simulation.engine_looks import LookResults, run_trials_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec.interim import CpUnder, Futility, Information

__all__ = [
    "GroupSequentialSummary",
    "Outcome",
    "group_sequential_power",
    "planned_boundaries",
    "simulate_outcome",
    "summarise",
]


def planned_boundaries(design, fractions=None):
    """Planned efficacy and futility boundaries (z) at the expected information fractions
    of the looks (``fractions``; by default those of :func:`look_times`)."""
    return planned_with_drift(design, fractions)[0]


def planned_with_drift(design, fractions=None):
    """:func:`planned_boundaries` and the drift ``theta sqrt(I_max)`` its beta-spending
    futility boundaries were derived under (power ``1 - futility_beta``,
    :func:`designs.sequential.futility_boundaries`); None without such boundaries (none,
    or conditional power)."""
    interim, t = design.interim, design.trial
    if fractions is None:
        fractions = look_times(design).fractions
    eff = efficacy_boundaries(fractions, t.alpha, interim.alpha_spending(), t.sides)
    if interim.futility is Futility.CP:
        drift = None
        if interim.futility_cp_under is CpUnder.DESIGN:
            drift = design_drift(design, look_times(design).information_max)
        cp = conditional_power_futility(
            eff, interim.futility_cp, interim.futility_cp_under.value, drift
        )
        return cp, None
    if interim.beta_spending() is None:
        return eff, None
    return futility_boundaries(eff, interim.futility_beta, interim.beta_spending())


def design_drift(design, information_max: float) -> float:
    """The drift ``theta sqrt(I_max)`` of the design's effect: ``theta`` the true value of
    the analysis' estimand, the effect's time course included (its mean over the follow-up;
    a time-course review: the full shift made the conditional power under the design's
    effect that of a 0.125 points/month slowing where a 6-month delay leaves 0.0625)."""
    theta = simulation_inputs(design).true_effect(design.trial.analysis.value)
    return float(theta) * math.sqrt(information_max)


@dataclass(frozen=True)
class Outcome:
    """What happened to each trial of one run (under the effect or under no effect).

    Attributes
    ----------
    look : int64[trial]
        Look at which the trial stopped (0-based; the final look if it never crossed).
    efficacy, futility : bool[trial]
        Stopped for efficacy (any look) / for futility (an interim look).
    favourable : bool[trial]
        Efficacy with an estimate favouring active.
    failed : bool[trial]
        The final fit failed (left out of every rate).
    z : float64[trial, look]
        Each look's z (NaN where its fit failed).
    bounds : float64[trial, look]
        Each trial's efficacy boundary at its observed information (``Z_CAP`` after the
        look that stopped it; NaN at each look decided without solving for its boundary,
        :func:`designs.sequential.observed.observed_crossings`); under
        ``interim.information = "planned"`` the planned boundaries, in every row.
    information : float64[trial, look]
        Observed information ``1 / SE^2`` (the expected one where the fit failed).
    """

    look: np.ndarray
    efficacy: np.ndarray
    futility: np.ndarray
    favourable: np.ndarray
    failed: np.ndarray
    z: np.ndarray
    bounds: np.ndarray
    information: np.ndarray


def decide(design, results: LookResults, times: LookTimes, planned) -> Outcome:
    """Apply the boundaries to every look of every trial: the first crossing stops it."""
    t = design.trial
    interim = design.interim
    failed = results.failed()
    z = z_statistics(results, failed)  # NaN where the fit failed: no decision there
    observed = 1.0 / results.results[:, :, R.SE] ** 2
    expected = times.fractions * times.information_max
    observed = np.where(failed | ~np.isfinite(observed), expected[None, :], observed)
    if interim.information is Information.PLANNED:
        # the planned boundaries for every trial (exact, as rpact's); the spending reads the
        # planned fractions, so no interim look holds I_max and ends the trial early
        info = np.broadcast_to(expected, observed.shape)
        bounds = np.broadcast_to(np.asarray(planned.efficacy_z, dtype=float), z.shape).copy()
        stat = z if t.sides == 1 else np.abs(z)
        cross = np.nan_to_num(stat, nan=-np.inf) >= bounds
    else:  # each trial's own: the final look's crossing by its exit probability (no
        # boundary solved there)
        info = observed
        bounds, cross = observed_crossings(
            info,
            times.information_max,
            t.alpha,
            interim.alpha_spending(),
            t.sides,
            z,
            futility=planned.futility_z,
        )
    k_count = info.shape[1]
    cross &= ~failed
    fut = np.zeros_like(cross)
    if np.isfinite(planned.futility_z).any():
        zz = np.nan_to_num(z, nan=0.0)
        fut[:, :-1] = (zz[:, :-1] <= planned.futility_z[None, :-1]) & ~failed[:, :-1]
    stop = cross | fut
    # a look that already has the planned maximum information is the final analysis (all
    # the alpha left is spent there, so a later look could never reject): stop there
    stop[:, :-1] |= info[:, :-1] >= times.information_max
    stop[:, -1] = True
    look = np.argmax(stop, axis=1)
    rows = np.arange(look.size)
    efficacy = cross[rows, look]
    futility = fut[rows, look] & ~efficacy & (look < k_count - 1)
    est = results.results[rows, look, R.ESTIMATE]
    final_failed = failed[:, -1] & ~efficacy & ~futility
    return Outcome(
        look, efficacy, futility, efficacy & (est > 0), final_failed, z, bounds, observed
    )


@dataclass(frozen=True)
class GroupSequentialSummary:
    """Operating characteristics of a group-sequential design (JSON-ready by ``to_dict``).

    Rates are over all trials (a decision on a failed fit is a failure to reject), or over
    those whose decision did not rest on a failed fit under ``decision.failed_fits =
    "exclude"``; MC SE is ``sqrt(p (1 - p) / n)``. ``*_h0`` fields come from the run under
    no effect.
    """

    analysis: str
    trials: int
    seed: int
    alpha: float
    sides: int
    spending: str
    futility: str
    n_total: int
    looks: list
    look_months: list
    expected_information_fraction: list
    observed_information_fraction: list
    efficacy_boundaries_z: list
    nominal_p: list
    futility_boundaries_z: list
    failed_fits: int
    power: float
    mc_se: float
    power_favourable: float
    mc_se_favourable: float
    p_stop_efficacy: list
    mc_se_stop_efficacy: list
    p_stop_futility: list
    mc_se_stop_futility: list
    expected_n_total: float
    expected_months: float
    failed_fits_h0: int
    type_i_error: float
    mc_se_type_i_error: float
    p_stop_efficacy_h0: list
    p_stop_futility_h0: list
    expected_n_total_h0: float
    expected_months_h0: float
    fixed_months: float
    true_effect: float
    #: Per look: the trials that ended there without a decision because the look's observed
    #: information had reached the planned maximum (the look is then the final analysis:
    #: all alpha spent, no rejection); always 0 at the last look.
    p_stop_information: list = field(default_factory=list)
    p_stop_information_h0: list = field(default_factory=list)
    #: Trials of the run under no effect (the report simulates more there than ``trials``,
    #: for the type I error's MC SE); 0 means ``trials``.
    trials_h0: int = 0
    #: The trials the rates under no effect are over (``trials_h0`` less the failed fits
    #: under ``decision.failed_fits = "exclude"``); 0 means ``trials_h0``.
    counted_h0: int = 0
    #: The type I error with the (non-binding) futility boundaries ignored: the same null
    #: trials, stopped only for efficacy. The level a non-binding design claims; equal to
    #: ``type_i_error`` without futility (a DSMB statistician's review: with futility
    #: followed the simulated error is lower, and it was the only one shown).
    type_i_error_nonbinding: float = float("nan")
    mc_se_type_i_error_nonbinding: float = float("nan")
    #: The planned maximum information ``1 / SE^2`` of the final estimate
    #: ((points/month)^-2), by which each trial's observed information is a fraction.
    information_max: float = float("nan")
    #: Each look's boundaries on the estimate's scale (points/month): the z boundary times
    #: the SE planned at the look, ``z / sqrt(fraction x information_max)`` (None: no
    #: futility boundary at that look). Each trial's own boundary moves with its observed
    #: information; these are the planned ones, for a DSMB charter.
    efficacy_boundaries_estimate: list = field(default_factory=list)
    futility_boundaries_estimate: list = field(default_factory=list)
    #: The effect (points/month) under which beta-spending futility boundaries were derived:
    #: the one with power ``1 - interim.futility_beta`` at this n (None: no such boundaries).
    futility_effect: float | None = None
    #: Mean patients randomised by each look (over the trials, stopped or not), for a DSMB
    #: charter (a protocol writer's review: computed from accrual by hand before).
    n_entered_by_look: list = field(default_factory=list)
    #: The information the alpha spending read: ``"observed"`` (each trial's own) or
    #: ``"planned"`` (the planned boundaries for every trial; ``interim.information``).
    information: str = "observed"
    #: Candidates screened per patient randomised (1 without screening), over the whole
    #: trials under the effect (an economist's review: it went missing with looks).
    screened_per_enrolled: float = 1.0

    def to_dict(self) -> dict:
        return looks_json(self)


def looks_json(summary) -> dict:
    """A looks summary (this module's or the posterior rule's) as a JSON-ready dictionary;
    beside ``expected_n_total`` and ``expected_months`` (under the effect) their ``_h1``
    names, as ``sample-size --looks`` gives them, and ``type_i_trials`` (the trials the type
    I error is over), as ``power`` and ``sample-size`` give it (a command-line review)."""
    out = asdict(summary)
    out["expected_n_total_h1"] = summary.expected_n_total
    out["expected_months_h1"] = summary.expected_months
    out["type_i_trials"] = counted_h0(summary)
    # a type I error of 0 has an MC SE of 0: its exact one-sided upper bound, as the text
    # gives it (a formula audit read the JSON's 0 alone)
    out["type_i_error_one_sided_bound_95"] = edge_bound(summary.type_i_error, out["type_i_trials"])
    return out


def screened_per_enrolled(results: LookResults, design) -> float:
    """Candidates screened per patient randomised over the whole simulated trials (1 without
    screening); the looks' summaries keep it (an economist's review)."""
    screened = results.counts[:, K.C_SCREENED_PLACEBO : K.C_SCREENED_ACTIVE + 1].sum()
    return float(screened / (results.counts.shape[0] * design.trial.n_total))


def _counted(outcome: Outcome, design) -> np.ndarray:
    """The trials the rates are over: all of them (a decision on a failed fit is a failure
    to reject; ``decision.failed_fits = "failure"``), or those whose decision did not rest on
    a failed fit (``"exclude"``)."""
    if design.decision.excludes_failed:
        return ~outcome.failed
    return np.ones_like(outcome.failed)


def _rates(outcome: Outcome, k_count: int, ok: np.ndarray):
    n = int(ok.sum())
    eff = [float(np.mean(outcome.efficacy[ok] & (outcome.look[ok] == k))) for k in range(k_count)]
    fut = [float(np.mean(outcome.futility[ok] & (outcome.look[ok] == k))) for k in range(k_count)]
    return n, eff, fut


def information_stops(outcome: Outcome, k_count: int, ok: np.ndarray) -> list[float]:
    """Per look, the share of the trials ``ok`` that ended there with neither an efficacy nor
    a futility stop: at an interim look only when its observed information had reached the
    planned maximum (:func:`decide`); 0 at the last look, where every trial ends."""
    quiet = ~outcome.efficacy[ok] & ~outcome.futility[ok]
    look = outcome.look[ok]
    return [float(np.mean(quiet & (look == k))) if k < k_count - 1 else 0.0 for k in range(k_count)]


def simulate_outcome(
    design,
    trials: int,
    seed: int,
    shift: float,
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    prior=None,
    first_trial: int = 0,
) -> tuple[LookResults, Outcome]:
    """Simulate ``design`` with the slope shift ``shift`` (points/month) in every trial (or
    one per trial, an array of ``trials``) and decide each trial at its looks by the design's
    rule: one hypothesis of :func:`group_sequential_power`, or under ``decision.rule =
    "posterior"`` of :func:`designs.planning.decision_looks.posterior_looks_power` (then the
    outcome is a :class:`~designs.planning.decision_looks.PosteriorOutcome` and ``prior`` the
    rule's prior, default :func:`~designs.planning.decision_rule.decision_prior`). Trials
    ``first_trial ..`` of the seed's run."""
    times = look_times(design)
    kw = {"threads": threads, "progress": progress, "first_trial": first_trial}
    if not design.decision.is_posterior:
        res = simulate_looks(design, trials, seed, shift, **kw)
        return res, decide(design, res, times, planned_boundaries(design, times.fractions))
    from designs.planning.decision_looks import decide_posterior
    from designs.planning.decision_rule import check_analyses, decision_prior

    check_analyses((design.trial.analysis.value,))  # before simulating: bad input at once
    prior = decision_prior(design) if prior is None else prior
    res = simulate_looks(design, trials, seed, shift, **kw)
    return res, decide_posterior(design, res, times, prior)


def simulate_looks(
    design, trials, seed, shift, *, threads=None, progress=None, first_trial: int = 0
) -> LookResults:
    """The trials of ``design`` at its planned looks (entries by its accrual, ramp included)
    with the slope shift ``shift`` (points/month; one value or one per trial): the one
    simulation that every rule deciding at looks uses (trials ``first_trial ..``)."""
    times = look_times(design)
    return run_trials_at_looks(
        simulation_inputs(design),
        trials,
        seed,
        design.trial.analysis.value,
        times.months,
        times.accrual_months,
        accrual_knots=times.entry_knots,
        effect_by_trial=np.full(trials, shift),
        threads=threads,
        progress=progress,
        first_trial=first_trial,
    )


def group_sequential_power(
    design,
    trials: int,
    seed: int,
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GroupSequentialSummary:
    """Simulate ``design`` (with ``[interim]`` looks) under its effect and under no effect."""
    return group_sequential_simulated(design, trials, seed, threads=threads, progress=progress)[0]


def group_sequential_simulated(
    design,
    trials: int,
    seed: int,
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
):
    """:func:`group_sequential_power` and the runs behind it: ``(summary, h1, h0)``, each run
    ``(LookResults, Outcome)`` of :func:`simulate_outcome` under the design's effect (``h1``)
    and under no effect (``h0``)."""
    if not design.interim.sequential:
        raise InputError("interim.looks: the design has no interim looks")
    if design.decision.is_posterior:
        raise InputError(
            "decision.rule = 'posterior': alpha-spending boundaries belong to the frequentist "
            "rule (the posterior rule at looks: designs.planning.decision_looks)"
        )
    if design.effect.source.value != "fixed":
        raise InputError(
            "effect.source = 'posterior': power at looks needs a fixed effect; over the phase 2 "
            f"posterior use {program_name()} assurance --looks ..."
        )
    kw = {"threads": threads, "progress": progress}
    res1, out1 = simulate_outcome(
        design, trials, seed, simulation_inputs(design).effect_shift, **kw
    )
    res0, out0 = simulate_outcome(null_design(design, keep_value=True), trials, seed, 0.0, **kw)
    h1, h0 = (res1, out1), (res0, out0)
    return summarise(design, trials, seed, h1, h0), h1, h0


def summarise(design, trials: int, seed: int, h1, h0) -> GroupSequentialSummary:
    """The summary of the runs ``h1`` (under the design's effect) and ``h0`` (no effect), each
    ``(LookResults, Outcome)`` from :func:`simulate_outcome` with the same trials and seed."""
    (res1, out1), (res0, out0) = h1, h0
    analysis = design.trial.analysis.value
    inputs = simulation_inputs(design)
    times = look_times(design)
    planned, drift = planned_with_drift(design, times.fractions)
    k_count = times.months.size
    ok1, ok0 = _counted(out1, design), _counted(out0, design)
    n1, eff1, fut1 = _rates(out1, k_count, ok1)
    n0, eff0, fut0 = _rates(out0, k_count, ok0)
    power = float(np.mean(out1.efficacy[ok1]))
    favourable = float(np.mean(out1.favourable[ok1]))
    alpha_hat = float(np.mean(out0.efficacy[ok0]))
    rows1, rows0 = np.arange(trials), np.arange(out0.look.size)  # h0 may have more trials
    n_entered1 = res1.entered[rows1, out1.look][ok1]
    n_entered0 = res0.entered[rows0, out0.look][ok0]
    frac_obs = out1.information / times.information_max
    se_planned = 1.0 / np.sqrt(times.fractions * times.information_max)
    alpha_nb, n_nb = alpha_hat, n0
    if np.isfinite(planned.futility_z[:-1]).any():  # the efficacy rule alone, same trials
        free = replace(planned, futility_z=np.full_like(planned.futility_z, -np.inf))
        out0_nb = decide(design, res0, times, free)
        ok_nb = _counted(out0_nb, design)
        alpha_nb, n_nb = float(np.mean(out0_nb.efficacy[ok_nb])), int(ok_nb.sum())
    return GroupSequentialSummary(
        analysis=analysis,
        trials=trials,
        seed=seed,
        alpha=design.trial.alpha,
        sides=design.trial.sides,
        spending=design.interim.alpha_spending().label(),
        futility=design.interim.futility.value,
        n_total=design.trial.n_total,
        looks=list(times.fractions),
        look_months=list(times.months),
        expected_information_fraction=list(times.fractions),
        observed_information_fraction=list(np.nanmean(frac_obs, axis=0)),
        efficacy_boundaries_z=list(planned.efficacy_z),
        nominal_p=list(planned.nominal_p),
        # no futility boundary at the final look (rpact's convention; a diff review: the
        # final look showed one equal to the efficacy boundary in the report and explorer)
        futility_boundaries_z=[
            x if math.isfinite(x) and k < len(planned.futility_z) - 1 else None
            for k, x in enumerate(planned.futility_z)
        ],
        failed_fits=int(out1.failed.sum()),
        power=power,
        mc_se=mc_se(power, n1),
        power_favourable=favourable,
        mc_se_favourable=mc_se(favourable, n1),
        p_stop_efficacy=eff1,
        mc_se_stop_efficacy=[mc_se(p, n1) for p in eff1],
        p_stop_futility=fut1,
        mc_se_stop_futility=[mc_se(p, n1) for p in fut1],
        expected_n_total=float(n_entered1.mean()),
        expected_months=float(times.months[out1.look][ok1].mean()),
        failed_fits_h0=int(out0.failed.sum()),
        type_i_error=alpha_hat,
        mc_se_type_i_error=mc_se(alpha_hat, n0),
        p_stop_efficacy_h0=eff0,
        p_stop_futility_h0=fut0,
        expected_n_total_h0=float(n_entered0.mean()),
        expected_months_h0=float(times.months[out0.look][ok0].mean()),
        fixed_months=float(times.months[-1]),
        true_effect=float(inputs.true_effect(design.trial.analysis.value)),
        p_stop_information=information_stops(out1, k_count, ok1),
        p_stop_information_h0=information_stops(out0, k_count, ok0),
        trials_h0=int(out0.look.size),
        counted_h0=int(n0),
        information=design.interim.information.value,
        type_i_error_nonbinding=alpha_nb,
        mc_se_type_i_error_nonbinding=mc_se(alpha_nb, n_nb),
        information_max=float(times.information_max),
        screened_per_enrolled=screened_per_enrolled(res1, design),
        efficacy_boundaries_estimate=[
            float(z * e) for z, e in zip(planned.efficacy_z, se_planned, strict=True)
        ],
        futility_boundaries_estimate=[
            float(z * e) if math.isfinite(z) and k < len(se_planned) - 1 else None
            for k, (z, e) in enumerate(zip(planned.futility_z, se_planned, strict=True))
        ],
        # the effect beta-spending futility is derived under (a DSMB statistician's review:
        # at an n below the design's it is larger than the design's effect, unstated)
        futility_effect=None if drift is None else float(drift / math.sqrt(times.information_max)),
        n_entered_by_look=[float(x) for x in np.mean(res1.entered, axis=0)],
    )
