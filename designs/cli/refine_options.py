"""``--refine-trials``: the sample-size search's second stage on the command line
(``sample-size``, ``report``): the option, its default (the main job's 4 times ``--trials``)
and what the user asked for."""

from __future__ import annotations

import argparse

from designs.cli.options import MAX_TRIALS

#: The fewest trials of a second stage: designs.planning.refine.MIN_REFINE_TRIALS (not
#: imported here, where --help is built: the planning library loads the simulation engine).
MIN_REFINE_TRIALS = 10


def refine_trials_count(text: str) -> int:
    """``--refine-trials``: 0 (one stage) or a whole number of trials in [10, MAX_TRIALS]."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not (value == 0 or MIN_REFINE_TRIALS <= value <= MAX_TRIALS):
        raise argparse.ArgumentTypeError(
            f"{text!r}: must be 0 (one stage) or a whole number of trials from "
            f"{MIN_REFINE_TRIALS} to {MAX_TRIALS:,}"
        )
    return value


def add_refine_trials(p, sizes: bool = True) -> None:
    """``--refine-trials N`` (``sample-size``, ``report``): the sample-size search's second
    stage (:mod:`designs.planning.refine`); not given, :func:`check_refine_trials` sets it.
    ``sizes``: the command takes ``--sizes`` (``report`` does not: a command-line review
    found its help naming it)."""
    p.add_argument(
        "--refine-trials",
        type=refine_trials_count,
        default=None,
        metavar="N",
        help="the sample-size search's second stage: N more trials at the sizes near each n, "
        "where the power at n is also simulated (default: 4 times --trials, at most 100000, as "
        "the main job's 2000 + 8000, for a fixed design searched over its own sizes, and with "
        "interim looks for the fixed design that n max is scaled from; "
        + ("one stage with --sizes; " if sizes else "")
        + f"0: one stage; else at least {MIN_REFINE_TRIALS})",
    )


def asked_refine_trials(args) -> int:
    """The second stage's trials the user asked for with ``--refine-trials`` (0 when it was
    not given and :func:`check_refine_trials` chose the default): what
    :func:`designs.outputs.console.second_stage_warnings` reads, so that a default second
    stage that could not run (no target reached in the first stage) is not warned about."""
    return args.refine_trials if args.refine_trials_given else 0


def check_refine_trials(args, design) -> None:
    """``--refine-trials``: the second stage of the fixed search (with interim looks, the
    fixed search n max is scaled from), checked before anything is simulated or read by the
    library's check; its error names the option (:func:`flag_message`). Not given, it
    becomes the default second stage (:func:`designs.planning.refine.default_refine_trials`:
    4 times ``--trials``, none with ``--sizes``), and ``args.refine_trials_given`` says
    which."""
    from designs.planning.refine import check_refine_trials as check
    from designs.planning.refine import default_refine_trials

    args.refine_trials_given = args.refine_trials is not None
    if not args.refine_trials_given:
        sizes_given = bool(getattr(args, "sizes", None))
        args.refine_trials = default_refine_trials(args.trials, design, sizes_given)
    check(args.refine_trials, design)
