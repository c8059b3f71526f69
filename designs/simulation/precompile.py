"""A first run's kernel compilation, split over background processes.

The engine's kernel (:func:`designs.simulation.kernels.simulate_block`) calls the patient
kernel and every analysis kernel; on a first run Numba compiles them one after the other in
one process (about a minute of one core). The analysis and patient kernels do not depend on
one another, so :func:`start` compiles them in :data:`PARTS` child processes, each for the
argument types the engine passes them (:func:`leaves`), while the main job does other work
(the phase 2 fit). Numba's cache is safe for several processes: each child saves what it
compiled into the versioned cache folder (:mod:`designs.simulation.numba_cache`), and the
parent, compiling ``simulate_block`` afterwards, loads them from there instead of compiling
them again. The code compiled is the same (the cache keeps each kernel's LLVM bitcode for
inlining into its callers), so the numbers are too.

The engine's kernel itself (about a third of the compile time) is compiled in the
background too, as soon as both parts are in the cache: the last child, once its own part is
done, waits for the other one (it reads a pipe the other child holds open until it exits) and
then compiles ``simulate_block`` for the argument types the engine passes
(:func:`compile_engine`). So the whole compilation can overlap the phase 2 fit, and the main
job then only loads the compiled engine. It saves time only where a core is free during the
fit: on two cores the fit and the compilation share them (CPU-bound either way), and the
total CPU is the same as before.

A child that fails or is killed costs nothing but time: whatever it did not save, the parent
(or the last child) compiles itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Groups of kernels compiled by one child process each (about equal compile times).
PARTS = ("reml", "arm")
#: What each part compiles, as the main job says it on the terminal.
PART_LABELS = {
    "reml": "the REML, OLS-slope and ANCOVA analyses",
    "arm": "the patients' simulation and the Kenward-Roger, joint-rank and lead-in analyses, "
    "then the engine's trial loop (simulate_block)",
}


def leaves() -> dict[str, list[tuple[object, tuple]]]:
    """The kernels each part compiles, with the argument types the engine calls them with
    (``tests/simulation/test_precompile.py`` checks these against the engine's own calls)."""
    from numba import types as T

    from designs.analyses.ancova_change import ancova_change
    from designs.analyses.joint_rank import joint_rank_test
    from designs.analyses.lmm_slope_kr import kenward_roger_adjust
    from designs.analyses.ols_slope_ttest import ols_slope_ttest
    from designs.analyses.reml import lmm_slope_fit
    from designs.analyses.slope_change_lead_in import slope_change_lead_in_test
    from designs.simulation.kernels import _lead_in_slope
    from designs.simulation.patients import simulate_arm_sums

    f1, f2, i1, i = T.float64[::1], T.float64[:, ::1], T.int64[::1], T.int64
    fv = T.float64[::1, :]  # visit-major scores (patients adjacent): arm_scratch_sums
    return {
        "reml": [
            (lmm_slope_fit, (i1, f2, f1, f1, f2, f2, i, f1)),
            (ols_slope_ttest, (f1, i1, i, f1)),
            (ancova_change, (f1, f1, i1, i, f1)),
        ],
        "arm": [
            (kenward_roger_adjust, (i1, f2, f1, i, f1)),
            (
                simulate_arm_sums,
                (T.uint64, i, T.boolean, T.float64, f1, i, *(f1,) * 4, fv, i1, f1, i1, f1, f1, f2),
            ),
            (joint_rank_test, (i1, f1, f1, i1, f2, i, f1, f1)),
            (slope_change_lead_in_test, (f2, i1, i, f1)),
            (_lead_in_slope, (f1, i, fv, i, f1)),
        ],
    }


def compile_part(part: str, after: int | None = None) -> None:
    """In a child process: compile (or load from the cache) one part's kernels; with
    ``after`` (the read end of a pipe whose write end the other children hold), then wait
    until they have all exited and compile the engine's kernel (:func:`compile_engine`)."""
    for kernel, args in leaves()[part]:
        kernel.compile(args)
    if after is not None:
        with os.fdopen(after, "rb") as pipe:
            pipe.read()  # end of file once every other child has exited, however it ended
        compile_engine()


def compile_engine() -> None:
    """Compile (or load) :func:`designs.simulation.kernels.simulate_block` for the argument
    types the engine passes it, by running the engine on two trials of a small design: every
    design gives the kernel the same argument types (``tests/simulation/test_precompile.py``
    checks that one specialisation serves the main job's designs)."""
    from designs.simulation.engine import run_trials
    from designs.simulation.inputs import simulation_inputs
    from designs.spec import load_design

    run_trials(simulation_inputs(load_design(None).with_overrides({"trial.n_per_arm": 5})), 2, 1)


def start() -> list[subprocess.Popen]:
    """Start one child process per part if the engine is not compiled yet (else none).

    Returns the processes, for :func:`wait`. Their output is discarded; on Linux they die
    with this process.
    """
    from designs.simulation.numba_cache import engine_compiled

    if engine_compiled():
        return []
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    parent = os.getpid()
    children = []
    # The last part's child compiles the engine once the others have exited: they hold the
    # write end of this pipe, it reads the other end until end of file. (POSIX only, for
    # pass_fds; elsewhere the main job compiles the engine after the children, as before.)
    posix = os.name == "posix"
    read_end, write_end = os.pipe() if posix else (-1, -1)
    try:
        for k, part in enumerate(PARTS):
            last = posix and k == len(PARTS) - 1
            code = (
                "from progression.workers import die_with_parent; "
                f"die_with_parent({parent}); "
                "from designs.simulation.precompile import compile_part; "
                f"compile_part({part!r}, {read_end if last else None})"
            )
            try:
                children.append(
                    subprocess.Popen(
                        [sys.executable, "-c", code],
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        pass_fds=() if not posix else (read_end,) if last else (write_end,),
                    )
                )
            except OSError:  # no process to be had: the engine compiles in this one
                break
    finally:
        if posix:
            os.close(read_end)
            os.close(write_end)
    return children


def wait(children: list[subprocess.Popen]) -> None:
    """Wait for the children of :func:`start`; on Ctrl-C stop them and re-raise."""
    try:
        for child in children:
            child.wait()
    except BaseException:
        stop(children)
        raise


def stop(children: list[subprocess.Popen]) -> None:
    """End the children of :func:`start` that still run (what they saved stays valid: Numba
    writes each cache entry whole)."""
    for child in children:
        if child.poll() is None:
            child.kill()
        child.wait()
