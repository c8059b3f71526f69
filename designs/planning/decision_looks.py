"""The posterior decision rule at interim looks: stopping, operating characteristics, calibration.

Each simulated trial is generated once in calendar time and analysed at every look with the
data available then (:func:`designs.simulation.engine_looks.run_trials_at_looks`, the looks
of :func:`designs.planning.look_times.look_times`), as for the frequentist boundaries of
:mod:`designs.planning.group_sequential`. At look ``k`` the trial

- succeeds (stops for efficacy) when ``P(effect > margin | data up to look k) > T_k``, the
  posterior from the look's estimate and SE and the design's prior
  (:func:`designs.analyses.decision.lower_tail`), ``T_k`` the look's threshold
  (``decision.thresholds``, or ``decision.threshold`` at every look);
- otherwise, at an interim look, stops for futility when the predictive probability that the
  final analysis succeeds (the look's posterior, the final information projected from the
  look's, ``I_k + (1 - t_k) I_max``, normal approximation:
  :func:`designs.analyses.decision_predictive.predictive_success`) is below
  ``decision.futility_predictive`` (0: no futility rule). The rule is non-binding: it is
  followed in the simulation, and :func:`calibrate_looks` ignores it, so the calibrated type I
  error holds whether or not it is followed.

A look whose fit failed takes no decision; a trial whose final fit failed and that did not
stop earlier is counted in ``failed_fits`` (a failure to succeed, or left out of the rates
under ``decision.failed_fits = "exclude"``). Formulas: docs/bayesian_looks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from designs.analyses import results as R
from designs.analyses.decision import NormalMixture, lower_tail
from designs.analyses.decision_predictive import predictive_success, projected_final
from designs.errors import InputError
from designs.planning.decision_rule import (
    Calibration,
    calibration_from_tails,
    calibration_target,
    check_analyses,
    decision_prior,
)
from designs.planning.look_times import LookTimes, look_times
from designs.planning.power import mc_se, null_design
from designs.program import program_name
from designs.simulation.engine_looks import LookResults
from designs.simulation.inputs import simulation_inputs

__all__ = [
    "PosteriorLooksSummary",
    "PosteriorOutcome",
    "calibrate_looks",
    "decide_posterior",
    "look_tails",
    "posterior_looks_power",
    "posterior_looks_simulated",
]


def look_tails(results: LookResults, prior: NormalMixture, margin: float) -> np.ndarray:
    """``P(effect <= margin | data up to the look)``, float64[trial, look] (NaN: failed fit)."""
    failed = results.failed()
    est = results.results[:, :, R.ESTIMATE]
    se = results.results[:, :, R.SE]
    out = np.full(est.shape, np.nan)
    out[~failed] = lower_tail(prior, est[~failed], se[~failed], margin)
    return out


@dataclass(frozen=True)
class PosteriorOutcome:
    """What happened to each trial of one run under the posterior rule at looks.

    ``look``: look at which the trial stopped (0-based; the final look if it never stopped);
    ``efficacy`` / ``futility``: stopped for success (any look) / for futility (an interim
    look); ``favourable``: success with an estimate favouring active; ``failed``: the final
    fit failed and the trial had not stopped; ``probability``: ``P(effect > margin | data)``
    per trial and look; ``predictive``: predictive probability of final success per trial and
    interim look (NaN at the final look and where the fit failed); ``information``:
    ``1 / SE^2`` per trial and look; ``efficacy_nonbinding`` / ``failed_nonbinding``: the
    same with the (non-binding) futility rule ignored: success at any look, and a failed
    final fit without a success.
    """

    look: np.ndarray
    efficacy: np.ndarray
    futility: np.ndarray
    favourable: np.ndarray
    failed: np.ndarray
    probability: np.ndarray
    predictive: np.ndarray
    information: np.ndarray
    efficacy_nonbinding: np.ndarray
    failed_nonbinding: np.ndarray


def decide_posterior(
    design, results: LookResults, times: LookTimes, prior: NormalMixture
) -> PosteriorOutcome:
    """Apply the posterior rule at every look of every trial: the first stop ends the trial."""
    d = design.decision
    k_count = results.results.shape[1]
    thresholds = np.asarray(d.look_thresholds(k_count), dtype=np.float64)
    failed = results.failed()
    tail = look_tails(results, prior, d.margin)
    success = np.nan_to_num(tail, nan=1.0) < (1.0 - thresholds)[None, :]
    est = results.results[:, :, R.ESTIMATE]
    se = results.results[:, :, R.SE]
    predictive = np.full(tail.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        info = 1.0 / se**2
    fut = np.zeros_like(success)
    if k_count > 1:
        ok = ~failed[:, :-1]
        pp = np.full((tail.shape[0], k_count - 1), np.nan)
        # each trial's final information: its own at the look and the planned rest
        final = projected_final(info[:, :-1], times.fractions[:-1], times.information_max)
        pp[ok] = predictive_success(
            prior, est[:, :-1][ok], se[:, :-1][ok], final[ok], thresholds[-1], d.margin
        )
        predictive[:, :-1] = pp
        if d.futility_predictive > 0:
            fut[:, :-1] = ok & (np.nan_to_num(pp, nan=1.0) < d.futility_predictive)
    stop = success | fut
    stop[:, -1] = True
    look = np.argmax(stop, axis=1)
    rows = np.arange(look.size)
    efficacy = success[rows, look]
    futility = fut[rows, look] & ~efficacy & (look < k_count - 1)
    final_failed = failed[:, -1] & ~efficacy & ~futility
    return PosteriorOutcome(
        look,
        efficacy,
        futility,
        efficacy & (est[rows, look] > 0),
        final_failed,
        1.0 - tail,
        predictive,
        np.where(failed, np.nan, info),
        success.any(axis=1),  # without futility a trial stops at its first success
        failed[:, -1] & ~success.any(axis=1),
    )


@dataclass(frozen=True)
class PosteriorLooksSummary:
    """Operating characteristics of the posterior rule at interim looks (``to_dict``: JSON).

    ``power`` is the rule's success probability under the design's effect and
    ``type_i_error`` its success probability under no effect (same seed and patients), each
    over all trials (or, with ``decision.failed_fits = "exclude"``, over those whose
    decision did not rest on a failed final fit); MC SE ``sqrt(p (1 - p) / n)``. ``*_h0``
    fields come from the run under no effect. Months are calendar months from the first
    entry.
    """

    analysis: str
    trials: int
    seed: int
    rule: str
    prior: str
    prior_weight: float
    margin: float
    thresholds: list
    futility_predictive: float
    n_total: int
    looks: list
    look_months: list
    expected_information_fraction: list
    observed_information_fraction: list
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
    #: Trials of the run under no effect (the report simulates more there than ``trials``,
    #: for the type I error's MC SE); 0 means ``trials``.
    trials_h0: int = 0
    #: The trials the rates under no effect are over (``trials_h0`` less the failed fits
    #: under ``decision.failed_fits = "exclude"``); 0 means ``trials_h0``.
    counted_h0: int = 0
    #: The type I error with the (non-binding) predictive futility rule ignored: success at
    #: any look of the same null trials; ``type_i_error`` without a futility rule (a DSMB
    #: statistician's review asked for it under the frequentist rule first).
    type_i_error_nonbinding: float = float("nan")
    mc_se_type_i_error_nonbinding: float = float("nan")
    #: Candidates screened per patient randomised (1 without screening), under the effect.
    screened_per_enrolled: float = 1.0
    #: Mean patients randomised by each look (as the frequentist summary's).
    n_entered_by_look: list = field(default_factory=list)

    def to_dict(self) -> dict:
        from designs.planning.group_sequential import looks_json

        return looks_json(self)


def _check(design) -> None:
    if not design.decision.is_posterior:
        raise InputError("decision.rule: the posterior rule at looks needs rule = 'posterior'")
    check_analyses((design.trial.analysis.value,))
    if design.effect.source.value != "fixed":
        raise InputError(
            "effect.source = 'posterior': power at looks needs a fixed effect; over the phase 2 "
            f"posterior use {program_name()} assurance --looks ..."
        )


def _summarise(out, res, times, design):
    """(n counted, per-look efficacy and futility rates, E[n randomised], E[months])."""
    ok = ~out.failed if design.decision.excludes_failed else np.ones_like(out.failed)
    n = int(ok.sum())
    k_count = times.months.size
    eff = [float(np.mean(out.efficacy[ok] & (out.look[ok] == k))) for k in range(k_count)]
    fut = [float(np.mean(out.futility[ok] & (out.look[ok] == k))) for k in range(k_count)]
    rows = np.arange(out.look.size)
    n_entered = float(res.entered[rows, out.look][ok].mean())
    months = float(times.months[out.look][ok].mean())
    return ok, n, eff, fut, n_entered, months


def posterior_looks_power(
    design,
    trials: int,
    seed: int,
    *,
    prior: NormalMixture | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PosteriorLooksSummary:
    """Simulate ``design`` (posterior rule, ``[interim]`` looks) under its effect and no effect.

    ``prior``: the rule's prior (default :func:`decision_prior`; a robust prior that borrows
    must be given).
    """
    return posterior_looks_simulated(
        design, trials, seed, prior=prior, threads=threads, progress=progress
    )[0]


def posterior_looks_simulated(
    design,
    trials: int,
    seed: int,
    *,
    prior: NormalMixture | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[PosteriorLooksSummary, LookResults, LookResults]:
    """:func:`posterior_looks_power` with the simulated trials at the looks it summarises:
    (summary, trials under the effect, trials under no effect)."""
    _check(design)
    if trials < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    prior = decision_prior(design) if prior is None else prior
    times = look_times(design)
    inputs = simulation_inputs(design)
    shift = inputs.effect_shift
    from designs.planning.group_sequential import screened_per_enrolled, simulate_outcome

    kw = {"threads": threads, "progress": progress, "prior": prior}
    res1, out1 = simulate_outcome(design, trials, seed, float(shift), **kw)
    res0, out0 = simulate_outcome(null_design(design, keep_value=True), trials, seed, 0.0, **kw)
    ok1, n1, eff1, fut1, en1, months1 = _summarise(out1, res1, times, design)
    power = float(np.mean(out1.efficacy[ok1]))
    favourable = float(np.mean(out1.favourable[ok1]))
    d = design.decision
    k_count = times.months.size
    summary = PosteriorLooksSummary(
        analysis=design.trial.analysis.value,
        trials=trials,
        seed=seed,
        rule="posterior",
        prior=d.prior.value,
        prior_weight=d.prior_weight,
        margin=d.margin,
        thresholds=list(d.look_thresholds(k_count)),
        futility_predictive=d.futility_predictive,
        n_total=design.trial.n_total,
        looks=list(times.fractions),
        look_months=list(times.months),
        expected_information_fraction=list(times.fractions),
        observed_information_fraction=list(
            np.nanmean(out1.information, axis=0) / times.information_max
        ),
        failed_fits=int(out1.failed.sum()),
        power=power,
        mc_se=mc_se(power, n1),
        power_favourable=favourable,
        mc_se_favourable=mc_se(favourable, n1),
        p_stop_efficacy=eff1,
        mc_se_stop_efficacy=[mc_se(p, n1) for p in eff1],
        p_stop_futility=fut1,
        mc_se_stop_futility=[mc_se(p, n1) for p in fut1],
        expected_n_total=en1,
        expected_months=months1,
        fixed_months=float(times.months[-1]),
        true_effect=float(inputs.true_effect(design.trial.analysis.value)),
        **_null_fields(out0, res0, times, design),
        n_entered_by_look=[float(x) for x in np.mean(res1.entered, axis=0)],
        screened_per_enrolled=screened_per_enrolled(res1, design),
    )
    return summary, res1, res0


def _null_fields(out0, res0, times, design) -> dict:
    """The summary's fields of the run under no effect: type I error and the ``*_h0``."""
    ok0, n0, eff0, fut0, en0, months0 = _summarise(out0, res0, times, design)
    alpha_hat = float(np.mean(out0.efficacy[ok0]))
    ok_nb = ~out0.failed_nonbinding if design.decision.excludes_failed else ok0
    alpha_nb = float(np.mean(out0.efficacy_nonbinding[ok_nb]))
    return {
        "failed_fits_h0": int(out0.failed.sum()),
        "type_i_error": alpha_hat,
        "mc_se_type_i_error": mc_se(alpha_hat, n0),
        "type_i_error_nonbinding": alpha_nb,
        "mc_se_type_i_error_nonbinding": mc_se(alpha_nb, int(ok_nb.sum())),
        "p_stop_efficacy_h0": eff0,
        "p_stop_futility_h0": fut0,
        "expected_n_total_h0": en0,
        "expected_months_h0": months0,
        "trials_h0": int(out0.look.size),
        "counted_h0": int(n0),
    }


def with_null_run(summary: PosteriorLooksSummary, design, res0, out0) -> PosteriorLooksSummary:
    """``summary`` with its ``*_h0`` fields and type I error from another run under no effect
    (``res0``, ``out0`` of :func:`~designs.planning.group_sequential.simulate_outcome`)."""
    from dataclasses import replace

    return replace(summary, **_null_fields(out0, res0, look_times(design), design))


def calibrate_looks(
    design,
    trials: int,
    seed: int,
    *,
    prior: NormalMixture | None = None,
    target: float | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """The threshold common to every look whose type I error over all looks is <= ``target``.

    The design is simulated with no effect at its looks (``interim.looks``; a single look at
    information 1 is the fixed design's analysis, trial for trial). A common threshold ``t``
    is crossed at some look if and only if the trial's largest ``P(effect > margin | data)``
    over its looks exceeds ``t``, so the calibration is the fixed one
    (:func:`designs.planning.decision_rule.calibration_from_tails`) on each trial's smallest
    lower tail over the looks whose fit did not fail (a trial is left out only when every
    look failed). The futility rule is non-binding and ignored here. Common random numbers:
    the same seed gives the same trials.
    """
    _check(design)
    if design.decision.thresholds:
        raise InputError(
            "decision.thresholds: calibrate finds one threshold common to every look; "
            "remove decision.thresholds"
        )
    target = calibration_target(design, trials, target)
    prior = decision_prior(design) if prior is None else prior
    from designs.planning.group_sequential import simulate_looks

    null = null_design(design, keep_value=True)
    res = simulate_looks(null, trials, seed, 0.0, threads=threads, progress=progress)
    tail = look_tails(res, prior, design.decision.margin)
    smallest = np.full(tail.shape[0], np.nan)
    any_ok = np.isfinite(tail).any(axis=1)
    smallest[any_ok] = np.nanmin(tail[any_ok], axis=1)
    return calibration_from_tails(design, smallest, target, trials, seed)
