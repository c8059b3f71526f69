"""A unit switched on the page keeps the trial: the number is carried over (a usability
review: "in total" kept 100, halving the trial; "points/month" kept 25)."""

import math

import pytest

from designs.explorer.controls import PERCENT, POINTS
from designs.explorer.units import switched_effect, switched_size


@pytest.mark.parametrize(
    ("n", "mode", "want"),
    [(100, "total", 200), (200, "per_arm", 100), (201, "per_arm", 101), (3, "per_arm", 2)],
)
def test_patients_per_arm_and_in_total(n, mode, want):
    assert switched_size(n, mode) == want


def test_the_effect_in_points_and_in_percent_is_the_same_slowing():
    assert switched_effect(25, POINTS, -0.5) == 0.125  # 25% of 0.5 points/month
    assert switched_effect(0.125, PERCENT, -0.5) == 25.0
    assert switched_effect(-10, POINTS, -0.5) == -0.05  # a harm stays a harm
    for x in (7.3, 33.33, 150.0):  # there and back again, to the digits shown
        there = switched_effect(x, POINTS, -0.37)
        assert switched_effect(there, PERCENT, -0.37) == pytest.approx(x, abs=1e-3)


@pytest.mark.parametrize("bad", [None, math.nan, "", True])
def test_nothing_to_carry_over_from_an_empty_or_refused_box(bad):
    assert switched_size(bad, "total") is None
    assert switched_effect(bad, POINTS, -0.5) is None
    assert switched_effect(25, POINTS, 0.0) is None  # no decline: no percentage of it
