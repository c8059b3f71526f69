"""Ctrl-C around a sweep's local Dask cluster: while the workers start, the client is made or
the cluster closes, the interrupt is held until the cluster is closed (a reliability review:
Dask printed a traceback and the output's lock stayed), and it is never lost there; the
workers start with SIGINT ignored, so that only the sweep's own process acts on it."""

from __future__ import annotations

import os
import signal

import pytest

from designs.planning.sweep import cluster as sweep_run


class _Closing:
    def __init__(self, log: list, name: str, interrupt: bool = False) -> None:
        self.log, self.name, self.interrupt = log, name, interrupt

    def close(self) -> None:
        if self.interrupt:  # Ctrl-C in the middle of closing
            os.kill(os.getpid(), signal.SIGINT)
        self.log.append(self.name)


@pytest.fixture
def default_ctrl_c():
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_a_ctrl_c_while_closing_comes_after_both_are_closed(default_ctrl_c):
    log: list = []
    with pytest.raises(KeyboardInterrupt):
        sweep_run._close_quietly(_Closing(log, "client", True), _Closing(log, "cluster"))
    assert log == ["client", "cluster"]


def test_a_ctrl_c_while_the_client_is_made_closes_the_cluster(default_ctrl_c, monkeypatch):
    import dask.distributed

    log: list = []
    cluster = _Closing(log, "cluster")

    def client(c):
        assert c is cluster
        os.kill(os.getpid(), signal.SIGINT)  # held: it must not interrupt this call
        log.append("client made")
        return _Closing(log, "client")

    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda **kwargs: cluster)
    monkeypatch.setattr(dask.distributed, "Client", client)
    with pytest.raises(KeyboardInterrupt):
        sweep_run._client(None, 2)
    assert log == ["client made", "client", "cluster"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_a_ctrl_c_while_the_workers_start_is_acted_on_once_they_are_up(default_ctrl_c, monkeypatch):
    """It was ignored (SIGINT set to SIG_IGN for the workers to inherit), so a Ctrl-C in the
    first second or so of `sweep --workers` was lost and the sweep ran to its end."""
    import multiprocessing.spawn
    import subprocess

    import dask.distributed

    log: list = []
    seen: dict = {}
    cluster = _Closing(log, "cluster")
    python = multiprocessing.spawn.get_executable()

    def start(**kwargs):
        seen["executable"] = multiprocessing.spawn.get_executable()
        # what a worker started now would see: SIGINT ignored before its Python starts
        probe = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
        seen["worker"] = subprocess.run(
            [seen["executable"], "-c", probe], capture_output=True, text=True, check=True
        ).stdout.strip()
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the workers start
        log.append("cluster up")
        return cluster

    monkeypatch.setattr(dask.distributed, "LocalCluster", start)
    monkeypatch.setattr(dask.distributed, "Client", lambda c: _Closing(log, "client"))
    with pytest.raises(KeyboardInterrupt):
        sweep_run._client(None, 2)
    assert log == ["cluster up", "client", "cluster"]  # not lost: acted on, both closed
    assert seen["executable"] != python and seen["worker"] == "True"
    assert multiprocessing.spawn.get_executable() == python  # put back
    assert not os.path.exists(seen["executable"])  # the wrapper removed
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_where_no_wrapper_can_run_the_workers_inherit_an_ignored_ctrl_c(
    default_ctrl_c, monkeypatch, tmp_path
):
    """A diff review: on a /tmp mounted noexec the wrapper could not start the workers
    ("Nanny failed to start"); a wrapper that does not run is not used, and the workers
    start with SIGINT ignored, as before the wrapper (a Ctrl-C while they start is lost)."""
    import multiprocessing.spawn

    import dask.distributed

    script = tmp_path / "python"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o600)  # as a noexec mount makes it: not executable
    assert not sweep_run._runs(script)
    script.chmod(0o700)
    assert sweep_run._runs(script)

    monkeypatch.setattr(sweep_run, "_runs", lambda wrapper: False)
    python = multiprocessing.spawn.get_executable()
    seen = {}

    def start(**kwargs):
        seen["executable"] = multiprocessing.spawn.get_executable()
        seen["sigint"] = signal.getsignal(signal.SIGINT)
        return _Closing([], "cluster")

    monkeypatch.setattr(dask.distributed, "LocalCluster", start)
    monkeypatch.setattr(dask.distributed, "Client", lambda c: _Closing([], "client"))
    sweep_run._client(None, 2)
    assert seen == {"executable": python, "sigint": signal.SIG_IGN}
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
