"""One exception for bad input, shared by the disease layer, the trial package and the CLI,
and the near-miss suggestion its messages carry."""


class InputError(ValueError):
    """Bad user input: a design field, an option, a data file.

    The message is one line that names the field (or option, or file and row), the value
    given and what is allowed. The command line prints it to stderr and exits with status 2.
    """


#: How alike (difflib's ratio) a mistyped word and a choice must be to suggest the choice.
NEAR_MISS_CUTOFF = 0.75


def near_miss(word: str, choices) -> str:
    """``" (did you mean 'x'?)"`` for the one of ``choices`` closest to a mistyped ``word``
    (:func:`difflib.get_close_matches`, similarity :data:`NEAR_MISS_CUTOFF` or more,
    options compared without their leading dashes: ``--transport`` is not ``--trials``),
    else ``""``: appended to an error message that names what is allowed."""
    from difflib import get_close_matches

    bare = {str(c).lstrip("-"): str(c) for c in choices}
    close = get_close_matches(word.lstrip("-"), list(bare), n=1, cutoff=NEAR_MISS_CUTOFF)
    return f" (did you mean {bare[close[0]]!r}?)" if close else ""


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message, or its type's name when it has none: what a
    one-line message quotes of a library's error (a file parser's, a cluster's)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
