"""The command line's progress bar: tqdm on a terminal, nothing elsewhere."""

from __future__ import annotations

import sys


class _NoBar:
    """What :func:`progress_bar` returns where no bar is shown: takes the same calls, shows
    nothing, and needs no tqdm (an import of about 15 ms in a log or CI)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int = 1) -> None:
        """Trials finished: nothing to show."""

    def expect(self, more: int) -> None:
        """More trials are coming (:func:`designs.planning.progress.expect`): nothing to show."""


def progress_bar(total: int, unit: str, enabled: bool):
    """A tqdm bar on stderr, shown only on a terminal and for runs longer than about a second
    (in a log or CI its frames would run together on one line); elsewhere a bar that shows
    nothing."""
    if not (enabled and sys.stderr.isatty()):
        return _NoBar()
    from tqdm import tqdm

    class Bar(tqdm):
        def expect(self, more: int) -> None:
            """More trials are coming (:func:`designs.planning.progress.expect`)."""
            self.total = (self.total or 0) + more
            self.refresh()

    return Bar(total=total, unit=unit, delay=1.0, file=sys.stderr, leave=False)
