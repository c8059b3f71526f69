"""Calendar month of each interim look, from the expected information of the slope difference.

Patients enter over ``accrual_months`` at ``trial.accrual_per_month``, after the optional
ramp-up of ``[accrual]`` (:class:`designs.spec.accrual.Accrual`; the accrual the report's
calendar length assumes): uniformly without a ramp, otherwise with the density of the
piecewise-constant rate. A patient who entered at ``e`` has, at
calendar month ``tau``, the scheduled visits with ``e + month <= tau`` that come before its
exit. The expected information about each arm's mean (intercept, slope) at ``tau`` is the
GLS information of the random intercept and slope model,

    M(tau) = n_arm E[ Z_a' V_a^-1 Z_a ],    V_a = Z_a D Z_a' + sigma^2 I,

averaged over entry months and exit patterns (the design's all-cause attrition,
death included, as the placebo arm's nominal schedule: ``dropout.cumulative_at``), where
``Z_a`` holds 1 and the month of the ``a`` visits available. The information about the slope
difference is ``1 / sum over arms of [M_arm(tau)^-1]_22``, as lrstat's
``getDesignSlopeDiffMMRM`` computes it. ``D`` is the covariance of the random intercept and
slope (``population.baseline_sd``, ``slope_sd``, ``baseline_slope_corr``) of the patients
randomised (under delta-FS screening the admitted patients',
``Enrichment.admitted_random_effects``; looks are refused with a lead-in), ``sigma^2`` the
residual variance plus 1/12 points^2 when scores are rounded to integers (the rounding error
of a uniform fraction). The informative part of dropout, ``effect.sd`` and curvature are left
out of this planning calculation; the simulation has them, and the boundaries spend alpha by
the information each simulated trial observes.

For ``ols_slope_ttest`` the information is that of its t-test of equally weighted
per-patient OLS slopes instead (:func:`_ols_information`), which is lower under dropout.

The look at information fraction ``t_k`` is at the month where ``I(tau) / I(final) = t_k``;
the final look (``t = 1``) is at ``accrual_months + last visit``, after the last patient's
last visit. Looks given as calendar months (``interim.look_months``) or as the fraction of
patients past their last scheduled visit (``interim.look_completed``) have the expected
information fractions ``I(tau_k) / I(final)``, by which the boundaries spend alpha.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from designs.errors import InputError
from designs.planning.closed_form import pattern_information
from designs.sequential.boundaries import check_fractions

__all__ = ["LookTimes", "expected_information", "information_curve", "look_times"]

#: Entry months averaged over (midpoints of equal slices of the accrual period).
ENTRY_POINTS = 2000


@dataclass(frozen=True)
class LookTimes:
    """Calendar months of the looks and what is expected at them.

    Attributes
    ----------
    months : ndarray
        Calendar month of each look (from the start of recruitment).
    fractions : ndarray
        Expected information fraction at each look (the design's ``interim.looks``).
    information_max : float
        Expected information of the slope difference at the final look, (points/month)^-2.
    accrual_months : float
        Length of accrual, months.
    n_entered : ndarray
        Expected patients randomised by each look.
    entry_knots : (ndarray, ndarray)
        Expected cumulative accrual: ``fractions[j]`` of the patients by ``months[j]``
        (piecewise linear; entries are drawn from it).
    """

    months: np.ndarray
    fractions: np.ndarray
    information_max: float
    accrual_months: float
    n_entered: np.ndarray
    entry_knots: tuple


def _design_pieces(design):
    pop, t = design.population, design.trial
    visits = t.visits
    # the patients randomised: under delta-FS screening the admitted patients' (an economist's
    # review: the candidates' larger slope variance put the planned maximum information 12%
    # low, each look later in information than planned and the looks' n max 10% too large)
    base_var, cov, slope_var = design.enrichment.admitted_random_effects(pop)
    d = np.array([[base_var, cov], [cov, slope_var]])
    sigma2 = pop.residual_sd**2 + (1.0 / 12.0 if pop.integer_scores else 0.0)
    info = pattern_information(visits, d, sigma2)
    observed = 1.0 - design.dropout.cumulative_at(visits, include_death=True)
    # P(exactly m visits before exit), m = 1..V (visit 0 is always observed)
    p_m = observed - np.append(observed[1:], 0.0)
    p_m[0] = 1.0 - observed[1] if visits.size > 1 else 1.0
    return visits, info, p_m


def entry_knots(design) -> tuple[np.ndarray, np.ndarray]:
    """The expected cumulative accrual as (fractions, months) knots (``[accrual]``)."""
    return design.accrual.knots(design.trial.n_total, design.trial.accrual_per_month)


def _entry_points(design) -> np.ndarray:
    """Entry months averaged over: the accrual distribution at equal probability slices."""
    fractions, months = entry_knots(design)
    return np.interp((np.arange(ENTRY_POINTS) + 0.5) / ENTRY_POINTS, fractions, months)


def _sxx(visits) -> np.ndarray:
    """``sum (t - mean t)^2`` of the first ``a`` visit months, a = 0 .. V (months^2)."""
    out = np.zeros(visits.size + 1)
    for a in range(2, visits.size + 1):
        out[a] = np.sum((visits[:a] - visits[:a].mean()) ** 2)
    return out


def _ols_information(design, avail, weight) -> float:
    """Expected information of the ``ols_slope_ttest`` difference in mean slopes.

    A patient with ``a >= 2`` visits has an OLS slope of variance ``slope_sd^2 + sigma^2 /
    Sxx(a)`` (``slope_sd`` the admitted patients' under delta-FS screening); the pooled
    t-test's squared SE is about the mean of these variances over the patients with >= 2
    visits times ``1 / n0' + 1 / n1'`` (``n'``: patients with >= 2 visits by then), so its
    information is the inverse of that.
    """
    pop, t = design.population, design.trial
    sigma2 = pop.residual_sd**2 + (1.0 / 12.0 if pop.integer_scores else 0.0)
    sxx = _sxx(t.visits)
    used = avail >= 2
    q = float(np.sum(weight * used))  # fraction of a randomised arm with a slope
    if q <= 0.0:
        return 0.0
    slope_var = design.enrichment.admitted_random_effects(pop)[2]  # as _design_pieces
    var_b = slope_var + sigma2 / np.where(used, sxx[avail], 1.0)
    vbar = float(np.sum(weight * used * var_b)) / q
    return 1.0 / (vbar * (1.0 / (q * t.n_placebo) + 1.0 / (q * t.n_active)))


def information_curve(design):
    """The expected information of the slope difference as a function of one calendar month
    (points/month)^-2, as :func:`expected_information`: what does not depend on the month
    (the visit patterns' information, the exit pattern and entry weights) computed once,
    for the root finder of :func:`look_times`, which evaluates it a dozen times per look
    (the same operations per month, so the same numbers)."""
    visits, info, p_m = _design_pieces(design)
    t = design.trial
    ols = str(t.analysis) == "ols_slope_ttest"
    entries = _entry_points(design)
    m = np.arange(1, visits.size + 1)
    weight = np.broadcast_to(p_m, (entries.size, visits.size)) / ENTRY_POINTS
    arms = 1.0 / t.n_placebo + 1.0 / t.n_active

    def at(tau: float):
        reached = np.searchsorted(visits, tau - entries, side="right")  # visits by tau
        avail = np.minimum(reached[:, None], m[None, :])  # (entry, exit pattern)
        if ols:
            return _ols_information(design, avail, weight)
        # np.take: the values of info[avail], copied about 12 times faster
        per_patient = np.einsum("em,emij->ij", weight, np.take(info, avail, axis=0))
        if np.linalg.det(per_patient) <= 1e-300:
            return 0.0
        var_slope = np.linalg.inv(per_patient)[1, 1]
        return 1.0 / (var_slope * arms)

    return at


def expected_information(design, months) -> np.ndarray:
    """Expected information of the slope difference at calendar ``months``, (points/month)^-2.

    GLS information of the random intercept and slope model for ``lmm_slope``; for
    ``ols_slope_ttest`` the information of its difference in mean per-patient OLS slopes
    (equal weights, patients with >= 2 visits), which is lower.
    """
    return _at_months(information_curve(design), months)


def _at_months(information, months) -> np.ndarray:
    """``information`` (:func:`information_curve`) at each of ``months``."""
    return np.asarray([information(tau) for tau in np.atleast_1d(np.asarray(months, dtype=float))])


def _fractions_at(design, information, months, final, i_max) -> np.ndarray:
    """Expected information fractions at looks given in calendar months (the last final);
    ``information``: the design's :func:`information_curve`."""
    way = f"interim.{design.interim.looks_as}"
    shown = ", ".join(f"{m:.4g}" for m in months)
    if months[-1] < final - 1e-9:
        raise InputError(
            f"{way}: the last look (month {months[-1]:.4g}) is before the last patient's last "
            f"visit (month {final:.4g}); the last look is the final analysis"
        )
    if months.size > 1 and months[-2] >= final - 1e-9:
        raise InputError(
            f"{way}: interim looks at months {shown}: only the last may be at or after the "
            f"last patient's last visit (month {final:.4g})"
        )
    fractions = np.append(_at_months(information, months[:-1]) / i_max, 1.0)
    if not fractions[0] > 1e-6:
        raise InputError(
            f"{way}: the first look (month {months[0]:.4g}) has no information about the "
            "slope yet (no patient has 2 visits); look later"
        )
    check_fractions(fractions, f"{way} (as information fractions)")
    return fractions


def look_times(design) -> LookTimes:
    """The calendar month and expected information fraction of each look of
    ``design.interim``: given as information fractions (``looks``), calendar months
    (``look_months``) or the fraction of patients past their last scheduled visit
    (``look_completed``: at month ``F^-1(c) + last visit``, ``F`` the expected cumulative
    accrual).

    Remembered per design (the designs are frozen, equal when every field is): a power
    calculation asks for the same design's looks up to five times and a sample-size search
    for each size it tries, and each answer takes about a dozen evaluations of the expected
    information per look. The arrays returned are read-only, as they are shared."""
    return _look_times(design)


@lru_cache(maxsize=64)
def _look_times(design) -> LookTimes:
    from scipy.optimize import brentq  # on use: slow to import

    interim = design.interim
    visits = design.trial.visits
    knot_fractions, knot_months = entry_knots(design)
    accrual = float(knot_months[-1])
    final = accrual + visits[-1]
    information = information_curve(design)
    i_max = float(information(final))
    if not i_max > 0:
        raise InputError(
            f"interim.{interim.looks_as or 'looks'}: the design has no information about the slope"
        )
    if interim.looks_as == "look_months":
        months = np.asarray(interim.look_months, dtype=float)
        fractions = _fractions_at(design, information, months, final, i_max)
    elif interim.looks_as == "look_completed":
        completed = np.asarray(interim.look_completed, dtype=float)
        months = np.interp(completed, knot_fractions, knot_months) + visits[-1]
        months[-1] = final
        fractions = _fractions_at(design, information, months, final, i_max)
    else:
        fractions = np.asarray(interim.looks, dtype=float)
        months = np.empty(fractions.size)
        for k, frac in enumerate(fractions):
            if frac >= 1.0:
                months[k] = final
                continue
            months[k] = brentq(
                lambda tau, frac=frac: information(tau) / i_max - frac,
                0.0,
                final,
                xtol=1e-6,
            )
    n_entered = design.trial.n_total * np.interp(months, knot_months, knot_fractions)
    shared = [
        np.array(x, dtype=float)  # copies: never the design's own arrays
        for x in (months, fractions, n_entered, knot_fractions, knot_months)
    ]
    for x in shared:
        x.flags.writeable = False
    months, fractions, n_entered, knot_fractions, knot_months = shared
    return LookTimes(months, fractions, i_max, accrual, n_entered, (knot_fractions, knot_months))
