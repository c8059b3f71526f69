"""The ``sweep`` subcommand: power over a grid of designs, to an xarray netCDF file."""

from __future__ import annotations

import math
import sys

from designs import __version__
from designs.cli.interim_options import add_look_decision, base_looks_for_grid
from designs.cli.options import (
    add_analysis,
    add_command,
    add_decision,
    add_design,
    add_force,
    add_grid,
    add_posterior,
    add_seed_json,
    add_trials,
    command_line,
    design_from_args,
    design_inputs,
    grid_values,
    phase2_posterior,
    print_json,
    warn,
    whole,
)
from designs.cli.progress import progress_bar
from designs.errors import InputError

#: The sweep's grid options: (flag, dimension, integer values, help).
SWEEP_GRIDS = (
    ("--n-per-arm", "n_per_arm", True, "patients per arm, e.g. 50:300:25 or 50 100 150"),
    ("--n-total", "n_total", True, "patients randomised in all (unequal allocation)"),
    (
        "--effect",
        "effect",
        False,
        "effect.value grid in the design's effect.kind, e.g. 0.2 0.3 or 20%%:30%%:5%% for the "
        "bundled designs' proportional slowing; for points/month add --set "
        "effect.kind=slope_difference",
    ),
    (
        "--duration",
        "duration_months",
        False,
        "follow-up per patient, months: the last visit's month (visits keep their spacing; "
        "the calendar length adds accrual)",
    ),
    (
        "--dropout",
        "dropout_12m",
        False,
        "dropout by month 12 were no one to die, as fractions or percentages (0.3 or 30%%; "
        "constant MCAR hazard -ln(1 - D) / 12; the design's deaths compete with it, so a "
        "little fewer drop out: the file's dropped_out)",
    ),
    (
        "--informative",
        "dropout_informative",
        False,
        "dropout.informative grid: log-hazard per point/month of faster decline (0 = MCAR); "
        "death_informative stays the design's (--set dropout.death_informative=...)",
    ),
    (
        "--slope-sd",
        "slope_sd",
        False,
        "population.slope_sd grid: between-patient SD of the natural slope, points/month, "
        "e.g. 0.3 0.35 0.45 (n grows about with the slope variance; the published figures "
        "differ: docs/references.md)",
    ),
    ("--prior-weight", "prior_weight", False, None),  # added by add_decision(weight_grid=True)
)


def add_sweep(sub) -> None:
    p = add_command(
        sub, "sweep", "power over a grid of designs, to an xarray netCDF file", cmd_sweep
    )
    add_seed_json(p)
    add_design(p, sizes=False)
    for flag, _, _, help_text in SWEEP_GRIDS:
        if help_text is not None:
            add_grid(p, flag, help_text)
    add_decision(p, weight_grid=True)
    add_look_decision(p)
    p.add_argument(
        "--looks",
        nargs="+",
        action="extend",  # given twice: both lists (a review: the first was dropped)
        dest="looks_grid",
        metavar="LABEL",
        help="interim plans to compare (dimension looks): fixed, or information fractions "
        "per plan, e.g. fixed 0.5,1 0.33,0.67,1",
    )
    p.add_argument(
        "--spending",
        nargs="+",
        action="extend",  # given twice: both lists (a review: the first was dropped)
        dest="spending_grid",
        metavar="NAME",
        help="alpha-spending functions to compare (dimension spending): obf pocock hsd:-4 ...",
    )
    p.add_argument(
        "--information",
        nargs="+",
        action="extend",
        dest="information_grid",
        metavar="WHICH",
        help="interim.information to compare (dimension information): observed (each trial's "
        "boundaries at its own 1/SE^2) and/or planned (the planned boundaries for every trial)",
    )
    p.add_argument(
        "--assurance",
        action="store_true",
        help="also compute assurance in every cell (over the phase 2 posterior)",
    )
    add_posterior(p)
    p.add_argument(
        "--transport",
        choices=("proportional", "absolute"),
        default=None,
        help="how a posterior draw becomes this population's effect (with --assurance; "
        "default: the design's effect.transport)",
    )
    add_analysis(p, several=True)
    p.add_argument(
        "--estimator",
        choices=("auto", "plain"),
        default="auto",
        help="auto: the control variate in every cell when it is exact in every cell (as "
        "`power` takes it), else the plain share of trials in every cell, so that cells "
        "compare on common trials; plain: the plain share always (default: auto)",
    )
    add_trials(p, 2000, what="simulated trials per cell")
    p.add_argument("--out", required=True, help="netCDF file to write (FILE.nc)")
    add_force(p, "; also discard the finished cells another, interrupted sweep left beside it")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    where.add_argument(
        "--workers",
        type=whole(1),
        help="start a local Dask cluster with N worker processes (at most the CPUs here)",
    )


def cmd_sweep(args) -> int:
    from designs.atomic import check_writable
    from designs.outputs.console import failed_fits_rule
    from designs.outputs.posterior_source import posterior_record
    from designs.outputs.sweep_notes import (
        allocation_notes,
        dropout_axis_notes,
        duration_axis_notes,
        estimator_notes,
        sweep_table_lines,
    )
    from designs.planning.posterior import posterior_draws
    from designs.planning.sweep import is_sweep_file, run_sweep

    if not str(args.out).lower().endswith((".nc", ".nc4")):
        # a review: `--out results/x.txt` wrote netCDF under a text file's name
        raise InputError(f"--out {args.out}: a sweep is a netCDF file; give a name ending in .nc")
    check_writable(
        args.out,
        "--out",
        inputs=design_inputs(args),
        is_earlier_output=is_sweep_file,
        what="sweep written by this tool",
        force=args.force,
    )
    args.set = [*args.set, *base_looks_for_grid(args)]  # --thresholds need looks to check
    total = grid_values(args, "--n-total", integer=True)
    if total and min(total) >= 4:  # the base design takes n_total too (with unequal
        # allocation a design's own n_per_arm was refused before the grid replaced it: a
        # review); values below 4 are left to the grid's check, which names --n-total
        args.set = [f"trial.n_total={max(total)}", *args.set]
    design = design_from_args(args, analysis_field=False)
    grid = {dim: grid_values(args, flag, integer=integer) for flag, dim, integer, _ in SWEEP_GRIDS}
    grid = {dim: values for dim, values in grid.items() if values is not None}
    interim_grids = (
        ("looks", args.looks_grid),
        ("spending", args.spending_grid),
        ("information", args.information_grid),
    )
    for dim, tokens in interim_grids:
        if tokens is not None:
            grid[dim] = tuple(tokens)
    if not grid:
        flags = ", ".join(
            [*(flag for flag, *_ in SWEEP_GRIDS), "--looks", "--spending", "--information"]
        )
        raise InputError(f"sweep: give at least one of {flags}")
    from designs.planning.sweep.grid import _check_grid

    # bad grids are refused before the phase 2 posterior is read; repeated labels counted once
    grid = _check_grid(design, grid)
    for note in allocation_notes(design, grid.get("n_total", ())):
        print(note, file=sys.stderr)
    draws = phase2 = None
    # --posterior is read by --assurance or by a borrowing prior; alone it used to add
    # assurance silently (a review), now it is refused like every option nothing reads
    if args.transport is not None and not args.assurance:
        raise InputError(f"--transport {args.transport}: read only with --assurance; drop it")
    transport = args.transport or design.effect.transport.value
    idata = None
    if args.assurance:
        idata = phase2_posterior(args.posterior)
        draws = posterior_draws(idata, transport)
    borrows = design.decision.is_posterior and design.decision.prior.value == "robust"
    if borrows and (design.decision.prior_weight > 0 or "prior_weight" in grid):
        from designs.planning.decision_rule import phase2_effect_prior

        idata = idata if idata is not None else phase2_posterior(args.posterior)
        phase2 = phase2_effect_prior(design, idata)
    elif args.posterior and draws is None:  # nothing reads it
        raise InputError(
            f"--posterior {args.posterior}: read here only for --assurance or by the robust "
            "prior with a weight above 0; add --assurance or drop it"
        )
    cells = math.prod(len(v) for v in grid.values())
    before = _identity(args.out)
    counts: dict = {}
    with progress_bar(cells, "cell", not args.json) as bar:
        ds = run_sweep(
            design,
            grid,
            args.trials,
            args.seed,
            tuple(args.analysis) if args.analysis else None,
            args.out,
            scheduler=args.scheduler,
            workers=args.workers,
            progress=bar.update,
            command=command_line(),
            assurance_draws=draws,
            transport=transport,
            phase2_prior=phase2,
            counts=counts,
            posterior_record=None if idata is None else posterior_record(idata.attrs),
            estimator=args.estimator,
            force=args.force,
        )
    dims = {k: int(v) for k, v in ds.sizes.items()}
    reused = before is not None and before == _identity(args.out)  # the file was not rewritten
    kept = 0 if reused else counts.get("cells_reused", 0)  # cells of an interrupted run
    resumed = kept > 0
    if args.json:
        print_json(
            {
                "out": str(args.out),
                "dims": dims,
                "cells": cells,
                "trials_per_cell": args.trials,
                "seed": args.seed,
                "analyses": list(ds.analysis.values.tolist()),
                "estimator": ds.attrs.get("estimator"),
                "version": __version__,
                "resumed": resumed,
                "cells_resumed": kept,
                "reused": reused,
            },
            record=True,
        )
    else:
        shape = ", ".join(f"{k} {v}" for k, v in dims.items() if k != "analysis")
        if dims.get("analysis", 1) > 1:  # one cell's trials, every analysis (a review: "4
            # cells (n_per_arm 2, effect 2, analysis 2)" and 8 rows)
            shape += f"; {dims['analysis']} analyses of each cell's trials"
        # "replaced" an earlier file, as sample-size says it (a reliability review: "wrote")
        verb = "reused (already finished)" if reused else "replaced" if before else "wrote"
        print(
            f"{verb} {args.out}: {cells} cell{'s' if cells != 1 else ''} ({shape}), "
            f"{args.trials} trial{'s' if args.trials != 1 else ''} each, "
            f"seed {args.seed}{f' (resumed: {kept} of {cells} cells kept)' if resumed else ''}"
        )
        print("\n".join(sweep_table_lines(ds, design)))
    worst = float((ds.failed_fits / args.trials).max())
    if worst > 0.01:
        warn(
            [
                f"warning: up to {worst:.1%} of fits failed in a cell (see failed_fits in "
                f"{args.out}); {failed_fits_rule(design)}"
            ]
        )
    warn(estimator_notes(counts))
    warn(dropout_axis_notes(design, grid))
    warn(duration_axis_notes(design, grid))
    from designs.outputs.level_warnings import lenient_alpha_notes

    warn(lenient_alpha_notes(design))  # as power says it (a multiplicity review)
    if counts.get("other_cells_kept"):
        from designs.planning.sweep import cells_folder

        warn(
            [
                f"note: {cells_folder(args.out)} keeps {counts['other_cells_kept']} finished "
                "cell(s) of another sweep to this file (other options, seed or code) that was "
                "interrupted: its own command resumes from them; delete the folder if they are "
                "not wanted (or rerun with --force, which discards them)"
            ]
        )
    return 0


def _identity(path) -> tuple[int, int] | None:
    """(inode, modification time) of ``path``, or None: unchanged means not rewritten."""
    import os

    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns
