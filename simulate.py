"""Command line of the ALS trial-design tool.

Parse, call the library, print or write: no statistics, no tables, no file formats, no cache
policy here (those live in ``designs``). Exit status: 0 done, 2 bad input (one line on stderr
naming the option or field and what is allowed), 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import signal
import sys

from designs import __version__
from designs.analyses.registry import ANALYSIS_NAMES
from designs.errors import InputError
from designs.simulation.seeds import DEFAULT_SEED

PROG = "simulate.py"
MAX_TRIALS = 10_000_000

#: Library parameter names and the options that set them: a library error that starts with
#: a parameter's name is shown with its option instead.
FLAGS = {
    "trials": "--trials",
    "seed": "--seed",
    "threads": "--threads",
    "analysis": "--analysis",
    "target_power": "--target-power",
    "posterior": "--posterior",
    "transport": "--transport",
    "sizes": "--sizes",
    "alpha": "--alpha",
    "sides": "--sides",
}
_PARAMETER = re.compile(r"^(?P<name>[a-z_]+)(?: =)?(?=[ :])")


def flag_message(message: str) -> str:
    """A library error with its leading parameter name replaced by the option that sets it."""
    m = _PARAMETER.match(message)
    if m and m["name"] in FLAGS:
        return FLAGS[m["name"]] + message[m.end() :]
    return message


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        raise InputError(f"{self.prog}: {message}")


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help line ends with its default."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per subcommand."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Plan a double-blind ALS trial: how many patients, for how long, with which "
            "analysis, and how sure. Without a subcommand, runs the main job on the bundled "
            "defaults."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in (
        _add_fit,
        _add_power,
        _add_trial,
        _add_analyze,
        _add_bench,
        _add_sweep,
        _add_sample_size,
        _add_assurance,
        _add_report,
    ):
        register(sub)
    return parser


def _command(sub, name: str, help_text: str, handler) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text, formatter_class=_Help)
    p.set_defaults(handler=handler)
    return p


# ---------------------------------------------------------------------------------------------
# Option types and option builders: each option is defined once.


def _whole(lo: int, hi: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < lo or (hi is not None and value > hi):
            upper = f" and <= {hi:,}" if hi is not None else ""
            raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number >= {lo}{upper}")
        return value

    return parse


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number")
    return value


def _add_seed_json(p) -> None:
    p.add_argument("--seed", type=_whole(0), default=DEFAULT_SEED, help="random seed")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def _add_design(p, *, sizes: bool = True) -> None:
    """``--design`` and ``--set``; with ``sizes``, also the single-value design options."""
    p.add_argument(
        "--design",
        default=None,
        help="a name in designs/library (e.g. default, proact_unselected) or a TOML file; "
        "default: designs/library/default.toml",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override any design field, e.g. --set dropout.informative=1.5 "
        "--set trial.lead_in_months=3 (TOML values)",
    )
    if not sizes:
        return
    p.add_argument("--n-per-arm", type=_whole(2), help="patients per arm (1:1 allocation)")
    p.add_argument("--n-total", type=_whole(4), help="patients randomised in all")
    p.add_argument(
        "--effect",
        type=_finite,
        help="effect.value: points/month (slope_difference) or a fraction of |slope_mean| "
        "(proportional_slowing)",
    )
    p.add_argument("--threads", type=_whole(1, 256), help="Numba threads (default: all cores)")


def _add_analysis(p, *, several: bool, default: str | None = None) -> None:
    names = ", ".join(ANALYSIS_NAMES)
    p.add_argument(
        "--analysis",
        nargs="+" if several else None,
        choices=ANALYSIS_NAMES,
        default=default,
        metavar="NAME",
        help=(f"one or more of {names}" if several else f"one of {names}")
        + ("" if default else " (default: the design's trial.analysis)"),
    )


def _add_trials(p, default: int, lo: int = 1, what: str = "simulated trials") -> None:
    p.add_argument("--trials", type=_whole(lo, MAX_TRIALS), default=default, help=what)


def _add_targets(p, help_text: str = "target power(s), each in (0, 1)") -> None:
    p.add_argument(
        "--target-power", nargs="+", type=_finite, default=[0.8, 0.9], metavar="P", help=help_text
    )


def _add_posterior(p) -> None:
    p.add_argument(
        "--posterior",
        metavar="FILE.nc",
        help="phase 2 posterior from `fit` (default: fit the bundled data once and reuse it)",
    )


def _add_grid(p, flag: str, help_text: str) -> None:
    """A grid option: ``START:STOP:STEP`` (inclusive), ``a,b,c`` or ``a b c``."""
    p.add_argument(flag, nargs="+", metavar="GRID", help=help_text)


def _grid(args, flag: str, *, integer: bool = False):
    """The values of a grid option (sorted, distinct), or None when it was not given."""
    from designs.planning.sweep import parse_grid_tokens

    tokens = getattr(args, flag.lstrip("-").replace("-", "_"))
    return None if tokens is None else parse_grid_tokens(tokens, flag, integer=integer)


def _parse_set(items: list[str]) -> dict:
    """``--set section.key=value`` pairs; values are read as TOML (numbers, lists, strings)."""
    import tomllib

    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or key.count(".") < 1 or not text.strip():
            raise InputError(f"--set {item!r}: must look like section.key=value")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        out[key] = value
    return out


def _design_from_args(args, *, analysis_field: bool = True):
    """The design of ``--design`` with the options and ``--set`` overrides applied.

    With ``analysis_field``, ``--analysis`` (its first name) also sets ``trial.analysis``.
    """
    from designs.spec import load_design

    design = load_design(args.design)
    overrides = {}
    n_arm, n_total = getattr(args, "n_per_arm", None), getattr(args, "n_total", None)
    if isinstance(n_arm, int) and isinstance(n_total, int):
        raise InputError("--n-per-arm and --n-total: give one of them, not both")
    if isinstance(n_arm, int):
        overrides["trial.n_per_arm"] = n_arm
    if isinstance(n_total, int):
        overrides["trial.n_total"] = n_total
    if isinstance(getattr(args, "effect", None), float):
        overrides["effect.value"] = args.effect
    analysis = getattr(args, "analysis", None)
    if analysis and analysis_field:
        overrides["trial.analysis"] = analysis if isinstance(analysis, str) else analysis[0]
    overrides.update(_parse_set(args.set))
    return design.with_overrides(overrides) if overrides else design


def _progress_bar(total: int, unit: str, enabled: bool):
    """A tqdm bar on stderr, shown only for runs longer than about a second."""
    from tqdm import tqdm

    return tqdm(
        total=total, unit=unit, disable=not enabled, delay=1.0, file=sys.stderr, leave=False
    )


def _command_line() -> str:
    """The command as typed, recorded in output files so that rerunning it reproduces them."""
    import shlex

    return shlex.join(["python", "simulate.py", *sys.argv[1:]])


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, default=float))


def _warn(lines) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _check_targets(targets) -> None:
    for t in targets:
        if not 0 < t < 1:
            raise InputError(f"--target-power {t:g}: must be in (0, 1)")


def _posterior(path: str | None):
    from designs.planning.posterior import load_or_fit_posterior

    return load_or_fit_posterior(path)


# ---------------------------------------------------------------------------------------------
# Subcommands


def _add_fit(sub) -> None:
    p = _command(
        sub, "fit", "fit the progression model to phase 2 data, write the posterior", cmd_fit
    )
    _add_seed_json(p)
    p.add_argument(
        "--data",
        metavar="CSV",
        help="long-format ALSFRS-R records (default: the bundled, illustrative phase 2 set)",
    )
    p.add_argument(
        "--out", metavar="FILE.nc", default="results/phase2_posterior.nc", help="posterior file"
    )
    p.add_argument("--draws", type=_whole(100, 100_000), default=1000, help="draws per chain")
    p.add_argument("--tune", type=_whole(100, 100_000), default=1000, help="tuning steps")
    p.add_argument("--chains", type=_whole(1, 64), default=4, help="chains")


def cmd_fit(args) -> int:
    from designs.atomic import check_writable
    from progression.diagnostics import fit_summary, format_fit_report
    from progression.model import fit, save_posterior
    from progression.records import load_phase2

    data = load_phase2(args.data)
    out = check_writable(args.out, "--out")
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
        _print_json(summary)
    else:
        print(format_fit_report(idata))
        print(f"posterior written to {out}")
    return 0


def _add_power(sub) -> None:
    p = _command(sub, "power", "power of one design, with its Monte Carlo error", cmd_power)
    _add_seed_json(p)
    _add_design(p)
    _add_trials(p, 2000)
    _add_analysis(p, several=True)


def cmd_power(args) -> int:
    from designs.outputs.console import failed_fit_warnings, power_text
    from designs.planning.power import power

    design = _design_from_args(args)
    analyses = tuple(args.analysis) if args.analysis else (str(design.trial.analysis),)
    with _progress_bar(args.trials, "trial", not args.json) as bar:
        out = power(
            design, args.trials, args.seed, analyses, threads=args.threads, progress=bar.update
        )
    summaries = list(out.values())
    if args.json:
        rows = [s.to_dict() for s in summaries]
        _print_json(rows[0] if len(rows) == 1 else rows)
    else:
        print(power_text(design, summaries))
    _warn(failed_fit_warnings(summaries))
    return 0


def _add_trial(sub) -> None:
    p = _command(sub, "trial", "one simulated trial as a long-format CSV", cmd_trial)
    _add_seed_json(p)
    _add_design(p)
    p.add_argument(
        "--out",
        required=True,
        help="CSV file to write (its first line is a # comment with the seed, version and "
        'command; in R read it with comment.char = "#")',
    )
    p.add_argument("--index", type=_whole(0), default=0, help="which trial of the seed's run")


def cmd_trial(args) -> int:
    from designs.atomic import atomic_write_text
    from designs.outputs.trial_csv import trial_csv_text
    from designs.simulation.engine import simulate_one_trial
    from designs.simulation.inputs import simulation_inputs

    design = _design_from_args(args)
    trial = simulate_one_trial(simulation_inputs(design), args.seed, args.index)
    comment = (
        f"simulated trial {args.index} of seed {args.seed}, als-trial-sim {__version__}; "
        f"command: {_command_line()}"
    )
    text = trial_csv_text(trial, integer_scores=design.population.integer_scores, comment=comment)
    atomic_write_text(args.out, text)
    patients, rows = len(trial["status"]), len(trial["patient"])
    if args.json:
        _print_json({"out": str(args.out), "patients": patients, "rows": rows})
    else:
        print(f"wrote {args.out}: {patients} patients, {rows} visits")
    return 0


def _add_analyze(sub) -> None:
    p = _command(sub, "analyze", "the trial analysis on your own long-format CSV", cmd_analyze)
    _add_seed_json(p)
    p.add_argument("--data", required=True, help="CSV with columns patient, arm, month, alsfrs_r")
    _add_analysis(p, several=False, default="lmm_slope")
    p.add_argument("--alpha", type=_finite, default=0.05, help="significance level, in (0, 1)")
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
        _print_json(out)
    else:
        print(f"{args.analysis} on {args.data}: {out['estimand']}")
        for key in ("estimate", "se", "df", "statistic", "p_value", "n_placebo", "n_active"):
            value = out[key]
            print(
                f"  {key:10s} {value:.6g}" if isinstance(value, float) else f"  {key:10s} {value}"
            )
    return 0


def _add_bench(sub) -> None:
    p = _command(sub, "bench", "trials per second against plain NumPy and RNG floors", cmd_bench)
    p.add_argument(
        "--trials", type=_whole(1000, MAX_TRIALS), default=100_000, help="engine trials per row"
    )
    p.add_argument(
        "--numpy-trials", type=_whole(100, 1_000_000), default=5_000, help="plain NumPy trials"
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


#: The sweep's grid options: (flag, dimension, integer values, help).
SWEEP_GRIDS = (
    ("--n-per-arm", "n_per_arm", True, "patients per arm, e.g. 50:300:25 or 50 100 150"),
    ("--n-total", "n_total", True, "patients randomised in all (unequal allocation)"),
    ("--effect", "effect", False, "effect.value grid, in the design's units, e.g. 0.2 0.3"),
    ("--duration", "duration_months", False, "trial length, months (visits keep their spacing)"),
    ("--dropout", "dropout_12m", False, "fraction gone by month 12 (constant MCAR hazard)"),
    (
        "--informative",
        "dropout_informative",
        False,
        "dropout.informative grid: log-hazard per point/month of faster decline (0 = MCAR)",
    ),
)


def _add_sweep(sub) -> None:
    p = _command(sub, "sweep", "power over a grid of designs, to an xarray netCDF file", cmd_sweep)
    _add_seed_json(p)
    _add_design(p, sizes=False)
    for flag, _, _, help_text in SWEEP_GRIDS:
        _add_grid(p, flag, help_text)
    p.add_argument(
        "--assurance",
        action="store_true",
        help="also compute assurance in every cell (over the phase 2 posterior)",
    )
    _add_posterior(p)
    p.add_argument(
        "--transport",
        choices=("proportional", "absolute"),
        default="proportional",
        help="how a posterior draw becomes this population's effect (with --assurance)",
    )
    _add_analysis(p, several=True)
    _add_trials(p, 2000, what="simulated trials per cell")
    p.add_argument("--out", required=True, help="netCDF file to write (FILE.nc)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    where.add_argument(
        "--workers", type=_whole(1, 1024), help="start a local Dask cluster with N worker processes"
    )


def cmd_sweep(args) -> int:
    from designs.planning.posterior import posterior_draws
    from designs.planning.sweep import cells_folder, run_sweep

    design = _design_from_args(args, analysis_field=False)
    grid = {dim: _grid(args, flag, integer=integer) for flag, dim, integer, _ in SWEEP_GRIDS}
    grid = {dim: values for dim, values in grid.items() if values is not None}
    if not grid:
        flags = ", ".join(flag for flag, *_ in SWEEP_GRIDS)
        raise InputError(f"sweep: give at least one of {flags}")
    draws = None
    if args.assurance or args.posterior:
        draws = posterior_draws(_posterior(args.posterior), args.transport)
    cells = math.prod(len(v) for v in grid.values())
    resumed = cells_folder(args.out).is_dir()
    with _progress_bar(cells, "cell", not args.json) as bar:
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
            command=_command_line(),
            assurance_draws=draws,
            transport=args.transport,
        )
    dims = {k: int(v) for k, v in ds.sizes.items()}
    if args.json:
        _print_json(
            {
                "out": str(args.out),
                "dims": dims,
                "cells": cells,
                "trials_per_cell": args.trials,
                "seed": args.seed,
                "analyses": list(ds.analysis.values.tolist()),
                "version": __version__,
                "resumed": resumed,
            }
        )
    else:
        shape = ", ".join(f"{k} {v}" for k, v in dims.items())
        print(
            f"wrote {args.out}: {cells} cells ({shape}), {args.trials} trials each, "
            f"seed {args.seed}{' (resumed)' if resumed else ''}"
        )
    worst = float((ds.failed_fits / args.trials).max())
    if worst > 0.01:
        _warn(
            [
                f"warning: up to {worst:.1%} of fits failed in a cell (see failed_fits in "
                f"{args.out}); they are left out of the power, not counted as non-rejections"
            ]
        )
    return 0


def _add_sample_size(sub) -> None:
    p = _command(sub, "sample-size", "n for target powers (simulated), as a table", cmd_sample_size)
    _add_seed_json(p)
    _add_design(p)
    _add_targets(p)
    _add_trials(p, 2000, lo=10, what="simulated trials per size")
    _add_analysis(p, several=False)
    _add_grid(
        p, "--sizes", "simulate exactly these sizes (default: a bracket from the closed form)"
    )
    p.add_argument("--format", choices=("md", "csv", "latex"), default="md", help="table format")
    p.add_argument("--out", help="also write the table to this file")


def cmd_sample_size(args) -> int:
    from designs.atomic import atomic_write_text, check_writable
    from designs.outputs.console import failed_fit_warnings
    from designs.outputs.tables import sample_size_table
    from designs.planning.sample_size import find_sample_size

    _check_targets(args.target_power)
    sizes = _grid(args, "--sizes", integer=True)
    design = _design_from_args(args)
    if args.out:
        check_writable(args.out)
    with _progress_bar(0, "trial", not args.json) as bar:
        result = find_sample_size(
            design,
            args.target_power,
            args.trials,
            args.seed,
            args.analysis,
            sizes=sizes,
            threads=args.threads,
            progress=bar.update,
        )
    table = sample_size_table(result, design, args.format)
    if args.out:
        atomic_write_text(args.out, table)
    if args.json:
        _print_json([r.to_dict() for r in result.rows])
    else:
        print(table, end="")
    _warn(failed_fit_warnings(result.rows))
    return 0


def _add_assurance(sub) -> None:
    p = _command(
        sub, "assurance", "power averaged over the phase 2 posterior of the effect", cmd_assurance
    )
    _add_seed_json(p)
    _add_design(p)
    _add_posterior(p)
    _add_trials(p, 4000)
    _add_analysis(p, several=False)
    p.add_argument(
        "--transport",
        choices=("proportional", "absolute"),
        default=None,
        help="how a draw becomes this population's effect (default: the design's "
        "effect.transport; the other is shown beside it)",
    )
    p.add_argument(
        "--natural-history",
        choices=("design", "posterior"),
        default="design",
        help="population of each simulated trial: the design's, or drawn jointly with the "
        "effect from the phase 2 posterior (patients recruited like the phase 2 ones)",
    )


def cmd_assurance(args) -> int:
    from designs.outputs.console import assurance_text, failed_fit_warnings
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.posterior import posterior_draws
    from progression.population import undefined_proportional_draws

    design = _design_from_args(args)
    idata = _posterior(args.posterior)
    first = args.transport or design.effect.transport.value
    order = (first, "absolute" if first == "proportional" else "proportional")
    history = None
    if args.natural_history == "posterior":
        from progression.population import natural_history_draws

        history = natural_history_draws(idata)
    results = []
    with _progress_bar(4 * args.trials, "trial", not args.json) as bar:
        for transport in order:
            results.append(
                assurance_from_draws(
                    design,
                    posterior_draws(idata, transport),
                    args.trials,
                    args.seed,
                    args.analysis,
                    transport,
                    natural_history=history,
                    threads=args.threads,
                    progress=bar.update,
                )
            )
    _warn(failed_fit_warnings(results))
    if args.json:
        out = results[0].to_dict()
        out["other_transport"] = results[1].to_dict()
        out["posterior_seed"] = idata.attrs.get("seed")
        out["illustrative_data"] = bool(idata.attrs.get("illustrative_data", 1))
        out["undefined_proportional_draws"] = undefined_proportional_draws(idata)
        _print_json(out)
    else:
        print(
            assurance_text(
                design,
                results,
                natural_history_from_posterior=history is not None,
                undefined_draws=undefined_proportional_draws(idata),
            )
        )
    return 0


def _add_report(sub) -> None:
    p = _command(sub, "report", "tables, plots and a methods paragraph into a folder", cmd_report)
    _add_seed_json(p)
    _add_design(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    _add_trials(p, 2000, lo=10, what="simulated trials per point")
    _add_targets(p, "target power(s) in (0, 1); the operating characteristics use the first")
    _add_analysis(p, several=False)
    _add_posterior(p)
    p.add_argument(
        "--no-assurance",
        action="store_true",
        help="skip the posterior (no assurance curve, no posterior plot)",
    )


def cmd_report(args) -> int:
    from designs.outputs.report import check_report_folder, write_report
    from designs.planning.report_plan import plan_report

    _check_targets(args.target_power)
    design = _design_from_args(args)
    out = check_report_folder(args.out)
    idata = None if args.no_assurance else _posterior(args.posterior)
    with _progress_bar(0, "trial", not args.json) as bar:
        plan = plan_report(
            design,
            trials=args.trials,
            seed=args.seed,
            targets=tuple(args.target_power),
            idata=idata,
            analysis=args.analysis,
            progress=bar.update,
        )
    files = write_report(plan, out)
    if args.json:
        _print_json(
            {
                "out": str(out),
                "files": [f.name for f in files],
                "seed": args.seed,
                "version": __version__,
            }
        )
    else:
        print(f"wrote {len(files)} files to {out}: {', '.join(f.name for f in files)}")
    return 0


def main_job() -> int:
    """The default run: fit the bundled phase 2 data, simulate the follow-up, print n.

    Prints the sample size for 80% and 90% power under the design's fixed effect, then the
    assurance at those sizes over the phase 2 posterior (proportional transport, absolute
    beside it), and one line on what the numbers assume.
    """
    import time

    from designs.outputs.console import (
        main_job_assurance_text,
        main_job_note,
        undefined_draws_note,
    )
    from designs.outputs.tables import sample_size_table
    from designs.planning import main_job as job
    from designs.planning.sample_size import find_sample_size
    from designs.spec import load_design

    seed = DEFAULT_SEED
    start = time.perf_counter()
    print(
        "ALS trial planner: the proposed double-blind follow-up (designs/library/default.toml).\n"
        "A first run compiles the simulation kernels and fits the phase 2 model (a few "
        "minutes); later runs reuse both caches.",
        flush=True,
    )
    design = load_design()
    print(f"Design (n is found below): {design.describe()}", flush=True)
    print("Phase 2 posterior: fitting the bundled data or reusing the cached fit ...", flush=True)
    idata = _posterior(None)
    print(
        f"Sample size by simulation ({job.MAIN_TRIALS} trials per size, seed {seed}) ...",
        flush=True,
    )
    with _progress_bar(0, "trial", True) as bar:
        result = find_sample_size(
            design, job.MAIN_TARGETS, job.MAIN_TRIALS, seed, progress=bar.update
        )
    print()
    print("Fixed effect (the design's): patients randomised for the target power")
    print(sample_size_table(result, design, "md"))
    with _progress_bar(0, "trial", True) as bar:
        assurance = job.assurance_at_sizes(
            design, [r.n for r in result.rows], idata, seed=seed, progress=bar.update
        )
    print("Assurance at those sizes: power averaged over the phase 2 posterior of the effect")
    print(
        main_job_assurance_text(result.rows, assurance, trials=job.MAIN_ASSURANCE_TRIALS, seed=seed)
    )
    from progression.population import undefined_proportional_draws

    print(main_job_note(design))
    undefined = undefined_draws_note(
        undefined_proportional_draws(idata), assurance[0]["proportional"].posterior_draws
    )
    if undefined:
        print(undefined)
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


def _terminate(signum, frame) -> None:
    """SIGTERM ends a run like Ctrl-C: finished sweep cells are kept, nothing half-written."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return main_job()
        return args.handler(args)
    except InputError as exc:
        print(f"error: {flag_message(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished work is kept", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
