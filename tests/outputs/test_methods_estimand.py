"""The methods text's estimand: the variable of the analysis, and how the compared analyses
treat loss to follow-up and death (a review found both wrong)."""

from designs.analyses import registry
from designs.outputs.methods import _compared_strategies
from designs.spec import load_design
from designs.spec.estimand import estimand_lines


def test_the_joint_rank_variable_is_survival_and_change():
    d = load_design("default")
    lines = dict(estimand_lines(d, "joint_rank"))
    assert lines["variable"].startswith("survival over 12 months and the change in ALSFRS-R")
    assert dict(estimand_lines(d))["variable"].startswith("ALSFRS-R total score (0-48 points)")


def test_the_compared_analyses_strategies_are_written_out():
    d = load_design("default")
    text = _compared_strategies(d, "lmm_slope")
    assert "realism_sensitivity" not in text
    for name in ("ols_slope_ttest", "ancova_change", "joint_rank", "lmm_slope_kr"):
        a = registry.get(name)
        assert f"{name}: {a.dropout_strategy.split(':')[0]} and " in text
    assert "ols_slope_ttest: while observed and while alive" in text
    assert "slope_change_lead_in" not in text  # no lead-in in the default design
    assert "lmm_slope:" not in text  # the primary is not among the others


def test_an_exit_month_is_written_after_the_last_visit():
    """A review: a death at month 2.00003 was written "2.0000" beside its visit at month 2."""
    from designs.outputs.trial_csv import exit_month_text

    assert exit_month_text(2.00003) == "2.000030"
    assert float(exit_month_text(2.0000001)) > 2.0
    assert exit_month_text(5.5) == "5.500000"


def test_the_variable_of_ancova_change_and_of_the_lead_in_analysis():
    lines = dict(estimand_lines(load_design("default"), "ancova_change"))
    assert lines["variable"].startswith("change in ALSFRS-R total score")
    assert lines["variable"].endswith("to the last scheduled visit at month 12")
    lead = dict(estimand_lines(load_design("lead_in"), "slope_change_lead_in"))
    assert "at the lead-in visits over the 3 months before randomisation and" in lead["variable"]
