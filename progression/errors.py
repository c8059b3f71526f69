"""One exception for bad input, shared by the disease layer, the trial package and the CLI."""


class InputError(ValueError):
    """Bad user input: a design field, an option, a data file.

    The message is one line that names the field (or option, or file and row), the value
    given and what is allowed. The command line prints it to stderr and exits with status 2.
    """
