"""Work off the event loop: a function run in a daemon thread and awaited by the page."""

from __future__ import annotations

import asyncio
import threading

__all__ = ["in_thread"]


def in_thread(fn, *args, **kwargs) -> asyncio.Future:
    """``fn(*args, **kwargs)`` in a daemon thread, awaitable: a job still running when the server
    stops (Ctrl-C) never holds the process open (it was cancelled; compiling cannot be)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(ok: bool, value) -> None:
        if future.cancelled():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            value, ok = fn(*args, **kwargs), True
        except BaseException as exc:  # handed to the awaiting task, as asyncio.to_thread does
            value, ok = exc, False
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the server stopped meanwhile: nobody waits for it
            pass

    threading.Thread(target=work, name="explorer-job", daemon=True).start()
    return future
