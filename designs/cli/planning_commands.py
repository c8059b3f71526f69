"""Planning subcommands: sweep, sample-size (assurance: :mod:`assurance_command`; report:
:mod:`report_command`)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from designs import __version__
from designs.cli.interim_commands import sample_size_group_sequential
from designs.cli.interim_options import add_look_decision, base_looks_for_grid
from designs.cli.options import (
    add_analysis,
    add_command,
    add_decision,
    add_design,
    add_force,
    add_grid,
    add_interim,
    add_posterior,
    add_seed_json,
    add_targets,
    add_trials,
    check_targets,
    check_targets_above_level,
    command_args,
    command_line,
    design_from_args,
    design_inputs,
    grid_values,
    phase2_posterior,
    print_json,
    warn,
    whole,
)
from designs.cli.parser import hide_options
from designs.cli.progress import progress_bar
from designs.cli.refine_options import add_refine_trials, asked_refine_trials, check_refine_trials
from designs.errors import InputError

#: The sweep's grid options: (flag, dimension, integer values, help).
SWEEP_GRIDS = (
    ("--n-per-arm", "n_per_arm", True, "patients per arm, e.g. 50:300:25 or 50 100 150"),
    ("--n-total", "n_total", True, "patients randomised in all (unequal allocation)"),
    (
        "--effect",
        "effect",
        False,
        "effect.value grid, in the design's units, e.g. 0.2 0.3, or percentages for a "
        "proportional slowing, e.g. 20%%:30%%:5%%",
    ),
    ("--duration", "duration_months", False, "trial length, months (visits keep their spacing)"),
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
        "--workers", type=whole(1, 1024), help="start a local Dask cluster with N worker processes"
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
    for dim, tokens in (("looks", args.looks_grid), ("spending", args.spending_grid)):
        if tokens is not None:
            grid[dim] = tuple(tokens)
    if not grid:
        flags = ", ".join([*(flag for flag, *_ in SWEEP_GRIDS), "--looks", "--spending"])
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
        shape = ", ".join(f"{k} {v}" for k, v in dims.items())
        verb = "reused (already finished)" if reused else "wrote"
        print(
            f"{verb} {args.out}: {cells} cells ({shape}), {args.trials} trials each, "
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


def add_sample_size(sub) -> None:
    p = add_command(
        sub, "sample-size", "n for target powers (simulated), as a table", cmd_sample_size
    )
    add_seed_json(p)
    add_design(p)
    add_targets(p)
    add_trials(p, 2000, lo=10, what="simulated trials per size")
    add_refine_trials(p)
    hide_options(p, "--n-per-arm", "--n-total")  # refused: the search finds n
    add_analysis(p, several=False)
    add_grid(p, "--sizes", "simulate exactly these sizes (default: a bracket from the closed form)")
    add_decision(p)
    add_interim(p)
    add_look_decision(p)
    add_posterior(p)
    p.add_argument(
        "--format",
        choices=TABLE_FORMATS,
        help="table format (default: by --out's suffix, .md, .csv or .tex; else md; with "
        "--looks md or csv: `report --looks` writes the interim design's LaTeX)",
    )
    p.add_argument("--out", help="also write the table to this file")
    p.add_argument(
        "--figure",
        metavar="PATH",
        help="also draw the search (power over n, 95%% MC bars, fitted curve, targets) to "
        "PATH: PNG (300 dpi) or PDF by its suffix; fixed designs",
    )
    add_force(p)


def _check_figure(args, design) -> None:
    """``--figure``: a .png or .pdf name that may be written, for a fixed design."""
    if args.figure is None:
        return
    from designs.atomic import check_writable
    from designs.outputs.figures import is_figure_file  # imports matplotlib: only when asked

    if Path(args.figure).suffix.lower() not in (".png", ".pdf"):
        raise InputError(f"--figure {args.figure}: give a file name ending in .png or .pdf")
    if design.interim.sequential:
        raise InputError("--figure: with interim looks no figure is drawn yet (fixed designs)")
    if args.out and Path(args.figure).resolve() == Path(args.out).resolve():
        raise InputError(
            f"--figure {args.figure}: is also --out; give the table and the figure two files"
        )
    check_writable(
        args.figure,
        "--figure",
        inputs=design_inputs(args),
        is_earlier_output=is_figure_file,
        what="figure drawn by this tool",
        force=args.force,
    )


def _write_outputs(args, table: str, result, design) -> None:
    """The table (``--out``) and the search's figure (``--figure``): the figure drawn first,
    then both renamed into place together with Ctrl-C held (a reliability review: a Ctrl-C
    while the figure was drawn left the new table beside the old figure)."""
    from designs.atomic import atomic_paths

    outputs = []  # (path, option, bytes, what it is)
    if args.out:
        outputs.append((args.out, "--out", table.encode("utf-8"), f"the table, {args.format}"))
    if args.figure:
        from designs.outputs.figures import sample_size_figure_bytes
        from designs.planning.report_plan import closed_form_reference

        reference = closed_form_reference(design, result, result.analysis)
        figure = sample_size_figure_bytes(result, closed_form=reference, design=design)
        suffix = Path(args.figure).suffix.lower().lstrip(".")
        outputs.append((args.figure, "--figure", figure[suffix], "the search's figure"))
    if not outputs:
        return
    verbs = ["replaced" if Path(path).exists() else "wrote" for path, *_ in outputs]
    with atomic_paths([o[0] for o in outputs], [o[1] for o in outputs]) as tmps:
        for tmp, (_, _, content, _) in zip(tmps, outputs, strict=True):
            tmp.write_bytes(content)
    # stderr: stdout is the table
    warn([f"{v} {path} ({what})" for v, (path, _, _, what) in zip(verbs, outputs, strict=True)])


def size_rows_json(rows, design, rule: dict) -> list[dict]:
    """Sample-size rows as ``sample-size --json`` gives them, and the report's JSON too: each
    row, ``fresh_check_missed`` (as in the CSV; it was on stderr only), the decision rule's
    name and, under the posterior rule, ``decision_rule`` (:func:`~designs.planning.
    decision_rule.rule_record`)."""
    from designs.outputs.fresh_check import fresh_check_field

    extra = {"decision": design.decision.rule.value, **({"decision_rule": rule} if rule else {})}
    return [{**r.to_dict(), **fresh_check_field(r), **extra} for r in rows]


#: The table formats of ``sample-size`` (:data:`designs.outputs.tables.FORMATS`, not imported
#: where --help is built; a test keeps them equal), and the suffix of an ``--out`` file of each.
TABLE_FORMATS = ("md", "csv", "latex")
TABLE_SUFFIXES = {".md": "md", ".csv": "csv", ".tex": "latex"}
#: Suffixes of plain text files, which take any format (``--format``, else md).
TEXT_SUFFIXES = (".txt", ".markdown", ".latex")


def table_format(given: str | None, out: str | None) -> str:
    """The table format: ``--format`` when given, else the one ``--out``'s suffix names, else
    md. A format that contradicts the suffix (markdown into ``table.csv``) is refused."""
    implied = TABLE_SUFFIXES.get(Path(out).suffix.lower()) if out else None
    if given is None:
        return implied or "md"
    if implied is not None and implied != given:
        raise InputError(
            f"--format {given}: --out {out} is a {implied} file by its suffix; give --format "
            f"{implied}, or an --out file ending in "
            f"{next(k for k, v in TABLE_SUFFIXES.items() if v == given)}"
        )
    return given


def check_table_suffix(out: str | None) -> None:
    """Refuse an ``--out`` file whose suffix is neither a table's nor plain text's (a review:
    markdown went into ``ss.xlsx``); a file without a suffix is plain text."""
    suffix = Path(out).suffix.lower() if out else ""
    if suffix and suffix not in TABLE_SUFFIXES and suffix not in TEXT_SUFFIXES:
        raise InputError(
            f"--out {out}: a sample-size table is text; give a file ending in "
            f"{', '.join(TABLE_SUFFIXES)}, {', '.join(TEXT_SUFFIXES)} or none"
        )


def cmd_sample_size(args) -> int:
    from designs.atomic import check_writable
    from designs.cli.data_commands import decision_prior_from_args
    from designs.outputs.console import (
        failed_fit_warnings,
        second_stage_warnings,
        type_i_warnings,
    )
    from designs.outputs.fresh_check import fresh_check_warnings
    from designs.outputs.tables import is_sample_size_table, sample_size_table
    from designs.planning.power_curve import size_name
    from designs.planning.sample_size import find_sample_size
    from designs.planning.size_limit import MAX_SIZE

    check_targets(args.target_power)
    args.format_from_out = args.format is None and args.out is not None
    args.format = table_format(args.format, args.out)
    sizes = grid_values(args, "--sizes", integer=True)
    design = design_from_args(args, size_searched=True)
    check_targets_above_level(args.target_power, design)
    if sizes:
        from designs.planning.size_grid import min_size

        unit = "per arm" if design.trial.allocation.equal else "in total"
        if min(sizes) < (least := min_size(design)):
            raise InputError(f"--sizes {min(sizes)}: must be >= {least} (patients {unit})")
    if args.out:
        check_writable(
            args.out,
            inputs=design_inputs(args),
            is_earlier_output=is_sample_size_table,
            what="sample-size table written by this tool",
            force=args.force,
        )
    _check_figure(args, design)
    check_table_suffix(args.out)
    check_refine_trials(args, design)
    if design.interim.sequential:
        return sample_size_group_sequential(design, args, sizes)
    prior = decision_prior_from_args(design, args)
    with progress_bar(0, "trial", not args.json) as bar:
        result = find_sample_size(
            design,
            args.target_power,
            args.trials,
            args.seed,
            args.analysis,
            sizes=sizes,
            threads=args.threads,
            progress=bar.update,
            prior=prior,
            refine_trials=args.refine_trials,
        )
    table = sample_size_table(result, design, args.format)
    _write_outputs(args, table, result, design)
    if args.json:
        from designs.planning.decision_rule import rule_record

        # the posterior rule's threshold and prior beside each row
        print_json(size_rows_json(result.rows, design, rule_record(design, prior)), record=True)
    else:
        print(table, end="")
        if prior is not None:
            from designs.outputs.console import prior_text

            print(prior_text(design, prior))
    warn(failed_fit_warnings(result.rows, design))
    warn(second_stage_warnings(result, asked_refine_trials(args)))
    warn(fresh_check_warnings(result.rows, design, rerun=command_args()))
    warn(type_i_warnings(result.rows, design))
    from designs.outputs.effect_notes import informative_exits_notes

    warn(informative_exits_notes(design, result.analysis))
    warn(
        f"warning: target power {r.target_power:g} not reached at the largest size simulated "
        f"({size_name(design)} {r.n:,}); "
        + ("give larger --sizes" if sizes else f"the search stops at {MAX_SIZE:,}")
        for r in result.rows
        if not r.reached
    )
    return 0
