"""Where the 0-48 ALSFRS-R scale's bounds meet a design's patients, in closed form: each
arm's share of true lines (or measured scores) beyond the floor (0 points) or the ceiling
(48 points) at the first and the last visit, and the mean difference between the arms at
the last visit when scores stop at 0 and 48. Pure functions of a design, for the outputs'
notes and the refusals of the planning steps."""

from __future__ import annotations

import math


def floor_share(design, noise: bool = False) -> float:
    """The share of placebo patients whose true line (baseline + slope x month, bivariate
    normal) is at or below 0 points at the last visit, in closed form: ``Phi(-m / s)`` with
    ``m`` and ``s^2`` the mean and variance of ``a + b T``, among the patients randomised
    (delta-FS screening's admitted patients; the candidates under lead-in screening).
    Exits and rounding are left aside, and measurement noise unless ``noise``: then the
    share of scores measured below -0.5 points, which round below 0 and are clipped to it
    (the residual variance added to ``s^2``)."""
    bound = -0.5 if noise else 0.0
    return share_beyond(design, design.trial.duration_months, bound, noise, above=False)


def share_beyond(
    design, month: float, bound: float, noise: bool, *, above: bool, active: bool = False
) -> float:
    """P(a + b month (+ e with ``noise``) > ``bound``) (``above``) or <= it, for the placebo
    patients randomised (:func:`floor_share`'s population), in closed form; with ``active``
    for the active arm at the last visit (``month`` its month): the mean higher by the
    points the effect keeps by then and the variance larger by its spread (a heterogeneity
    review: at effect.sd 1, 18% of the active arm's true lines were above 48 by month 12, and
    the notes gave the placebo arm's 0.3%)."""
    from scipy.special import ndtr  # at first use: command start (issue 19)

    baseline_mean, slope_mean = admitted_means(design)
    var_a, cov, var_b = design.enrichment.admitted_random_effects(design.population)
    mean = baseline_mean + slope_mean * month
    var = max(var_a + 2.0 * month * cov + month**2 * var_b, 0.0)
    if active:
        points, spread = _effect_at_last_visit(design)
        mean, var = mean + points, var + spread**2
    sd = math.sqrt(var + (design.population.residual_sd**2 if noise else 0.0))
    if sd == 0.0:
        return float(mean > bound) if above else float(mean <= bound)
    z = (mean - bound) / sd
    return float(ndtr(z)) if above else float(ndtr(-z))


def admitted_means(design) -> tuple[float, float]:
    """Mean baseline (points) and natural slope (points/month) of the patients randomised:
    under delta-FS screening the admitted patients' (the baseline through its correlation
    with the slope), else the population's."""
    p = design.population
    slope = design.enrichment.admitted_slope(p)
    if slope is None or p.slope_sd == 0:  # nothing selected on the slope (no division by 0)
        return p.baseline_mean, p.slope_mean if slope is None else slope[0]
    z_mean = (slope[0] - p.slope_mean) / p.slope_sd
    return p.baseline_mean + p.baseline_slope_corr * p.baseline_sd * z_mean, slope[0]


def bounded_share(design, noise: bool = False) -> float:
    """The largest share of :func:`bounds_met` (which arm and visit: there)."""
    return bounds_met(design, noise)[0][0]


def bounds_met(design, noise: bool = False) -> list[tuple[float, str, str, str]]:
    """``(share, arm, bound, visit)`` of the patients whose true line is beyond a bound of the
    scale, largest first: the placebo arm at the floor (0) by the last visit
    (:func:`floor_share`) and above the ceiling (48 points) at the first visit (month 0, or
    the lead-in's first: a diff review found 4.3% of a lead-in design's scores clipped at
    month -3 said as month 0's 1.2%), and the active arm at both bounds by the last visit
    (its effect and its spread). With ``noise`` the shares of their scores clipped there:
    measured beyond the bound by more than half a point, so that they round past it
    (measurement noise added; a diff review: 1.2% "clipped" where 0.8% are)."""
    first, last = 0.0 - design.trial.lead_in_months, design.trial.duration_months
    top, bottom = (48.5, -0.5) if noise else (48.0, 0.0)
    at_first = f"at month {first:g}, the first visit"
    at_last = f"at month {last:g}, the last visit"
    found = [
        (floor_share(design, noise), "placebo", "0", at_last),
        (share_beyond(design, first, top, noise, above=True), "placebo", "48", at_first),
        (share_beyond(design, last, top, noise, above=True, active=True), "active", "48", at_last),
        (
            share_beyond(design, last, bottom, noise, above=False, active=True),
            "active",
            "0",
            at_last,
        ),
    ]
    return sorted(found, key=lambda x: -x[0])


def _effect_at_last_visit(design) -> tuple[float, float]:
    """The points a fixed effect keeps by the last visit (its mean, time course included)
    and their SD between treated patients: ``effect.sd`` times the months of full effect by
    then (a diff review: at an effect of 0 the whole follow-up's months were taken, 14.5%
    past 48 said where an effect from month 6 put 4.0% there). An effect drawn from the
    posterior has no one mean here (0 is taken) but keeps its spread."""
    from designs.simulation.inputs import simulation_inputs

    inputs = simulation_inputs(design)
    months = float(inputs.effect_course[-1])  # of full effect by the last visit
    spread = design.effect.sd * months
    if design.effect.source.value != "fixed":
        return 0.0, spread
    return float(inputs.true_effect("ancova_change")), spread


def bounded_points(design, points: float) -> float:
    """The mean difference between the arms' scores at the last visit (points, active minus
    placebo) when scores stop at 0 and 48, in closed form: each arm's measured score at month
    ``T`` is normal (baseline + slope x T + noise, among the patients randomised as
    :func:`floor_share` takes them; the active arm's mean ``points`` higher and its variance
    larger by the effect's spread), and ``E[clip(X, 0, 48)] = m + E[(0 - X)+] - E[(X - 48)+]``
    with ``E[(c - X)+] = (c - m) Phi((c - m) / s) + s phi((c - m) / s)``. Exits and
    rounding are left aside; with continuous scores (not bounded) ``points`` itself."""
    if not design.population.integer_scores:
        return points
    month = design.trial.duration_months
    baseline_mean, slope_mean = admitted_means(design)
    var_a, cov, var_b = design.enrichment.admitted_random_effects(design.population)
    var = max(var_a + 2.0 * month * cov + month**2 * var_b, 0.0)
    var += design.population.residual_sd**2
    # the spread of the benefit in points by month T: as the mean's (time course included)
    var_active = var + _effect_at_last_visit(design)[1] ** 2
    placebo = baseline_mean + slope_mean * month
    return clipped_mean(placebo + points, math.sqrt(var_active)) - clipped_mean(
        placebo, math.sqrt(var)
    )


def clipped_mean(mean: float, sd: float, low: float = 0.0, high: float = 48.0) -> float:
    """``E[min(max(X, low), high)]`` for ``X ~ N(mean, sd^2)`` (points)."""
    from scipy.special import ndtr

    if sd == 0.0:
        return min(max(mean, low), high)

    def density(z: float) -> float:
        return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    z_low, z_high = (low - mean) / sd, (high - mean) / sd
    below = (low - mean) * float(ndtr(z_low)) + sd * density(z_low)
    above = (mean - high) * float(ndtr(-z_high)) + sd * density(z_high)
    return mean + below - above
