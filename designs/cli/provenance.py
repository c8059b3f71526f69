"""What a run records of itself: the command as typed, the phase 2 posterior it read, and
its JSON result printed with both (and the software), so that a result kept on its own says
how it was made."""

from __future__ import annotations

import sys

from designs.outputs.json_text import json_text

#: The arguments of the command being run (set by ``main``; ``sys.argv`` when run directly).
_ARGV: list[str] | None = None


#: The attributes of the phase 2 posterior this run read (:func:`phase2_posterior`).
_POSTERIOR_READ: list = []


def record_command(argv: list[str] | None) -> None:
    """Remember the arguments ``main`` was given, for :func:`command_line`; a new run has
    read no posterior yet."""
    global _ARGV
    _ARGV = None if argv is None else [str(a) for a in argv]
    _POSTERIOR_READ.clear()


def command_args() -> list[str]:
    """The command's arguments as typed (after ``simulate.py``), as text: an argument that
    reached Python as undecodable bytes (a non-ASCII path under ``LC_ALL=C
    PYTHONUTF8=0``, held as surrogates) is its UTF-8 text, so that the files recording it
    can be written (a European data manager's review: UnicodeEncodeError, nothing written)."""
    return [_as_text(a) for a in (sys.argv[1:] if _ARGV is None else _ARGV)]


def _as_text(arg: str) -> str:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:  # surrogate escapes of the bytes typed
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return arg


def command_line() -> str:
    """The command as typed, recorded in output files so that rerunning it reproduces them."""
    import shlex

    from designs.program import program_words

    return shlex.join([*program_words(), *command_args()])


def print_json(obj, record: bool = False) -> None:
    """Print ``obj`` as valid JSON: NaN and infinities (undefined numbers) become null.

    ``record``: a command's result, which says how it was made: ``software`` (the release
    and the source hash) and ``command`` (as typed) are added to it, or to each of its rows
    (a list of dicts), so that a result kept on its own can be reproduced (a reproducibility
    audit: power, sample-size and assurance JSON named neither)."""
    if record:
        from designs.simulation.numba_cache import software

        made = {"software": software(), "command": command_line()}
        if _POSTERIOR_READ:  # a Bayesian review: power, calibrate and analyze named none
            from designs.outputs.posterior_source import posterior_record

            made["posterior"] = posterior_record(_POSTERIOR_READ[0])
        if isinstance(obj, dict):
            obj = {**obj, **{k: v for k, v in made.items() if k not in obj}}
        elif isinstance(obj, list):
            obj = [{**row, **{k: v for k, v in made.items() if k not in row}} for row in obj]
    print(json_text(obj))


def phase2_posterior(path: str | None):
    """The phase 2 posterior (``--posterior`` or the cached fit), kept as the one this run
    read so that its JSON names it (:func:`print_json`)."""
    from designs.planning.posterior import load_or_fit_posterior

    idata = load_or_fit_posterior(path)
    _POSTERIOR_READ[:] = [idata.attrs]
    return idata
