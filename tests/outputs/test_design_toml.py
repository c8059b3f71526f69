"""``designs show``: the resolved TOML with each field's unit and range as a comment (a
review: the library files give units, the resolved design gave bare numbers)."""

import tomllib

import pytest

from designs.outputs.design_toml import annotated_toml
from designs.spec import TrialDesign, list_designs, load_design


@pytest.mark.parametrize("name", list_designs())
def test_the_annotated_toml_reads_back_as_the_same_design(name):
    design = load_design(name)
    text = annotated_toml(design)
    assert TrialDesign.from_dict(tomllib.loads(text)) == design


def test_fields_carry_their_unit_and_range():
    text = annotated_toml(load_design("default"))
    lines = text.splitlines()
    assert "accrual_per_month = 8.0  # patients/month, in [0.1, 1e+06]" in lines
    assert "slope_mean = -0.5  # points/month, in [-10, 0]" in lines
    assert "visits_months = [  # months" in lines
    assert any(line.startswith("sceptical_sd = 0.076  # points/month") for line in lines)
    assert "alpha = 0.05  # in (0, 0.5]" in lines  # dimensionless: the range only
    # a unit that depends on another field: effect.value follows effect.kind
    d = load_design("default").with_overrides(
        {"effect.kind": "slope_difference", "effect.value": 0.2}
    )
    assert "value = 0.2  # points/month, in [-10, 10]" in annotated_toml(d).splitlines()
    # a proportional slowing stops at 1 unless improvement is allowed (an effect-translation
    # review: "in [-10, 10]" beside 0.25, where 1.5 is refused)
    slowing = "value = 0.25  # fraction of |slope_mean|, in [-10, 1] (above 1 the decline "
    assert any(line.startswith(slowing) for line in lines)
    allowed = load_design("default").with_overrides({"effect.allow_improvement": True})
    assert (
        "value = 0.25  # fraction of |slope_mean|, in [-10, 10]"
        in annotated_toml(allowed).splitlines()
    )


def test_designs_show_prints_it(capsys):
    from designs.cli.main import main

    assert main(["designs", "show", "default"]) == 0
    assert capsys.readouterr().out == annotated_toml(load_design("default"))
