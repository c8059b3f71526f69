"""The posterior rule under a time course of the effect (a Bayesian review): a borrowing
prior is of the phase 2 slope change from the first dose, the full effect, while the slope
analysis then estimates the effect's mean over the follow-up; at looks, predictive futility
stops more trials with a real effect that grows (0.485 at look 1 against 0.163 from month 0,
on the enriched design). Neither was said."""

from __future__ import annotations

from types import SimpleNamespace

from designs.outputs.console import power_notes
from designs.outputs.prior_notes import time_course_prior_notes
from designs.spec import load_design

LATE = {"effect.onset_delay_months": 3, "effect.ramp_months": 3}
ROBUST = {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
LOOKS = {
    "interim.looks": [0.5, 1],
    "decision.futility_predictive": 0.1,
    "trial.sides": 1,
    "trial.alpha": 0.025,
}


def test_a_borrowing_prior_under_a_late_effect_is_said_to_be_of_the_full_effect():
    design = load_design("proact_enriched_dfs").with_overrides({**ROBUST, **LATE})
    (note,) = time_course_prior_notes(design)
    # by hand: 0.255 x (1.5 + 6) / 12 = 0.159 (the ramp's 3 months at half, then 6 full)
    assert "(+0.159 points/month against the full +0.255)" in note
    assert "the prior and the estimate are of different quantities" in note
    # power's notes carry it (a summary with no bias to note)
    s = SimpleNamespace(analysis="lmm_slope", trials=100, failed_fits=0, bias=0.0, sd_estimate=0.1)
    assert note in power_notes(design, [s])
    looks = design.with_overrides(LOOKS)
    borrowed, futility = time_course_prior_notes(looks, at_looks=True)
    assert borrowed == note
    assert "the predictive futility rule stops more trials with a real effect" in futility


def test_no_note_where_the_prior_or_the_course_does_not_differ():
    enriched = load_design("proact_enriched_dfs")
    cases = {
        "full effect from month 0": enriched.with_overrides(ROBUST),
        "the test, not the posterior rule": enriched.with_overrides(LATE),
        "an effect that wanes after the last visit": enriched.with_overrides(
            {**ROBUST, "effect.wane_after_months": 24}
        ),
    }
    for name, design in cases.items():
        assert time_course_prior_notes(design, at_looks=True) == [], name
    # a vague prior borrows nothing: only the futility note, and only for a growing effect
    vague = {**ROBUST, "decision.prior": "vague", **LATE, **LOOKS}
    (only,) = time_course_prior_notes(enriched.with_overrides(vague), at_looks=True)
    assert only.startswith("note: the predictive probability of final success projects")
    waning = {**vague, "effect.onset_delay_months": 0, "effect.ramp_months": 0}
    waning["effect.wane_after_months"] = 6
    assert time_course_prior_notes(enriched.with_overrides(waning), at_looks=True) == []


def test_the_prior_line_says_which_decline_the_transport_scales(fake_posterior):
    """A Bayesian review: on the enriched design the prior scaled the admitted patients'
    decline (0.852) where the design's own effect scales the candidates' (1.02), and the
    prior line said "proportional transport" only."""
    from designs.outputs.console import prior_text
    from designs.planning.decision_rule import decision_prior, phase2_effect_prior

    enriched = load_design("proact_enriched_dfs").with_overrides(ROBUST)
    prior = decision_prior(enriched, phase2=phase2_effect_prior(enriched, fake_posterior()))
    text = prior_text(enriched, prior)
    assert (
        "(weight 0.5, proportional transport: the phase 2 slowing times the admitted "
        "patients' mean decline, as a mixture of normals)"
    ) in text
    plain = load_design().with_overrides(ROBUST)
    assert "times the design's mean decline (0.5 points/month)" in prior_text(
        plain, decision_prior(plain, phase2=phase2_effect_prior(plain, fake_posterior()))
    )
    absolute = plain.with_overrides({"effect.transport": "absolute"})
    assert "(weight 0.5, absolute transport, as a mixture of normals)" in prior_text(
        absolute,
        decision_prior(absolute, phase2=phase2_effect_prior(absolute, fake_posterior())),
    )


def test_what_the_prior_is_worth_says_its_unit_under_unequal_allocation():
    """An allocation review: "worth 7.6 patients per arm, its phase 2 part 21.5" at 100
    placebo + 200 active read as 21.5 of one arm's patients; the unit is one patient in
    each arm of a 1:1 trial, now said, with the total."""
    from designs.outputs.prior_notes import worth_text

    worth = {"prior": 7.6, "phase2": 21.5}
    equal = load_design()
    assert worth_text(worth, equal) == (
        "; worth 7.6 patients per arm, its phase 2 part 21.5 (effective sample size, ELIR)"
    )
    two_to_one = equal.with_overrides(
        {"trial.allocation.active": 2, "trial.n_per_arm": None, "trial.n_total": 300}
    )
    assert worth_text(worth, two_to_one) == (
        "; worth 7.6 patients in each arm of a 1:1 trial (15.2 in total), its phase 2 part "
        "21.5 (43.0 in total) (effective sample size, ELIR)"
    )
    assert worth_text(None, two_to_one) == ""
