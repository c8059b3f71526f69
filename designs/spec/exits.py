"""Informative exits: the factor that keeps the nominal exit rate, and who is gone by the end.

A patient with true slope ``s = slope_mean + slope_sd z`` (points/month) leaves at a hazard
``c h(t) exp(beta (slope_mean - s))``: ``beta`` is ``dropout.informative`` (or
``death_informative`` for death), ``h`` the nominal hazard and ``c`` the factor of
:func:`informative_scale`, which keeps the marginal fraction gone by the last visit at its
nominal value, so only who leaves changes, not how many. :func:`gone_by_last_visit` gives the
fraction gone for any cause when both exits depend on the slope (then they are not independent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designs.errors import InputError

_HERMITE_X, _HERMITE_W = np.polynomial.hermite_e.hermegauss(80)
_HERMITE_W = _HERMITE_W / _HERMITE_W.sum()
#: Largest ``|beta slope_sd|`` for which Gauss-Hermite quadrature over the patient's slope
#: serves :func:`informative_scale` (80 nodes: within 3e-10 of adaptive quadrature up to
#: 1.5, but 4.5e-7 at 2, 1e-3 at 3.75 and 38% at 15: the integrand becomes a step in the
#: slope). Beyond it the integral is taken over the exit time instead (smooth there).
HERMITE_SPREAD_MAX = 1.5
#: Nodes and weights over ``t = log E``, ``E`` a unit exponential (density
#: ``exp(t - e^t)``): the trapezoid rule with step 0.1 on [-40, 5], whose error for this
#: entire, quickly decaying integrand is far below 1e-15.
_LOG_EXP_T = np.arange(-40.0, 5.0 + 1e-9, 0.1)
_LOG_EXP_W = 0.1 * np.exp(_LOG_EXP_T - np.exp(_LOG_EXP_T))


def informative_scale(
    beta: float,
    slope_sd: float,
    cum_hazard_last: float,
    admitted=None,
    field: str = "dropout.informative or dropout.death_informative",
) -> float:
    """Factor on the base hazard that keeps the placebo arm's marginal exit rate nominal.

    A placebo patient with slope ``s = slope_mean + slope_sd z`` has cumulative hazard
    ``c H exp(beta (slope_mean - s)) = c H exp(-beta slope_sd z)`` by the last visit. This
    returns the ``c`` for which ``E_z[1 - exp(-c H exp(-beta slope_sd z))] = 1 - exp(-H)``
    (Gauss-Hermite quadrature over ``z`` while ``|beta slope_sd|`` is at most
    :data:`HERMITE_SPREAD_MAX`, beyond it an integral over the exit time), so only who leaves
    changes, not how many.

    Parameters
    ----------
    beta : float
        Log-hazard per point/month of decline faster than the mean.
    slope_sd : float
        SD of true slopes, points/month.
    cum_hazard_last : float
        Nominal cumulative hazard by the last visit (``-log(1 - fraction gone)``).
    admitted : Admitted, optional
        Under screening on the slope (delta-FS), the admitted patients' slope-score density
        (:func:`admitted_weights`): the rate is then kept among the
        patients randomised (a review: calibrated on the candidates, 26.4% instead of 33.3%
        dropped out of an enriched placebo arm).
    field : str
        The design field that gave ``beta``, named when no factor exists.
    """
    if beta == 0.0 or slope_sd == 0.0 or not np.isfinite(cum_hazard_last):
        return 1.0
    if cum_hazard_last <= 0.0:
        return 1.0
    from scipy.optimize import brentq

    target = -np.expm1(-cum_hazard_last)
    b = abs(beta * slope_sd)
    if admitted is not None and (b > HERMITE_SPREAD_MAX or admitted.hermite is None):
        return _scale_on_grid(beta * slope_sd, cum_hazard_last, target, admitted.grid)
    weights = _HERMITE_W if admitted is None else admitted.hermite
    if b <= HERMITE_SPREAD_MAX:
        spread = np.exp(-beta * slope_sd * _HERMITE_X)

        def gap(log_c: float) -> float:
            return float(weights @ -np.expm1(-np.exp(log_c) * cum_hazard_last * spread)) - target

    else:
        # A patient is gone iff E < c H exp(-b z) with E a unit exponential, i.e. iff
        # z < (log(c H) - log E) / b: P(gone) = E_E[Phi((log(c H) - log E) / b)], smooth in
        # log E once b is large (the step in z is at most 1 / b wide)
        from scipy.special import ndtr

        log_h = math.log(cum_hazard_last)

        def gap(log_c: float) -> float:
            return float(_LOG_EXP_W @ ndtr((log_c + log_h - _LOG_EXP_T) / b)) - target

        # bracket around log c ~ b Phi^-1(target) - log H, the root where the exit-time spread
        # dominates (b up to 200 with the spec's bounds: far outside [-60, 60])
        from scipy.special import ndtri

        mid = b * float(ndtri(target)) - log_h
        low, high = mid - 60.0, mid + 60.0
        for _ in range(BRACKET_STEPS):  # bounded: a bad-input review's design hung here
            if gap(low) <= 0.0:
                break
            low -= 60.0
        for _ in range(BRACKET_STEPS):
            if gap(high) >= 0.0:
                break
            high += 60.0
        bracketed = gap(low) <= 0.0 <= gap(high) and high < 709.0
        scale = math.exp(brentq(gap, low, high, xtol=1e-13)) if bracketed else math.inf
        if not 0.0 < scale < math.inf:
            raise _no_scale(field, beta, slope_sd, cum_hazard_last)
        return scale
    if not gap(-60.0) <= 0.0 <= gap(60.0):
        raise _no_scale(field, beta, slope_sd, cum_hazard_last)
    return float(np.exp(brentq(gap, -60.0, 60.0, xtol=1e-13)))


#: Steps of 60 (log scale) by which the bracket of the non-Hermite root is widened at most.
BRACKET_STEPS = 20


def _no_scale(field: str, beta: float, slope_sd: float, cum_hazard_last: float) -> InputError:
    """The refusal when no factor keeps the nominal exit rate: out of floating-point range,
    or (a bad-input review: death_monthly_hazard 3 with death_informative 5 hung) nearly every
    patient gone by the last visit, leaving none whose decline could decide who leaves."""
    which = f"{field} = {beta:g}"
    if -math.expm1(-cum_hazard_last) > 1.0 - 1e-9:
        return InputError(
            f"{which}: with a cumulative exit hazard of {cum_hazard_last:.3g} by the last visit "
            "all but a billionth of the patients are gone, so who leaves cannot depend on "
            f"decline; give a smaller monthly hazard, or {field} = 0"
        )
    return InputError(
        f"{which} with slope SD {slope_sd:g} points/month: the factor that keeps the nominal "
        "exit rate is out of floating-point range; give a smaller |informative| (within 20 / "
        "slope SD)"
    )


#: Grid over the standard-normal slope score ``z`` for :func:`gone_by_last_visit` (Simpson's
#: rule on [-12, 12], step 1/1000: the survival is a step in ``z`` at most 1/200 wide at the
#: spec's largest ``|beta slope_sd|``, resolved to well under 1e-6 of the fraction).
_Z_GRID = np.linspace(-12.0, 12.0, 24_001)


def _simpson(x: np.ndarray) -> np.ndarray:
    """Simpson's rule weights on the evenly spaced grid ``x`` (an odd number of points)."""
    w = np.full(x.size, 2.0)
    w[1::2] = 4.0
    w[0] = w[-1] = 1.0
    return w * ((x[1] - x[0]) / 3.0)


def exit_admitted(design) -> Admitted | None:
    """The admitted patients' slope density the exits' calibration needs: only with
    informative exits and screening on the slope in closed form (else None: no grid work on
    every design read). The design's gone fractions and the engine's inputs use it."""
    d, enrichment = design.dropout, getattr(design, "enrichment", None)
    if enrichment is None or not (d.informative or d.death_informative):
        return None
    return admitted_weights(enrichment, design.population)


def slope_density(admitted=None) -> np.ndarray:
    """Simpson weights on :data:`_Z_GRID` of the slope score's density, summing to 1: the
    standard normal's or, with ``admitted`` (the chance a candidate of natural score ``z``
    is admitted, a function), ``phi(z) admitted(z)`` normalised."""
    weights = _simpson(_Z_GRID) * np.exp(-0.5 * _Z_GRID**2)  # normalised below
    if admitted is not None:
        weights = weights * admitted(_Z_GRID)
    return weights / weights.sum()


@dataclass(frozen=True)
class Admitted:
    """The admitted patients' slope-score density under screening on the slope: Simpson
    weights on :data:`_Z_GRID` (``grid``, :func:`slope_density`) and Gauss-Hermite weights
    at its nodes (``hermite``, for a smooth chance of admission), each summing to 1."""

    grid: np.ndarray
    hermite: np.ndarray | None  # None where the chance is too steep for 80 nodes


def admitted_weights(enrichment, population) -> Admitted | None:
    """The admitted patients' slope-score density where screening selects on the slope in
    closed form (delta-FS), else None; computed once per design."""
    chance = enrichment.admitted_chance(population)
    if chance is None:
        return None
    rho = population.delta_fs_slope_corr
    steep = abs(rho) > 0.9  # the chance turns from 0 to 1 within about 1 / 2 of z: the grid
    hermite = None if steep else _HERMITE_W * chance(_HERMITE_X)
    return Admitted(slope_density(chance), None if steep else hermite / hermite.sum())


def _scale_on_grid(spread: float, cum_hazard_last: float, target: float, weights) -> float:
    """:func:`informative_scale` over the slope score's density ``weights`` on the grid."""
    from scipy.optimize import brentq

    log_h = math.log(cum_hazard_last)

    def gap(log_c: float) -> float:
        log_hazard = np.minimum(log_c + log_h - spread * _Z_GRID, 700.0)
        return float(weights @ -np.expm1(-np.exp(log_hazard))) - target

    low, high = -60.0, 60.0
    while gap(low) > 0.0 and low > -1e4:
        low -= 60.0
    while gap(high) < 0.0 and high < 709.0:
        high += 60.0
    if not (gap(low) <= 0.0 <= gap(high)) or high >= 709.0:
        raise InputError(
            f"dropout.informative or dropout.death_informative: the factor that keeps the "
            f"nominal exit rate among the patients admitted is out of floating-point range "
            f"(log-hazard spread {spread:g}); give a smaller |informative|"
        )
    return math.exp(brentq(gap, low, high, xtol=1e-13))


def gone_by_last_visit(
    dropout,
    slope_sd: float,
    visits,
    shift: float = 0.0,
    effect_sd: float = 0.0,
    admitted=None,
) -> float:
    """Fraction of patients gone (dropout or death) by the last visit: the placebo arm's, or
    with ``shift``/``effect_sd`` the active arm's.

    Each exit alone keeps its nominal fraction in the placebo arm (:func:`informative_scale`).
    When both depend on the slope they are not independent, so the fraction gone for any
    cause is ``1 - E_z[S_dropout(z) S_death(z)]``: below the ``1 - (1 - dropout)(1 - death)``
    of independent exits when both betas have the same sign (fast decliners tend to do both),
    above it when they have opposite signs. In the active arm an informative exit also moves
    with the treatment: a patient's hazard is ``c h exp(-beta (shift + slope_sd z))`` with
    ``z`` of SD ``sqrt(slope_sd^2 + effect_sd^2) / slope_sd``, so a slower decline means
    fewer exits when ``beta > 0``. With no exit depending on the slope (or, in the placebo
    arm, only one) the independent formula holds and is returned.

    Parameters
    ----------
    dropout : designs.spec.Dropout
    slope_sd : float
        SD of true slopes, points/month.
    visits : array_like of float
        The trial's visit months (first at randomisation).
    shift : float
        The active arm's mean change of slope, points/month (0: the placebo arm).
    effect_sd : float
        SD of the treatment effect between active patients, points/month.
    admitted : Admitted, optional
        Under screening on the slope, the admitted patients' slope-score density
        (:func:`admitted_weights`, as :func:`informative_scale`).

    Returns
    -------
    float
        Fraction gone by the last visit, in [0, 1].
    """
    t = np.asarray(visits, dtype=float)
    independent = float(dropout.cumulative_at(t, include_death=True)[-1])
    h_dropout = -math.log1p(-float(dropout.cumulative_at(t)[-1])) if independent < 1 else 0.0
    h_death = dropout.death_monthly_hazard * float(t[-1] - t[0])
    causes = (
        (dropout.informative, h_dropout, "dropout.informative"),
        (dropout.death_informative, h_death, "dropout.death_informative"),
    )
    exits = [(beta, h, field) for beta, h, field in causes if h > 0.0]
    treated = shift != 0.0 or effect_sd != 0.0
    informative = [beta for beta, _, _ in exits if beta != 0.0]
    if treated:
        if not informative:
            return independent
    elif not (len(informative) == 2 and slope_sd > 0.0):
        return independent
    scales = [informative_scale(beta, slope_sd, h, admitted, f) for beta, h, f in exits]
    log_c_h = np.array([math.log(c * h) for (_, h, _), c in zip(exits, scales, strict=True)])
    betas = np.array([beta for beta, _, _ in exits])

    def survival(deviation):
        """Survival to the last visit at slope deviations from the placebo mean (array)."""
        log_hazard = log_c_h[:, None] - betas[:, None] * np.asarray(deviation)[None, :]
        total = np.logaddexp.reduce(log_hazard, axis=0)
        return np.exp(-np.exp(np.minimum(total, 700.0)))

    if admitted is None or slope_sd == 0.0:
        # unscreened: the slope deviation is normal, mean shift, SD sqrt(slope_sd^2 +
        # effect_sd^2) (a review: a grid in slope_sd units cut off a wide effect spread)
        spread = math.hypot(slope_sd, effect_sd)
        if spread == 0.0:
            return float(1.0 - survival(np.array([shift]))[0])
        return float(1.0 - slope_density() @ survival(shift + spread * _Z_GRID))
    # screened: the natural deviation slope_sd z (admitted density), plus the treatment's own
    # effect_sd z' (standard normal, outer Simpson grid on [-8, 8])
    natural = shift + slope_sd * _Z_GRID
    if effect_sd == 0.0:
        return float(1.0 - admitted.grid @ survival(natural))
    outer = np.linspace(-8.0, 8.0, 321)
    w = _simpson(outer) * np.exp(-0.5 * outer**2)
    w /= w.sum()
    kept = np.array([admitted.grid @ survival(natural + effect_sd * x) for x in outer])
    return float(1.0 - w @ kept)


def gone_text(design) -> str:
    """'36.4% gone by month 12', or by arm when informative exits make the arms differ
    ('45.2% of placebo and 38.3% of active patients gone by month 12'); under lead-in
    screening the candidates' (no closed form of who is admitted)."""
    placebo = design.gone_by_last_visit
    month = f"month {design.trial.duration_months:g}"
    d = design.dropout
    if not (d.informative or d.death_informative):
        return f"{100 * placebo:.1f}% gone by {month}"
    if design.enrichment.screens_lead_in:
        return (
            f"{100 * placebo:.1f}% of the candidates gone by {month} (informative exits "
            "are calibrated on the candidates screened: among those admitted by their "
            "lead-in loss the fraction differs)"
        )
    active = design.active_gone_by_last_visit
    if active is None:
        return (
            f"{100 * placebo:.1f}% of placebo patients gone by {month} (the active arm's "
            "moves with the effect)"
        )
    if f"{100 * active:.1f}" == f"{100 * placebo:.1f}":
        return f"{100 * placebo:.1f}% gone by {month}"
    return (
        f"{100 * placebo:.1f}% of placebo and {100 * active:.1f}% of active patients gone "
        f"by {month}"
    )
