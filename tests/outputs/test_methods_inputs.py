"""The methods text's "Where the inputs come from" (a statistical review: each input's source
was only in docs/references.md and the library designs' comments)."""

from __future__ import annotations

import re

import pytest

from designs.outputs.methods_inputs import (
    INPUTS,
    SOURCES,
    _inputs,
    _source,
    input_keys,
    inputs_text,
)
from designs.outputs.methods_references import REFERENCES, references_text
from designs.spec import list_designs, load_design


@pytest.mark.parametrize("name", list_designs())
def test_every_library_value_has_its_source(name):
    """Every input of every library design is one the library takes from published work (or
    says why it is assumed): a library value changed without its source would be called "an
    assumption" here and fail."""
    design = load_design(name)
    text = "\n".join(inputs_text(design))
    assert "an assumption of this design, not a published value" not in text
    for input_name in _inputs(design):
        assert _source(design, input_name) is not None, input_name


def test_the_default_design_cites_its_sources_with_the_arithmetic():
    text = "\n".join(inputs_text(load_design("default")))
    for phrase in (
        "- Baseline ALSFRS-R 40.6 (SD of true baselines 2.6): the five CL2020 phase 2 patients'",
        "jRCT2063200047",
        "- Mean decline -0.5 points/month: the five CL2020 phase 2 patients lost 0.47 points/month",
        "(Okayama University press release, 2023; its window is not stated, the publication "
        "compares the 12 months after dosing began with the 3 months before)",
        "(Proudfoot et al. 2016)",
        "- SD of true slopes 0.35 points/month: derived from the topiramate trial's placebo",
        "0.74 x 0.5 = 0.37, taken as 0.35, between it and the 0.23 of masitinib",
        # rounded down: said (a grant review read "taken as 0.35" with no reason given)
        "rounded down, so a little optimistic against 0.37 alone",
        "- Residual SD 2 points: derived from the within-patient SD of 1.6 points",
        "1.6 x 48/40 = 1.92, rounded up",
        "- Correlation of true baselines and slopes 0: assumed",
        "- Effect 25% slowing (+0.125 points/month): the smallest slowing that all 65 NEALS",
        "(Castrillo-Viguera et al. 2010)",
        "- Accrual 8 patients/month: an assumption",
    ):
        assert phrase in text, phrase
    assert "Pre-enrolment rate" not in text  # no screening on delta-FS in the default design


def test_the_slope_sd_keeps_its_source_only_with_the_decline_it_was_derived_for():
    """A review: the default with a decline of -1.02 printed '0.74 x 0.5 = 0.37, taken as
    0.35' beside it, a coefficient of variation of 0.34 credited to a derivation from 0.74."""
    moved = load_design("default").with_overrides({"population.slope_mean": -1.02})
    text = "\n".join(inputs_text(moved))
    # and says which decline 0.35 was derived for (an endpoint-porting review: "set in this
    # design" was printed for a value the file never set)
    assert (
        "- SD of true slopes 0.35 points/month: an assumption of this design, not a published "
        "value (the library derived 0.35 for a mean decline of -0.5 points/month, not this "
        "design's -1.02)."
    ) in text
    assert "(Atassi et al. 2014)" in text  # the decline itself is PRO-ACT's


def test_a_changed_value_is_an_assumption_and_loses_its_citation():
    """A user's design that moves a library value is not credited with the value's source."""
    default = load_design("default")
    moved = default.with_overrides({"effect.value": 0.3, "population.slope_mean": -0.6})
    text = "\n".join(inputs_text(moved))
    assert (
        "- Effect 30% slowing (+0.18 points/month): an assumption of this design, "
        "not a published value."
    ) in text
    assert (
        "- Mean decline -0.6 points/month: an assumption of this design, not a published value."
    ) in text
    assert "castrillo" not in input_keys(moved) and "okayama" not in input_keys(moved)
    assert "topiramate" in input_keys(moved)  # the residual SD kept its source
    points = default.with_overrides({"effect.kind": "slope_difference", "effect.value": 0.125})
    assert (
        "- Effect +0.125 points/month: an assumption of this design, not a published "
        "value." in "\n".join(inputs_text(points))
    )


def test_screening_on_delta_fs_gives_its_sources():
    text = "\n".join(inputs_text(load_design("proact_enriched_dfs")))
    assert "- Pre-enrolment rate delta-FS 0.91 (SD 0.53) points/month: PRO-ACT matched" in text
    assert "(Paganoni et al. 2023)" in text and "(Thakore et al. 2018)" in text
    assert "(Atassi et al. 2014)" in text and "(Mora et al. 2021, Table 3)" in text
    # the effect is a share of the candidates' decline: what it is of the admitted patients'
    assert (
        "- Effect 25% slowing of the candidates' mean decline (+0.255 points/month, 30% of" in text
    )
    assert "- Mean decline of the candidates screened -1.02 points/month" in text


def test_accrual_says_what_it_sets():
    """A review: 'the calendar length only' is wrong with interim looks, whose information
    at each calendar look depends on when patients enter."""
    default = load_design("default")
    assert "- Accrual 8 patients/month: an assumption (it sets the calendar length only)." in (
        inputs_text(default)
    )
    looks = default.with_overrides({"interim.looks": [0.5, 1.0]})
    assert "information at each interim look" in inputs_text(looks)[-1]
    # a report with looks gives the methods text the design without them, and says so
    assert "information at each interim look" in inputs_text(default, looks=True)[-1]


def test_every_citation_in_a_source_is_in_the_reference_list():
    """Each author-year a source cites names the first author of one of its keys' works, and
    each key is a work of the reference list that references_text prints when asked."""
    for name, sources in SOURCES.items():
        assert name in INPUTS
        for source in sources:
            assert len(source.values) == len(INPUTS[name])
            # every parenthesis with a year (or a registry number) is a citation; its first
            # word (an author, a journal, an institution) and its year are in one of the
            # source's works (a work without a year, the registry entry, by its first word)
            cited = re.findall(r"\(([^()]*\d{4}[^()]*)\)", source.text)
            assert len(cited) >= len(source.keys) > 0 or not source.keys, source.text
            works = [REFERENCES[k] for k in source.keys]
            for citation in cited:
                first, years = citation.split()[0], re.findall(r"\b(?:19|20)\d\d\b", citation)
                assert any(first in w and all(f"({y})" in w for y in years) for w in works), (
                    citation,
                    source.text,
                )
            listed = "\n".join(references_text("lmm_slope", False, inputs=source.keys))
            assert all(REFERENCES[k] in listed for k in source.keys)
    design = load_design("default")
    listed = "\n".join(references_text("lmm_slope", False, inputs=input_keys(design)))
    for work in ("Castrillo-Viguera C", "Proudfoot M", "Gordon PH", "*Neurology* 63(10)"):
        assert work in listed, work


def test_every_work_of_the_reference_list_is_cited_by_some_text():
    """A reread: the masitinib trial report of 2020 stayed in the list after its figures
    were cited to Mora et al. 2021, and no methods text could print it. Every key is now
    named by the code that writes a methods text (outside the list itself)."""
    from pathlib import Path

    import designs

    package = Path(designs.__file__).parent
    listing = package / "outputs" / "methods_references.py"
    code = listing.read_text().split("def references_text", 1)[1] + "".join(
        path.read_text() for path in package.rglob("*.py") if path != listing
    )
    table = listing.read_text().split("ANALYSIS_KEYS", 1)[1].split("def ", 1)[0]
    unused = [key for key in REFERENCES if f'"{key}"' not in code + table]
    assert not unused, unused


def test_a_work_without_its_authors_can_be_found():
    """A review: the bibliography records no authors for two works; the list gives their
    PubMed numbers and says to take the authors from there, so a protocol can cite them."""
    for key, pmid in (("topiramate", "PMID 15557515"), ("jacals", "PMID 38323575")):
        assert pmid in REFERENCES[key] and "authors not recorded here" in REFERENCES[key]


@pytest.mark.parametrize(
    ("overrides", "unread"),
    [
        ({"sources.deaths": "Registry D 2025", "dropout.death_monthly_hazard": 0.0}, ["deaths"]),
        (
            {"sources.delta_fs": "Registry F 2025", "sources.delta_fs_corr": "Registry C 2025"},
            ["delta_fs", "delta_fs_corr"],
        ),
        ({"sources.effect": "Registry E 2025", "effect.source": "posterior"}, ["effect"]),
        (
            {
                "sources.effect": "Registry E 2025",
                "sources.deaths": "Registry D 2025",
                "sources.decline": "Registry L 2025",
            },
            [],
        ),
        ({"sources.delta_fs": "Registry F 2025", "enrichment.delta_fs_min": 0.3}, []),
    ],
)
def test_a_source_no_methods_text_prints_is_named(overrides, unread):
    """``unread_sources`` names exactly the given sources that neither the inputs' list nor
    the dropout paragraph prints (the CLI warns with these lines)."""
    from designs.outputs.methods_dropout import also_simulated, attrition_source
    from designs.outputs.methods_inputs import unread_sources

    design = load_design("default").with_overrides(overrides)
    lines = unread_sources(design)
    assert [line.split(":")[0] for line in lines] == [f"sources.{n}" for n in unread]
    printed = "\n".join(inputs_text(design)) + also_simulated(design) + attrition_source(design)
    for name, text in design.sources.given.items():
        assert (text in printed) == (name not in unread), name


def test_a_slowing_of_the_candidates_decline_is_not_cited_as_the_threshold_alone():
    """A grant review: under delta-FS screening the design's 25% of the candidates' decline
    (+0.255 points/month) is 30% of the admitted patients' (0.852 points/month), and was
    cited as "the smallest slowing rated meaningful", which is of the treated patients'
    decline. The line now says so, with what 25% of theirs would be."""
    design = load_design("proact_enriched_dfs")
    line = next(x for x in inputs_text(design) if x.startswith("- Effect"))
    admitted = -design.enrichment.admitted_slope(design.population)[0]
    assert f"the admitted patients decline {admitted:.3g} points/month" in line
    assert f"so this is {design.admitted_share:.0f}% of theirs" in line
    assert f"(25% of theirs would be {0.25 * admitted:+.3g} points/month)" in line
    assert "Castrillo-Viguera et al. 2010" in line  # the source is still cited
    plain = next(x for x in inputs_text(load_design()) if x.startswith("- Effect"))
    assert "of theirs" not in plain  # no screening: the threshold as published
