"""The command that reruns a sample-size search with more trials: the user's own arguments
with their trials' options replaced (the advice of a fresh-trial check that missed)."""

from __future__ import annotations

import shlex

__all__ = ["TRIALS_OPTIONS", "more_trials_options", "rerun_text"]


def more_trials_options(row) -> str:
    """The options of a search like ``row``'s with 4 times the trials (half the Monte Carlo
    SE): both stages' after a two-stage search; after one stage ``--refine-trials 0`` too,
    which a fixed design's ``--trials`` alone would now give a second stage of 4 times as
    many (0 is also taken with ``--sizes`` and interim looks)."""
    if not row.refine_trials:
        return f"--trials {4 * row.trials} --refine-trials 0"
    return f"--trials {4 * row.grid_trials} --refine-trials {4 * row.refine_trials}"


#: The options :func:`rerun_text` replaces (each takes one value).
TRIALS_OPTIONS = ("--trials", "--refine-trials")


def rerun_text(row, command: str = "sample-size", rerun=None) -> str:
    """The command that reruns ``row``'s search with 4 times the trials
    (:func:`more_trials_options`): the arguments ``rerun`` (as typed after ``simulate.py``)
    with their own trials' options replaced, so that the design, analysis, looks and output
    are the user's (a command-line review: the advice gave ``simulate.py report --trials 400
    --refine-trials 1600``, which searched the default design and, lacking ``--out``, could
    not run); without ``rerun`` (a report made by the explorer or the library), the
    ``command`` with "this design's options" and the trials' options."""
    from designs.program import program_name, program_words

    more = more_trials_options(row).split()
    if rerun is None:  # (a diff review: "simulate.py" when als-trial-sim ran)
        return f"{program_name()} {command} with this design's options and {' '.join(more)}"
    kept, skip = [], False
    for arg in rerun:
        if skip:
            skip = False
        elif arg in TRIALS_OPTIONS:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in TRIALS_OPTIONS)):
            kept.append(arg)
    return shlex.join([*program_words(), *kept, *more])
