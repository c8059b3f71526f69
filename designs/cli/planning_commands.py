"""Planning subcommand sample-size (sweep: :mod:`sweep_command`; assurance:
:mod:`assurance_command`; report: :mod:`report_command`)."""

from __future__ import annotations

import sys
from pathlib import Path

from designs.cli.interim_commands import sample_size_group_sequential
from designs.cli.interim_options import add_look_decision
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
    design_from_args,
    design_inputs,
    grid_values,
    print_json,
    warn,
)
from designs.cli.parser import hide_options
from designs.cli.progress import progress_bar
from designs.cli.refine_options import add_refine_trials, asked_refine_trials, check_refine_trials
from designs.errors import InputError


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
    from designs.outputs.tables import is_sample_size_table, sample_size_table
    from designs.planning.sample_size import find_sample_size

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
        from designs.planning.size_grid import size_step

        step = size_step(design)
        odd = next((n for n in sizes if n % step), None)
        if odd is not None:  # a bad-input review: 31 at 1:2 was simulated, n shown as 30
            a = design.trial.allocation
            raise InputError(
                f"--sizes {odd}: with {a.placebo:g}:{a.active:g} allocation the sizes are "
                f"totals in multiples of {step}, so that the arms are in the ratio exactly "
                f"(as the search's n): e.g. {step * (odd // step)} or {step * (odd // step + 1)}"
            )
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
    cautions = _size_cautions(args, result, design, sizes)
    # a Markdown file carries its cautions under the table, as the report's sample_size.md
    # (a paste-ready review: the .tex kept the fresh-trial check's warning, the .md lost it)
    from designs.outputs.report_cautions import with_cautions

    md = args.format == "md"
    _write_outputs(args, with_cautions(table, cautions) if md else table, result, design)
    if args.json:
        from designs.planning.decision_rule import rule_record

        # the posterior rule's threshold and prior beside each row
        print_json(size_rows_json(result.rows, design, rule_record(design, prior)), record=True)
    else:
        print(table, end="")
        if prior is not None:
            from designs.outputs.console import prior_text

            # a CSV or LaTeX table on stdout is the table alone (a paste-ready review: the
            # prior's line after it broke pandas' reading and LaTeX's compiling)
            print(prior_text(design, prior), file=sys.stdout if md else sys.stderr)
    warn(cautions)
    return 0


def _size_cautions(args, result, design, sizes) -> list[str]:
    """The sample-size search's warnings and notes, as stderr gives them and a Markdown
    ``--out`` file carries them."""
    from designs.outputs.console import failed_fit_warnings, second_stage_warnings
    from designs.outputs.effect_notes import design_notes, informative_exits_notes
    from designs.outputs.fresh_check import fresh_check_warnings
    from designs.outputs.level_warnings import type_i_warnings
    from designs.outputs.small_arm import small_n_notes
    from designs.planning.power_curve import size_name
    from designs.planning.size_limit import MAX_SIZE

    return [
        *failed_fit_warnings(result.rows, design),
        *second_stage_warnings(result, asked_refine_trials(args)),
        *fresh_check_warnings(result.rows, design, rerun=command_args()),
        *type_i_warnings(result.rows, design),
        *small_n_notes(result.rows, design),
        *informative_exits_notes(design, result.analysis),
        # as power says them (clinimetrics, covariate, multiplicity and heterogeneity reviews)
        *design_notes(design, [result.analysis]),
        # the largest size given, which the row's n (whole blocks of the allocation) can be
        # below (a bad-input review: --sizes 30 31 under 1:2 read "largest size simulated 30")
        *(
            f"warning: target power {r.target_power:g} not reached at the largest size "
            f"simulated ({size_name(design)} {max(sizes) if sizes else r.n:,}); "
            + ("give larger --sizes" if sizes else f"the search stops at {MAX_SIZE:,}")
            for r in result.rows
            if not r.reached
        ),
    ]
