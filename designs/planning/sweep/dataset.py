"""The sweep's dataset: its variables, dimension labels, assembly from cells, and loading.

Dims are the swept ones (in the order of :data:`~designs.planning.sweep.grid.DIMS`) and
``analysis``; coords ``estimand`` and ``estimate_units`` run along ``analysis``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from designs import __version__
from designs.analyses import registry
from designs.errors import InputError
from designs.planning.sweep.design import cell_design
from designs.planning.sweep.interim import INTERIM_DIMS
from designs.simulation.numba_cache import software

#: The sweep's variables: name -> (long_name, units). A rate is a fraction of all simulated
#: trials (``decision.failed_fits``); where the effect coordinate is 0 a rejection rate is the
#: type I error, elsewhere power. Names up to version 0.x: see :data:`OLD_NAMES`.
VARIABLES = {
    "rejection_rate": ("rejection rate of the test (two-sided unless sides = 1)", "1"),
    "power_favourable": (
        "rejection rate in favour of active (power; where effect = 0 the one-sided rate in "
        "the favourable direction, about alpha / 2 under a two-sided test)",
        "1",
    ),
    "rejection_rate_mc_se": ("Monte Carlo standard error of rejection_rate", "1"),
    "mc_se_favourable": ("Monte Carlo standard error of power_favourable", "1"),
    "rejection_rate_ci_low": (
        "95% interval of rejection_rate, lower end (Wilson's; normal with the control variate)",
        "1",
    ),
    "rejection_rate_ci_high": (
        "95% interval of rejection_rate, upper end (Wilson's; normal with the control variate)",
        "1",
    ),
    "variance_ratio": (
        "variance ratio of the control variate (docs/conventions.md#power): the plain "
        "share's Monte Carlo variance over that of power_favourable's estimate; NaN where "
        "the rates are plain shares",
        "1",
    ),
    "mean_estimate": ("mean estimate over trials whose fit succeeded", "see estimate_units"),
    "true_effect": ("true value of the analysis' estimand", "see estimate_units"),
    "failed_fits": ("trials whose analysis failed", "trials"),
    "completers": ("expected patients with the last scheduled visit, both arms", "patients"),
    "dropped_out": (
        "expected fraction of patients who dropped out before the last visit (deaths not "
        "counted: 1 - completers / n - dropped_out is the fraction who died)",
        "1",
    ),
}
#: Variables renamed since the first sweep files: old name -> new name. ``power`` was the
#: two-sided rejection rate, also under no effect (then a type I error, not power); ``dropout``
#: sat beside the coordinate ``dropout_12m`` and meant something else. :func:`load_sweep`
#: reads files of either naming.
OLD_NAMES = {
    "power": "rejection_rate",
    "mc_se": "rejection_rate_mc_se",
    "ci_low": "rejection_rate_ci_low",
    "ci_high": "rejection_rate_ci_high",
    "dropout": "dropped_out",
}
#: Variables of the simulated trials, not of their analyses: along the swept dims only.
TRIAL_VARIABLES = ("completers", "dropped_out")
#: Present under the posterior rule (``decision.rule = "posterior"``): the rule's success
#: probability is ``power_favourable`` (and ``rejection_rate``); these are the trials of the
#: same seed with no effect for any patient.
TYPE1_VARIABLES = {
    "type1": ("posterior rule's successes with no effect for any patient (same seed)", "1"),
    "type1_mc_se": ("Monte Carlo standard error of type1", "1"),
    "type1_ci_low": (
        "95% interval of type1, lower end (Wilson's for a share of trials; normal with the "
        "control variate)",
        "1",
    ),
    "type1_ci_high": ("95% interval of type1, upper end (as type1_ci_low)", "1"),
}
#: Present when the sweep is given posterior effect draws.
ASSURANCE_VARIABLES = {
    "assurance": ("power_favourable averaged over the phase 2 posterior of the effect", "1"),
    "assurance_mc_se": ("Monte Carlo standard error of assurance", "1"),
}
DIM_ATTRS = {
    "n_per_arm": {"long_name": "patients randomised per arm", "units": "patients"},
    "n_total": {"long_name": "patients randomised in total", "units": "patients"},
    "effect": {"long_name": "effect.value", "units": ""},
    # each patient's follow-up, not the calendar length, which adds accrual (an economist's
    # review read "trial length" as the months to budget)
    "duration_months": {
        "long_name": "follow-up per patient: month of the last visit (the calendar length adds "
        "accrual and any lead-in)",
        "units": "months",
    },
    "dropout_12m": {
        "long_name": "dropout by month 12 were no one to die: constant MCAR hazard "
        "-ln(1 - value) / 12 per month; deaths compete, so a little fewer drop out "
        "(dropped_out)",
        "units": "1",
    },
    "dropout_informative": {
        "long_name": "dropout.informative: log-hazard of dropout per point/month of faster decline",
        "units": "per (points/month)",
    },
    "slope_sd": {
        "long_name": "population.slope_sd: between-patient SD of the natural slope (of the "
        "candidates, before any screening)",
        "units": "points/month",
    },
    "prior_weight": {
        "long_name": "decision.prior_weight: weight of the phase 2 posterior in the robust prior",
        "units": "1",
    },
    "looks": {
        "long_name": "interim.looks: information fractions of the analyses (fixed: one analysis)",
        "units": "1",
    },
    "spending": {
        "long_name": "interim.spending: alpha-spending function (obf, pocock, hsd:GAMMA, "
        "power:GAMMA)",
        "units": "",
    },
    "information": {
        "long_name": "interim.information: the boundaries at each trial's observed information "
        "(observed) or the planned boundaries for every trial (planned)",
        "units": "",
    },
}


ANALYSIS_ATTRS = {"long_name": "analysis of each simulated trial"}


def _assemble(design, grid, cells, keys, results, trials, seed, analyses) -> xr.Dataset:
    """The labelled dataset of finished cells (``results[key][analysis][variable]``)."""
    dims = [*grid, "analysis"]
    shape = [len(v) for v in grid.values()] + [len(analyses)]
    data = {}
    variables = dict(VARIABLES)
    if "assurance" in results[keys[0]][analyses[0]]:
        variables.update(ASSURANCE_VARIABLES)
    if "type1" in results[keys[0]][analyses[0]]:
        variables.update(TYPE1_VARIABLES)
    if "type_i_error" in results[keys[0]][analyses[0]]:
        from designs.planning.sweep.interim import INTERIM_VARIABLES

        variables.update(INTERIM_VARIABLES)
    for var in variables:
        dtype = np.int64 if var == "failed_fits" else np.float64
        arr = np.empty(shape, dtype=dtype)
        flat = arr.reshape(-1, len(analyses))
        for i, key in enumerate(keys):
            for j, a in enumerate(analyses):
                value = results[key][a][var]
                flat[i, j] = np.nan if value is None else value
        long_name, units = variables[var]
        if var in TRIAL_VARIABLES:  # the same trials for every analysis: no analysis dim
            # (over the trials whose first analysis' fit succeeded, as power's counts are)
            long_name = f"{long_name} (trials analysed by {analyses[0]})"
            data[var] = (dims[:-1], arr[..., 0], {"long_name": long_name, "units": units})
        else:
            data[var] = (dims, arr, {"long_name": long_name, "units": units})
    coords: dict = {}
    for dim, values in grid.items():
        attrs = dict(DIM_ATTRS[dim])
        if dim == "effect":
            kind = design.effect.kind.value
            attrs["units"] = (
                "points/month" if kind == "slope_difference" else "fraction of |slope_mean|"
            )
            attrs["long_name"] = f"effect.value ({kind})"
        values = np.asarray(values, dtype=str if dim in INTERIM_DIMS else None)
        coords[dim] = (dim, values, attrs)
    if "n_per_arm" in grid:  # patients randomised in total beside each n per arm
        totals = [cell_design(design, {"n_per_arm": n}).trial.n_total for n in grid["n_per_arm"]]
        coords["n_total"] = ("n_per_arm", np.asarray(totals, dtype=np.int64), DIM_ATTRS["n_total"])
    elif "n_total" not in grid:
        coords["n_total"] = ((), np.int64(design.trial.n_total), DIM_ATTRS["n_total"])
    coords["analysis"] = ("analysis", np.asarray(analyses, dtype=str), ANALYSIS_ATTRS)
    entries = [registry.get(a) for a in analyses]
    coords["estimand"] = (
        "analysis",
        np.asarray([e.estimand for e in entries], dtype=str),
        {"long_name": "estimand of the analysis"},
    )
    # not "units": ds.power_favourable.units then read this coordinate, not the variable's
    # own units attribute (a sweep review)
    coords["estimate_units"] = (
        "analysis",
        np.asarray([e.units for e in entries], dtype=str),
        {"long_name": "units of the analysis' estimate"},
    )
    units = sorted({e.units for e in entries})
    data["mean_estimate"][2]["units"] = units[0] if len(units) == 1 else "see estimate_units"
    data["true_effect"][2]["units"] = data["mean_estimate"][2]["units"]
    data["mean_estimate"][2]["estimand"] = "; ".join(f"{e.name}: {e.estimand}" for e in entries)
    counted = (
        "left out of the rates"
        if design.decision.excludes_failed
        else "counted as failures to reject"
    )
    data["failed_fits"][2]["comment"] = f"{counted} (decision.failed_fits)"
    at_zero = {  # a review: both read "the type I error where it is 0", with other values
        "rejection_rate": "the type I error where it is 0",
        "power_favourable": "where it is 0 the favourable one-sided rate (about alpha / 2 "
        "under a two-sided test)",
    }
    for var in ("rejection_rate", "power_favourable"):
        data[var][2]["comment"] = (
            "a fraction of "
            + (
                "the trials whose fit succeeded"
                if design.decision.excludes_failed
                else "all trials"
            )
            + f"; power where the effect is non-zero, {at_zero[var]}"
        )
        if design.decision.is_posterior:  # the rule's success, not a test's rejection
            data[var][2]["long_name"] = (
                "success rate of the posterior rule (P(effect > margin | data) > threshold; "
                "decision_rule)"
            )
            data[var][2]["comment"] = (
                data[var][2]["comment"].split(";")[0]
                + "; its success probability where the effect is non-zero, its type I error "
                "where it is 0"
            )
    ds = xr.Dataset(data, coords=coords)
    for name in [*ds.data_vars, *ds.coords]:
        _short_long_name(ds[name].attrs)
    ds.attrs = {
        "title": "ALS trial power sweep",
        "design_toml": design.to_toml(),
        "seed": int(seed),
        "trials_per_cell": int(trials),
        "analyses": ",".join(analyses),
        "alpha": float(design.trial.alpha),
        "sides": int(design.trial.sides),
        "decision": design.decision.rule.value,
        **_rule_attrs(design, grid),
        "software": software(),
        "version": __version__,
        "common_random_numbers": "same seed in every cell: same patients, prefixes nest in n",
    }
    return ds


#: A ``long_name`` longer than this keeps its first phrase; the whole goes to ``description``.
SHORT_NAME = 40


def _short_long_name(attrs: dict) -> None:
    """``long_name`` as a short label, the full sentence in ``description``: xarray and
    matplotlib put ``long_name [units]`` on axes and legends, and a sweep review found the
    sentences unreadable there. The short label is the text before the first " (", "; " or
    ": "."""
    text = attrs.get("long_name", "")
    if len(text) <= SHORT_NAME:
        return
    cut = min((i for i in (text.find(" ("), text.find("; "), text.find(": ")) if i > 0), default=-1)
    if cut > 0:
        attrs["description"] = text
        attrs["long_name"] = text[:cut]


#: Grids whose cells have their own unit-information SD (it follows visits and dropout).
_ROBUST_SD_BY_CELL = ("duration_months", "dropout_12m", "dropout_informative", "slope_sd")


def _rule_attrs(design, grid) -> dict:
    """Under the posterior rule, the rule as JSON (``decision_rule``: threshold, margin,
    prior, and the robust prior's weight, SD and transport), since the file's alpha and sides
    do not judge its trials (a review). What a grid sets per cell says "per cell" (a diff
    review: a prior-weight grid recorded the base design's weight 0, and its SD varies with
    duration and dropout)."""
    if not design.decision.is_posterior:
        return {}
    from designs.planning.decision_rule import decision_prior, rule_record

    robust = design.decision.prior.value == "robust"
    prior = None if robust else decision_prior(design)  # vague, sceptical: their components
    rule = rule_record(design, prior)
    if robust and "prior_weight" in grid:
        rule["prior_weight"] = "per cell (the prior_weight coordinate)"
        if any(float(w) > 0 for w in grid["prior_weight"]):
            rule["transport"] = design.effect.transport.value
    if robust and any(dim in grid for dim in _ROBUST_SD_BY_CELL):
        rule["robust_sd"] = "per cell (unit information of each cell's visits and dropout)"
    return {"decision_rule": json.dumps(rule, sort_keys=True)}


def is_sweep_file(path: str | Path) -> bool:
    """True when ``path`` holds a sweep written by this tool."""
    try:
        load_sweep(path)
    except InputError:
        return False
    return True


def load_sweep(path: str | Path) -> xr.Dataset:
    """Open a sweep written by :func:`~designs.planning.sweep.run_sweep` (checks it is one
    of ours)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        ds = xr.load_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a netCDF file ({type(exc).__name__})") from None
    if ds.attrs.get("title") != "ALS trial power sweep" or "power_favourable" not in ds:
        raise InputError(f"{path}: not a sweep written by this tool")
    if "rejection_rate" not in ds:  # written before the variables were renamed
        ds = ds.rename({old: new for old, new in OLD_NAMES.items() if old in ds})
    if "units" in ds.coords and "estimate_units" not in ds.coords:  # before its renaming
        ds = ds.rename({"units": "estimate_units"})
    return ds
