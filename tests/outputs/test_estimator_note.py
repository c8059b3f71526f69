"""Every output says when a power was estimated with the control variate, and only then."""

from __future__ import annotations

from designs.outputs.console import power_text
from designs.outputs.methods import search_text
from designs.outputs.rates import estimator_note
from designs.outputs.tables import sample_size_table
from designs.planning.power import power
from designs.planning.sample_size import find_sample_size
from designs.spec import load_design


def test_power_says_control_variate_with_its_variance_ratio():
    design = load_design(None).with_overrides({"trial.n_per_arm": 30})
    s = power(design, 500, 3)["lmm_slope"]
    assert s.estimator == "control variate" and s.variance_ratio > 1
    text = power_text(design, [s])
    assert f"{s.variance_ratio:.1f} times smaller" in text
    # cited by its source, not by a file of this project a protocol's reader has not got
    # (a paste-ready review: "(docs/conventions.md#power)" in the tables to paste)
    assert "(Glasserman 2004, section 4.1)" in text and "docs/" not in text
    assert "control variate" in s.to_dict()["estimator"]


def test_plain_runs_say_nothing():
    """Fewer than 500 trials, or informative dropout: the plain share, no sentence."""
    design = load_design(None).with_overrides({"trial.n_per_arm": 30})
    few = power(design, 499, 3)["lmm_slope"]
    informative = design.with_overrides({"dropout.informative": 1.0})
    leaving = power(informative, 500, 3)["lmm_slope"]
    for d, s in ((design, few), (informative, leaving)):
        assert s.estimator == "plain"
        assert "control variate" not in power_text(d, [s])
    assert estimator_note("plain") == ""


def test_the_search_table_and_methods_name_the_estimator():
    design = load_design(None)
    controlled = find_sample_size(design, (0.8,), 500, 4, sizes=[150, 180, 210])
    plain = find_sample_size(design, (0.8,), 200, 4, sizes=[150, 180, 210])
    assert controlled.curve.estimator == "control variate"
    assert plain.curve.estimator == "plain"
    assert "control variate" in sample_size_table(controlled, design, "md")
    assert "control variate" not in sample_size_table(plain, design, "md")
    assert "control variate" in search_text(controlled)
    assert "control variate" not in search_text(plain)


def test_a_search_whose_second_stage_alone_took_the_control_says_so():
    """200 trials per size (plain) then 500 near each n (the control): the table, the
    methods text and the estimator the figure reads all name the control variate (the table
    and methods read the first stage only, and said nothing)."""
    from designs.outputs.rates import search_estimator

    design = load_design(None)
    result = find_sample_size(design, (0.8,), 200, 4, refine_trials=500)
    assert result.curve.estimator == "plain"
    assert result.stages.near.estimator == "control variate"
    assert search_estimator(result) == "control variate"
    assert "control variate" in sample_size_table(result, design, "md")
    assert "control variate" in search_text(result)


def test_operating_notes_name_the_rate_the_control_estimated():
    """A pipeline author's review: with 200 trials per point the power is the plain share
    while the type I error's 21,112 null trials take the control; the notes said "Power with
    a control variate" beside a JSON whose power estimator is plain."""
    from designs.outputs.operating_tables import operating_notes

    design = load_design(None)
    oc = {"analysis": "lmm_slope", "trials": 200, "seed": 6, "failed_fits": 0}
    cases = {
        ("plain", "control variate"): "The type I error with a control variate:",
        ("control variate", "control variate"): "Power and the type I error with a control",
        ("control variate", "plain"): "Power with a control variate:",
    }
    for (power_estimator, type_i_estimator), opening in cases.items():
        notes = operating_notes(
            {**oc, "estimator": power_estimator, "type_i_error_estimator": type_i_estimator},
            design,
        )
        assert sum(n.startswith(opening) for n in notes) == 1, notes
    plain = {**oc, "estimator": "plain", "type_i_error_estimator": "plain"}
    assert not any("control variate" in n for n in operating_notes(plain, design))


def test_the_notes_say_why_the_type_i_error_has_its_odd_count_of_trials():
    """A protocol writer's review: 21,112 and 10,834 null trials were never explained."""
    from designs.outputs.operating_tables import operating_notes
    from designs.planning.operating import operating_characteristics

    design = load_design(None)
    oc = operating_characteristics(design, 30, 100, 3)
    (first, *_) = operating_notes(oc, design)
    assert f"the type I error on {oc['type_i_error_trials']:,} trials under no effect" in first
    assert "Monte Carlo SE of 0.0015 at its nominal rate" in first
    assert oc["type_i_error_trials"] == 21_112  # 0.05 x 0.95 / 0.0015^2, rounded up


def test_each_analysis_has_its_own_variance_ratio():
    """A multiplicity review: with five analyses the line said "4.1 times smaller", the
    first analysis's ratio, where the others' were 1.0-1.2."""
    from designs.outputs.rates import estimator_note

    each = [("lmm_slope", 4.07), ("ols_slope_ttest", 1.04), ("joint_rank", float("nan"))]
    text = estimator_note("control variate", 4.07, "Power", each)
    assert (
        "a Monte Carlo variance smaller by a factor of 4.1 (lmm_slope), 1.0 (ols_slope_ttest)"
        in text
    )
    assert "joint_rank" not in text and "4.1 times smaller" not in text
    alone = estimator_note("control variate", 4.07, "Power", each[:1])
    assert "a Monte Carlo variance 4.1 times smaller" in alone
