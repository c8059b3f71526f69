"""A unit switched on the page keeps the trial: the number is carried over (a usability
review: "in total" kept 100, halving the trial; "points/month" kept 25)."""

import math

import pytest

from designs.explorer.controls import PERCENT, POINTS
from designs.explorer.units import carried_over, effect_step, switched_effect, switched_size


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


def _effect(value, kind):
    return switched_effect(value, kind, -0.5)


def test_the_page_reads_the_converted_number_until_the_box_shows_it():
    """An explorer review: after 5 points/month, "% slowing" was simulated as 5% for a
    moment (the server had the new unit before the box had 1000)."""
    c = carried_over(None, 5, PERCENT, _effect)
    assert c.value == 1000.0
    assert c.read(PERCENT, 5) == 1000.0  # the box has not caught up yet
    assert c.read(PERCENT, 1000.0) == 1000.0  # it has
    assert c.read(PERCENT, 40) == 40  # the user typed a number of their own
    assert c.read(POINTS, 5) == 5  # the unit switched back: the page reads the box
    assert c.awaited(5) and not c.awaited(1000.0) and not c.awaited(40)


def test_two_quick_switches_convert_the_number_twice_not_the_stale_one_once():
    """Points -> % -> points before the box shows 1000: 5 points/month stays 5, not 5% of
    the decline read as points (0.025); a third switch before it converts 5 again."""
    first = carried_over(None, 5, PERCENT, _effect)
    second = carried_over(first, 5, POINTS, _effect)  # the box still shows 5
    assert second.value == 5.0
    assert second.read(POINTS, 5) == 5.0
    assert carried_over(first, 1000.0, POINTS, _effect).value == 5.0  # shown by then: same
    # once the box shows 5 nothing is awaited, so 1000 typed afterwards is 1000 (a diff
    # review: 5 stayed among the numbers replaced, and the page read 1000 as 5 for good)
    assert not second.awaited(5) and not second.awaited(1000.0)
    third = carried_over(second, 5, PERCENT, _effect)
    assert third.value == 1000.0 and third.read(PERCENT, 5) == 1000.0


def test_there_and_back_the_box_own_number_is_never_replaced():
    there = carried_over(None, 100, "total", lambda n, mode: switched_size(n, mode))
    back = carried_over(there, 100, "per_arm", lambda n, mode: switched_size(n, mode))
    assert (there.value, back.value) == (200, 100)
    # the box shows 100 already: nothing is awaited, so 200 typed later is 200 (the
    # browser need never report the 200 on its way and the 100 after it)
    assert back.replaced == frozenset() and not back.awaited(200)
    assert back.read("per_arm", 200) == 200 and back.read("per_arm", 100) == 100


@pytest.mark.parametrize("bad", [None, math.nan, ""])
def test_an_empty_box_has_nothing_awaited(bad):
    assert carried_over(None, bad, PERCENT, _effect) is None
    c = carried_over(None, 5, PERCENT, _effect)
    assert c.read(PERCENT, bad) is bad and not c.awaited(bad)


def test_the_effect_box_steps_in_its_unit():
    assert effect_step(PERCENT) == 1 and effect_step(POINTS) == 0.01
