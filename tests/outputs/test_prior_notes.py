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
