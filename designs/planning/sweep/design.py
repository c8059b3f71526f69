"""One grid cell as a design: patients, effect, trial length (visits retimed), dropout."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from designs.planning.sweep.interim import INTERIM_DIMS
from designs.spec.attrition_schedule import retime_cumulative


def retime_visits(visits: Sequence[float], duration_months: float) -> np.ndarray:
    """Visits for a trial of ``duration_months``, keeping the design's spacing.

    The design's visits up to the new length are kept; beyond its last visit, visits continue
    at the last interval's spacing; the last visit is at ``duration_months`` exactly.

    Parameters
    ----------
    visits : sequence of float
        The design's visit months (start at 0, strictly increasing).
    duration_months : float
        New trial length, months (> 0).

    Returns
    -------
    float64[V]
        The new visit months, from 0 to ``duration_months``.
    """
    v = np.asarray(visits, dtype=float)
    step = v[-1] - v[-2]
    kept = list(v[v < duration_months - 1e-9])
    t = kept[-1]
    while t + step < duration_months - 1e-9:
        t = float(np.round(t + step, 10))
        if t > v[-1]:
            kept.append(t)
    kept.append(float(duration_months))
    return np.asarray(kept, dtype=float)


def hazard_for_gone_by_12(gone: float) -> float:
    """The constant MCAR hazard, per month, with the fraction ``gone`` lost by month 12;
    NaN for a fraction outside [0, 1), which the design then refuses with its message."""
    if not (math.isfinite(gone) and 0 <= gone < 1):
        return math.nan
    return -math.log1p(-gone) / 12.0


def cell_design(design, cell: Mapping[str, float]):
    """The design of one sweep cell.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        The base design.
    cell : Mapping
        Values for some of ``n_per_arm`` / ``n_total`` (patients), ``effect`` (design units),
        ``duration_months`` (months), ``dropout_12m`` (dropout by month 12 were no one
        to die: hazard ``-ln(1 - value) / 12``; deaths compete), ``dropout_informative``
        (log-hazard per point/month; 0 = MCAR), ``slope_sd`` (between-patient SD of the
        natural slope, points/month: ``population.slope_sd``),
        ``prior_weight`` (weight of the phase 2 posterior in the robust prior, in [0, 1]),
        ``looks``, ``spending`` and ``information`` (labels:
        :mod:`designs.planning.sweep.interim`).
    """
    over: dict = {}
    if "n_per_arm" in cell:
        over["trial.n_per_arm"] = int(cell["n_per_arm"])
    if "n_total" in cell:
        over["trial.n_total"] = int(cell["n_total"])
    if "effect" in cell:
        over["effect.value"] = float(cell["effect"])
    if "duration_months" in cell:
        old = design.trial.visits
        new = retime_visits(old, float(cell["duration_months"]))
        over["trial.visits_months"] = [float(x) for x in new]
        if design.dropout.cumulative and "dropout_12m" not in cell:
            over["dropout.cumulative"] = retime_cumulative(design.dropout, old, new)
    if "dropout_12m" in cell:
        over["dropout.monthly_hazard"] = hazard_for_gone_by_12(float(cell["dropout_12m"]))
    if "dropout_informative" in cell:
        over["dropout.informative"] = float(cell["dropout_informative"])
    if "slope_sd" in cell:
        over["population.slope_sd"] = float(cell["slope_sd"])
    if "prior_weight" in cell:
        over["decision.prior_weight"] = float(cell["prior_weight"])
    if any(dim in cell for dim in INTERIM_DIMS):
        from designs.planning.sweep.interim import interim_cell_overrides

        over.update(interim_cell_overrides(cell))
        dec = design.decision
        if over.get("interim.looks") == [] and (dec.thresholds or dec.futility_predictive > 0):
            # the fixed plan of a posterior-rule sweep: one analysis, at the final threshold
            over["decision.thresholds"] = []
            over["decision.futility_predictive"] = 0.0
            if dec.thresholds:
                over["decision.threshold"] = float(dec.thresholds[-1])
    return design.with_overrides(over) if over else design
