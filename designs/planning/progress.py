"""Telling a progress callback how much work is coming, so a bar can show % and time left.

Planning functions take ``progress``: a callable given the number of trials just finished.
When a function learns how many trials a stage will simulate, it calls :func:`expect`; a
callback that can use the total (the command line's bar: a bound ``update`` method of an
object with an ``expect`` method) grows its total by that many; any other callable is left
alone. Totals only grow, stage by stage, as the work becomes known.
"""

from __future__ import annotations

from collections.abc import Callable


def expect(progress: Callable[[int], None] | None, trials: int) -> None:
    """Announce ``trials`` more simulated trials to ``progress`` (if it listens)."""
    if progress is None:
        return
    owner = getattr(progress, "__self__", progress)
    grow = getattr(owner, "expect", None)
    if callable(grow):
        grow(int(trials))
