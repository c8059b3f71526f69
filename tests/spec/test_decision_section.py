"""The [decision] section: defaults, bounds, the rule across sections, TOML round trip."""

import re
import tomllib

import pytest

from designs.errors import InputError
from designs.spec import TrialDesign, load_design
from designs.spec.decision import Decision, DecisionRule, PriorKind


def test_defaults_keep_the_frequentist_test():
    d = load_design().decision
    assert d == Decision()
    assert d.rule is DecisionRule.FREQUENTIST and not d.is_posterior and not d.borrows
    assert (d.prior, d.prior_weight, d.threshold, d.margin) == (PriorKind.VAGUE, 0.0, 0.975, 0.0)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("decision.prior_weight", 1.5, "decision.prior_weight = 1.5: must be in [0, 1]"),
        ("decision.prior_weight", -0.1, "decision.prior_weight"),
        ("decision.threshold", 1.0, "decision.threshold = 1.0: must be in (0, 1)"),
        ("decision.threshold", 0.0, "decision.threshold"),
        ("decision.sceptical_sd", 0.0, "decision.sceptical_sd"),
        ("decision.vague_sd", -1.0, "decision.vague_sd"),
        # one message on both sides of the robust SD's range: 0, or [1e-6, 1e6] (a review)
        ("decision.robust_sd", -0.1, "robust_sd = -0.1: must be 0 (unit information) or in [1e-06"),
        ("decision.robust_sd", 2e6, "robust_sd = 2e+06: must be 0 (unit information) or in [1e-06"),
        ("decision.robust_sd", "x", "decision.robust_sd = 'x': must be a number"),
        ("decision.prior", "optimistic", "decision.prior"),
        ("decision.rule", "bayes", "decision.rule"),
    ],
)
def test_bad_values_name_the_field(key, value, words):
    with pytest.raises(InputError, match=re.escape(words)):
        load_design().with_overrides({key: value})


@pytest.mark.parametrize("analysis", ["joint_rank", "ancova_change"])
def test_posterior_rule_needs_a_slope_estimate_with_se(analysis):
    with pytest.raises(InputError, match=r"decision.rule = 'posterior'.*" + analysis):
        load_design().with_overrides({"decision.rule": "posterior", "trial.analysis": analysis})
    # The frequentist rule keeps every analysis.
    load_design().with_overrides({"trial.analysis": analysis})


def test_toml_round_trip_and_describe():
    d = load_design().with_overrides(
        {
            "decision.rule": "posterior",
            "decision.prior": "robust",
            "decision.prior_weight": 0.5,
            "decision.threshold": 0.99,
            "decision.margin": 0.05,
        }
    )
    text = d.to_toml()
    assert "[decision]" in text
    assert TrialDesign.from_dict(tomllib.loads(text)) == d
    assert "P(effect > 0.05) > 0.99 under a robust prior (weight 0.5)" in d.describe()
    assert "P(effect" not in load_design().describe()


@pytest.mark.parametrize(
    "threshold, shown",
    [
        (0.975, "0.975"),
        (0.99, "0.99"),
        (0.123456789, "0.123457"),  # six significant digits, as before
        (0.9999999999999999, "0.9999999999999999"),  # ":g" would print 1: a rule none meets
        (1e-17, "1e-17"),
        (0.99999999, "0.99999999"),
    ],
)
def test_a_threshold_never_reads_as_zero_or_one(threshold, shown):
    from designs.spec.decision import threshold_text

    assert threshold_text(threshold) == shown
    d = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.threshold": threshold}
    )
    assert f"P(effect > 0) > {shown} under" in d.describe()
