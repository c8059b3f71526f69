"""Command line of the ALS trial-design tool.

The options and subcommands live in :mod:`designs.cli` (parse, call the library, print or
write: no statistics, no tables, no file formats, no cache policy). Exit status: 0 done,
2 bad input (one line on stderr naming the option or field and what is allowed), 1 anything
else.
"""

import gc
import sys

if __name__ == "__main__":  # a program's start: no cyclic garbage collection while it loads
    gc.disable()  # (designs.cli.collector says why; settle() switches it on again)

try:
    from designs.cli.main import build_parser, main, main_job
except KeyboardInterrupt:  # Ctrl-C while the command line loads: one line, no traceback
    print("interrupted", file=sys.stderr)
    sys.exit(130)

__all__ = ["build_parser", "main", "main_job"]

if __name__ == "__main__":
    from designs.cli.collector import settle

    settle()
    sys.exit(main())
