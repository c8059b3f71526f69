"""The [interim] section: validation, the rules across sections, TOML round trip."""

import tomllib

import pytest

from designs.errors import InputError
from designs.spec import TrialDesign, load_design

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
    assert "3 looks at information 0.4, 0.7, 1; hsd:-2 alpha spending" in d.describe()
    assert "non-binding futility (pocock beta spending, beta 0.2)" in d.describe()


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
