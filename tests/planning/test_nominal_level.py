"""The level a simulated type I error is judged against (review finding: the report judged
the posterior rule's one-sided success rate against the two-sided alpha and called a
correctly calibrated rule 'conservative')."""

from designs.outputs.operating_tables import calibration_flag
from designs.planning.operating import nominal_type_i_error, type_i_trials
from designs.spec import load_design


def test_the_test_is_judged_at_alpha_and_the_posterior_rule_at_alpha_over_sides():
    test = load_design()  # alpha 0.05, two-sided
    rule = test.with_overrides({"decision.rule": "posterior"})
    assert (test.trial.alpha, test.trial.sides) == (0.05, 2)
    assert nominal_type_i_error(test) == 0.05
    assert nominal_type_i_error(rule) == 0.025
    # a vague-prior rule at 0.975 rejects like a one-sided 0.025 Wald test: about 0.025
    trials = type_i_trials(nominal_type_i_error(rule), 2000)
    assert trials == 10834  # 0.025 * 0.975 / 0.0015^2, rounded up
    assert calibration_flag(0.025, nominal_type_i_error(rule), trials) == ""
    assert "conservative" in calibration_flag(0.025, test.trial.alpha, trials)
