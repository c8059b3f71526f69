"""How long the explorer takes to answer a change: wall time to the new power headline and to
every panel up to date, and the server's CPU time in between.

Starts ``simulate.py explore --no-browser`` as a person would, drives Debian's Chromium
headless through Playwright, loads the page (the default design, 500 trials per point), then
makes :data:`CHANGES` one after the other: new effects (a new power and a new sample-size
search), new sizes (the search is reused) and states seen before (served from the cache).
With ``--looks`` the page first gets 3 interim looks (0.33, 0.67, 1), so every change runs
the group-sequential power and search. Server CPU is the ``utime + stime`` of the server
process (all its threads) from the change until the page says "up to date".

Run from the project folder, with the machine otherwise idle::

    python -m benchmarks.explorer_timing --runs 2
    python -m benchmarks.explorer_timing --runs 2 --looks

docs/performance.md keeps the figures of each sitting. Not a test: nothing here asserts a
time.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

#: Debian's Chromium (installed by ``make browser``), or the one the environment variable
#: ``CHROMIUM`` names (``make test CHROMIUM=...`` passes it: macOS, no apt-get), with the flags
#: that keep it off the network: without the background-networking flags it tries to reach
#: Google's services.
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: (control, value typed, the power headline's data attributes once it shows the new state).
CHANGES = (
    ("effect", 30, {"effect": 0.3}),
    ("n", 120, {"n_total": 240}),
    ("effect", 20, {"effect": 0.2}),
    ("effect", 30, {"effect": 0.3}),
    ("n", 100, {"n_total": 200}),
    ("n", 80, {"n_total": 160}),
    ("effect", 35, {"effect": 0.35}),
    ("effect", 25, {"effect": 0.25}),
)
LOOKS = "0.33,0.67,1"
WAIT_MS = 600_000  # a first load on a cold machine compiles the kernels


def server_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` and its threads, seconds (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(repo: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "simulate.py", "explore", "--port", str(port), "--no-browser"],
        cwd=repo,
        env={**os.environ, "MPLBACKEND": "Agg"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("explore exited before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("explore did not start listening")


def _up_to_date(page) -> None:
    page.wait_for_function(
        "document.querySelector('#status').innerText === 'up to date'", timeout=WAIT_MS
    )


def _power_shown(page, attrs: dict) -> None:
    selector = "#power-value" + "".join(
        f'[data-{k.replace("_", "-")}="{v}"]' for k, v in attrs.items()
    )
    page.wait_for_selector(selector, timeout=WAIT_MS)


def one_run(repo: Path, looks: bool) -> list[tuple[str, float, float, float]]:
    """One server and one page: (what, seconds to the power, seconds to up to date, server
    CPU seconds) for the first load and each change."""
    from playwright.sync_api import sync_playwright

    proc, port = _start_server(repo)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            began, cpu = time.perf_counter(), server_cpu_seconds(proc.pid)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#power-value", timeout=WAIT_MS)
            power = time.perf_counter() - began
            page.wait_for_selector("#sample-size-lines li", timeout=WAIT_MS)
            _up_to_date(page)
            rows.append(
                (
                    "first load",
                    power,
                    time.perf_counter() - began,
                    server_cpu_seconds(proc.pid) - cpu,
                )
            )
            if looks:
                page.fill("#looks", LOOKS)
                page.locator("#looks").blur()
                time.sleep(0.5)
                _up_to_date(page)
            for control, value, attrs in CHANGES:
                time.sleep(0.5)  # the page settles; the server is idle
                began, cpu = time.perf_counter(), server_cpu_seconds(proc.pid)
                page.fill(f"#{control}", str(value))
                page.locator(f"#{control}").blur()
                _power_shown(page, attrs)
                power = time.perf_counter() - began
                time.sleep(0.05)  # 'up to date' goes only once the search has started too
                _up_to_date(page)
                cpu = server_cpu_seconds(proc.pid) - cpu
                rows.append((f"{control} -> {value}", power, time.perf_counter() - began, cpu))
            browser.close()
    finally:
        proc.kill()
        proc.wait()
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="servers started one after another")
    parser.add_argument("--looks", action="store_true", help=f"with interim looks {LOOKS}")
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="the project folder")
    args = parser.parse_args(argv)
    print(f"{'run':>3}  {'change':<12} {'power s':>8} {'all s':>7} {'server CPU s':>13}")
    for run in range(args.runs):
        for what, power, everything, cpu in one_run(args.repo, args.looks):
            print(f"{run:>3}  {what:<12} {power:8.2f} {everything:7.2f} {cpu:13.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
