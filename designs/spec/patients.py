"""Who is randomised: the ``[population]`` screened and the ``[enrichment]`` admission rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from designs.errors import InputError
from designs.spec.fields import Kind, is_real, show, spec_field, validate_fields

__all__ = ["SCORE_MAX", "Enrichment", "Population"]

SCORE_MAX = 48.0  # ALSFRS-R maximum total, points


#: Largest slope, SD of slopes or effect, points/month: 10 points a month empties the
#: 48-point scale in under five months, beyond the fastest ALS progression reported.
MAX_SLOPE = 10.0


@dataclass(frozen=True)
class Population:
    """Untreated (placebo) patients (``[population]``): their level at month 0, randomisation
    (with a lead-in, the lead-in's visits come before it and lie higher), and their decline.

    Model: ``y_ij = a_i + s_i t_j + e_ij`` with ``(a_i, s_i)`` bivariate normal.

    Parameters
    ----------
    baseline_mean : float
        Mean ALSFRS-R at month 0, points, in [0, 48].
    baseline_sd : float
        Between-patient SD of the true month-0 level, points, >= 0.
    slope_mean : float
        Mean true slope, points/month, in [-10, 0] (negative = decline; a positive value,
        an improving population, is refused as the sign error it almost always is).
    slope_sd : float
        Between-patient SD of TRUE slopes, points/month, >= 0. Not the SD of observed
        slopes, which includes measurement noise. 0 is allowed, but the slope variance of the
        ``lmm_slope`` fit then sits on its boundary and its test is conservative (3.35%
        rejections at alpha 0.05 measured by an independent review).
    baseline_slope_corr : float
        Correlation of ``a_i`` and ``s_i``, in [-1, 1].
    residual_sd : float
        Visit-to-visit noise around each patient's line, points, >= 0.
    integer_scores : bool
        Round simulated scores to integers and clip to 0-48 (false: continuous, unbounded).
    delta_fs_mean, delta_fs_sd : float
        Mean and SD of the pre-baseline progression rate
        ``delta-FS = (48 - ALSFRS-R at enrolment) / months since onset``, points/month
        (> 0 and >= 0), log-normal. Trial values: docs/references.md#pre-baseline-progression-rate
        (e.g. PRO-ACT matched controls 0.91 (0.53), masitinib placebo 0.71 (0.69), masitinib
        delta-FS < 1.1 subgroup 0.41 (0.23)). Used only when ``[enrichment]`` screens on it.
    delta_fs_slope_corr : float
        Correlation, in [-1, 1], of ``log delta-FS`` with the patient's rate of decline
        ``-s_i`` (positive: fast before enrolment, fast after). Pre- and post-baseline slopes
        are correlated (Thakore 2018) but the coefficient is not published
        (docs/references.md#pre-baseline-progression-rate): assumed.
    curvature : float
        Nonlinear decline, points/month (0 = linear, the default), in [-10, 10]. Each
        patient's mean trajectory gains a cubic term whose slope is ``curvature`` points/month
        steeper at both ends of the observed window (first lead-in visit or month 0 to the
        last visit) than at its middle: an assumed shape for sensitivity runs (Gordon 2010
        found decline fastest early and late over the whole illness, not within a trial's
        window; docs/references.md#nonlinear-decline). The term is zero at month 0 and at the last
        visit, so the mean slope over the randomised period, ``(y(T) - y(0)) / T``, stays
        ``slope_mean`` (a least-squares slope over the visits moves a little, the same in
        both arms, so the treatment difference does not). Negative
        values give decline fastest mid-window. Size not published: any value is assumed.
    """

    baseline_mean: float = spec_field(
        lo=0, hi=SCORE_MAX, unit="points", doc="Mean ALSFRS-R at month 0."
    )
    baseline_sd: float = spec_field(
        lo=0, hi=SCORE_MAX, unit="points", doc="Between-patient SD of the true month-0 level."
    )
    slope_mean: float = spec_field(
        lo=-MAX_SLOPE,
        hi=0,
        unit="points/month",
        doc="Mean true slope (negative = decline; <= 0).",
    )
    slope_sd: float = spec_field(
        lo=0,
        hi=MAX_SLOPE,
        unit="points/month",
        doc="Between-patient SD of true (not observed) slopes.",
    )
    baseline_slope_corr: float = spec_field(
        0.0,
        lo=-1,
        hi=1,
        dimensionless=True,
        doc="Correlation of the month-0 level and the slope.",
    )
    residual_sd: float = spec_field(
        2.0,
        lo=0,
        hi=SCORE_MAX,
        unit="points",
        doc="Visit-to-visit noise around each patient's line.",
    )
    integer_scores: bool = spec_field(
        True, kind=Kind.BOOL, doc="Round simulated scores to integers and clip to 0-48."
    )
    delta_fs_mean: float = spec_field(
        0.41,
        lo=0,
        lo_open=True,
        unit="points/month",
        doc="Mean pre-baseline progression rate delta-FS (log-normal).",
    )
    delta_fs_sd: float = spec_field(
        0.23, lo=0, unit="points/month", doc="SD of the pre-baseline progression rate delta-FS."
    )
    delta_fs_slope_corr: float = spec_field(
        0.5,
        lo=-1,
        hi=1,
        dimensionless=True,
        doc="Correlation of log delta-FS with the rate of decline -s_i (assumed).",
    )
    curvature: float = spec_field(
        0.0,
        lo=-10,
        hi=10,
        unit="points/month",
        doc="Nonlinear decline: slope steeper at both ends of the window than mid (0 = linear).",
    )

    section: ClassVar[str] = "population"

    def __post_init__(self) -> None:
        # a review: a decline published as a positive rate (as delta-FS is) and typed as such
        # gave "25% slowing" of an improving population; said before the range check, with
        # how to write it
        slope = self.slope_mean
        if is_real(slope) and 0 < slope <= MAX_SLOPE:
            raise InputError(
                f"population.slope_mean = {show(slope)}: must be <= 0 (points/month; decline "
                f"is negative: a loss of {slope:g} points/month is written -{slope:g})"
            )
        validate_fields(self)

    @property
    def delta_fs_log_params(self) -> tuple[float, float]:
        """Mean and SD of ``log delta-FS`` matching ``delta_fs_mean`` and ``delta_fs_sd``.

        ``v = log(1 + sd^2 / mean^2)``, ``mu = log(mean) - v / 2``; returns ``(mu, sqrt(v))``.
        """
        v = math.log1p((self.delta_fs_sd / self.delta_fs_mean) ** 2)
        return math.log(self.delta_fs_mean) - 0.5 * v, math.sqrt(v)

    @property
    def random_effects_cov(self) -> np.ndarray:
        """2x2 covariance of (month-0 level, slope).

        Units: points^2, points^2/month and points^2/month^2.
        """
        cov = self.baseline_slope_corr * self.baseline_sd * self.slope_sd
        return np.array([[self.baseline_sd**2, cov], [cov, self.slope_sd**2]])


@dataclass(frozen=True)
class Enrichment:
    """Who is admitted at screening (``[enrichment]``); the defaults admit everyone.

    With enrichment, ``[population]`` describes the candidates screened, and the patients
    randomised are those candidates who pass. Each arm screens its own sequence of
    candidates until ``n`` are admitted; the number screened per patient enrolled is
    reported (its expectation is ``1 / P(admitted)``).

    Parameters
    ----------
    delta_fs_min, delta_fs_max : float
        Admitted range of the pre-baseline rate delta-FS, points/month (0 <= min < max).
        Defaults 0 and 48 (no screening: delta-FS above 48/month needs onset under a month
        before enrolment). Enrichment rules used (docs/references.md#enrichment-rules):
        masitinib phase 3 delta-FS > 0.3; masitinib AB10015 primary analysis population
        delta-FS < 1.1.
    lead_in_decline_min, lead_in_decline_max : float
        Admitted range of the points lost during the lead-in (score at the first lead-in
        visit minus score at month 0; needs ``trial.lead_in_months > 0``), points, in
        [-48, 48] (min <= max). Defaults -48 and 48 (no screening). The masitinib phase 3
        required >= 1 point lost in a 12-week run-in; MCI186-19's reported "1-4 points" rule
        is not confirmed (docs/references.md#enrichment-rules).

    Notes
    -----
    Rules between fields, checked after every field: ``delta_fs_min < delta_fs_max`` and
    ``lead_in_decline_min <= lead_in_decline_max``.
    """

    delta_fs_min: float = spec_field(
        0.0, lo=0, unit="points/month", doc="Lowest pre-baseline rate delta-FS admitted."
    )
    delta_fs_max: float = spec_field(
        SCORE_MAX, lo=0, unit="points/month", doc="Highest pre-baseline rate delta-FS admitted."
    )
    lead_in_decline_min: float = spec_field(
        -SCORE_MAX,
        lo=-SCORE_MAX,
        hi=SCORE_MAX,
        unit="points",
        doc="Fewest points lost during the lead-in admitted.",
    )
    lead_in_decline_max: float = spec_field(
        SCORE_MAX,
        lo=-SCORE_MAX,
        hi=SCORE_MAX,
        unit="points",
        doc="Most points lost during the lead-in admitted.",
    )

    section: ClassVar[str] = "enrichment"

    def __post_init__(self) -> None:
        raw = validate_fields(self)
        if not self.delta_fs_min < self.delta_fs_max:
            raise InputError(
                f"enrichment.delta_fs_max = {show(raw['delta_fs_max'])}: must exceed "
                f"enrichment.delta_fs_min = {self.delta_fs_min:g} (points/month)"
            )
        if not self.lead_in_decline_min <= self.lead_in_decline_max:
            raise InputError(
                f"enrichment.lead_in_decline_max = {show(raw['lead_in_decline_max'])}: must be "
                f">= enrichment.lead_in_decline_min = {self.lead_in_decline_min:g} (points)"
            )

    @property
    def screens_delta_fs(self) -> bool:
        """True when the delta-FS range excludes anyone (min > 0 or max < 48)."""
        return self.delta_fs_min > 0.0 or self.delta_fs_max < SCORE_MAX

    @property
    def screens_lead_in(self) -> bool:
        """True when the lead-in decline range excludes anyone."""
        return self.lead_in_decline_min > -SCORE_MAX or self.lead_in_decline_max < SCORE_MAX

    @property
    def active(self) -> bool:
        """True when any screening rule is on."""
        return self.screens_delta_fs or self.screens_lead_in

    @property
    def screens_delta_fs_alone(self) -> bool:
        """True when delta-FS screening alone admits the patients: who is admitted, and how
        many candidates per patient, then have closed forms (lead-in screening has none)."""
        return self.screens_delta_fs and not self.screens_lead_in

    def _log_bounds(self, mu: float, sd: float) -> tuple[float, float]:
        """The admission window on the standardised log delta-FS scale (``mu``, ``sd``: the
        population's log-normal parameters, ``sd > 0``): ``-inf`` below without a minimum."""
        a = -math.inf if self.delta_fs_min <= 0 else (math.log(self.delta_fs_min) - mu) / sd
        return a, (math.log(self.delta_fs_max) - mu) / sd

    def admitted_slope(self, population: Population) -> tuple[float, float] | None:
        """Mean and SD of the natural slope (points/month) of the candidates admitted by the
        delta-FS rule alone, in closed form; None under lead-in screening (no closed form) or
        without screening.

        The engine draws ``w = -rho z_s + sqrt(1 - rho^2) z'`` (``rho`` =
        ``delta_fs_slope_corr``, ``z_s`` the standardised slope) and admits ``a <= w <= b``
        on the log delta-FS scale, so with ``Z = Phi(b) - Phi(a)`` and
        ``m = (phi(a) - phi(b)) / Z`` (the mean of ``w`` among those admitted):
        ``E[z_s | admitted] = -rho m`` and
        ``Var[z_s | admitted] = 1 - rho^2 + rho^2 Var[w | admitted]``, with
        ``Var[w | admitted] = 1 + (a phi(a) - b phi(b)) / Z - m^2``.
        """
        if not self.screens_delta_fs_alone:
            return None
        from designs.sequential import normal

        mu, sd = population.delta_fs_log_params
        if sd == 0.0:
            return population.slope_mean, population.slope_sd
        a, b = self._log_bounds(mu, sd)
        z = float(normal.cdf(b) - normal.cdf(a))
        if not z > 0:
            return None

        def x_pdf(x: float) -> float:  # x phi(x), 0 at an infinite end
            return 0.0 if math.isinf(x) else x * float(normal.pdf(x))

        m = float(normal.pdf(a) - normal.pdf(b)) / z
        var_w = 1.0 + (x_pdf(a) - x_pdf(b)) / z - m * m
        rho = population.delta_fs_slope_corr
        mean_z = -rho * m
        var_z = 1.0 - rho * rho + rho * rho * var_w
        return (
            population.slope_mean + population.slope_sd * mean_z,
            population.slope_sd * math.sqrt(max(var_z, 0.0)),
        )

    def admitted_chance(self, population: Population):
        """The chance that a candidate of standardised natural slope ``z`` is admitted by the
        delta-FS rule, as a function of ``z`` (array), or None where admission does not
        depend on the slope alone in closed form (no delta-FS screening, a delta-FS without
        spread, or lead-in screening: there informative exits stay calibrated on the
        candidates). With ``w = -rho z + sqrt(1 - rho^2) z'`` admitted on ``[a, b]``:
        ``Phi((b + rho z) / r) - Phi((a + rho z) / r)``, ``r = sqrt(1 - rho^2)``."""
        if not self.screens_delta_fs_alone:
            return None
        from designs.sequential import normal

        mu, sd = population.delta_fs_log_params
        if sd == 0.0:
            return None
        a, b = self._log_bounds(mu, sd)
        rho = population.delta_fs_slope_corr
        r = math.sqrt(max(1.0 - rho * rho, 0.0))

        def chance(z):
            z = np.asarray(z, dtype=float)
            if r == 0.0:
                return ((a <= -rho * z) & (-rho * z <= b)).astype(float)
            return normal.cdf((b + rho * z) / r) - normal.cdf((a + rho * z) / r)

        return chance

    def admitted_random_effects(self, population: Population) -> tuple[float, float, float]:
        """Variance of the baseline, its covariance with the slope, and the slope's variance
        (points^2, points^2/month, points^2/month^2) among the patients randomised.

        The delta-FS rule selects on the standardised slope ``z_s`` only, so with ``v =
        Var[z_s | admitted]`` (:meth:`admitted_slope`) they are ``baseline_sd^2 (1 - corr^2 +
        corr^2 v)``, ``corr baseline_sd slope_sd v`` and ``slope_sd^2 v`` (the baseline's
        regression on ``z_s`` is unchanged by the selection). Without screening, and under
        lead-in screening (no closed form), the population's own.
        """
        p = population
        corr = p.baseline_slope_corr
        admitted = self.admitted_slope(p) if p.slope_sd > 0 else None
        if admitted is None:
            return p.baseline_sd**2, corr * p.baseline_sd * p.slope_sd, p.slope_sd**2
        v = (admitted[1] / p.slope_sd) ** 2
        return (
            p.baseline_sd**2 * (1.0 - corr**2 + corr**2 * v),
            corr * p.baseline_sd * p.slope_sd * v,
            p.slope_sd**2 * v,
        )

    def delta_fs_admit_probability(self, population: Population) -> float:
        """P(delta-FS within [min, max]) under the population's log-normal (1 if not screened)."""
        if not self.screens_delta_fs:
            return 1.0
        # scipy.special's normal, what scipy.stats.norm.cdf calls (the same bits), without
        # importing scipy.stats (about 0.5 s): reading a design checks this
        from designs.sequential import normal

        mu, sd = population.delta_fs_log_params
        if sd == 0.0:
            x = population.delta_fs_mean
            return float(self.delta_fs_min <= x <= self.delta_fs_max)
        a, b = self._log_bounds(mu, sd)
        return float(normal.cdf(b) - normal.cdf(a))
