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
import sys
from pathlib import Path

from designs import __version__
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
    for register in (_add_power, _add_trial, _add_analyze, _add_bench):
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
    if overrides:
        design = design.with_overrides(overrides)
    return design


def _progress_bar(total: int, unit: str, enabled: bool):
    """A tqdm bar on stderr, shown only for runs longer than about a second."""
    from tqdm import tqdm

    return tqdm(
        total=total, unit=unit, disable=not enabled, delay=1.0, file=sys.stderr, leave=False
    )


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, default=float))


# ---------------------------------------------------------------------------------------------
# power


ANALYSES = ("lmm_slope", "ols_slope_ttest", "ancova_change")


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
    from designs.power import power

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
            print(
                f"{s.analysis}: power {s.power:.3f} (MC SE {s.mc_se:.3f}, 95% CI "
                f"{s.ci95[0]:.3f}-{s.ci95[1]:.3f}); favourable {s.power_favourable:.3f}; "
                f"mean estimate {s.mean_estimate:+.3f} {s.units} (true {s.true_effect:+.3f}, "
                f"SD {s.sd_estimate:.3f}); n {s.n_placebo} placebo + {s.n_active} active; "
                f"{s.trials} trials, seed {s.seed}, failed fits {s.failed_fits}"
            )
    _warn_failed(out.values())
    return 0


def _warn_failed(summaries) -> None:
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
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument("--index", type=_whole(0), default=0, help="which trial of the seed's run")
    p.set_defaults(handler=cmd_trial)


def cmd_trial(args) -> int:
    import numpy as np

    from designs.atomic import atomic_write_text
    from designs.engine import simulate_one_trial, simulation_inputs

    design = _design_from_args(args)
    data = simulate_one_trial(simulation_inputs(design), args.seed, args.index)
    lines = ["patient,arm,month,alsfrs_r,status,exit_month"]
    for pid, arm, month, score in zip(
        data["patient"], data["arm"], data["month"], data["alsfrs_r"], strict=True
    ):
        exit_month = data["exit_month"][pid]
        exit_text = "" if np.isnan(exit_month) else f"{exit_month:.4f}"
        score_text = f"{score:.0f}" if design.population.integer_scores else f"{score:.6f}"
        lines.append(f"{pid},{arm},{month:g},{score_text},{data['status'][pid]},{exit_text}")
    atomic_write_text(args.out, "\n".join(lines) + "\n")
    if args.json:
        _print_json({"out": str(args.out), "patients": len(data["status"]), "rows": len(lines) - 1})
    else:
        print(f"wrote {args.out}: {len(data['status'])} patients, {len(lines) - 1} visits")
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


def _read_csv(path: str, option: str = "--data"):
    import pandas as pd

    if not Path(path).is_file():
        raise InputError(f"{option} {path}: no such file")
    try:
        return pd.read_csv(path, comment="#")
    except UnicodeDecodeError:
        raise InputError(f"{option} {path}: not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{option} {path}: unreadable CSV ({first})") from None


def cmd_analyze(args) -> int:
    from designs.analyses import analyze

    if not 0 < args.alpha < 1:
        raise InputError(f"--alpha {args.alpha}: must be in (0, 1)")
    data = _read_csv(args.data)
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


def main_job() -> int:
    """The default run: fit the bundled phase 2 data, simulate the follow-up, print n."""
    print(
        "The main job will fit the bundled (illustrative) phase 2 data, simulate the proposed "
        "double-blind follow-up and print the sample size for 80% and 90% power; its parts "
        "are being built."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
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


if __name__ == "__main__":
    sys.exit(main())
