"""Looks given as calendar months or as the fraction of patients past their last visit, and
accrual with a ramp-up (``[accrual]``): planning and simulation use one accrual model."""

import numpy as np
import pytest

from designs.errors import InputError
from designs.planning.group_sequential import planned_boundaries
from designs.planning.look_times import expected_information, look_times
from designs.planning.operating import calendar_length
from designs.simulation.engine_looks import run_trials_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

ONE_SIDED = {"trial.sides": 1, "trial.alpha": 0.025}
RAMP = {"accrual.ramp_rate_per_month": [2.0, 5.0], "accrual.ramp_until_month": [3.0, 6.0]}


@pytest.fixture(scope="module")
def base():
    return load_design(None).with_overrides(ONE_SIDED)


def test_looks_in_months_at_the_months_of_fraction_looks_are_the_same_looks(base):
    """Fractions [0.4, 0.7, 1] put the looks at months m; looks given as those months have
    expected fractions [0.4, 0.7, 1] and the same boundaries. Tolerance: the expected
    information averages over 2,000 entry months, so it is a step function of the month
    with steps of about 1/2,000 of the information; the root lands on a step (2e-4 in the
    fraction, which moves an O'Brien-Fleming boundary at 0.4 by under 1e-3)."""
    by_info = base.with_overrides({"interim.looks": [0.4, 0.7, 1.0]})
    t_info = look_times(by_info)
    by_month = base.with_overrides({"interim.look_months": list(t_info.months)})
    t_month = look_times(by_month)
    np.testing.assert_allclose(t_month.fractions, [0.4, 0.7, 1.0], atol=2e-4)
    np.testing.assert_allclose(t_month.months, t_info.months)
    a = planned_boundaries(by_info).efficacy_z
    b = planned_boundaries(by_month).efficacy_z
    np.testing.assert_allclose(a, b, atol=1e-3)
    assert "looks at months" in by_month.describe()


def test_looks_in_months_are_spent_at_their_expected_information(base):
    """An early look in months (18 of 37): its fraction is the expected information then,
    below the 0.5 the looks = [0.5, 1] design reaches at month 18.6, and the boundary is
    that of the fraction, not of an equal split."""
    d = base.with_overrides({"interim.look_months": [18.0, 37.0]})
    t = look_times(d)
    i_max = expected_information(d, 37.0)[0]
    assert t.fractions[0] == pytest.approx(expected_information(d, 18.0)[0] / i_max)
    assert 0.4 < t.fractions[0] < 0.5
    eff = planned_boundaries(d).efficacy_z
    eff_half = planned_boundaries(base.with_overrides({"interim.looks": [0.5, 1.0]})).efficacy_z
    assert eff[0] > eff_half[0]  # O'Brien-Fleming type: earlier is stricter


def test_look_completed_is_at_the_accrual_quantile_plus_follow_up(base):
    """Uniform accrual of 200 at 8 a month over 25 months: half the patients are past their
    last visit (month 12) at 0.5 x 25 + 12 = 24.5 months; with the ramp (2/month to 3, 5 to
    6, then 8) half the patients (100) are in at 6 + (100 - 21) / 8 = 15.875."""
    t = look_times(base.with_overrides({"interim.look_completed": [0.5, 1.0]}))
    np.testing.assert_allclose(t.months, [24.5, 37.0])
    t = look_times(base.with_overrides({"interim.look_completed": [0.5, 1.0], **RAMP}))
    np.testing.assert_allclose(t.months, [15.875 + 12, 6 + 179 / 8 + 12])


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"interim.look_months": [18.0, 30.0]}, "before the last patient's last visit"),
        ({"interim.look_months": [37.0, 40.0]}, "only the last may be"),
        ({"interim.look_months": [0.5, 37.0]}, "no information about the slope yet"),
        ({"interim.look_months": [20.0, 18.0, 37.0]}, "strictly increasing"),
        ({"interim.look_months": [-1.0, 37.0]}, "must be months > 0"),
        ({"interim.look_completed": [0.5, 0.9]}, "must end at 1"),
        ({"interim.look_completed": [0.0, 1.0]}, "must lie in (0, 1]"),
    ],
)
def test_bad_looks_are_refused_naming_the_field(base, overrides, words):
    field = next(iter(overrides))
    with pytest.raises(InputError, match=field.replace(".", r"\.")) as err:
        look_times(base.with_overrides(overrides))
    assert words in str(err.value)


def test_one_way_of_giving_the_looks():
    from designs.spec.design import TrialDesign

    with pytest.raises(InputError, match="give the looks one way"):
        TrialDesign.from_dict({"interim": {"looks": [0.5, 1], "look_months": [18, 37]}})
    # an override of one way replaces the design's other way
    d = load_design(None).with_overrides({"interim.looks": [0.5, 1.0]})
    d2 = d.with_overrides({"interim.look_months": [20.0, 37.0]})
    assert d2.interim.looks == () and d2.interim.looks_as == "look_months"
    d3 = d2.with_overrides({"interim.look_completed": [0.5, 1.0]})
    assert d3.interim.looks_as == "look_completed" and d3.interim.look_months == ()
    assert d3.interim.sequential


def test_accrual_ramp_knots_and_calendar_length(base):
    from designs.spec.accrual import Accrual

    ramp = Accrual((2.0, 5.0), (3.0, 6.0))
    fr, mo = ramp.knots(200, 8.0)  # 6 by month 3, 21 by month 6, then 8/month
    np.testing.assert_allclose(fr, [0, 6 / 200, 21 / 200, 1])
    np.testing.assert_allclose(mo, [0, 3, 6, 6 + 179 / 8])
    fr, mo = ramp.knots(10, 8.0)  # accrual ends inside the ramp: 6 by month 3, 4 more at 5
    np.testing.assert_allclose(mo, [0, 3, 3.8])
    np.testing.assert_allclose(fr, [0, 0.6, 1])
    d = base.with_overrides(RAMP)
    assert calendar_length(d)["accrual_months"] == pytest.approx(6 + 179 / 8)
    assert calendar_length(base)["accrual_months"] == pytest.approx(25.0)
    assert "accrual 2/month to month 3" in d.describe()
    assert "[accrual]" in d.to_toml() and "[accrual]" not in base.to_toml()
    with pytest.raises(InputError, match=r"accrual\.ramp_until_month"):
        base.with_overrides({"accrual.ramp_rate_per_month": [2.0]})
    with pytest.raises(InputError, match=r"accrual\.ramp_rate_per_month"):
        base.with_overrides({**RAMP, "accrual.ramp_rate_per_month": [0.0, 5.0]})


def test_simulated_entries_follow_the_ramp(base):
    """The kernel draws entries from the ramp's accrual: the mean number randomised by
    months 3, 6, 15 and 25 equals n_total F(month) within 4 MC SE (binomial per trial,
    SE sqrt(n F (1 - F) / trials)); uniform entries would put 24 of 200 in by month 3, not 6."""
    d = base.with_overrides({**RAMP, "trial.n_per_arm": 100, "interim.looks": [0.5, 1.0]})
    t = look_times(d)
    months = np.array([3.0, 6.0, 15.0, 25.0, t.months[-1]])
    trials = 200
    res = run_trials_at_looks(
        simulation_inputs(d),
        trials,
        5,
        "ols_slope_ttest",
        months,
        t.accrual_months,
        accrual_knots=t.entry_knots,
    )
    n = d.trial.n_total
    p = np.interp(months, t.entry_knots[1], t.entry_knots[0])
    se = np.sqrt(n * p * (1 - p) / trials)
    np.testing.assert_array_less(np.abs(res.entered.mean(axis=0) - n * p), 4 * se + 1e-9)
    assert np.all(res.entered[:, -1] == n)
    # one and two threads: the same numbers
    one = run_trials_at_looks(
        simulation_inputs(d), 40, 9, "lmm_slope", t.months, t.accrual_months,
        accrual_knots=t.entry_knots, threads=1,
    )  # fmt: skip
    two = run_trials_at_looks(
        simulation_inputs(d), 40, 9, "lmm_slope", t.months, t.accrual_months,
        accrual_knots=t.entry_knots, threads=2,
    )  # fmt: skip
    np.testing.assert_array_equal(one.results, two.results)
    np.testing.assert_array_equal(one.entered, two.entered)
