"""Assurance: the probability of a favourable significant result, averaged over the posterior.

Each simulated trial takes its own posterior draw of the treatment effect (docs/conventions.md,
"Carrying the phase 2 effect over"):

- ``transport = "proportional"`` (default): the draw is a fraction of the phase 2 patients'
  own pre-dose mean slope, ``delta / |mu_b|``, applied to the mean decline of the patients
  randomised (:func:`transported_decline`: ``|slope_mean|``, or the admitted patients' mean
  under delta-FS screening), so the active arm's mean slope change is ``draw`` times it,
  points/month;
- ``transport = "absolute"``: the draw is ``delta`` in points/month, applied as
  ``slope_difference``.

Assurance is ``power_favourable`` over those trials (a significant harm is no success), with
its Monte Carlo error. For contrast the module also gives the power at the posterior-median
effect (same seed, same patients; the median, because one draw can move a mean of ratios
far: see :func:`progression.population.proportional_fraction`), P(true effect > 0), and the
distribution of power over the posterior: a probit curve of favourable rejection in the
per-trial effect (fitted to the same simulated trials) evaluated at every draw, and,
model-free, the power within equal-count bins of the drawn effect.

The phase 2 comparison behind the posterior is uncontrolled (before/after, open-label, five
patients): assurance inherits that caveat.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from designs import __version__
from designs.errors import InputError
from designs.planning.assurance_mcse import assurance_mc_error
from designs.planning.power import check_fixed, mc_se
from designs.planning.rate_bound import edge_bound
from designs.sequential import normal as norm
from designs.simulation.engine import run_trials
from designs.simulation.inputs import population_rows, simulation_inputs
from progression.transport import Transport

TRANSPORTS = tuple(t.value for t in Transport)
#: The effect in an assurance output's design line (``TrialDesign.describe(effect=...)``): the
#: design's fixed effect is not simulated there (an assurance review).
DRAWN_EFFECT = "effect drawn from the phase 2 posterior, trial by trial"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def effect_shift(design, draws: np.ndarray, transport: str = "proportional") -> np.ndarray:
    """Per-draw change of the active arm's mean slope, points/month (positive = benefit).

    Parameters
    ----------
    design : designs.spec.TrialDesign
        Its ``population.slope_mean`` scales proportional draws.
    draws : float64[D]
        ``proportional``: fractions of :func:`transported_decline`; ``absolute``:
        points/month.
    transport : {"proportional", "absolute"}
    """
    draws = np.asarray(draws, dtype=np.float64).reshape(-1)
    if transport not in TRANSPORTS:
        raise InputError(f"transport = {transport!r}: allowed {', '.join(TRANSPORTS)}")
    if draws.size == 0 or not np.all(np.isfinite(draws)):
        raise InputError("posterior: effect draws must be a non-empty array of finite numbers")
    if transport == "proportional":
        return draws * transported_decline(design)
    return draws.copy()


def transported_decline(design) -> float:
    """The decline a proportional draw is a fraction of: the mean natural slope of the
    patients randomised, as a positive number, points/month.

    That is ``|slope_mean|`` unless the design screens candidates on delta-FS, where it is
    the admitted patients' mean (:meth:`designs.spec.patients.Enrichment.admitted_slope`,
    closed form): a phase 2 fraction of slowing carries over to the decline of the patients
    in the trial, not of the candidates screened (a review: on ``proact_enriched_dfs`` the
    median fraction 0.397 became 47% of the trial's placebo decline). Under lead-in
    screening the admitted mean has no closed form and the candidates' is used (the
    outputs say so: :func:`transported_decline_words`).
    """
    admitted = design.enrichment.admitted_slope(design.population)
    return abs(design.population.slope_mean if admitted is None else admitted[0])


def transported_decline_words(design) -> str:
    """What :func:`transported_decline` is, for the outputs."""
    e = design.enrichment
    if e.admitted_slope(design.population) is not None:
        return "the admitted patients' mean decline"
    decline = f"{abs(design.population.slope_mean):g} points/month"
    if e.active:
        return (
            f"the candidates' mean decline ({decline}; lead-in screening: the admitted "
            "patients' mean has no closed form)"
        )
    # words, not the field's name (a protocol writer's review: "|slope_mean|" in methods.md)
    return f"the design's mean decline ({decline})"


def draw_indices(n_draws: int, trials: int) -> np.ndarray:
    """Which posterior draw each trial takes: the draws, in (chain, draw) order, spread evenly
    over the trials, trial ``i`` taking draw ``floor(i D / T)``.

    So each draw once when ``T = D``; each draw ``T / D`` times when ``T`` is a multiple of
    ``D``; every ``(D / T)``-th draw when there are fewer trials (systematic thinning, over
    every chain); otherwise counts that differ by at most one. No random numbers are used: an
    assurance review found that resampling the draws with replacement (before) added its own
    error, so that 8,000 trials on 4,000 draws gave an SE of 0.0104 against 0.0080 with 4,000.
    """
    trials = int(trials)
    return (np.arange(trials, dtype=np.int64) * int(n_draws)) // trials


def assign_draws(draws: np.ndarray, trials: int) -> np.ndarray:
    """One draw per trial (see :func:`draw_indices`)."""
    draws = np.asarray(draws, dtype=np.float64)
    return draws[draw_indices(draws.size, trials)]


@dataclass(frozen=True)
class AssuranceResult:
    """Assurance of one design at one size, with what explains it.

    Effects are points/month (``*_points``) or in the transport's own units (``*_draw``:
    fraction of ``|slope_mean|`` for proportional, points/month for absolute).
    """

    assurance: float
    mc_se: float
    ci95: tuple[float, float]
    trials: int
    failed_fits: int
    seed: int
    analysis: str
    transport: str
    n_per_arm: int | None
    n_placebo: int
    n_active: int
    n_total: int
    alpha: float
    sides: int
    posterior_draws: int
    p_effect_positive: float
    posterior_median_draw: float
    posterior_median_points: float
    power_at_median: float
    power_at_median_mc_se: float
    power_quantiles: dict = field(default_factory=dict)
    p_power_at_least_80: float = math.nan
    bins: tuple = ()
    #: The 2.5% and 97.5% quantiles of the posterior draws of the effect, in the transport's
    #: units (a protocol writer's review: the phase 2 effect's interval was in a figure's
    #: legend only).
    posterior_interval_draw: tuple = ()
    #: Trials counted in ``power_at_median`` (every trial, or the successful fits): where
    #: all or none succeeded, its one-sided bound is given, not an SE of 0 (a regulatory
    #: review read "1.000" with MC SE 0).
    power_at_median_trials: int = 0
    version: str = __version__

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary."""
        out = asdict(self)
        out["ci95"] = list(self.ci95)
        out["posterior_interval_draw"] = list(self.posterior_interval_draw)
        out["bins"] = [dict(b) for b in self.bins]
        out["power_quantiles"] = {f"{q:g}": v for q, v in self.power_quantiles.items()}
        # a pipeline author's review: the draws' units were in a docstring only
        draw = (
            "fraction of the phase 2 decline slowed"
            if self.transport == "proportional"
            else "points/month"
        )
        out["units"] = {
            "posterior_median_draw": draw,
            "posterior_interval_draw": draw,
            "posterior_median_points": "points/month",
            "bins": "effect_low, effect_high, effect_mean: points/month",
        }
        return out


#: Runs of ``trials`` simulated trials in one :func:`assurance_from_draws`: over the posterior
#: draws, and at the posterior-median effect (unless ``at_median=False``).
RUNS_PER_ASSURANCE = 2


def assurance_from_draws(
    design,
    draws: np.ndarray,
    trials: int,
    seed: int,
    analysis: str | None = None,
    transport: str = "proportional",
    *,
    bins: int = 10,
    natural_history: dict | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    prior=None,
    at_median: bool = True,
) -> AssuranceResult:
    """Assurance of ``design`` over posterior effect draws.

    Under ``decision.rule = "posterior"`` a success is ``P(effect > margin | data) >
    threshold`` with the prior ``prior`` (default
    :func:`designs.planning.decision_rule.decision_prior`); see
    :func:`designs.planning.decision_rule.posterior_rule_assurance` for the optimistic
    (same prior generates and analyses) and sceptical cases side by side.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        Sizes, visits, population, dropout and test; its fixed effect is not used.
    draws : float64[D]
        Posterior draws of the effect in the ``transport``'s units (see :func:`effect_shift`).
    trials : int
        Simulated trials; each gets one draw (:func:`assign_draws`).
    seed : int
        Non-negative seed. The same seed gives the same patients as
        :func:`designs.planning.power.power`,
        so a posterior with all draws equal gives exactly the power at that effect.
    analysis : str, optional
        Default: the design's.
    transport : {"proportional", "absolute"}
    bins : int
        Equal-count bins of the drawn effect for the model-free conditional power.
    natural_history : dict of str to float64[D], optional
        Joint posterior draws of the untreated population (``slope_mean``, ``slope_sd``,
        ``baseline_mean``, ``baseline_sd``, ``residual_sd``; from
        :func:`progression.population.natural_history_draws`, aligned with ``draws``). Each
        trial then also takes its population (baseline and slope, means and SDs) from the
        same draw as its effect, and a proportional draw scales that draw's ``|slope_mean|``.
        The measurement noise stays the design's ``population.residual_sd`` (``residual_sd``
        of the draws is not used): it is the trial's raters', and the bundled phase 2
        records' noise was chosen when they were reconstructed (SD 1 point; a pharmacometrics review
        found it simulated: assurance 0.797 where the trial's SD 2 gives 0.772, at 100 per
        arm). Default: the design's population for every trial.
    at_median : bool
        Also simulate the trials at the posterior-median effect (``power_at_median``; NaN
        when False, which saves half the trials).

    Returns
    -------
    AssuranceResult
    """
    analysis = analysis or str(design.trial.analysis)
    rule = design.decision
    if rule.is_posterior:
        from designs.planning import decision_rule

        decision_rule.check_analyses((analysis,))
        prior = decision_rule.decision_prior(design) if prior is None else prior

    def successes(results):
        if rule.is_posterior:
            return decision_rule.posterior_success(results, analysis, rule, prior)
        return results.rejected_favourable(analysis, alpha, sides)

    if int(trials) < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    check_fixed(design, "assurance")
    raw = np.asarray(draws, dtype=np.float64).reshape(-1)
    shifts_all = effect_shift(design, raw, transport)
    idx = draw_indices(raw.size, int(trials))
    inputs = simulation_inputs(design)
    rows = None
    if natural_history is not None:
        nh = {k: np.asarray(v, dtype=np.float64).reshape(-1) for k, v in natural_history.items()}
        if any(v.size != raw.size for v in nh.values()):
            raise InputError("posterior: natural-history draws must align with the effect draws")
        if transport == "proportional":
            # each trial's population is its draw's phase 2 population, so a fraction of that
            # draw's decline is the draw's own delta (points/month), also for a draw without
            # decline, which a fraction of nothing would turn into no effect
            shifts_all = nh["delta"] if "delta" in nh else raw * np.abs(nh["slope_mean"])
        rows = population_rows(
            inputs,
            design,
            baseline_mean=nh["baseline_mean"][idx],
            baseline_sd=nh["baseline_sd"][idx],
            slope_mean=nh["slope_mean"][idx],
            slope_sd=nh["slope_sd"][idx],
            residual_sd=np.full(idx.size, design.population.residual_sd),
        )
    per_trial = shifts_all[idx]
    alpha, sides = design.trial.alpha, design.trial.sides
    res = run_trials(
        inputs,
        int(trials),
        seed,
        (analysis,),
        effect_by_trial=per_trial,
        params_by_trial=rows,
        threads=threads,
        progress=progress,
    )
    ok = ~res.failed(analysis)
    fav = successes(res) & ok
    # the denominator: every trial (a failed fit is a failure), or the successful fits
    counted = _counted(ok, design)
    n_ok = int(counted.sum())
    k = int(fav.sum())
    a = k / n_ok if n_ok else math.nan

    median_shift = float(np.median(shifts_all))
    p_m, n_m = math.nan, 0
    if at_median:
        median_trials = run_trials(
            inputs,
            int(trials),
            seed,
            (analysis,),
            effect_by_trial=np.full(int(trials), median_shift),
            params_by_trial=rows,
            threads=threads,
            progress=progress,
        )
        ok_m = ~median_trials.failed(analysis)
        k_m = int((successes(median_trials) & ok_m).sum())
        n_m = int(_counted(ok_m, design).sum())
        p_m = k_m / n_m if n_m else math.nan

    # the draws are autocorrelated MCMC draws: batch-means SE (docs/conventions.md#assurance)
    constant = np.ptp(shifts_all) == 0 and (
        rows is None or all(np.ptp(v) == 0 for v in nh.values())
    )
    se, ci95, _ = assurance_mc_error(fav, idx, raw.size, counted, constant)
    quantiles, p80 = _power_distribution(per_trial[counted], fav[counted], shifts_all)
    t = design.trial
    return AssuranceResult(
        assurance=a,
        mc_se=se,
        ci95=ci95,
        trials=int(trials),
        failed_fits=int((~ok).sum()),
        seed=int(seed),
        analysis=analysis,
        transport=transport,
        n_per_arm=t.n_per_arm if t.allocation.equal else None,
        n_placebo=t.n_placebo,
        n_active=t.n_active,
        n_total=t.n_total,
        alpha=alpha,
        sides=sides,
        posterior_draws=int(raw.size),
        p_effect_positive=float(np.mean(raw > 0)),
        posterior_median_draw=float(np.median(raw)),
        posterior_median_points=median_shift,
        power_at_median=p_m,
        power_at_median_mc_se=mc_se(p_m, n_m),
        power_at_median_trials=n_m,
        power_quantiles=quantiles,
        p_power_at_least_80=p80,
        bins=_bins(per_trial[counted], fav[counted], bins),
        posterior_interval_draw=tuple(float(x) for x in np.quantile(raw, (0.025, 0.975))),
    )


def _counted(ok: np.ndarray, design) -> np.ndarray:
    """Trials in the denominator: all (``decision.failed_fits = "failure"``: a failed fit is
    a failure to reject) or the successful fits (``"exclude"``); none if no fit succeeded."""
    if not ok.any() or design.decision.excludes_failed:
        return ok
    return np.ones_like(ok)


def _power_distribution(effect, success, draws_points) -> tuple[dict, float]:
    """Quantiles over the posterior of the conditional power P(favourable | effect).

    The conditional power is a probit curve in the effect, fitted to the simulated trials
    (each trial one Bernoulli outcome at its own effect); for a test statistic that is close
    to normal this is the exact shape ``Phi((effect / se) - z)``.
    """
    from designs.planning.sample_size import probit_fit

    if effect.size < 10 or np.ptp(effect) == 0:
        p = float(success.mean()) if effect.size else math.nan
        return {q: p for q in QUANTILES}, float(p >= 0.8) if effect.size else math.nan
    b0, b1 = probit_fit(effect, success.astype(float), np.ones(effect.size))
    power = norm.cdf(b0 + b1 * np.asarray(draws_points))
    qs = np.quantile(power, QUANTILES)
    return {q: float(v) for q, v in zip(QUANTILES, qs, strict=True)}, float(np.mean(power >= 0.8))


def _bins(effect, success, bins: int) -> tuple:
    """Power within equal-count bins of the drawn effect (points/month), model-free."""
    if effect.size == 0:
        return ()
    order = np.argsort(effect, kind="stable")
    out = []
    for part in np.array_split(order, min(bins, effect.size)):
        e, s = effect[part], success[part]
        p = float(s.mean())
        # none or all of a bin's trials: its SE of 0 says nothing, so the exact one-sided 95%
        # bound beside it (upper after none, lower after all; Clopper and Pearson 1934, as
        # designs.outputs.rates gives it in text; a formula audit found the JSON's 0 alone)
        out.append(
            {
                "effect_low": float(e.min()),
                "effect_high": float(e.max()),
                "effect_mean": float(e.mean()),
                "power": p,
                "mc_se": mc_se(p, e.size),
                "one_sided_bound_95": edge_bound(p, e.size),
                "trials": int(e.size),
            }
        )
    return tuple(out)


def assurance_curve(
    design,
    draws: np.ndarray,
    sizes: Sequence[int],
    trials: int,
    seed: int,
    analysis: str | None = None,
    transport: str = "proportional",
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    prior=None,
) -> list[AssuranceResult]:
    """Assurance at several sizes (per arm with 1:1, total otherwise), same seed and draws
    (``prior``: the posterior rule's prior, as in :func:`assurance_from_draws`)."""
    from designs.planning.sample_size import design_at

    return [
        assurance_from_draws(
            design_at(design, n),
            draws,
            trials,
            seed,
            analysis,
            transport,
            threads=threads,
            progress=progress,
            prior=prior,
        )
        for n in sizes
    ]
