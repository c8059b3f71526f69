"""Command line of the ALS trial-design tool.

Parse, validate, call the library, print or write: no statistics here.
Exit status: 0 done, 2 bad input (one line on stderr naming the field and what is allowed),
1 anything else.
"""

from __future__ import annotations

import argparse
import sys

from designs import __version__
from designs.errors import InputError

PROG = "simulate.py"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        raise InputError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per subcommand."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Plan a double-blind ALS trial: how many patients, for how long, with which "
            "analysis, and how sure. Without a subcommand, runs the main job on the bundled "
            "defaults."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    return parser


def main_job() -> int:
    """The default run: fit the bundled phase 2 data, simulate the follow-up, print n."""
    print(
        "The main job will fit the bundled (illustrative) phase 2 data, simulate the proposed "
        "double-blind follow-up and print the sample size for 80% and 90% power; its parts "
        "are being built."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return main_job()
        return args.handler(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished work is kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
