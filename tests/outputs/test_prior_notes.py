"""Notes beside the posterior rule's numbers (designs.outputs.prior_notes)."""

import pytest

from designs.outputs.prior_notes import margin_note


@pytest.mark.parametrize(("margin", "way"), [(0.1, "more"), (-0.1, "less")])
def test_the_margin_note_says_which_way_success_moves_at_the_margin(margin, way):
    """Success rises with the true effect, so at a margin above 0 the rule succeeds more
    often than with no effect and at one below 0 less often (a review: calibrate said "more"
    for both)."""
    note = margin_note(margin)
    assert f"with a true effect of {margin:g} points/month it succeeds {way} often" in note
    assert margin_note(0.0) == ""


def test_the_borrowing_caveat_says_phase_2_counts_twice_in_assurance():
    """A Bayesian review: assurance draws the effect from the phase 2 posterior and judges
    the trial with a prior built from it; methods.md's caveats did not say so."""
    from designs.outputs.prior_notes import borrowing_caveat
    from designs.spec import load_design

    rule = {"decision.rule": "posterior", "decision.prior": "robust"}
    borrowing = load_design("default").with_overrides({**rule, "decision.prior_weight": 0.5})
    text = borrowing_caveat(borrowing)
    assert "phase 2 counts twice there: in the effect and in the prior" in text
    assert "prior_weight.md" in text
    assert borrowing_caveat(borrowing.with_overrides({"decision.prior_weight": 0.0})) == ""
    assert borrowing_caveat(load_design("default")) == ""
