"""The abbreviations paragraph of the methods text (a paste-ready review)."""

from __future__ import annotations

from designs.outputs.methods_abbreviations import abbreviations_text


def test_only_the_abbreviations_used_are_spelled_out_in_order():
    text = "Power 0.80 (MC SE 0.004) by REML in ALS; the ALSFRS-R slope's SE; delta-FS 0.4."
    (paragraph, blank) = abbreviations_text(text)
    assert blank == ""
    assert paragraph == (
        "**Abbreviations.** ALS, amyotrophic lateral sclerosis; ALSFRS-R, revised ALS "
        "Functional Rating Scale (12 items scored 0-4, total 0-48 points); delta-FS, (48 - "
        "ALSFRS-R at enrolment) / months since symptom onset, points/month; MC SE, Monte Carlo "
        "standard error; REML, restricted maximum likelihood; SE, standard error."
    )


def test_a_word_inside_another_is_not_an_abbreviation():
    # "ALS" inside "ALSFRS-R", "SE" inside "MC SE" or "SEED", "SD" inside "SDs" are not used
    assert abbreviations_text("ALSFRS-R scores; MC SE 0.01; SEED; SDs") == [
        "**Abbreviations.** ALSFRS-R, revised ALS Functional Rating Scale (12 items scored "
        "0-4, total 0-48 points); MC SE, Monte Carlo standard error.",
        "",
    ]
    assert abbreviations_text("no abbreviation here") == []


def test_the_enriched_designs_sources_are_spelled_out_too():
    """A diff review: JaCALS and "ALS FTD 2024" stood bare in the enriched design's text."""
    (paragraph, _) = abbreviations_text("in JaCALS and PRO-ACT patients (ALS FTD 2024)")
    assert "JaCALS, Japanese Consortium for Amyotrophic Lateral Sclerosis Research" in paragraph
    assert "ALS FTD, the journal Amyotrophic Lateral Sclerosis and Frontotemporal" in paragraph
    assert "ALS, amyotrophic" not in paragraph  # "ALS" only inside "ALS FTD" here
