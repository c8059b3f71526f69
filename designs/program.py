"""How the tool was started, as the words that start it again (:mod:`progression.program`,
where the phase 2 model's messages read it too), and a recorded command's arguments."""

from __future__ import annotations

from progression.program import program_name, program_words, started_as_script

__all__ = ["arguments_after_program", "program_name", "program_words", "started_as_script"]


def arguments_after_program(command: str) -> list[str]:
    """A recorded command's arguments, without the words that start the program."""
    import shlex

    words = shlex.split(command)
    return words[2:] if words[:1] == ["python"] else words[1:]
