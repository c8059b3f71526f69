"""One trial at its looks (simulate.py trial with [interim]): the same trial, analysis and
decision as the group-sequential simulation at that index (review: the looks and their rule
changed nothing in `trial`'s output)."""

import pytest

from designs.analyses import results as R
from designs.planning.group_sequential import simulate_outcome
from designs.planning.trial_looks import trial_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

LOOKS = {"interim.looks": [1 / 3, 2 / 3, 1.0], "trial.sides": 1, "trial.alpha": 0.025}


@pytest.mark.parametrize("rule", ["frequentist", "posterior"])
def test_each_look_is_that_of_the_simulation_at_the_index(rule):
    design = load_design().with_overrides({**LOOKS, "decision.rule": rule, "effect.value": 0.4})
    seed, trials = 11, 6
    res, out = simulate_outcome(design, trials, seed, simulation_inputs(design).effect_shift)
    decisions = set()
    for index in range(trials):
        rows = trial_at_looks(design, seed, index)
        stop = int(out.look[index])
        for k, row in enumerate(rows):
            assert row["estimate"] == res.results[index, k, R.ESTIMATE]
            assert row["se"] == res.results[index, k, R.SE]
            assert row["entered"] == res.entered[index, k]
            if rule == "frequentist":
                assert row["z"] == pytest.approx(out.z[index, k], rel=1e-12)
            else:
                assert row["probability"] == out.probability[index, k]
            expected = (
                "continue" if k < stop else "(stopped earlier)" if k > stop else row["decision"]
            )
            assert row["decision"] == expected
        final = rows[stop]["decision"]
        assert (final == "efficacy") == bool(out.efficacy[index])
        assert (final == "futility") == bool(out.futility[index])
        decisions.add(final)
    assert "efficacy" in decisions  # the effect is large: some trials stop for it


def test_the_posterior_rule_gives_the_predictive_probability_and_no_rejection():
    """A Bayesian looks review: under the posterior rule with a futility rule, the table gave
    P(effect > margin) but not the predictive probability behind a futility stop, and the
    final look read "final: no rejection", the test's wording."""
    design = load_design().with_overrides(
        {**LOOKS, "decision.rule": "posterior", "decision.futility_predictive": 0.1}
    )
    seed, trials = 11, 30
    _, out = simulate_outcome(design, trials, seed, simulation_inputs(design).effect_shift)
    finals = set()
    for index in range(trials):
        rows = trial_at_looks(design, seed, index)
        for k, row in enumerate(rows[:-1]):
            want = out.predictive[index, k]
            assert row["predictive"] == (want if want == want else None)
        assert rows[-1]["predictive"] is None
        finals.add(rows[-1]["decision"])
    assert "final: no success" in finals and "final: no rejection" not in finals
    plain = load_design().with_overrides({**LOOKS, "decision.rule": "posterior"})
    assert "predictive" not in trial_at_looks(plain, seed, 0)[0]


def test_a_two_sided_crossing_favouring_placebo_is_a_harm():
    """A DSMB review: `trial` called a two-sided crossing with z -2.686 "efficacy", where
    `analyze --look` on the same data says a harm. Each stopping trial of a harmful effect
    (here -0.4 as a slowing: a faster decline) is named by the sign of its z."""
    design = load_design().with_overrides(
        {"interim.looks": [0.5, 1.0], "interim.spending": "obf", "effect.value": -0.4}
    )
    seed, trials = 4, 12
    _, out = simulate_outcome(design, trials, seed, simulation_inputs(design).effect_shift)
    finals = []
    for index in range(trials):
        rows = trial_at_looks(design, seed, index)
        stop = int(out.look[index])
        final = rows[stop]["decision"]
        if out.efficacy[index]:  # crossed, in either direction
            assert final == ("harm" if out.z[index, stop] < 0 else "efficacy")
        finals.append(final)
    assert "harm" in finals  # a 40% faster decline: most trials cross favouring placebo
