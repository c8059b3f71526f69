"""The methods text's data-generating mechanism, as a reader who re-implements it needs it
(an ADEMP review, Morris, White & Crowther 2019): the residuals' distribution, how exits
happen, and whether the effect is the same for every treated patient."""

from __future__ import annotations

from designs import load_design
from designs.outputs.methods_dropout import EXIT_MECHANICS, effect_spread_text


def test_the_effects_spread_is_said():
    design = load_design()
    assert effect_spread_text(design) == "the same for every treated patient"
    spread = design.with_overrides({"effect.sd": 0.1})
    assert effect_spread_text(spread) == "spread across treated patients with SD 0.1 points/month"


def test_how_an_exit_happens_is_said():
    assert "continuous time" in EXIT_MECHANICS
    # independent of leaving given the slope, as docs/conventions.md says (a diff review: not
    # unconditionally, both may depend on decline)
    assert "independent of leaving given the patient's slope" in EXIT_MECHANICS
    assert "the baseline visit is always observed" in EXIT_MECHANICS
