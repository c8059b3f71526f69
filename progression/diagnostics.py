"""Diagnostics of a phase 2 posterior: convergence, summaries, predictive checks, sensitivity.

ArviZ settings are pinned here, never taken from ``arviz.rcParams`` (ArviZ 1.x defaults to an
89% equal-tailed interval): intervals are 95% highest-density intervals computed with
``arviz.hdi(prob=0.95)``, the one interval level of the project (tables, figures, notebooks),
R-hat is the rank-normalised split R-hat, ESS bulk and tail.

Every report says what the comparison is: an uncontrolled before/after one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from progression.convergence import gates_met
from progression.directions import direction_note
from progression.model import POPULATION_PARAMS
from progression.priors import changed_priors
from progression.program import program_name
from progression.records import (
    UNCHANGED_TOLERANCE,
    classify_change,
    ols_slope,
)
from progression.sensitivity import NOT_LEARNED_RATIO, fit_priors, prior_learning

HDI_PROB = 0.95  # the project's one interval level
#: How the level is written in headers and keys (``delta_hdi95``).
HDI_PERCENT = round(100 * HDI_PROB)
UNCONTROLLED_CAVEAT = (
    "CAUTION: uncontrolled before/after comparison (single arm, open label). Regression to the "
    "mean, natural plateaus of ALSFRS-R and open-label rating can each mimic or hide a change "
    "of slope; delta is not a randomised treatment effect."
)
ILLUSTRATIVE_CAVEAT = (
    "ILLUSTRATIVE DATA: the bundled records are a reconstruction that agrees with the published "
    "summaries of the CL2020 phase 2 trial, not patient data (see progression/data/PROVENANCE.md)."
)
P_DELTA_CAVEAT = (
    "P(delta > 0) holds for this data set and these priors only: for the bundled data it moves "
    f"with the reconstruction (`{program_name()} fit --reconstructions K`) and with the priors "
    "(notebook 01, prior_sensitivity), in an uncontrolled comparison."
)
#: The caveats for records given to ``fit --data`` (a review of one's own records: they were
#: called "the bundled records" and sent to ``--reconstructions``, which ``--data`` refuses).
OWN_ILLUSTRATIVE_CAVEAT = (
    "ILLUSTRATIVE DATA: the records given are marked as an illustrative reconstruction (a "
    "comment line starting 'ILLUSTRATIVE', or an 'illustrative' column), not patient data."
)
P_DELTA_OWN_CAVEAT = (
    "P(delta > 0) holds for these records and these priors only: it moves with the priors "
    f"(`{program_name()} fit --prior`, notebook 01's prior_sensitivity), in an uncontrolled "
    "comparison."
)
_LABELS = {
    "level_mean": "level at first dose, mean (points)",
    "level_sd": "level at first dose, between-patient SD (points)",
    "pre_slope_mean": "pre-dose slope, mean (points/month)",
    "pre_slope_sd": "pre-dose slope, SD of true slopes (points/month)",
    "delta": "delta: change of slope on treatment (points/month)",
    "slope_change_sd": "change of slope, between-patient SD (points/month)",
    "residual_sd": "residual SD (points)",
}


def _as_dataset(result) -> xr.Dataset:
    """ArviZ 1.x returns a DataTree (the posterior node) from hdi/rhat/ess; unwrap it."""
    if isinstance(result, xr.DataTree):
        if "posterior" in result.children:
            result = result["posterior"]
        return result.to_dataset()
    return result


def _posterior(idata: xr.DataTree) -> xr.Dataset:
    return idata["posterior"].to_dataset()


def _hdi(values: np.ndarray, prob: float = HDI_PROB) -> tuple[float, float]:
    """Narrowest interval holding ``prob`` of the draws (any shape, flattened)."""
    x = np.sort(np.asarray(values, dtype=float).ravel())
    n = x.size
    k = int(np.floor(prob * n))
    widths = x[k:] - x[: n - k]
    i = int(np.argmin(widths))
    return float(x[i]), float(x[i + k])


def population_summary(idata: xr.DataTree, hdi_prob: float = HDI_PROB) -> pd.DataFrame:
    """Mean, SD, HDI, R-hat and ESS of the population parameters.

    Parameters
    ----------
    idata : xarray.DataTree
        From :func:`progression.model.fit`.
    hdi_prob : float
        Probability of the highest-density interval (default 0.95).

    Returns
    -------
    pandas.DataFrame
        Index: parameter names; columns ``mean``, ``sd``, ``hdi_low``, ``hdi_high``,
        ``r_hat``, ``ess_bulk``, ``ess_tail`` (units of each parameter: points or
        points/month, see :data:`_LABELS`).
    """
    import arviz_stats as az  # ArviZ's statistics alone (all of arviz loads matplotlib)

    names = list(POPULATION_PARAMS)
    post = _posterior(idata)
    hdi = _as_dataset(az.hdi(idata, prob=hdi_prob, var_names=names))
    rhat = _as_dataset(az.rhat(idata, var_names=names, method="rank"))
    ess_b = _as_dataset(az.ess(idata, var_names=names, method="bulk"))
    # tail-ESS (docs/references.md [67]): the 5% and 95% quantiles. Given, since without it
    # ArviZ reads rcParams["stats.ci_prob"] (notebook 01 sets 0.95, so its ess_tail differed
    # from the command line's for the same draws)
    ess_t = _as_dataset(az.ess(idata, var_names=names, method="tail", prob=0.9))
    rows = {}
    for v in names:
        x = post[v].values
        rows[v] = {
            "mean": float(x.mean()),
            "sd": float(x.std(ddof=1)),
            "hdi_low": float(hdi[v].sel(ci_bound="lower")),
            "hdi_high": float(hdi[v].sel(ci_bound="upper")),
            "r_hat": float(rhat[v]),
            "ess_bulk": float(ess_b[v]),
            "ess_tail": float(ess_t[v]),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def p_delta_positive(idata: xr.DataTree) -> float:
    """Posterior probability that delta > 0 (slower decline after the first dose)."""
    return float((_posterior(idata)["delta"].values > 0).mean())


def p_delta_positive_mc_se(idata: xr.DataTree) -> float:
    """Monte Carlo SE of :func:`p_delta_positive`: ``sqrt(p (1 - p) / ESS)``, the ESS that of
    the indicator ``delta > 0`` over the chains (an independent refit's review: 0.909 was
    printed without it, about 0.0055 on the bundled fit, so its third decimal is noise)."""
    import arviz_stats as az

    indicator = (_posterior(idata)["delta"] > 0).astype(float)
    p = float(indicator.mean())
    ess = float(az.ess(indicator, method="mean"))
    return math.sqrt(p * (1.0 - p) / ess) if ess > 0 else math.nan


def _records(idata: xr.DataTree) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    const = idata["constant_data"].to_dataset()
    obs = idata["observed_data"].to_dataset()
    patients = [str(p) for p in _posterior(idata)["patient"].values]
    return (
        const["patient_index"].values.astype(int),
        const["month"].values.astype(float),
        obs["alsfrs_r"].values.astype(float),
        patients,
    )


def patient_table(idata: xr.DataTree, hdi_prob: float = HDI_PROB) -> pd.DataFrame:
    """Per-patient pre- and post-dose slopes: posterior beside raw least squares.

    Raw slopes: least squares over visits at month <= 0 (pre) and month >= 0 (post), two
    separate lines, each with its own intercept. Posterior: means and ``hdi_prob`` HDIs of
    ``pre_slope`` and ``post_slope``, from the model's two lines, which meet at month 0 (one
    level at the first dose) and are partially pooled toward the population. The raw change
    and the model's ``slope_change`` are therefore different quantities: a patient whose
    lead-in scores sit above the start of its post-dose line, flat before and after dosing
    on the raw lines, has a declining pre-dose slope and a "slowed" change on the joined
    line, even fitted alone without any prior (see :func:`direction_note`).

    Returns
    -------
    pandas.DataFrame
        Index ``patient``; points/month throughout; ``raw_change`` (raw post minus pre) and
        ``raw_direction`` (its classification, :func:`progression.records.classify_change`);
        ``slope_change_mean`` and ``model_direction`` (the same classification of the
        posterior mean change); ``p_slowed`` = P(slope_change > +0.05 points/month), the
        posterior probability of the "slowed" class of ``classify_change``
        (:data:`progression.records.UNCHANGED_TOLERANCE`).
    """
    pid, month, score, patients = _records(idata)
    post = _posterior(idata)
    rows = []
    for i, p in enumerate(patients):
        m, y = month[pid == i], score[pid == i]
        pre_draws = post["pre_slope"].sel(patient=p).values
        post_draws = post["post_slope"].sel(patient=p).values
        change = post["slope_change"].sel(patient=p).values
        raw_pre, raw_post = ols_slope(m[m <= 0], y[m <= 0]), ols_slope(m[m >= 0], y[m >= 0])
        rows.append(
            {
                "patient": p,
                "raw_pre_slope": raw_pre,
                # the lead-in months' spread, sum of (month - mean)^2: how well the raw slope
                # is measured (the prior-data conflict's predictive check)
                "raw_pre_sxx": float(((m[m <= 0] - m[m <= 0].mean()) ** 2).sum()),
                "pre_slope_mean": float(pre_draws.mean()),
                "pre_slope_hdi": _hdi(pre_draws, hdi_prob),
                "raw_post_slope": raw_post,
                "post_slope_mean": float(post_draws.mean()),
                "post_slope_hdi": _hdi(post_draws, hdi_prob),
                "raw_change": raw_post - raw_pre,
                "raw_direction": classify_change(raw_post - raw_pre),
                "slope_change_mean": float(change.mean()),
                "model_direction": classify_change(float(change.mean())),
                "p_slowed": float((change > UNCHANGED_TOLERANCE).mean()),
            }
        )
    return pd.DataFrame(rows).set_index("patient")


def ppc_summary(idata: xr.DataTree, hdi_prob: float = HDI_PROB) -> pd.DataFrame:
    """Posterior predictive check of each patient's trajectory.

    For each patient, the least-squares pre- and post-dose slopes and the residual SD around
    the patient's own piecewise line are computed on the observed scores and on every
    replicated data set; ``ppp_*`` is the posterior predictive p-value P(replicated >=
    observed) (values near 0 or 1 flag misfit). ``coverage`` is the fraction of the
    patient's observed scores inside the central ``hdi_prob`` predictive interval.

    Returns
    -------
    pandas.DataFrame
        Index ``patient``.
    """
    pid, month, score, patients = _records(idata)
    rep = idata["posterior_predictive"].to_dataset()["alsfrs_r"].values
    rep = rep.reshape(-1, rep.shape[-1])
    lo, hi = np.quantile(rep, [(1 - hdi_prob) / 2, (1 + hdi_prob) / 2], axis=0)
    rows = []
    for i, p in enumerate(patients):
        sel = pid == i
        m = month[sel]
        design = np.column_stack([np.ones_like(m), m, np.maximum(m, 0.0)])
        pre_w = _slope_weights(m, m <= 0)
        post_w = _slope_weights(m, m >= 0)
        proj = design @ np.linalg.pinv(design)
        dof = max(sel.sum() - 3, 1)

        def stats(y: np.ndarray, pre_w=pre_w, post_w=post_w, proj=proj, dof=dof):
            resid = y - y @ proj.T
            return y @ pre_w, y @ post_w, np.sqrt((resid**2).sum(-1) / dof)

        obs = stats(score[sel])
        sim = stats(rep[:, sel])
        rows.append(
            {
                "patient": p,
                "obs_pre_slope": float(obs[0]),
                "ppp_pre_slope": float((sim[0] >= obs[0]).mean()),
                "obs_post_slope": float(obs[1]),
                "ppp_post_slope": float((sim[1] >= obs[1]).mean()),
                "obs_resid_sd": float(obs[2]),
                "ppp_resid_sd": float((sim[2] >= obs[2]).mean()),
                "coverage": float(((score[sel] >= lo[sel]) & (score[sel] <= hi[sel])).mean()),
            }
        )
    return pd.DataFrame(rows).set_index("patient")


def _slope_weights(month: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Weights w with w @ y = least-squares slope of y on month over ``mask``."""
    w = np.zeros_like(month)
    x = month[mask] - month[mask].mean()
    w[mask] = x / (x @ x)
    return w


def fit_summary(idata: xr.DataTree, table: pd.DataFrame | None = None) -> dict:
    """The numbers the command line prints with ``--json`` (besides ``posterior_path``).

    Parameters
    ----------
    idata : xarray.DataTree
    table : pandas.DataFrame, optional
        :func:`population_summary` of ``idata`` when the caller has it (computing it again,
        ArviZ's HDI, R-hat and two ESS, is most of this function's time).

    Returns
    -------
    dict
        ``max_rhat`` and ``min_ess_bulk`` over the population parameters, ``divergences``
        (post-warm-up), ``delta_mean``, ``delta_sd``, ``delta_hdi95`` ([low, high];
        points/month), ``p_delta_positive`` and its ``p_delta_positive_mc_se``,
        ``pre_slope_mean`` (posterior mean,
        points/month), ``illustrative_data`` (bool), ``seed``, ``model_version``,
        ``data_sha256``, ``comparison`` (the uncontrolled-design caveat).
    """
    table = population_summary(idata) if table is None else table
    delta = table.loc["delta"]
    div = idata["sample_stats"].to_dataset()["diverging"].values
    return {
        "max_rhat": float(table["r_hat"].max()),
        "divergences": int(div.sum()),
        "min_ess_bulk": float(table["ess_bulk"].min()),
        "delta_mean": float(delta["mean"]),
        "delta_sd": float(delta["sd"]),
        "delta_hdi95": [float(delta["hdi_low"]), float(delta["hdi_high"])],
        "p_delta_positive": p_delta_positive(idata),
        "p_delta_positive_mc_se": p_delta_positive_mc_se(idata),
        "pre_slope_mean": float(table.loc["pre_slope_mean", "mean"]),
        "illustrative_data": bool(int(idata.attrs.get("illustrative_data", 0))),
        "seed": int(idata.attrs["seed"]) if "seed" in idata.attrs else None,
        "model_version": str(idata.attrs.get("model_version", "")),
        "data_sha256": str(idata.attrs.get("data_sha256", "")),
        "comparison": "uncontrolled before/after",
    }


def _fmt_table(df: pd.DataFrame, floatfmt: str = "{:.3f}") -> str:
    def cell(v):
        if isinstance(v, tuple):
            return "(" + ", ".join(floatfmt.format(x) for x in v) + ")"
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    cols = [str(df.index.name or "")] + [str(c) for c in df.columns]
    body = [[str(i)] + [cell(v) for v in row] for i, row in zip(df.index, df.values, strict=True)]
    widths = [max(len(r[k]) for r in [cols, *body]) for k in range(len(cols))]
    lines = [
        "  ".join(
            c.rjust(w) if k else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [cols, *body]
    ]
    return "\n".join(lines)


def format_fit_report(
    idata: xr.DataTree,
    sensitivity: pd.DataFrame | None = None,
    table: pd.DataFrame | None = None,
) -> str:
    """The text ``simulate.py fit`` prints: caveats, diagnostics, population and patients.

    Parameters
    ----------
    idata : xarray.DataTree
        From :func:`progression.model.fit` or :func:`progression.model.load_posterior`.
    sensitivity : pandas.DataFrame, optional
        From :func:`prior_sensitivity`, appended when given.
    table : pandas.DataFrame, optional
        :func:`population_summary` of ``idata`` when the caller has it (not modified).
    """
    pop = population_summary(idata) if table is None else table.copy()
    s = fit_summary(idata, pop)
    pop.index = [_LABELS[v] for v in pop.index]
    pop.index.name = "parameter"
    pop = pop.rename(
        columns={"hdi_low": f"hdi{HDI_PERCENT}_low", "hdi_high": f"hdi{HDI_PERCENT}_high"}
    )
    pop["ess_bulk"] = pop["ess_bulk"].round().astype(int).astype(str)
    pop["ess_tail"] = pop["ess_tail"].round().astype(int).astype(str)
    pat = patient_table(idata)
    lines = []
    # the bundled records and their alternative reconstructions (fit --reconstructions)
    bundled = str(idata.attrs.get("data_source", "")).startswith(("bundled ", "reconstruction "))
    if s["illustrative_data"]:
        lines += [ILLUSTRATIVE_CAVEAT if bundled else OWN_ILLUSTRATIVE_CAVEAT, ""]
    lines += [UNCONTROLLED_CAVEAT, ""]
    ok = gates_met(s)
    lines.append(
        f"Sampler: {idata.attrs.get('chains', '?')} chains x {idata.attrs.get('draws', '?')} "
        f"draws, seed {s['seed']}; divergences {s['divergences']}, max R-hat "
        f"{s['max_rhat']:.3f}, min bulk ESS {s['min_ess_bulk']:.0f} "
        f"({'OK' if ok else 'CHECK: targets are 0 divergences, R-hat <= 1.01, ESS >= 400'})"
    )
    changed = changed_priors(fit_priors(idata))
    if changed:
        lines.append(
            "Priors changed from the defaults (progression/priors.py): "
            + ", ".join(f"{k}={v:g}" for k, v in changed.items())
        )
    lines += ["", f"Population parameters ({HDI_PERCENT}% HDI):", _fmt_table(pop), ""]
    lo, hi = s["delta_hdi95"]
    lines.append(
        f"delta (change of slope after the first dose; positive = slower decline): mean "
        f"{s['delta_mean']:+.3f}, SD {s['delta_sd']:.3f}, {HDI_PERCENT}% HDI "
        f"({lo:+.3f}, {hi:+.3f}) points/month; P(delta > 0) = {s['p_delta_positive']:.3f} "
        f"(MC SE {s['p_delta_positive_mc_se']:.4f})"
    )
    lines.append(
        f"With {len(pat)} patients the posterior of delta is wide; use all of it (assurance), "
        "not a point estimate. " + (P_DELTA_CAVEAT if bundled else P_DELTA_OWN_CAVEAT)
    )
    from progression.sensitivity import prior_conflict_note

    conflict = prior_conflict_note(idata, pat)
    if conflict:
        lines.append(conflict)
    learn = prior_learning(idata)
    flat = learn[learn["sd_ratio"] > NOT_LEARNED_RATIO]
    if len(flat):
        # the width alone: a posterior as wide as its prior may have moved (an independent
        # refit's review: slope_change_sd's mean went from 0.160 to 0.240, "not learned" said)
        lines.append(
            "Hardly narrowed by the data (posterior SD over "
            f"{NOT_LEARNED_RATIO:.0%} of the prior SD), so its uncertainty is set by its prior: "
            + "; ".join(
                f"{v} (posterior SD {r['posterior_sd']:.3f}, prior SD {r['prior_sd']:.3f}; "
                f"mean {r['prior_mean']:.3f} under the prior, {r['posterior_mean']:.3f} under "
                "the posterior)"
                for v, r in flat.iterrows()
            )
            + ". P(delta > 0) moves with these priors too (prior_sensitivity)."
        )
    lines += [
        "",
        "Per-patient slopes (points/month): raw least squares (separate lines before and "
        "after month 0) beside the posterior (lines that meet at month 0, shrunk toward the "
        f"population); |change| <= {UNCHANGED_TOLERANCE} counts as unchanged, p_slowed = "
        f"P(change > +{UNCHANGED_TOLERANCE}):",
        _fmt_table(pat),
        direction_note(pat, s["illustrative_data"], idata),
    ]
    if sensitivity is not None:
        shown = sensitivity.copy()
        if "min_ess_bulk" in shown:  # whole draws, as the population table (a notebook review)
            shown["min_ess_bulk"] = shown["min_ess_bulk"].map(lambda v: f"{v:.0f}")
        lines += ["", "Prior sensitivity of delta (points/month):", _fmt_table(shown)]
    lines += ["", UNCONTROLLED_CAVEAT.split(": ", 1)[0] + ": the comparison is uncontrolled."]
    return "\n".join(lines)
