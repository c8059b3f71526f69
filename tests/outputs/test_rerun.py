"""The advice after a fresh-trial check that missed repeats the user's own command with more
trials (a command-line review: it gave ``simulate.py report --trials 400 --refine-trials
1600``, which searched the default design and, lacking ``--out``, could not run)."""

from __future__ import annotations

import shlex
from types import SimpleNamespace

from designs import load_design
from designs.outputs.fresh_check import fresh_check_warnings
from designs.outputs.report_cautions import fresh_check_block
from designs.outputs.rerun import rerun_text


def _row(**kw):
    """A sample-size row whose check on fresh trials missed its target by 3 MC SE."""
    fields = dict(
        target_power=0.8, n=173, reached=True, confirmed_power=0.745, confirmed_mc_se=0.018,
        trials=100, grid_trials=100, refine_trials=400,
    )  # fmt: skip
    return SimpleNamespace(**{**fields, **kw})


def test_the_users_arguments_are_kept_and_the_trials_replaced():
    typed = [
        "report", "--looks", "0.5,1", "--trials", "100", "--refine-trials=400",
        "--out", "my report", "--effect", "0.3",
    ]  # fmt: skip
    text = rerun_text(_row(), "report", typed)
    assert shlex.split(text) == [
        "python", "simulate.py", "report", "--looks", "0.5,1", "--out", "my report",
        "--effect", "0.3", "--trials", "400", "--refine-trials", "1600",
    ]  # fmt: skip
    # one stage: --refine-trials 0 keeps it one stage
    assert rerun_text(_row(refine_trials=0), "sample-size", ["sample-size"]).endswith(
        "sample-size --trials 400 --refine-trials 0"
    )
    # no arguments known (the library, the explorer's report zip): no command that could
    # only search the default design
    assert rerun_text(_row(), "report") == (
        "simulate.py report with this design's options and --trials 400 --refine-trials 1600"
    )


def test_the_warning_and_the_reports_block_carry_the_command():
    design = load_design()
    (line,) = fresh_check_warnings([_row()], design, rerun=["sample-size", "--seed", "4"])
    assert "e.g. python simulate.py sample-size --seed 4 --trials 400 --refine-trials 1600)" in line
    command = "python simulate.py report --out /tmp/r --trials 100"
    block = "\n".join(fresh_check_block([_row()], design, command))
    assert "python simulate.py report --out /tmp/r --trials 400 --refine-trials 1600" in block
