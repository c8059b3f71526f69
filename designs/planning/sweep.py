"""Power sweeps over a grid of designs, as one labelled :class:`xarray.Dataset`.

A sweep varies any of: patients per arm (``n_per_arm``, or ``n_total`` with unequal
allocation), the effect (``effect``, in the design's own units: points/month for
``slope_difference``, a fraction of ``|slope_mean|`` for ``proportional_slowing``), the trial
length (``duration_months``: visits keep the design's spacing) and the 12-month dropout
fraction (``dropout_12m``: a constant MCAR hazard ``-ln(1 - D) / 12`` per month). Several
analyses are run side by side on the same simulated trials (dim ``analysis``).

Common random numbers: every cell is simulated with the same seed, and the engine's patients
depend only on (seed, trial, arm, patient index), so the same people (and noise) appear in
every cell, prefixes nest across n, and each cell has exactly the power it would have on its
own with that seed.

Resuming: each finished cell is written at once (atomically) into ``OUT.cells/`` as a small
JSON file named by a hash of (cell design, trials, seed, analyses, package version). A rerun of
the same sweep reuses those files; the final netCDF is written atomically from the cell files,
so an interrupted and resumed sweep gives exactly the file an uninterrupted one gives. The
cell folder is removed once the final file is written.

Dask: ``scheduler="tcp://host:8786"`` sends cells to an existing cluster
(``dask.distributed.Client``); ``workers=N`` starts a local cluster. Cells are pure functions
of their inputs, so the result does not depend on where they ran.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from designs import __version__
from designs.analyses import registry
from designs.atomic import atomic_path, atomic_write_text, check_writable
from designs.errors import InputError

#: Swept dimensions, in the order they appear in the dataset (``analysis`` last).
DIMS = ("n_per_arm", "n_total", "effect", "duration_months", "dropout_12m", "dropout_informative")
#: Option that sets each dimension on the command line (for error messages).
OPTIONS = {
    "n_per_arm": "--n-per-arm",
    "n_total": "--n-total",
    "effect": "--effect",
    "duration_months": "--duration",
    "dropout_12m": "--dropout",
    "dropout_informative": "--informative",
    "analysis": "--analysis",
}
MAX_CELLS = 10_000
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler
_KERNEL_LOCK = threading.Lock()  # one Numba parallel launch at a time per process


# --------------------------------------------------------------------------- grids


def parse_grid(text: str, option: str, *, integer: bool = False) -> tuple[float, ...]:
    """Parse ``START:STOP:STEP`` (inclusive) or a comma/space separated list.

    Parameters
    ----------
    text : str
        E.g. ``"50:300:25"``, ``"0.2,0.25 0.3"``.
    option : str
        The option name, for error messages (e.g. ``--n-per-arm``).
    integer : bool
        Require whole numbers (returned as int).

    Returns
    -------
    tuple
        The values in the order given (ranges ascending or descending by the step's sign);
        duplicates removed.

    Raises
    ------
    InputError
        One line naming the option: empty grid, zero step, non-numbers, too many values.
    """
    raw = str(text).strip()
    if not raw:
        raise InputError(f"{option} {text!r}: empty grid; give START:STOP:STEP or a list")
    if ":" in raw:
        parts = raw.split(":")
        if len(parts) != 3 or not all(re.fullmatch(_NUMBER, p.strip()) for p in parts):
            raise InputError(f"{option} {text!r}: a range is START:STOP:STEP with three numbers")
        start, stop, step = (float(p) for p in parts)
        if step == 0:
            raise InputError(f"{option} {text!r}: step must not be 0")
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count < 1:
            raise InputError(
                f"{option} {text!r}: empty range (STOP is not reached from START by STEP)"
            )
        if count > MAX_CELLS:
            raise InputError(f"{option} {text!r}: {count:,} values; at most {MAX_CELLS:,}")
        values = [start + k * step for k in range(count)]
        # tidy binary noise of repeated additions (0.1 steps) to 12 significant digits
        values = [float(f"{v:.12g}") for v in values]
    else:
        tokens = [t for t in re.split(r"[,\s]+", raw) if t]
        if not tokens:
            raise InputError(f"{option} {text!r}: empty grid")
        bad = [t for t in tokens if not re.fullmatch(_NUMBER, t)]
        if bad:
            raise InputError(f"{option} {text!r}: {bad[0]!r} is not a number")
        if len(tokens) > MAX_CELLS:
            raise InputError(f"{option} {text!r}: {len(tokens):,} values; at most {MAX_CELLS:,}")
        values = [float(t) for t in tokens]
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"{option} {text!r}: values must be finite")
    if integer:
        if not all(float(v).is_integer() for v in values):
            raise InputError(f"{option} {text!r}: values must be whole numbers")
        values = [int(v) for v in values]
    return tuple(dict.fromkeys(values))


def _check_grid(design, grid: Mapping[str, Sequence]) -> dict[str, tuple]:
    """Validate dims and values (without simulating); returns ``{dim: values}`` in DIMS order."""
    unknown = [k for k in grid if k not in DIMS]
    if unknown:
        raise InputError(f"grid: unknown dimension {unknown[0]!r}; allowed: {', '.join(DIMS)}")
    if "n_per_arm" in grid and "n_total" in grid:
        raise InputError("--n-per-arm and --n-total: sweep one of them, not both")
    if "n_per_arm" in grid and not design.trial.allocation.equal:
        raise InputError(
            "--n-per-arm: not allowed with unequal allocation "
            f"{design.trial.allocation.describe()}; sweep --n-total"
        )
    out: dict[str, tuple] = {}
    for dim in DIMS:
        if dim not in grid:
            continue
        values = tuple(grid[dim])
        opt = OPTIONS[dim]
        if not values:
            raise InputError(f"{opt}: empty grid")
        if dim in ("n_per_arm", "n_total"):
            lo = 2 if dim == "n_per_arm" else 4
            if not all(isinstance(v, int | np.integer) and v >= lo for v in values):
                raise InputError(f"{opt}: values must be whole numbers >= {lo}")
            values = tuple(int(v) for v in values)
        else:
            values = tuple(float(v) for v in values)
        if dim == "duration_months" and not all(v > 0 for v in values):
            raise InputError(f"{opt}: trial lengths must be > 0 months")
        if dim == "dropout_12m" and not all(0 <= v < 1 for v in values):
            raise InputError(f"{opt}: 12-month dropout fractions must be in [0, 1)")
        if dim == "dropout_informative" and not all(-20 <= v <= 20 for v in values):
            raise InputError(f"{opt}: log-hazard per point/month must be in [-20, 20]")
        out[dim] = values
    cells = math.prod(len(v) for v in out.values())
    if cells > MAX_CELLS:
        raise InputError(
            f"{', '.join(OPTIONS[d] for d in out)}: the grid has {cells:,} cells; "
            f"at most {MAX_CELLS:,}"
        )
    return out


# --------------------------------------------------------------------------- one cell


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


def retime_cumulative(dropout, old_visits, new_visits) -> list[float]:
    """A ``cumulative`` dropout schedule carried to new visits through its hazard.

    The schedule is read as a piecewise-constant hazard between the old visits
    (docs/conventions.md#dropout-and-death); the last interval's hazard continues beyond them.

    Returns
    -------
    list of float
        Fraction gone by each new visit.
    """
    old = np.asarray(old_visits, dtype=float)
    new = np.asarray(new_visits, dtype=float)
    cum_hazard = -np.log1p(-dropout.cumulative_at(old))
    last_rate = (cum_hazard[-1] - cum_hazard[-2]) / (old[-1] - old[-2])
    inside = np.interp(np.minimum(new, old[-1]), old, cum_hazard)
    h = inside + last_rate * np.maximum(new - old[-1], 0.0)
    gone = -np.expm1(-h)
    gone[0] = 0.0
    return [float(g) for g in np.maximum.accumulate(gone)]


def cell_design(design, cell: Mapping[str, float]):
    """The design of one sweep cell.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        The base design.
    cell : Mapping
        Values for some of ``n_per_arm`` / ``n_total`` (patients), ``effect`` (design units),
        ``duration_months`` (months), ``dropout_12m`` (fraction gone by month 12),
        ``dropout_informative`` (log-hazard per point/month; 0 = MCAR).
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
        over["dropout.monthly_hazard"] = -math.log1p(-float(cell["dropout_12m"])) / 12.0
    if "dropout_informative" in cell:
        over["dropout.informative"] = float(cell["dropout_informative"])
    return design.with_overrides(over) if over else design


def evaluate_cell(
    design,
    trials: int,
    seed: int,
    analyses: Sequence[str],
    assurance_draws: np.ndarray | None = None,
    transport: str = "proportional",
) -> dict:
    """Simulate one design and summarise each analysis as plain JSON-ready numbers.

    With ``assurance_draws`` (posterior effect draws in the ``transport``'s units), each
    analysis also gets ``assurance`` and ``assurance_mc_se``
    (:func:`designs.planning.assurance.assurance_from_draws`, same seed).

    Returns
    -------
    dict
        ``{analysis: {power, power_favourable, mc_se, mc_se_favourable, ci_low, ci_high,
        mean_estimate, true_effect, failed_fits, completers, dropout[, assurance,
        assurance_mc_se]}}``.
    """
    from designs.planning.power import power

    with _KERNEL_LOCK:
        out = power(design, trials, seed, analyses)
        assured = {}
        if assurance_draws is not None:
            from designs.planning.assurance import assurance_from_draws

            for a in analyses:
                assured[a] = assurance_from_draws(
                    design, assurance_draws, trials, seed, a, transport
                )
    cells = {}
    for name, s in out.items():
        cells[name] = {
            "power": s.power,
            "power_favourable": s.power_favourable,
            "mc_se": s.mc_se,
            "mc_se_favourable": s.mc_se_favourable,
            "ci_low": s.ci95[0],
            "ci_high": s.ci95[1],
            "mean_estimate": s.mean_estimate,
            "true_effect": s.true_effect,
            "failed_fits": s.failed_fits,
            "completers": s.completers_placebo + s.completers_active,
            "dropout": (s.dropout_placebo * s.n_placebo + s.dropout_active * s.n_active)
            / (s.n_placebo + s.n_active),
        }
        if name in assured:
            cells[name]["assurance"] = assured[name].assurance
            cells[name]["assurance_mc_se"] = assured[name].mc_se
    return cells


def _cell_task(
    design_dict: dict,
    trials: int,
    seed: int,
    analyses: tuple[str, ...],
    assurance_draws=None,
    transport: str = "proportional",
) -> dict:
    """Dask task: rebuild the design from plain data and evaluate it."""
    from designs.spec import TrialDesign

    return evaluate_cell(
        TrialDesign.from_dict(design_dict), trials, seed, analyses, assurance_draws, transport
    )


def cell_key(
    design, trials: int, seed: int, analyses: Sequence[str], assurance: str | None = None
) -> str:
    """Hash naming one cell's file: (cell design, trials, seed, analyses, version[, a hash
    of the assurance draws and transport])."""
    fields = {
        "design": design.to_dict(),
        "trials": int(trials),
        "seed": int(seed),
        "analyses": list(analyses),
        "version": __version__,
    }
    if assurance is not None:
        fields["assurance"] = assurance
    text = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# --------------------------------------------------------------------------- the sweep


VARIABLES = {
    "power": ("rejection rate of the test (two-sided unless sides = 1)", "1"),
    "power_favourable": ("rejections whose estimate favours active", "1"),
    "mc_se": ("Monte Carlo standard error of power", "1"),
    "mc_se_favourable": ("Monte Carlo standard error of power_favourable", "1"),
    "ci_low": ("Wilson 95% interval of power, lower end", "1"),
    "ci_high": ("Wilson 95% interval of power, upper end", "1"),
    "mean_estimate": ("mean estimate over trials whose fit succeeded", "see coord units"),
    "true_effect": ("true value of the analysis' estimand", "see coord units"),
    "failed_fits": ("trials whose fit failed (left out of the rates)", "trials"),
    "completers": ("expected patients with the last scheduled visit, both arms", "patients"),
    "dropout": ("expected fraction of patients leaving before the last visit", "1"),
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
    "duration_months": {"long_name": "trial length (last visit)", "units": "months"},
    "dropout_12m": {"long_name": "fraction gone by month 12 (constant MCAR hazard)", "units": "1"},
    "dropout_informative": {
        "long_name": "dropout.informative: log-hazard of dropout per point/month of faster decline",
        "units": "per (points/month)",
    },
}


def _cells(grid: dict[str, tuple]) -> list[dict]:
    dims = list(grid)
    return [dict(zip(dims, combo, strict=True)) for combo in itertools.product(*grid.values())]


def cells_folder(out_path: str | Path) -> Path:
    """Folder holding the finished cells of a sweep written to ``out_path``."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.name + ".cells")


def _client(scheduler: str | None, workers: int | None):
    if scheduler is None and workers is None:
        return None, None
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"--scheduler {scheduler}: cannot connect ({first})") from None
    cluster = LocalCluster(
        n_workers=int(workers),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )
    return Client(cluster), cluster


def run_sweep(
    design,
    grid: Mapping[str, Sequence],
    trials: int,
    seed: int,
    analyses: Sequence[str] | None = None,
    out_path: str | Path | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client=None,
    progress: Callable[[int], None] | None = None,
    command: str | None = None,
    assurance_draws: np.ndarray | None = None,
    transport: str = "proportional",
) -> xr.Dataset:
    """Simulate every cell of a grid of designs; return (and write) one labelled dataset.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        The base design; unswept fields keep its values.
    grid : Mapping[str, sequence]
        ``{dim: values}`` for dims among ``n_per_arm`` (or ``n_total``; patients),
        ``effect`` (design units), ``duration_months`` (months), ``dropout_12m`` (fraction).
    trials : int
        Simulated trials per cell.
    seed : int
        Non-negative seed, the same for every cell (common random numbers).
    analyses : sequence of str, optional
        Analyses run side by side on the same trials (default: the design's).
    out_path : path, optional
        netCDF file to write atomically; finished cells are kept in ``out_path + ".cells"``
        while the sweep runs, so a rerun resumes.
    scheduler : str, optional
        Address of a running Dask scheduler.
    workers : int, optional
        Start a local Dask cluster with this many worker processes.
    client : dask.distributed.Client, optional
        Use this client (overrides ``scheduler`` and ``workers``).
    progress : callable, optional
        Called with 1 after each finished cell (including cells reused from disk).
    command : str, optional
        The command line, recorded in the file's attributes.
    assurance_draws : float64[D], optional
        Posterior draws of the effect in the ``transport``'s units: every cell then also
        holds ``assurance`` (and its MC SE), so assurance curves over n sit beside power.
    transport : {"proportional", "absolute"}

    Returns
    -------
    xarray.Dataset
        Dims: the swept ones (in the order of ``DIMS``) and ``analysis``; variables ``power``,
        ``power_favourable``, ``mc_se``, ``ci_low``, ``ci_high``, ``mean_estimate``,
        ``failed_fits``, ...; coords ``estimand`` and ``units`` along ``analysis``; attrs with
        the design (TOML), seed, trials per cell, analyses and package version.
    """

    if int(trials) < 1:
        raise InputError(f"--trials {trials}: must be a whole number >= 1")
    if int(seed) < 0:
        raise InputError(f"--seed {seed}: must be a whole number >= 0")
    analyses = tuple(analyses or (str(design.trial.analysis),))
    for name in analyses:
        registry.get(name)  # an unknown name is bad input listing the allowed ones
    grid = _check_grid(design, grid)
    cells = _cells(grid)
    designs_ = [cell_design(design, c) for c in cells]  # validates every cell up front
    tag = None
    if assurance_draws is not None:
        assurance_draws = np.ascontiguousarray(assurance_draws, dtype=np.float64).reshape(-1)
        digest = hashlib.sha256(assurance_draws.tobytes()).hexdigest()[:16]
        tag = f"{transport}:{digest}"
    keys = [cell_key(d, trials, seed, analyses, tag) for d in designs_]
    folder = None
    fingerprint = hashlib.sha256("\n".join([repr(grid), *keys]).encode()).hexdigest()
    if out_path is not None:
        out_path = check_writable(out_path)
        folder = cells_folder(out_path)
        done = _finished_sweep(out_path, fingerprint)
        if done is not None:  # the same sweep was already finished: reuse it whole
            if progress is not None:
                progress(len(cells))
            return done
    results: dict[str, dict] = {}
    todo = []
    for key, d in zip(keys, designs_, strict=True):
        cached = _read_cell(folder, key) if folder is not None else None
        if cached is not None:
            results[key] = cached
            if progress is not None:
                progress(1)
        else:
            todo.append((key, d))

    def finish(key: str, value: dict) -> None:
        # through JSON either way, so fresh and reused cells are the same numbers
        text = json.dumps(value, sort_keys=True)
        if folder is not None:
            atomic_write_text(folder / f"{key}.json", text)
        results[key] = json.loads(text)
        if progress is not None:
            progress(1)

    owned_cluster = None
    if client is None and todo:
        client, owned_cluster = _client(scheduler, workers)
        own_client = client is not None
    else:
        own_client = False
    try:
        if folder is not None:
            folder.mkdir(exist_ok=True)  # only once the inputs and the cluster are good
        if client is None:
            for key, d in todo:
                finish(key, evaluate_cell(d, trials, seed, analyses, assurance_draws, transport))
        elif todo:
            from dask.distributed import as_completed

            futures = {
                client.submit(
                    _cell_task,
                    d.to_dict(),
                    int(trials),
                    int(seed),
                    analyses,
                    assurance_draws,
                    transport,
                    key=f"cell-{key}",
                ): key
                for key, d in todo
            }
            try:
                for fut in as_completed(futures):
                    finish(futures[fut], fut.result())
            finally:
                for fut in futures:
                    fut.cancel()
    finally:
        if own_client:
            client.close()
        if owned_cluster is not None:
            owned_cluster.close()

    ds = _assemble(design, grid, cells, keys, results, trials, seed, analyses)
    ds.attrs["cells_sha256"] = fingerprint  # grid and every cell's key: a rerun reuses it
    if tag is not None:
        ds.attrs["assurance_transport"] = transport
        ds.attrs["assurance_posterior_draws"] = int(assurance_draws.size)
    if command is not None:
        ds.attrs["command"] = command  # rerunning it reproduces this file exactly
    if out_path is not None:
        with atomic_path(out_path) as tmp:
            ds.to_netcdf(tmp, engine="h5netcdf")
        shutil.rmtree(folder, ignore_errors=True)
    return ds


def _read_cell(folder: Path, key: str) -> dict | None:
    path = folder / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _assemble(design, grid, cells, keys, results, trials, seed, analyses) -> xr.Dataset:
    dims = [*grid, "analysis"]
    shape = [len(v) for v in grid.values()] + [len(analyses)]
    data = {}
    variables = dict(VARIABLES)
    if "assurance" in results[keys[0]][analyses[0]]:
        variables.update(ASSURANCE_VARIABLES)
    for var in variables:
        dtype = np.int64 if var == "failed_fits" else np.float64
        arr = np.empty(shape, dtype=dtype)
        flat = arr.reshape(-1, len(analyses))
        for i, key in enumerate(keys):
            for j, a in enumerate(analyses):
                value = results[key][a][var]
                flat[i, j] = np.nan if value is None else value
        desc, units = variables[var]
        data[var] = (dims, arr, {"description": desc, "units": units})
    coords: dict = {}
    for dim, values in grid.items():
        attrs = dict(DIM_ATTRS[dim])
        if dim == "effect":
            kind = design.effect.kind.value
            attrs["units"] = (
                "points/month" if kind == "slope_difference" else "fraction of |slope_mean|"
            )
            attrs["long_name"] = f"effect.value ({kind})"
        coords[dim] = (dim, np.asarray(values), attrs)
    coords["analysis"] = ("analysis", np.asarray(analyses, dtype=str))
    entries = [registry.get(a) for a in analyses]
    coords["estimand"] = ("analysis", np.asarray([e.estimand for e in entries], dtype=str))
    coords["units"] = ("analysis", np.asarray([e.units for e in entries], dtype=str))
    units = sorted({e.units for e in entries})
    data["mean_estimate"][2]["units"] = units[0] if len(units) == 1 else "see coord units"
    data["true_effect"][2]["units"] = data["mean_estimate"][2]["units"]
    data["mean_estimate"][2]["estimand"] = "; ".join(f"{e.name}: {e.estimand}" for e in entries)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs = {
        "title": "ALS trial power sweep",
        "design_toml": design.to_toml(),
        "seed": int(seed),
        "trials_per_cell": int(trials),
        "analyses": ",".join(analyses),
        "alpha": float(design.trial.alpha),
        "sides": int(design.trial.sides),
        "software": f"als-trial-sim {__version__}",
        "version": __version__,
        "common_random_numbers": "same seed in every cell: same patients, prefixes nest in n",
    }
    return ds


def _finished_sweep(path: Path, fingerprint: str) -> xr.Dataset | None:
    """The sweep already in ``path`` if it has exactly these cells (else None)."""
    if not path.is_file():
        return None
    try:
        ds = load_sweep(path)
    except InputError:  # not a sweep of ours: compute afresh (and replace it)
        return None
    return ds if ds.attrs.get("cells_sha256") == fingerprint else None


def load_sweep(path: str | Path) -> xr.Dataset:
    """Open a sweep written by :func:`run_sweep` (checks it is one of ours)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        ds = xr.load_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a netCDF file ({type(exc).__name__})") from None
    if ds.attrs.get("title") != "ALS trial power sweep" or "power" not in ds:
        raise InputError(f"{path}: not a sweep written by this tool")
    return ds
