"""How the tool was started, as the words that start it again: ``python simulate.py`` from a
checkout, or ``als-trial-sim``, the script pip installs (an installation review: every
recorded command, rerun advice and ``--help`` said ``python simulate.py``, which does not run
after a pip install or from another folder)."""

from __future__ import annotations

import sys


def started_as_script() -> bool:
    """Whether the ``als-trial-sim`` script (under any name) runs this process: it imports
    ``simulate``, whose ``_PROGRAM`` says it was started as a program."""
    module = sys.modules.get("simulate")
    return module is not None and bool(getattr(module, "_PROGRAM", False))


def program_words() -> list[str]:
    """The words before a command's arguments: ``["als-trial-sim"]`` or
    ``["python", "simulate.py"]`` (from a checkout, by tests and the library)."""
    return ["als-trial-sim"] if started_as_script() else ["python", "simulate.py"]


def program_name() -> str:
    """The program's name in ``--help`` and ``--version``."""
    return "als-trial-sim" if started_as_script() else "simulate.py"


def arguments_after_program(command: str) -> list[str]:
    """A recorded command's arguments, without the words that start the program."""
    import shlex

    words = shlex.split(command)
    return words[2:] if words[:1] == ["python"] else words[1:]
