"""The published dropout schedule is read at the months it was published for (a visit-
schedule review: the default's 13 shares gone by months 0-12 were put at months 0, 2, ...,
24 when only the visits were changed, 39.4% gone by month 24 where the published hazard
carried forward gives 60.5% with deaths, and n 153 per arm where it gives 176)."""

from __future__ import annotations

import math

import pytest

from designs.errors import InputError
from designs.spec import load_design

EVERY_2 = [float(m) for m in range(0, 25, 2)]


def test_the_published_schedule_at_other_months_is_refused_naming_its_carry():
    design = load_design()
    with pytest.raises(InputError, match=r"^dropout\.cumulative: these are the published") as e:
        design.with_overrides({"trial.visits_months": EVERY_2})
    shown = str(e.value).split("give dropout.cumulative = [")[1].split("]")[0]
    carried = [float(x) for x in shown.split(", ")]
    # by hand: the published share at month 12 stays at month 12 (the 7th visit); at month
    # 24 the months 11-12 hazard h carries on for 12 months: 1 - (1 - F12) exp(-12 h)
    published = design.dropout.cumulative
    h = math.log((1 - published[11]) / (1 - published[12]))
    assert carried[6] == pytest.approx(published[12], abs=5e-5)
    assert carried[12] == pytest.approx(1 - (1 - published[12]) * math.exp(-12 * h), abs=5e-5)
    # beyond month 12 the carry is said to be an assumption below the published prediction
    assert "van Eijk et al. (2025) predict 55.6% gone, deaths included" in str(e.value)
    # the carry given is accepted
    given = design.with_overrides({"trial.visits_months": EVERY_2, "dropout.cumulative": carried})
    assert list(given.dropout.cumulative) == carried
    # another number of visits (refused before for the count alone) gets the carry too, the
    # same shares at the months both schedules have (a diff review)
    quarterly = [float(m) for m in range(0, 25, 3)]
    with pytest.raises(InputError, match=r"^dropout\.cumulative: these are the published") as q:
        design.with_overrides({"trial.visits_months": quarterly})
    shown = str(q.value).split("give dropout.cumulative = [")[1].split("]")[0]
    by_quarter = [float(x) for x in shown.split(", ")]
    assert by_quarter[4] == carried[6] and by_quarter[8] == carried[12]  # months 12 and 24
    with pytest.raises(InputError, match="published shares") as w:  # within months 0-12
        design.with_overrides({"trial.visits_months": [0.0, 3.0, 6.0, 9.0, 12.0]})
    assert "55.6%" not in str(w.value) and "0.3327]" in str(w.value)


def test_other_schedules_are_left_alone():
    """A hazard, one's own shares, and the published shares at their own months are kept."""
    design = load_design()
    hazard = {"trial.visits_months": EVERY_2, "dropout.cumulative": []}
    hazard["dropout.monthly_hazard"] = 0.03
    assert design.with_overrides(hazard).dropout.monthly_hazard == 0.03
    own = [0.0] + [0.02 * k for k in range(1, 13)]
    mine = design.with_overrides({"trial.visits_months": EVERY_2, "dropout.cumulative": own})
    assert list(mine.dropout.cumulative) == own
    lead_in = load_design("proact_lead_in")  # the library's designs load as they are
    assert list(lead_in.dropout.cumulative) == list(design.dropout.cumulative)
