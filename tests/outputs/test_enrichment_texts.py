"""What the methods text says about screened designs and a lead-in (review of the enrichment
and lead-in designs: the candidates were described as the patients randomised, the screening
load was missing, and the calendar length left out the lead-in)."""

from types import SimpleNamespace

import pytest

from designs.outputs.methods import admitted_share_text, admitted_text, screening_rate_text
from designs.planning.operating import calendar_length
from designs.spec import load_design


def test_the_calendar_length_counts_the_lead_in():
    design = load_design("proact_lead_in")
    c = calendar_length(design)
    assert c["lead_in_months"] == design.trial.lead_in_months > 0
    assert c["calendar_months"] == pytest.approx(
        c["lead_in_months"] + c["accrual_months"] + c["follow_up_months"]
    )
    assert calendar_length(load_design())["lead_in_months"] == 0


def test_screened_designs_name_the_admitted_patients_and_the_screening_load():
    design = load_design("proact_enriched_dfs")
    mean, sd = design.enrichment.admitted_slope(design.population)
    # a mean slope, not "decline -0.852" (read as an improvement; a methods review)
    text = admitted_text(design)
    assert f"the patients admitted have a mean ALSFRS-R slope of {mean:.3g} points/month" in text
    assert f"(SD {sd:.2f})" in text and mean < 0
    shift = design.effect.slope_shift(design.population.slope_mean)
    assert (
        admitted_share_text(design)
        == f"; {100 * shift / -mean:.0f}% of the admitted patients' decline"
    )
    row = SimpleNamespace(screened_per_enrolled=1.36)
    assert "randomising 8 a month means screening about 10.9 candidates a month" in (
        screening_rate_text(design, row)
    )
    plain = load_design()
    assert (
        admitted_text(plain) == admitted_share_text(plain) == screening_rate_text(plain, row) == ""
    )


def test_the_sample_size_notes_give_the_candidates_to_screen():
    """A review: the table gave candidates screened per patient randomised, not how many to
    screen for each n."""
    from types import SimpleNamespace

    from designs.outputs.tables import screening_note

    rows = [
        SimpleNamespace(target_power=0.8, n_total=330, screened_per_enrolled=1.7117),
        SimpleNamespace(target_power=0.9, n_total=440, screened_per_enrolled=1.7),
    ]
    note = screening_note(rows)
    # 330 x 1.7117 = 564.9 -> 565; 440 x 1.7 = 748 exactly (not 749 from rounding noise)
    assert note.startswith("Candidates to screen (expected): 565 for 80%, 748 for 90% (")
    assert (
        screening_note([SimpleNamespace(target_power=0.8, n_total=300, screened_per_enrolled=1.0)])
        == ""
    )


def test_candidates_to_screen_agree_between_the_fixed_and_the_looks_tables():
    """An HTA review: for the same 296 patients the sample-size table said 405 candidates
    (the simulated ratio 1.368, rounded up) and interim.md 404 (296 / 0.7327, the share the
    delta-FS rule admits, checked by hand in an earlier sitting). Under delta-FS screening
    both now give the expectation itself; under lead-in screening (no closed form) the
    simulated ratio stays."""
    from types import SimpleNamespace

    from designs.outputs.sample_size_gs_table import _screening_lines as screening_lines
    from designs.outputs.tables import screening_note

    enriched = load_design("proact_enriched_dfs")
    rows = [SimpleNamespace(target_power=0.8, n_total=296, screened_per_enrolled=1.3682)]
    note = screening_note(rows, enriched)
    assert note.startswith("Candidates to screen (expected): 404 for 80% (patients randomised")
    assert "/ 0.7327, the share of candidates the delta-FS rule admits" in note
    looks = SimpleNamespace(
        target_power=0.8, n_total_max=296, expected_n_total_h1=273.3, expected_n_total_h0=295.3
    )
    (line,) = screening_lines([looks], enriched)
    assert "80%: 404 for n max" in line
    lead_in = load_design("proact_lead_in").with_overrides({"enrichment.lead_in_decline_min": 1.5})
    assert screening_note(rows, lead_in).startswith("Candidates to screen (expected): 405 for")
    # the table's column, the LaTeX note and the methods text say the same 1.36 (a diff
    # review: 1.37, the simulated ratio, beside 404 = 296 / 0.7327)
    from designs.outputs.methods import screening_rate_text
    from designs.outputs.tables import screened_per_randomised

    assert f"{screened_per_randomised(rows[0], enriched):.2f}" == "1.36"
    assert "with about 1.36 candidates screened per patient randomised" in (
        screening_rate_text(enriched, rows[0])
    )
    assert screened_per_randomised(rows[0], lead_in) == 1.3682  # simulated: no closed form
