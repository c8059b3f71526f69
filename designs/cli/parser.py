"""The command line's parser: one-line errors with a near-miss suggestion and exit status 2,
negative ranges as values, help lines that end with their default, and subcommands.
"""

from __future__ import annotations

import argparse
import re
import sys

from designs.errors import InputError, near_miss

#: What argparse reads as a value, not an option, when it starts with a minus sign: a
#: negative number, and a negative range, list or percentage (``-0.1:0.1:0.1``, ``-1,0,1``,
#: ``-25%``), which argparse's own pattern (plain numbers) took for unknown options.
#: Also ``-inf`` and ``-nan``, so that the option's own check refuses them in one line (a
#: bad-input review: "--effect -inf" read "expected one argument").
NEGATIVE_VALUE = re.compile(r"^-(\.?\d[\d.:,eE+%-]*|inf(inity)?|nan)$", re.IGNORECASE)


#: argparse's message for a value outside an option's choices (quoted or not, by version).
_INVALID_CHOICE = re.compile(
    r"invalid choice: '?(?P<word>[^' ]*)'? \(choose from (?P<choices>.*)\)"
)


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2, and negative ranges and
    lists as values (:data:`NEGATIVE_VALUE`; no option of ours looks like a number)."""

    def __init__(self, *args, **kwargs) -> None:
        # no abbreviated options: `sweep --futility obf` was read as --futility-predictive
        # ("must be a number", a diff review), and an abbreviation that is unique today
        # changes meaning when an option is added
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_VALUE  # argparse's (private) pattern

    def parse_args(self, args=None, namespace=None):
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_args(args, namespace)

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        prog, command = self.prog, self._command()
        misplaced = self._option_before_command(message)
        if misplaced:  # a bad-input review: `--trials 5` read "invalid choice: '5'"
            option, owner, given = misplaced
            raise InputError(
                f"{prog}: {option} is an option of {owner}: give it after the subcommand "
                f"({prog} {owner} {option} ...)"
                if given
                else f"{prog}: {option} is an option of a subcommand: give it after one, e.g. "
                f"{prog} {owner} {option} ... (without a subcommand the main job runs on the "
                f"bundled defaults and takes no options; {prog} --help lists the subcommands)"
            )
        if message.startswith("unrecognized arguments: ") and command is not None:
            # the top-level parser reports a subcommand's unknown options: name the
            # subcommand (a contributor's review: `sweep --threads 2` named neither)
            hint = self._near_miss(message) or f" (see {prog} {command} --help)"
            raise InputError(f"{prog} {command}: {message}{hint}")
        raise InputError(f"{prog}: {message}{self._near_miss(message)}")

    def _option_before_command(self, message: str) -> tuple[str, str, bool] | None:
        """A subcommand's option given before any subcommand: (the option, the subcommand
        to give it after, whether that one was given), else None. argparse reports it as an
        invalid choice of the subcommand (the option's value, the word after it, taken for
        one) or as an unrecognized argument (``--seed=3``); a mistyped subcommand followed by
        its options (``powr --trials 5``) is not one (a diff review)."""
        parsers = self._subcommands()
        argv = list(getattr(self, "_argv", ()))
        command = self._command()
        at = len(argv) if command is None else argv.index(command)
        choice = _INVALID_CHOICE.search(message)
        if message.startswith("argument COMMAND: invalid choice") and choice:
            before = [argv[i - 1] for i in range(1, len(argv)) if argv[i] == choice["word"]]
            option = before[0] if before and before[0].startswith("--") else None
        elif message.startswith("unrecognized arguments: "):
            option = next((w.split("=")[0] for w in argv[:at] if w.startswith("--")), None)
        else:
            return None
        if option is None or option in self._option_string_actions:
            return None
        if at < len(argv) and option in parsers[argv[at]]._option_string_actions:
            return option, argv[at], True
        owner = next((n for n, p in parsers.items() if option in p._option_string_actions), None)
        return None if owner is None else (option, owner, False)

    def _subcommands(self) -> dict[str, argparse.ArgumentParser]:
        """The subcommands' parsers by name ({} for a subcommand's own parser)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    def _command(self) -> str | None:
        """The subcommand named in the arguments (None: none, or this is a subcommand)."""
        subcommands = self._subcommands()
        return next((a for a in getattr(self, "_argv", ()) if a in subcommands), None)

    def _near_miss(self, message: str) -> str:
        """The option or choice a mistyped one was probably meant to be
        (:func:`designs.errors.near_miss`): an unknown option against the options of the
        subcommand given, an invalid choice against the choices listed."""
        m = _INVALID_CHOICE.search(message)
        if m:
            return near_miss(m["word"], [c.strip("'\" ") for c in m["choices"].split(",")])
        if not message.startswith("unrecognized arguments: "):
            return ""
        words = message.removeprefix("unrecognized arguments: ").split()
        unknown = next((w.split("=")[0] for w in words if w.startswith("--")), None)
        return "" if unknown is None else near_miss(unknown, self._command_options())

    def _command_options(self) -> list[str]:
        """The option strings of the subcommand named in the arguments (the top level's
        when none is)."""
        command = self._command()
        parser = self if command is None else self._subcommands()[command]
        return [o for o in parser._option_string_actions if o.startswith("--")]


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help line ends with its default, when it has one that says something
    (not a flag's False, an empty list or None, whose help says what happens instead)."""

    def _get_help_string(self, action):
        text = action.help or ""
        # by identity: 0 == False, so ``in (None, False, [])`` hid a default of 0 (--index)
        default = action.default
        silent = (
            default is None or default is False or default == [] or default is argparse.SUPPRESS
        )
        if silent or "default" in text or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


def hide_options(p: argparse.ArgumentParser, *flags: str) -> None:
    """Leave ``flags`` out of ``p``'s help: options a shared group adds that this command
    refuses with its own one-line reason (a command-line review: ``assurance --help`` listed
    ``--effect`` with "default: the design's", which it always refuses)."""
    for action in p._actions:  # argparse has no public way to change an added option
        if set(action.option_strings) & set(flags):
            action.help = argparse.SUPPRESS


def add_command(sub, name: str, help_text: str, handler) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text, formatter_class=HelpFormatter)
    p.set_defaults(handler=handler)
    # Also after the subcommand (``fit --verbose``); SUPPRESS keeps a top-level --verbose.
    p.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show PyMC's sampler messages (hidden by default)",
    )
    return p
