"""The [interim] section: validation, the rules across sections, TOML round trip."""

import tomllib

import pytest

from designs.errors import InputError
from designs.spec import TrialDesign, list_designs, load_design
from designs.spec.interim import NO_LOOKS, unread_defaults

ONE_SIDED = {"trial.sides": 1, "trial.alpha": 0.025}


@pytest.fixture(scope="module")
def default():
    return load_design(None)


def test_a_fixed_design_writes_no_interim_section(default):
    assert not default.interim.sequential
    assert "interim" not in default.to_dict()
    assert "[interim]" not in default.to_toml()


def test_round_trip_through_toml(default):
    d = default.with_overrides(
        {**ONE_SIDED, "interim.looks": [0.4, 0.7, 1], "interim.spending": "hsd",
         "interim.gamma": -2, "interim.futility": "pocock"}
    )  # fmt: skip
    back = TrialDesign.from_dict(tomllib.loads(d.to_toml()))
    assert back == d
    assert back.interim.looks == (0.4, 0.7, 1.0)
    assert (
        "3 looks at information 0.4, 0.7, 1; Hwang-Shih-DeCani (hsd:-2) alpha spending"
        in d.describe()
    )
    assert "non-binding futility by Pocock-type (pocock) beta spending, beta 0.2" in d.describe()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"interim.looks": [0.5, 0.5, 1]}, "strictly increasing"),
        ({"interim.looks": [-0.1, 1]}, r"must lie in \(0, 1\]"),
        ({"interim.looks": [0.1 * k for k in range(1, 12)] + [1]}, "at most 10"),
        ({"interim.looks": [0.5, 1], "interim.spending": "power", "interim.gamma": 0}, "gamma"),
        (
            {"interim.looks": [0.5, 1], "interim.spending": "user", "interim.user_spending": [1]},
            "user_spending has 1 values",
        ),
        (
            {
                "interim.looks": [0.5, 1],
                "interim.spending": "user",
                "interim.user_spending": [0.6, 0.5],
            },
            "user_spending must increase",
        ),
        ({"interim.looks": [0.5, 1], "trial.analysis": "joint_rank"}, "cannot be analysed"),
        # the posterior rule works at looks (designs.planning.decision_looks); its futility
        # rule is decision.futility_predictive, not beta spending
        (
            {
                "interim.looks": [0.5, 1],
                "decision.rule": "posterior",
                "trial.sides": 1,
                "interim.futility": "obf",
            },
            "decision.futility_predictive",
        ),
        ({"interim.looks": [0.5, 1], "interim.futility": "obf"}, r"trial\.sides = 1"),
        ({"interim.looks": [0.5, 1], "interim.futility_beta": 0.5}, "futility_beta"),
    ],
)
def test_bad_interim_names_the_field(default, overrides, message):
    with pytest.raises(InputError, match=r"^interim\.") as info:
        default.with_overrides(overrides)
    assert __import__("re").search(message, str(info.value)), str(info.value)


def test_one_look_is_a_fixed_design(default):
    d = default.with_overrides({"interim.looks": [1]})
    assert not d.interim.sequential


def test_one_look_month_is_refused_not_ignored(default):
    """A single calendar month would leave one analysis, the fixed design's at the end of
    follow-up, without a word: refused, as a single information fraction below 1 is."""
    with pytest.raises(InputError, match=r"interim\.look_months = \[20\]: give at least two"):
        default.with_overrides({"interim.look_months": [20.0]})


@pytest.mark.parametrize(
    ("field", "value"), [("thresholds", [0.99, 0.98]), ("futility_predictive", 0.2)]
)
def test_posterior_rule_fields_are_refused_under_the_frequentist_rule(default, field, value):
    """Per-look thresholds and predictive futility belong to the posterior rule; with the
    frequentist rule they were accepted and ignored."""
    with pytest.raises(InputError, match=rf"decision\.{field}: belongs to decision\.rule"):
        default.with_overrides({"interim.looks": [0.5, 1.0], f"decision.{field}": value})
    posterior = {"decision.rule": "posterior", "trial.sides": 1, "trial.alpha": 0.025}
    default.with_overrides({**posterior, "interim.looks": [0.5, 1.0], f"decision.{field}": value})


LOOKS = {"interim.looks": [0.5, 1.0], **ONE_SIDED}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"interim.gamma": -2}, "interim.gamma = -2: read only with interim.spending = 'hsd' "
         "or 'power' (spending is 'obf')"),
        ({"interim.spending": "pocock", "interim.gamma": 1}, "(spending is 'pocock')"),
        ({"interim.spending": "user", "interim.user_spending": [0.2, 1], "interim.gamma": -2},
         "interim.gamma = -2: read only"),
        ({"interim.user_spending": [0.2, 1]}, "interim.user_spending = [0.2, 1]: read only with "
         "interim.spending = 'user' (spending is 'obf')"),
        ({"interim.spending": "hsd", "interim.user_spending": [0.2, 1]}, "(spending is 'hsd')"),
        ({"interim.futility": "obf", "interim.futility_gamma": -3}, "interim.futility_gamma = -3:"
         " read only with interim.futility = 'hsd' (futility is 'obf')"),
        ({"interim.futility_gamma": -3}, "(futility is 'none')"),
        ({"interim.futility": "cp", "interim.futility_beta": 0.3}, "interim.futility_beta = 0.3: "
         "read only with interim.futility = 'obf', 'pocock' or 'hsd' (futility is 'cp')"),
        ({"interim.futility_beta": 0.1}, "(futility is 'none')"),
        ({"interim.futility": "hsd", "interim.futility_cp": 0.2}, "interim.futility_cp = 0.2: "
         "read only with interim.futility = 'cp' (futility is 'hsd')"),
        ({"interim.futility_cp": 0.2}, "(futility is 'none')"),
        ({"interim.futility": "pocock", "interim.futility_cp_under": "design"},
         "interim.futility_cp_under = 'design': read only with interim.futility = 'cp'"),
    ],
)  # fmt: skip
def test_a_field_the_setting_does_not_read_is_refused(default, overrides, message):
    """An [interim] field that only another spending or futility family reads was ignored
    without a word (independent review): refused, naming the field, its value and the
    setting that reads it, with looks and without."""
    for looks in (LOOKS, {}):
        with pytest.raises(InputError) as info:
            default.with_overrides({**looks, **overrides})
        assert str(info.value).startswith("interim.") and message in str(info.value)
        assert str(info.value).endswith("it would be ignored"), str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"interim.spending": "hsd", "interim.gamma": -2},
        {"interim.spending": "power", "interim.gamma": 2},
        {"interim.spending": "user", "interim.user_spending": [0.2, 1]},
        {"interim.futility": "hsd", "interim.futility_gamma": -3, "interim.futility_beta": 0.1},
        {"interim.futility": "pocock", "interim.futility_beta": 0.3},
        {"interim.futility": "cp", "interim.futility_cp": 0.2,
         "interim.futility_cp_under": "design"},
        # the defaults, as a file may list them, whatever reads them
        {"interim.gamma": -4.0, "interim.user_spending": [], "interim.futility_gamma": -2.0,
         "interim.futility_beta": 0.2, "interim.futility_cp": 0.1,
         "interim.futility_cp_under": "trend"},
    ],
)  # fmt: skip
def test_a_field_its_setting_reads_or_at_its_default_is_accepted(default, overrides):
    d = default.with_overrides({**LOOKS, **overrides})
    assert d.with_overrides(NO_LOOKS).interim.n_looks == 0  # a fixed reference design too


def test_unread_defaults_put_back_what_a_new_family_does_not_read(default):
    """``--spending obf`` on a design with hsd spending (or a sweep's obf cell) replaces the
    family and its gamma: the fields the new family does not read go back to their defaults,
    so the design is valid instead of refused for a gamma the user never typed."""
    hsd = default.with_overrides(
        {**LOOKS, "interim.spending": "hsd", "interim.gamma": -2, "interim.futility": "cp",
         "interim.futility_cp": 0.2, "interim.futility_cp_under": "design"}
    )  # fmt: skip
    assert unread_defaults("spending", "hsd") == {"interim.user_spending": []}
    obf = hsd.with_overrides({"interim.spending": "obf", **unread_defaults("spending", "obf")})
    assert (obf.interim.spending, obf.interim.gamma) == ("obf", -4.0)
    over = {"interim.futility": "obf", **unread_defaults("futility", "obf")}
    beta = hsd.with_overrides(over).interim
    assert (beta.futility_cp, beta.futility_cp_under) == (0.1, "trend")
    none = hsd.with_overrides({"interim.futility": "none", **unread_defaults("futility", "none")})
    assert none.interim.futility_beta == 0.2 and none.interim.futility_cp == 0.1
    with pytest.raises(InputError, match=r"interim\.gamma = -2: read only"):
        hsd.with_overrides({"interim.spending": "obf"})  # without them: refused


@pytest.mark.parametrize("name", list_designs())
def test_every_library_design_still_loads(name):
    """The library's files list default values (default.toml lists every field): none of them
    is refused as unread."""
    design = load_design(name)
    assert TrialDesign.from_dict(design.to_dict()) == design


@pytest.mark.parametrize("analysis", ["slope_change_lead_in", "lmm_slope"])
def test_looks_with_a_lead_in_are_refused_for_the_lead_in_whatever_the_analysis(analysis):
    """A DSMB review: a lead-in design at a look was first told to use lmm_slope, then
    refused for its lead-in; the lead-in, the refusal that holds, now comes first."""
    design = load_design("proact_lead_in")
    with pytest.raises(InputError, match=r"^interim\.looks: designs with a lead-in are not"):
        design.with_overrides({"interim.looks": [0.5, 1], "trial.analysis": analysis})
