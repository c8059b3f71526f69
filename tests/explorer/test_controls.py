"""The page's controls become a library design, and the commands it offers rebuild that
design exactly (no browser: the browser tests check the same through the page)."""

from __future__ import annotations

import json
import math
import tomllib

import pytest

from designs.errors import InputError
from designs.explorer import command
from designs.explorer.controls import base_values, design_from_values
from designs.spec import load_design


def _with(base, **changes):
    return {**base_values(base), **changes}


def test_controls_left_alone_are_the_design_itself(base):
    design, errors = design_from_values(base, base_values(base))
    assert errors == {}
    assert design is base
    assert command.set_options(base, design) == []


def test_each_control_sets_its_field_in_its_units(base):
    values = _with(base, n=60, effect=35, dropout12=20, duration=9, informative=1.5, death=1)
    design, errors = design_from_values(base, values)
    assert errors == {}
    assert design.trial.n_per_arm == 60
    assert design.effect.value == 0.35  # 35% slowing
    assert design.trial.visits_months[-1] == 9
    # the sweep's rule: a constant MCAR hazard that loses 20% by month 12
    assert design.dropout.cumulative == ()
    assert math.isclose(-math.expm1(-12 * design.dropout.monthly_hazard), 0.20, rel_tol=1e-12)
    assert design.dropout.informative == 1.5
    assert design.dropout.death_monthly_hazard == 0.01


def test_a_shorter_follow_up_keeps_the_published_attrition_at_its_visits(base):
    design, errors = design_from_values(base, _with(base, duration=9))
    assert errors == {}
    assert design.trial.visits_months == base.trial.visits_months[:10]
    assert design.dropout.cumulative == pytest.approx(base.dropout.cumulative[:10], abs=1e-12)


def test_total_size_with_unequal_allocation(base):
    design, errors = design_from_values(base, _with(base, n=150, size_mode="total", allocation=2))
    assert errors == {}
    assert (design.trial.n_placebo, design.trial.n_active) == (50, 100)


@pytest.mark.parametrize(
    ("control", "value", "field", "library_value"),
    [
        ("n", 1, "trial.n_per_arm", 1),
        ("alpha", 1.5, "trial.alpha", 1.5),
        ("informative", 25, "dropout.informative", 25.0),  # deaths: test_page_guards
        ("effect", None, "effect.value", math.nan),  # an empty box
    ],
)
def test_a_bad_value_gets_the_librarys_message_beside_its_control(
    base, control, value, field, library_value
):
    with pytest.raises(InputError) as library:
        base.with_overrides({field: library_value})
    design, errors = design_from_values(base, _with(base, **{control: value}))
    assert design is None
    assert errors == {control: str(library.value)}


def test_bad_seed_and_trials_are_refused(base):
    design, errors = design_from_values(base, _with(base, seed=-1, trials=5))
    assert design is None
    assert set(errors) == {"seed", "trials"}
    assert errors["seed"].startswith("seed = -1: must be")


@pytest.mark.parametrize(
    "changes",
    [
        {"n": 60, "effect": 35},
        {"duration": 9, "interval": 3},
        {"dropout12": 20, "duration": 18},
        {"n": 150, "size_mode": "total", "allocation": 2},
        {"effect_kind": "slope_difference", "effect": 0.2, "sides": "1", "alpha": 0.025},
        {"lead_in": 3, "delta_fs_min": 0.3},
        {"looks": "0.5, 1", "spending": "hsd", "gamma": -3},
        {"looks": "0.3 0.7 1", "sides": "1", "alpha": 0.025, "futility": "obf"},
        {"accrual": 20, "n": 80},  # an explorer review: no accrual control
        {"rule": "posterior", "prior": "robust", "prior_weight": 0.5},  # nor a weight
    ],
)
def test_the_commands_rebuild_the_pages_design(base, changes):
    design, errors = design_from_values(base, _with(base, **changes))
    assert errors == {}
    options = command.set_options(base, design)  # raises if they would not rebuild it
    sets = dict(options[i + 1].split("=", 1) for i in range(0, len(options), 2))
    assert all(options[i] == "--set" for i in range(0, len(options), 2))
    # the command line parses each value as TOML and applies them in this order
    from designs.cli.options import parse_set

    rebuilt = base.with_overrides(parse_set([f"{k}={v}" for k, v in sets.items()]))
    assert rebuilt.to_dict() == design.to_dict()


def test_the_looks_control_sets_the_interim_section(base):
    design, errors = design_from_values(
        base, _with(base, looks="0.4, 1", spending="hsd", gamma=-2, futility="none")
    )
    assert errors == {}
    assert design.interim.looks == (0.4, 1.0)
    assert (design.interim.spending.value, design.interim.gamma) == ("hsd", -2.0)
    # the power command gives the looks and one analysis (the command line takes one)
    args = command.power_args("default", base, design, seed=1, trials=50, analyses=["a", "b"])
    assert "interim.looks=[0.4, 1.0]" in args and args[-2:] == ["--analysis", "lmm_slope"]


@pytest.mark.parametrize("primary", ["ancova_change", "ols_slope_ttest", "lmm_slope"])
def test_the_power_command_runs_with_another_primary_analysis(base, primary, capsys):
    """A review: with another primary analysis chosen, the page's power command gave both
    --set trial.analysis and --analysis, which the command line refuses (exit 2)."""
    design, errors = design_from_values(base, _with(base, analysis=primary, n=20))
    assert errors == {} and str(design.trial.analysis) == primary
    analyses = ["lmm_slope", "ancova_change"]
    args = command.power_args("default", base, design, seed=1, trials=20, analyses=analyses)
    assert not [a for a in args if a.startswith("trial.analysis=")]
    assert args[args.index("--analysis") + 1] == primary  # it sets trial.analysis
    import simulate

    code = simulate.main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)[0]["analysis"] == primary


@pytest.mark.parametrize(
    ("changes", "control", "fields"),
    [
        ({"looks": "0.5, 1", "lead_in": 3}, "looks", {"trial.lead_in_months": 3.0}),
        ({"looks": "0.5, 1", "futility": "obf"}, "futility", {"interim.futility": "obf"}),
        ({"looks": "1, 0.5"}, "looks", {}),
    ],
)
def test_a_combination_the_library_refuses_gets_its_message_beside_the_control(
    base, changes, control, fields
):
    looks = [float(x) for x in changes["looks"].split(",")]
    with pytest.raises(InputError) as library:
        base.with_overrides({**fields, "interim.looks": looks})
    design, errors = design_from_values(base, _with(base, **changes))
    assert design is None
    assert errors == {control: str(library.value)}


def test_the_cp_threshold_control_sets_the_futility_rule(base):
    """A later note: the page had no control for the conditional-power threshold (0.1 always).
    It sets ``interim.futility_cp``; outside cp futility it is refused beside its own box, and
    a value outside (0, 1) gets the library's range."""
    looks = {"looks": "0.5, 1", "sides": "1", "futility": "cp"}
    design, errors = design_from_values(base, _with(base, **looks, futility_cp=0.25))
    assert errors == {} and design.interim.futility_cp == 0.25
    design, errors = design_from_values(base, _with(base, **looks, futility_cp=1.5))
    assert design is None and errors["futility_cp"].startswith("interim.futility_cp = 1.5")
    design, errors = design_from_values(base, _with(base, looks="0.5, 1", futility_cp=0.25))
    assert design is None
    assert errors["futility_cp"].startswith("interim.futility_cp = 0.25: read only with")


def test_a_gamma_the_spending_does_not_read_gets_the_librarys_message(base):
    """A gamma with obf spending (or a futility gamma without hsd futility) would be ignored:
    the library's refusal, beside the gamma control; with hsd it is the design's."""
    for key, setting in (("gamma", "spending"), ("futility_gamma", "futility")):
        design, errors = design_from_values(base, _with(base, looks="0.5, 1", **{key: -3}))
        assert design is None
        assert errors[key].startswith(f"interim.{key} = -3: read only with interim.{setting}")
    design, errors = design_from_values(
        base, _with(base, looks="0.5, 1", sides="1", futility="hsd", futility_gamma=-3)
    )
    assert errors == {} and design.interim.futility_gamma == -3.0


@pytest.mark.parametrize(
    ("start", "control", "new"),
    [
        ({"interim.spending": "hsd", "interim.gamma": -2.0}, "spending", "obf"),
        ({"interim.spending": "user", "interim.user_spending": [0.3, 1.0]}, "spending", "obf"),
        ({"interim.futility": "hsd", "interim.futility_gamma": -3.0}, "futility", "obf"),
        ({"interim.futility": "obf", "interim.futility_beta": 0.15}, "futility", "none"),
    ],
)
def test_a_new_family_replaces_the_old_ones_parameters(base, start, control, new):
    """Review finding: on a design whose spending or futility family had parameters of its
    own (an upload), choosing another family was refused for a parameter the page had not
    touched (user_spending and futility_beta are not even controls). The page now does what
    --spending and --futility do: the new family's unread fields go back to their defaults."""
    looks = {"interim.looks": [0.5, 1.0], "trial.sides": 1}
    uploaded = base.with_overrides({**looks, **start})
    design, errors = design_from_values(uploaded, _with(uploaded, **{control: new}))
    assert errors == {}, errors
    assert getattr(design.interim, control).value == new
    for field in start:
        name = field.split(".")[1]
        if name != control:
            assert getattr(design.interim, name) == getattr(base.interim, name)


def test_looks_with_the_posterior_rule_give_the_design_the_library_judges(base):
    """The posterior rule at looks is a design the page simulates (as ``power --looks
    --decision posterior``), not a refusal."""
    expected = base.with_overrides({"decision.rule": "posterior", "interim.looks": [0.5, 1.0]})
    design, errors = design_from_values(base, _with(base, looks="0.5, 1", rule="posterior"))
    assert errors == {}
    assert design.to_dict() == expected.to_dict()


def test_looks_given_in_months_or_completed_show_and_change_as_given(base):
    """An uploaded design with looks in calendar months shows them as ``months 30, 80`` (not
    an empty box while the page simulates looks); emptying the box removes them; fractions
    or ``completed ...`` replace them; a library message names the looks control."""
    months = base.with_overrides({"interim.look_months": [30.0, 80.0], "trial.sides": 1})
    values = base_values(months)
    assert values["looks"] == "months 30, 80"
    design, errors = design_from_values(months, values)
    assert errors == {} and design.interim.look_months == (30.0, 80.0)
    design, errors = design_from_values(months, {**values, "looks": ""})
    assert errors == {} and not design.interim.sequential
    design, errors = design_from_values(months, {**values, "looks": "completed 0.5, 1"})
    assert design.interim.looks_as == "look_completed" and design.interim.look_months == ()
    design, errors = design_from_values(months, {**values, "looks": "months 10"})
    assert design is None and errors["looks"].startswith("interim.look_months = [10]")


def test_the_posterior_rules_futility_is_a_control(base):
    """With the posterior rule and looks the futility control sets
    ``decision.futility_predictive`` (moved together with the rule and the looks); under the
    posterior rule on a design without looks it gets the library's line beside it; under
    the test it is hidden and sets nothing."""
    fields = {"decision.rule": "posterior", "interim.looks": [0.5, 1.0]}
    expected = base.with_overrides({**fields, "decision.futility_predictive": 0.2})
    values = _with(base, looks="0.5, 1", rule="posterior", futility_predictive=0.2)
    design, errors = design_from_values(base, values)
    assert errors == {} and design.to_dict() == expected.to_dict()
    assert "decision.futility_predictive=0.2" in command.set_options(base, design)
    with pytest.raises(InputError) as library:
        base.with_overrides({"decision.rule": "posterior", "decision.futility_predictive": 0.2})
    values = _with(base, rule="posterior", futility_predictive=0.2)
    design, errors = design_from_values(base, values)
    assert design is None and errors == {"futility_predictive": str(library.value)}


@pytest.mark.parametrize(
    ("changes", "control", "start"),
    [
        ({"duration": 1e9}, "duration", "follow-up = 1e+09 months: must be in [1, 120] months"),
        ({"duration": 0.5}, "duration", "follow-up = 0.5 months: must be in [1, 120]"),
        ({"interval": 1e-9}, "interval", "visit interval = 1e-09 months: must be in [0.013, 12]"),
        ({"duration": 1e9, "interval": 1e-9}, "duration", "follow-up = 1e+09 months"),
    ],
)
def test_an_out_of_range_follow_up_or_interval_is_refused_before_visits_are_built(
    base, changes, control, start, monkeypatch
):
    """Review finding: a follow-up of 1e9 months or an interval of 1e-9 built the visits in a
    Python loop before the library's 120-month limit was checked, freezing the server. Now
    refused beside the control, with the allowed range, and no visit list is built at all
    (both builders are replaced by ones that fail the test if called)."""
    from designs.explorer import controls

    def never(*args):
        raise AssertionError(f"visits built for {args} before the range was checked")

    monkeypatch.setattr(controls, "even_visits", never)
    monkeypatch.setattr(controls, "retime_visits", never)
    design, errors = design_from_values(base, _with(base, **changes))
    assert design is None and set(errors) == {control}
    assert errors[control].startswith(start)


@pytest.mark.parametrize("value", [-1, 150, 100, None])
def test_a_dropout_outside_0_to_100_percent_names_the_control(base, value):
    """Review finding: -1 or 150% said 'dropout.monthly_hazard = nan', a field with no control."""
    design, errors = design_from_values(base, _with(base, dropout12=value))
    assert design is None
    assert errors["dropout12"].startswith("dropout by month 12 = ")
    message = errors["dropout12"]
    assert "must be in [0, 100)" in message and "monthly_hazard" not in message


def test_unequal_allocation_per_arm_points_to_the_in_total_control(base):
    """Review finding: the message named trial.n_total, not the page's 'in total' control."""
    design, errors = design_from_values(base, _with(base, allocation=2))
    assert design is None
    assert set(errors) == {"allocation"}
    assert "choose 'in total' under Patients" in errors["allocation"]
    assert "trial.n_total" not in errors["allocation"]


def test_the_posterior_rules_controls_set_nothing_under_the_frequentist_rule(base):
    """Review finding: under the frequentist rule a new threshold or prior was accepted (power
    unchanged) and written into the commands as --set decision.threshold=..., which the
    command line refuses (exit 2). They set nothing now; the commands run."""
    design, errors = design_from_values(base, _with(base, threshold=0.9, prior="robust"))
    assert errors == {} and design.to_dict() == base.to_dict()
    assert command.set_options(base, design) == []
    posterior = _with(base, rule="posterior", threshold=0.9, prior="sceptical")
    design, errors = design_from_values(base, posterior)
    assert errors == {}
    assert (design.decision.threshold, design.decision.prior.value) == (0.9, "sceptical")


def test_the_tests_looks_controls_set_nothing_under_the_posterior_rule(base):
    """The mirror of the test above: under the posterior rule spending, futility and
    "Boundaries at" are hidden (the command line refuses them there) and set nothing, so a
    page switched to the rule with Pocock spending, obf futility and the planned information
    chosen is the posterior rule's design (it was refused behind controls it does not read);
    switched back, they apply again."""
    chosen = {"looks": "0.5, 1", "spending": "pocock", "futility": "obf", "information": "planned"}
    posterior = _with(base, rule="posterior", sides="1", **chosen)
    design, errors = design_from_values(base, posterior)
    assert errors == {}
    interim = design.interim
    assert (interim.spending.value, interim.futility.value) == ("obf", "none")
    assert interim.information.value == "observed" and interim.looks == (0.5, 1.0)
    assert not any("interim.spending" in o or "information" in o for o in
                   command.set_options(base, design))  # fmt: skip
    test, errors = design_from_values(base, _with(base, rule="frequentist", sides="1", **chosen))
    assert errors == {}
    assert (test.interim.spending.value, test.interim.futility.value) == ("pocock", "obf")
    assert test.interim.information.value == "planned"


@pytest.mark.parametrize(
    ("start", "key", "family", "resets"),
    [
        ({}, "spending", "obf", {"gamma": -4.0}),  # hsd, gamma -2 -> obf: gamma back
        ({}, "spending", "pocock", {"gamma": -4.0}),
        ({}, "spending", "hsd", {}),  # hsd reads the gamma typed
        ({"interim.spending": "hsd", "interim.gamma": -2.0}, "spending", "hsd", {"gamma": -2.0}),
        ({"interim.spending": "hsd", "interim.gamma": -2.0}, "spending", "obf", {"gamma": -4.0}),
        ({}, "futility", "none", {"futility_gamma": -2.0, "futility_cp": 0.1}),
        ({}, "futility", "cp", {"futility_gamma": -2.0}),  # cp reads the threshold typed
        (
            {"interim.futility": "cp", "interim.futility_cp": 0.2, "trial.sides": 1},
            "futility",
            "obf",
            {"futility_gamma": -2.0, "futility_cp": 0.1},
        ),
    ],
)
def test_choosing_a_family_resets_the_parameters_it_does_not_read(base, start, key, family, resets):
    """Review finding: hsd with gamma -2, then obf, left the gamma box at -2: the design was
    refused ('read only with ...') and nothing was simulated again. The page resets the
    boxes the new family does not read (to the design's own value for its own family)."""
    from designs.explorer.families import family_resets

    design = base.with_overrides({"interim.looks": [0.5, 1.0], **start})
    assert family_resets(design, key, family) == resets
    # hsd, gamma -2 typed on the page, then obf chosen: with the reset the design is valid
    values = _with(design, spending="hsd", gamma=-2)
    values.update({"spending": "obf", **family_resets(design, "spending", "obf")})
    new, errors = design_from_values(design, values)
    assert errors == {} and new.interim.spending.value == "obf"


@pytest.mark.parametrize(
    "interim",
    [
        {"interim.looks": [0.5, 1.0], "interim.spending": "hsd", "interim.gamma": -2.0},
        {"interim.looks": [0.5, 1.0]},
        {"interim.look_months": [20.0, 40.0], "trial.sides": 1},
    ],
)
@pytest.mark.parametrize("spending", [None, "pocock"])
def test_removing_the_looks_of_a_design_with_looks_gives_commands(base, interim, spending, cli):
    """Review finding 10 ('the --set options do not rebuild the page's design' in the log):
    emptying the looks of a design that has them (an upload) gave no option at all, since
    the design without looks writes no [interim] section, so the commands kept the looks and
    raised instead. They now give interim.looks=[] (which the command line runs); looks in
    months, which the command line cannot remove with --set, get a comment saying how."""
    import tempfile
    from pathlib import Path

    uploaded = base.with_overrides(interim)
    values = {**base_values(uploaded), "looks": ""}
    if spending:  # a family chosen before the looks are cleared (a diff review's case: the
        # commands gave --set interim.spending and gamma, which the command line refuses)
        values["spending"] = spending
    design, errors = design_from_values(uploaded, values)
    assert errors == {} and not design.interim.sequential
    options = command.set_options(uploaded, design)  # raised ValueError before
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "with_looks.toml"
        path.write_text(uploaded.to_toml())
        text = command.commands_file(str(path), uploaded, design, seed=1, trials=10, analyses=[])
        shown = tomllib.loads(cli("designs", "show", str(path), *options).decode())
        assert shown == tomllib.loads(design.to_toml())  # designs show adds unit comments
        # and a command that simulates takes them (it refuses interim fields without looks)
        from designs.cli.main import build_parser
        from designs.cli.options import design_from_args

        argv = ["power", "--design", str(path), *options]
        rebuilt = design_from_args(build_parser().parse_args(argv))
        assert rebuilt.to_dict() == design.to_dict()  # without looks [interim] is inert
        if "interim.looks" in interim:
            assert options == ["--set", "interim.looks=[]"]
        assert "# The looks are removed" not in text


def test_the_page_simulates_at_most_its_patients(base):
    """A review: n = 30,001 per arm, typed by mistake, held the page for minutes; the page
    takes up to 5,000 per arm (10,000 in total) and names the command line beyond."""
    design, errors = design_from_values(base, _with(base, n=5000))
    assert errors == {} and design.trial.n_per_arm == 5000
    _, errors = design_from_values(base, _with(base, n=5001))
    assert "n" in errors and "at most 5,000 per arm" in errors["n"]
    _, errors = design_from_values(base, _with(base, n=10_001, size_mode="total", allocation=2))
    assert "at most 10,000 in total" in errors["n"]


def test_user_spending_is_offered_only_with_its_fractions():
    """A review: "user" spending on the page could only be refused (no control gives
    interim.user_spending); only a design that has it (an uploaded file) offers it."""
    from designs.explorer.layout import spending_choices

    assert "user" not in spending_choices("obf")
    assert spending_choices("user")[-1] == "user" and "obf" in spending_choices("user")


def test_the_posterior_rules_own_controls_are_read_only_where_they_are_shown(base):
    """The weight on phase 2 is read under the robust prior only, the rule's controls under
    the posterior rule only (hidden elsewhere, they set nothing: a review saw the posterior
    futility box under the test, where every value was refused)."""
    robust, errors = design_from_values(
        base, _with(base, rule="posterior", prior="robust", prior_weight=0.5)
    )
    assert errors == {} and robust.decision.prior_weight == 0.5
    for changes in (
        {"rule": "posterior", "prior": "vague", "prior_weight": 0.5},
        {"rule": "frequentist", "prior": "robust", "prior_weight": 0.5},
        {"rule": "frequentist", "futility_predictive": 0.2},
    ):
        design, errors = design_from_values(base, _with(base, **changes))
        assert errors == {} and design.decision.prior_weight == 0.0, changes
        assert design.decision.futility_predictive == base.decision.futility_predictive
    accrual, errors = design_from_values(base, _with(base, accrual=0))
    assert accrual is None and errors["accrual"].startswith("trial.accrual_per_month = 0")


def test_a_posterior_design_with_its_futility_switches_to_the_test(base, tmp_path):
    """A diff review: a design with the rule's futility at looks, switched to the test on
    the page, was refused ("decision.futility_predictive: belongs to decision.rule =
    'posterior'") while that box was hidden; the rule's own fields go back to their defaults."""
    path = tmp_path / "futility.toml"
    path.write_text(
        '[decision]\nrule = "posterior"\nfutility_predictive = 0.1\nthresholds = [0.99, 0.975]\n'
        "[interim]\nlooks = [0.5, 1.0]\n"
    )
    posterior = load_design(str(path))
    design, errors = design_from_values(posterior, _with(posterior, rule="frequentist"))
    assert errors == {} and not design.decision.is_posterior
    assert design.decision.futility_predictive == 0.0 and design.decision.thresholds == ()
    options = command.set_options(posterior, design)  # raises if they would not rebuild it
    assert 'decision.rule="frequentist"' in " ".join(options)


def test_no_label_nests_parentheses():
    """A label reads "Lead-in (months; 0 = none)", not "Lead-in (months (0 = none))" (a
    review): a parenthesis in the unit or the label's own name would nest in the page's
    "label (unit)". Mathematical notation such as P(effect > margin | data) is allowed."""
    from designs.explorer.layout import _LABELS

    for cid, label in _LABELS.items():
        plain = label.replace("P(effect > margin | data)", "P")
        assert plain.count("(") <= 1 and plain.count(")") <= 1, (cid, label)
        if "(" in plain:
            assert plain.endswith(")"), (cid, label)
