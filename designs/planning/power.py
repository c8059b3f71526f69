"""Power with Monte Carlo error, from the engine's per-trial results.

``power`` is the rejection rate of the stated test (two-sided unless the design says
``sides = 1``); ``power_favourable`` counts only rejections whose estimate favours active
(sample size and assurance use it: a significant harm is no success). Both carry the Monte
Carlo standard error ``sqrt(p (1 - p) / trials)`` and a Wilson 95% interval (reference 71
of ``docs/references.md``), or, where the control variate estimates them, its SE and the
estimate plus and minus 1.96 of it. Trials whose
fit failed are counted in ``failed_fits``; by default (``decision.failed_fits = "failure"``,
the conservative convention) they count as failures to reject and stay in the denominator,
with ``"exclude"`` they are left out of the rates. Under the posterior rule
(``decision.rule = "posterior"``) both are the success probability,
``P(effect > margin | data) > threshold``
(:mod:`designs.planning.decision_rule`). With each trial's oracle test (500 trials or more,
``lmm_slope`` among the analyses, a design where it is exact) the rates are estimated with
it as a control variate instead, with that estimate's SE and a normal interval
(:mod:`designs.planning.control_variate`; ``estimator`` says which).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from designs.analyses import registry
from designs.errors import InputError
from designs.planning.control_critical import control_critical
from designs.planning.control_variate import control_informed, wanted
from designs.planning.power_tally import Tally, whole_trials
from designs.planning.rate_bound import edge_bound
from designs.simulation import layout as K
from designs.simulation.engine import TrialResults, run_trials
from designs.simulation.inputs import simulation_inputs
from designs.spec.fixed_effect import is_sharp_null

__all__ = ["Z95", "PowerSummary", "mc_se", "null_design", "power", "summarise", "whole_trials"]

Z95 = 1.959963984540054


def all_fits_failed(analysis: str, trials: int, where: str = "", design=None) -> InputError:
    """The refusal of a design whose ``analysis`` fit failed in all ``trials`` simulated
    trials (``where``: e.g. ' at every size tried (...)'), for ``power`` and the sample-size
    search alike; with ``design``, the scale's floor named where most placebo patients'
    true lines reach it by the last visit (a clinimetrics review: at slope_mean -10 every
    completer scores 0 at month 12, so ancova_change's change is minus its baseline and the
    fit has no residual, and the refusal blamed the hazards)."""
    from designs.planning.scale_bounds import floor_share

    check = (
        "check the dropout and death hazards, visits, residual_sd and screening (too few "
        "patients or visits left to analyse)"
    )
    share = floor_share(design) if design is not None and design.population.integer_scores else 0
    if share >= 0.5:
        check = (
            f"about {share:.0%} of the placebo patients' true ALSFRS-R lines reach "
            "the scale's floor of 0 by the last visit, where their scores no longer vary: "
            "check population.slope_mean and the follow-up"
        )
    return InputError(
        f"design: the {analysis} fit failed in all {trials:,} simulated trials{where}, so "
        f"power is undefined; {check}"
    )


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (default 95%)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # the interval reaches 0 (no successes) and 1 (all) exactly; rounding would leave ~1e-17
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def check_fixed_effect(design) -> None:
    """Refuse ``effect.source = 'posterior'`` where the design's fixed effect is simulated:
    power, a sweep's cells and a trial simulated it as if fixed while their outputs said
    "effect from phase 2 posterior" (a review: power 0.28 at effect 0.125, bit for bit the
    fixed run). Assurance draws each trial's effect from the posterior."""
    if design.effect.source.value != "fixed":
        raise InputError(
            "effect.source = 'posterior': power and one simulated trial take the design's "
            "fixed effect (effect.value): set effect.source = 'fixed'; the effect drawn from "
            "the phase 2 posterior is what assurance simulates (sweep --assurance adds it "
            "beside the fixed effect's power)"
        )


def check_fixed(design, what: str) -> None:
    """Refuse a design with interim looks where only fixed designs are handled so far."""
    if design.interim.sequential:
        raise InputError(
            f"interim.looks: {what} handles fixed designs only so far; the commands power, "
            "sample-size, sweep, assurance and report take --looks (or remove interim.looks)"
        )


def null_design(design, *, keep_value: bool = False):
    """The design under no effect, as every type I error run simulates it: no patient's
    slope changed, so ``effect.value`` 0 and ``effect.sd`` 0 (the sharp null). A spread of
    benefit kept at a mean of 0 would be a treatment that helps some patients and harms
    others and widens the active arm's slopes; under unequal allocation the analyses, which
    pool the arms' variances, then reject far from their level (a review: lmm_slope 0.11 at
    3:1 and 0.018 at 1:3, alpha 0.05, ``effect.sd`` 0.5). ``keep_value``: keep
    ``effect.value`` (the runs at interim looks simulate a shift of 0 themselves, and a
    conditional-power futility rule reads the design's effect). The design itself when
    nothing changes."""
    changes = {} if design.effect.sd == 0.0 else {"effect.sd": 0.0}
    if not keep_value:
        changes.update({"effect.value": 0.0, "effect.source": "fixed"})
    return design.with_overrides(changes) if changes else design


def mean_mc_se(sd_estimate: float, fits: int) -> float:
    """Monte Carlo SE of a mean estimate, and so of its bias: the SD of the estimates over
    sqrt(successful fits); NaN with fewer than 2 (the SD of one is NaN)."""
    return sd_estimate / math.sqrt(max(fits, 1))


def mc_se(p: float, n: int) -> float:
    """Monte Carlo standard error of a rate ``p`` estimated from ``n`` trials."""
    return math.sqrt(p * (1.0 - p) / n) if n > 0 else math.nan


@dataclass(frozen=True)
class PowerSummary:
    """Operating characteristics of one analysis of one simulated design.

    Rates are over all trials (``failed_as = "failure"``: a failed fit is a failure to
    reject) or over trials whose fit succeeded (``"exclude"``: ``trials - failed_fits``);
    estimates, bias and SE are over successful fits either way. Estimates are in
    the analysis' ``units`` (points/month for slopes, points for change); ``bias`` is the
    mean estimate minus the true value of the analysis' own estimand.
    """

    analysis: str
    estimand: str
    units: str
    trials: int
    failed_fits: int
    power: float
    mc_se: float
    ci95: tuple[float, float]
    power_favourable: float
    mc_se_favourable: float
    ci95_favourable: tuple[float, float]
    mean_estimate: float
    sd_estimate: float
    true_effect: float
    bias: float
    mean_se: float
    n_placebo: int
    n_active: int
    alpha: float
    sides: int
    seed: int
    dropout_placebo: float
    dropout_active: float
    death_placebo: float
    death_active: float
    completers_placebo: float
    completers_active: float
    screened_placebo: float
    screened_active: float
    decision: str = "frequentist"
    failed_as: str = "failure"
    #: Posterior rule (``power(..., type1=True)``): the rule's success rate on the same
    #: trials (same seed) with no effect, its MC SE, and P(effect > margin) under the prior;
    #: ``type1_trials``: the trials it is over (its denominator). The test on a design that
    #: is the sharp null: its own rejection rate.
    type1: float = math.nan
    type1_mc_se: float = math.nan
    prior_p_benefit: float = math.nan
    type1_trials: int = 0
    #: How the rates were estimated: ``"plain"`` (the share of trials) or ``"control
    #: variate"`` (with each trial's oracle test, :mod:`designs.planning.control_variate`:
    #: the same expectation up to O(1/trials), a smaller Monte Carlo SE, a normal 95%
    #: interval), and for the latter how many times smaller the favourable rate's variance is
    #: than the plain one's.
    estimator: str = "plain"
    variance_ratio: float = math.nan
    #: The share of successful fits whose 95% confidence interval holds the true value (NaN
    #: without a true value: joint_rank), its MC SE, and the trials it is over.
    coverage: float = math.nan
    coverage_mc_se: float = math.nan
    coverage_trials: int = 0

    @property
    def bias_mc_se(self) -> float:
        """Monte Carlo SE of ``bias`` (:func:`mean_mc_se`; the operating characteristics and
        the realism rows read it too)."""
        return mean_mc_se(self.sd_estimate, self.trials - self.failed_fits)

    @property
    def denominator(self) -> int:
        """Trials the rates are over."""
        return self.trials - self.failed_fits if self.failed_as == "exclude" else self.trials

    @property
    def n_total(self) -> int:
        """Patients randomised."""
        return self.n_placebo + self.n_active

    @property
    def screened_per_enrolled(self) -> float:
        """Candidates screened per patient randomised (1 without enrichment)."""
        return (self.screened_placebo + self.screened_active) / self.n_total

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary."""
        out = asdict(self)
        out["ci95"] = list(self.ci95)
        out["ci95_favourable"] = list(self.ci95_favourable)
        out["n_total"] = self.n_total
        out["screened_per_enrolled"] = self.screened_per_enrolled
        if self.n_placebo == self.n_active:
            out["n_per_arm"] = self.n_placebo
        # the names `power --looks` and `sample-size` give the type I error (a command-line
        # review); type1, type1_mc_se and type1_trials stay for scripts written against them
        out["type_i_error"] = self.type1
        out["mc_se_type_i_error"] = self.type1_mc_se
        out["type_i_trials"] = self.type1_trials
        # a type I error of 0 has an MC SE of 0: its exact one-sided bound, as the text gives
        # it (the power has its two-sided 95% interval, ci95, already: Wilson's, or normal with
        # the control variate)
        out["type_i_error_one_sided_bound_95"] = edge_bound(self.type1, self.type1_trials)
        # (an ADEMP review: in the report's JSON only); none without a bias (joint_rank)
        out["bias_mc_se"] = math.nan if math.isnan(self.bias) else self.bias_mc_se
        return out


#: Trials simulated and reduced at a time by :func:`power`: memory stays bounded for any
#: number of trials, and the reduction order (hence every digit) does not depend on threads
#: or the engine's block size.
SUMMARY_CHUNK = 1 << 16


def _summary(
    tally: Tally,
    analysis: str,
    inputs,
    alpha: float,
    sides: int,
    seed: int,
    decision: str = "frequentist",
    failed_as: str = "failure",
) -> PowerSummary:
    n_ok = tally.trials - tally.failed
    # the rates' denominator (docs/conventions.md#power); no successful fit: no rate at all
    m = (n_ok if failed_as == "exclude" else tally.trials) if n_ok else 0
    k, k_fav = tally.rejected, tally.favourable
    p = k / m if m else math.nan
    p_fav = k_fav / m if m else math.nan
    # Dropout, deaths and screening over the whole trials, the same for every analysis (a
    # review: over each analysis' own successful fits they moved with the analysis listed
    # first, 29.6% against 32.4% dropout at 5 per arm); over all if no trial was whole.
    counts = tally.counts_whole / tally.whole if tally.whole else tally.counts_all / tally.trials
    n_p = inputs.n_placebo
    n_a = inputs.n_active
    entry = registry.get(analysis)
    estimand, units = entry.estimand, entry.units
    nan_unless = (lambda v: v) if n_ok else (lambda v: math.nan)
    rates = [
        (p, mc_se(p, m), wilson_interval(k, m)),
        (p_fav, mc_se(p_fav, m), wilson_interval(k_fav, m)),
    ]
    ratio, controlled = math.nan, False
    # The control's moments are over every trial: over the successful fits alone (failed_as
    # "exclude" with a failed fit) its mean need not be 0, and the rate stays the plain share.
    if tally.control is not None and m == tally.trials:
        for j, (hits, moments) in enumerate(zip((k, k_fav), tally.control, strict=True)):
            r = moments.rate()
            # no success or no failure, a correction past 0 or 1, or an oracle that nearly
            # always (or never) rejects, where the control hardly varies (control_informed):
            # the plain rate and Wilson's bounds (a clipped 0 or 1 would read "none" or "all"
            # of the trials)
            informed = tally.oracle is None or control_informed(tally.oracle[j])
            if 0 < hits < m and 0.0 < r.estimate < 1.0 and informed:
                half = Z95 * r.mc_se
                rates[j] = (
                    r.estimate,
                    r.mc_se,
                    (max(0.0, r.estimate - half), min(1.0, r.estimate + half)),
                )
                ratio = r.variance_ratio if j == 1 else ratio
                controlled = True
    coverage = tally.covered / tally.coverable if tally.coverable else math.nan
    return PowerSummary(
        analysis=analysis,
        estimand=estimand,
        units=units,
        trials=tally.trials,
        failed_fits=tally.failed,
        power=rates[0][0],
        mc_se=rates[0][1],
        ci95=rates[0][2],
        power_favourable=rates[1][0],
        mc_se_favourable=rates[1][1],
        ci95_favourable=rates[1][2],
        mean_estimate=nan_unless(tally.estimate.mean),
        sd_estimate=tally.estimate.sd,
        true_effect=nan_unless(tally.truth.mean),
        bias=nan_unless(tally.error.mean),
        mean_se=nan_unless(tally.se.mean),
        n_placebo=n_p,
        n_active=n_a,
        alpha=alpha,
        sides=sides,
        seed=seed,
        dropout_placebo=float(counts[K.C_DROPOUT_PLACEBO] / n_p),
        dropout_active=float(counts[K.C_DROPOUT_ACTIVE] / n_a),
        death_placebo=float(counts[K.C_DEATH_PLACEBO] / n_p),
        death_active=float(counts[K.C_DEATH_ACTIVE] / n_a),
        completers_placebo=float(counts[K.C_COMPLETERS_PLACEBO]),
        completers_active=float(counts[K.C_COMPLETERS_ACTIVE]),
        screened_placebo=float(counts[K.C_SCREENED_PLACEBO]),
        screened_active=float(counts[K.C_SCREENED_ACTIVE]),
        decision=decision,
        failed_as=failed_as,
        estimator="control variate" if controlled else "plain",
        variance_ratio=ratio,
        coverage=coverage,
        coverage_mc_se=mc_se(coverage, tally.coverable) if tally.coverable else math.nan,
        coverage_trials=tally.coverable,
    )


def summarise(
    results: TrialResults,
    analysis: str,
    alpha: float,
    sides: int = 2,
    failed_as: str = "failure",
    *,
    success: np.ndarray | None = None,
    decision: str = "frequentist",
    critical: float | None = None,
) -> PowerSummary:
    """Power, its Monte Carlo error and the estimate's bias for one analysis.

    ``failed_as``: ``"failure"`` (failed fits count as failures to reject) or ``"exclude"``;
    ``success``: per-trial successes of the posterior rule (``decision = "posterior"``), as
    in :func:`power`; ``critical``: the control's ``c``
    (:func:`designs.planning.control_critical.control_critical`; default the test's).
    """
    tally = Tally.of(results, analysis, alpha, sides, success, failed_as, critical)
    return _summary(
        tally, analysis, results.inputs, alpha, sides, results.seed, decision, failed_as
    )


def power(
    design,
    trials: int,
    seed: int,
    analyses: Sequence[str] | None = None,
    *,
    threads: int | None = None,
    block_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    require_fits: bool = True,
    prior=None,
    type1: bool = False,
    control: bool = True,
) -> dict[str, PowerSummary]:
    """Simulate ``trials`` trials of ``design`` and summarise each analysis.

    Trials are simulated and reduced :data:`SUMMARY_CHUNK` at a time, so memory stays
    bounded however many trials are asked for (10^6 trials use the memory of 65,536).

    Parameters
    ----------
    design : designs.spec.TrialDesign
    trials : int
        Number of simulated trials.
    seed : int
        Non-negative seed.
    analyses : sequence of str, optional
        Default: the design's own analysis. Several analyses are run on the same trials.
    require_fits : bool
        Refuse (InputError) an analysis whose fit failed in every trial: its power is
        undefined. A sweep passes False and keeps such a cell as NaN with ``failed_fits``.
    prior : designs.analyses.decision.NormalMixture, optional
        Under ``decision.rule = "posterior"``: the prior of the effect (default
        :func:`designs.planning.decision_rule.decision_prior`, which needs it given for a
        robust prior that borrows from phase 2).
    type1 : bool
        Under the posterior rule: also simulate the same trials (same seed, common random
        numbers) with no effect and report the rule's success rate there as ``type1`` (with
        a robust prior whose phase 2 part favours benefit, the prior-data conflict case).
        Under the test, on a design that is the sharp null itself (a fixed effect of 0, no
        spread), its rejection rate is given as ``type1`` too; otherwise NaN.
    control : bool
        Estimate the rates with each trial's oracle test as a control variate where it is
        exact and pays (:func:`designs.planning.control_variate.wanted`); False: the plain
        share of trials.
    """
    from designs.planning.call_checks import check_design, check_names, check_trials

    check_design(design)
    check_trials(trials)
    check_names(analyses)
    check_fixed(design, "this fixed-design power")
    check_fixed_effect(design)
    analyses = tuple(analyses or (str(design.trial.analysis),))
    registry.check_distinct(analyses)
    kwargs = {} if block_size is None else {"block_size": block_size}
    inputs = simulation_inputs(design)
    alpha, sides = design.trial.alpha, design.trial.sides
    rule = design.decision
    if rule.is_posterior:
        from designs.planning import decision_rule

        decision_rule.check_analyses(analyses)
        prior = decision_rule.decision_prior(design) if prior is None else prior
    tallies = {a: Tally() for a in analyses}
    oracle = control and wanted(inputs.params, analyses, trials)
    critical = control_critical(design, prior, trials) if oracle else None
    for start in range(0, trials, SUMMARY_CHUNK):
        chunk = min(SUMMARY_CHUNK, trials - start)
        results = run_trials(
            inputs,
            chunk,
            seed,
            analyses,
            first_trial=start,
            threads=threads,
            progress=progress,
            oracle=oracle,
            **kwargs,
        )
        for a in analyses:
            success = (
                decision_rule.posterior_success(results, a, rule, prior)
                if rule.is_posterior
                else None
            )
            tally = Tally.of(results, a, alpha, sides, success, rule.failed_fits.value, critical)
            tallies[a] = tallies[a].merge(tally)
    if require_fits:
        for a in analyses:
            if tallies[a].failed == tallies[a].trials:
                raise all_fits_failed(a, trials, design=design)
    out = {
        a: _summary(
            tallies[a], a, inputs, alpha, sides, seed, rule.rule.value, rule.failed_fits.value
        )
        for a in analyses
    }
    if type1 and rule.is_posterior:
        from dataclasses import replace

        zero = null_design(design)
        null = power(
            zero,
            trials,
            seed,
            analyses,
            threads=threads,
            progress=progress,
            require_fits=False,
            prior=prior,
            control=control,
            **kwargs,
        )
        below = sum(w * _norm_cdf((rule.margin - m) / s) for w, m, s in prior.components())
        benefit = 1.0 - float(below)
        out = {
            a: replace(
                s,
                type1=null[a].power,
                type1_mc_se=null[a].mc_se,
                prior_p_benefit=benefit,
                type1_trials=null[a].denominator,
            )
            for a, s in out.items()
        }
    elif type1 and is_sharp_null(design):
        from dataclasses import replace

        # the design is the sharp null: its rejection rate is the type I error (an independent
        # simulation's review: `power --effect 0 --json` gave type_i_error null)
        out = {
            a: replace(s, type1=s.power, type1_mc_se=s.mc_se, type1_trials=s.denominator)
            for a, s in out.items()
        }
    return out


def _norm_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))
