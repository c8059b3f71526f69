"""`simulate.py calibrate`: the posterior rule's threshold from null trials."""

import json


def test_calibrate_json_and_robust_prior(tmp_path, fake_posterior, capsys, run):
    path = tmp_path / "posterior.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    args = ["calibrate", "--trials", "400", "--n-per-arm", "30", "--json"]
    code, out, _ = run(
        capsys, *args, "--prior", "robust", "--prior-weight", "1", "--posterior", str(path)
    )
    assert code == 0
    cal = json.loads(out)
    assert 0 < cal["threshold"] < 1 and cal["mc_se"] > 0
    assert cal["prior"] == "robust" and cal["prior_weight"] == 1.0
    assert cal["type1_calibrated"] <= cal["target"] == 0.025
    # the size, level and protocol threshold the text gives (a pipeline author's review)
    assert (cal["n_placebo"], cal["n_active"], cal["alpha"], cal["sides"]) == (30, 30, 0.05, 2)
    assert cal["ci95"][1] <= cal["protocol_threshold"] < cal["ci95"][1] + 1e-6
    code, text, _ = run(
        capsys, *args[:-1], "--prior", "robust", "--prior-weight", "1", "--posterior", str(path)
    )
    flat = text.replace("\n", " ")
    assert f"--threshold {cal['protocol_threshold']:g}" in flat
    # the note and the interval give the same rounded-up upper end (a diff review)
    assert f"upper end of its interval, {cal['protocol_threshold']:g}," in flat
    assert f"-{cal['protocol_threshold']:g}) for type I error" in flat
    code, _, err = run(capsys, *args, "--target", "1.5")
    assert code == 2 and "--target" in err


def test_calibrate_with_a_margin_says_the_null_is_no_effect(capsys, run):
    """Review finding: with decision.margin > 0 the calibration holds the type I error with no
    effect, not at the margin (at a true effect equal to the margin the calibrated rule
    succeeded in 12% of trials), and the output read like a test of effect <= margin. It now
    says so; without a margin it says nothing."""
    args = ["calibrate", "--trials", "400", "--n-per-arm", "30"]
    code, out, err = run(capsys, *args, "--set", "decision.margin=0.05")
    assert code == 0, err
    assert "success rate with no effect (effect 0), not at the margin" in out
    assert "true effect of 0.05 points/month" in out
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "not at the margin" not in out


def test_calibrating_looks_says_the_futility_rule_is_ignored(capsys, run):
    """A Bayesian review: with --futility-predictive the header named the futility rule and
    the calibration never said it was left out (non-binding: rightly so)."""
    argv = ["calibrate", "--looks", "0.5,1", "--decision", "posterior", "--trials", "400"]
    code, out, err = run(capsys, *argv, "--n-per-arm", "30", "--futility-predictive", "0.3")
    assert code == 0, err
    assert "the futility rule (non-binding) ignored" in out
    code, out, err = run(capsys, *argv, "--n-per-arm", "30")
    assert code == 0 and "futility rule (non-binding) ignored" not in out


def test_calibrate_takes_the_futility_rule_without_decision_posterior(capsys, run):
    """A docs review: bayesian_looks.md says calibrate takes --futility-predictive, and it
    takes --prior and --threshold without --decision posterior (it calibrates that rule), but
    --futility-predictive alone was refused as belonging to the posterior rule."""
    argv = ["calibrate", "--looks", "0.5,1", "--trials", "400", "--n-per-arm", "30"]
    code, out, err = run(capsys, *argv, "--futility-predictive", "0.3")
    assert code == 0, err
    assert "the futility rule (non-binding) ignored" in out
    code, again, err = run(capsys, *argv, "--futility-predictive", "0.3", "--decision", "posterior")
    assert code == 0 and again == out
    code, _, err = run(capsys, *argv, "--decision", "frequentist")
    assert code == 2 and "calibrate finds the threshold of the posterior rule" in err
