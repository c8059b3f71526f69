"""Sampler worker processes that die with the process that started them.

PyMC samples chains in worker processes (``fork`` on Linux). If the parent is killed with
SIGKILL, nothing tells the workers: they keep running for good (about 220 MB each), and
hold the caller's stdout open, so a wrapper waiting for end-of-file hangs. On Linux each
worker therefore asks the kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed when
its parent dies; elsewhere PyMC's default context is used unchanged. The sampling itself
(start method, seeds, numbers) is exactly PyMC's default.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from multiprocessing.context import BaseContext

#: ``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """In a child: be killed with SIGKILL when the parent dies (Linux); if the parent is
    already gone (it died before this call), exit at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: nothing more can be done here
        return
    if os.getppid() != parent_pid:
        os._exit(1)


if sys.platform.startswith("linux"):
    from multiprocessing.context import ForkContext, ForkProcess

    class BoundProcess(ForkProcess):
        """A forked worker that dies with its parent."""

        def run(self) -> None:
            die_with_parent(self._parent_pid)
            super().run()

    class BoundContext(ForkContext):
        """``fork`` context whose processes die with their parent."""

        Process = BoundProcess


def worker_context() -> BaseContext | None:
    """The multiprocessing context to pass to ``pm.sample(mp_ctx=...)``: on Linux with
    ``fork`` as the default start method, one whose workers die with the parent; else None
    (PyMC's own choice)."""
    if sys.platform.startswith("linux") and multiprocessing.get_start_method() == "fork":
        return BoundContext()
    return None
