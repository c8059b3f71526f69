"""The local Dask cluster a sweep runs on: a client for a scheduler's address, or local
workers started and closed with Ctrl-C handled (only the sweep's own process acts on it: it
keeps the finished cells and closes the cluster)."""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path

from designs.atomic import signals_held
from designs.errors import InputError, first_line

CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler


def local_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_workers(workers: int) -> None:
    """Refuse local workers beyond the CPUs here: they would only share them, each holding
    its own copy of the kernels (about 250 MB; a bad-input review started 1,000 on 2 CPUs,
    which filled the machine and ignored SIGTERM while they started). A cluster of many
    machines is reached by its scheduler's address instead."""
    import operator

    most = local_cpus()
    try:
        whole = operator.index(workers)
    except TypeError:
        whole = None
    if whole is None or not 1 <= whole <= most:
        allowed = (
            "must be 1 (the one CPU here"
            if most == 1
            else f"must be between 1 and {most} (the CPUs here"
        )
        raise InputError(
            f"workers = {workers}: {allowed}; more local workers only share them); a larger "
            "cluster is reached by --scheduler ADDRESS"
        )


def _client(scheduler: str | None, workers: int | None):
    """A Dask client (and the local cluster it owns, if any), or ``(None, None)``."""
    if scheduler is None and workers is None:
        return None, None
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError, ValueError) as exc:
            first = first_line(exc)
            raise InputError(f"--scheduler {scheduler}: cannot connect ({first})") from None
    # Ctrl-C reaches the whole process group, and only this process should act on it (it
    # keeps the finished cells and closes the cluster): the workers' tracebacks and the
    # scheduler's warnings about lost tasks would bury the one line that says so. So the
    # workers start through a wrapper that ignores SIGINT before Python starts (Python then
    # keeps it ignored; blocking it here did not reach them: Dask starts their processes from
    # its own threads), while this process holds a Ctrl-C that arrives as they start, and
    # as the client is made, and acts on it once the cluster is up (closing it; interrupted
    # there, Dask had printed a traceback and the output's lock stayed).
    import logging

    client = cluster = None
    try:
        with signals_held(), _workers_ignore_ctrl_c() as wrapped:
            # where no wrapper can run (a /tmp mounted noexec), the workers inherit an
            # ignored SIGINT instead, and a Ctrl-C while they start is lost (as it was)
            ignored = contextlib.nullcontext() if wrapped else _ctrl_c_ignored()
            with ignored, _starting_note(int(workers), wrapped):
                cluster = LocalCluster(
                    n_workers=int(workers),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            client = Client(cluster)
    except (OSError, TimeoutError, RuntimeError, ValueError) as exc:  # e.g. no loopback
        _close_quietly(client, cluster)
        first = first_line(exc)
        raise InputError(
            f"workers = {workers}: cannot start a local Dask cluster ({first}); run without "
            "workers (threads here) or give a scheduler address"
        ) from None
    except BaseException:  # a Ctrl-C held while the cluster started: close, then leave
        _close_quietly(client, cluster)
        raise
    return client, cluster


@contextlib.contextmanager
def _workers_ignore_ctrl_c():
    """Processes that multiprocessing spawns in the block (Dask's workers) start through a
    shell wrapper, ``trap '' INT; exec python``, so they ignore SIGINT from their first
    instruction; their Python keeps an inherited ignored SIGINT. Yields True when the
    wrapper is in use: on POSIX, once it has run (a diff review: a /tmp mounted noexec
    stopped the workers from starting); False otherwise, the block running as it is. The
    workers live on after the block with the disposition they started with; the wrapper is
    needed only to start them (a worker that Dask restarts later starts without it)."""
    import multiprocessing.spawn
    import os
    import shlex
    import shutil
    import sys
    import tempfile

    if os.name != "posix" or not Path("/bin/sh").exists():
        yield False
        return
    folder = Path(tempfile.mkdtemp(prefix="als-trial-sim-workers-"))
    try:
        wrapper = folder / "python"
        wrapper.write_text(
            f"#!/bin/sh\ntrap '' INT\nexec {shlex.quote(sys.executable)} \"$@\"\n", encoding="utf-8"
        )
        wrapper.chmod(0o700)
        if not _runs(wrapper):
            yield False
            return
        before = multiprocessing.spawn.get_executable()
        multiprocessing.spawn.set_executable(str(wrapper))
        try:
            yield True
        finally:
            multiprocessing.spawn.set_executable(before)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _runs(wrapper: Path) -> bool:
    """Whether ``wrapper`` runs Python here (not where its folder is mounted noexec)."""
    import subprocess

    try:
        done = subprocess.run([str(wrapper), "-c", "pass"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@contextlib.contextmanager
def _ctrl_c_ignored():
    """SIGINT ignored for the block, for the workers started in it to inherit (the fallback
    of :func:`_workers_ignore_ctrl_c`); in a thread other than the main one, as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@contextlib.contextmanager
def _starting_note(workers: int, held: bool = True):
    """A status line on a terminal while the local workers start (erased after); ``held``:
    a Ctrl-C is held until they are up, else ignored (the fallback)."""
    import sys

    shown = sys.stderr.isatty()
    if shown:
        ctrl_c = "a Ctrl-C now acts once they are up" if held else "Ctrl-C is ignored meanwhile"
        sys.stderr.write(f"starting {workers} local Dask workers ({ctrl_c})")
        sys.stderr.flush()
    try:
        yield
    finally:
        if shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _close_quietly(client, cluster) -> None:
    """Close a client and the local cluster it owns with Ctrl-C held (an interrupt during
    the close left the output's lock behind and printed Dask's traceback)."""
    with signals_held():
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()
