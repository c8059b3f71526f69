"""What the lead-in analysis's gain rests on is said (a covariate review: each simulated
patient's true slope is the same before and after randomisation, a correlation of 1 that
makes slope_change_lead_in's n its best case, and nothing said so)."""

from __future__ import annotations

from designs import load_design
from designs.outputs.console import power_notes
from designs.outputs.effect_notes import same_slope_note
from designs.outputs.methods_checks import course_model_clause
from tests.outputs.test_console import _summary


def test_power_notes_say_it_for_the_lead_in_analysis_only():
    lead = load_design("lead_in")
    (note,) = same_slope_note(lead, ["slope_change_lead_in"])
    assert note.startswith("note: slope_change_lead_in: each simulated patient's true slope")
    assert "(a correlation of 1)" in note and "optimistic" in note
    assert same_slope_note(lead, ["lmm_slope"]) == []
    assert same_slope_note(load_design(), ["slope_change_lead_in"]) == []  # no lead-in
    notes = power_notes(lead, [_summary("slope_change_lead_in")])
    assert any("true slope is the same over the lead-in" in n for n in notes)


def test_the_methods_model_says_it():
    clause = course_model_clause(load_design("lead_in"))
    assert clause.startswith(", over the lead-in's visits too (the same true slope s_i")
    assert course_model_clause(load_design()) == ""
    both = load_design("lead_in").with_overrides({"effect.onset_delay_months": 3.0})
    assert "d_i G(t_j)" in course_model_clause(both) and "lead-in" in course_model_clause(both)


def test_the_reports_cautions_say_it():
    from dataclasses import replace

    from designs.outputs.report_cautions import chosen_cautions
    from tests.outputs.test_tables import _row

    row = replace(_row(0.8, 150), analysis="slope_change_lead_in")
    cautions = chosen_cautions([row], load_design("lead_in"))
    assert any(c.startswith("Note: slope_change_lead_in: each simulated") for c in cautions)
    row = _row(0.8, 150)
    assert not any("slope_change_lead_in:" in c for c in chosen_cautions([row], load_design()))
