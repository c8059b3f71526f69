"""The [decision] options on `power` and the `calibrate` command."""

import json
import re
from types import SimpleNamespace

import pytest


def test_power_reports_the_posterior_rule(capsys, run):
    code, out, _ = run(
        capsys,
        "power",
        "--trials",
        "300",
        "--n-per-arm",
        "30",
        "--json",
        "--decision",
        "posterior",
        "--prior",
        "sceptical",
        "--threshold",
        "0.9",
    )
    assert code == 0
    row = json.loads(out)
    assert row["decision"] == "posterior" and row["power"] == row["power_favourable"]
    code, out, _ = run(capsys, "power", "--trials", "300", "--n-per-arm", "30", "--json")
    assert json.loads(out)["decision"] == "frequentist"


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--decision", "posterior", "--prior-weight", "1.5"], "decision.prior_weight"),
        (["--decision", "posterior", "--threshold", "1"], "decision.threshold"),
        (["--decision", "posterior", "--analysis", "joint_rank"], "decision.rule"),
        (["--prior", "optimistic"], "--prior"),
    ],
)
def test_bad_decision_input_exits_2_with_one_line(argv, word, capsys, run):
    code, out, err = run(capsys, "power", "--trials", "10", *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], err


def test_power_text_states_type1_under_the_posterior_rule(capsys, run):
    code, out, _ = run(
        capsys, "power", "--trials", "200", "--n-per-arm", "30", "--decision", "posterior"
    )
    assert code == 0
    assert "type I error (no effect, same seed)" in out
    code, out, _ = run(
        capsys, "power", "--trials", "200", "--n-per-arm", "30", "--json", "--decision",
        "posterior",
    )  # fmt: skip
    row = json.loads(out)
    assert 0 <= row["type1"] <= 0.1 and row["type1_mc_se"] > 0


def test_sample_size_under_the_posterior_rule(capsys, run):
    """sample-size finds n for the rule's success probability (it refused the rule before)."""
    code, out, err = run(
        capsys, "sample-size", "--trials", "200", "--sizes", "40", "120", "--target-power",
        "0.8", "--decision", "posterior", "--prior", "sceptical",
    )  # fmt: skip
    assert code == 0, err
    assert "posterior rule" in out and "sceptical prior" in out


def test_sample_size_warns_when_the_rule_is_above_its_level_at_n(capsys, run):
    """A threshold of 0.9 holds the one-sided level 0.025 nowhere (its type I error is about
    0.10): the search says so on stderr, with the rate at n, and gives it in the JSON rows."""
    argv = ("sample-size", "--trials", "300", "--sizes", "40", "120", "--target-power", "0.8",
            "--decision", "posterior", "--threshold", "0.9")  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "the posterior rule's type I error at n =" in err
    assert "above the design's one-sided level 0.025" in err
    code, out, err = run(capsys, *argv, "--json")
    row = json.loads(out)[0]
    # about 0.10 (the z test at 1.2816); 4 binomial MC SE at 300 trials are 0.07
    assert abs(row["type_i_error"] - 0.10) < 0.07 and row["mc_se_type_i_error"] > 0


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--decision", "posterior", "--prior", "robust", "--prior-weight", "0", "1.5"],
         "--prior-weight"),
        (["--prior-weight", "0", "0.5"], "--prior-weight"),
    ],
)  # fmt: skip
def test_sweep_bad_prior_weight_grid_exits_2(argv, word, capsys, run, tmp_path):
    out_file = tmp_path / "s.nc"
    code, out, err = run(capsys, "sweep", "--trials", "10", "--out", str(out_file), *argv)
    assert code == 2 and out == "" and not out_file.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], err


@pytest.mark.slow  # about 15 s: a whole report (its type I error alone is 21,112 trials)
def test_report_states_the_posterior_rule(capsys, run, tmp_path):
    """report takes the [decision] options (issue 17) and every text names the rule."""
    out_dir = tmp_path / "r"
    code, _, err = run(
        capsys, "report", "--decision", "posterior", "--prior", "sceptical", "--no-assurance",
        "--trials", "20", "--target-power", "0.8", "--out", str(out_dir),
    )  # fmt: skip
    assert code == 0, err
    rule = "P(effect > 0 points/month | data) > 0.975 with the sceptical prior"
    methods = (out_dir / "methods.md").read_text()
    assert f"a success is {rule}" in methods and "significant result" not in methods
    for name in ("operating_characteristics.md", "realism_sensitivity.md"):
        assert f"success: {rule}" in (out_dir / name).read_text(), name
    table = (out_dir / "sample_size.md").read_text()
    assert "posterior rule" in table and "sceptical prior" in table


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--decision", "posterior", "--threshold", "1.5"], "decision.threshold"),
        (["--decision", "posterior", "--prior-weight", "-0.1"], "decision.prior_weight"),
        # a robust prior that borrows needs the phase 2 posterior that --no-assurance skips
        (["--decision", "posterior", "--prior", "robust", "--prior-weight", "0.5",
          "--no-assurance"], "--no-assurance"),
    ],
)  # fmt: skip
def test_report_bad_decision_input_exits_2_and_writes_nothing(argv, word, capsys, run, tmp_path):
    out_dir = tmp_path / "r"
    code, out, err = run(capsys, "report", "--trials", "10", "--out", str(out_dir), *argv)
    assert code == 2 and out == "" and not out_dir.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], err


def test_assurance_shows_the_optimistic_and_sceptical_cases(capsys, run, tmp_path, fake_posterior):
    """assurance --decision posterior prints both analysis priors for effects drawn from phase 2."""
    path = tmp_path / "post.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    argv = ["assurance", "--posterior", str(path), "--n-per-arm", "40", "--trials", "100",
            "--decision", "posterior"]  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "(optimistic)" in out and "with the sceptical prior" in out
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    cases = json.loads(out)["posterior_rule"]
    assert set(cases) == {"optimistic", "sceptical"}
    for case in cases.values():
        assert 0 <= case["assurance"] <= 1 and case["mc_se"] > 0


def test_power_and_calibrate_with_looks_under_the_posterior_rule(capsys, run):
    """power --looks --decision posterior gives the success probability, the stopping rates
    per look and the expected size; calibrate --looks one threshold common to both looks."""
    common = ["--trials", "200", "--n-per-arm", "30", "--looks", "0.5,1", "--json"]
    code, out, _ = run(
        capsys, "power", *common, "--decision", "posterior", "--prior", "sceptical",
        "--set", "decision.futility_predictive=0.1",
    )  # fmt: skip
    assert code == 0
    s = json.loads(out)
    assert s["rule"] == "posterior" and s["thresholds"] == [0.975, 0.975]
    assert s["decision_rule"]["prior_components"] == [{"weight": 1.0, "mean": 0.0, "sd": 0.076}]
    assert s["power"] == pytest.approx(sum(s["p_stop_efficacy"]), abs=1e-12)
    assert len(s["p_stop_futility"]) == 2 and s["expected_n_total_h0"] <= 60
    calibrate = ["--trials", "400", *common[2:]]  # 10 null trials beyond the threshold
    code, out, _ = run(capsys, "calibrate", *calibrate)
    assert code == 0
    cal = json.loads(out)
    assert 0 < cal["threshold"] < 1 and cal["mc_se"] > 0 and cal["trials"] == 400
    # the design's uncalibrated threshold is not printed beside the calibrated one as the rule's
    assert "threshold" not in cal["decision_rule"] and cal["uncalibrated_threshold"] == 0.975
    # nor the looks' thresholds, which the common calibrated one replaces (a Bayesian review)
    assert "thresholds" not in cal["decision_rule"]
    code, out, _ = run(capsys, "power", *common[:-1], "--decision", "posterior")
    assert code == 0 and "posterior rule at 2 looks" in out
    # the prior written out, as for a fixed design (a review found it only in the JSON)
    assert "prior of the effect (points/month): 1.000 x N(+0.000, 10.000^2)" in out


def test_calibrate_with_a_margin_below_0_says_success_there_is_less_often(capsys, run):
    """A review: the note said "more often than 0.025" at a margin of -0.1, where the rule
    succeeds less often at the margin than with no effect; and the check command types the
    threshold rounded up (at least as strict as the calibrated one)."""
    from designs.cli.decision_commands import threshold_up

    argv = ["--trials", "400", "--threads", "1", "--n-per-arm", "30"]
    code, text, _ = run(capsys, "calibrate", *argv, "--set", "decision.margin=-0.1")
    assert code == 0
    assert "with a true effect of -0.1 points/month it succeeds less often" in text
    code, out, _ = run(capsys, "calibrate", *argv, "--set", "decision.margin=-0.1", "--json")
    assert code == 0
    # the protocol's threshold, the upper end of the interval (a Bayesian review: the point
    # threshold's check on fresh trials was flagged ABOVE half the time)
    upper = json.loads(out)["ci95"][1]
    assert f"--threshold {threshold_up(upper)} --seed" in text
    assert f"--threshold {threshold_up(json.loads(out)['threshold'])} --seed" not in text


def test_calibrate_warns_of_a_threshold_below_one_half_and_names_the_protocols_choice(capsys, run):
    """A regulatory statistician's review: margins of 0.2-0.6 points/month calibrated to
    thresholds of 0.088 down to 3e-16 with a note only; --target 0.6 was taken; and the
    threshold, an estimate, was printed as if it held the level exactly."""
    argv = ["--trials", "400", "--threads", "1", "--n-per-arm", "30"]
    code, text, err = run(capsys, "calibrate", *argv)
    assert code == 0 and "warning: the calibrated threshold" not in err
    upper = re.search(r"95% MC interval \S+-(\S+)\)", text).group(1)
    assert f"for a protocol, the upper end of its interval, {upper}, holds" in text
    code, out, err = run(capsys, "calibrate", *argv, "--set", "decision.margin=0.4", "--json")
    assert code == 0 and json.loads(out)["threshold"] < 0.5
    assert "warning: the calibrated threshold" in err and "is below 0.5" in err
    assert "lower the margin or raise n" in err
    code, out, err = run(capsys, "calibrate", *argv, "--target", "0.6")
    assert code == 2 and out == ""
    assert err.strip() == "error: --target 0.6: a type I error; must be in (0, 0.5)"


@pytest.mark.parametrize(
    ("threshold", "typed"),
    [
        (0.9943664, "0.994367"),  # rounded up, not to the nearest (0.994366)
        (0.994366, "0.994366"),
        (1.20452e-10, "0.000000000120452"),  # not 0.000000, which power refuses
        (0.9999996, "0.9999996"),  # not 1.000000
        (0.5, "0.5"),
    ],
)
def test_a_typed_threshold_is_rounded_up_and_stays_inside_0_1(threshold, typed):
    from designs.cli.decision_commands import threshold_up

    assert threshold_up(threshold) == typed
    assert threshold <= float(typed) < 1.0


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--set", "decision.thresholds=[0.99]"], "decision.thresholds"),
        (["--set", "decision.thresholds=[0.99,1.2]"], "decision.thresholds"),
        (["--set", "decision.futility_predictive=1"], "decision.futility_predictive"),
        (["--futility", "obf"], "interim.futility"),
    ],
)
def test_bad_posterior_looks_input_exits_2_with_one_line(argv, word, capsys, run):
    code, out, err = run(
        capsys, "power", "--trials", "10", "--looks", "0.5", "1", "--decision", "posterior",
        "--set", "trial.sides=1", *argv,
    )  # fmt: skip
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], err


def test_sample_size_with_looks_under_the_posterior_rule(tmp_path, capsys, run):
    """sample-size --looks --decision posterior: n max, expected n under effect and no
    effect, the type I error at n max and the thresholds (said not re-calibrated per n)."""
    table = tmp_path / "n.md"
    argv = ("sample-size", "--looks", "0.5,1", "--decision", "posterior", "--trials", "20")
    argv += ("--sizes", "60,240", "--target-power", "0.8", "--seed", "5")
    argv += ("--set", "trial.sides=1", "--set", "decision.futility_predictive=0.1")
    code, out, _ = run(capsys, *argv, "--json", "--out", str(table))
    assert code == 0
    (row,) = json.loads(out)
    assert row["rule"] == "posterior" and row["thresholds"] == [0.975, 0.975]
    assert row["thresholds_recalibrated"] is False and row["futility_predictive"] == 0.1
    for key in ("n_max", "expected_n_total_h0", "type_i_error", "mc_se_type_i_error"):
        assert isinstance(row[key], (int, float)), key
    assert row["expected_n_total_h1"] <= row["n_total_max"]
    text = table.read_text()
    # a success under the posterior rule, not a rejection (looks review)
    assert text.startswith("| target success probability | n max per arm |")
    assert "| success probability |" in text.splitlines()[0]
    assert "NOT re-calibrated" in text and f"| {row['n_max']} |" in text
    # the type I error is judged against the one-sided level (it once said "level 0.05",
    # then "0.05 (alpha 0.05 one-sided / sides: ...", garbled), with its MC SE beside it;
    # the notes say the figures at n max are on the search's own trials (a Bayesian review)
    assert "to compare with the one-sided level 0.05. The thresholds" in text
    from designs.outputs.numbers import se_text
    from designs.outputs.rates import bound_cell
    from designs.outputs.sample_size_gs_table import _one_sided_level

    # (a rate of 0 gives its one-sided bound instead of an SE of 0: a docs review)
    se_cell = (
        bound_cell(0.0, row["counted_h0"] or row["trials"])
        if row["type_i_error"] == 0.0
        else se_text(row["mc_se_type_i_error"])
    )
    assert f"| {row['type_i_error']:.4f} | {se_cell} |" in text
    assert "on the search's own trials (its seed), not on fresh ones" in text
    two_sided = SimpleNamespace(alpha=0.05, sides=2)
    assert _one_sided_level(two_sided).startswith("0.025 (alpha 0.05 two-sided, halved:")


def test_thresholds_and_futility_flags_set_the_decision_fields(capsys, run, result_of):
    """--thresholds and --futility-predictive give the same run as --set on the fields."""
    common = ["power", "--trials", "20", "--n-per-arm", "30", "--looks", "0.5,1", "--json"]
    common += ["--decision", "posterior", "--seed", "9"]
    code, out, _ = run(
        capsys, *common, "--thresholds", "0.995", "0.98", "--futility-predictive", "0.2"
    )
    assert code == 0
    flags = json.loads(out)
    assert flags["thresholds"] == [0.995, 0.98] and flags["futility_predictive"] == 0.2
    code, out, _ = run(
        capsys, *common, "--set", "decision.thresholds=[0.995,0.98]",
        "--set", "decision.futility_predictive=0.2",
    )  # fmt: skip
    assert code == 0 and result_of(out) == result_of(flags)


@pytest.mark.parametrize(
    ("command", "argv", "word"),
    [
        ("power", ["--thresholds", "0.99,1.2"], "--thresholds"),
        ("power", ["--thresholds", "0.99,x"], "--thresholds"),
        ("power", ["--thresholds", "0.99"], "decision.thresholds"),
        ("sample-size", ["--futility-predictive", "1"], "--futility-predictive"),
        ("calibrate", ["--futility-predictive", "-0.1"], "--futility-predictive"),
        ("calibrate", ["--thresholds", "0.99,0.98"], "--thresholds: calibrate finds one"),
        # alpha spending is the frequentist rule's: both were once silently ignored
        ("power", ["--spending", "obf"], "--spending"),
        ("sample-size", ["--spending", "hsd:-4"], "interim.spending"),
    ],
)
def test_bad_look_decision_flags_exit_2_with_one_line(command, argv, word, capsys, run):
    code, out, err = run(
        capsys, command, "--trials", "10", "--looks", "0.5,1", "--decision", "posterior", *argv
    )
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], err


def test_the_posterior_rules_prior_and_threshold_are_in_every_output(capsys, run):
    """A review: no JSON output said which prior or threshold its numbers came from, and no
    output gave the phase 2 mixture a protocol must pre-specify. power, sample-size and
    calibrate now carry ``decision_rule`` (threshold, margin, prior, weight, transport, the
    prior's normal components) and print the prior's components."""
    rule = ["--decision", "posterior", "--prior", "sceptical", "--threshold", "0.99"]
    code, out, err = run(capsys, "power", *rule, "--trials", "40", "--n-per-arm", "30", "--json")
    assert code == 0, err
    got = json.loads(out)["decision_rule"]
    assert (got["threshold"], got["margin"], got["prior"]) == (0.99, 0.0, "sceptical")
    assert got["prior_components"] == [{"weight": 1.0, "mean": 0.0, "sd": 0.076}]
    argv = ["sample-size", *rule, "--trials", "60", "--sizes", "30,60,90", "--json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["decision"] == "posterior" and rows[0]["decision_rule"]["threshold"] == 0.99
    code, out, err = run(capsys, "power", *rule, "--trials", "40", "--n-per-arm", "30")
    assert code == 0, err
    assert "prior of the effect (points/month): 1.000 x N(+0.000, 0.076^2)" in out
    code, out, err = run(capsys, "sample-size", "--trials", "60", "--sizes", "30,60", "--json")
    assert code == 0, err
    assert "decision_rule" not in json.loads(out)[0]  # the frequentist rule: alpha and sides


def test_power_says_when_its_null_trials_cannot_show_the_level(capsys, run):
    """A review: ``type I error 0.0000 (MC SE 0.0000)`` from 100 null trials read as a rule
    that holds the level, while 100 trials cannot show a rate below 0.025 (119 can, 624 also
    give an MC SE at the level of a quarter of it). The
    threshold 0.99999 makes a null success (a posterior above it) rare enough that none of
    the 100 null trials succeed."""
    args = ["--n-per-arm", "20", "--decision", "posterior", "--threshold", "0.99999"]
    code, out, _ = run(capsys, "power", "--trials", "100", *args)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("posterior rule:"))
    assert "0.0000 (none of 100 trials; one-sided 95% upper bound 0.0296)" in line
    assert "100 trials cannot show that it holds the level (about 624 or more can)" in line
    code, out, _ = run(capsys, "power", "--trials", "119", *args)
    line = next(x for x in out.splitlines() if x.startswith("posterior rule:"))
    assert "none of 119 trials" in line and "cannot show" not in line


def test_power_at_looks_warns_when_its_null_trials_cannot_show_the_level(capsys, run):
    """A diff review: `power --looks` under the posterior rule printed the bound of a type I
    error of 0 from 50 null trials without the warning the other commands give."""
    args = ["power", "--looks", "0.5,1", "--decision", "posterior", "--threshold", "0.99999"]
    code, _, err = run(capsys, *args, "--trials", "50", "--n-per-arm", "30")
    assert code == 0
    assert "type I error 0.0000 (none of 50 trials; one-sided 95% upper bound 0.0582)" in err
    assert "too few null trials to show that it holds the one-sided level 0.025" in err


def test_a_robust_prior_of_weight_0_and_a_harm_are_said(capsys, run):
    """An explorer review: "robust prior (weight 0)" borrowed nothing without a word, and a
    harmful effect's headline power (0.580, significance either way) read as a success."""
    common = ["power", "--trials", "100", "--n-per-arm", "30"]
    code, out, _ = run(capsys, *common, "--decision", "posterior", "--prior", "robust")
    assert code == 0 and "the robust prior with weight 0 borrows nothing" in out
    code, out, _ = run(capsys, *common, "--effect", "-0.25")
    assert code == 0 and "is a harm, faster decline on active" in out
    code, out, _ = run(capsys, *common)
    assert "is a harm" not in out and "weight 0 borrows" not in out
    # an own-design review: one-sided, a harm printed power 0.000 without a word
    one_sided = ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    code, out, _ = run(capsys, *common, *one_sided, "--effect", "-0.25")
    assert code == 0 and "the one-sided test looks for a benefit only" in out
    assert "below alpha 0.025" in out
    # a mean of 0 with a spread is not the sharp null: the text says so, as the JSON's
    # type_i_error (null) does (a diff review)
    code, out, _ = run(capsys, *common, "--effect", "0", "--set", "effect.sd=0.2")
    assert code == 0 and "this power is not the type I error" in out
    assert "this power is the type I error" not in out


def test_the_latex_table_carries_the_caution_of_a_type_i_error_above_the_level(capsys, run):
    """A diff review: the README and sample_size.md warned of a posterior rule above its
    level at n; sample_size.tex, which the README says to paste first, did not."""
    argv = ["sample-size", "--decision", "posterior", "--threshold", "0.8", "--sizes", "40"]
    code, out, err = run(capsys, *argv, "80", "160", "--trials", "300", "--format", "latex")
    assert code == 0, err
    assert "CAUTION: target 0.8: the posterior rule's type I error at n =" in out
    assert "above the design's one-sided level 0.025 by more than 2 MC SE" in out
    default = ["sample-size", "--decision", "posterior", "--sizes", "40", "80", "160"]
    code, out, err = run(capsys, *default, "--trials", "300", "--format", "latex")
    assert code == 0 and "CAUTION" not in out  # the rule at its default 0.975: within level
