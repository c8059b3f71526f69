"""Power with Monte Carlo error, from the engine's per-trial results.

``power`` is the rejection rate of the stated test (two-sided unless the design says
``sides = 1``); ``power_favourable`` counts only rejections whose estimate favours active
(sample size and assurance use it: a significant harm is no success). Both carry the Monte
Carlo standard error ``sqrt(p (1 - p) / trials)`` and a Wilson 95% interval. Trials whose
fit failed are counted in ``failed_fits`` and left out of the rates, never turned into
"not rejected".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from designs import kernels as K
from designs import results as R
from designs.engine import ESTIMANDS, TrialResults, run_trials, simulation_inputs

Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (default 95%)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def mc_se(p: float, n: int) -> float:
    """Monte Carlo standard error of a rate ``p`` estimated from ``n`` trials."""
    return math.sqrt(p * (1.0 - p) / n) if n > 0 else math.nan


@dataclass(frozen=True)
class PowerSummary:
    """Operating characteristics of one analysis of one simulated design.

    Rates are over trials whose fit succeeded (``trials - failed_fits``). Estimates are in
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
        return out


def summarise(results: TrialResults, analysis: str, alpha: float, sides: int = 2) -> PowerSummary:
    """Power, its Monte Carlo error and the estimate's bias for one analysis."""
    failed = results.failed(analysis)
    ok = ~failed
    n_ok = int(ok.sum())
    rejected = results.rejected(analysis, alpha, sides)[ok]
    favourable = results.rejected_favourable(analysis, alpha, sides)[ok]
    k = int(rejected.sum())
    k_fav = int(favourable.sum())
    est = results.column(analysis, R.ESTIMATE)[ok]
    se = results.column(analysis, R.SE)[ok]
    truth = results.inputs.true_effect(analysis, results.effect_by_trial[ok])
    p = k / n_ok if n_ok else math.nan
    p_fav = k_fav / n_ok if n_ok else math.nan
    # Dropout, deaths and screening over the trials analysed (a trial that failed screening
    # stops early with partial counts); all trials if every fit failed.
    counts = results.counts[ok] if n_ok else results.counts
    n_p = results.inputs.n_placebo
    n_a = results.inputs.n_active
    estimand, units = ESTIMANDS[analysis]
    return PowerSummary(
        analysis=analysis,
        estimand=estimand,
        units=units,
        trials=results.trials,
        failed_fits=int(failed.sum()),
        power=p,
        mc_se=mc_se(p, n_ok),
        ci95=wilson_interval(k, n_ok),
        power_favourable=p_fav,
        mc_se_favourable=mc_se(p_fav, n_ok),
        ci95_favourable=wilson_interval(k_fav, n_ok),
        mean_estimate=float(est.mean()) if n_ok else math.nan,
        sd_estimate=float(est.std(ddof=1)) if n_ok > 1 else math.nan,
        true_effect=float(np.mean(truth)) if n_ok else math.nan,
        bias=float(np.mean(est - truth)) if n_ok else math.nan,
        mean_se=float(se.mean()) if n_ok else math.nan,
        n_placebo=n_p,
        n_active=n_a,
        alpha=alpha,
        sides=sides,
        seed=results.seed,
        dropout_placebo=float(counts[:, K.C_DROPOUT_PLACEBO].mean() / n_p),
        dropout_active=float(counts[:, K.C_DROPOUT_ACTIVE].mean() / n_a),
        death_placebo=float(counts[:, K.C_DEATH_PLACEBO].mean() / n_p),
        death_active=float(counts[:, K.C_DEATH_ACTIVE].mean() / n_a),
        completers_placebo=float(counts[:, K.C_COMPLETERS_PLACEBO].mean()),
        completers_active=float(counts[:, K.C_COMPLETERS_ACTIVE].mean()),
        screened_placebo=float(counts[:, K.C_SCREENED_PLACEBO].mean()),
        screened_active=float(counts[:, K.C_SCREENED_ACTIVE].mean()),
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
) -> dict[str, PowerSummary]:
    """Simulate ``trials`` trials of ``design`` and summarise each analysis.

    Parameters
    ----------
    design : designs.spec.TrialDesign
    trials : int
        Number of simulated trials.
    seed : int
        Non-negative seed.
    analyses : sequence of str, optional
        Default: the design's own analysis. Several analyses are run on the same trials.
    """
    analyses = tuple(analyses or (str(design.trial.analysis),))
    kwargs = {} if block_size is None else {"block_size": block_size}
    results = run_trials(
        simulation_inputs(design),
        trials,
        seed,
        analyses,
        threads=threads,
        progress=progress,
        **kwargs,
    )
    return {a: summarise(results, a, design.trial.alpha, design.trial.sides) for a in analyses}
