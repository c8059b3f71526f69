"""The posterior decision rule on simulated trials: its prior, its successes, its calibration.

The rule (``[decision]``, :mod:`designs.spec.decision`) is applied after the engine,
vectorised over trials: each trial's estimate and standard error (points/month) give a normal
likelihood, the prior a normal mixture (:mod:`designs.analyses.decision`), and the trial
succeeds when ``P(effect > margin | data) > threshold``.

:func:`calibrate` finds the threshold whose type I error is at most a target (the design's
one-sided level ``alpha / sides`` by default) by simulating the design with no effect: the
threshold is an order statistic of the per-trial posterior probabilities, and its Monte Carlo
uncertainty comes from the distribution-free (binomial) interval of that order statistic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from designs.analyses import registry
from designs.analyses import results as R
from designs.analyses.decision import NormalMixture, fit_normal_mixture, lower_tail, posterior
from designs.errors import InputError
from designs.planning.assurance import effect_shift
from designs.planning.power import SUMMARY_CHUNK, Z95, mc_se, null_design
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs
from designs.spec.decision import PriorKind

__all__ = [
    "Calibration",
    "calibrate",
    "calibration_from_tails",
    "decision_prior",
    "phase2_effect_prior",
    "posterior_rule_assurance",
    "posterior_success",
    "robust_component_sd",
    "tail_probabilities",
]


def phase2_effect_prior(design, idata) -> NormalMixture:
    """The phase 2 posterior of the effect in this design's points/month, as a normal mixture.

    Draws of ``delta`` are carried over by ``effect.transport`` (proportional: a fraction of
    the phase 2 decline times the decline of this design's patients,
    :func:`designs.planning.assurance.transported_decline`; absolute: ``delta`` itself) and
    approximated by a mixture of up to 3 normals fitted by EM (chosen by BIC).
    """
    from designs.planning.posterior import posterior_draws

    transport = design.effect.transport.value
    shifts = effect_shift(design, posterior_draws(idata, transport), transport)
    return fit_normal_mixture(shifts)


def robust_component_sd(design) -> float:
    """SD (points/month) of the robust prior's second component ``N(0, sd^2)``:
    ``decision.robust_sd`` when above 0, otherwise unit information
    (:func:`unit_information_sd`; Kass & Wasserman 1995; the robust component of Schmidli et
    al. 2014)."""
    d = design.decision
    if d.robust_sd > 0:
        return float(d.robust_sd)
    return unit_information_sd(design)


def unit_information_sd(design) -> float:
    """The SD (points/month) of the effect estimate with one patient per arm,
    ``sqrt(v_placebo + v_active)``, the per-patient GLS slope variances of
    :func:`designs.planning.closed_form.design_slope_variances` (the design's visits, dropout
    and deaths as MCAR, random-effects covariance and residual SD; 0.60 points/month on the
    default design). It does not depend on the number of patients."""
    from designs.planning.closed_form import design_slope_variances

    try:
        sd = math.sqrt(sum(design_slope_variances(design)))
    except (InputError, np.linalg.LinAlgError, ValueError):
        sd = math.nan
    if not (math.isfinite(sd) and sd > 0):
        raise InputError(
            "decision.robust_sd = 0 (unit information): the design's per-patient slope "
            "variance is undefined (singular covariance, e.g. residual_sd 0); give "
            "decision.robust_sd > 0 (points/month)"
        )
    return sd


def prior_worth(design, prior: NormalMixture) -> dict | None:
    """What a prior that borrows from phase 2 is worth, in patients per arm: the effective
    sample size (:func:`designs.analyses.decision.effective_sample_size`, ELIR) of its phase
    2 part and of the whole prior, in units of the unit information (one patient per arm,
    :func:`unit_information_sd`), with that SD. The phase 2 part is the prior's components
    but the robust one (:func:`decision_prior` mixes phase 2 first, ``N(0, sd^2)`` last).
    None when the prior does not borrow, or the unit information is undefined."""
    from designs.analyses.decision import effective_sample_size

    d = design.decision
    if not d.borrows:
        return None
    try:
        unit = unit_information_sd(design)
    except InputError:
        return None
    parts = prior.components() if d.prior_weight == 1 else prior.components()[:-1]
    total = sum(w for w, _, _ in parts)
    phase2 = NormalMixture(
        tuple(w / total for w, _, _ in parts),
        tuple(m for _, m, _ in parts),
        tuple(s for _, _, s in parts),
    )
    return {
        "phase2": effective_sample_size(phase2, unit),
        "prior": effective_sample_size(prior, unit),
        "unit_sd": unit,
    }


def decision_prior(design, idata=None, phase2: NormalMixture | None = None) -> NormalMixture:
    """The prior of the effect (points/month) that ``design.decision`` names.

    ``idata`` (the phase 2 posterior), or ``phase2`` (its effect already approximated by
    :func:`phase2_effect_prior`), is needed only by a robust prior with a weight above 0.
    The robust prior is ``prior_weight`` x phase 2 + ``(1 - prior_weight)`` x
    ``N(0, robust_component_sd(design)^2)``.
    """
    d = design.decision
    if d.prior is PriorKind.SCEPTICAL:
        return NormalMixture.normal(0.0, d.sceptical_sd)
    if d.prior is PriorKind.VAGUE or d.prior_weight == 0:
        return NormalMixture.normal(0.0, d.vague_sd)
    if phase2 is None:
        if idata is None:
            raise InputError(
                "decision.prior = 'robust': borrowing from phase 2 needs its posterior "
                "(--posterior FILE.nc, or the bundled data's cached fit)"
            )
        phase2 = phase2_effect_prior(design, idata)
    if d.prior_weight == 1:
        return phase2  # the robust component has weight 0
    robust = NormalMixture.normal(0.0, robust_component_sd(design))
    return phase2.mix(robust, d.prior_weight)


def rule_record(design, prior: NormalMixture | None) -> dict:
    """The posterior rule as written into JSON outputs (empty under the frequentist rule,
    whose ``alpha`` and ``sides`` the outputs carry already): threshold, margin, the prior's
    kind and weight, the transport that carries phase 2 over when it borrows, and the
    prior's normal components (points/month), so that a protocol can state it whole (a
    review: no JSON output said which prior or threshold its numbers came from)."""
    d = design.decision
    if not d.is_posterior:
        return {}
    out = {"threshold": d.threshold, "margin": d.margin, "prior": d.prior.value}
    if design.interim.sequential:  # the thresholds the looks use (a diff review: the JSON gave
        # decision.threshold alone, 0.975, where the looks used 0.995 and 0.98)
        out["thresholds"] = [float(x) for x in d.look_thresholds(design.interim.n_looks)]
    if d.prior is PriorKind.ROBUST:
        out["prior_weight"] = d.prior_weight
        out["robust_sd"] = robust_component_sd(design)
    if d.borrows:
        out["transport"] = design.effect.transport.value
    if prior is not None:
        out["prior_components"] = [
            {"weight": w, "mean": m, "sd": sd} for w, m, sd in prior.components()
        ]
        worth = prior_worth(design, prior)
        if worth is not None:  # patients per arm (ELIR), a review: no output gave it
            out["effective_sample_size"] = worth
    return out


def posterior_decision(design, prior: NormalMixture, estimate: float, se: float) -> dict:
    """The posterior rule applied to one analysis of real data (``analyze``): the estimate and
    its SE (points/month) as a normal likelihood, ``prior`` the rule's prior. Returns
    ``posterior_probability`` = P(effect > margin | data), ``threshold`` (the design's; with
    interim looks, its final look's), ``posterior_success`` (above it) and
    ``posterior_components``, the posterior mixture of the effect (each component's weight,
    mean and SD, in the prior's order: under a robust prior the last is the robust one, whose
    weight rising above the prior's signals prior-data conflict; Schmidli et al. 2014); the
    probability and components are None where the analysis gave no estimate."""
    d = design.decision
    threshold = d.thresholds[-1] if d.thresholds else d.threshold
    if not (math.isfinite(estimate) and math.isfinite(se) and se > 0):
        return {
            "posterior_probability": None,
            "threshold": threshold,
            "posterior_success": False,
            "posterior_components": None,
        }
    tail = float(lower_tail(prior, np.array([estimate]), np.array([se]), d.margin)[0])
    weights, means, sds = (a[0] for a in posterior(prior, np.array([estimate]), np.array([se])))
    return {
        "posterior_probability": 1.0 - tail,
        "threshold": threshold,
        "posterior_success": bool(tail < 1.0 - threshold),  # as the simulated trials judge it
        "posterior_components": [
            {"weight": float(w), "mean": float(m), "sd": float(sd)}
            for w, m, sd in zip(weights, means, sds, strict=True)
        ],
    }


def check_analyses(analyses) -> None:
    """The posterior rule needs an estimate and SE in points/month (the prior's units)."""
    for a in analyses:
        units = registry.get(a).units
        if units != "points/month":
            raise InputError(
                f"analysis = '{a}': the posterior rule (decision.rule) needs an estimate and "
                f"standard error in points/month; this analysis gives {units}"
            )


def tail_probabilities(results, analysis: str, prior: NormalMixture, margin: float):
    """``P(effect <= margin | data)`` per trial (NaN where the fit failed)."""
    est = results.column(analysis, R.ESTIMATE)
    se = results.column(analysis, R.SE)
    ok = ~results.failed(analysis)
    out = np.full(est.shape, np.nan)
    out[ok] = lower_tail(prior, est[ok], se[ok], margin)
    return out


def posterior_success(results, analysis: str, decision, prior: NormalMixture) -> np.ndarray:
    """Boolean per trial: ``P(effect > margin | data) > threshold`` (False where the fit failed;
    :mod:`designs.planning.power` leaves those trials out of its rates)."""
    tail = tail_probabilities(results, analysis, prior, decision.margin)
    return np.nan_to_num(tail, nan=1.0) < 1.0 - decision.threshold


@dataclass(frozen=True)
class Calibration:
    """The calibrated threshold of the posterior rule and its Monte Carlo uncertainty.

    ``threshold``: success when ``P(effect > margin | data) > threshold``; on the simulated
    null trials exactly ``floor(target * counted)`` trials (or fewer, with ties) pass it,
    ``counted`` being every trial (a failed fit a failure, the default) or the fits that
    succeeded under ``decision.failed_fits = "exclude"``, as :func:`power` counts them.
    ``mc_se``: half the width of the distribution-free 95% interval ``ci95`` of the order
    statistic, divided by 1.96. ``type1_uncalibrated``: the type I error of the design's own
    threshold on the same trials, with its binomial MC SE.
    """

    analysis: str
    prior: str
    prior_weight: float
    margin: float
    target: float
    threshold: float
    tail_cutoff: float
    mc_se: float
    ci95: tuple[float, float]
    type1_calibrated: float
    mc_se_calibrated: float
    uncalibrated_threshold: float
    type1_uncalibrated: float
    mc_se_uncalibrated: float
    trials: int
    failed_fits: int
    seed: int
    #: The type I errors' denominator: every trial, or the fits that succeeded under
    #: ``decision.failed_fits = "exclude"``.
    counted_trials: int = 0

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ci95"] = list(self.ci95)
        # the names power, power --looks and sample-size give the type I error (a pipeline
        # author's note); type1_calibrated and mc_se_calibrated stay for scripts that read them
        out["type_i_error"] = self.type1_calibrated
        out["mc_se_type_i_error"] = self.mc_se_calibrated
        out["type_i_trials"] = self.counted_trials
        return out


def calibrate(
    design,
    trials: int,
    seed: int,
    *,
    prior: NormalMixture | None = None,
    target: float | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """The threshold of ``design``'s posterior rule with type I error at most ``target``.

    Parameters
    ----------
    design : TrialDesign
        Simulated with ``effect.value = 0`` (fixed source); its analysis, margin and prior.
    trials, seed : int
        Null trials simulated (common random numbers: the same seed gives the same trials).
    prior : NormalMixture, optional
        Default :func:`decision_prior` (a robust prior with weight > 0 must be given).
    target : float, optional
        Type I error to reach, in (0, 1); default ``trial.alpha / trial.sides``.

    A design with ``[interim]`` looks is calibrated over all its looks
    (:func:`designs.planning.decision_looks.calibrate_looks`).
    """
    if design.interim.sequential:  # a common threshold over the looks
        from designs.planning.decision_looks import calibrate_looks

        return calibrate_looks(
            design, trials, seed, prior=prior, target=target, threads=threads, progress=progress
        )
    target = calibration_target(design, trials, target)
    analysis = str(design.trial.analysis)
    check_analyses((analysis,))
    prior = decision_prior(design) if prior is None else prior
    runs = trial_chunks(null_design(design), trials, seed, analysis, threads, progress)
    tails = [tail_probabilities(r, analysis, prior, design.decision.margin) for r in runs]
    return calibration_from_tails(design, np.concatenate(tails), target, trials, seed)


def trial_chunks(design, trials: int, seed: int, analysis: str, threads=None, progress=None):
    """The engine's results of ``trials`` trials of ``design`` for ``analysis``, one
    :data:`~designs.planning.power.SUMMARY_CHUNK` at a time, as
    :func:`designs.planning.power.power` runs them (so the first trials are the same)."""
    inputs = simulation_inputs(design)
    for start in range(0, trials, SUMMARY_CHUNK):
        chunk = min(SUMMARY_CHUNK, trials - start)
        yield run_trials(
            inputs, chunk, seed, (analysis,), first_trial=start, threads=threads, progress=progress
        )


#: The fewest null trials beyond the calibrated threshold (``floor(target x trials)``). With
#: fewer the threshold is the largest of a handful of null posterior probabilities, far too
#: low, and its rank interval is cut off at the sample's end, so its MC SE reads about 0 (a
#: review: 10 trials gave 0.9406, MC SE 0.0017, where 0.977 is right; 1 trial 0.737, SE 0).
#: At 10 the interval's lower rank, 10 - 1.96 sqrt(10), is still above the sample's end.
MIN_NULL_EXCEEDANCES = 10


def calibration_target(design, trials: int, target: float | None) -> float:
    """The target type I error of a calibration (default ``trial.alpha / trial.sides``),
    checked with the number of null trials: at least :data:`MIN_NULL_EXCEEDANCES` of them
    must fall beyond the threshold (400 trials at 0.025)."""
    target = design.trial.alpha / design.trial.sides if target is None else float(target)
    if not 0.0 < target < 1.0:
        raise InputError(f"target = {target!r}: must be in (0, 1)")
    need = math.ceil(MIN_NULL_EXCEEDANCES / target - 1e-9)
    if trials < need:
        raise InputError(
            f"trials = {trials}: calibrating a type I error of {target:g} needs at least "
            f"{need:,} trials under no effect ({MIN_NULL_EXCEEDANCES} beyond the threshold); "
            "the default is 20,000"
        )
    return target


def calibration_from_tails(design, tail, target: float, trials: int, seed: int) -> Calibration:
    """The calibration from each null trial's ``P(effect <= margin | data)`` (NaN: left out).

    A trial succeeds at threshold ``t`` when its ``tail < 1 - t``; with interim looks,
    ``tail`` is the smallest over the trial's looks (a common threshold is crossed at some
    look if and only if it is crossed by the smallest), see
    :func:`designs.planning.decision_looks.calibrate_looks`.
    """
    tail = np.asarray(tail, dtype=np.float64)
    ok = np.isfinite(tail)
    q = np.sort(tail[ok])
    if q.size == 0:
        raise InputError("trials: every fit failed; nothing to calibrate on")
    # the rate's denominator as power counts it: every trial, a failed fit a failure to
    # succeed (the default), or the fits that succeeded (failed_fits = "exclude"); a
    # Bayesian review found the failed fits left out under "failure" too
    n = q.size if design.decision.excludes_failed else tail.size
    k = math.floor(target * n)  # successes allowed
    if k < MIN_NULL_EXCEEDANCES:  # the fits that failed left too few trials
        raise InputError(
            f"trials: {tail.size - q.size:,} of {trials:,} fits failed; the {q.size:,} left "
            f"allow {k} beyond the threshold, fewer than {MIN_NULL_EXCEEDANCES}: simulate "
            "more trials"
        )
    cutoff = float(q[k]) if k < q.size else 1.0  # success iff tail < cutoff
    if not cutoff < 1.0:  # threshold 0: every threshold in (0, 1) holds the target
        margin = design.decision.margin
        raise InputError(
            (f"decision.margin = {margin:g}: " if margin else "calibrate: ")
            + f"with no effect P(effect > {margin:g} | data) is 0 to double precision in at "
            f"least {1 - target:.1%} of the null trials, so every threshold in (0, 1) holds a "
            f"type I error of {target:g}: there is nothing to calibrate at this margin"
        )  # (a review: calibrate gave threshold 0.0, and a check command power refused)
    # Distribution-free 95% interval of the (k+1)-th order statistic (binomial ranks).
    half = Z95 * math.sqrt(n * target * (1.0 - target))
    lo_i = max(0, math.floor(k - half))
    hi_i = min(q.size - 1, math.ceil(k + half))
    q_lo, q_hi = float(q[lo_i]), float(q[hi_i])
    threshold = 1.0 - cutoff
    while 1.0 - threshold > cutoff:  # the rule as the design applies it: tail < 1 - threshold
        threshold = float(np.nextafter(threshold, 1.0))
    passed = int(np.sum(q < 1.0 - threshold))
    p_cal = passed / n
    old = design.decision.threshold
    p_old = float(np.sum(q < 1.0 - old)) / n
    return Calibration(
        analysis=str(design.trial.analysis),
        prior=design.decision.prior.value,
        prior_weight=design.decision.prior_weight,
        margin=design.decision.margin,
        target=target,
        threshold=threshold,
        tail_cutoff=cutoff,
        mc_se=(q_hi - q_lo) / (2.0 * Z95),
        ci95=(1.0 - q_hi, 1.0 - q_lo),
        type1_calibrated=p_cal,
        mc_se_calibrated=mc_se(p_cal, n),
        uncalibrated_threshold=old,
        type1_uncalibrated=p_old,
        mc_se_uncalibrated=mc_se(p_old, n),
        trials=trials,
        failed_fits=int((~ok).sum()),
        seed=seed,
        counted_trials=n,
    )


def posterior_rule_assurance(
    design, idata, trials: int, seed: int, transport: str | None = None, **kwargs
) -> dict:
    """Assurance of the posterior rule, optimistic beside sceptical.

    Effects are drawn from the phase 2 posterior (``transport``, default
    ``effect.transport``) in both; ``kwargs`` go to
    :func:`designs.planning.assurance.assurance_from_draws` (e.g. ``natural_history``), or
    with ``[interim]`` looks to
    :func:`designs.planning.assurance_gs.group_sequential_assurance` (success at any look,
    the design's thresholds per look and predictive futility); each trial is then judged by
    the posterior rule (the design's thresholds and margin) with

    - ``optimistic``: the same phase 2 posterior as the analysis prior (robust prior with
      weight 1), carried over by the same ``transport`` (both cases' designs carry
      ``effect.transport = transport``): the prior that generated the effects also analyses
      them;
    - ``sceptical``: the sceptical prior N(0, ``sceptical_sd``^2).

    Returns ``{"optimistic": result, "sceptical": result}`` (same seed:
    the same simulated patients and effects, judged by the two priors).
    """
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.assurance_gs import group_sequential_assurance
    from designs.planning.posterior import posterior_draws

    assure = group_sequential_assurance if design.interim.sequential else assurance_from_draws
    transport = transport or design.effect.transport.value
    draws = posterior_draws(idata, transport)
    out = {}
    for name, over in (
        ("optimistic", {"decision.prior": "robust", "decision.prior_weight": 1.0}),
        ("sceptical", {"decision.prior": "sceptical"}),
    ):
        d = design.with_overrides(
            {"decision.rule": "posterior", "effect.transport": transport, **over}
        )
        prior = decision_prior(d, idata)
        out[name] = assure(d, draws, trials, seed, transport=transport, prior=prior, **kwargs)
    return out
