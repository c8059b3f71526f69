"""The command line's parser, the main job and the entry point."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import os
import signal
import sys

from designs import __version__
from designs.cli import (
    analyze_command,
    assurance_command,
    data_commands,
    decision_commands,
    explorer_command,
    fit_command,
    planning_commands,
    report_command,
    sweep_command,
)
from designs.cli.options import (
    Parser,
    flag_message,
    phase2_posterior,
    record_command,
)
from designs.cli.progress import progress_bar
from designs.errors import InputError
from designs.program import program_name
from designs.simulation.seeds import DEFAULT_SEED
from progression.sampler_messages import quiet_pymc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per subcommand."""
    parser = Parser(
        prog=program_name(),
        description=(
            "Plan a double-blind ALS trial: how many patients, for how long, with which "
            "analysis, and how sure. Without a subcommand, runs the main job on the bundled "
            "defaults."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--verbose", action="store_true", help="show PyMC's sampler messages (hidden by default)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for register in (
        fit_command.add_fit,
        data_commands.add_power,
        decision_commands.add_calibrate,
        data_commands.add_trial,
        analyze_command.add_analyze,
        data_commands.add_bench,
        data_commands.add_designs,
        sweep_command.add_sweep,
        planning_commands.add_sample_size,
        assurance_command.add_assurance,
        report_command.add_report,
        explorer_command.add_explore,
    ):
        register(sub)
    return parser


def main_job() -> int:
    """The default run: fit the bundled phase 2 data, simulate the follow-up, print n.

    Prints the sample size for 80% and 90% power under the design's fixed effect, then the
    assurance at those sizes over the phase 2 posterior (proportional transport, absolute
    beside it), and one line on what the numbers assume.
    """
    import time

    from designs.outputs.assurance_text import (
        main_job_assurance_text,
        main_job_note,
        undefined_draws_note,
    )
    from designs.outputs.tables import sample_size_table
    from designs.planning import main_job as job
    from designs.planning.sample_size import find_sample_size
    from designs.simulation import precompile
    from designs.spec import load_design

    seed = DEFAULT_SEED
    start = time.perf_counter()
    print(
        "ALS trial planner: the proposed double-blind follow-up (designs/library/default.toml).\n"
        "A first run compiles the simulation kernels and fits the phase 2 model (one to two "
        "minutes on 2 cores); later runs reuse both caches.",
        flush=True,
    )
    design = load_design()
    print(f"Design (n is found below): {design.describe(size=False)}", flush=True)
    compiling = precompile.start()  # first run only: the kernels compile beside the fit
    if compiling:
        parts = "; ".join(precompile.PART_LABELS[p] for p in precompile.PARTS[: len(compiling)])
        print(
            f"Compiling the simulation kernels in {len(compiling)} background processes "
            f"(first run only): {parts} ...",
            flush=True,
        )
    print("Phase 2 posterior: fitting the bundled data or reusing the cached fit ...", flush=True)
    try:
        idata = phase2_posterior(None)
    except BaseException:  # a refusal or Ctrl-C: no compilation goes on without us
        precompile.stop(compiling)
        raise
    if compiling:
        print(
            "Waiting for the kernel compilation (the engine's trial loop, simulate_block, "
            "compiles last, from the kernels compiled beside the fit) ...",
            flush=True,
        )
        precompile.wait(compiling)
    print(
        f"Sample size by simulation ({job.MAIN_TRIALS} trials per size, then "
        f"{job.MAIN_REFINE_TRIALS} near each n; seed {seed}) ...",
        flush=True,
    )
    with progress_bar(0, "trial", True) as bar:
        result = find_sample_size(
            design,
            job.MAIN_TARGETS,
            job.MAIN_TRIALS,
            seed,
            progress=bar.update,
            refine_trials=job.MAIN_REFINE_TRIALS,
        )
    print()
    print("Fixed effect (the design's): patients randomised for the target power")
    print(sample_size_table(result, design, "md"))
    from designs.outputs.fresh_check import fresh_check_missed, fresh_check_warnings
    from designs.outputs.level_warnings import type_i_warnings

    # without the rerun a fresh-check warning advises: the main job runs it, just below
    warnings = fresh_check_warnings(result.rows, design, advise=False)
    warnings += type_i_warnings(result.rows, design)
    if warnings:
        print("\n".join(warnings) + "\n")
    flagged = [f"{r.target_power:.0%}" for r in result.rows if fresh_check_missed(r)]
    if flagged:  # the search's n rests on simulation error: search again, as the warning says
        f = job.MAIN_REFINE_FACTOR
        print(
            f"Searching again for {', '.join(flagged)} power with {f} times the trials "
            f"({f * job.MAIN_TRIALS} per size, then {f * job.MAIN_REFINE_TRIALS} near n; same "
            "seed; fresh trials independent of the first check) ...",
            flush=True,
        )
        with progress_bar(0, "trial", True) as bar:
            again, rows = job.search_again(
                design, result, seed, fresh_check_missed, progress=bar.update
            )
        print()
        print("Fixed effect, searched again: these rows replace the ones above")
        print(_notes_as_above(sample_size_table(again, design, "md"), again.rows[0]))
        warnings = fresh_check_warnings(again.rows, design)
        if warnings:
            print("\n".join(warnings) + "\n")
        result = dataclasses.replace(result, rows=rows)
    with progress_bar(0, "trial", True) as bar:
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


#: Commands whose simulated trials are kept while they run (:mod:`designs.simulation.journal`),
#: so that the same command run again after an interruption resumes; None is the main job.
#: A sweep keeps its finished cells in its own file.
_RESUMABLE = (None, "power", "sample-size", "report", "assurance", "calibrate")


def _kept_trials(command: str | None):
    """The journal that keeps a resumable command's finished trials; else a no-op context."""
    from contextlib import nullcontext

    from designs.simulation import journal

    if command not in _RESUMABLE:
        return nullcontext()
    return journal.journal(keep_after=journal.KEEP_AFTER_SECONDS)


def _interrupted_text(args, kept=None, cells=None) -> str:
    """What an interruption left: a sweep keeps its finished cells (``cells``: this sweep's,
    as the sweep counted them; else those in its folder) and a resumable command its
    finished trials (a rerun resumes); files are written whole, so none is half-written."""
    if getattr(args, "command", None) == "sweep":
        try:
            if cells is None:
                cells = _finished_cells(getattr(args, "out", None))
        except Exception:  # a resume audit: a Ctrl-C while xarray was imported left it
            # half-loaded, and counting the cells imported it again: exit 1 and a traceback
            # of some 100 lines; here the count is only for the message
            return "interrupted; no file is half-written (rerun the same command to resume)"
        if not cells:  # a review: it said so before any cell had finished
            return "interrupted before any cell of the sweep had finished; nothing is written"
        kept_cells = "the finished cell is" if cells == 1 else f"the {cells:,} finished cells are"
        return f"interrupted; {kept_cells} kept (rerun the same command to resume)"
    if kept is not None and kept.holds():  # a review: after a full disk they were gone
        return (
            "interrupted; no file is half-written, and the trials simulated so far are kept "
            "(rerun the same command to resume)"
        )
    return "interrupted; no file is half-written (files are written whole; rerun to finish)"


def _finished_cells(out) -> int:
    """How many finished cells an interrupted sweep writing to ``out`` keeps."""
    if not out:
        return 0
    from designs.planning.sweep.run import cells_folder

    try:
        return sum(1 for _ in cells_folder(out).glob("*.json"))
    except OSError:
        return 0


def _resumed_note(kept) -> None:
    """After a run that read back trials an interrupted run had simulated, say so (stderr)."""
    if kept is not None and kept.read:
        print(
            f"note: resumed: {kept.read:,} simulated trials were read back from another run "
            "of the same simulation (an earlier one that did not finish, or one running beside "
            "this one; the same numbers)",
            file=sys.stderr,
        )


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush of a closed pipe
    prints nothing either (the Python documentation's recipe for SIGPIPE)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (captured in tests)
        pass


#: The signals (SIGINT, SIGTERM) this run received. Raised inside compiled code's callback
#: (llvmlite while compiling, a sampler's progress), the KeyboardInterrupt can be swallowed
#: by Python ("Exception ignored ..."), and the run goes on to finish (a review): the list
#: lets :func:`main` say so rather than end as if nothing had been asked.
_SIGNALLED: list[int] = []


def _terminate(signum, frame) -> None:
    """SIGTERM (and Ctrl-C) ends a run: finished sweep cells are kept, nothing half-written."""
    _SIGNALLED.append(signum)
    raise KeyboardInterrupt


def interrupted_status() -> int:
    """The exit status of an interrupted run, as shells give it: 128 + the signal that ended
    it, 130 for Ctrl-C (SIGINT) and 143 for SIGTERM (a review: SIGTERM gave 130, which a
    job scheduler reads as a user's Ctrl-C)."""
    return 128 + int(_SIGNALLED[0] if _SIGNALLED else signal.SIGINT)


_LOST_INTERRUPT_NOTE = (
    "note: the interruption arrived where Python cannot be stopped (compiled code, or a "
    "clean-up callback) and was lost; the run went on to finish, so its output is complete"
)


def _compiled_note(code: int) -> None:
    """After a successful run that compiled the kernels, say so on stderr (off a terminal; a
    terminal saw the status line while they compiled). Never before a refusal."""
    from designs.simulation.numba_cache import COMPILED_NOTE, compiled_in_this_process

    if code == 0 and compiled_in_this_process() and not sys.stderr.isatty():
        print(COMPILED_NOTE, file=sys.stderr)


def _catch(signum: int):
    """Have ``signum`` end the run through :func:`_terminate`, unless it is ignored (a job
    started with ``&`` from a script ignores Ctrl-C, as POSIX shells want: it stays
    ignored). Returns the handler to restore."""
    current = signal.getsignal(signum)
    if current is signal.SIG_IGN:
        return current
    return signal.signal(signum, _terminate)


#: The path options, and the commands whose ``--out`` is a folder.
_PATH_OPTIONS = ("out", "figure", "data", "design", "posterior")
_FOLDER_OUT = ("report",)


def _check_paths(args) -> None:
    """Refuse an empty path (a reliability review: ``report --out ''`` wrote the report into
    the current folder, ``sample-size --out ''`` silently wrote nothing) and a file output
    named with a trailing slash (``--out res/`` wrote a file ``res``)."""
    for name in _PATH_OPTIONS:
        value = getattr(args, name, None)
        if not isinstance(value, str):
            continue
        if not value.strip():
            raise InputError(f"--{name}: empty; give a path")
        if value == "-":  # (a file-safety review: `--out -` wrote files named "-" and "-.json")
            stream = "output" if name in ("out", "figure") else "input"
            raise InputError(f"--{name} -: standard {stream} is not used; give a file name")
        is_file_output = name == "figure" or (name == "out" and args.command not in _FOLDER_OUT)
        if is_file_output and value.endswith(("/", os.sep)):
            raise InputError(f"--{name} {value}: names a folder (ends in /); give a file name")


def _ignore_once_done() -> None:
    """Ignore Ctrl-C and SIGTERM for the rest of a run whose command returned (``main``'s
    ``finally`` restores them for a caller in the same process, not for the program, which
    then exits); an ignored SIGINT stays ignored anyway."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _notes_as_above(table: str, row) -> str:
    """The searched-again table with its notes paragraph cut to what differs from the first
    table's (a newcomer review read the same long paragraph twice): the trials and seed."""
    from designs.outputs.console import trials_note

    head, sep, _ = table.partition("\nNotes: ")
    if not sep:
        return table
    version = f"als-trial-sim {__version__}"
    return f"{head}\nNotes: as above; {trials_note(row)}, seed {row.seed}, {version}.\n"


def _printable_streams() -> None:
    """stdout and stderr write what their encoding cannot hold as escapes instead of failing
    (a portability review: under PYTHONIOENCODING=ascii or a Latin-1 locale an en dash in
    the sample-size table ended a finished search with a UnicodeEncodeError traceback)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):  # closed or not reconfigurable
                stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    _printable_streams()
    _SIGNALLED.clear()
    previous = _catch(signal.SIGTERM)
    previous_int = _catch(signal.SIGINT)
    record_command(argv)
    kept = None
    try:
        # inside: a Ctrl-C while the options are built is an interruption, not a traceback
        parser = build_parser()
        args = parser.parse_args(argv)
        _check_paths(args)
        if not args.verbose:
            quiet_pymc()
        with _kept_trials(args.command) as kept:
            code = main_job() if args.command is None else args.handler(args)
            # The work is done and written: a Ctrl-C from here on (the kept trials'
            # removal among it) is too late to stop anything, and ending with
            # "interrupted" (exit 130) would say the outputs are incomplete.
            _ignore_once_done()
        _compiled_note(code)
        _resumed_note(kept)
        if _SIGNALLED and code == 0 and args.command != "explore":  # Ctrl-C is its end
            print(_LOST_INTERRUPT_NOTE, file=sys.stderr)
        return code
    except InputError as exc:
        print(f"error: {flag_message(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        cells = getattr(exc, "sweep_cells_kept", None)
        print(_interrupted_text(locals().get("args"), kept, cells), file=sys.stderr)
        return interrupted_status()
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly, as cat does
        _silence_stdout()
        return 141
    except OSError as exc:  # a full disk, a folder removed while running: one line, exit 1
        reason = "no space left on device" if exc.errno == errno.ENOSPC else exc.strerror
        cells = getattr(exc, "sweep_cells_kept", 0)
        kept_cells = (
            f"; the sweep's {cells:,} finished cell{'s are' if cells > 1 else ' is'} kept "
            "(rerun the same command to resume)"
            if cells and getattr(locals().get("args"), "out", None)
            else ""
        )
        print(f"error: {exc.filename or 'output'}: {reason or exc}{kept_cells}", file=sys.stderr)
        return 1
    except Exception:
        # our Ctrl-C raised inside compiled code surfaces as another exception (Numba's
        # "SystemError: CPUDispatcher(...) returned a result with an exception set": a
        # reliability review saw it with a traceback and exit 1), or, swallowed in
        # llvmlite's callback while the kernels compile, leaves one without it in its chain
        # ("RuntimeError: no compiled object yet": an operations review, 181 lines, exit 1):
        # after a recorded Ctrl-C or SIGTERM, a failure is the interruption's
        if not _SIGNALLED:
            raise
        if getattr(locals().get("args"), "verbose", False):  # what the interruption left
            import traceback  # (a diff review: a real error would be hidden for good)

            traceback.print_exc()
        print(_interrupted_text(locals().get("args"), kept, None), file=sys.stderr)
        return interrupted_status()
    finally:
        # A program run (argv None: the process's own command line) whose command is over,
        # finished or interrupted, keeps ignoring Ctrl-C while the interpreter shuts down (a
        # reliability review: a Ctrl-C in that half second after "wrote ..." gave exit 130
        # and no message; a second Ctrl-C after "interrupted" killed the process by the
        # signal, as Python's shutdown restores the default action); a caller in the same
        # process (tests, notebooks) gets its handlers back.
        if argv is None:
            _ignore_once_done()
        else:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)


if __name__ == "__main__":
    sys.exit(main())
