"""A design's own sources (``[sources]``): read, checked, written back, dropped when the value
they were written for changes, and printed in the methods text's "Where the inputs come from"
in place of "an assumption" (a user's design with published values the library does not know
read "an assumption of this design" for each)."""

from __future__ import annotations

import tomllib

import pytest

from designs.errors import InputError
from designs.outputs.methods_inputs import input_keys, input_sources, inputs_text
from designs.spec import TrialDesign, load_design
from designs.spec.fields import field_names
from designs.spec.sources import INPUT_FIELDS, Sources

REGISTRY = "SD of slopes in a registry cohort (Smith et al. 2025, Table 2)"
SURVEY = "12 sites at 0.7 patients/month each (feasibility survey, 2026)"


@pytest.fixture()
def cited(tmp_path):
    """A user's design file: a slope SD and an accrual the library has no source for."""
    path = tmp_path / "cited.toml"
    path.write_text(
        "[trial]\naccrual_per_month = 8.4\n[population]\nslope_sd = 0.6\n"
        f'[sources]\nslope_sd = "{REGISTRY}."\naccrual = "{SURVEY}"\n'
    )
    return load_design(path)


def _line(design, start: str) -> str:
    return next(line for line in input_sources(design) if line.startswith(start))


def test_a_design_file_cites_its_own_values(cited):
    assert cited.sources.given == {"slope_sd": f"{REGISTRY}.", "accrual": SURVEY}
    # printed as given, with one full stop (the file's own is not doubled)
    assert _line(cited, "SD of true slopes") == f"SD of true slopes 0.6 points/month: {REGISTRY}."
    assert _line(cited, "Accrual") == (
        f"Accrual 8.4 patients/month: {SURVEY} (it sets the calendar length only)."
    )
    # without them both read as assumptions
    plain = cited.with_overrides({"sources.slope_sd": "", "sources.accrual": ""})
    assert _line(plain, "SD of true slopes").endswith(
        ": an assumption of this design, not a published value."
    )
    assert _line(plain, "Accrual").startswith("Accrual 8.4 patients/month: an assumption")
    # the library's sources of the other inputs are untouched, and a user's text adds no key
    assert input_keys(cited) == input_keys(plain)
    assert "(Castrillo-Viguera et al. 2010)" in _line(cited, "Effect")


def test_a_given_source_comes_before_the_librarys_match():
    """A source given for a library value is printed instead of the library's."""
    design = load_design().with_overrides({"sources.residual_sd": "our own pilot data"})
    assert _line(design, "Residual SD") == "Residual SD 2 points: our own pilot data."
    assert "1.6 x 48/40" not in "\n".join(inputs_text(design))


@pytest.mark.parametrize(
    ("source", "change", "kept"),
    [
        ("slope_sd", {"population.slope_sd": 0.7}, False),
        ("slope_sd", {"population.slope_sd": 0.6}, True),  # the same value
        # a user's SD is not tied to the decline (the library's derived one is)
        ("slope_sd", {"population.slope_mean": -0.8}, True),
        ("slope_sd", {"population.slope_sd": 0.7, "sources.slope_sd": "new text"}, True),
        ("accrual", {"trial.accrual_per_month": 10.0}, False),
        ("accrual", {"accrual.ramp_rate_per_month": [2.0], "accrual.ramp_until_month": [3]}, False),
        ("accrual", {"trial.n_per_arm": 150}, True),
    ],
)
def test_a_changed_value_drops_the_source_written_for_the_old_one(cited, source, change, kept):
    moved = cited.with_overrides(change)
    assert (source in moved.sources.given) is kept
    if "sources.slope_sd" in change:
        assert moved.sources.slope_sd == "new text"


def test_each_input_is_dropped_by_each_of_its_fields():
    """Every field of :data:`INPUT_FIELDS` drops its inputs' sources, and only those (the
    death hazard drops both the deaths' and the attrition's: the share gone moves)."""
    base = load_design("proact_enriched_dfs")
    texts = {name: f"source of {name}" for name in INPUT_FIELDS}
    ramp = {"accrual.ramp_rate_per_month": [2.0], "accrual.ramp_until_month": [3.0]}
    design = base.with_overrides({**ramp, **{f"sources.{n}": t for n, t in texts.items()}})
    assert design.sources.given == texts
    new_values = {
        "population.baseline_mean": 39.0,
        "population.baseline_sd": 3.0,
        "population.slope_mean": -0.9,
        "population.slope_sd": 0.5,
        "population.residual_sd": 1.5,
        "population.baseline_slope_corr": 0.2,
        "effect.value": 0.3,
        "population.delta_fs_mean": 0.8,
        "population.delta_fs_sd": 0.4,
        "population.delta_fs_slope_corr": 0.4,
        "trial.accrual_per_month": 5.0,
        "accrual.ramp_rate_per_month": [4.0],
        "accrual.ramp_until_month": [5.0],
        "dropout.cumulative": [0.0] + [0.02 * v for v in range(1, 13)],
        "dropout.monthly_hazard": 0.03,
        "dropout.death_monthly_hazard": 0.002,
    }
    for name, fields in INPUT_FIELDS.items():
        for field in fields:
            if field == "effect.kind":  # a new kind needs its value: changed together below
                continue
            moved = design.with_overrides({field: new_values[field]})
            dropped = {n for n, f in INPUT_FIELDS.items() if field in f}
            assert name in dropped and set(moved.sources.given) == set(texts) - dropped, field
    kind = design.with_overrides({"effect.kind": "slope_difference", "effect.value": 0.255})
    assert set(kind.sources.given) == set(texts) - {"effect"}


def test_sources_round_trip_through_toml_and_leave_other_files_alone(cited):
    assert TrialDesign.from_dict(tomllib.loads(cited.to_toml())) == cited
    assert "[sources]" not in load_design().to_toml()  # a design without any: no section
    written = tomllib.loads(cited.to_toml())["sources"]
    assert written == {"slope_sd": f"{REGISTRY}.", "accrual": SURVEY}  # only those given


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({"slop_sd": "x"}, "sources.slop_sd: unknown key (did you mean 'slope_sd'?)"),
        ({"slope_sd": 0.6}, "sources.slope_sd = 0.6: must be text (in quotes)"),
        ({"decline": "x" * 401}, "sources.decline: 401 characters; at most 400 allowed"),
        ({"effect": "line one\nline two"}, "sources.effect = 'line one\\nline two': contains"),
    ],
)
def test_bad_sources_name_the_field(mapping, words):
    with pytest.raises(InputError) as err:
        TrialDesign.from_dict({"sources": mapping})
    assert str(err.value).startswith(words), str(err.value)


def test_every_input_of_the_methods_text_can_be_given_a_source():
    """Every input the list prints (and accrual) is a field of ``[sources]``."""
    from designs.outputs.methods_inputs import INPUTS

    in_dropout_paragraph = {"attrition", "deaths"}
    assert set(INPUTS) | {"accrual"} | in_dropout_paragraph == set(INPUT_FIELDS)
    assert set(INPUT_FIELDS) == set(field_names(Sources))


def test_the_dropout_paragraph_cites_a_designs_own_attrition_and_deaths():
    """The schedule and the death hazard have their sources in the dropout paragraph: a
    design's own replaces the published one there and in the reference list."""
    from designs.outputs.methods_dropout import (
        also_simulated,
        attrition_source,
        cited_exit_sources,
    )
    from designs.outputs.methods_references import REFERENCES, references_text

    default = load_design()
    assert "deaths included; van Eijk et al. 2025, whose meta-regression" in attrition_source(
        default
    )
    assert "van Eijk et al. 2019" in also_simulated(default)
    assert cited_exit_sources(default) == (True, True)
    registry = "two-year retention in our registry's trials (Doe 2024)."
    own = default.with_overrides({"sources.attrition": registry})
    assert (
        attrition_source(own)
        == "two-year retention in our registry's trials (Doe 2024); deaths included"
    )
    assert "van Eijk et al. 2019" in also_simulated(own)  # the deaths keep theirs
    assert cited_exit_sources(own) == (False, True)
    attrition, deaths = cited_exit_sources(own)
    refs = "\n".join(references_text("lmm_slope", False, attrition, deaths=deaths))
    assert REFERENCES["deaths"] in refs and REFERENCES["attrition"] not in refs
    both = own.with_overrides({"sources.deaths": "our registry's deaths (Doe 2024)"})
    assert also_simulated(both).startswith(
        "Deaths follow a constant hazard of 0.004/month (our registry's deaths (Doe 2024)), "
        "split off this attrition, not added to it."
    )
    assert cited_exit_sources(both) == (False, False)
    # a schedule or hazard of the design's own, without a source, is an assumption as before;
    # a new death hazard moves the share gone, so the attrition's source goes too (a review)
    moved = both.with_overrides({"dropout.death_monthly_hazard": 0.006})
    assert "sources" not in moved.to_dict()
    assert "(an assumption)" in also_simulated(moved)
    assert attrition_source(moved).startswith(
        "an assumption of this design, not a published figure"
    )
    # its deaths are a further exit beside the schedule (an explorer review: "deaths
    # included"), and the share gone already counts them (a visit-schedule review read "on
    # top of it" as deaths to add): dropout alone is said beside it
    alone = moved.dropout.cumulative_at(moved.trial.visits)[-1]
    assert attrition_source(moved).endswith(
        f", deaths included: dropout alone {100 * alone:.1f}% by month 12, deaths 0.6% a "
        "month besides"
    )
    # a design's own schedule has its deaths on top, not split off it (a review: the
    # sentence said "split off" for any design whose deaths had a source)
    own_schedule = default.with_overrides(
        {"dropout.monthly_hazard": 0.03, "dropout.death_monthly_hazard": 0.01}
    ).with_overrides({"sources.attrition": "Doe 2024", "sources.deaths": "Roe et al."})
    assert also_simulated(own_schedule).startswith(
        "Deaths follow a constant hazard of 0.01/month (Roe et al.). "
    )
    assert attrition_source(own_schedule) == "Doe 2024; deaths included"
    says = own_schedule.with_overrides({"sources.attrition": "Doe 2024, deaths included."})
    assert attrition_source(says) == "Doe 2024, deaths included"  # not said twice


def test_a_reset_field_drops_the_source_and_an_equal_default_keeps_it():
    """A review: ``dropout.monthly_hazard = 0`` (the value beneath) on a design with a
    cumulative schedule empties the schedule (the two replace each other), which left the
    attrition's source on a design with no dropout, and the explorer's commands then failed
    to rebuild the page's design. Values are compared after the merge, and a section
    ``to_dict`` leaves out (``[accrual]`` without a ramp) is read as its defaults."""
    design = load_design().with_overrides({"sources.attrition": "Doe 2024"})
    assert design.dropout.monthly_hazard == 0 and design.dropout.cumulative
    reset = design.with_overrides({"dropout.monthly_hazard": 0.0})
    assert not reset.dropout.cumulative and "attrition" not in reset.sources.given
    cited = design.with_overrides({"sources.accrual": "a survey"})
    same = cited.with_overrides({"accrual.ramp_rate_per_month": [], "accrual.ramp_until_month": []})
    assert same.sources.given == cited.sources.given


@pytest.mark.parametrize(
    ("text", "clause", "line"),
    [
        ("Doe 2024.", "Doe 2024", "Residual SD 2 points: Doe 2024."),
        ("Doe et al.", "Doe et al.", "Residual SD 2 points: Doe et al."),
        ("pers. comm.", "pers. comm.", "Residual SD 2 points: pers. comm."),
        ("as a registry? ", "as a registry?", "Residual SD 2 points: as a registry?"),
        ("see the table...", "see the table...", "Residual SD 2 points: see the table..."),
    ],
)
def test_a_source_ends_its_sentence_once(text, clause, line):
    """A review: every final full stop was stripped ("Smith et al" in the sentence), and a
    "?" got a full stop after it."""
    design = load_design().with_overrides({"sources.residual_sd": text})
    assert design.sources.clause("residual_sd") == clause
    assert _line(design, "Residual SD") == line


def test_the_methods_reference_list_follows_the_sources(search_stand_in):
    """The whole methods text: a design's own attrition and deaths sources take van Eijk
    2025 and 2019 out of its reference list, and its own input sources add nothing to it."""
    from designs.outputs.methods import methods_text
    from designs.outputs.methods_references import REFERENCES

    result, oc = search_stand_in()

    def references(design):
        text = methods_text(design, result, oc, None, None)
        return text, text[text.index("**References.**") :]

    default = load_design()
    text, refs = references(default)
    assert REFERENCES["attrition"] in refs and REFERENCES["deaths"] in refs
    own = default.with_overrides(
        {"sources.attrition": "Doe 2024", "sources.deaths": "Roe 2023", "sources.decline": "Poe"}
    )
    text, refs = references(own)
    assert "(Doe 2024; deaths included)" in text and "(Roe 2023), split off this" in text
    assert "- Mean decline -0.5 points/month: Poe." in text
    assert "van Eijk" not in text  # neither in the text nor in its list
    assert REFERENCES["okayama"] not in refs and REFERENCES["castrillo"] in refs


def test_values_compare_as_toml_reads_them():
    """An int for a float, a tuple for a list and an enum for its word are the same value."""
    from designs.spec import EffectKind

    design = load_design().with_overrides(
        {"sources.accrual": "a survey", "sources.effect": "a survey", "sources.attrition": "x"}
    )
    same = design.with_overrides(
        {
            "trial.accrual_per_month": 8,
            "effect.kind": EffectKind.PROPORTIONAL_SLOWING,
            "effect.value": 0.25,
            "dropout.cumulative": tuple(design.dropout.cumulative),
        }
    )
    assert same.sources == design.sources


def test_a_designs_own_hazard_says_its_dropout_alone_by_hand():
    """A visit-schedule review: "45.8% gone by month 18 (...; deaths (0.4% a month) on top
    of it)" where 45.8% = 1 - exp(-(0.03 + 0.004) 18) held the deaths already. By hand for
    12 months: dropout alone 1 - exp(-0.36) = 30.2%, all gone 1 - exp(-0.408) = 33.5%."""
    from designs.outputs.methods_dropout import attrition_source
    from designs.spec.exits import gone_text

    design = load_design().with_overrides(
        {
            "dropout.cumulative": [],
            "dropout.monthly_hazard": 0.03,
            "dropout.death_monthly_hazard": 0.004,
        }
    )
    assert gone_text(design) == "33.5% gone by month 12"
    assert attrition_source(design).endswith(
        "deaths included: dropout alone 30.2% by month 12, deaths 0.4% a month besides"
    )
