"""The Effect box's refusals are in its own unit and name nothing the page lacks (an explorer
review: 1000% was refused as "effect.value = 10 ... set effect.allow_improvement = true", a
fraction and a field the page does not have)."""

import pytest

from designs.explorer.controls import PERCENT, POINTS, base_values, design_from_values
from designs.explorer.effect_box import _at_most
from designs.explorer.messages import control_messages
from designs.spec import load_design
from designs.spec.improvement import improvement_limit, randomised_decline


def _message(design, kind, x, **more):
    values = {**base_values(design), "effect_kind": kind, "effect": x, **more}
    new, errors = design_from_values(design, values)
    assert (new is None) == bool(errors)
    return control_messages(values, errors).get("effect", "")


@pytest.mark.parametrize(
    ("kind", "x", "says"),
    [
        (PERCENT, 150, "150% slowing: at most 100% ("),
        (PERCENT, 1e7, "1e+07% slowing: at most 100% ("),
        (PERCENT, -2000, "-2000% slowing: must be in [-1000, 100]% slowing"),
        (POINTS, 0.6, "0.6 points/month: at most 0.5 points/month, the patients' mean decline"),
        (POINTS, 20, "20 points/month: must be in [-10, 10] points/month"),
        (POINTS, -20, "-20 points/month: must be in [-10, 10] points/month"),
    ],
)
def test_a_refused_effect_is_said_in_the_boxs_unit(base, kind, x, says):
    message = _message(base, kind, x)
    assert message.startswith(f"Effect: {says}")
    assert "effect.value" not in message and "fraction" not in message
    if "at most" in message:  # the page has no allow_improvement box: the command line does
        assert message.endswith("the command line does, with effect.allow_improvement = true)")


@pytest.mark.parametrize(("kind", "x"), [(PERCENT, 100), (PERCENT, -1000), (POINTS, 0.5)])
def test_the_limits_themselves_are_allowed(base, kind, x):
    assert _message(base, kind, x) == ""


def test_under_screening_the_limit_is_the_screened_patients_decline_shown_allowed():
    """The admitted decline is 0.85164 points/month: the page says 0.8516, which it allows
    (0.852, the decline to 3 digits, would be refused)."""
    enriched = load_design("proact_enriched_dfs")
    decline, screened = randomised_decline(enriched)
    assert screened and round(decline, 4) == 0.8516
    message = _message(enriched, POINTS, 0.852)
    assert "at most 0.8516 points/month, the screened patients' mean decline" in message
    assert _message(enriched, POINTS, 0.8516) == ""
    # in % of the candidates' decline (1.02 points/month): 83.49%, not 100%
    message = _message(enriched, PERCENT, 90)
    assert message.startswith("Effect: 90% slowing: at most 83.49% of the candidates' decline, ")
    assert "the screened patients' mean decline (0.8516 points/month" in message
    assert _message(enriched, PERCENT, 83.49) == ""


def test_screening_changed_with_the_effect_is_said_in_the_boxs_unit_too(base):
    """The box alone is checked against the design's decline; screening set in the same
    change moves it, and the library's refusal is said in the box's unit as well."""
    screened = load_design("proact_unselected").with_overrides({"enrichment.delta_fs_min": 0.8})
    admitted = randomised_decline(screened)[0]
    unscreened = screened.with_overrides({"enrichment.delta_fs_min": 0.0})
    assert randomised_decline(unscreened)[0] < admitted - 0.05
    x = round(admitted - 0.02, 2)  # allowed under screening, above the decline without it
    values = {**base_values(screened), "effect_kind": POINTS, "effect": x, "delta_fs_min": 0}
    new, errors = design_from_values(screened, values)
    assert new is None
    assert errors["effect"].startswith(f"{x:g} points/month: at most ")
    assert "the patients' mean decline" in errors["effect"]  # no longer screened
    assert "effect.value" not in errors["effect"]


def test_the_limit_is_the_pages_own_screening():
    """A diff review: with the delta-FS threshold moved on the page (0.5, where the limit
    is above 90%), 90% was refused against the design's own screening (at most 83.49%),
    which the library accepts on the page's design."""
    enriched = load_design("proact_enriched_dfs")
    moved = enriched.with_overrides({"enrichment.delta_fs_min": 0.5})
    assert improvement_limit(moved) > 0.9 > improvement_limit(enriched)
    assert _message(enriched, PERCENT, 90, delta_fs_min=0.5) == ""
    assert _message(enriched, PERCENT, 90).startswith("Effect: 90% slowing: at most 83.49%")


def test_a_design_that_allows_improvement_keeps_the_librarys_range(base):
    allowed = base.with_overrides({"effect.allow_improvement": True})
    assert _message(allowed, PERCENT, 150) == ""
    assert _message(allowed, POINTS, 5) == ""
    assert (
        _message(allowed, PERCENT, 1500)
        == "Effect: 1500% slowing: must be in [-1000, 1000]% slowing"
    )


@pytest.mark.parametrize(
    ("limit", "shown"), [(0.85164, "0.8516"), (0.5, "0.5"), (1000, "1000"), (12.3456, "12.34")]
)
def test_a_limit_is_shown_rounded_down(limit, shown):
    assert _at_most(limit) == shown
    assert float(shown) <= limit
