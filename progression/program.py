"""How the tool was started, as the words that start it again: ``python simulate.py`` from a
checkout, or ``als-trial-sim``, the script pip installs (an installation review: every
recorded command, rerun advice and ``--help`` said ``python simulate.py``, which does not run
after a pip install or from another folder). Here, in the lowest layer, so that the phase 2
model's messages ("refit with ... fit") name the program too (a diff review)."""

from __future__ import annotations

import sys


def started_as_script() -> bool:
    """Whether the ``als-trial-sim`` script (under any name) runs this process: it imports
    ``simulate``, whose ``_PROGRAM`` says it was started as a program (read from the
    modules loaded, not imported: this layer imports nothing above it)."""
    module = sys.modules.get("simulate")
    return module is not None and bool(getattr(module, "_PROGRAM", False))


def program_words() -> list[str]:
    """The words before a command's arguments: ``["als-trial-sim"]`` or
    ``["python", "simulate.py"]`` (from a checkout, by tests and the library)."""
    return ["als-trial-sim"] if started_as_script() else ["python", "simulate.py"]


def program_name() -> str:
    """The program's name in ``--help``, ``--version`` and advice: ``als-trial-sim`` or
    ``simulate.py``."""
    return "als-trial-sim" if started_as_script() else "simulate.py"
