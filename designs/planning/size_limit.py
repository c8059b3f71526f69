"""The largest size a sample-size search simulates: :data:`MAX_SIZE`, or less within
:func:`ceiling`.

The command line searches up to :data:`MAX_SIZE` (per arm with 1:1 allocation, in total
otherwise). The design explorer searches up to the patients its page simulates, so that a
tiny effect or an inefficient analysis does not send it towards 50,000 per arm for minutes;
a target beyond the ceiling is reported as not reached there. The ceiling is a context
variable: it holds in the thread (or task) that sets it, and the explorer's jobs each run in
their own thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

#: Largest size the command line's searches simulate.
MAX_SIZE = 50_000

_CEILING: ContextVar[int] = ContextVar("sample_size_ceiling", default=MAX_SIZE)


def max_size() -> int:
    """The largest size the search may simulate here (:data:`MAX_SIZE` unless lowered)."""
    return _CEILING.get()


@contextlib.contextmanager
def ceiling(size: int) -> Iterator[None]:
    """Searches in this block simulate sizes up to ``size`` (at most :data:`MAX_SIZE`)."""
    token = _CEILING.set(min(int(size), MAX_SIZE))
    try:
        yield
    finally:
        _CEILING.reset(token)
