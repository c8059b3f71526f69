"""Fixtures of the explorer's tests: the default design the views start from, and for the
browser tests a server on a free loopback port, started as a person would start it
(``simulate.py explore --no-browser``) and stopped after the module, and Debian's Chromium
driven by Playwright (no browser download: the Makefile installs ``chromium`` with
apt-get)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.explorer_timing import CHROMIUM, CHROMIUM_ARGS  # one list of flags
from tests.explorer.page_timeouts import FIRST_LOAD_MS


@pytest.fixture(scope="module")
def base():
    """The library's default design (a design is immutable: ``with_overrides`` makes new ones)."""
    from designs.spec import load_design

    return load_design()


STARTUP_SECONDS = 120  # a fresh clone compiles nothing here, but imports take a while on CI


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``simulate.py explore`` process."""

    def __init__(self, repo: Path, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "simulate.py", "explore", "--port", str(port), "--no-browser"],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_until_listening(self) -> None:
        """Until the port serves the explorer's page and this process still runs (a diff
        review: a connection alone could reach another program that took the port, while
        this one exits with "in use")."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"explore exited early:\n{self.proc.stdout.read()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    page = response.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(0.2)
                continue
            if "ALS trial design explorer" in page and self.proc.poll() is None:
                return
            time.sleep(0.2)
        raise RuntimeError("explore did not start listening")

    def interrupt(self, timeout: float = 20) -> tuple[int, str]:
        """Ctrl-C, as a person stops it; returns (exit status, everything it printed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture(scope="module")
def server(repo_root):
    """A running explorer. The free port is found before the server binds it, seconds later:
    one taken in between by another process is tried again on another port (a flakiness
    review)."""
    for attempt in range(3):
        srv = Server(repo_root, _free_port())
        try:
            srv.wait_until_listening()
            break
        except RuntimeError as exc:
            srv.kill()
            if "in use" not in str(exc) or attempt == 2:
                raise
    try:
        yield srv
    finally:
        srv.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium context with a fresh profile."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make browser` (run by `make test`) installs it with "
        "apt-get; elsewhere give one: `make test CHROMIUM=/path/to/chromium`"
    )
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def page(browser, server):
    """The explorer's page, loaded once per module (later tests continue from its state)."""
    pg = browser.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(server.url)
    pg.wait_for_selector("#power-value", timeout=FIRST_LOAD_MS)
    yield pg
    pg.close()


@pytest.fixture
def cli(capsys):
    """``cli(*args)``: the command line (``simulate.main``) in this process, as the page's
    server would be too slow to compare against five fresh processes; returns stdout as the
    bytes a terminal gets (UTF-8) and fails on a non-zero exit status."""
    import simulate

    def run(*args: str) -> bytes:
        code = simulate.main(list(args))
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out.encode("utf-8")

    return run
