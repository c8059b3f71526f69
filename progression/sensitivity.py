"""Prior sensitivity of the phase 2 posterior: refits under other priors, and how much the
data narrowed each prior.

With five patients and a 3-month lead-in, some priors pass almost unchanged into the
posterior (the between-patient SD of the change of slope above all), and ``P(delta > 0)``
moves with them; :func:`prior_learning` shows which, :func:`prior_sensitivity` by how much.
"""

from __future__ import annotations

import functools

import pandas as pd
import xarray as xr

from progression.model import POPULATION_PARAMS
from progression.program import program_name


def fit_priors(idata):
    """The priors a posterior was fitted with (stored in its file), or the defaults for a
    file without them."""
    from progression.priors import DEFAULT_PRIORS, Priors

    text = idata.attrs.get("priors")
    return Priors.from_json(text) if text else DEFAULT_PRIORS


def prior_learning(idata: xr.DataTree) -> pd.DataFrame:
    """How much the data narrowed each population parameter's prior.

    Returns
    -------
    pandas.DataFrame
        Index: parameter; ``prior_sd`` (analytic, from the priors stored in the posterior
        file), ``posterior_sd`` and ``sd_ratio`` (posterior / prior; near 1 = the data hardly
        narrowed the prior), and ``prior_mean``, ``posterior_mean`` and ``shift`` (the move of
        the mean in prior SDs: a posterior as wide as its prior may still have moved, as
        ``slope_change_sd`` does, by 0.66 prior SDs, an independent refit's review).
    """
    from progression.priors import prior_mean, prior_sd

    priors = fit_priors(idata)
    post = idata["posterior"].to_dataset()
    rows = {}
    for v in POPULATION_PARAMS:
        p_sd, q_sd = prior_sd(priors, v), float(post[v].values.std(ddof=1))
        p_mean, q_mean = prior_mean(priors, v), float(post[v].values.mean())
        rows[v] = {
            "prior_sd": p_sd,
            "posterior_sd": q_sd,
            "sd_ratio": q_sd / p_sd,
            "prior_mean": p_mean,
            "posterior_mean": q_mean,
            "shift": (q_mean - p_mean) / p_sd,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


NOT_LEARNED_RATIO = 0.9  # posterior SD above 90% of the prior SD: "hardly narrowed"


def prior_sensitivity(
    data=None,
    settings: dict[str, dict[str, dict[str, float]]] | None = None,
    base_priors=None,
    draws: int = 1000,
    chains: int = 2,
    tune: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Posterior of ``delta`` when its own prior, the pre-dose slope prior or the prior on the
    between-patient SD of the change of slope moves.

    Each setting is a full refit (no importance reweighting: with five patients the posterior
    can move far from the default one).

    Parameters
    ----------
    data : Phase2Data, optional
        Default: the bundled illustrative set.
    settings : dict, optional
        ``{group label: {setting label: {Priors field: value}}}``. Default: the delta-prior
        scales of :data:`progression.priors.DELTA_SD_SETTINGS`, the pre-dose slope priors
        of :data:`progression.priors.PRE_SLOPE_SETTINGS` and the scales of the
        between-patient SD of the change of slope of
        :data:`progression.priors.SLOPE_CHANGE_SD_SETTINGS`.
    base_priors : Priors, optional
        Priors the settings modify (default: the defaults).
    draws, chains, tune, seed : int
        Sampler settings of each refit (same seed for every setting).

    Returns
    -------
    pandas.DataFrame
        Index ``setting``; columns ``prior`` (which prior moves), ``delta_mean``, ``delta_sd``,
        ``delta_hdi95`` (points/month), ``p_delta_positive``, ``pre_slope_mean`` (posterior
        mean, points/month), ``max_rhat``, ``min_ess_bulk``, ``divergences``, ``gates_met``
        (no divergence, R-hat at most 1.01, bulk ESS at least 400: the fit report's gates).
    """
    from progression.convergence import gates_met
    from progression.diagnostics import fit_summary
    from progression.model import fit
    from progression.priors import (
        DEFAULT_PRIORS,
        DELTA_SD_SETTINGS,
        PRE_SLOPE_SETTINGS,
        SLOPE_CHANGE_SD_SETTINGS,
    )

    base = DEFAULT_PRIORS if base_priors is None else base_priors
    if settings is None:
        settings = {
            "delta prior": DELTA_SD_SETTINGS,
            "pre-dose slope prior": PRE_SLOPE_SETTINGS,
            "slope-change SD prior": SLOPE_CHANGE_SD_SETTINGS,
        }
    rows = []
    for group, entries in settings.items():
        for label, changes in entries.items():
            idata = fit(
                data,
                base.replace(**changes),
                draws=draws,
                chains=chains,
                tune=tune,
                seed=seed,
                progressbar=False,
            )
            s = fit_summary(idata)
            rows.append(
                {
                    "setting": label,
                    "prior": group,
                    "delta_mean": s["delta_mean"],
                    "delta_sd": s["delta_sd"],
                    "delta_hdi95": tuple(s["delta_hdi95"]),
                    "p_delta_positive": s["p_delta_positive"],
                    "pre_slope_mean": s["pre_slope_mean"],
                    "max_rhat": s["max_rhat"],
                    "min_ess_bulk": s["min_ess_bulk"],
                    "divergences": s["divergences"],
                    # the fit report's gates (a review: a refit at R-hat 1.011 went unflagged)
                    "gates_met": gates_met(s),
                }
            )
    return pd.DataFrame(rows).set_index("setting")


#: The spread of lead-in months (sum of squared deviations) taken for a patient table
#: without its column: monthly visits at months -3 to 0.
DEFAULT_PRE_SXX = 5.0


def pre_slope_predictive(priors, sxx, draws: int = 100_000, seed: int = 20261207):
    """Draws of the patients' raw mean pre-dose slope (points/month) as the priors predict
    it, before any data: a population mean from its prior, each patient's true slope around
    it (SD from its half-normal prior), and each least-squares slope's error, residual SD
    from its log-normal prior (with a twelfth of a point squared for whole-point scores)
    over the patient's lead-in months (``sxx``: their sum of squared deviations). Box's
    (1980) prior predictive check of the statistic the note reads. Given the
    hyperparameters the mean of the k patients' slopes is normal, mean ``mu`` and variance
    ``spread^2 / k + (sigma^2 + 1/12) sum(1 / sxx) / k^2``, so one draw each suffices (a diff
    review: draws x patients took 2.4 GB at 1,000 patients). The scale's ceiling of 48 is
    left aside (clipped lead-in scores would narrow it: the check then flags about 4% of data
    sets drawn from the priors, not 5%)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sxx = np.asarray(sxx, dtype=float)
    k = sxx.size
    mu = rng.normal(priors.pre_slope_mean, priors.pre_slope_mean_sd, draws)
    spread = np.abs(rng.normal(0.0, priors.pre_slope_sd_scale, draws))
    sigma = priors.residual_sd_median * np.exp(rng.normal(0.0, priors.residual_sd_log_sd, draws))
    variance = spread**2 / k + (sigma**2 + 1.0 / 12.0) * float(np.sum(1.0 / sxx)) / k**2
    return mu + np.sqrt(variance) * rng.standard_normal(draws)


@functools.lru_cache(maxsize=64)
def _predictive_interval(priors, sxx: tuple[float, ...]) -> tuple[float, float]:
    """The central 95% of :func:`pre_slope_predictive` (points/month), once per priors and
    lead-in months."""
    import numpy as np

    low, high = np.quantile(pre_slope_predictive(priors, sxx), [0.025, 0.975])
    return float(low), float(high)


def prior_conflict_note(idata: xr.DataTree, pat: pd.DataFrame) -> str:
    """A note when the patients' raw mean pre-dose slope is far from the priors (set for the
    CL2020 population): the join at month 0 then reads the gap between prior and data as a
    change of slope (a review: 5 patients declining at -0.2/month with no effect gave P(delta
    > 0) = 0.91). PRIOR-DATA CONFLICT where it lies outside the central 95% of what the
    priors predict for it (:func:`pre_slope_predictive`: 5% of data sets drawn from the
    priors themselves); PRIOR-DATA GAP where it lies only outside the central 95% of the
    prior on the population mean (a prior review: that alone was called a conflict, and
    fired in a third of data sets drawn from the priors)."""
    priors = fit_priors(idata)
    raw = float(pat["raw_pre_slope"].mean())
    lo = priors.pre_slope_mean - 1.96 * priors.pre_slope_mean_sd
    hi = priors.pre_slope_mean + 1.96 * priors.pre_slope_mean_sd
    if lo <= raw <= hi:
        return ""
    sxx = pat["raw_pre_sxx"] if "raw_pre_sxx" in pat else [DEFAULT_PRE_SXX] * len(pat)
    low, high = _predictive_interval(priors, tuple(float(x) for x in sxx))
    prior = (
        f"the prior on the population pre-dose slope, N({priors.pre_slope_mean:g}, "
        f"{priors.pre_slope_mean_sd:g}^2)"
    )
    refit = (
        f"{program_name()} fit --prior pre_slope_mean=VALUE --prior pre_slope_mean_sd=VALUE "
        "(points/month), with values from published cohorts like these patients, not from "
        "these patients themselves"
    )
    if not low <= raw <= high:
        return (
            f"PRIOR-DATA CONFLICT: the patients' raw mean pre-dose slope, {raw:+.3f} "
            f"points/month, lies outside the central 95% ({low:+.2f} to {high:+.2f}) of what "
            f"the priors predict for it ({prior}, the spread of true slopes and the error of "
            f"{len(pat)} short lead-in slopes), which were set for the CL2020 population "
            "(progression/priors.py): the model pulls the pre-dose slope toward the prior and "
            "reads the gap as a change of slope, so delta and P(delta > 0) lean on that prior. "
            f"Refit with priors for this population: {refit}."
        )
    return (
        f"PRIOR-DATA GAP: the patients' raw mean pre-dose slope, {raw:+.3f} points/month, lies "
        f"outside the central 95% ({lo:+.2f} to {hi:+.2f}) of {prior}, though within what "
        f"the priors predict for {len(pat)} short lead-in slopes ({low:+.2f} to {high:+.2f}): "
        "the model pulls the pre-dose slope toward the prior and reads part of the gap as a "
        "change of slope, so delta and P(delta > 0) lean on that prior. If patients like these "
        f"decline otherwise in published cohorts, refit with their priors: {refit}."
    )
