"""Run the trial kernels over blocks of trials, threads and seeds; label the results.

The engine turns a :class:`~designs.spec.TrialDesign` into the flat inputs of
:mod:`designs.simulation.kernels`, runs :func:`~designs.simulation.kernels.simulate_block` block by block (a
progress callback sees each finished block) and returns per-trial estimates, standard
errors, degrees of freedom, p-values and rejections for each analysis. Every trial's result
depends only on (seed, global trial index), so the numbers do not change with the number of
threads or the block size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np
from scipy import stats

from designs.analyses import results as R
from designs.analyses.joint_rank import ESTIMAND as JR_ESTIMAND
from designs.analyses.joint_rank import UNITS as JR_UNITS
from designs.analyses.slope_change_lead_in import ESTIMAND as LI_ESTIMAND
from designs.analyses.slope_change_lead_in import UNITS as LI_UNITS
from designs.errors import InputError
from designs.simulation import kernels as K
from designs.simulation.rng import seed_key

ANALYSIS_INDEX = {
    "lmm_slope": K.A_LMM_SLOPE,
    "ols_slope_ttest": K.A_OLS_SLOPE_TTEST,
    "ancova_change": K.A_ANCOVA_CHANGE,
    "joint_rank": K.A_JOINT_RANK,
    "slope_change_lead_in": K.A_SLOPE_CHANGE_LEAD_IN,
}

#: What each analysis estimates, and in which units (files and reports carry these).
ESTIMANDS = {
    "lmm_slope": (
        "difference in mean ALSFRS-R slope, active minus placebo",
        "points/month",
    ),
    "ols_slope_ttest": (
        "difference in mean per-patient ALSFRS-R slope, active minus placebo",
        "points/month",
    ),
    "ancova_change": (
        "difference in mean ALSFRS-R change from baseline to the last visit among completers, "
        "adjusted for baseline, active minus placebo",
        "points",
    ),
    "joint_rank": (JR_ESTIMAND, JR_UNITS),
    "slope_change_lead_in": (LI_ESTIMAND, LI_UNITS),
}

#: Analyses that need lead-in visits (``trial.lead_in_months > 0``).
NEEDS_LEAD_IN = frozenset({"slope_change_lead_in"})

#: Candidates screened per patient randomised, at most, before a trial is marked failed.
MAX_SCREENED_PER_ENROLLED = 1000.0

DEFAULT_BLOCK = 16_384
_CHUNK = 32


@dataclass(frozen=True)
class SimulationInputs:
    """The flat numeric description of one design, as the kernels take it.

    Attributes
    ----------
    visits : float64[V]
        Scheduled visit months (from randomisation, starting at 0).
    n_placebo, n_active : int
        Patients randomised per arm.
    params : float64[N_PARAMS]
        Population parameters (slots ``designs.simulation.kernels.P_*``).
    cum_hazard : float64[V]
        Dropout cumulative hazard at each visit.
    effect_shift : float
        Mean change of slope for active patients, points/month (positive = slower decline).
    lead_visits : float64[L]
        Lead-in visit months before randomisation (negative; empty without a lead-in).
    curve : float64[L + V] or None
        Nonlinear part of the mean trajectory at the lead-in then scheduled visits, points
        (:func:`curvature_term`); None means linear (zeros).
    """

    visits: np.ndarray
    n_placebo: int
    n_active: int
    params: np.ndarray
    cum_hazard: np.ndarray
    effect_shift: float
    lead_visits: np.ndarray = field(default_factory=lambda: np.empty(0))
    curve: np.ndarray | None = None

    def __post_init__(self) -> None:
        lead = np.ascontiguousarray(self.lead_visits, dtype=np.float64).reshape(-1)
        object.__setattr__(self, "lead_visits", lead)
        n_all = lead.size + np.asarray(self.visits).size
        curve = np.zeros(n_all) if self.curve is None else self.curve
        curve = np.ascontiguousarray(curve, dtype=np.float64)
        if curve.shape != (n_all,):
            raise InputError(f"curve: needs {n_all} values (lead-in and visits), got {curve.shape}")
        object.__setattr__(self, "curve", curve)
        if self.params.shape[0] < K.N_PARAMS:  # inputs built by hand with the older layout
            params = np.zeros(K.N_PARAMS)
            params[: self.params.shape[0]] = self.params
            params[K.P_MAX_SCREEN] = MAX_SCREENED_PER_ENROLLED
            params[K.P_CORR_COMPLEMENT] = math.sqrt(1.0 - params[K.P_CORR] ** 2)
            object.__setattr__(self, "params", params)
        # The kernel skips adding the curve when it is all zero (linear decline).
        self.params[K.P_CURVED] = 1.0 if np.any(curve != 0.0) else 0.0

    @property
    def visits_all(self) -> np.ndarray:
        """Lead-in then scheduled visit months, float64[L + V]."""
        return np.concatenate([self.lead_visits, np.asarray(self.visits, dtype=np.float64)])

    def true_effect(self, analysis: str, effect_shift: float | np.ndarray | None = None):
        """True value of ``analysis``' estimand for a given slope shift (points/month)."""
        shift = self.effect_shift if effect_shift is None else effect_shift
        if analysis == "joint_rank":  # no closed form: bias is not reported
            return np.full_like(np.asarray(shift, dtype=float), np.nan)
        # ancova_change: the population change shift x duration. Among completers under
        # informative dropout the true difference is different, so the reported bias then
        # includes the completers' selection (which is the point of showing it).
        if analysis == "ancova_change":
            return shift * (self.visits[-1] - self.visits[0])
        # lmm_slope, ols_slope_ttest, slope_change_lead_in: points/month. Curvature is shared
        # by both arms and has zero mean slope over the randomised period, so it does not
        # enter; under enrichment the shift is still the same for every admitted patient.
        return shift


_HERMITE_X, _HERMITE_W = np.polynomial.hermite_e.hermegauss(80)
_HERMITE_W = _HERMITE_W / _HERMITE_W.sum()


def informative_scale(beta: float, slope_sd: float, cum_hazard_last: float) -> float:
    """Factor on the base hazard that keeps the placebo arm's marginal exit rate nominal.

    A placebo patient with slope ``s = slope_mean + slope_sd z`` has cumulative hazard
    ``c H exp(beta (slope_mean - s)) = c H exp(-beta slope_sd z)`` by the last visit. This
    returns the ``c`` for which ``E_z[1 - exp(-c H exp(-beta slope_sd z))] = 1 - exp(-H)``
    (Gauss-Hermite quadrature over ``z``), so only who leaves changes, not how many.

    Parameters
    ----------
    beta : float
        Log-hazard per point/month of decline faster than the mean.
    slope_sd : float
        SD of true slopes, points/month.
    cum_hazard_last : float
        Nominal cumulative hazard by the last visit (``-log(1 - fraction gone)``).
    """
    if beta == 0.0 or slope_sd == 0.0 or not np.isfinite(cum_hazard_last):
        return 1.0
    if cum_hazard_last <= 0.0:
        return 1.0
    from scipy.optimize import brentq

    spread = np.exp(-beta * slope_sd * _HERMITE_X)
    target = -np.expm1(-cum_hazard_last)

    def gap(log_c: float) -> float:
        return float(_HERMITE_W @ -np.expm1(-np.exp(log_c) * cum_hazard_last * spread)) - target

    return float(np.exp(brentq(gap, -60.0, 60.0, xtol=1e-13)))


def curvature_term(visits_all: np.ndarray, curvature: float) -> np.ndarray:
    """Nonlinear part of the mean ALSFRS-R trajectory at each visit, points.

    The observed window runs from the first visit ``t0`` (lead-in or month 0) to the last
    ``T``; with midpoint ``c`` and half-width ``h = (T - t0) / 2``,

    .. math::

        g(t) = k \\left[G(t) - G(0) - t \\frac{G(T) - G(0)}{T}\\right],\\quad
        G(t) = \\frac{(t - c)^3}{3},\\quad k = -\\frac{\\text{curvature}}{h^2},

    so the slope ``g'(t) = k [(t - c)^2 - (G(T) - G(0)) / T]`` is ``curvature``
    points/month steeper at both ends of the window than at its middle (decline fastest
    early and late, Gordon 2010, natural_history.md section 6), and ``g(0) = g(T) = 0``:
    each patient's mean slope over the randomised period (month 0 to ``T``) is unchanged,
    so every slope estimand keeps its value. Without a lead-in (``t0 = 0``) the slope is
    ``2/3 curvature`` steeper than average at months 0 and ``T`` and ``1/3 curvature``
    shallower at ``T / 2``. The curve is the same for every patient and arm.

    Parameters
    ----------
    visits_all : float64[L + V]
        Lead-in then scheduled visit months.
    curvature : float
        Points/month (0: linear, returns zeros).
    """
    t = np.asarray(visits_all, dtype=np.float64)
    if curvature == 0.0:
        return np.zeros_like(t)
    t0, t_end = float(t[0]), float(t[-1])
    centre = 0.5 * (t0 + t_end)
    half = 0.5 * (t_end - t0)
    k = -curvature / half**2

    def big_g(x):
        return (x - centre) ** 3 / 3.0

    return k * (big_g(t) - big_g(0.0) - t * (big_g(t_end) - big_g(0.0)) / t_end)


def exit_scales(
    dropout, slope_sd: float, cum_hazard_last: float, months: float
) -> tuple[float, float]:
    """Calibration factors (dropout, death) of :func:`informative_scale` for one population.

    Parameters
    ----------
    dropout : designs.spec.Dropout
    slope_sd : float
        SD of true slopes, points/month.
    cum_hazard_last : float
        Nominal dropout cumulative hazard by the last visit.
    months : float
        Follow-up from the first to the last visit, months (for the death hazard).
    """
    return (
        informative_scale(dropout.informative, slope_sd, cum_hazard_last),
        informative_scale(
            dropout.death_informative, slope_sd, dropout.death_monthly_hazard * months
        ),
    )


def simulation_inputs(design) -> SimulationInputs:
    """Flatten a :class:`~designs.spec.TrialDesign` for the kernels."""
    pop = design.population
    visits = np.asarray(design.trial.visits_months, dtype=np.float64)
    cumulative = np.asarray(design.dropout.cumulative_at(visits), dtype=np.float64)
    with np.errstate(divide="ignore"):
        cum_hazard = -np.log1p(-cumulative)
    params = np.zeros(K.N_PARAMS)
    params[K.P_BASELINE_MEAN] = pop.baseline_mean
    params[K.P_BASELINE_SD] = pop.baseline_sd
    params[K.P_SLOPE_MEAN] = pop.slope_mean
    params[K.P_SLOPE_SD] = pop.slope_sd
    params[K.P_CORR] = pop.baseline_slope_corr
    params[K.P_CORR_COMPLEMENT] = math.sqrt(1.0 - pop.baseline_slope_corr**2)
    params[K.P_RESIDUAL_SD] = pop.residual_sd
    params[K.P_EFFECT_SD] = design.effect.sd
    params[K.P_INTEGER] = 1.0 if pop.integer_scores else 0.0
    params[K.P_DEATH_HAZARD] = design.dropout.death_monthly_hazard
    last = visits[-1] - visits[0]
    params[K.P_DROPOUT_INFORMATIVE] = design.dropout.informative
    params[K.P_DEATH_INFORMATIVE] = design.dropout.death_informative
    params[K.P_DROPOUT_SCALE], params[K.P_DEATH_SCALE] = exit_scales(
        design.dropout, pop.slope_sd, cum_hazard[-1], last
    )
    enrich = getattr(design, "enrichment", None)
    if enrich is not None and enrich.screens_delta_fs:
        mu, sd = pop.delta_fs_log_params
        params[K.P_DFS_LOG_MEAN] = mu
        params[K.P_DFS_LOG_SD] = sd
        params[K.P_DFS_CORR] = pop.delta_fs_slope_corr
        params[K.P_DFS_MIN] = enrich.delta_fs_min
        params[K.P_DFS_MAX] = enrich.delta_fs_max
        params[K.P_SCREEN_DFS] = 1.0
    if enrich is not None and enrich.screens_lead_in:
        params[K.P_LEAD_DECLINE_MIN] = enrich.lead_in_decline_min
        params[K.P_LEAD_DECLINE_MAX] = enrich.lead_in_decline_max
        params[K.P_SCREEN_LEAD] = 1.0
    params[K.P_MAX_SCREEN] = MAX_SCREENED_PER_ENROLLED
    lead_visits = np.asarray(getattr(design.trial, "lead_in_visits", np.empty(0)), dtype=float)
    visits_all = np.concatenate([lead_visits, visits])
    return SimulationInputs(
        visits=visits,
        n_placebo=int(design.trial.n_placebo),
        n_active=int(design.trial.n_active),
        params=params,
        cum_hazard=cum_hazard,
        effect_shift=float(design.effect.slope_shift(pop.slope_mean)),
        lead_visits=lead_visits,
        curve=curvature_term(visits_all, getattr(pop, "curvature", 0.0)),
    )


def population_rows(
    inputs: SimulationInputs,
    design,
    *,
    baseline_mean: np.ndarray,
    baseline_sd: np.ndarray,
    slope_mean: np.ndarray,
    slope_sd: np.ndarray,
    residual_sd: np.ndarray,
) -> np.ndarray:
    """Per-trial population parameters for :func:`run_trials` (``params_by_trial``).

    Each argument is an array with one value per trial (points, points/month); every other
    parameter is the design's. The informative-exit calibration is redone per trial, since
    it depends on the SD of slopes.

    Returns
    -------
    float64[trials, N_PARAMS]
    """
    columns = {
        K.P_BASELINE_MEAN: baseline_mean,
        K.P_BASELINE_SD: baseline_sd,
        K.P_SLOPE_MEAN: slope_mean,
        K.P_SLOPE_SD: slope_sd,
        K.P_RESIDUAL_SD: residual_sd,
    }
    n = np.asarray(baseline_mean).size
    rows = np.repeat(inputs.params[None, :], n, axis=0)
    for slot, values in columns.items():
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        if values.size != n or not np.all(np.isfinite(values)):
            raise InputError(f"population draws: {n} finite values needed per parameter")
        rows[:, slot] = values
    if np.any(rows[:, [K.P_BASELINE_SD, K.P_SLOPE_SD, K.P_RESIDUAL_SD]] < 0):
        raise InputError("population draws: standard deviations must be >= 0")
    last = inputs.visits[-1] - inputs.visits[0]
    if design.dropout.informative or design.dropout.death_informative:
        for i in range(n):
            rows[i, K.P_DROPOUT_SCALE], rows[i, K.P_DEATH_SCALE] = exit_scales(
                design.dropout, rows[i, K.P_SLOPE_SD], inputs.cum_hazard[-1], last
            )
    return rows


@dataclass(frozen=True)
class TrialResults:
    """Per-trial results of one simulated design.

    Attributes
    ----------
    analyses : tuple of str
        Analysis names, in the order of the second axis of ``results``.
    results : float64[trial, analysis, N_RESULT]
        Kernel outputs (layout :mod:`designs.analyses.results`).
    counts : float64[trial, N_COUNTS]
        Dropouts, deaths and completers per arm (slots ``designs.simulation.kernels.C_*``).
    effect_by_trial : float64[trial]
        The true mean change of slope in each trial, points/month.
    inputs : SimulationInputs
    seed : int
    first_trial : int
    """

    analyses: tuple[str, ...]
    results: np.ndarray
    counts: np.ndarray
    effect_by_trial: np.ndarray
    inputs: SimulationInputs
    seed: int
    first_trial: int

    @property
    def trials(self) -> int:
        """Number of simulated trials."""
        return self.results.shape[0]

    def column(self, analysis: str, slot: int) -> np.ndarray:
        """One result slot of one analysis for every trial."""
        return self.results[:, self.analyses.index(analysis), slot]

    def failed(self, analysis: str) -> np.ndarray:
        """Boolean per trial: the fit failed (never counted as 'not rejected')."""
        est = self.column(analysis, R.ESTIMATE)
        se = self.column(analysis, R.SE)
        df = self.column(analysis, R.DF)
        status = self.column(analysis, R.STATUS)
        return (status != R.STATUS_OK) | ~np.isfinite(est) | ~(se > 0) | ~(df > 0)

    def p_values(self, analysis: str, sides: int = 2) -> np.ndarray:
        """p-values of the analysis' test (t with the kernel's df; ``inf`` df is a z test).

        Two-sided by default; with ``sides=1`` the alternative is that active is better
        (a positive estimate: slower decline). Failed fits give NaN.
        """
        est = self.column(analysis, R.ESTIMATE)
        se = self.column(analysis, R.SE)
        df = self.column(analysis, R.DF)
        bad = self.failed(analysis)
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = np.where(bad, 0.0, est / np.where(bad, 1.0, se))
            dfs = np.where(bad, 1.0, df)
            if sides == 2:
                p = 2.0 * stats.t.sf(np.abs(stat), dfs)
            else:
                p = stats.t.sf(stat, dfs)
        return np.where(bad, np.nan, p)

    def rejected(self, analysis: str, alpha: float, sides: int = 2) -> np.ndarray:
        """Boolean per trial: the null hypothesis of no effect was rejected."""
        p = self.p_values(analysis, sides)
        return np.nan_to_num(p, nan=1.0) < alpha

    def rejected_favourable(self, analysis: str, alpha: float, sides: int = 2) -> np.ndarray:
        """Rejections whose estimate favours active (a significant harm is no success)."""
        return self.rejected(analysis, alpha, sides) & (self.column(analysis, R.ESTIMATE) > 0)


def _analysis_flags(analyses: Sequence[str]) -> np.ndarray:
    run = np.zeros(K.N_ANALYSES, dtype=np.int64)
    for name in analyses:
        if name not in ANALYSIS_INDEX:
            allowed = ", ".join(ANALYSIS_INDEX)
            raise InputError(f"analysis = {name!r}: unknown; allowed: {allowed}")
        run[ANALYSIS_INDEX[name]] = 1
    return run


def run_trials(
    inputs: SimulationInputs,
    trials: int,
    seed: int,
    analyses: Sequence[str] = ("lmm_slope",),
    *,
    effect_by_trial: np.ndarray | None = None,
    params_by_trial: np.ndarray | None = None,
    first_trial: int = 0,
    block_size: int = DEFAULT_BLOCK,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> TrialResults:
    """Simulate and analyse ``trials`` double-blind trials.

    Parameters
    ----------
    inputs : SimulationInputs
        From :func:`simulation_inputs`.
    trials : int
        Number of trials (>= 1).
    seed : int
        Non-negative seed; the same seed gives the same numbers on any machine, thread count
        or block size.
    analyses : sequence of str
        Analysis names (keys of :data:`ANALYSIS_INDEX`), all run on the same simulated
        trials; ``slope_change_lead_in`` needs a lead-in.
    effect_by_trial : float64[trials], optional
        A true change of slope per trial (points/month), e.g. posterior draws for assurance;
        default ``inputs.effect_shift`` for every trial.
    params_by_trial : float64[trials, N_PARAMS], optional
        Population parameters per trial (see :func:`population_rows`), e.g. natural-history
        draws from the phase 2 posterior; default ``inputs.params`` for every trial.
    first_trial : int
        Global index of the first trial (to extend or split a run).
    block_size : int
        Trials per kernel call (memory stays bounded; results do not depend on it).
    threads : int, optional
        Numba threads for this call (default: Numba's setting, ``NUMBA_NUM_THREADS``).
    progress : callable, optional
        Called with the number of trials finished after each block.
    """
    if trials < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    if seed < 0:
        raise InputError(f"seed = {seed}: must be a whole number >= 0")
    if block_size < 1:
        raise InputError(f"block_size = {block_size}: must be >= 1")
    analyses = tuple(analyses)
    run = _analysis_flags(analyses)
    if inputs.lead_visits.size == 0:
        for name in analyses:
            if name in NEEDS_LEAD_IN:
                raise InputError(f"analysis = {name!r}: needs trial.lead_in_months > 0")
    if effect_by_trial is None:
        effect_by_trial = np.full(trials, inputs.effect_shift)
    effect_by_trial = np.ascontiguousarray(effect_by_trial, dtype=np.float64)
    if effect_by_trial.shape != (trials,):
        raise InputError(f"effect_by_trial: needs {trials} values, got {effect_by_trial.shape}")
    if params_by_trial is None:
        params_rows = inputs.params[None, :]
    else:
        params_rows = np.ascontiguousarray(params_by_trial, dtype=np.float64)
        if params_rows.shape != (trials, K.N_PARAMS):
            raise InputError(
                f"params_by_trial: needs shape ({trials}, {K.N_PARAMS}), got {params_rows.shape}"
            )
    key = seed_key(seed)
    visits_all = inputs.visits_all
    n_lead = int(inputs.lead_visits.size)
    res = np.empty((trials, K.N_ANALYSES, R.N_RESULT))
    counts = np.empty((trials, K.N_COUNTS))
    previous_threads = numba.get_num_threads()
    if threads is not None:
        most = numba.config.NUMBA_NUM_THREADS
        if not 1 <= int(threads) <= most:
            raise InputError(
                f"--threads {threads}: must be between 1 and {most} (NUMBA_NUM_THREADS)"
            )
        numba.set_num_threads(int(threads))
    try:
        for start in range(0, trials, block_size):
            stop = min(start + block_size, trials)
            K.simulate_block(
                key,
                first_trial + start,
                inputs.n_placebo,
                inputs.n_active,
                effect_by_trial[start:stop],
                visits_all,
                n_lead,
                inputs.curve,
                inputs.cum_hazard,
                params_rows if params_rows.shape[0] == 1 else params_rows[start:stop],
                run,
                _CHUNK,
                res[start:stop],
                counts[start:stop],
            )
            if progress is not None:
                progress(stop - start)
    finally:
        numba.set_num_threads(previous_threads)
    order = [ANALYSIS_INDEX[a] for a in analyses]
    return TrialResults(
        analyses=analyses,
        results=res[:, order, :],
        counts=counts,
        effect_by_trial=effect_by_trial,
        inputs=inputs,
        seed=seed,
        first_trial=first_trial,
    )


def simulate_one_trial(inputs: SimulationInputs, seed: int, trial: int = 0) -> dict:
    """One simulated trial as long-format columns (``patient, arm, month, alsfrs_r``).

    Lead-in visits appear with negative months. Also returns per patient ``status``
    (``completed``, ``dropout`` or ``death``), ``exit_month`` (NaN for completers),
    ``true_slope`` (slope on treatment, points/month) and ``delta_fs`` (points/month, NaN
    unless the design screens on it), and ``screened`` (candidates screened per arm,
    placebo then active). The same (seed, trial) gives the same patients as trial
    ``trial`` of :func:`run_trials`.

    Raises :class:`~designs.errors.InputError` when screening cannot fill an arm (the
    kernels would mark such a trial failed); no partial trial is returned.
    """
    patient, arm, month, score, status, exit_month, slope, delta_fs, screened = (
        K.simulate_trial_long(
            seed_key(seed),
            trial,
            inputs.n_placebo,
            inputs.n_active,
            inputs.effect_shift,
            inputs.visits_all,
            int(inputs.lead_visits.size),
            inputs.curve,
            inputs.cum_hazard,
            inputs.params,
        )
    )
    for k, name in enumerate(("placebo", "active")):
        if screened[k] < 0:
            n_arm = inputs.n_placebo if k == 0 else inputs.n_active
            cap = K.max_candidates_per_arm(inputs.params, n_arm)
            raise InputError(
                f"enrichment: screening admitted fewer than {n_arm} patients to the {name} "
                f"arm of trial {trial} in {cap} candidates; widen the admission range "
                "(delta_fs_min/delta_fs_max, lead_in_decline_min/lead_in_decline_max)"
            )
    names = np.array(["completed", "dropout", "death"])
    return {
        "patient": patient,
        "arm": arm,
        "month": month,
        "alsfrs_r": score,
        "status": names[status],
        "exit_month": np.where(np.isfinite(exit_month), exit_month, np.nan),
        "true_slope": slope,
        "delta_fs": delta_fs,
        "screened": screened,
    }
