"""Options of the command line, each defined once, and the helpers every subcommand shares.

Option types refuse a bad value with one line naming the option; library errors, which name
parameters, are shown with the option that sets them (:func:`flag_message`).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

from designs.analyses.registry import ANALYSIS_NAMES
from designs.cli.effect_options import Percent, check_percent_effect, grid_in_percent, percent_grid

# re-exported: the subcommands take every option from here
from designs.cli.interim_options import (  # noqa: F401
    add_interim,
    interim_overrides,
    looks_value,
    refuse_interim_without_looks,
    refuse_looks_twice,
)
from designs.cli.parser import HelpFormatter, Parser, add_command  # noqa: F401
from designs.cli.provenance import (  # noqa: F401 (re-exported)
    command_args,
    command_line,
    phase2_posterior,
    print_json,
    record_command,
)
from designs.errors import InputError
from designs.outputs.json_text import json_ready, json_text  # noqa: F401 (json_ready re-exported)
from designs.simulation.seeds import DEFAULT_SEED, MAX_SEED

MAX_TRIALS = 10_000_000
MAX_INDEX = MAX_SEED  # the largest trial index, as the largest seed

#: Library parameter names and the options that set them: a library error that starts with
#: a parameter's name is shown with its option instead.
FLAGS = {
    "trials": "--trials",
    "refine_trials": "--refine-trials",
    "seed": "--seed",
    "threads": "--threads",
    "analysis": "--analysis",
    "target_power": "--target-power",
    "posterior": "--posterior",
    "transport": "--transport",
    "sizes": "--sizes",
    "alpha": "--alpha",
    "sides": "--sides",
    "df_method": "--df-method",
    "draws": "--draws",
    "chains": "--chains",
    "tune": "--tune",
    "workers": "--workers",
}
_PARAMETER = re.compile(r"^(?P<name>[a-z_]+)(?: =)?(?=[ :])")


def flag_message(message: str) -> str:
    """A library error with its leading parameter name replaced by the option that sets it."""
    m = _PARAMETER.match(message)
    if m and m["name"] in FLAGS:
        return FLAGS[m["name"]] + message[m.end() :]
    return message


# ---------------------------------------------------------------------------------------------
# Option types and option builders: each option is defined once.


def whole(lo: int, hi: int | None = None):
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


def finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number")
    return value


def number_or_percent(text: str) -> float:
    """A finite number, or ``NN%`` as the fraction (``80%`` is 0.8)."""
    stripped = text.strip()
    if stripped.endswith("%"):
        try:
            value = float(stripped[:-1]) / 100
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number or percentage")
        return value
    return finite(text)


def effect_value(text: str) -> float:
    """``--effect``: a number in the design's units, or ``NN%`` (a proportional slowing)."""
    value = number_or_percent(text)
    return Percent(value) if text.strip().endswith("%") else value


def add_seed_json(p) -> None:
    p.add_argument("--seed", type=whole(0, MAX_SEED), default=DEFAULT_SEED, help="random seed")
    add_json(p)


def add_json(p) -> None:
    """``--json`` alone (a command that draws no random numbers: ``analyze``)."""
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def add_design(p, *, sizes: bool = True) -> None:
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
    p.add_argument(
        "--n-per-arm",
        type=whole(2),
        help="patients per arm (1:1 allocation; default: the design's)",
    )
    p.add_argument(
        "--n-total", type=whole(4), help="patients randomised in all (default: the design's)"
    )
    p.add_argument(
        "--effect",
        type=effect_value,
        help="effect.value in the design's effect.kind: the bundled designs' "
        "proportional_slowing takes a slowing as a fraction of |slope_mean| (0.25) or a "
        "percentage (25%%); for points/month add --set effect.kind=slope_difference (then "
        "0.42 is 0.42 points/month slower); default: the design's",
    )
    p.add_argument("--threads", type=whole(1, 256), help="Numba threads (default: all cores)")


def add_decision(p, *, weight_grid: bool = False) -> None:
    """The ``[decision]`` options; with ``weight_grid`` (sweep) ``--prior-weight`` is a grid."""
    p.add_argument(
        "--decision",
        choices=("frequentist", "posterior"),
        help="decision.rule: the design's test, or success when P(effect > margin | data) > "
        "--threshold (default: the design's)",
    )
    p.add_argument(
        "--prior",
        choices=("vague", "sceptical", "robust"),
        help="decision.prior of the effect under the posterior rule; robust = --prior-weight "
        "on the phase 2 posterior, the rest on N(0, decision.robust_sd^2), by default the "
        "unit-information SD of one patient per arm (default: the design's)",
    )
    if weight_grid:
        add_grid(
            p,
            "--prior-weight",
            "decision.prior_weight grid in [0, 1]: weight of the phase 2 posterior in the "
            "robust prior, e.g. 0:1:0.25 (each cell also gets its type I error)",
        )
    else:
        p.add_argument(
            "--prior-weight",
            type=finite,
            metavar="W",
            help="decision.prior_weight in [0, 1]: weight of the phase 2 posterior in the "
            "robust prior (default: the design's)",
        )
    p.add_argument(
        "--threshold",
        type=finite,
        metavar="T",
        help="decision.threshold in (0, 1) (default: the design's)",
    )


#: The ``[decision]`` options and the fields they set.
DECISION_OPTIONS = {
    "decision": "decision.rule",
    "prior": "decision.prior",
    "prior_weight": "decision.prior_weight",
    "threshold": "decision.threshold",
}


def add_analysis(p, *, several: bool, default: str | None = None) -> None:
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


def add_force(p, extra: str = "") -> None:
    """``--force``: replace an existing ``--out`` file that is not an earlier output
    (``extra``: what else it does in this command)."""
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file even if it is not an earlier output of this "
        f"command (never one of the command's inputs){extra}",
    )


def design_inputs(args) -> list[tuple[str, str | Path | None]]:
    """The input files of a command that reads a design: (option, path) pairs, the library
    files it reads on top of included, and its ``--posterior`` and ``--data`` when given (an
    output never replaces one of them, not even with ``--force``)."""
    from designs.spec.library import design_files

    files = [("--design", path) for path in design_files(getattr(args, "design", None))]
    for flag in ("--posterior", "--data"):
        path = getattr(args, flag.lstrip("-"), None)
        if isinstance(path, str | Path):
            files.append((flag, path))
    return files


def add_trials(p, default: int, lo: int = 1, what: str = "simulated trials") -> None:
    p.add_argument("--trials", type=whole(lo, MAX_TRIALS), default=default, help=what)


def add_targets(p, help_text: str = "target power(s), each in (0, 1), e.g. 0.8 or 80%%") -> None:
    # a percentage too (a review found --target-power 80% refused where --effect 25% is taken)
    p.add_argument(
        "--target-power",
        nargs="+",
        type=number_or_percent,
        default=[0.8, 0.9],
        metavar="P",
        help=help_text,
    )


def add_posterior(p) -> None:
    p.add_argument(
        "--posterior",
        metavar="FILE.nc",
        help="phase 2 posterior from `fit` (default: fit the bundled data once and reuse it)",
    )


def add_grid(p, flag: str, help_text: str) -> None:
    """A grid option: ``START:STOP:STEP`` (inclusive), ``a,b,c`` or ``a b c``."""
    # given twice, the values add up (a review: `--effect 0.2 --effect 0.3` dropped 0.2)
    p.add_argument(flag, nargs="+", action="extend", metavar="GRID", help=help_text)


def grid_values(args, flag: str, *, integer: bool = False):
    """The values of a grid option (distinct, in the order given), or None when not given.

    ``--effect`` also takes percentages, as ``power --effect 25%`` does: ``20%:30%:5%`` or
    ``20%,25%`` is the grid of fractions 0.2, 0.25, 0.3 (every value a percentage, or none);
    so does ``--dropout``, a fraction gone by month 12 (a sweep review: ``40%`` was refused
    there while ``--effect`` took it).
    """
    tokens = getattr(args, flag.lstrip("-").replace("-", "_"))
    if tokens is None:
        return None
    from designs.planning.sweep.grid import parse_grid_tokens  # no xarray: a grid is numbers

    if flag in ("--effect", "--dropout") and grid_in_percent(tokens):
        return percent_grid(tokens, flag)
    return parse_grid_tokens(tokens, flag, integer=integer)


def parse_set(items: list[str]) -> dict:
    """``--set section.key=value`` pairs; each value is exactly one TOML value (a number, list,
    string, ...), or else plain text read as a string; more than one value is refused."""
    from designs.spec.library import loads_toml

    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or key.count(".") < 1 or not text:
            hint = _dotted_near_miss(key) if sep and text and "." not in key else ""
            raise InputError(f"--set {_short(item)}: must look like section.key=value{hint}")
        try:
            parsed = loads_toml(f"v = {text}")
        except InputError as exc:
            if "nested" in str(exc):
                raise InputError(f"--set {key}: {exc}") from None
            parsed = {"v": text}  # not TOML: plain text, e.g. --set trial.name=My trial
        if set(parsed) != {"v"} or any(ch in text for ch in "\n\r"):
            raise InputError(
                f"--set {key}: the value must be one TOML value on one line, got {_short(text)}"
            )
        if key in out:  # (a reliability review: the last silently won; a TOML file refuses)
            raise InputError(f"--set {key}: given twice; give it once")
        out[key] = parsed["v"]
    return out


def _dotted_near_miss(key: str) -> str:
    """``" (did you mean 'trial.n_per_arm'?)"`` for a key given without its section (or
    mistyped as well: the closest field name, :func:`designs.errors.near_miss`'s rule)."""
    from difflib import get_close_matches

    from designs.errors import NEAR_MISS_CUTOFF
    from designs.spec.fields import field_names
    from designs.spec.layers import SECTIONS

    dotted: dict[str, str] = {}
    for sec, cls in SECTIONS.items():
        for name in field_names(cls):
            dotted.setdefault(name, f"{sec}.{name}")
    close = get_close_matches(key, list(dotted), n=1, cutoff=NEAR_MISS_CUTOFF)
    return f" (did you mean {dotted[close[0]]!r}?)" if close else ""


def _short(text: str, most: int = 60) -> str:
    """``repr`` of ``text``, cut to about ``most`` characters (for one-line messages)."""
    return repr(text) if len(text) <= most else repr(text[:most]) + "..."


def design_from_args(
    args, *, analysis_field: bool = True, posterior_read=(), size_searched: bool = False
):
    """The design of ``--design`` with the options and ``--set`` overrides applied.

    With ``analysis_field``, ``--analysis`` (its first name) also sets ``trial.analysis``.
    The posterior rule's options typed while the rule is frequentist are refused
    (:func:`designs.cli.decision_options.check_posterior_options`), except the fields in
    ``posterior_read``, which the command reads under either rule. With ``size_searched``
    (a command that searches n) an unequal allocation set on a design sized per arm needs
    no ``--n-total``: the design's total stands in until the search replaces it.
    """
    from designs.cli.decision_options import check_posterior_options
    from designs.spec import load_design
    from designs.spec.library import total_stand_in

    design = load_design(args.design, size_searched=size_searched)
    overrides = {}
    typed = {}  # the field each single-value option sets -> the option
    n_arm, n_total = getattr(args, "n_per_arm", None), getattr(args, "n_total", None)
    for option, n in (("--n-per-arm", n_arm), ("--n-total", n_total)):
        if size_searched and isinstance(n, int):  # ignored otherwise (a command-line review)
            hint = " (--sizes sets the sizes it simulates)" if args.command == "sample-size" else ""
            raise InputError(f"{option} {n}: {args.command} finds n itself{hint}")
    if isinstance(n_arm, int) and isinstance(n_total, int):
        raise InputError("--n-per-arm and --n-total: give one of them, not both")
    if isinstance(n_arm, int):
        overrides["trial.n_per_arm"], typed["trial.n_per_arm"] = n_arm, "--n-per-arm"
    if isinstance(n_total, int):
        overrides["trial.n_total"], typed["trial.n_total"] = n_total, "--n-total"
    if isinstance(getattr(args, "effect", None), float):
        # + 0.0: -0 is 0 ("-0% slowing" was printed, a bad-input review)
        overrides["effect.value"], typed["effect.value"] = args.effect + 0.0, "--effect"
    for name, dotted in DECISION_OPTIONS.items():
        if getattr(args, name, None) is not None and not isinstance(getattr(args, name), list):
            overrides[dotted] = getattr(args, name)
            typed[dotted] = f"--{name.replace('_', '-')}"
    overrides.update(interim_overrides(args))
    analysis = getattr(args, "analysis", None)
    if isinstance(analysis, list):
        from designs.analyses.registry import check_distinct

        check_distinct(analysis, "--analysis")
    if analysis and analysis_field:
        overrides["trial.analysis"] = analysis if isinstance(analysis, str) else analysis[0]
        typed["trial.analysis"] = "--analysis"
    given = parse_set(args.set)
    for dotted in sorted(given.keys() & typed.keys()):  # (a review: --set silently won)
        raise InputError(f"{typed[dotted]} and --set {dotted}: both set {dotted}; give one")
    if isinstance(getattr(args, "effect", None), list) and "effect.kind" in given:
        # a sweep's --effect grid sets every cell's value: it is the kind's value (a review:
        # --set effect.kind=slope_difference --effect 0.3 0.5 was refused as a kind alone)
        given.setdefault("effect.value", grid_values(args, "--effect")[0])
    refuse_looks_twice(args, given)
    overrides.update(given)
    if size_searched:  # a stand-in total where an unequal allocation needs one: the search sets n
        overrides.update({f"trial.{k}": v for k, v in total_stand_in(design, overrides).items()})
    design = design.with_overrides(overrides) if overrides else design
    check_posterior_options(args, design, given, posterior_read)
    typed_threshold = getattr(args, "threshold", None) is not None or "decision.threshold" in given
    if typed_threshold and design.decision.thresholds:  # a diff review: silently ignored
        raise InputError(
            "--threshold: this design's looks are judged by decision.thresholds (one per look), "
            "not decision.threshold; give --thresholds"
        )
    if isinstance(getattr(args, "spending", None), str) and design.decision.is_posterior:
        raise InputError(
            f"--spending {args.spending}: the posterior rule at looks is judged by its "
            "thresholds (--threshold, --thresholds), not by alpha spending"
        )
    if not design.interim.sequential:
        refuse_interim_without_looks(args, given)
    check_percent_effect(args, design)
    return design


def warn(lines) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def write_table(path, text: str, fmt: str) -> None:
    """Write a table atomically and say on stderr (stdout is the table) which file."""
    from designs.atomic import atomic_write_text

    verb = "replaced" if Path(path).exists() else "wrote"
    atomic_write_text(path, text)
    warn([f"{verb} {path} (the table, {fmt})"])


def check_targets(targets) -> None:
    for i, t in enumerate(targets):
        if not 0 < t < 1:
            raise InputError(f"--target-power {t:g}: must be in (0, 1)")
        if t in targets[:i]:
            raise InputError(f"--target-power {t:g}: given twice; give each target once")


def check_targets_above_level(targets, design) -> None:
    """A target power at or below the design's alpha is refused: the test reaches it with no
    effect at all, and the search answered n = 3 with an interval 0-3 (a bad-input review)."""
    level = design.trial.alpha
    for t in targets:
        if t <= level:
            raise InputError(
                f"--target-power {t:g}: must be above the design's alpha {level:g} (a test "
                "comes near such a power with no effect at all); e.g. 0.8"
            )
