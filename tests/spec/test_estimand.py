"""The estimand (ICH E9(R1)) is part of the design and stated in every output."""

from __future__ import annotations

import pytest

from designs import load_design
from designs.analyses.registry import REGISTRY
from designs.errors import InputError
from designs.spec.estimand import LEAVING, estimand_lines, estimand_text

ATTRIBUTES = (
    "population",
    "treatment",
    "variable",
    LEAVING,
    "intercurrent event: death",
    "other intercurrent events",
    "population-level summary",
)


def test_every_analysis_declares_a_strategy_for_each_intercurrent_event():
    for entry in REGISTRY.values():
        assert entry.dropout_strategy.strip() and entry.death_strategy.strip(), entry.name
    assert REGISTRY["joint_rank"].death_strategy.startswith("composite")
    assert REGISTRY["lmm_slope"].death_strategy.startswith("hypothetical")


def test_estimand_has_every_attribute_and_follows_the_analysis():
    design = load_design("default")
    assert [k for k, _ in estimand_lines(design)] == list(ATTRIBUTES)
    lmm = dict(estimand_lines(design))
    jr = dict(estimand_lines(design, "joint_rank"))
    assert lmm["intercurrent event: death"].startswith("hypothetical")
    assert jr["intercurrent event: death"].startswith("composite")
    assert "points/month" in lmm["population-level summary"]
    # ICH E9(R1): loss to follow-up makes data missing; the events a protocol must still
    # give a strategy for (treatment stopped or changed, ventilation) are named as not simulated
    assert "missing at random" in lmm[LEAVING]
    assert "not simulated" in lmm["other intercurrent events"]
    assert "only as leaving the study" in lmm["other intercurrent events"]
    # named as ICH E9(R1) names it (a diff review: "missing at random" is not a strategy)
    assert (
        "(for stopping treatment: hypothetical: as if treatment had continued)"
        in (lmm["other intercurrent events"])
    )
    ols = dict(estimand_lines(design, "ols_slope_ttest"))
    assert "(for stopping treatment: while on treatment)" in ols["other intercurrent events"]
    assert "riluzole" in lmm["other intercurrent events"]


def test_population_is_a_field_of_the_design_and_reaches_the_text():
    design = load_design("default").with_overrides(
        {"estimand.population": "people with ALS within 24 months of onset, ALSFRS-R >= 36"}
    )
    assert "within 24 months of onset" in estimand_text(design)
    assert 'population = "people with ALS within 24 months' in design.to_toml()


def test_the_treatment_is_a_field_of_the_design_and_reaches_the_text():
    """An own-design review: "active (CL2020) against placebo" was fixed in the methods text
    of every design; the default keeps it, another design names its own."""
    assert "active (CL2020) against placebo" in estimand_text(load_design("default"))
    design = load_design("default").with_overrides(
        {"estimand.treatment": "drug X 100 mg daily against placebo, double-blind"}
    )
    text = estimand_text(design)
    assert "drug X 100 mg daily against placebo" in text and "CL2020" not in text
    assert 'treatment = "drug X 100 mg daily' in design.to_toml()


@pytest.mark.parametrize("field", ["population", "treatment"])
@pytest.mark.parametrize("text", ["", "x" * 301, "line\nbreak"])
def test_bad_population_or_treatment_is_refused(field, text):
    with pytest.raises(InputError, match=rf"estimand\.{field}"):
        load_design("default").with_overrides({f"estimand.{field}": text})


def test_power_prints_the_estimand_line():
    from designs.outputs.console import estimand_line

    line = estimand_line("lmm_slope")
    assert line.startswith("estimand (lmm_slope): difference in mean ALSFRS-R slope")
    assert "death: hypothetical" in line


def test_the_prose_to_paste_is_sentences_not_a_chain_of_colons():
    """A protocol writer's review: "Intercurrent event: death: hypothetical: as if ..." in the
    methods text. The prose keeps every attribute's words and reads as sentences."""
    from designs.spec.estimand import estimand_lines, estimand_prose

    design = load_design()
    for analysis in ("lmm_slope", "joint_rank", "ols_slope_ttest", "ancova_change"):
        prose = estimand_prose(design, analysis)
        assert "death: " not in prose.lower() and ": as if" not in prose
        assert prose.count(". ") >= len(estimand_lines(design, analysis)) - 1
        assert "Death (an intercurrent event): " in prose
    lmm = estimand_prose(design, "lmm_slope")
    assert "Death (an intercurrent event): hypothetical, as if no patient had died" in lmm
    assert "missing at random; the scores after a patient leaves" in lmm


def test_an_estimand_review_the_strategies_population_and_time_course_are_stated():
    """An estimand review: the two analyses without a named strategy for stopping treatment,
    the enriched design's population, the time course a straight line cannot follow, and a
    not-at-random note where only deaths depend on decline."""
    from designs.outputs.console import estimand_line, informative_exits
    from designs.outputs.methods_checks import course_clause

    d = load_design()
    for analysis, named in (("ancova_change", "among completers"), ("joint_rank", "censoring")):
        other = dict(estimand_lines(d, analysis))["other intercurrent events"]
        assert "(for stopping treatment: hypothetical: as if" in other and named in other
    leaving = dict(estimand_lines(d.with_overrides({"dropout.informative": 2.0}), "joint_rank"))
    assert "the censoring is informative" in leaving[LEAVING]  # censoring assumes it is not
    enriched = dict(estimand_lines(load_design("proact_enriched_dfs")))["population"]
    assert "screened before randomisation for delta-FS (the pre-baseline progression rate)" in (
        enriched
    )
    assert "screened before randomisation for" not in dict(estimand_lines(d))["population"]
    bent = d.with_overrides({"effect.onset_delay_months": 3.0, "effect.ramp_months": 3.0})
    assert "not a straight line" in dict(estimand_lines(bent))[LEAVING]
    assert "not a straight line" not in dict(estimand_lines(bent, "ancova_change"))[LEAVING]
    assert "not a straight line" not in dict(estimand_lines(d))[LEAVING]
    clause = course_clause(bent, "lmm_slope")  # G(12) = 1.5 + 6 = 7.5 months: 0.625
    assert clause.startswith(", acting from month 3, full by month 6: the true value")
    assert "0.625 of the full shift" in clause and course_clause(d, "lmm_slope") == ""
    deaths = d.with_overrides(
        {"dropout.death_informative": 2.0, "dropout.death_monthly_hazard": 0.02}
    )
    assert informative_exits(deaths) == (False, True)
    line = estimand_line("lmm_slope", *informative_exits(deaths))
    assert "leaving the study: missing at random; death: hypothetical (as if missing at " in line
    for analysis in ("joint_rank", "ols_slope_ttest"):  # composite, while alive: no remark
        line = estimand_line(analysis, *informative_exits(deaths))
        assert "deaths depend" not in line and "exits depend" not in line
