"""Closed-form sample size and power for longitudinal designs: independent references.

Pure NumPy/SciPy, no simulation. These are the published formulas the simulation engine is
checked against (``docs/references.md#validation-tables``, V1-V4):

- :func:`slope_variance_per_patient`: Edland's GLS variance of a patient's slope estimate in a
  random intercept and slope model with monotone MCAR dropout (Ard & Edland 2011; V3);
- :func:`n_per_arm_slope`, :func:`power_slope`, :func:`detectable_slope_difference`: the
  two-sample normal approximation built on it;
- :func:`n_total_slope_arms`: the same with a variance per arm (an effect that varies
  between treated patients);
- Diggle et al. (2002) and Lu, Luo & Chen (2008), V1, V2 and V4, are in
  :mod:`designs.planning.published_formulas`;
- :func:`design_power`: closed-form power of a :class:`~designs.spec.TrialDesign` under its
  own assumptions taken as continuous, linear and MCAR.

The model for the slope formulas, patient ``i`` with visits ``t_1..t_m`` (months):

.. math::

    y_{ij} = a_i + s_i t_j + e_{ij}, \\quad (a_i, s_i) \\sim N(\\mu, D),
    \\quad e_{ij} \\sim N(0, \\sigma^2).

Sample sizes are returned unrounded (floats); round up for a plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from designs.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from designs.spec import TrialDesign

__all__ = [
    "design_power",
    "design_slope_variances",
    "detectable_slope_difference",
    "last_visit_proportions",
    "n_per_arm_slope",
    "n_total_slope",
    "n_total_slope_arms",
    "power_slope",
    "power_slope_arms",
    "slope_variance_per_patient",
    "z_sum",
]


def z_sum(alpha: float, power: float, sides: int) -> float:
    """``z_{1 - alpha/sides} + z_{power}``."""
    if sides not in (1, 2):
        raise InputError(f"sides = {sides!r}: must be 1 or 2")
    if not 0 < alpha < 1:
        raise InputError(f"alpha = {alpha!r}: must be in (0, 1)")
    if not 0 < power < 1:
        raise InputError(f"power = {power!r}: must be in (0, 1)")
    # scipy.special's normal, what scipy.stats.norm calls (the same bits), without importing
    # scipy.stats (about 1 s, the largest part of a warm main job's start)
    from designs.sequential import normal

    return float(normal.isf(alpha / sides) + normal.ppf(power))


def _allocation_factor(allocation: Sequence[float]) -> tuple[float, float, float]:
    """Fractions (r_placebo, r_active) and ``1/r_p + 1/r_a`` (= 4 for 1:1)."""
    p, a = (float(x) for x in allocation)
    if not (p > 0 and a > 0):
        raise InputError(f"allocation = {tuple(allocation)!r}: both weights must be > 0")
    r_p, r_a = p / (p + a), a / (p + a)
    return r_p, r_a, 1.0 / r_p + 1.0 / r_a


# --------------------------------------------------------------------------- Edland (V3)


def last_visit_proportions(cumulative_dropout: Sequence[float]) -> np.ndarray:
    """Proportion whose last visit is each visit, from the fraction gone by each visit.

    Parameters
    ----------
    cumulative_dropout : sequence of float
        ``c_k``: fraction gone by visit ``k`` (``c_0 = 0``: the baseline visit is observed).

    Returns
    -------
    numpy.ndarray
        ``p_k = c_{k+1} - c_k`` for all but the last visit, and ``1 - c_last`` for the last.
        E.g. (0, 0, .05, .10, .15, .20, .25) gives (0, .05, .05, .05, .05, .05, .75).
    """
    c = np.asarray(cumulative_dropout, dtype=float)
    if c.ndim != 1 or c.size < 1 or np.any(np.diff(c) < 0) or c[0] < 0 or c[-1] >= 1:
        raise InputError(
            f"cumulative_dropout = {c.tolist()}: must be non-decreasing in [0, 1), one per visit"
        )
    return np.append(np.diff(c), 1.0 - c[-1])


_SINGULAR = (
    "slope variance undefined: the covariance of the observations is singular "
    "(population.residual_sd = 0 with three visits or more, or no variance at all); give "
    "population.residual_sd > 0"
)


def pattern_information(visits, d, residual_var: float, check: bool = True) -> np.ndarray:
    """``X_a' V_a^-1 X_a`` for a patient observed at the first ``a`` visits, a = 0 .. V, shape
    (V + 1, 2, 2): ``X_a = [1, t]``, ``V_a = X_a D X_a' + sigma^2 I`` (the GLS information
    of the patient's level and slope).

    For two visits or more, with ``A_a = X_a' X_a``, ``V_a^-1 X_a = X_a (D A_a + sigma^2
    I)^-1``, so ``X_a' V_a^-1 X_a = (D + sigma^2 A_a^-1)^-1``: a 2 x 2 inverse from running
    sums of t and t^2, O(visits) in all (the k x k solve per visit took 19 s at 993 visits,
    and 44 s where the page computed the looks' information: a robustness review and a diff
    review of the explorer). ``check``: refuse a singular covariance (no residual variance at
    three visits or more; one or two with a singular ``D``) rather than give the limit as
    ``sigma^2 -> 0``.
    """
    t = np.asarray(visits, dtype=float)
    out = np.zeros((t.size + 1, 2, 2))
    if check and not residual_var > 0 and t.size >= 3:
        raise InputError(_SINGULAR)
    if t.size == 0:
        return out
    x = np.array([1.0, t[0]])  # one visit: X V^-1 X' of rank 1, V the scalar x D x' + sigma^2
    v = x @ d @ x + residual_var
    if not v > 0:
        raise InputError(_SINGULAR)
    out[1] = np.outer(x, x) / v
    m = np.arange(1, t.size + 1, dtype=float)
    s1, s2 = np.cumsum(t), np.cumsum(t * t)
    for a in range(2, t.size + 1):
        k = a - 1
        det = m[k] * s2[k] - s1[k] ** 2  # > 0: at least two distinct visits
        a_inv = np.array([[s2[k], -s1[k]], [-s1[k], m[k]]]) / det
        cov = d + residual_var * a_inv  # Var of the patient's own least-squares (level, slope)
        if not np.linalg.det(cov) > 0:
            raise InputError(_SINGULAR)
        out[a] = np.linalg.inv(cov)
    return out


def slope_variance_per_patient(
    visits: Sequence[float],
    var_intercept: float,
    var_slope: float,
    cov_intercept_slope: float,
    residual_var: float,
    cumulative_dropout: Sequence[float] | None = None,
) -> float:
    """Variance of one patient's GLS slope estimate (Edland; Ard & Edland 2011).

    The [2, 2] element of ``(sum_k p_k X_k' V_k^-1 X_k)^-1`` with ``X_k = [1, t]`` up to
    visit ``k``, ``V_k = Z_k D Z_k' + sigma^2 I`` and ``p_k`` the proportion whose last visit
    is ``t_k``. With complete data it equals ``var_slope + residual_var / sum (t - tbar)^2``.

    Parameters
    ----------
    visits : sequence of float
        Visit times (any unit; the slope is per that unit), strictly increasing.
    var_intercept : float
        Between-patient variance of the intercept at time 0 (points^2).
    var_slope : float
        Between-patient variance of true slopes (points^2 per time^2).
    cov_intercept_slope : float
        Their covariance.
    residual_var : float
        Within-patient residual variance ``sigma^2`` (points^2).
    cumulative_dropout : sequence of float, optional
        Fraction gone by each visit (MCAR, monotone); None = complete data.

    Returns
    -------
    float
        Variance of the slope estimate per patient (points^2 per time^2); the variance of an
        arm's mean slope from ``n`` such patients is this divided by ``n``.
    """
    t = np.asarray(visits, dtype=float)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
        raise InputError(f"visits = {t.tolist()}: must be >= 2 strictly increasing times")
    d = np.array([[var_intercept, cov_intercept_slope], [cov_intercept_slope, var_slope]], float)
    if cumulative_dropout is None:
        p = np.zeros(t.size)
        p[-1] = 1.0
    else:
        if len(cumulative_dropout) != t.size:
            raise InputError(
                f"cumulative_dropout has {len(cumulative_dropout)} values for {t.size} visits"
            )
        p = last_visit_proportions(cumulative_dropout)
    if not residual_var > 0 and np.any(p[2:] > 0):
        raise InputError(_SINGULAR)  # V_k = X_k D X_k' has rank 2 at three visits or more
    per_pattern = pattern_information(t, d, residual_var, check=False)
    info = np.tensordot(p, per_pattern[1:], axes=1)
    return float(np.linalg.inv(info)[1, 1])


def n_total_slope(
    delta: float,
    slope_var: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    allocation: Sequence[float] = (1, 1),
) -> float:
    """Total patients randomised to detect a slope difference (normal approximation).

    ``N = (z_{1-alpha/sides} + z_power)^2 * slope_var * (1/r_p + 1/r_a) / delta^2``, with
    ``r_p, r_a`` the allocation fractions (1:1 gives ``4 (z + z)^2 var / delta^2``).

    Parameters
    ----------
    delta : float
        Difference in mean slope, active minus placebo (points per time).
    slope_var : float
        Per-patient variance of the slope estimate (:func:`slope_variance_per_patient`).
    alpha, power, sides : float, float, int
        Significance level, target power, 1 or 2 sides.
    allocation : (float, float)
        Weights (placebo, active).
    """
    factor = _allocation_factor(allocation)[2]
    if delta * delta == 0.0:  # no effect, or one so small its square underflows: no finite N
        return float(np.inf)
    return z_sum(alpha, power, sides) ** 2 * slope_var * factor / delta**2


def n_total_slope_arms(
    delta: float,
    slope_var_placebo: float,
    slope_var_active: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    allocation: Sequence[float] = (1, 1),
) -> float:
    """Total patients randomised to detect a slope difference when the arms' per-patient
    slope variances differ (an effect that varies between treated patients):
    ``N = (z_{1-alpha/sides} + z_power)^2 (v_p / r_p + v_a / r_a) / delta^2``.

    Parameters as :func:`n_total_slope`, with ``slope_var_placebo`` and
    ``slope_var_active`` in place of the one ``slope_var`` (points^2/month^2).
    """
    r_p = _allocation_factor(allocation)[0]
    if delta * delta == 0.0:  # no effect, or one so small its square underflows: no finite N
        return float(np.inf)
    z = z_sum(alpha, power, sides)
    return z * z * (slope_var_placebo / r_p + slope_var_active / (1.0 - r_p)) / (delta * delta)


def n_per_arm_slope(
    delta: float,
    slope_var: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    allocation: Sequence[float] = (1, 1),
) -> float:
    """Patients per arm: ``2 (z_{1-alpha/sides} + z_power)^2 slope_var / delta^2`` for 1:1.

    For unequal allocation this returns ``n_total_slope(...) / 2`` (the average per arm):
    the placebo arm gets ``2 n r_p``, the active arm ``2 n r_a``. See :func:`n_total_slope`.
    """
    return 0.5 * n_total_slope(
        delta, slope_var, alpha=alpha, power=power, sides=sides, allocation=allocation
    )


def power_slope_arms(
    n_placebo: float,
    n_active: float,
    delta: float,
    slope_var_placebo: float,
    slope_var_active: float | None = None,
    *,
    alpha: float = 0.05,
    sides: int = 2,
    t_df: bool = False,
    favourable_only: bool = False,
) -> float:
    """Power of the test of a slope difference with arm sizes given.

    Parameters
    ----------
    n_placebo, n_active : float
        Patients randomised per arm.
    delta : float
        True difference in mean slope, active minus placebo (positive = benefit).
    slope_var_placebo, slope_var_active : float
        Per-patient slope-estimate variances (active defaults to placebo's).
    alpha, sides : float, int
        Significance level; 1 (rejects for benefit only) or 2 sides.
    t_df : bool
        Use a central t critical value and a noncentral t with ``n_placebo + n_active - 2`` df
        (for information; the sample-size formula is the z approximation).
    favourable_only : bool
        Count only rejections in favour of active (always so with ``sides = 1``).

    Returns
    -------
    float
        Rejection probability. Two-sided power counts both tails, so at ``delta = 0`` it is
        ``alpha``; the sample-size formula ignores the far tail (negligible at 80% power).
    """
    v_a = slope_var_placebo if slope_var_active is None else slope_var_active
    se = np.sqrt(slope_var_placebo / n_placebo + v_a / n_active)
    ncp = delta / se
    two_tails = sides == 2 and not favourable_only
    if t_df:
        from scipy import stats  # on use: slow to import (about 0.5 s), rarely needed

        df = n_placebo + n_active - 2
        crit = stats.t.isf(alpha / sides, df)
        upper = stats.nct.sf(crit, df, ncp)
        lower = stats.nct.cdf(-crit, df, ncp) if two_tails else 0.0
    else:
        # scipy.special's normal, what scipy.stats.norm calls (the same bits), so that
        # `report` does not import scipy.stats for its closed-form reference
        from designs.sequential import normal

        crit = normal.isf(alpha / sides)
        upper = normal.sf(crit - ncp)
        lower = normal.cdf(-crit - ncp) if two_tails else 0.0
    return float(upper + lower)


def power_slope(
    n_per_arm: float,
    delta: float,
    slope_var: float,
    *,
    alpha: float = 0.05,
    sides: int = 2,
    allocation: Sequence[float] = (1, 1),
    t_df: bool = False,
) -> float:
    """Power at ``n_per_arm`` (for unequal allocation: total ``2 n_per_arm`` split by it).

    The inverse of :func:`n_per_arm_slope` (up to the far tail, see
    :func:`power_slope_arms`).
    """
    r_p, r_a, _ = _allocation_factor(allocation)
    n = 2.0 * n_per_arm
    return power_slope_arms(n * r_p, n * r_a, delta, slope_var, alpha=alpha, sides=sides, t_df=t_df)


def detectable_slope_difference(
    n_per_arm: float,
    slope_var: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    allocation: Sequence[float] = (1, 1),
) -> float:
    """Smallest slope difference detected with the given power at ``n_per_arm`` (z approx.)."""
    factor = _allocation_factor(allocation)[2]
    return float(z_sum(alpha, power, sides) * np.sqrt(slope_var * factor / (2.0 * n_per_arm)))


# --------------------------------------------------------------------------- designs


def design_slope_variances(design: TrialDesign) -> tuple[float, float]:
    """Per-patient slope-estimate variances (placebo, active) for a design, points^2/month^2.

    Uses the design's random-effects covariance, residual SD and dropout (with deaths, as
    MCAR; ``informative`` is ignored). The active arm's slope variance adds ``effect.sd^2``.
    Integer rounding and the 0-48 bounds are ignored. Under delta-FS screening the random
    effects are the admitted patients' (``Enrichment.admitted_random_effects``).
    """
    pop, trial = design.population, design.trial
    cum = design.dropout.cumulative_at(trial.visits, include_death=True)
    base_var, cov, slope_var = design.enrichment.admitted_random_effects(pop)
    common = (trial.visits, base_var)
    v_p = slope_variance_per_patient(
        *common, slope_var, cov, pop.residual_sd**2, cumulative_dropout=cum
    )
    if design.effect.sd == 0:
        return v_p, v_p
    v_a = slope_variance_per_patient(
        *common, slope_var + design.effect.sd**2, cov, pop.residual_sd**2, cum
    )
    return v_p, v_a


def design_power(
    design: TrialDesign, *, t_df: bool = False, favourable_only: bool = False
) -> float:
    """Closed-form power of a design's slope comparison under its own assumptions.

    Continuous scores (no rounding, no 0-48 bounds), linear decline, MCAR dropout (the
    design's schedule plus deaths), GLS slope with known variance components, fixed effect
    ``effect.slope_shift(population.slope_mean)``. A reference for ``lmm_slope`` and, on
    complete data, ``ols_slope_ttest``; not for ``ancova_change``.

    Parameters
    ----------
    design : TrialDesign
    t_df : bool
        t reference with ``n_total - 2`` df instead of z.
    favourable_only : bool
        Count only rejections in favour of active (``power_favourable``).

    Raises
    ------
    InputError
        If the effect comes from the posterior (use assurance instead).
    """
    from designs.spec import EffectSource

    if design.effect.source is not EffectSource.FIXED:
        raise InputError(
            f"effect.source = '{design.effect.source.value}': "
            "closed-form power needs a fixed effect"
        )
    v_p, v_a = design_slope_variances(design)
    delta = design.effect.slope_shift(design.population.slope_mean)
    t = design.trial
    return power_slope_arms(
        t.n_placebo,
        t.n_active,
        delta,
        v_p,
        v_a,
        alpha=t.alpha,
        sides=t.sides,
        t_df=t_df,
        favourable_only=favourable_only,
    )


def closed_form_models(design, analysis: str) -> bool:
    """Whether the closed form (:func:`designs.planning.closed_form.design_power`: the GLS
    slope difference of the mixed model, continuous scores, dropout that does not depend on
    the scores) models ``design`` as ``analysis`` tests it: the mixed model of slopes (or the
    OLS slopes' t-test on complete data, where the two coincide) under the frequentist rule,
    a fixed effect acting from month 0, no informative exits, curvature, lead-in or screening
    on a lead-in (a review: it printed 0.804 as "a check" where the simulated power was
    0.383, an effect starting at month 3). Delta-FS screening is modelled: the closed form
    takes the admitted patients' random effects (``Enrichment.admitted_random_effects``).
    The sample-size figure draws the closed form under the same rule (an HTA review: it drew
    it at 182 per arm beside a simulated 495 for an effect from month 3)."""
    e = design.effect
    ols_complete = analysis == "ols_slope_ttest" and not design.loses_patients
    return (
        (analysis in ("lmm_slope", "lmm_slope_kr") or ols_complete)
        and not design.decision.is_posterior
        and e.source.value == "fixed"
        and e.full_within(design.trial.duration_months)
        and not design.dropout.exits_informative
        and design.population.curvature == 0
        and design.trial.lead_in_months == 0
        and not design.enrichment.screens_lead_in
    )
