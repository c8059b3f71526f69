"""``ancova_change`` on real data: the last scheduled visit is the month most records end at,
few completers are flagged, and no usable patient is explained."""

import numpy as np
import pandas as pd
import pytest

from designs.analyses.ancova_change import fit_data, modal_last_visit
from designs.errors import InputError


def schedule(n=10, last=12, seed=0):
    """``n`` patients per arm with monthly visits 0..last, a fifth leaving at month 5."""
    rng = np.random.default_rng(seed)
    rows = []
    for arm in (0, 1):
        for i in range(n):
            end = 5 if i % 5 == 0 else last
            a, s = 38 + 3 * rng.standard_normal(), -0.9 + 0.3 * arm + 0.3 * rng.standard_normal()
            for t in range(end + 1):
                rows.append((f"p{arm}{i}", arm, float(t), round(a + s * t + rng.standard_normal())))
    return pd.DataFrame(rows, columns=["patient", "arm", "month", "alsfrs_r"])


def test_a_few_off_schedule_late_visits_do_not_move_the_last_visit():
    data = schedule()
    late = data[(data["month"] == 12) & data["patient"].isin(["p01", "p02", "p11", "p12"])]
    with_late = pd.concat([data, late.assign(month=13.0, alsfrs_r=late["alsfrs_r"] - 1)])
    ref = fit_data(data)
    got = fit_data(with_late)
    assert "month 0 to month 12" in got.estimand
    assert (got.n_placebo, got.n_active) == (8, 8)
    assert got.estimate == ref.estimate and got.se == ref.se
    # the 4 who left at month 5 are said, by arm, with the strategy (a missing-data review:
    # 65 of 200 were left out without a word)
    assert ref.warnings == (
        "ancova_change: 4 of 20 patients (2 of 10 placebo, 2 of 10 active) are left out, not "
        "seen at both month 0 and month 12: the change is estimated among completers only, "
        "who differ from the randomised arms when leaving depends on decline",
    )
    # the 4 late visits are said, with the option that would take them
    assert got.warnings[0] == ref.warnings[0] and len(got.warnings) == 2
    assert "(12 of 20 patients); 4 have visits after it (up to month 13)" in got.warnings[1]
    assert "--last-month" in got.warnings[1]
    # asked for month 13: 2 + 2 completers, and a warning that says so
    at13 = fit_data(with_late, last_month=13)
    assert (at13.n_placebo, at13.n_active) == (2, 2)
    assert len(at13.warnings) == 1 and "only 4 of 20 patients" in at13.warnings[0]


def test_modal_last_visit_takes_the_later_month_on_a_tie():
    months = [np.arange(4.0), np.arange(7.0), np.arange(4.0), np.arange(7.0), np.arange(2.0)]
    assert modal_last_visit(months) == 6.0


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d[d["month"] != 0], "0 of 20 patients have a visit at exactly month 0"),
        (
            lambda d: d.assign(month=np.where(d["month"] > 0, d["month"] + 0.25, 0.1)),
            "0 of 20 patients have a visit at exactly month 0, 16 at exactly month 12.25",
        ),
    ],
)
def test_no_usable_patient_says_which_visit_is_missing(change, says):
    with pytest.raises(InputError, match=says) as info:
        fit_data(change(schedule()))
    assert "\n" not in str(info.value)


def test_heavy_attrition_that_moves_the_last_visit_early_is_said():
    """Review finding: with most patients gone by month 1 the month most records end at was
    month 1, and the change to month 1 was reported without a word while the engine analyses
    month 12."""
    data = schedule()
    early = data[(data["month"] <= 1) | data["patient"].isin(["p01", "p02", "p11", "p12"])]
    got = fit_data(early)
    assert "month 0 to month 1" in got.estimand
    assert any(
        "the last visit taken is month 1" in w and "(16 of 20 patients); 4 have visits after" in w
        for w in got.warnings
    )
    (line,) = fit_data(early, last_month=12).warnings
    assert line.startswith("ancova_change: only 4 of 20")
    # by arm, with the strategy (a diff review: said only when fewer were left out)
    assert "the others (8 of 10 placebo, 8 of 10 active) are left out, and the completers " in line


def test_visit_months_off_their_schedule_are_named_as_the_cause():
    """A DMC statistician's review: real visit windows (months 2.9, 6.1, ...) left 12 of 80
    patients as completers and the warning named no cause. Visits moved by 0.2 months either
    way (baseline kept): the warning says the months vary around a schedule; scheduled months
    with the same few completers (a heavy attrition) do not say so."""
    data = schedule(n=20)
    rng = np.random.default_rng(3)
    shift = rng.choice([-0.2, 0.0, 0.0, 0.2], len(data))
    moved = data.assign(month=np.where(data["month"] > 0, data["month"] + shift, 0.0).round(2))
    got = fit_data(moved, last_month=12)
    (line,) = [w for w in got.warnings if w.startswith("ancova_change: only")]
    assert "the visit months vary around a schedule (" in line
    assert "give the scheduled (nominal) visit months" in line
    few = data[(data["month"] <= 11) | data["patient"].isin(["p01", "p02", "p11", "p12"])]
    (line,) = [w for w in fit_data(few, last_month=12).warnings if "only" in w]
    assert line.startswith("ancova_change: only 4 of 40") and "vary around" not in line


def test_completers_without_a_baseline_are_named():
    """A DMC statistician's review: completers without a month-0 visit were left out without
    a word (49 to 45 patients) where fewer than half were not."""
    data = schedule()
    gone = data[~((data["month"] == 0) & data["patient"].isin(["p01", "p12"]))]
    got = fit_data(gone)
    assert (got.n_placebo, got.n_active) == (7, 7)
    assert got.warnings == (
        "ancova_change: 6 of 20 patients (3 of 10 placebo, 3 of 10 active) are left out, not "
        "seen at both month 0 and month 12: the change is estimated among completers only, "
        "who differ from the randomised arms when leaving depends on decline; 2 of them were "
        "seen at month 12 but have no visit at month 0 (the baseline the change is from)",
    )
    (line,) = fit_data(data).warnings
    assert "4 of 20 patients" in line and "no visit at month 0" not in line
    one = data[~((data["month"] == 0) & (data["patient"] == "p01"))]  # singular (a review)
    (line,) = fit_data(one).warnings
    assert line.endswith("; 1 of them was seen at month 12 but has no visit at month 0 (the "
                         "baseline the change is from)")  # fmt: skip
