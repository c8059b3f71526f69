"""``analyze --look K``: a real trial's interim analysis judged as the design judges its
simulated trials. Each simulated trial's data, cut at a look's calendar month, analysed at
that look must give the simulation's estimate, SE, z, boundary and decision there."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from designs.planning.group_sequential import simulate_outcome
from designs.simulation.inputs import simulation_inputs

SEED = 21
#: One-sided OBF with OBF-type beta-spending futility at three looks (a DSMB's design).
FREQUENTIST = [
    "--looks", "0.3333,0.6667,1", "--spending", "obf", "--futility", "obf",
    "--set", "trial.sides=1", "--set", "trial.alpha=0.025",
]  # fmt: skip
#: The posterior rule (vague prior) at the same looks, with predictive futility (``--set``:
#: ``trial`` has no decision options).
POSTERIOR = [
    "--looks", "0.3333,0.6667,1", "--set", 'decision.rule="posterior"',
    "--set", 'decision.prior="vague"', "--set", "decision.thresholds=[0.995,0.99,0.975]",
    "--set", "decision.futility_predictive=0.2",
]  # fmt: skip


def _design(options):
    """The design ``options`` give on the command line (``power``'s parsing)."""
    from designs.cli.main import build_parser
    from designs.cli.options import design_from_args

    return design_from_args(build_parser().parse_args(["power", *options]))


def _indices_by_outcome(design, trials=40):
    """A trial index per way a simulated trial ended (first look, later, futility, final)."""
    _, out = simulate_outcome(design, trials, SEED, simulation_inputs(design).effect_shift)
    last = int(out.look.max())
    picks = {}
    for i in range(trials):
        kind = ("efficacy" if out.efficacy[i] else "futility" if out.futility[i] else "final") + (
            "@interim" if out.look[i] < last else ""
        )
        picks.setdefault(kind, i)
    return picks


def _trial(run, capsys, tmp_path, options, index):
    path = tmp_path / f"trial{index}.csv"
    code, _, err = run(
        capsys, "trial", "--out", str(path), "--seed", str(SEED), "--index", str(index), *options
    )
    assert code == 0, err
    return pd.read_csv(path), json.loads(path.with_suffix(".csv.json").read_text()).get("looks")


def _at_look(run, capsys, tmp_path, data, options, look, earlier):
    path = tmp_path / f"look{look}.csv"
    data.to_csv(path, index=False)
    args = ["analyze", "--data", str(path), "--look", str(look), *options, "--json"]
    if earlier:
        args += ["--earlier-se", *(repr(se) for se in earlier)]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return json.loads(out)


def _check_trial(run, capsys, tmp_path, options, index, rule):
    data, looks = _trial(run, capsys, tmp_path, options, index)
    earlier, decisions = [], []
    for row in looks:
        if row["decision"] == "(stopped earlier)":
            break
        seen = data[data.calendar_month <= row["month"]]
        out = _at_look(run, capsys, tmp_path, seen, options, row["look"], earlier)
        look = out["interim_look"]
        # the same data as the simulation's look: the same REML fit, to rounding
        assert out["estimate"] == pytest.approx(row["estimate"], rel=1e-9, abs=1e-12)
        assert out["se"] == pytest.approx(row["se"], rel=1e-9)
        if rule == "frequentist":
            assert look["z"] == pytest.approx(row["z"], rel=1e-8, abs=1e-10)
            if row["boundary"] is not None:
                # the kernel solves on a coarser grid: within about 4e-5 (docs)
                assert look["efficacy_boundary_z"] == pytest.approx(row["boundary"], abs=1e-4)
        else:
            assert look["probability"] == pytest.approx(row["probability"], rel=1e-12)
            assert look["threshold"] == row["threshold"]
        expected = row["decision"]
        if expected == "stopped: information reached":
            assert look["information_reached"] and look["final"]
            expected = "final: no rejection"
        if rule == "posterior" and expected == "final: no rejection":
            expected = "final: no success"
        assert look["decision"] == expected
        decisions.append(expected)
        earlier.append(out["se"])
    return decisions


@pytest.mark.parametrize("rule, options", [("frequentist", FREQUENTIST), ("posterior", POSTERIOR)])
def test_each_look_decides_as_the_simulation(run, capsys, tmp_path, rule, options):
    design = _design(options).with_overrides({"effect.value": 0.2})
    picks = _indices_by_outcome(design)
    # the effect is large enough for stops at interim looks for efficacy, and (frequentist)
    # for futility too; the test needs both kinds
    assert "efficacy@interim" in picks
    if rule == "frequentist":
        assert "futility@interim" in picks
    seen = []
    for index in picks.values():
        seen += _check_trial(
            run, capsys, tmp_path, [*options, "--set", "effect.value=0.2"], index, rule
        )
    assert "continue" in seen and "efficacy" in seen


def test_text_gives_the_boundaries_and_the_next_looks_option(run, capsys, tmp_path):
    data, looks = _trial(run, capsys, tmp_path, FREQUENTIST, 0)
    path = tmp_path / "first.csv"
    data[data.calendar_month <= looks[0]["month"]].to_csv(path, index=False)
    code, out, err = run(capsys, "analyze", "--data", str(path), "--look", "1", *FREQUENTIST)
    assert code == 0, err
    assert "interim look 1 of 3" in out
    assert "(not adjusted for the looks)" in out and "significant at alpha" not in out
    assert "efficacy         z >= " in out and "futility         z <= " in out
    if "continue to the next look" in out:
        assert "at look 2: add --look 2 --earlier-se " in out
    # the planned maximum information is the design's, as power --looks gives it
    assert "of the planned maximum 2" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--look", "1"], "--look: the design has no interim looks"),
        (["--looks", "0.5,1"], "--looks: only with --look K"),
        (["--earlier-se", "0.1"], "--earlier-se: only with --look K"),
        (["--look", "3", "--looks", "0.5,1"], "--look 3: must be in 1-2"),
        (["--look", "2", "--looks", "0.5,1"], "look 2 needs the SE of each earlier look (1 value,"),
        (["--look", "1", "--looks", "0.5,1", "--earlier-se", "0.1"], "look 1 has no earlier look"),
        (
            ["--look", "2", "--looks", "0.5,1", "--earlier-se", "-0.1"],
            "--earlier-se -0.1: each must",
        ),
        (["--look", "1", "--looks", "0.5,1", "--sides", "1"], "--sides with --look"),
        (["--look", "1", "--looks", "0.5,1", "--information-max", "0"], "--information-max 0"),
        (["--look", "1", "--looks", "0.5,1", "--analysis", "joint_rank"], "cannot be analysed at"),
    ],
)
def test_refusals_name_the_option(run, capsys, tmp_path, extra, message):
    data, _ = _trial(run, capsys, tmp_path, [], 0)
    path = tmp_path / "t.csv"
    data.to_csv(path, index=False)
    code, out, err = run(capsys, "analyze", "--data", str(path), *extra)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_information_max_from_the_charter(run, capsys, tmp_path):
    """``--information-max`` replaces the design's I_max: the spending fraction follows it."""
    data, looks = _trial(run, capsys, tmp_path, FREQUENTIST, 1)
    seen = data[data.calendar_month <= looks[0]["month"]]
    base = _at_look(run, capsys, tmp_path, seen, FREQUENTIST, 1, [])["interim_look"]
    charter = 2.0 * base["information_max"]
    half = _at_look(
        run, capsys, tmp_path, seen, [*FREQUENTIST, "--information-max", repr(charter)], 1, []
    )["interim_look"]
    assert half["information_max_source"] == "--information-max"
    assert half["information_fraction"] == pytest.approx(base["information_fraction"] / 2)
    assert half["efficacy_boundary_z"] > base["efficacy_boundary_z"]  # less alpha spent
    assert np.isclose(half["information_max_design"], base["information_max"])
