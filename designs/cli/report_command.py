"""The report subcommand: tables, figures and a methods paragraph into a folder
(:func:`designs.planning.report_plan.plan_report` simulates, :mod:`designs.outputs.report`
renders)."""

from __future__ import annotations

from designs import __version__
from designs.cli.interim_options import add_look_decision
from designs.cli.options import (
    add_analysis,
    add_command,
    add_decision,
    add_design,
    add_force,
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
    phase2_posterior,
    print_json,
    warn,
)
from designs.cli.parser import hide_options
from designs.cli.planning_commands import size_rows_json
from designs.cli.progress import progress_bar
from designs.cli.refine_options import add_refine_trials, asked_refine_trials, check_refine_trials
from designs.errors import InputError
from designs.program import program_name


def add_report(sub) -> None:
    p = add_command(
        sub, "report", "tables, plots and a methods paragraph into a folder", cmd_report
    )
    add_seed_json(p)
    add_design(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    add_trials(
        p, 2000, lo=10, what="simulated trials per point (assurance: at least the main job's 4000)"
    )
    add_refine_trials(p, sizes=False)
    hide_options(p, "--n-per-arm", "--n-total")  # refused: the report finds n
    add_targets(p, "target power(s) in (0, 1); the operating characteristics use the first")
    add_analysis(p, several=False)
    add_posterior(p)
    p.add_argument(
        "--no-assurance",
        action="store_true",
        help="skip the posterior (no assurance curve, no posterior plot)",
    )
    add_decision(p)
    add_interim(p)
    add_look_decision(p)
    add_force(
        p,
        "; files with a report file's name that no earlier report there wrote (by its "
        "SHA256SUMS) are replaced, never removed",
    )


def cmd_report(args) -> int:
    from designs.outputs.console import second_stage_warnings
    from designs.outputs.fresh_check import fresh_check_warnings
    from designs.outputs.level_warnings import interim_type_i_warnings, type_i_warnings
    from designs.outputs.report import check_report_folder, write_report
    from designs.planning.report_plan import plan_report
    from designs.simulation.numba_cache import software

    check_targets(args.target_power)
    # the prior-weight section (with assurance) judges the design by the posterior rule with
    # a robust prior over a grid of weights: the threshold, margin, the vague SD (weight 0)
    # and the robust component's SD are read
    read = () if args.no_assurance else ("threshold", "margin", "vague_sd", "robust_sd")
    design = design_from_args(args, posterior_read=read, size_searched=True)
    check_targets_above_level(args.target_power, design)
    check_refine_trials(args, design)
    if args.posterior and args.no_assurance:
        raise InputError(
            f"--posterior {args.posterior}: --no-assurance reads no phase 2 posterior; drop one"
        )
    if design.decision.borrows and args.no_assurance:
        raise InputError(
            f"--prior-weight {design.decision.prior_weight:g}: the robust prior borrows from the "
            "phase 2 posterior, which --no-assurance skips (drop it, or --prior-weight 0)"
        )
    out = check_report_folder(args.out, inputs=design_inputs(args), force=args.force)
    from designs.outputs.methods_inputs import unread_sources

    warn(f"warning: {line}" for line in unread_sources(design))  # before the long run
    idata = None if args.no_assurance else phase2_posterior(args.posterior)
    if idata is not None:
        from progression.population import proportional_defined

        if not proportional_defined(idata):  # the report shows both transports
            raise InputError(
                "--posterior: the phase 2 patients' posterior-median pre-dose slope is not a "
                "decline, so the report's proportional transport is undefined; give "
                f"--no-assurance, and `{program_name()} assurance --transport absolute` for "
                "assurance"
            )
    with progress_bar(0, "trial", not args.json) as bar:
        plan = plan_report(
            design,
            trials=args.trials,
            seed=args.seed,
            targets=tuple(args.target_power),
            idata=idata,
            analysis=args.analysis,
            progress=bar.update,
            refine_trials=args.refine_trials,
        )
    removed: list[str] = []
    files = write_report(plan, out, force=args.force, command=command_line(), removed=removed)
    warn(second_stage_warnings(plan.sample_size, asked_refine_trials(args)))
    # also in the folder's README.md, sample_size.md and methods.md (a review: the default
    # report quoted 233 per arm for 90% where about 246 are needed, without a word)
    warn(fresh_check_warnings(plan.sample_size.rows, design, rerun=command_args()))
    warn(interim_type_i_warnings(plan.interim))
    warn(type_i_warnings(plan.sample_size.rows, design))
    from designs.outputs.small_arm import small_n_notes

    warn(small_n_notes(plan.sample_size.rows, design))
    if args.json:
        print_json(
            {
                "out": str(out),
                "files": [f.name for f in files],
                # an earlier report's files this one does not write (a reliability review:
                # removed without a word)
                "removed": removed,
                "seed": args.seed,
                "trials_per_point": args.trials,
                # the rows of sample_size.csv as `sample-size --json` gives them: n, and each
                # stage's trials (grid_trials, refine_trials: 0 for one stage, trials); with
                # looks, the fixed design's rows (as the CSV)
                "sample_size": size_rows_json(
                    plan.sample_size.rows, design, plan.operating.get("decision_rule", {})
                ),
                "version": __version__,
                "software": software(),
            },
            record=True,
        )
    else:
        print(f"wrote {len(files)} files to {out}: {', '.join(f.name for f in files)}")
        if removed:  # a reliability review: an earlier report's files went without a word
            print(
                f"removed {len(removed)} file{'s' if len(removed) > 1 else ''} of the earlier "
                f"report there that this one does not write: {', '.join(removed)}"
            )
        from designs.planning.operating import FINAL_RUN_MC_SE, final_run_trials

        if args.trials < final_run_trials():
            print(
                f"for a final run: --trials {final_run_trials()} or more (Monte Carlo SE of "
                f"every power in the curves and tables at most {FINAL_RUN_MC_SE:g}; this run "
                f"used {args.trials}); n itself is as precise as its Monte Carlo interval in "
                "sample_size.md says"
            )
    return 0
