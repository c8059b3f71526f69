"""A design flattened into the inputs of the simulation kernels.

:func:`simulation_inputs` turns a :class:`~designs.spec.TrialDesign` into a
:class:`SimulationInputs` (visit months, the parameter vector of
:mod:`designs.simulation.layout`, the dropout cumulative hazard, the slope shift, the curve
of nonlinear decline); :func:`population_rows` gives per-trial parameter rows (natural
history drawn from the phase 2 posterior). The informative-exit calibration lives in
:mod:`designs.spec.exits`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from designs.analyses import registry
from designs.errors import InputError
from designs.simulation import layout as K
from designs.spec.exits import exit_admitted, informative_scale

#: Candidates screened per patient randomised, at most, before a trial is marked failed.
MAX_SCREENED_PER_ENROLLED = 1000.0


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
    effect_course : float64[L + V] or None
        Months of full effect accumulated by each lead-in then scheduled visit
        (:meth:`designs.spec.Effect.course`: 0 before randomisation); None means the effect
        is full from randomisation (the visit months, and the kernel ignores the array).
    """

    visits: np.ndarray
    n_placebo: int
    n_active: int
    params: np.ndarray
    cum_hazard: np.ndarray
    effect_shift: float
    lead_visits: np.ndarray = field(default_factory=lambda: np.empty(0))
    curve: np.ndarray | None = None
    effect_course: np.ndarray | None = None

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
        timed = self.effect_course is not None
        months = np.concatenate([lead, np.asarray(self.visits, dtype=np.float64)])
        course = self.effect_course if timed else np.maximum(months, 0.0)
        course = np.ascontiguousarray(course, dtype=np.float64)
        if course.shape != (n_all,):
            raise InputError(
                f"effect_course: needs {n_all} values (lead-in and visits), got {course.shape}"
            )
        object.__setattr__(self, "effect_course", course)
        self.params[K.P_EFFECT_COURSE] = 1.0 if timed else 0.0

    @property
    def course_factor(self) -> float:
        """Mean fraction of the full effect over the follow-up: ``course(T) / T`` (1.0
        without a time course), ``T`` the last scheduled visit's month."""
        if self.params[K.P_EFFECT_COURSE] < 0.5:
            return 1.0
        last = float(np.asarray(self.visits)[-1])
        return float(self.effect_course[-1]) / last if last > 0 else 1.0

    @property
    def visits_all(self) -> np.ndarray:
        """Lead-in then scheduled visit months, float64[L + V]."""
        return np.concatenate([self.lead_visits, np.asarray(self.visits, dtype=np.float64)])

    def true_effect(self, analysis: str, effect_shift: float | np.ndarray | None = None):
        """True value of ``analysis``' estimand for a given slope shift (points/month).

        The registry entry's ``true_value`` (:mod:`designs.analyses.registry`). With a time
        course of the effect, the shift is first scaled by :attr:`course_factor`: a slope
        analysis then targets the mean difference in slope over the follow-up (the points
        gained by the last visit over its month), and a change analysis the points gained.
        """
        shift = self.effect_shift if effect_shift is None else effect_shift
        if self.params[K.P_EFFECT_COURSE] > 0.5:  # the mean effect over the follow-up
            shift = shift * self.course_factor
        return registry.get(analysis).true_value(shift, self.visits)


def curvature_term(visits_all: np.ndarray, curvature: float) -> np.ndarray:
    """Nonlinear part of the mean ALSFRS-R trajectory at each visit, points.

    The observed window runs from the first visit ``t0`` (lead-in or month 0) to the last
    ``T``; with midpoint ``c`` and half-width ``h = (T - t0) / 2``,

    .. math::

        g(t) = k \\left[G(t) - G(0) - t \\frac{G(T) - G(0)}{T}\\right],\\quad
        G(t) = \\frac{(t - c)^3}{3},\\quad k = -\\frac{\\text{curvature}}{h^2},

    so the slope ``g'(t) = k [(t - c)^2 - (G(T) - G(0)) / T]`` is ``curvature``
    points/month steeper at both ends of the window than at its middle (an assumed shape:
    Gordon 2010 found decline fastest early and late over the whole illness, not within a
    trial's window, docs/references.md#nonlinear-decline), and ``g(0) = g(T) = 0``:
    each patient's mean slope over the randomised period (month 0 to ``T``), ``(y(T) - y(0)) /
    T``, is unchanged. A least-squares slope over the visits is not: the cubic term has a
    least-squares slope of its own (+0.031 points/month at curvature 0.3 with monthly visits
    to month 12, an independent review), the same in both arms, so slope differences between
    arms keep their value while each arm's own fitted slope moves. Without a lead-in
    (``t0 = 0``) the slope is ``2/3 curvature`` steeper than average at months 0 and ``T``
    and ``1/3 curvature`` shallower at ``T / 2``. The curve is the same for every patient and arm.

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
    dropout, slope_sd: float, cum_hazard_last: float, months: float, admitted=None
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
    admitted : designs.spec.exits.Admitted, optional
        Under delta-FS screening, the admitted patients' slope-score density
        (:func:`designs.spec.exits.exit_admitted`): the rates are kept among the patients
        randomised.
    """
    return (
        informative_scale(
            dropout.informative, slope_sd, cum_hazard_last, admitted, "dropout.informative"
        ),
        informative_scale(
            dropout.death_informative,
            slope_sd,
            dropout.death_monthly_hazard * months,
            admitted,
            "dropout.death_informative",
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
        design.dropout, pop.slope_sd, cum_hazard[-1], last, exit_admitted(design)
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
        effect_course=design.effect.course(visits_all) if design.effect.has_time_course else None,
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
        admitted = exit_admitted(design)
        for i in range(n):
            rows[i, K.P_DROPOUT_SCALE], rows[i, K.P_DEATH_SCALE] = exit_scales(
                design.dropout, rows[i, K.P_SLOPE_SD], inputs.cum_hazard[-1], last, admitted
            )
    return rows
