"""Calibration of the progression model: simulation-based calibration and parameter recovery.

Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018,
arXiv:1804.06788): draw parameters from the prior, simulate a data set on the phase 2 design
(same patients, same visit months), fit, and record the rank of each true value among the
posterior draws. If the sampler and model are right the ranks are uniform. The model is built
once with ``pm.Data``; each replicate only swaps the observed scores, and the compiled
log-density and gradient (nutpie's Numba model by default, or PyMC's NUTS step) are built once
and reused. Both check the sampler the fit uses by default (:mod:`progression.samplers`).

Parameter recovery: on cohorts of 60 simulated patients (visits monthly from -3 to 12), count
how often the central 90% posterior interval covers the value that generated the data. With
values drawn from the prior, coverage is exactly 0.9 in expectation for a correct model and
sampler, so the count is Binomial(k, 0.9) when intervals are independent.

Simulated scores are continuous (the model's Gaussian likelihood), not rounded: calibration
checks the sampler and the code against the model, not the model against ALSFRS-R.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pymc as pm
from scipy import stats

from progression.model import POPULATION_PARAMS, build_model_arrays
from progression.priors import DEFAULT_PRIORS, Priors
from progression.records import Phase2Data, load_phase2
from progression.repeatable import cache_independent_rounding
from progression.samplers import DEFAULT_SAMPLER, check_sampler

SBC_PARAMS = ("delta", "pre_slope_mean")
RECOVERY_PATIENT_PARAMS = ("level", "pre_slope", "slope_change")


@dataclass(frozen=True)
class SBCResult:
    """Ranks and the uniformity test of an SBC run.

    Attributes
    ----------
    ranks : dict of str to numpy.ndarray (n_replicates,)
        Rank of the true value among the ``n_kept`` thinned posterior draws (0..n_kept).
    n_kept : int
        Posterior draws per replicate after thinning.
    chi2_pvalue : dict of str to float
        Chi-square test of uniform counts over ``n_bins`` rank bins (df = n_bins - 1).
    counts : dict of str to numpy.ndarray (n_bins,)
    divergences : int
        Divergent transitions summed over replicates.
    seconds : float
    """

    ranks: dict[str, np.ndarray]
    n_kept: int
    chi2_pvalue: dict[str, float]
    counts: dict[str, np.ndarray]
    divergences: int
    seconds: float


def _sample_once(model: pm.Model, step, draws: int, tune: int, seed: int):
    """One chain of PyMC's NUTS with the step built once (its other functions built without
    fastmath like the step's: :mod:`progression.repeatable`)."""
    with model, cache_independent_rounding():
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=1,
            cores=1,
            step=step,
            random_seed=seed,
            progressbar=False,
            compute_convergence_checks=False,
        )


def _replicate_sampler(model: pm.Model, target_accept: float, sampler: str):
    """A function ``(scores, draws, tune, seed) -> posterior`` sampling one chain of
    ``model`` given new observed scores (points). The log-density and gradient are compiled
    once: PyMC's NUTS step, or nutpie's Numba-compiled model whose ``observed_score`` is
    swapped per replicate (``with_data``)."""
    check_sampler(sampler)
    if sampler == "pymc":
        with model, cache_independent_rounding():  # as the fit's (progression.samplers)
            step = pm.NUTS(target_accept=target_accept)

        def run(scores, draws, tune, seed):
            pm.set_data({"observed_score": scores}, model=model)
            return _sample_once(model, step, draws, tune, seed)

        return run
    from progression.nutpie_compile import compile_model, import_nutpie

    nutpie = import_nutpie()
    compiled = compile_model(model)  # kept between processes, like the fit's

    def run(scores, draws, tune, seed):
        return nutpie.sample(
            compiled.with_data(observed_score=scores),
            draws=draws,
            tune=tune,
            chains=1,
            cores=1,
            seed=seed,
            target_accept=target_accept,
            progress_bar=False,
        )

    return run


def _rank_bins(ranks: np.ndarray, n_kept: int, n_bins: int) -> np.ndarray:
    """Counts of ranks 0..n_kept in ``n_bins`` bins of equal size ((n_kept + 1) % n_bins == 0)."""
    width = (n_kept + 1) // n_bins
    return np.bincount(ranks // width, minlength=n_bins)


def run_sbc(
    n_replicates: int = 100,
    draws: int = 300,
    thin: int = 3,
    tune: int = 300,
    n_bins: int = 10,
    seed: int = 2018,
    data: Phase2Data | None = None,
    priors: Priors = DEFAULT_PRIORS,
    target_accept: float = 0.95,
    params: tuple[str, ...] = SBC_PARAMS,
    sampler: str = DEFAULT_SAMPLER,
) -> SBCResult:
    """Simulation-based calibration on the phase 2 design.

    Parameters
    ----------
    n_replicates : int
        Prior draws (simulated five-patient data sets).
    draws, thin : int
        One chain of ``draws`` draws, thinned by ``thin`` and cut to ``n_bins * k - 1``
        draws so that ranks 0..n_kept fall evenly into ``n_bins`` bins. Thinning reduces the
        autocorrelation that would otherwise distort rank histograms (Talts et al. section 5).
    tune : int
        Tuning steps per replicate.
    n_bins : int
        Rank bins for the chi-square test.
    seed : int
        Seeds the prior draws and every replicate's sampler.
    data : Phase2Data, optional
        Supplies the design (patients, visit months); its scores are not used. Default: the
        bundled set.
    priors : Priors
    target_accept : float
    params : tuple of str
        Scalar parameters whose ranks are recorded.
    sampler : str
        NUTS implementation (:data:`progression.samplers.SAMPLERS`).
    """
    t0 = time.perf_counter()
    data = load_phase2() if data is None else data
    idx, month, score = data.arrays()
    model = build_model_arrays(data.patients, idx, month, score, priors)
    ss = np.random.SeedSequence(seed)
    prior_seed, *rep_seeds = ss.generate_state(n_replicates + 1)
    with model:
        prior = pm.sample_prior_predictive(draws=n_replicates, random_seed=int(prior_seed))
    truth = {p: prior["prior"][p].values.reshape(-1) for p in params}
    sims = prior["prior_predictive"]["alsfrs_r"].values.reshape(n_replicates, -1)
    kept = (draws // thin) // n_bins * n_bins - 1
    sample = _replicate_sampler(model, target_accept, sampler)
    ranks = {p: np.empty(n_replicates, dtype=np.int64) for p in params}
    divergences = 0
    for r in range(n_replicates):
        idata = sample(sims[r], draws, tune, int(rep_seeds[r]))
        divergences += int(idata["sample_stats"]["diverging"].values.sum())
        for p in params:
            post = idata["posterior"][p].values.reshape(-1)[::thin][:kept]
            ranks[p][r] = int((post < truth[p][r]).sum())
    counts = {p: _rank_bins(ranks[p], kept, n_bins) for p in params}
    pvals = {p: float(stats.chisquare(counts[p]).pvalue) for p in params}
    return SBCResult(ranks, kept, pvals, counts, divergences, time.perf_counter() - t0)


@dataclass(frozen=True)
class RecoveryResult:
    """Coverage of central 90% intervals on simulated 60-patient cohorts.

    Attributes
    ----------
    population_covered : numpy.ndarray of bool, shape (n_replicates, n_population_params)
    patient_covered : numpy.ndarray of bool, shape (n_replicates, 3, n_patients)
        For ``level``, ``pre_slope``, ``slope_change``.
    divergences : int
    seconds : float
    """

    population_covered: np.ndarray
    patient_covered: np.ndarray
    divergences: int
    seconds: float


def recovery_design(n_patients: int = 60) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Patients and visits for recovery: monthly visits at months -3..12 for each patient."""
    months = np.arange(-3.0, 13.0)
    patients = [f"S{i + 1:03d}" for i in range(n_patients)]
    idx = np.repeat(np.arange(n_patients), months.size)
    return patients, idx, np.tile(months, n_patients)


def run_recovery(
    n_replicates: int = 20,
    n_patients: int = 60,
    draws: int = 500,
    tune: int = 500,
    prob: float = 0.9,
    seed: int = 60,
    priors: Priors = DEFAULT_PRIORS,
    target_accept: float = 0.95,
    sampler: str = DEFAULT_SAMPLER,
) -> RecoveryResult:
    """Fit simulated cohorts with known (prior-drawn) parameters and record interval coverage.

    Parameters
    ----------
    n_replicates : int
        Simulated cohorts; each draws its parameters from the prior.
    n_patients : int
        Patients per cohort (visits monthly, months -3..12).
    draws, tune : int
        One chain per cohort.
    prob : float
        Central (equal-tailed) interval probability.
    seed : int
    priors : Priors
    target_accept : float
    sampler : str
        NUTS implementation (:data:`progression.samplers.SAMPLERS`).
    """
    t0 = time.perf_counter()
    patients, idx, month = recovery_design(n_patients)
    model = build_model_arrays(patients, idx, month, np.zeros(month.size), priors)
    prior_seed, *rep_seeds = np.random.SeedSequence(seed).generate_state(n_replicates + 1)
    with model:
        prior = pm.sample_prior_predictive(draws=n_replicates, random_seed=int(prior_seed))
    sample = _replicate_sampler(model, target_accept, sampler)
    sims = prior["prior_predictive"]["alsfrs_r"].values.reshape(n_replicates, -1)
    lo_q, hi_q = (1 - prob) / 2, (1 + prob) / 2
    pop = np.zeros((n_replicates, len(POPULATION_PARAMS)), dtype=bool)
    pat = np.zeros((n_replicates, len(RECOVERY_PATIENT_PARAMS), n_patients), dtype=bool)
    divergences = 0
    for r in range(n_replicates):
        idata = sample(sims[r], draws, tune, int(rep_seeds[r]))
        divergences += int(idata["sample_stats"]["diverging"].values.sum())
        post = idata["posterior"]
        for k, p in enumerate(POPULATION_PARAMS):
            x = post[p].values.reshape(-1)
            true = float(prior["prior"][p].values.reshape(-1)[r])
            lo, hi = np.quantile(x, [lo_q, hi_q])
            pop[r, k] = lo <= true <= hi
        for k, p in enumerate(RECOVERY_PATIENT_PARAMS):
            x = post[p].values.reshape(-1, n_patients)
            true = prior["prior"][p].values.reshape(n_replicates, n_patients)[r]
            lo, hi = np.quantile(x, [lo_q, hi_q], axis=0)
            pat[r, k] = (lo <= true) & (true <= hi)
    return RecoveryResult(pop, pat, divergences, time.perf_counter() - t0)


def binomial_bounds(n: int, p: float = 0.9, level: float = 0.99) -> tuple[int, int]:
    """Central ``level`` acceptance region for a Binomial(n, p) count of covering intervals."""
    a = (1 - level) / 2
    return int(stats.binom.ppf(a, n, p)), int(stats.binom.isf(a, n, p))
