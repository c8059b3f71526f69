"""Running a sweep: every cell on threads here or on Dask, resumable from finished cells.

Resuming: each finished cell is written at once (atomically) into ``OUT.cells/`` as a small
JSON file named by :func:`~designs.planning.sweep.cells.cell_key`. A rerun of the same sweep
reuses those files; the final netCDF is written atomically from the cell files, so an
interrupted and resumed sweep gives exactly the file an uninterrupted one gives. The cell
folder is removed once the final file is written; a rerun of a finished sweep reuses the file.

Dask: ``scheduler="tcp://host:8786"`` sends cells to an existing cluster
(``dask.distributed.Client``); ``workers=N`` starts a local cluster.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from designs.analyses import registry
from designs.atomic import (
    atomic_path,
    atomic_write_text,
    check_writable,
    signals_held,
    write_netcdf,
)
from designs.errors import InputError
from designs.planning.sweep.cells import _cell_task, cell_key, evaluate_cell
from designs.planning.sweep.cluster import _client, _close_quietly, check_workers
from designs.planning.sweep.dataset import VARIABLES, _assemble, load_sweep
from designs.planning.sweep.design import cell_design
from designs.planning.sweep.grid import _cells, _check_grid
from designs.planning.sweep.interim import INTERIM_DIMS, INTERIM_VARIABLES
from designs.planning.sweep.lock import OutputLock
from designs.simulation.numba_cache import code_version
from designs.simulation.seeds import check_seed


def cells_folder(out_path: str | Path) -> Path:
    """Folder holding the finished cells of a sweep written to ``out_path``."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.name + ".cells")


#: The sweep dimensions of alpha spending, with what each sets (for the refusals).
_SPENDING_DIMS = (
    ("spending", "alpha spending"),
    ("information", "the information alpha spending reads"),
)


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
    phase2_prior=None,
    counts: dict | None = None,
    posterior_record: dict | None = None,
    estimator: str = "auto",
    force: bool = False,
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
    posterior_record : dict, optional
        The phase 2 posterior's provenance
        (:func:`designs.outputs.posterior_source.posterior_record`), recorded as the JSON
        attribute ``phase2_posterior`` when assurance or a borrowing prior read one.
    assurance_draws : float64[D], optional
        Posterior draws of the effect in the ``transport``'s units: every cell then also
        holds ``assurance`` (and its MC SE), so assurance curves over n sit beside power.
    transport : {"proportional", "absolute"}
    phase2_prior : designs.analyses.decision.NormalMixture, optional
        Under the posterior rule with a robust prior: the phase 2 effect (points/month) it
        borrows from (:func:`designs.planning.decision_rule.phase2_effect_prior`). Every
        cell then also holds ``type1`` (same trials, no effect) beside ``power``, the rule's
        success probability.
    estimator : {"auto", "plain"}
        ``"auto"``: the control variate (docs/conventions.md#power) in every cell when it
        is exact in every cell, as ``simulate.py power`` takes it; when it is not (a grid
        over informative dropout, or over interim plans with the fixed one), the plain share
        of trials in every cell, so that cells are estimated alike and their differences
        stay paired on common trials (a sweep review: fixed against O'Brien-Fleming at 600
        trials, the difference's SD was 0.0163 with the control in the fixed cell alone,
        0.0029 with plain shares). ``"plain"``: the plain share in every cell. The
        attribute ``estimator`` records which was used: ``"control variate"`` or
        ``"plain"``.
    force : bool
        Discard the finished cells of another, interrupted sweep to the same ``out_path``
        (without it they are kept beside the file, so that its command can still resume).
    counts : dict, optional
        Filled with ``cells_reused``: the cells read from an earlier, interrupted run (all of
        them when a finished file of the same sweep is reused); ``other_cells_kept``: the
        finished cells of another sweep left in the cells folder; and ``plain_in_every_cell``
        (True) when ``"auto"`` took the plain share everywhere because some cells, not all,
        could have had the control variate.

    Returns
    -------
    xarray.Dataset
        Dims: the swept ones (in the order of ``DIMS``) and ``analysis``; variables
        ``rejection_rate``, ``power_favourable``, ``rejection_rate_mc_se``,
        ``rejection_rate_ci_low``, ``rejection_rate_ci_high``, ``mean_estimate``,
        ``failed_fits``, ...; coords ``estimand`` and ``estimate_units`` along
        ``analysis``; attrs with the design (TOML), seed, trials per cell, analyses and
        package version.
    """

    if int(trials) < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    if estimator not in ("auto", "plain"):
        raise InputError(f"estimator = {estimator!r}: must be auto or plain")
    if client is None and scheduler is None and workers is not None:
        check_workers(workers)
    seed = check_seed(seed)
    analyses = tuple(analyses or (str(design.trial.analysis),))
    registry.check_distinct(analyses)
    for name in analyses:
        registry.get(name)  # an unknown name is bad input listing the allowed ones
    grid = _check_grid(design, grid)
    cells = _cells(grid)
    for dim, what in _SPENDING_DIMS:
        if dim in grid and design.decision.is_posterior:
            raise InputError(
                f"--{dim}: {what} belongs to the frequentist rule (the posterior rule stops by "
                f"its thresholds); drop --{dim} or use --decision frequentist"
            )
    from designs.planning.power import check_fixed_effect

    check_fixed_effect(design)  # before any folder or cluster (a review: refused in a cell)
    designs_ = [cell_design(design, c) for c in cells]  # validates every cell up front
    for dim, what in _SPENDING_DIMS:
        if dim in grid and not any(d.interim.sequential for d in designs_):
            # every cell fixed: the dimension would repeat the same numbers (a review: obf and
            # pocock cells identical, labelled as two plans)
            raise InputError(
                f"--{dim}: no cell has interim looks, so {what} would be ignored; add --looks "
                "with a plan other than fixed, or a design with looks"
            )
    # before any file is made (the engine would refuse it per cell)
    lead_in = all(d.trial.lead_in_months > 0 for d in designs_)
    registry.check_lead_in(analyses, lead_in, "--analysis {name}")
    tag = None
    if assurance_draws is not None:
        assurance_draws = np.ascontiguousarray(assurance_draws, dtype=np.float64).reshape(-1)
        digest = hashlib.sha256(assurance_draws.tobytes()).hexdigest()[:16]
        tag = f"{transport}:{digest}"
    if design.decision.is_posterior:
        from designs.planning.decision_rule import check_analyses, decision_prior

        check_analyses(analyses)
        for d in designs_:  # a cell that borrows without the phase 2 prior is refused here
            decision_prior(d, phase2=phase2_prior)
    p2 = None
    if phase2_prior is not None and design.decision.is_posterior:
        p2 = (phase2_prior.weights, phase2_prior.means, phase2_prior.sds)
    interim = design.interim.sequential or any(dim in grid for dim in INTERIM_DIMS)
    if interim and tag is not None:
        raise InputError(
            "interim.looks: a sweep over interim plans simulates a fixed effect (no --assurance)"
        )
    if interim and any(d.interim.sequential for d in designs_):
        from designs.spec.interim import SEQUENTIAL_ANALYSES

        bad = [a for a in analyses if a not in SEQUENTIAL_ANALYSES]
        if bad:
            raise InputError(
                f"--analysis {bad[0]}: cannot be analysed at interim looks; use "
                f"{' or '.join(SEQUENTIAL_ANALYSES)}"
            )
        from designs.planning.look_times import look_times

        for d in designs_:  # every cell's looks are planned before any cell is simulated
            if d.interim.sequential:
                look_times(d)
    control = False
    if estimator == "auto":
        wants = _cells_with_control(designs_, analyses, trials)
        control = all(wants)
        if counts is not None and any(wants) and not control:  # cmd_sweep says why
            counts["plain_in_every_cell"] = True
    keys = [cell_key(d, trials, seed, analyses, tag, p2, interim, control) for d in designs_]
    folder = None
    fingerprint = hashlib.sha256("\n".join([repr(grid), *keys]).encode()).hexdigest()
    lock = None
    if out_path is not None:
        out_path = check_writable(out_path)
        folder = cells_folder(out_path)
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            raise InputError(
                f"--out {out_path}: {folder.name} beside it exists and is not a folder (a sweep "
                "keeps its finished cells there); move it away or choose another --out"
            )
        _check_own_folder(out_path, folder)
        others = () if force else _other_sweeps_cells(folder, keys)
        lock = OutputLock(out_path)  # a second sweep to the same file is refused
        done = _finished_sweep(out_path, fingerprint)
        if done is not None:  # the same sweep was already finished: reuse it whole
            lock.release()
            if progress is not None:
                progress(len(cells))
            if counts is not None:
                counts["cells_reused"] = len(cells)
            return done
    results: dict[str, dict] = {}
    todo = []
    # cells with the same design are one simulation (e.g. the fixed plan under --information
    # observed and planned, which it does not read: simulated twice before)
    copies = collections.Counter(keys)

    def cells_done() -> int:  # every cell of a finished design counts
        return sum(copies[key] for key in results)

    for key, d in dict(zip(keys, designs_, strict=True)).items():
        cached = _read_cell(folder, key) if folder is not None else None
        if cached is not None and not _has_variables(cached, analyses, interim):
            cached = None  # a cell of an earlier version (other variable names): recompute
        if cached is not None:
            results[key] = cached
            if progress is not None:
                progress(copies[key])
        else:
            todo.append((key, d))
    if counts is not None:
        counts["cells_reused"] = cells_done()

    def finish(key: str, value: dict) -> None:
        # through JSON either way, so fresh and reused cells are the same numbers
        text = json.dumps(value, sort_keys=True)
        if folder is not None:
            atomic_write_text(folder / f"{key}.json", _sealed_cell(text))
        results[key] = json.loads(text)
        if progress is not None:
            progress(copies[key])

    owned_cluster = None
    if client is None and todo:
        try:
            client, owned_cluster = _client(scheduler, workers)
        except BaseException:
            if lock is not None:  # refused before any work: leave nothing behind
                lock.release(undo_folders=True)
            raise
        own_client = client is not None
    else:
        own_client = False
    try:
        if folder is not None:
            folder.mkdir(exist_ok=True)  # only once the inputs and the cluster are good
        if client is None:
            for key, d in todo:
                finish(
                    key,
                    evaluate_cell(
                        d, trials, seed, analyses, assurance_draws, transport, p2, interim, control
                    ),
                )
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
                    p2,
                    interim,
                    control,
                    code_version(),
                    key=f"cell-{key}",
                ): key
                for key, d in todo
            }
            try:
                for fut in as_completed(futures):
                    finish(futures[fut], fut.result())
            except BaseException:
                # an interruption: Dask's own logs of the cancelled work and the stopping
                # workers are not the user's (a sweep review: tracebacks on a second Ctrl-C
                # or a SIGTERM to the process group); the one-line message says what is kept
                _quiet_dask_logs()
                raise
            finally:
                with signals_held():  # a second Ctrl-C mid-cancel printed Dask's traceback
                    for fut in futures:
                        fut.cancel()
    except BaseException as exc:  # interrupted or failed: finished cells stay, the lock goes
        _note_kept(exc, cells_done())
        if folder is not None:
            with contextlib.suppress(OSError):  # none had finished: no empty folder either
                folder.rmdir()
        if lock is not None:  # and the output's folders it made, where empty (a review)
            lock.release(undo_folders=True)
        raise
    finally:
        try:
            _close_quietly(client if own_client else None, owned_cluster)
        except BaseException:  # a Ctrl-C held while closing: the lock goes too
            if lock is not None:
                lock.release()
            raise

    ds = _assemble(design, grid, cells, keys, results, trials, seed, analyses)
    ds.attrs["cells_sha256"] = fingerprint  # grid and every cell's key: a rerun reuses it
    ds.attrs["estimator"] = "control variate" if control else "plain"
    if tag is not None:
        ds.attrs["assurance_transport"] = transport
        ds.attrs["assurance_posterior_draws"] = int(assurance_draws.size)
    if command is not None:
        ds.attrs["command"] = command  # rerunning it reproduces this file exactly
    if posterior_record is not None:  # a reproducibility audit: the file named no posterior
        ds.attrs["phase2_posterior"] = json.dumps(posterior_record, sort_keys=True)
    if out_path is not None:
        try:
            with atomic_path(out_path) as tmp:
                write_netcdf(ds, tmp)
        except BaseException as exc:  # a full disk: the cells stay, the lock goes (a review)
            _note_kept(exc, cells_done())
            lock.release()
            raise
        _remove_cells(folder, keep=others)
        if others and counts is not None:
            counts["other_cells_kept"] = len(others)
        lock.release()
    return ds


def _quiet_dask_logs() -> None:
    """Silence the ``distributed`` and ``tornado`` loggers for the rest of the process."""
    import logging

    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _note_kept(exc: BaseException, cells: int) -> None:
    """Tell the command line how many of this sweep's cells an interruption or a failed
    write leaves finished (a sweep review: the message counted another sweep's cells in the
    same folder)."""
    with contextlib.suppress(AttributeError, TypeError):
        exc.sweep_cells_kept = cells


def _cells_with_control(designs_, analyses, trials: int) -> list[bool]:
    """Whether the control variate is exact and wanted in each cell
    (:func:`designs.planning.control_variate.wanted`; a cell with interim looks never takes
    it); about 0.6 ms a cell."""
    from designs.planning.control_variate import wanted
    from designs.simulation.inputs import simulation_inputs

    return [
        not d.interim.sequential and wanted(simulation_inputs(d).params, analyses, trials)
        for d in designs_
    ]


#: A finished cell's file name (:func:`designs.planning.sweep.cells.cell_key`), and a cell
#: left half-written by an interrupted atomic write.
_CELL_FILE = re.compile(r"^[0-9a-f]{24}\.json$|^\.[0-9a-f]{24}\.json\..*\.part$")


def _check_own_folder(out_path: Path, folder: Path) -> None:
    """Refuse a cells folder holding files this tool did not write: they would be removed
    with the finished cells (a review found a user's folder of that name deleted)."""
    if not folder.is_dir():
        return
    foreign = sorted(p.name for p in folder.iterdir() if not _CELL_FILE.match(p.name))
    if foreign:
        raise InputError(
            f"--out {out_path}: {folder.name} beside it holds files this tool did not write "
            f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}); a sweep keeps "
            "its finished cells there and removes the folder at the end: move them away or "
            "choose another --out"
        )


def _other_sweeps_cells(folder: Path, keys) -> tuple[str, ...]:
    """The finished cells in ``folder`` that are not this sweep's: an interrupted sweep's to
    the same file, with other options, seed or code. They are kept (a sweep review: an
    interrupted 20,000-trial run's cells were removed without a word when the same --out
    was run with other options; refusing instead left no way to resume after a code change,
    which gives every cell another key), so that its own command can still resume them."""
    if not folder.is_dir():
        return ()
    mine = {f"{k}.json" for k in keys}
    return tuple(
        sorted(p.name for p in folder.iterdir() if p.name.endswith(".json") and p.name not in mine)
    )


def _remove_cells(folder: Path, keep=()) -> None:
    """Remove the finished cells but those named in ``keep`` (another sweep's), and then the
    folder, only if nothing else is in it."""
    for path in folder.iterdir() if folder.is_dir() else ():
        if _CELL_FILE.match(path.name) and path.name not in keep:
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _sealed_cell(text: str) -> str:
    """A finished cell's JSON (``text``, keys sorted) with the SHA-256 of that text, so an
    edited or damaged cell is recognised on reading."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return json.dumps({"cell": json.loads(text), "sha256": digest}, sort_keys=True)


def _has_variables(cell: dict, analyses, interim: bool = False) -> bool:
    """Whether a cell holds every variable of today's sweep for every analysis (and, in a
    sweep over interim plans, those of :data:`designs.planning.sweep.interim.INTERIM_VARIABLES`).
    """
    need = set(VARIABLES) | (set(INTERIM_VARIABLES) if interim else set())
    return all(isinstance(cell.get(a), dict) and need <= set(cell[a]) for a in analyses)


def _read_cell(folder: Path, key: str) -> dict | None:
    """A finished cell's numbers from ``folder``, or None (the cell is then computed again)
    if absent, unreadable, not of the sealed form, or not matching its checksum."""
    path = folder / f"{key}.json"
    try:
        sealed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(sealed, dict) and isinstance(sealed.get("cell"), dict)):
        return None
    text = json.dumps(sealed["cell"], sort_keys=True)
    if hashlib.sha256(text.encode()).hexdigest() != sealed.get("sha256"):
        return None
    return json.loads(text)


def _finished_sweep(path: Path, fingerprint: str) -> xr.Dataset | None:
    """The sweep already in ``path`` if it has exactly these cells (else None)."""
    if not path.is_file():
        return None
    try:
        ds = load_sweep(path)
    except InputError:  # not a sweep of ours: compute afresh (and replace it)
        return None
    return ds if ds.attrs.get("cells_sha256") == fingerprint else None
