"""Options that replace a setting, and the posterior rule's options where a command reads
them under the frequentist rule: accepted (the refusals are in test_bad_input.py)."""

import pytest

from designs.cli.main import build_parser
from designs.cli.options import design_from_args
from designs.errors import InputError


def _design(*argv, **kwargs):
    return design_from_args(build_parser().parse_args(list(argv)), **kwargs)


@pytest.fixture(scope="module")
def hsd_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("unread") / "hsd.toml"
    path.write_text(
        "[trial]\nsides = 1\nalpha = 0.025\n[interim]\nlooks = [0.5, 1.0]\nspending = "
        '"hsd"\ngamma = -2.0\nfutility = "cp"\nfutility_cp = 0.2\nfutility_cp_under = "design"\n'
    )
    return str(path)


def test_spending_and_futility_options_replace_the_family_and_its_parameters(hsd_file):
    """``--spending obf`` on a design with hsd spending and gamma -2 is obf (gamma back to its
    default), not a refusal of a gamma the user never typed; likewise ``--futility``."""
    d = _design("power", "--design", hsd_file, "--spending", "obf", "--futility", "obf")
    assert (d.interim.spending, d.interim.gamma) == ("obf", -4.0)
    assert (d.interim.futility, d.interim.futility_cp, d.interim.futility_cp_under) == (
        "obf", 0.1, "trend",
    )  # fmt: skip
    d = _design("power", "--design", hsd_file, "--futility", "hsd:-3")
    assert (d.interim.gamma, d.interim.futility_gamma) == (-2.0, -3.0)
    # a value typed with them is still refused when the new family does not read it
    with pytest.raises(InputError, match=r"^interim\.gamma = -1: read only"):
        _design("power", "--design", hsd_file, "--spending", "obf", "--set", "interim.gamma=-1")


def test_calibrate_reads_the_posterior_options_under_the_frequentist_rule(capsys, run):
    """calibrate judges the design by the posterior rule whatever its rule: its --prior and
    --threshold are read, not refused."""
    code, out, err = run(
        capsys, "calibrate", "--prior", "sceptical", "--threshold", "0.99", "--set",
        "decision.margin=0.01", "--trials", "400", "--threads", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "P(effect > 0.01) > 0.99 under a sceptical prior" in out


class _Reached(Exception):
    """Raised where the report would start writing: the design was accepted."""


def test_report_reads_the_threshold_and_margin_with_assurance(monkeypatch, tmp_path):
    """report's prior-weight section (with assurance) judges the design by the posterior rule
    with a robust prior over a grid of weights: its threshold and margin are read under the
    frequentist rule; its prior and weight are not (the grid replaces them)."""
    import designs.outputs.report as report

    def reached(*args, **kwargs):
        raise _Reached

    monkeypatch.setattr(report, "check_report_folder", reached)
    out = str(tmp_path / "never")
    accepted = ["--threshold", "0.99", "--set", "decision.margin=0.01"]
    args = build_parser().parse_args(["report", "--out", out, *accepted])
    with pytest.raises(_Reached):
        args.handler(args)
    for argv in (["--no-assurance", *accepted], ["--prior-weight", "0.5"]):
        args = build_parser().parse_args(["report", "--out", out, *argv])
        with pytest.raises(InputError, match=r"is read only with decision\.rule = 'posterior'"):
            args.handler(args)


def test_posterior_options_at_their_defaults_or_under_the_posterior_rule_are_accepted(
    tmp_path,
):
    posterior_file = str(tmp_path / "robust.toml")
    (tmp_path / "robust.toml").write_text(
        '[decision]\nrule = "posterior"\nprior = "robust"\nprior_weight = 0.5\n'
    )
    d = _design("power", "--prior", "vague", "--prior-weight", "0", "--threshold", "0.975")
    assert not d.decision.is_posterior
    d = _design("power", "--decision", "posterior", "--prior", "sceptical", "--threshold", "0.99")
    assert (d.decision.prior, d.decision.threshold) == ("sceptical", 0.99)
    # a design file's own fields are kept under the frequentist rule (the explorer and
    # --decision frequentist switch rules and keep the prior for switching back)
    d = _design("power", "--design", posterior_file, "--decision", "frequentist")
    assert (d.decision.rule, d.decision.prior_weight) == ("frequentist", 0.5)


@pytest.mark.parametrize("field", ["effect.sd=0.3", "effect.ramp_months=3"])
def test_calibrate_refuses_the_effect_fields_its_null_trials_never_read(capsys, run, field):
    """A diff review: with the sharp null (no effect for any patient) calibrate gave the same
    threshold with effect.sd 0.3 as with 0, and took the option without a word."""
    code, out, err = run(capsys, "calibrate", "--trials", "400", "--set", field)
    assert code == 2 and out == ""
    assert f"--set {field.split('=')[0]}: calibrate simulates every trial with no effect" in err
