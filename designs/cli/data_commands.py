"""Subcommands on one design or one data set: fit, power, trial, analyze, bench, designs."""

from __future__ import annotations

import sys

from designs import __version__
from designs.cli.options import (
    MAX_INDEX,
    MAX_TRIALS,
    add_analysis,
    add_command,
    add_design,
    add_force,
    add_seed_json,
    add_trials,
    command_line,
    design_from_args,
    design_inputs,
    finite,
    parse_set,
    print_json,
    progress_bar,
    warn,
    whole,
)
from designs.errors import InputError


def add_fit(sub) -> None:
    p = add_command(
        sub, "fit", "fit the progression model to phase 2 data, write the posterior", cmd_fit
    )
    add_seed_json(p)
    p.add_argument(
        "--data",
        metavar="CSV",
        help="long-format ALSFRS-R records (default: the bundled, illustrative phase 2 set)",
    )
    p.add_argument(
        "--out", metavar="FILE.nc", default="results/phase2_posterior.nc", help="posterior file"
    )
    p.add_argument("--draws", type=whole(100, 100_000), default=1000, help="draws per chain")
    p.add_argument("--tune", type=whole(100, 100_000), default=1000, help="tuning steps")
    p.add_argument("--chains", type=whole(1, 64), default=4, help="chains")
    add_force(p)


def cmd_fit(args) -> int:
    from designs.atomic import check_writable
    from progression.diagnostics import fit_summary, format_fit_report
    from progression.model import fit, is_posterior_file, save_posterior
    from progression.records import BUNDLED_PHASE2, load_phase2

    data = load_phase2(args.data)
    out = check_writable(
        args.out,
        "--out",
        inputs=[("--data", args.data or BUNDLED_PHASE2)],
        is_earlier_output=is_posterior_file,
        what="posterior written by this tool",
        force=args.force,
    )
    if not args.json:
        print(
            f"fitting {data.source} ({'ILLUSTRATIVE reconstruction, ' if data.illustrative else ''}"
            f"{data.frame['patient'].nunique()} patients): {args.chains} chains x {args.draws} "
            "draws; a first run compiles the model (can take a minute or two)",
            file=sys.stderr,
        )
    idata = fit(
        data,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        seed=args.seed,
        progressbar=not args.json,
    )
    save_posterior(idata, out)
    summary = fit_summary(idata)
    summary["posterior_path"] = str(out)
    if args.json:
        print_json(summary)
    else:
        print(format_fit_report(idata))
        print(f"posterior written to {out}")
    return 0


def add_power(sub) -> None:
    p = add_command(sub, "power", "power of one design, with its Monte Carlo error", cmd_power)
    add_seed_json(p)
    add_design(p)
    add_trials(p, 2000)
    add_analysis(p, several=True)


def cmd_power(args) -> int:
    from designs.outputs.console import failed_fit_warnings, power_text
    from designs.planning.power import power

    design = design_from_args(args)
    analyses = tuple(args.analysis) if args.analysis else (str(design.trial.analysis),)
    with progress_bar(args.trials, "trial", not args.json) as bar:
        out = power(
            design, args.trials, args.seed, analyses, threads=args.threads, progress=bar.update
        )
    summaries = list(out.values())
    if args.json:
        rows = [s.to_dict() for s in summaries]
        print_json(rows[0] if len(rows) == 1 else rows)
    else:
        print(power_text(design, summaries))
    warn(failed_fit_warnings(summaries))
    return 0


def add_trial(sub) -> None:
    p = add_command(sub, "trial", "one simulated trial as a long-format CSV", cmd_trial)
    add_seed_json(p)
    add_design(p)
    p.add_argument(
        "--out",
        required=True,
        help="CSV file to write (its first line is a # comment with the seed, version and "
        'command; in R read it with comment.char = "#")',
    )
    p.add_argument(
        "--index", type=whole(0, MAX_INDEX), default=0, help="which trial of the seed's run"
    )
    add_force(p)


def cmd_trial(args) -> int:
    from designs.atomic import atomic_write_text, check_writable, text_mentions
    from designs.outputs.trial_csv import trial_csv_text
    from designs.simulation.engine import simulate_one_trial
    from designs.simulation.inputs import simulation_inputs

    check_writable(
        args.out,
        "--out",
        inputs=design_inputs(args),
        is_earlier_output=text_mentions("# simulated trial", first_line=True),
        what="trial written by `simulate.py trial`",
        force=args.force,
    )
    design = design_from_args(args)
    trial = simulate_one_trial(simulation_inputs(design), args.seed, args.index)
    comment = (
        f"simulated trial {args.index} of seed {args.seed}, als-trial-sim {__version__}; "
        f"command: {command_line()}"
    )
    text = trial_csv_text(trial, integer_scores=design.population.integer_scores, comment=comment)
    atomic_write_text(args.out, text)
    patients, rows = len(trial["status"]), len(trial["patient"])
    if args.json:
        print_json({"out": str(args.out), "patients": patients, "rows": rows})
    else:
        print(f"wrote {args.out}: {patients} patients, {rows} visits")
    return 0


def add_analyze(sub) -> None:
    p = add_command(sub, "analyze", "the trial analysis on your own long-format CSV", cmd_analyze)
    add_seed_json(p)
    p.add_argument("--data", required=True, help="CSV with columns patient, arm, month, alsfrs_r")
    add_analysis(p, several=False, default="lmm_slope")
    p.add_argument("--alpha", type=finite, default=0.05, help="significance level, in (0, 1)")
    p.add_argument(
        "--sides",
        type=int,
        choices=(1, 2),
        default=2,
        help="two-sided, or one-sided favouring active",
    )


def cmd_analyze(args) -> int:
    from designs.analyses.data_table import read_trial_csv
    from designs.analyses.registry import analyze

    data = read_trial_csv(args.data, "--data")
    out = analyze(data, args.analysis, alpha=args.alpha, sides=args.sides).to_dict()
    if args.json:
        print_json(out)
    else:
        print(f"{args.analysis} on {args.data}: {out['estimand']}")
        for key in ("estimate", "se", "df", "statistic", "p_value", "n_placebo", "n_active"):
            value = out[key]
            print(
                f"  {key:10s} {value:.6g}" if isinstance(value, float) else f"  {key:10s} {value}"
            )
    return 0


def add_bench(sub) -> None:
    p = add_command(sub, "bench", "trials per second against plain NumPy and RNG floors", cmd_bench)
    p.add_argument(
        "--trials", type=whole(1000, MAX_TRIALS), default=100_000, help="engine trials per row"
    )
    p.add_argument(
        "--numpy-trials", type=whole(100, 1_000_000), default=5_000, help="plain NumPy trials"
    )


def cmd_bench(args) -> int:
    import os

    from benchmarks.bench import format_rows, run_benchmark

    print(
        f"reference design: 100 per arm, 13 monthly visits, integer scores, complete data; "
        f"{os.cpu_count()} cores"
    )
    print(format_rows(run_benchmark(args.trials, args.numpy_trials)))
    return 0


def add_designs(sub) -> None:
    p = add_command(
        sub, "designs", "list the design library, or show one design's resolved TOML", cmd_designs
    )
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list", help="what to do")
    p.add_argument("name", nargs="?", help="with show: a library name or a TOML file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="with show: override fields first (TOML values)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def cmd_designs(args) -> int:
    from designs.spec import list_designs, load_design

    if args.action == "list":
        rows = {name: load_design(name).describe() for name in list_designs()}
        if args.json:
            print_json(rows)
        else:
            width = max(len(n) for n in rows)
            for name, text in rows.items():
                print(f"{name:<{width}}  {text}")
        return 0
    if not args.name:
        raise InputError("designs show: give a design name or TOML file, e.g. default")
    design = load_design(args.name)
    overrides = parse_set(args.set)
    if overrides:
        design = design.with_overrides(overrides)
    if args.json:
        print_json(design.to_dict())
    else:
        print(design.to_toml(), end="")
    return 0
