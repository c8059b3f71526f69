"""Prior sensitivity of the phase 2 posterior: refits under other priors, and how much the
data narrowed each prior.

With five patients and a 3-month lead-in, some priors pass almost unchanged into the
posterior (the between-patient SD of the change of slope above all), and ``P(delta > 0)``
moves with them; :func:`prior_learning` shows which, :func:`prior_sensitivity` by how much.
"""

from __future__ import annotations

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


def prior_conflict_note(idata: xr.DataTree, pat: pd.DataFrame) -> str:
    """A note when the patients' raw mean pre-dose slope lies outside the central 95% of the
    prior on the population pre-dose slope (set for the CL2020 population): the join at
    month 0 then reads the gap between prior and data as a change of slope (a review: 5
    patients declining at -0.2/month with no effect gave P(delta > 0) = 0.91)."""
    priors = fit_priors(idata)
    raw = float(pat["raw_pre_slope"].mean())
    lo = priors.pre_slope_mean - 1.96 * priors.pre_slope_mean_sd
    hi = priors.pre_slope_mean + 1.96 * priors.pre_slope_mean_sd
    if lo <= raw <= hi:
        return ""
    return (
        f"PRIOR-DATA CONFLICT: the patients' raw mean pre-dose slope, {raw:+.3f} points/month, "
        f"lies outside the central 95% ({lo:+.2f} to {hi:+.2f}) of the prior on the "
        f"population pre-dose slope, N({priors.pre_slope_mean:g}, "
        f"{priors.pre_slope_mean_sd:g}^2), which was set for the CL2020 population "
        "(progression/priors.py): the model pulls the pre-dose slope toward it and reads the "
        "gap as a change of slope, so delta and P(delta > 0) lean on that prior. Refit with "
        f"priors for this population: {program_name()} fit --prior pre_slope_mean=VALUE --prior "
        "pre_slope_mean_sd=VALUE (points/month)."
    )
