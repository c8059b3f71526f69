"""Command line of the ALS trial-design tool.

The options and subcommands live in :mod:`designs.cli` (parse, call the library, print or
write: no statistics, no tables, no file formats, no cache policy). Exit status: 0 done,
2 bad input (one line on stderr naming the option or field and what is allowed), 1 anything
else.
"""

import gc
import os
import sys
from pathlib import Path


def _started_by_the_script() -> bool:
    """Whether the program running is the ``als-trial-sim`` script pip writes (which imports
    this module), under whatever name it was started: a link or a cluster's wrapper may
    rename it (an installation review: ``NUMBA_NUM_THREADS=0`` then ended in Numba's
    traceback)."""
    if Path(sys.argv[0]).stem == "als-trial-sim":
        return True
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if not script or Path(script).suffix == ".py":
        return False
    try:
        with open(script, encoding="utf-8", errors="replace") as f:
            return "from simulate import main" in f.read(4096)
    except OSError:
        return False


#: Started as a program (``python simulate.py``, or the ``als-trial-sim`` script, which
#: imports this module), not imported by a test or a script.
_PROGRAM = __name__ == "__main__" or _started_by_the_script()

if _PROGRAM:  # no cyclic garbage collection while the command line loads: see
    gc.disable()  # designs.cli.collector (settle() below switches it on again)


def _numba_threads_refused() -> str:
    """The one-line refusal of a ``NUMBA_NUM_THREADS`` below 1 ('' otherwise), which Numba
    meets with a traceback while it is imported (a bad-input review); a value that is not a
    whole number Numba warns about and ignores."""
    value = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    try:
        threads = int(value)
    except ValueError:
        return ""
    if threads >= 1:
        return ""
    return (
        f"error: NUMBA_NUM_THREADS = {value}: must be a whole number >= 1 (the threads the "
        "simulation may use); unset it to use every core (then --threads N limits them)"
    )


if _PROGRAM and (_refused := _numba_threads_refused()):
    print(_refused, file=sys.stderr)
    sys.exit(2)

try:
    from designs.cli.main import build_parser, main, main_job
except KeyboardInterrupt:  # Ctrl-C while the command line loads: one line, no traceback
    print("interrupted", file=sys.stderr)
    sys.exit(130)

if _PROGRAM:
    from designs.cli.collector import settle

    settle()

__all__ = ["build_parser", "main", "main_job"]

if __name__ == "__main__":
    sys.exit(main())
