"""Ctrl-C and SIGTERM held over a block that must not be cut in the middle: a rename of
finished files, or compiled code (PyTensor's, Numba's) where a ``KeyboardInterrupt`` raised
by a Python handler crashes the process or surfaces as a ``SystemError`` (a reliability
review: ``fit`` interrupted in its prior predictive draws segfaulted twice in 30 tries)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

__all__ = ["signals_held"]


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the block: one that arrives is recorded and sent again
    once the block is done, to the handler there was before. (Blocking the signal in this
    thread is not enough: another thread, Numba's, can take it for the process.) In a thread
    other than the main one, which cannot set handlers, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    held = [s for s in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(s) is not signal.SIG_IGN]
    before = {s: signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(arrived):
            os.kill(os.getpid(), s)
