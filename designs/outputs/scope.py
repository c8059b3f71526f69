"""What a report's figures and tables are about, when it is not the whole report: in a report
with interim looks, the fixed design's figures say so first in their assumptions and its
tables first in their captions (a figures review, then a protocol writer's review: pasted
first, they gave the fixed design's n and calendar length as if they were the trial's)."""

from __future__ import annotations

import contextlib
import contextvars

__all__ = ["figure_scope", "scope_prefix", "scope_sentence"]

#: A line every figure drawn within :func:`figure_scope` puts first in its assumptions, and
#: every table written within it first in its caption (:func:`scope_sentence`).
_SCOPE: contextvars.ContextVar[str] = contextvars.ContextVar("figure_scope", default="")


@contextlib.contextmanager
def figure_scope(line: str):
    """Figures drawn inside say ``line`` first in their assumptions (a figures review: in a
    report with interim looks, the curves of the design without looks did not say so)."""
    token = _SCOPE.set(line)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def scope_prefix() -> str:
    """The :func:`figure_scope` line with a newline, or "" outside one."""
    scope = _SCOPE.get()
    return f"{scope}\n" if scope else ""


def scope_sentence() -> str:
    """The :func:`figure_scope` line as a sentence to lead a table's caption ("" outside
    one; a protocol writer's review: in a report with looks, the fixed design's tables,
    pasted first, gave its n and calendar length as if they were the trial's)."""
    scope = _SCOPE.get()
    return f"{scope}. " if scope else ""
