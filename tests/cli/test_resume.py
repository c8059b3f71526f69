"""Resume: a long command interrupted, then run again, reads back the trials it had simulated
(designs.simulation.journal) and prints and writes what one uninterrupted run does."""

import os
import signal
import subprocess
import sys
import time

import pytest

POWER_RESUME = ("power", "--n-per-arm", "400", "--trials", "8000", "--json")  # 3 blocks


def test_an_interrupted_power_run_resumes_to_the_same_output(run, capsys, monkeypatch):
    """Long commands keep their finished trials (designs.simulation.journal): a Ctrl-C
    after the first block, then the same command again, prints what one run prints."""
    from designs.simulation import journal

    monkeypatch.setattr(journal, "KEEP_AFTER_SECONDS", 0.0)  # keep blocks from the start
    code, whole, _ = run(capsys, *POWER_RESUME)
    assert code == 0
    save = journal.Journal.save

    def save_then_interrupt(self, *args):
        save(self, *args)
        raise KeyboardInterrupt

    monkeypatch.setattr(journal.Journal, "save", save_then_interrupt)
    code, out, err = run(capsys, *POWER_RESUME)
    assert code == 130 and out == ""
    assert "the trials simulated so far are kept (rerun the same command to resume)" in err
    monkeypatch.setattr(journal.Journal, "save", save)
    code, out, err = run(capsys, *POWER_RESUME)
    assert code == 0
    assert out == whole
    resumed = [line for line in err.splitlines() if "resumed" in line]
    assert len(resumed) == 1 and "simulated trials were read back" in resumed[0]
    assert not list(journal.default_folder().glob("*.block"))  # finished: nothing left


def test_a_command_that_simulates_nothing_says_nothing_is_kept(run, capsys, monkeypatch):
    """An interrupt before any trial finished keeps the old message (nothing to resume)."""
    from designs.simulation import engine

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.K, "simulate_block", interrupt)
    code, _, err = run(capsys, "power", "--trials", "200")
    assert code == 130
    assert "trials simulated so far are kept" not in err
    assert "interrupted; no file is half-written" in err


def test_an_interrupted_sweep_says_how_many_cells_it_keeps(tmp_path):
    """A review: a sweep interrupted before any cell had finished (while its Dask workers
    started) said "the finished cells are kept" and kept nothing."""
    from types import SimpleNamespace

    from designs.cli.main import _interrupted_text
    from designs.planning.sweep.run import cells_folder

    out = tmp_path / "sweep.nc"
    args = SimpleNamespace(command="sweep", out=str(out))
    assert _interrupted_text(args) == (
        "interrupted before any cell of the sweep had finished; nothing is written"
    )
    cells_folder(out).mkdir()
    for key in ("a", "b"):
        (cells_folder(out) / f"{key}.json").write_text("{}")
    assert _interrupted_text(args) == (
        "interrupted; the 2 finished cells are kept (rerun the same command to resume)"
    )


# about 14 s on an idle 2-core machine: the first block kept (after 5 s) leaves work to
# interrupt
SIZE_RESUME = ("sample-size", "--trials", "12000", "--seed", "7", "--json")


@pytest.mark.slow  # three sample-size searches in subprocesses (blocks kept after 5 s): about 40 s
def test_a_sample_size_search_stopped_by_sigint_resumes_to_identical_output(tmp_path, repo_root):
    """A real Ctrl-C (SIGINT) mid-search, then the same command: the same stdout and the
    same table file as an uninterrupted run, and a note that trials were read back."""

    def command(resume, table):  # each run its own resume folder
        env = dict(os.environ, ALS_TRIAL_SIM_RESUME=str(resume))
        args = [sys.executable, str(repo_root / "simulate.py"), *SIZE_RESUME, "--out", table]
        return args, env

    args, env = command(tmp_path / "resume_whole", str(tmp_path / "whole.md"))
    whole = subprocess.run(args, env=env, capture_output=True, text=True, cwd=repo_root)
    assert whole.returncode == 0, whole.stderr
    folder = tmp_path / "resume"
    args, env = command(folder, str(tmp_path / "resumed.md"))
    proc = subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=repo_root,
        # as from a terminal: a suite run in the background from a script (``pytest &``)
        # starts its children with Ctrl-C ignored, which the tool keeps, as POSIX shells
        # want (main.py's _catch), and the search then runs to its end
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.is_dir() and any(folder.glob("*.block")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the search finished before it could be interrupted"
    # Ctrl-C, pressed again while the search runs on: one that lands inside compiled code is
    # lost there (main.py's _LOST_INTERRUPT_NOTE), and the run would finish with exit 0
    while proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
    out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and out == ""
    assert "trials simulated so far are kept" in err
    assert not (tmp_path / "resumed.md").exists()  # nothing half-written
    kept = len(list(folder.glob("*.block")))
    assert kept >= 1
    again = subprocess.run(args, env=env, capture_output=True, text=True, cwd=repo_root)
    assert again.returncode == 0, again.stderr
    assert "simulated trials were read back" in again.stderr
    assert again.stdout == whole.stdout.replace("whole.md", "resumed.md")
    assert (tmp_path / "resumed.md").read_bytes() == (tmp_path / "whole.md").read_bytes()
    assert not list(folder.glob("*.block"))


def test_a_ctrl_c_while_starting_or_importing_ends_as_an_interruption(monkeypatch, capsys):
    """A resume audit: Ctrl-C while `sweep` imported xarray left it half-loaded and the
    message counted the finished cells by importing it again (exit 1, some 100 lines of
    traceback); a Ctrl-C while the options were built printed a Python traceback."""
    from types import SimpleNamespace

    from designs.cli import main as cli_main

    def half_loaded(out):
        raise ImportError("partially initialized module 'pandas'")

    monkeypatch.setattr(cli_main, "_finished_cells", half_loaded)
    text = cli_main._interrupted_text(SimpleNamespace(command="sweep", out="x.nc"))
    assert text == "interrupted; no file is half-written (rerun the same command to resume)"

    def interrupted_parser():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "build_parser", interrupted_parser)
    assert cli_main.main(["power"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted;") and "Traceback" not in err


def test_the_exit_status_names_the_signal(monkeypatch):
    """128 + the signal that ended the run, as shells report it: 130 for Ctrl-C (also where
    Python's own SIGINT handler raised, no signal recorded), 143 for SIGTERM (it gave 130)."""
    import signal

    from designs.cli import main as cli_main

    for received, status in (([], 130), ([signal.SIGINT], 130), ([signal.SIGTERM], 143)):
        monkeypatch.setattr(cli_main, "_SIGNALLED", list(received))
        assert cli_main.interrupted_status() == status
