"""A newcomer's first hour: inputs read as people mean them, and files other tools open."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from designs import load_design
from designs.analyses.registry import analyze
from designs.errors import InputError


def test_effect_of_25_with_proportional_slowing_is_refused_not_run_as_2500_percent(run, capsys):
    code, out, err = run(capsys, "power", "--effect", "25", "--trials", "100")
    assert code == 2 and out == ""
    assert "effect.value = 25" in err and "<= 1" in err and "25%" in err
    assert "Traceback" not in err


def test_effect_as_percentage_equals_the_fraction(run, capsys, result_of):
    args = ("power", "--n-per-arm", "12", "--trials", "200", "--json")
    code, pct, _ = run(capsys, *args, "--effect", "30%")
    assert code == 0
    code, frac, _ = run(capsys, *args, "--effect", "0.3")
    assert code == 0
    # Same seed, same design: the whole result must be the same.
    assert result_of(pct) == result_of(frac)


def test_percentage_refused_for_an_effect_in_points_per_month(run, capsys):
    code, _, err = run(capsys, "power", "--effect", "25%", "--set", "effect.kind=slope_difference")
    assert code == 2
    assert "--effect 25%" in err and "proportional_slowing" in err


def test_improvement_only_when_the_design_says_so():
    base = load_design("default")
    with pytest.raises(InputError, match="allow_improvement"):
        base.with_overrides({"effect.value": 1.5})
    allowed = base.with_overrides({"effect.value": 1.5, "effect.allow_improvement": True})
    assert allowed.active_slope_mean > 0  # the treated patients improve, as asked


def _trial(run, capsys, path, *extra):
    code, out, err = run(capsys, "trial", "--n-per-arm", "8", "--out", str(path), *extra)
    assert code == 0, err
    return out


def test_trial_csv_opens_in_pandas_with_default_settings(run, capsys, tmp_path):
    path = tmp_path / "trial.csv"
    _trial(run, capsys, path)
    frame = pd.read_csv(path)  # no comment=, no skiprows=: what a user types first
    assert list(frame.columns) == ["patient", "arm", "month", "alsfrs_r", "status", "exit_month"]
    assert frame["patient"].dtype.kind == "i"
    assert frame["arm"].dtype.kind == "i" and set(frame["arm"]) == {0, 1}
    assert frame["month"].dtype.kind in "if"
    assert frame["alsfrs_r"].dtype.kind == "i"  # integer scores in the default design
    assert frame["exit_month"].dtype.kind == "f"
    assert frame["patient"].nunique() == 16
    side = json.loads((tmp_path / "trial.csv.json").read_text())
    assert side["kind"] == "als-trial-sim simulated trial"
    assert side["seed"] == 20261125 and side["trial_index"] == 0
    assert "n_per_arm = 8" in side["design"]
    assert "trial" in side["command"]


def test_trial_rewrite_is_allowed_but_a_foreign_sidecar_is_kept(run, capsys, tmp_path):
    path = tmp_path / "trial.csv"
    _trial(run, capsys, path)
    _trial(run, capsys, path, "--seed", "5")  # an earlier output: replaced without --force
    assert json.loads((tmp_path / "trial.csv.json").read_text())["seed"] == 5
    other = tmp_path / "other.csv"
    (tmp_path / "other.csv.json").write_text('{"mine": 1}')
    code, _, err = run(capsys, "trial", "--out", str(other))
    assert code == 2 and "other.csv.json" in err and "--force" in err
    assert not other.exists()
    assert (tmp_path / "other.csv.json").read_text() == '{"mine": 1}'


def test_analyze_reads_the_trial_file_and_prints_the_95_percent_interval(run, capsys, tmp_path):
    path = tmp_path / "trial.csv"
    _trial(run, capsys, path)
    code, out, err = run(capsys, "analyze", "--data", str(path), "--json")
    assert code == 0, err
    res = json.loads(out)
    # Interval from the printed estimate, SE and df (scipy's t quantile, independent of ours).
    from scipy import stats

    half = stats.t.ppf(0.975, res["df"]) * res["se"]
    assert res["ci95_low"] == pytest.approx(res["estimate"] - half, rel=1e-12)
    assert res["ci95_high"] == pytest.approx(res["estimate"] + half, rel=1e-12)
    code, out, _ = run(capsys, "analyze", "--data", str(path))
    assert "95% CI" in out and "points/month" in out


def test_arm_labels_placebo_and_active_give_the_same_analysis(run, capsys, tmp_path):
    path = tmp_path / "trial.csv"
    _trial(run, capsys, path)
    frame = pd.read_csv(path)
    labelled = frame.assign(arm=np.where(frame["arm"] == 1, "Active", "placebo"))
    a = analyze(frame, "lmm_slope").to_dict()
    b = analyze(labelled, "lmm_slope").to_dict()
    assert a == b
    c = analyze(frame.assign(arm=np.where(frame["arm"] == 1, "treatment", "Control")), "lmm_slope")
    assert c.to_dict() == a
    with pytest.raises(InputError, match="placebo/control or active/treatment/treated"):
        analyze(frame.assign(arm=np.where(frame["arm"] == 1, "drug", "placebo")), "lmm_slope")


def test_analyze_help_names_the_columns_each_analysis_needs(run_cli):
    out = run_cli("analyze", "--help").stdout
    for needed in (
        "patient",
        "arm",
        "month",
        "alsfrs_r",
        "status",
        "exit_month",
        "placebo/control",
    ):
        assert needed in out


@pytest.mark.parametrize(
    ("argv", "quiet"),
    [
        (["designs"], True),
        (["--verbose", "designs"], False),
        (["designs", "--verbose"], False),  # after the subcommand too
    ],
)
def test_pymc_messages_hidden_unless_verbose(run, capsys, argv, quiet):
    import logging

    logger = logging.getLogger("pymc")
    before = list(logger.handlers)
    for h in before:
        logger.removeHandler(h)
    try:
        assert run(capsys, *argv)[0] == 0
        ours = [h for h in logger.handlers if h.level == logging.WARNING]
        assert bool(ours) is quiet
    finally:
        for h in list(logger.handlers):
            logger.removeHandler(h)
        for h in before:
            logger.addHandler(h)


@pytest.mark.slow
def test_a_real_fit_prints_no_sampler_chatter_without_verbose(run_cli, tmp_path):
    # A short but real NUTS run (2 chains x 150 draws): PyMC would log "Initializing NUTS"
    # and "Sampling" at INFO level.
    args = ("fit", "--draws", "150", "--tune", "150", "--chains", "2")
    quiet = run_cli(*args, "--out", str(tmp_path / "a.nc"))
    assert quiet.returncode in (0, 1), quiet.stderr  # 1: a short run may miss the R-hat gate
    assert "NUTS" not in quiet.stderr and "Sampling" not in quiet.stderr
    # how to plan with the file (a review: power, assurance and report used the bundled fit)
    assert f"plan with it by --posterior {tmp_path / 'a.nc'} (assurance, report, " in quiet.stdout
    # the sampler's progress goes to stderr: `fit > report.txt` keeps the report alone
    assert "draws/s" not in quiet.stdout and "Progress" not in quiet.stdout
    loud = run_cli(*args, "--verbose", "--out", str(tmp_path / "b.nc"))
    assert "NUTS" in loud.stderr or "Sampling" in loud.stderr


def test_negative_grids_are_values_not_options(run, capsys, tmp_path):
    """Review finding: ``--effect -0.1:0.1:0.1`` was refused by argparse as an unknown option
    ("expected at least one argument"); negative ranges, lists and percentages are values
    wherever they stand among an option's values (a diff review: not only the first)."""
    from designs.cli.main import build_parser

    parser = build_parser()
    for tokens in (["-0.1:0.1:0.1"], ["-1,0,1"], ["0.1", "-0.2", "-0.1:0:0.05"], ["-25%"]):
        args = parser.parse_args(["sweep", "--effect", *tokens, "--out", "x.nc"])
        assert args.effect == tokens
    out = tmp_path / "neg.nc"
    code, stdout, err = run(
        capsys, "sweep", "--n-per-arm", "20", "--informative", "-1:1:1", "--effect", "0.25",
        "-0.25", "--trials", "10", "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert '"dropout_informative": 3' in stdout and '"effect": 2' in stdout


@pytest.mark.parametrize("effect", ["0.005", "1e-320"])
def test_a_target_out_of_reach_is_said_and_drawn_not_a_crash(effect, run, capsys, tmp_path):
    """Explorer review: an effect too small to reach the target (0.5% slowing) crashed the
    sample-size figure ("'xerr' must not contain negative values": the interval of n lay
    above the largest size) after the whole search, and 1e-320 points/month raised
    ZeroDivisionError in the closed form (its square underflows). The figure now marks the
    target as not reached, and the fresh-trial check (which more trials would not fix) is
    not among the warnings."""
    fig = tmp_path / "search.png"
    code, _, err = run(
        capsys, "sample-size", "--effect", effect, "--trials", "40", "--figure", str(fig)
    )
    assert code == 0, err
    assert fig.stat().st_size > 0
    assert "target power 0.8 not reached at the largest size simulated" in err
    assert "MC SE below the target" not in err


def test_sizes_at_unequal_allocation_are_whole_blocks(run, capsys):
    """A bad-input review: `--sizes 30 31` under 1:2 allocation simulated 31 and said the
    target was not reached at "n_total 30" (the row's n, in whole blocks of 3). Sizes that
    do not split in the ratio are refused, as the search never chooses them."""
    alloc = ("sample-size", "--set", "trial.allocation.active=2", "--trials", "40")
    code, _, err = run(capsys, *alloc, "--sizes", "30", "31")
    assert code == 2 and err.startswith("error: --sizes 31: with 1:2 allocation the sizes are ")
    assert "multiples of 3" in err and "e.g. 30 or 33" in err
    code, _, err = run(capsys, *alloc, "--sizes", "30", "33")
    assert code == 0, err
    assert "not reached at the largest size simulated (n_total 33); give larger --sizes" in err


def test_a_target_out_of_reach_has_null_limits_in_json(run, capsys):
    """A command-line review: the JSON row of a target not reached gave ``n`` 30 (the largest
    size) with ``n_low`` 1580 and ``n_high`` -1, read as numbers; the limits are null."""
    import json

    code, out, err = run(
        capsys, "sample-size", "--sizes", "20", "30", "--effect", "0.02", "--trials", "40",
        "--refine-trials", "0", "--target-power", "0.8", "--json",
    )  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["reached"] is False and row["n"] == 30
    assert row["n_low"] is None and row["n_high"] is None
    # the searched rate by power's name for it too (a command-line review)
    assert row["power_favourable"] == row["power"] and row["mc_se_favourable"] == row["mc_se"]
    # the table and the CSV say the same (a diff review: "113-not reached" beside n = 30)
    args = ("--sizes", "20", "30", "--effect", "0.02", "--trials", "40", "--refine-trials", "0")
    code, out, err = run(capsys, "sample-size", *args, "--target-power", "0.8")
    assert code == 0 and "| over 30 (not reached) | not reached |" in out, err
    code, out, err = run(capsys, "sample-size", *args, "--target-power", "0.8", "--format", "csv")
    assert code == 0 and out.splitlines()[1].startswith("0.8,30,,,"), out
    # with interim looks, the same nulls and names (their rows are another class)
    code, out, err = run(capsys, "sample-size", *args, "--looks", "0.5,1", "--json")
    assert code == 0, err
    for row in json.loads(out):
        assert row["reached"] is False and row["n_low"] is None and row["n_high"] is None
        assert row["power_favourable"] == row["power"]


def test_output_piped_into_head_stops_quietly(monkeypatch, capsys):
    """Newcomer review: ``simulate.py designs --json | head -c 10`` ended with "error: output:
    Broken pipe" and status 1; a closed pipe now stops quietly with 141, as cat does."""
    import sys

    from designs.cli.main import main

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            raise ValueError("no descriptor")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["designs", "--json"]) == 141
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", [["sample-size", "--out"], ["report", "--out"]])
def test_an_output_never_replaces_the_posterior_it_reads(command, run, capsys, tmp_path):
    """Reproducibility review: ``sample-size --posterior post.nc --out post.nc --force``
    replaced a 7.6 MB posterior with a Markdown table (report likewise for its folder's
    files); ``--force`` replaces earlier outputs, never an input."""
    # the report writes power_sweep.nc into its folder
    posterior = tmp_path / ("post.nc" if command[0] == "sample-size" else "power_sweep.nc")
    posterior.write_bytes(b"a posterior the user fitted")
    out = posterior if command[0] == "sample-size" else tmp_path
    code, _, err = run(
        capsys, *command, str(out), "--posterior", str(posterior), "--force",
        "--trials", "10",
    )  # fmt: skip
    assert code == 2, err
    assert "is also this command's input (--posterior)" in err
    assert posterior.read_bytes() == b"a posterior the user fitted"


def test_an_interruption_lost_in_compiled_code_is_said(monkeypatch, capsys):
    """Reproducibility review: Ctrl-C raised inside a ctypes callback (llvmlite, a sampler)
    is swallowed by Python and the run finished with exit 0 as if nothing had been asked;
    it now says so. Stand-in: a command whose SIGINT is caught where compiled code would."""
    import os
    import signal

    import designs.cli.data_commands as data_commands
    from designs.cli.main import main

    real = data_commands.cmd_designs

    def swallowing(args):
        try:
            os.kill(os.getpid(), signal.SIGINT)  # handled at the next bytecode, in this try
            for _ in range(1000):
                pass
        except KeyboardInterrupt:
            pass  # what a C callback does with it
        return real(args)

    monkeypatch.setattr(data_commands, "cmd_designs", swallowing)
    # Ctrl-C as in a terminal (pytest may itself run in a background job, where it is ignored)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert main(["designs"]) == 0
        assert "the interruption arrived where Python cannot be stopped" in capsys.readouterr().err
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_ignored_ctrl_c_stays_ignored(repo_root, tmp_path):
    """A run started with ``&`` from a script ignores SIGINT (POSIX shells): Ctrl-C in the
    terminal must not end it. Before, the command line caught SIGINT whatever it was."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "t.csv"
    argv = ["trial", "--n-per-arm", "20", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, str(repo_root / "simulate.py"), *argv],
        cwd=repo_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    while proc.poll() is None:  # Ctrl-C every 0.1 s, from its imports to its end
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.1)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.exists()


def test_a_ctrl_c_after_the_work_is_done_does_not_say_interrupted(monkeypatch, capsys):
    """A Ctrl-C that arrives once the command has written everything (here: while the
    compile note is considered) used to end the run with "interrupted" and exit 130, as if
    its outputs were incomplete (a review); the run now ends as it finished."""
    import os
    import signal

    import designs.cli.main as cli_main

    real = cli_main._compiled_note

    def late_ctrl_c(code):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # a signal is handled between bytecodes
            pass
        real(code)

    monkeypatch.setattr(cli_main, "_compiled_note", late_ctrl_c)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert cli_main.main(["designs"]) == 0
        assert "interrupted" not in capsys.readouterr().err
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_finished_program_run_keeps_ignoring_ctrl_c_through_shutdown(monkeypatch, capsys):
    """A reliability review: a Ctrl-C in the half second after "wrote ..." (the interpreter
    shutting down) gave exit 130 and no message, because ``main`` put the default handler
    back on its way out. Run as the program (argv None) a finished command leaves Ctrl-C
    and SIGTERM ignored; called in-process with argv, the handlers come back (above)."""
    import signal
    import sys

    import designs.cli.main as cli_main

    monkeypatch.setattr(sys, "argv", ["simulate.py", "designs"])
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    before_term = signal.getsignal(signal.SIGTERM)
    try:
        assert cli_main.main() == 0
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert cli_main.main(["designs"]) == 0  # in-process: its handlers back
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # (what it was given)
    finally:
        signal.signal(signal.SIGINT, before)
        signal.signal(signal.SIGTERM, before_term)
    capsys.readouterr()
