"""``analyze --look K``: a real trial's interim analysis judged as the design judges its
simulated trials. Each simulated trial's data, cut at a look's calendar month, analysed at
that look must give the simulation's estimate, SE, z, boundary and decision there."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from designs.planning.group_sequential import planned_boundaries, simulate_outcome
from designs.simulation.inputs import simulation_inputs

SEED = 21
#: One-sided OBF with OBF-type beta-spending futility at three looks (a DSMB's design).
FREQUENTIST = [
    "--looks", "0.3333,0.6667,1", "--spending", "obf", "--futility", "obf",
    "--set", "trial.sides=1", "--set", "trial.alpha=0.025",
]  # fmt: skip
#: The same design meeting the planned boundaries (``interim.information = "planned"``).
PLANNED = [*FREQUENTIST, "--set", 'interim.information="planned"']
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


def _at_look(run, capsys, tmp_path, data, options, look, earlier, earlier_df=()):
    path = tmp_path / f"look{look}.csv"
    data.to_csv(path, index=False)
    args = ["analyze", "--data", str(path), "--look", str(look), *options, "--json"]
    if earlier:
        args += ["--earlier-se", *(repr(se) for se in earlier)]
    if earlier_df:
        args += ["--earlier-df", *(repr(df) for df in earlier_df)]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return json.loads(out)


def _check_trial(run, capsys, tmp_path, options, index, rule):
    by_plan = 'interim.information="planned"' in options
    earlier_df = []
    data, looks = _trial(run, capsys, tmp_path, options, index)
    earlier, decisions = [], []
    for row in looks:
        if row["decision"] == "(stopped earlier)":
            break
        seen = data[data.calendar_month <= row["month"]]
        out = _at_look(run, capsys, tmp_path, seen, options, row["look"], earlier, earlier_df)
        look = out["interim_look"]
        # the same data as the simulation's look: the same REML fit, to rounding
        assert out["estimate"] == pytest.approx(row["estimate"], rel=1e-9, abs=1e-12)
        assert out["se"] == pytest.approx(row["se"], rel=1e-9)
        if rule == "frequentist":
            assert look["z"] == pytest.approx(row["z"], rel=1e-8, abs=1e-10)
            if row["boundary"] is not None:
                # the kernel solves on a coarser grid: within about 4e-5 (docs)
                assert look["efficacy_boundary_z"] == pytest.approx(row["boundary"], abs=1e-4)
            if by_plan:  # the planned boundary, whatever the SEs
                planned = planned_boundaries(_design(options)).efficacy_z[row["look"] - 1]
                assert look["spending_information"] == "planned"
                assert look["efficacy_boundary_z"] == pytest.approx(planned, abs=1e-6)
                assert not look["information_reached"]
        else:
            assert look["probability"] == pytest.approx(row["probability"], rel=1e-12)
            assert look["threshold"] == row["threshold"]
        expected = row["decision"]  # the simulation's label, also at a look holding I_max
        if expected == "stopped: information reached":
            assert look["information_reached"] and look["final"]
        if rule == "posterior" and expected == "final: no rejection":
            expected = "final: no success"
        assert look["decision"] == expected
        decisions.append(expected)
        if rule == "frequentist":  # the posterior rule judges each look on its own data,
            # and the planned boundaries read the plan's fractions (no --earlier-se)
            if not by_plan:
                earlier.append(out["se"])
            earlier_df.append(out["df"])  # the median-unbiased estimate's (--earlier-df)
            # stagewise inference where the trial stops: its p-value agrees with the
            # boundary (at most the alpha spent by the look exactly when it rejects)
            p = look["p_value_stagewise"]
            if expected in ("continue", "futility"):
                assert p is None and look["median_unbiased_estimate"] is None
            else:
                rejected = expected == "efficacy"
                assert (p <= look["alpha_spent"][-1] + 1e-9) == rejected, (p, expected)
        if look.get("efficacy_boundary_estimate") is not None:
            # the estimate at the boundary is the one whose t, carried to z, is the boundary
            from designs.planning.interim_look import z_of_t

            at = look["efficacy_boundary_estimate"]
            assert z_of_t(at / out["se"], out["df"]) == pytest.approx(
                look["efficacy_boundary_z"], abs=1e-9
            )
    return decisions


@pytest.mark.parametrize(
    "rule, options",
    [("frequentist", FREQUENTIST), ("frequentist", PLANNED), ("posterior", POSTERIOR)],
)
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
    assert "repeated CI      >= " in out and "(97.5%, one-sided;" in out
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


def test_looks_that_reached_the_planned_information_are_labelled_as_the_simulation(
    run, capsys, tmp_path, monkeypatch
):
    """A DSMB review (seed 9, looks at months 16, 24, 30, 37, HSD(-2) spending and
    futility): at look 3, which held more than I_max, trial 11 stopped for futility and
    trial 36 at the information reached; analyze --look said "final: no rejection" for
    both."""
    import sys

    module = sys.modules[__name__]
    monkeypatch.setattr(module, "SEED", 9)
    options = [
        "--look-months", "16,24,30,37", "--spending", "hsd:-2", "--futility", "hsd:-2",
        "--set", "trial.sides=1", "--set", "trial.alpha=0.025",
    ]  # fmt: skip
    seen = []
    for index in (11, 36):
        seen += _check_trial(run, capsys, tmp_path, options, index, "frequentist")
    assert "futility" in seen and "stopped: information reached" in seen


def _first_look(run, capsys, tmp_path, options, swap=False):
    data, looks = _trial(run, capsys, tmp_path, options, 0)
    seen = data[data.calendar_month <= looks[0]["month"]].copy()
    if swap:
        seen["arm"] = 1 - seen["arm"]
    return seen


def test_a_two_sided_crossing_favouring_placebo_is_a_harm(run, capsys, tmp_path):
    """A DSMB review: with the arms swapped, z = -3.06 crossed the two-sided boundary and was
    called "efficacy"."""
    options = ["--looks", "0.5,1", "--spending", "pocock", "--set", "effect.value=0.6"]
    seen = _first_look(run, capsys, tmp_path, options, swap=True)
    look = _at_look(run, capsys, tmp_path, seen, options, 1, [])["interim_look"]
    assert look["z"] < -look["efficacy_boundary_z"] and look["decision"] == "harm"
    path = tmp_path / "swapped.csv"
    seen.to_csv(path, index=False)
    code, out, _ = run(capsys, "analyze", "--data", str(path), "--look", "1", *options)
    assert code == 0 and "crosses the boundary favouring placebo (a harm" in out


def test_conditional_power_futility_gives_the_conditional_power(run, capsys, tmp_path):
    """A DSMB review: a cp rule was shown as a planned z alone; on it the conditional power at
    the observed information was 0.19, not the rule's 0.1. It is now given beside it, the
    trend's B-value formula (Lachin 2005) at the look's fraction of I_max."""
    from scipy import stats

    options = ["--looks", "0.3333,0.6667,1", "--futility", "cp:0.1"]
    options += ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    seen = _first_look(run, capsys, tmp_path, options)
    out = _at_look(run, capsys, tmp_path, seen, options, 1, [])
    look = out["interim_look"]
    t, z = look["information_fraction"], look["z"]
    final = _design(options).interim  # the planned final boundary
    from designs.planning.group_sequential import planned_boundaries

    c_k = planned_boundaries(_design(options)).efficacy_z[-1]
    expected = stats.norm.sf((c_k - z * np.sqrt(t) - z / np.sqrt(t) * (1 - t)) / np.sqrt(1 - t))
    assert final.futility.value == "cp"
    assert look["conditional_power"] == pytest.approx(expected, rel=1e-12)
    # what it assumes and the rule's cut-off, said (a DSMB review: neither was): the trend
    # z / sqrt(I_k) on the z scale is z times the look's SE in points/month
    assert look["conditional_power_under"] == "trend" and look["futility_cp"] == 0.1
    assert look["conditional_power_effect"] == pytest.approx(z * out["se"], rel=1e-12)
    assert look["futility_boundary_fraction"] == pytest.approx(1 / 3, abs=1e-4)
    path = tmp_path / "cp.csv"
    seen.to_csv(path, index=False)
    code, text, _ = run(capsys, "analyze", "--data", str(path), "--look", "1", *options)
    assert code == 0
    assert f"under the current trend ({look['conditional_power_effect']:.4g} points/month" in text
    assert "the cp rule stops below 0.1" in text
    assert "the design's planned boundary at information fraction 0.3333" in text
    # under the design's effect with a 6-month onset: its mean over the 12 months, half
    delayed = [*options, "--set", 'interim.futility_cp_under="design"']
    delayed += ["--set", "effect.onset_delay_months=6"]
    look = _at_look(run, capsys, tmp_path, seen, delayed, 1, [])["interim_look"]
    assert look["conditional_power_under"] == "design"
    assert look["conditional_power_effect"] == pytest.approx(0.125 / 2, rel=1e-12)


def test_conditional_power_against_the_trials_own_final_boundary(run, capsys, tmp_path):
    """A formula audit: the conditional power used the planned final boundary (1.9686), not
    the one this trial faces after spending alpha at its observed information (1.9888). Two
    looks, one-sided 0.025: the own final c2 solves P(Z1 < c1, Z2 < c2) = 0.975 with
    corr(Z1, Z2) = sqrt(t) (the canonical joint distribution), computed here with SciPy's
    bivariate normal; the conditional power at it by the B-value formula."""
    from scipy import optimize, stats

    options = ["--looks", "0.5,1", "--futility", "cp:0.1"]
    options += ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    seen = _first_look(run, capsys, tmp_path, options)
    out = _at_look(run, capsys, tmp_path, seen, options, 1, [])
    look = out["interim_look"]
    t, z, c1 = look["information_fraction"], look["z"], look["efficacy_boundary_z"]
    rho = np.sqrt(t)
    joint = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]])
    c2 = optimize.brentq(lambda c: joint.cdf([c1, c]) - 0.975, 1.0, 4.0, xtol=1e-10)
    assert look["own_final_boundary_z"] == pytest.approx(c2, abs=2e-5)  # the cdf's own error
    drift = z / np.sqrt(t)  # the current trend
    expected = stats.norm.sf((c2 - z * np.sqrt(t) - drift * (1 - t)) / np.sqrt(1 - t))
    assert look["conditional_power_own_final"] == pytest.approx(expected, abs=1e-4)
    from designs.planning.group_sequential import planned_boundaries

    planned = planned_boundaries(_design(options)).efficacy_z[-1]
    assert abs(look["own_final_boundary_z"] - planned) > 1e-3  # t = 0.483 here, not 0.5
    code, text, _ = run(capsys, "analyze", "--data", str(tmp_path / "look1.csv"), "--look", "1",
                        *options)  # fmt: skip
    assert code == 0 and "against this trial's own final boundary, z >= " in text


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--df-method", "kenward-roger"], "--df-method kenward-roger with --look"),
        (
            ["--look", "2", "--earlier-se", "0.05"],
            "look 1's information (1/SE^2 = 400) had reached the planned maximum",
        ),
    ],
)
def test_more_refusals_at_a_look(run, capsys, tmp_path, extra, message):
    data, _ = _trial(run, capsys, tmp_path, [], 0)
    path = tmp_path / "t.csv"
    data.to_csv(path, index=False)
    args = ["analyze", "--data", str(path), "--looks", "0.5,1", *extra]
    if "--look" not in extra:
        args += ["--look", "1"]
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and message in err


def test_the_posterior_rule_takes_no_earlier_se(run, capsys, tmp_path):
    data, _ = _trial(run, capsys, tmp_path, [], 0)
    path = tmp_path / "t.csv"
    data.to_csv(path, index=False)
    args = ["analyze", "--data", str(path), "--looks", "0.5,1", "--look", "2"]
    args += ["--decision", "posterior", "--prior", "vague"]
    code, out, err = run(capsys, *args, "--earlier-se", "0.08")
    assert code == 2 and "the posterior rule judges each look on its own data" in err
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "P(effect > 0 | data) = " in out and "--earlier-se" not in out


def test_json_at_a_look_leaves_the_fixed_sample_decision_out(run, capsys, tmp_path):
    data, looks = _trial(run, capsys, tmp_path, FREQUENTIST, 0)
    seen = data[data.calendar_month <= looks[0]["month"]]
    out = _at_look(run, capsys, tmp_path, seen, FREQUENTIST, 1, [])
    assert out["significant"] is None and out["ci_adjusted_for_looks"] is False


def test_the_estimate_at_a_far_boundary_is_finite():
    """A diff review: an early look's OBF boundary of 9.76 gave an estimate of inf (Phi(9.76)
    rounds to 1); on the tail beyond it the estimate is finite and carries back to the
    boundary."""
    from designs.planning.interim_look import estimate_at_z, z_of_t

    for z in (9.7617, 2.5, 0.3, -0.8, -9.0):
        at = estimate_at_z(z, 0.1, 60.0)
        assert np.isfinite(at) and z_of_t(at / 0.1, 60.0) == pytest.approx(z, abs=1e-8)


def test_a_final_look_below_futility_is_said_to_be_final(run, capsys, tmp_path):
    """A diff review: a look holding I_max whose z was also below the futility boundary said
    "the DSMB may stop for futility or go on", where nothing follows."""
    data, looks = _trial(run, capsys, tmp_path, FREQUENTIST, 0)
    seen = data[data.calendar_month <= looks[0]["month"]].copy()
    seen["arm"] = 1 - seen["arm"]  # an estimate favouring placebo: below futility
    path = tmp_path / "swapped.csv"
    seen.to_csv(path, index=False)
    args = ["analyze", "--data", str(path), "--look", "1", *FREQUENTIST]
    code, out, err = run(capsys, *args, "--information-max", "50")
    assert code == 0, err
    assert (
        "final analysis (the look holds the planned maximum information): no rejection; z is" in out
    )
    assert "go on" not in out


def test_a_look_under_the_posterior_rule_records_its_prior_and_posterior(run, capsys, tmp_path):
    """A Bayesian review: at a look the JSON gave neither the rule's prior nor the posterior
    mixture, and the text not the robust component's weight (the prior-data conflict check
    that analyze gives without --look). The look's decision stays the look's own."""
    data, looks = _trial(run, capsys, tmp_path, POSTERIOR, 0)
    path = tmp_path / "look1.csv"
    data[data.calendar_month <= looks[0]["month"]].to_csv(path, index=False)
    robust = [o.replace('"vague"', '"robust"') for o in POSTERIOR]
    robust += ["--set", "decision.prior_weight=0.5"]
    out = _at_look(run, capsys, tmp_path, pd.read_csv(path), robust, 1, [])
    assert out["decision_rule"]["prior"] == "robust"
    parts = out["posterior_components"]
    assert len(parts) == len(out["decision_rule"]["prior_components"])
    assert sum(p["weight"] for p in parts) == pytest.approx(1.0)
    # the final threshold's verdict is not the look's; the keys a script reads without --look
    # are there (a Bayesian review), the look's probability and threshold
    assert out["posterior_success"] is None
    look = out["interim_look"]
    assert out["posterior_probability"] == look["probability"]
    assert out["threshold"] == look["threshold"] == 0.995
    # the looks' own thresholds are recorded (a diff review: decision.threshold alone)
    assert out["decision_rule"]["thresholds"] == [0.995, 0.99, 0.975]
    code, text, err = run(capsys, "analyze", "--data", str(path), "--look", "1", *robust)
    assert code == 0, err
    assert "posterior of the effect (points/month):" in text
    assert "the robust component's weight" in text


def test_a_look_under_the_posterior_rule_says_what_its_prediction_assumes(run, capsys, tmp_path):
    """A Bayesian review: the predictive probability rests on a projected final information
    I_k + (1 - t_k) I_max and the final estimate the last threshold needs, and a DSMB saw
    neither. Under the vague prior N(0, 10^2) the critical estimate is z_T SE sqrt(1 + SE^2 /
    100) with SE = I^-1/2 (the conjugate normal update)."""
    from scipy.stats import norm

    data, looks = _trial(run, capsys, tmp_path, POSTERIOR, 0)
    seen = data[data.calendar_month <= looks[0]["month"]]
    out = _at_look(run, capsys, tmp_path, seen, POSTERIOR, 1, [])
    look = out["interim_look"]
    i_final = look["information"] + (1 - look["planned_fraction"]) * look["information_max"]
    assert look["projected_final_information"] == pytest.approx(i_final, rel=1e-12)
    se = i_final**-0.5
    critical = norm.ppf(0.975) * se * (1 + se**2 / 100) ** 0.5  # the last look's 0.975
    assert look["critical_final_estimate"] == pytest.approx(critical, rel=1e-9)
    path = tmp_path / "seen.csv"
    seen.to_csv(path, index=False)
    code, text, err = run(capsys, "analyze", "--data", str(path), "--look", "1", *POSTERIOR)
    assert code == 0, err
    assert f"assuming final information {i_final:.2f}" in text
    assert f"final estimate above {critical:.4f} points/month" in text


def test_a_file_with_rows_after_the_looks_month_is_warned(run, capsys, tmp_path):
    """A Bayesian looks review: the whole trial's file analysed at look 1 read 1.07 of the
    planned maximum information and "stop for efficacy", without a word; the rows up to the
    look's month gave "continue". The cut file gets no warning."""
    options = ["--looks", "0.5,1", "--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    data, looks = _trial(run, capsys, tmp_path, options, 0)
    whole = _at_look(run, capsys, tmp_path, data, options, 1, [])
    month = looks[0]["month"]
    late = int((data.calendar_month > month + 1e-6).sum())
    assert late > 0
    assert any(
        w.startswith(f"{late:,} rows have calendar_month after look 1's planned month")
        for w in whole["warnings"]
    )
    cut = _at_look(run, capsys, tmp_path, data[data.calendar_month <= month], options, 1, [])
    assert not any("calendar_month" in w for w in cut["warnings"])


def test_the_own_final_boundary_carries_this_looks_lead_to_the_later_looks(run, capsys, tmp_path):
    """A diff review: a later planned look that this look's information had already passed
    was dropped, as if it would spend nothing (the own final boundary then too low). Three
    looks: the later interim look is taken at its planned fraction times this look's
    observed / planned information (looks come by calendar month), as computed here from
    the output's fractions."""
    from designs.sequential.at_information import boundaries_at_information

    options = ["--looks", "0.3333,0.6667,1", "--futility", "cp:0.1"]
    options += ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    seen = _first_look(run, capsys, tmp_path, options)
    look = _at_look(run, capsys, tmp_path, seen, options, 1, [])["interim_look"]
    design = _design(options)
    i_max = look["information_max"]
    t1, planned = look["information_fraction"], look["planned_fraction"]
    infos = [t1 * i_max, 0.6667 * i_max * t1 / planned, i_max]
    assert t1 / planned != pytest.approx(1.0, abs=0.01)  # the look is off its plan
    t, interim = design.trial, design.interim
    bounds, _, _ = boundaries_at_information(
        infos, i_max, t.alpha, interim.alpha_spending(), t.sides, 3, True
    )
    assert look["own_final_boundary_z"] == pytest.approx(bounds[-1], rel=1e-12)


def test_a_first_look_stop_by_plan_has_the_estimate_as_its_median_unbiased_estimate(
    run, capsys, tmp_path
):
    """Boundaries at the planned information, a trial stopping for efficacy at look 1: the
    stagewise median-unbiased estimate is the theta with P(W_1 >= w) = 1/2 for the Wald
    statistic W = estimate / SE, so the estimate itself (as rpact gives it), on the look's
    own information (a review: 0.262 for an estimate of 0.238, scaled by the planned SE; a
    later one: 0.5225 for 0.5651, from the t carried to z), as under the observed
    information on the same data."""
    observed_options = [
        "--looks", "0.5,1", "--spending", "pocock", "--set", "trial.sides=1",
        "--set", "trial.alpha=0.025", "--set", "effect.value=0.3",
    ]  # fmt: skip
    options = [*observed_options, "--set", 'interim.information="planned"']
    design = _design(options)
    _, out = simulate_outcome(design, 40, SEED, simulation_inputs(design).effect_shift)
    index = int(np.flatnonzero(out.efficacy & (out.look == 0))[0])
    data, looks = _trial(run, capsys, tmp_path, options, index)
    seen = data[data.calendar_month <= looks[0]["month"]]
    planned = _at_look(run, capsys, tmp_path, seen, options, 1, [])
    look = planned["interim_look"]
    assert look["decision"] == "efficacy" and look["spending_information"] == "planned"
    assert look["median_unbiased_estimate"] == pytest.approx(planned["estimate"], rel=1e-6)
    assert look["z"] < planned["estimate"] / planned["se"]  # the carried z is below t
    # the text notes a look more than 0.05 from its planned fraction (by --information-max:
    # on plan, and 0.2 ahead of it)
    seen.to_csv(tmp_path / "seen.csv", index=False)
    for ahead in (0.0, 0.2):
        i_max = look["information"] / (look["planned_fraction"] + ahead)
        code, text, _ = run(
            capsys, "analyze", "--data", str(tmp_path / "seen.csv"), "--look", "1", *options,
            "--information-max", repr(i_max),
        )  # fmt: skip
        assert code == 0 and ("off plan by the same factor" in text) == (ahead > 0)
    observed = _at_look(run, capsys, tmp_path, seen, observed_options, 1, [])["interim_look"]
    assert look["median_unbiased_estimate"] == pytest.approx(
        observed["median_unbiased_estimate"], rel=1e-9
    )


def test_by_plan_no_earlier_se_and_the_ordering_on_the_plans_fractions(run, capsys, tmp_path):
    """Boundaries at the planned information read no earlier SE: ``--earlier-se`` is refused,
    as every option nothing reads, and the next look's command gives none. The stagewise
    p-value and estimate read the plan's fractions at the look's own information (the
    boundaries' correlations): on the looks' observed information a stagewise review found
    the p-value disagreeing with the decision in 0.3-0.5% of simulated trials, and an
    interim look between two earlier ones crashed it. A final look holding less information
    than the first is accepted, and its p-value is that of the plan's fractions."""
    from designs.sequential.stagewise import stagewise_tail

    options = [
        "--looks", "0.5,1", "--spending", "pocock", "--set", "trial.sides=1",
        "--set", "trial.alpha=0.025", "--set", 'interim.information="planned"',
    ]  # fmt: skip
    data, looks = _trial(run, capsys, tmp_path, options, 0)
    data.to_csv(tmp_path / "all.csv", index=False)
    args = ["analyze", "--data", str(tmp_path / "all.csv"), "--look", "2", *options]
    code, _, err = run(capsys, *args, "--earlier-se", "0.1")
    assert code == 2 and "--earlier-se: under interim.information = 'planned'" in err
    final = _at_look(run, capsys, tmp_path, data, options, 2, [])
    look = final["interim_look"]
    info = look["information"]
    expected = stagewise_tail([0.5 * info, info], look["efficacy_boundaries_z"], look["z"], 1)
    assert look["p_value_stagewise"] == pytest.approx(expected, rel=1e-12)
    assert (look["p_value_stagewise"] <= look["alpha_spent"][-1]) == (
        look["decision"] == "efficacy"
    )
    first = data[data.calendar_month <= looks[0]["month"]]
    first.to_csv(tmp_path / "first.csv", index=False)
    code, text, _ = run(
        capsys, "analyze", "--data", str(tmp_path / "first.csv"), "--look", "1", *options
    )
    if "at look 2:" in text:  # the look continued: the next command needs no SE (its df,
        # for the median-unbiased estimate)
        (line,) = [x for x in text.splitlines() if x.startswith("at look 2:")]
        assert code == 0 and line.startswith("at look 2: add --look 2 --earlier-df ")
        assert "--earlier-se" not in line


def test_data_unlike_the_designs_trial_are_said_so(run, capsys, tmp_path):
    """A DMC statistician's review: a trial of 100 per arm cut at look 1 and judged with a
    design of 40 per arm read 0.85 of the planned maximum against 0.33 and spent its alpha by
    it, without a word. Now: more patients than the design randomises are named; a look far
    from its planned fraction (observed-information spending) too; on the trial's own design
    neither; with the charter's --information-max neither. And (the same review) the text's
    fixed-sample p-value at a look is marked unadjusted, as its interval was."""
    options = [*FREQUENTIST, "--set", "trial.n_per_arm=100"]
    data, looks = _trial(run, capsys, tmp_path, options, 0)
    seen = data[data.calendar_month <= looks[0]["month"]]
    own = _at_look(run, capsys, tmp_path, seen, options, 1, [])
    assert not [w for w in own["warnings"] if "planned maximum" in w]
    small = [*FREQUENTIST, "--set", "trial.n_per_arm=40"]
    wrong = _at_look(run, capsys, tmp_path, seen, small, 1, [])
    (line,) = [w for w in wrong["warnings"] if "planned maximum" in w]
    patients = seen.patient.nunique()
    assert patients > 80 and line.startswith(f"the data hold {patients} patients, more than")
    assert "--information-max" in line
    charter = _at_look(
        run, capsys, tmp_path, seen, [*small, "--information-max", "500"], 1, []
    )  # the charter's maximum given: the data's size is the DMC's business
    assert not [w for w in charter["warnings"] if "planned maximum" in w]
    # fewer patients than the design's, the look far ahead of plan (70 patients' whole
    # follow-up at look 1, about the 73.6 the design expects by then): the fraction is named
    kept = [p for arm in (0, 1) for p in data[data.arm == arm].patient.unique()[:35]]
    few = data[data.patient.isin(kept)].drop(columns="calendar_month")
    late = _at_look(run, capsys, tmp_path, few, small, 1, [])
    frac = late["interim_look"]["information_fraction"]
    assert frac / late["interim_look"]["planned_fraction"] > 2.0
    (line,) = [w for w in late["warnings"] if "planned maximum" in w]
    assert line.startswith(f"look 1 holds {frac:.3f} of the planned maximum information")
    # fewer patients than the design's 120 but far more than the 88.4 it expects by look 1
    # (a DSMB review: 196 where 134 were expected went unsaid, the look 1.56 times its
    # planned fraction, below the 2 times that names it): the count and fraction are named
    mid = _at_look(
        run, capsys, tmp_path, seen, [*FREQUENTIST, "--set", "trial.n_per_arm=60"], 1, []
    )
    expected, frac = (
        mid["interim_look"][k] for k in ("planned_randomised", "information_fraction")
    )
    assert 1.25 * expected < patients < 120 and frac / mid["interim_look"]["planned_fraction"] < 2
    (line,) = [w for w in mid["warnings"] if "planned maximum" in w]
    assert line.startswith(
        f"the data hold {patients} patients where the design expects {expected:.1f}"
    )
    assert f"the look holds {frac:.3f} of the planned maximum information" in line
    # the text marks the fixed-sample p-value at a look as the interval was marked
    path = tmp_path / "own.csv"
    seen.to_csv(path, index=False)
    code, text, _ = run(capsys, "analyze", "--data", str(path), "--look", "1", *options)
    (line,) = [x for x in text.splitlines() if x.strip().startswith("p_value")]
    assert code == 0 and line.endswith(" (fixed-sample, not adjusted for the looks)")


def test_a_final_look_below_an_earlier_looks_information_is_decided_as_the_simulation():
    """A stagewise review: a final look holding less information than an earlier one (1-1.4%
    of the trials at 20 per arm) was refused by ``analyze --look`` ("the boundary needs the
    information to increase") although the simulation decided it, taking the step as 0.01 of
    the final information. Each such simulated trial, judged at its final look with its
    earlier SEs: the simulation's decision, its boundary (the kernel's grid: within 1e-4), a
    stagewise p-value that agrees with the decision, and a note."""
    from designs.analyses import results as R
    from designs.outputs.interim_look_text import interim_look_text
    from designs.planning.interim_look import decision_at_look

    design = _design(FREQUENTIST).with_overrides(
        {"trial.n_per_arm": 20, "interim.futility": "none", "effect.value": 0.5}
    )
    res, out = simulate_outcome(design, 1500, 5, simulation_inputs(design).effect_shift)
    info = 1.0 / res.results[:, :, R.SE] ** 2
    last = info.shape[1] - 1
    below = np.flatnonzero((out.look == last) & (info[:, last] <= info[:, :last].max(axis=1)))
    assert below.size >= 3  # about 1% of the trials
    from designs.planning.look_times import look_times
    from designs.sequential.observed import observed_boundaries

    t, spending = design.trial, design.interim.alpha_spending()
    i_max = look_times(design).information_max
    for i in below:
        est, se, df = res.results[i, last, [R.ESTIMATE, R.SE, R.DF]]
        result = {"estimate": est, "se": se, "df": df, "statistic": est / se}
        look = decision_at_look(design, result, last + 1, list(res.results[i, :last, R.SE]))
        assert look["final_information_raised"]
        # the kernel's boundaries on the trial's information: its grid is off by about 0.01
        # at so small a step (tests/sequential/test_at_information.py), so the decision of
        # a z between the two boundaries may differ; elsewhere it is the simulation's
        kernel = observed_boundaries(info[i : i + 1], i_max, t.alpha, spending, t.sides)
        c = look["efficacy_boundary_z"]
        assert c == pytest.approx(kernel[0, last], abs=0.015)
        rejected = look["decision"] == "efficacy"
        if not min(c, kernel[0, last]) <= look["z"] < max(c, kernel[0, last]):
            assert rejected == bool(out.efficacy[i])
        assert (look["p_value_stagewise"] <= look["alpha_spent"][-1]) == rejected
        assert "holds less information than an earlier one" in interim_look_text(design, look)


def test_the_data_checks_need_a_rule_and_earlier_df_follow_the_looks_checks():
    """A diff review: a look the analysis gave no estimate for ("no decision") has no rule,
    and the data checks read one (KeyError); ``--earlier-df`` was checked before the design
    had looks (its count named, not the missing looks) and at look 1."""
    import pandas as pd

    from designs.cli.analyze_command import _size_against_design
    from designs.errors import InputError
    from designs.planning.interim_look import check_look, decision_at_look

    design = _design(FREQUENTIST)
    nan = float("nan")
    look = decision_at_look(design, {"estimate": nan, "se": nan, "df": nan, "statistic": nan}, 1)
    assert look["decision"] == "no decision"
    data = pd.DataFrame({"patient": range(500)})
    assert _size_against_design(data, design, look) == []
    fixed = _design([])
    with pytest.raises(InputError, match="--look: the design has no interim looks"):
        check_look(fixed, "lmm_slope", 2, [0.1], [30.0, 40.0])
    with pytest.raises(InputError, match="--earlier-df: look 1 has no earlier look"):
        check_look(design, "lmm_slope", 1, [], [3.0])


def test_a_raised_final_looks_median_unbiased_estimate_is_on_its_own_scale():
    """A docs review: at a final look raised above an earlier look's information the
    estimate came out on the raised scale, the right one times sqrt(I / I_raised): 0.664 for
    an estimate of 0.80 where the two looks are nearly the same data (earlier SE 0.30, final
    0.36). It is now carried back: at most the estimate (the trial went on past look 1) and
    close to it, and the p-value and decision are as before."""
    from designs.planning.interim_look import decision_at_look

    design = _design(
        ["--looks", "0.5,1", "--spending", "pocock", "--set", "trial.sides=1",
         "--set", "trial.alpha=0.025", "--set", "trial.n_per_arm=20"]
    )  # fmt: skip
    result = {"estimate": 0.80, "se": 0.36, "df": 60.0, "statistic": 0.80 / 0.36}
    look = decision_at_look(design, result, 2, [0.30])
    assert look["final_information_raised"] and look["decision"] == "efficacy"
    assert 0.9 * 0.80 < look["median_unbiased_estimate"] <= 0.80


def test_conditional_power_is_given_for_information_without_a_cp_rule(run, capsys, tmp_path):
    """A DSMB review: with beta-spending futility (or none), the usual set-up, `analyze
    --look` gave no conditional power. It now gives both, under the current trend and the
    design's effect, by the B-value formula (Lachin 2005) at the look's fraction of I_max
    against the planned final boundary, each with the effect it assumes."""
    from scipy import stats

    from designs.planning.group_sequential import planned_boundaries

    seen = _first_look(run, capsys, tmp_path, FREQUENTIST)
    out = _at_look(run, capsys, tmp_path, seen, FREQUENTIST, 1, [])
    look = out["interim_look"]
    design = _design(FREQUENTIST)
    assert design.interim.futility.value != "cp" and look["conditional_power"] is None
    t, z = look["information_fraction"], look["z"]
    c_k = planned_boundaries(design).efficacy_z[-1]
    theta = 0.125  # the default's 25% of a 0.5 points/month decline
    i_max = look["information_max"]
    for under, drift in (("trend", z / np.sqrt(t)), ("design", theta * np.sqrt(i_max))):
        expected = stats.norm.sf((c_k - z * np.sqrt(t) - drift * (1 - t)) / np.sqrt(1 - t))
        given = look["conditional_power_for_information"][under]
        assert given["power"] == pytest.approx(expected, rel=1e-10), under
    info = look["conditional_power_for_information"]
    assert info["trend"]["effect"] == pytest.approx(z * out["se"], rel=1e-12)
    assert info["design"]["effect"] == pytest.approx(theta, rel=1e-12)
    path = tmp_path / "look.csv"
    seen.to_csv(path, index=False)
    code, text, _ = run(capsys, "analyze", "--data", str(path), "--look", "1", *FREQUENTIST)
    assert code == 0 and "(for information: no rule of this design reads it)" in text
    # with a cp rule, its own line and none for information
    cp = ["--looks", "0.5,1", "--futility", "cp:0.1", "--set", "trial.sides=1"]
    cp += ["--set", "trial.alpha=0.025"]
    look = _at_look(run, capsys, tmp_path, seen, cp, 1, [])["interim_look"]
    assert look["conditional_power"] is not None
    assert look["conditional_power_for_information"] is None


def test_a_design_with_looks_analysed_without_a_look_is_warned(run, capsys, tmp_path):
    """A DSMB review: the final data analysed with the trial's own design file but without
    ``--look`` read "significant: yes" at the fixed-sample 1.96 where the final look's
    boundary was 2.22, without a word. Now the fixed-sample test of a design with looks says
    it is not the group-sequential analysis; without looks, or under the posterior rule
    (whose threshold is labelled the final look's), nothing is said. And a look that
    continues says when the next one is planned."""
    data, looks = _trial(run, capsys, tmp_path, FREQUENTIST, 0)
    path = tmp_path / "whole.csv"
    data.to_csv(path, index=False)
    charter = tmp_path / "charter.toml"  # analyze takes looks from a design file only
    charter.write_text(
        "[trial]\nsides = 1\nalpha = 0.025\n[interim]\nlooks = [0.3333, 0.6667, 1.0]\n"
        'spending = "obf"\nfutility = "obf"\n'
    )
    posterior = tmp_path / "posterior.toml"
    posterior.write_text(
        charter.read_text().replace('futility = "obf"\n', "")
        + '[decision]\nrule = "posterior"\nprior = "vague"\n'
        "thresholds = [0.995, 0.99, 0.975]\n"
    )
    warned = "not the trial's group-sequential analysis"
    cases = ((["--design", str(charter)], True), ([], False), (["--design", str(posterior)], False))
    for options, said in cases:
        code, out, err = run(capsys, "analyze", "--data", str(path), *options, "--json")
        assert code == 0, err
        lines = [w for w in json.loads(out)["warnings"] if warned in w]
        assert bool(lines) == said, options
        if said:
            assert "--look 3 --earlier-se" in lines[0] and "plans 3 analyses" in lines[0]
    code, _, err = run(capsys, "analyze", "--data", str(path), "--design", str(charter))
    assert code == 0 and "warning: the design plans 3 analyses (interim looks): " in err
    # looks in months count as looks; by plan no earlier SE is asked for (a diff review:
    # "0 analyses, --look 0", and advice the tool then refused)
    months = tmp_path / "months.toml"
    months.write_text(charter.read_text().replace("looks = ", "look_months = [10, 22] #"))
    by_plan = tmp_path / "by_plan.toml"
    by_plan.write_text(charter.read_text() + 'information = "planned"\n')
    for design, said in ((months, "--look 2 --earlier-se with"), (by_plan, "--look 3)")):
        code, out, err = run(capsys, "analyze", "--data", str(path), "--design", str(design))
        assert code == 0 and said in err, err
    first = tmp_path / "first.csv"
    data[data.calendar_month <= looks[0]["month"]].to_csv(first, index=False)
    look = _at_look(run, capsys, tmp_path, pd.read_csv(first), FREQUENTIST, 1, [])
    nxt = look["interim_look"]["next_look"]
    assert nxt["look"] == 2 and nxt["planned_month"] == pytest.approx(looks[1]["month"])
    code, text, err = run(capsys, "analyze", "--data", str(first), "--look", "1", *FREQUENTIST)
    assert code == 0, err
    assert f"look 2 is planned at information fraction {nxt['planned_fraction']:.4g}" in text
