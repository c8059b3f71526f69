"""Command line of the ALS trial-design tool.

Parse, validate, call the library, print or write: no statistics here.
Exit status: 0 done, 2 bad input (one line on stderr naming the field and what is allowed),
1 anything else.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from pathlib import Path

from designs import __version__
from designs.analyses.registry import ANALYSIS_NAMES
from designs.errors import InputError

PROG = "simulate.py"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        raise InputError(f"{self.prog}: {message}")


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


# ---------------------------------------------------------------------------------------------
# Option types: each refuses a bad value with one line naming the option and what is allowed.


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


MAX_TRIALS = 10_000_000


def _add_common(p: argparse.ArgumentParser, *, design: bool = True) -> None:
    p.add_argument(
        "--seed", type=_whole(0), default=20261125, help="random seed (default %(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    if design:
        p.add_argument(
            "--design",
            default=None,
            help="a name in designs/library (e.g. default, proact_unselected) or a TOML file",
        )
        p.add_argument("--n-per-arm", type=_whole(2), help="patients per arm (1:1 allocation)")
        p.add_argument("--n-total", type=_whole(4), help="patients randomised in all")
        p.add_argument(
            "--effect",
            type=_finite,
            help="effect.value: points/month (slope_difference) "
            "or a fraction of |slope_mean| (proportional_slowing)",
        )
        p.add_argument("--threads", type=_whole(1, 256), help="Numba threads (default: all cores)")
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="SECTION.KEY=VALUE",
            help="override any design field, e.g. --set dropout.informative=1.5 "
            "--set trial.lead_in_months=3 --set enrichment.delta_fs_min=0.3 (TOML values)",
        )


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


def _design_from_args(args):
    from designs.spec import load_design

    design = load_design(args.design)
    overrides = {}
    if getattr(args, "n_per_arm", None) is not None and getattr(args, "n_total", None) is not None:
        raise InputError("--n-per-arm and --n-total: give one of them, not both")
    if getattr(args, "n_per_arm", None) is not None:
        overrides["trial.n_per_arm"] = args.n_per_arm
    if getattr(args, "n_total", None) is not None:
        overrides["trial.n_total"] = args.n_total
    if getattr(args, "effect", None) is not None:
        overrides["effect.value"] = args.effect
    if getattr(args, "analysis", None):
        overrides["trial.analysis"] = args.analysis[0]
    overrides.update(_parse_set(getattr(args, "set", None) or []))
    if overrides:
        design = design.with_overrides(overrides)
    return design


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


# ---------------------------------------------------------------------------------------------
# fit


def _add_fit(sub) -> None:
    p = sub.add_parser("fit", help="fit the progression model to phase 2 data, write the posterior")
    _add_common(p, design=False)
    p.add_argument(
        "--data",
        metavar="CSV",
        help="long-format ALSFRS-R records (default: the bundled, illustrative phase 2 set)",
    )
    p.add_argument(
        "--out",
        metavar="FILE.nc",
        default="results/phase2_posterior.nc",
        help="where to write the posterior (default %(default)s)",
    )
    p.add_argument("--draws", type=_whole(100, 100_000), default=1000, help="draws per chain")
    p.add_argument("--tune", type=_whole(100, 100_000), default=1000, help="tuning steps")
    p.add_argument("--chains", type=_whole(1, 64), default=4, help="chains")
    p.set_defaults(handler=cmd_fit)


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


# ---------------------------------------------------------------------------------------------
# power


ANALYSES = ANALYSIS_NAMES


def _add_power(sub) -> None:
    p = sub.add_parser("power", help="power of one design, with its Monte Carlo error")
    _add_common(p)
    p.add_argument("--trials", type=_whole(1, MAX_TRIALS), default=2000, help="simulated trials")
    p.add_argument(
        "--analysis",
        nargs="+",
        choices=ANALYSES,
        metavar="NAME",
        help=f"one or more of {', '.join(ANALYSES)} (default: the design's)",
    )
    p.set_defaults(handler=cmd_power)


def cmd_power(args) -> int:
    from designs.planning.power import power

    design = _design_from_args(args)
    analyses = tuple(args.analysis) if args.analysis else (str(design.trial.analysis),)
    with _progress_bar(args.trials, "trial", not args.json) as bar:
        out = power(
            design, args.trials, args.seed, analyses, threads=args.threads, progress=bar.update
        )
    if args.json:
        rows = [s.to_dict() for s in out.values()]
        _print_json(rows[0] if len(rows) == 1 else rows)
    else:
        print(design.describe())
        for s in out.values():
            truth = "n/a" if math.isnan(s.true_effect) else f"{s.true_effect:+.3f}"
            bias = "" if math.isnan(s.bias) else f", bias {s.bias:+.4f}"
            print(
                f"{s.analysis}: power {s.power:.3f} (MC SE {s.mc_se:.3f}, 95% CI "
                f"{s.ci95[0]:.3f}-{s.ci95[1]:.3f}); favourable {s.power_favourable:.3f}; "
                f"mean estimate {s.mean_estimate:+.3f} {s.units} (true {truth}{bias}, "
                f"SD {s.sd_estimate:.3f}); failed fits {s.failed_fits}"
            )
        s = next(iter(out.values()))
        screened = (
            f"; {s.screened_per_enrolled:.2f} screened per patient randomised"
            if s.screened_per_enrolled > 1.0
            else ""
        )
        print(
            f"n {s.n_placebo} placebo + {s.n_active} active; dropped out "
            f"{s.dropout_placebo:.1%} placebo, {s.dropout_active:.1%} active; died "
            f"{s.death_placebo:.1%} placebo, {s.death_active:.1%} active{screened}; "
            f"{s.trials} trials, seed {s.seed}"
        )
    _warn_failed(out.values())
    return 0


def _warn_failed(summaries) -> None:
    """One stderr line per result (power, sample-size row, assurance) whose fits failed in
    more than 1% of trials."""
    for s in summaries:
        if s.failed_fits > 0.01 * s.trials:
            print(
                f"warning: {s.analysis}: {s.failed_fits} of {s.trials} fits failed "
                f"({s.failed_fits / s.trials:.1%}); they are left out of the power, not counted "
                "as non-rejections",
                file=sys.stderr,
            )


# ---------------------------------------------------------------------------------------------
# trial


def _add_trial(sub) -> None:
    p = sub.add_parser("trial", help="one simulated trial as a long-format CSV")
    _add_common(p)
    p.add_argument(
        "--out",
        required=True,
        help="CSV file to write (its first line is a # comment with the seed, version and "
        'command; in R read it with comment.char = "#")',
    )
    p.add_argument("--index", type=_whole(0), default=0, help="which trial of the seed's run")
    p.set_defaults(handler=cmd_trial)


def cmd_trial(args) -> int:
    import numpy as np

    from designs.atomic import atomic_write_text
    from designs.simulation.engine import simulate_one_trial
    from designs.simulation.inputs import simulation_inputs

    design = _design_from_args(args)
    data = simulate_one_trial(simulation_inputs(design), args.seed, args.index)
    lines = [
        f"# simulated trial {args.index} of seed {args.seed}, als-trial-sim {__version__}; "
        f"command: {_command_line()}",
        "patient,arm,month,alsfrs_r,status,exit_month",
    ]
    for pid, arm, month, score in zip(
        data["patient"], data["arm"], data["month"], data["alsfrs_r"], strict=True
    ):
        exit_month = data["exit_month"][pid]
        exit_text = "" if np.isnan(exit_month) else f"{exit_month:.4f}"
        score_text = f"{score:.0f}" if design.population.integer_scores else f"{score:.6f}"
        lines.append(f"{pid},{arm},{month:g},{score_text},{data['status'][pid]},{exit_text}")
    atomic_write_text(args.out, "\n".join(lines) + "\n")
    if args.json:
        _print_json({"out": str(args.out), "patients": len(data["status"]), "rows": len(lines) - 2})
    else:
        print(f"wrote {args.out}: {len(data['status'])} patients, {len(lines) - 2} visits")
    return 0


# ---------------------------------------------------------------------------------------------
# analyze


def _add_analyze(sub) -> None:
    p = sub.add_parser("analyze", help="the trial analysis on your own long-format CSV")
    _add_common(p, design=False)
    p.add_argument("--data", required=True, help="CSV with columns patient, arm, month, alsfrs_r")
    p.add_argument("--analysis", choices=ANALYSES, default="lmm_slope", metavar="NAME")
    p.add_argument("--alpha", type=_finite, default=0.05)
    p.add_argument("--sides", type=int, choices=(1, 2), default=2)
    p.set_defaults(handler=cmd_analyze)


def cmd_analyze(args) -> int:
    from designs.analyses.data_table import read_trial_csv
    from designs.analyses.registry import analyze

    if not 0 < args.alpha < 1:
        raise InputError(f"--alpha {args.alpha}: must be in (0, 1)")
    data = read_trial_csv(args.data)
    result = analyze(data, args.analysis, alpha=args.alpha, sides=args.sides)
    out = result.to_dict()
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


# ---------------------------------------------------------------------------------------------
# bench


def _add_bench(sub) -> None:
    p = sub.add_parser("bench", help="trials per second against plain NumPy and RNG floors")
    p.add_argument("--trials", type=_whole(1000, MAX_TRIALS), default=100_000)
    p.add_argument("--numpy-trials", type=_whole(100, 1_000_000), default=5_000)
    p.set_defaults(handler=cmd_bench)


def cmd_bench(args) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from benchmarks.bench import format_rows, run_benchmark

    print(
        f"reference design: 100 per arm, 13 monthly visits, integer scores, complete data; "
        f"{os.cpu_count()} cores"
    )
    print(format_rows(run_benchmark(args.trials, args.numpy_trials)))
    return 0


# ---------------------------------------------------------------------------------------------
# sweep


def _grid(option: str, *, integer: bool = False):
    def parse(text: str):
        from designs.planning.sweep import parse_grid

        try:
            return parse_grid(text, option, integer=integer)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(option).strip()) from None

    return parse


# The sweep's grid options: (flag, integer values, help). Each becomes a dimension.
_SWEEP_GRIDS = (
    (
        "--n-per-arm",
        True,
        "patients per arm: START:STOP:STEP (inclusive) or a list, e.g. 50:300:25",
    ),
    ("--n-total", True, "patients randomised in all (unequal allocation)"),
    ("--effect", False, "effect.value grid, in the design's units"),
    ("--duration", False, "trial length, months (visits keep the design's spacing)"),
    (
        "--dropout",
        False,
        "fraction gone by month 12 (constant MCAR hazard), e.g. 0.2,0.364",
    ),
    (
        "--informative",
        False,
        "dropout.informative grid: log-hazard per point/month of faster decline "
        "(0 = MCAR), e.g. 0,1,2",
    ),
)


def _add_sweep(sub) -> None:
    p = sub.add_parser("sweep", help="power over a grid of designs, to an xarray netCDF file")
    _add_common(p, design=False)
    p.add_argument("--design", default=None, help="a name in designs/library or a TOML file")
    for flag, integer, help_text in _SWEEP_GRIDS:
        p.add_argument(flag, type=_grid(flag, integer=integer), metavar="GRID", help=help_text)
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override any design field before the sweep (TOML values)",
    )
    p.add_argument(
        "--assurance",
        action="store_true",
        help="also compute assurance in every cell (over the cached phase 2 posterior, or "
        "--posterior), so assurance curves over n sit beside power",
    )
    p.add_argument("--posterior", metavar="FILE.nc", help="posterior for --assurance")
    p.add_argument(
        "--transport",
        choices=("proportional", "absolute"),
        default="proportional",
        help="how a posterior draw becomes this population's effect (with --assurance)",
    )
    p.add_argument(
        "--analysis",
        nargs="+",
        choices=ANALYSES,
        metavar="NAME",
        help=f"one or more of {', '.join(ANALYSES)} (default: the design's)",
    )
    p.add_argument(
        "--trials",
        type=_whole(1, MAX_TRIALS),
        default=2000,
        help="simulated trials per cell (default %(default)s)",
    )
    p.add_argument("--out", required=True, help="netCDF file to write (FILE.nc)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    where.add_argument(
        "--workers", type=_whole(1, 1024), help="start a local Dask cluster with N worker processes"
    )
    p.set_defaults(handler=cmd_sweep)


def cmd_sweep(args) -> int:
    from designs.planning.sweep import cells_folder, run_sweep
    from designs.spec import load_design

    design = load_design(args.design)
    if args.set:
        design = design.with_overrides(_parse_set(args.set))
    draws = None
    if args.assurance or args.posterior:
        from designs.planning.assurance import posterior_draws

        draws = posterior_draws(_posterior(args.posterior), args.transport)
    grid = {
        dim: value
        for dim, value in (
            ("n_per_arm", args.n_per_arm),
            ("n_total", args.n_total),
            ("effect", args.effect),
            ("duration_months", args.duration),
            ("dropout_12m", args.dropout),
            ("dropout_informative", args.informative),
        )
        if value is not None
    }
    if not grid:
        raise InputError(
            "sweep: give at least one of --n-per-arm, --n-total, --effect, --duration, "
            "--dropout, --informative"
        )
    analyses = tuple(args.analysis) if args.analysis else None
    cells = math.prod(len(v) for v in grid.values())
    resumed = cells_folder(args.out).is_dir()
    with _progress_bar(cells, "cell", not args.json) as bar:
        ds = run_sweep(
            design,
            grid,
            args.trials,
            args.seed,
            analyses,
            args.out,
            scheduler=args.scheduler,
            workers=args.workers,
            progress=bar.update,
            command=_command_line(),
            assurance_draws=draws,
            transport=args.transport,
        )
    summary = {
        "out": str(args.out),
        "dims": {k: int(v) for k, v in ds.sizes.items()},
        "cells": cells,
        "trials_per_cell": args.trials,
        "seed": args.seed,
        "analyses": list(ds.analysis.values.tolist()),
        "version": __version__,
        "resumed": resumed,
    }
    if args.json:
        _print_json(summary)
    else:
        dims = ", ".join(f"{k} {v}" for k, v in summary["dims"].items())
        print(
            f"wrote {args.out}: {cells} cells ({dims}), {args.trials} trials each, "
            f"seed {args.seed}{' (resumed)' if resumed else ''}"
        )
    worst = float((ds.failed_fits / args.trials).max())
    if worst > 0.01:
        print(
            f"warning: up to {worst:.1%} of fits failed in a cell (see failed_fits in "
            f"{args.out}); they are left out of the power, not counted as non-rejections",
            file=sys.stderr,
        )
    return 0


# ---------------------------------------------------------------------------------------------
# sample-size


def _add_sample_size(sub) -> None:
    p = sub.add_parser("sample-size", help="n for target powers (simulated), as a table")
    _add_common(p)
    p.add_argument(
        "--target-power",
        nargs="+",
        type=_finite,
        default=[0.8, 0.9],
        metavar="P",
        help="target power(s) in (0, 1) (default 0.8 0.9)",
    )
    p.add_argument(
        "--trials", type=_whole(10, MAX_TRIALS), default=2000, help="simulated trials per size"
    )
    p.add_argument(
        "--analysis",
        nargs=1,
        choices=ANALYSES,
        metavar="NAME",
        help=f"one of {', '.join(ANALYSES)} (default: the design's)",
    )
    p.add_argument(
        "--sizes",
        type=_grid("--sizes", integer=True),
        metavar="GRID",
        help="simulate exactly these sizes (default: a bracket from the closed form)",
    )
    p.add_argument("--format", choices=("md", "csv", "latex"), default="md")
    p.add_argument("--out", help="also write the table to this file")
    p.set_defaults(handler=cmd_sample_size)


def _check_targets(targets) -> None:
    for t in targets:
        if not 0 < t < 1:
            raise InputError(f"--target-power {t:g}: must be in (0, 1)")


def cmd_sample_size(args) -> int:
    from designs.atomic import check_writable
    from designs.outputs.report import sample_size_table
    from designs.planning.sample_size import find_sample_size

    _check_targets(args.target_power)
    design = _design_from_args(args)
    if args.out:
        check_writable(args.out)
    with _progress_bar(0, "trial", not args.json) as bar:
        result = find_sample_size(
            design,
            args.target_power,
            args.trials,
            args.seed,
            args.analysis[0] if args.analysis else None,
            sizes=args.sizes,
            threads=args.threads,
            progress=bar.update,
        )
    table = sample_size_table(result, design, args.format)
    if args.out:
        from designs.atomic import atomic_write_text

        atomic_write_text(args.out, table)
    if args.json:
        _print_json([r.to_dict() for r in result.rows])
    else:
        print(table, end="")
    _warn_failed(result.rows)
    return 0


# ---------------------------------------------------------------------------------------------
# assurance

POSTERIOR_CACHE = Path(__file__).resolve().parent / ".cache" / "posterior"
FIT_SEED = 20261125  # seed of the cached phase 2 fit (part of its cache key)


def _posterior(path: str | None):
    from designs.planning.assurance import load_or_fit_posterior

    if path is not None and not Path(path).is_file():
        raise InputError(f"--posterior {path}: no such file")
    return load_or_fit_posterior(path, cache_dir=POSTERIOR_CACHE, seed=FIT_SEED)


def _add_assurance(sub) -> None:
    p = sub.add_parser("assurance", help="power averaged over the phase 2 posterior of the effect")
    _add_common(p)
    p.add_argument(
        "--posterior",
        metavar="FILE.nc",
        help="posterior from `fit` (default: fit the bundled data, or reuse a cached fit)",
    )
    p.add_argument("--trials", type=_whole(1, MAX_TRIALS), default=4000, help="simulated trials")
    p.add_argument(
        "--analysis",
        nargs=1,
        choices=ANALYSES,
        metavar="NAME",
        help=f"one of {', '.join(ANALYSES)} (default: the design's)",
    )
    p.add_argument(
        "--transport",
        choices=("proportional", "absolute"),
        default=None,
        help="how a draw becomes this population's effect (default: the design's; "
        "the other is shown beside it)",
    )
    p.add_argument(
        "--natural-history",
        choices=("design", "posterior"),
        default="design",
        help="population of each simulated trial: the design's (default), or drawn jointly "
        "with the effect from the phase 2 posterior (patients recruited like the phase 2 ones)",
    )
    p.set_defaults(handler=cmd_assurance)


def cmd_assurance(args) -> int:
    from designs.planning.assurance import assurance_from_draws, posterior_draws

    design = _design_from_args(args)
    idata = _posterior(args.posterior)
    first = args.transport or design.effect.transport.value
    order = (first, "absolute" if first == "proportional" else "proportional")
    analysis = args.analysis[0] if args.analysis else None
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
                    analysis,
                    transport,
                    natural_history=history,
                    threads=args.threads,
                    progress=bar.update,
                )
            )
    main, other = results
    _warn_failed(results)
    if args.json:
        out = main.to_dict()
        out["other_transport"] = other.to_dict()
        out["posterior_seed"] = idata.attrs.get("seed")
        out["illustrative_data"] = bool(idata.attrs.get("illustrative_data", 1))
        _print_json(out)
        return 0
    print(design.describe())
    if history is not None:
        print(
            "population of each trial: drawn jointly with its effect from the phase 2 posterior "
            "(baseline, slope mean and SD, residual SD), not the design's"
        )
    for r in results:
        q = r.power_quantiles
        unit = "fraction of |slope_mean|" if r.transport == "proportional" else "points/month"
        print(
            f"{r.transport}: assurance {r.assurance:.3f} (MC SE {r.mc_se:.3f}); power at the "
            f"posterior mean effect ({r.posterior_mean_draw:+.3f} {unit} = "
            f"{r.posterior_mean_points:+.3f} points/month) {r.power_at_mean:.3f}; "
            f"P(effect > 0) {r.p_effect_positive:.3f}; power over the posterior: median "
            f"{q[0.5]:.2f}, 5-95% {q[0.05]:.2f}-{q[0.95]:.2f}, P(power >= 0.8) "
            f"{r.p_power_at_least_80:.2f}"
        )
    print(
        f"{main.trials} trials per transport, seed {main.seed}, {main.analysis}, failed fits "
        f"{main.failed_fits}; {main.posterior_draws} posterior draws. The phase 2 effect comes "
        "from an uncontrolled before/after comparison in 5 patients (illustrative "
        "reconstruction of the data): regression to the mean and open-label rating can "
        "inflate it."
    )
    return 0


# ---------------------------------------------------------------------------------------------
# report


def _add_report(sub) -> None:
    p = sub.add_parser("report", help="tables, plots and a methods paragraph into a folder")
    _add_common(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    p.add_argument(
        "--trials", type=_whole(10, MAX_TRIALS), default=2000, help="simulated trials per point"
    )
    p.add_argument(
        "--target-power",
        nargs="+",
        type=_finite,
        default=[0.8, 0.9],
        metavar="P",
        help="target power(s) in (0, 1); the operating characteristics use the first",
    )
    p.add_argument("--analysis", nargs=1, choices=ANALYSES, metavar="NAME")
    p.add_argument(
        "--posterior",
        metavar="FILE.nc",
        help="phase 2 posterior (default: fit the bundled data or reuse a cached fit)",
    )
    p.add_argument(
        "--no-assurance",
        action="store_true",
        help="skip the posterior (no assurance curve, no posterior plot)",
    )
    p.set_defaults(handler=cmd_report)


def cmd_report(args) -> int:
    from designs.outputs.report import write_report

    _check_targets(args.target_power)
    design = _design_from_args(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    idata = None if args.no_assurance else _posterior(args.posterior)
    with _progress_bar(0, "trial", not args.json) as bar:
        files = write_report(
            design,
            out,
            trials=args.trials,
            seed=args.seed,
            targets=tuple(args.target_power),
            idata=idata,
            analysis=args.analysis[0] if args.analysis else None,
            progress=bar.update,
        )
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


MAIN_TRIALS = 2000  # per size in the sample-size search
MAIN_ASSURANCE_TRIALS = 4000  # per size and transport


def main_job() -> int:
    """The default run: fit the bundled phase 2 data, simulate the follow-up, print n.

    Prints the sample size for 80% and 90% power under the design's fixed effect, then the
    assurance at those sizes over the phase 2 posterior (proportional transport, absolute
    beside it), and one line on what the numbers assume.
    """
    import time

    from designs.outputs.report import sample_size_table
    from designs.planning.assurance import assurance_from_draws, posterior_draws
    from designs.planning.sample_size import design_at, find_sample_size
    from designs.spec import load_design

    seed = 20261125
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
    print(f"Sample size by simulation ({MAIN_TRIALS} trials per size, seed {seed}) ...", flush=True)
    with _progress_bar(0, "trial", True) as bar:
        result = find_sample_size(design, (0.8, 0.9), MAIN_TRIALS, seed, progress=bar.update)
    print()
    print("Fixed effect (the design's): patients randomised for the target power")
    print(sample_size_table(result, design, "md"))
    draws = {t: posterior_draws(idata, t) for t in ("proportional", "absolute")}
    lines = [
        "| target power | n per arm | n total | assurance, proportional (MC SE) | "
        "assurance, absolute (MC SE) | power at posterior-mean effect | P(effect > 0) |",
        "|---|---|---|---|---|---|---|",
    ]
    with _progress_bar(0, "trial", True) as bar:
        for row in result.rows:
            d = design_at(design, row.n)
            out = {
                t: assurance_from_draws(
                    d, draws[t], MAIN_ASSURANCE_TRIALS, seed, None, t, progress=bar.update
                )
                for t in draws
            }
            prop, absl = out["proportional"], out["absolute"]
            size = str(row.n_per_arm) if row.n_per_arm is not None else "-"
            lines.append(
                f"| {row.target_power:.0%} | {size} | {row.n_total} | {prop.assurance:.3f} "
                f"({prop.mc_se:.3f}) | {absl.assurance:.3f} ({absl.mc_se:.3f}) | "
                f"{prop.power_at_mean:.3f} | {prop.p_effect_positive:.3f} |"
            )
    print("Assurance at those sizes: power averaged over the phase 2 posterior of the effect")
    print("\n".join(lines))
    print(
        f"\n{MAIN_ASSURANCE_TRIALS} trials per size and transport, seed {seed}, "
        f"{len(draws['proportional'])} posterior draws, als-trial-sim {__version__}."
    )
    gone = design.dropout.cumulative_at(design.trial.visits, include_death=True)[-1]
    print(
        f"Note: n assumes the design's fixed effect ({design.effect.value:g} "
        f"{design.effect.kind.value}), dropout as in the design ({100 * gone:.1f}% by month "
        f"{design.trial.duration_months:g}, already simulated, so n is not inflated again) and "
        f"the {design.trial.analysis.value} test; "
        "assurance assumes the phase 2 effect carries over, but it comes from an uncontrolled "
        "before/after comparison in 5 patients whose data here are an illustrative "
        "reconstruction."
    )
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
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished work is kept", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
