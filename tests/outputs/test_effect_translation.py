"""An effect said back the same way wherever it is read (an effect-translation review: a
slope difference was never given as a share of the decline, so CENTAUR's 0.42 points/month,
a 25% slowing there, ran as 84% of this population's decline without a word; under a time
course "true +0.078" stood beside "+0.125 points/month" unexplained and the operating
characteristics' "true effect" was the full one; the delta-FS caption dropped the admitted
patients' share; sweep printed "effect 0.2" with no unit)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from designs import load_design

POINTS = {"effect.kind": "slope_difference", "effect.value": 0.451}


def test_a_slope_difference_is_given_as_a_share_of_the_mean_decline():
    design = load_design().with_overrides(POINTS)
    assert design.population.slope_mean == -0.5  # 0.451 / 0.5 = 90.2%
    assert design.decline_share_text() == " (90.2% of the mean decline)"
    assert "slope difference +0.451 points/month (90.2% of the mean decline)" in (design.describe())
    assert load_design().decline_share_text() == ""  # a % slowing says its points already


def test_under_screening_the_share_is_the_candidates_and_the_admitted_patients():
    design = load_design("proact_enriched_dfs").with_overrides(POINTS)
    admitted = design.admitted_share
    assert admitted is not None
    slope = design.population.slope_mean
    text = design.decline_share_text()
    assert text.startswith(f" ({100 * 0.451 / -slope:.3g}% of the candidates' mean decline")
    assert f"{admitted:.3g}% of the admitted patients'" in text


def test_the_sample_size_caption_says_both_shares():
    from designs.outputs.tables import _effect_text

    row = SimpleNamespace(effect_points_per_month=0.255)
    dfs = load_design("proact_enriched_dfs")
    text = _effect_text(dfs, row)
    assert f"({0.255:+.3g} points/month: {dfs.admitted_share:.0f}% of the admitted" in text
    points = load_design().with_overrides(POINTS)
    row = SimpleNamespace(effect_points_per_month=0.451)
    assert _effect_text(points, row) == (
        "slope difference +0.451 points/month (90.2% of the mean decline)"
    )


@pytest.mark.parametrize(
    ("kind", "candidates", "expected"),
    [
        ("slope_difference", False, "+0.100 points/month (20% of the mean decline)"),
        ("slope_difference", True, "+0.100 points/month (20% of the candidates' mean decline)"),
        ("proportional_slowing", False, "10% slowing (+0.050 points/month)"),
    ],
)
def test_sweep_legends_say_the_share_too(kind, candidates, expected):
    from designs.outputs.plotting import effect_text

    value = 0.1
    assert effect_text(value, kind, -0.5, candidates) == expected


def test_the_operating_table_names_the_full_effect_under_a_time_course():
    from designs.outputs.operating_tables import effect_table

    oc = {
        "power_by_effect": [
            {
                "effect": e,
                "effect_points_per_month": e * 0.5,
                "power_favourable": 0.5,
                "mc_se": 0.05,
                "trials": 100,
                "estimator": "plain",
            }
            for e in (0.0, 0.25)
        ],
        "effect_kind": "proportional_slowing",
        "effect": 0.25,
        "n_per_arm": 100,
        "n_total": 200,
        "analysis": "lmm_slope",
    }
    plain = load_design()
    header, _, caption = effect_table(oc, plain)
    assert header[0] == "true effect" and "time course" not in caption
    delayed = plain.with_overrides({"effect.onset_delay_months": 3, "effect.ramp_months": 3})
    header, _, caption = effect_table(oc, delayed)
    assert header[0] == "effect at full strength"
    assert f"acting with the design's time course ({delayed.effect.course_text()})" in caption


def test_the_reports_calendar_names_the_ramp_and_who_the_rate_counts():
    """An accrual review: the operating characteristics and the methods said "49.1 accrual
    at 8/month" for a design whose ramp-up (2 and 5 a month for 6 months) made it 49.1 (at 8
    a month 366 patients take 45.75), and no calendar line said the rate counts patients
    randomised (under screening more must start it)."""
    from designs.outputs.calendar import accrual_words

    plain = load_design()
    assert accrual_words(plain, 25.0) == "at 8 patients randomised a month"
    ramp = plain.with_overrides(
        {"accrual.ramp_rate_per_month": [2, 5], "accrual.ramp_until_month": [3, 6]}
    )
    assert accrual_words(ramp, 49.125) == (
        "(2/month to month 3, 5/month to month 6, then 8/month, patients randomised)"
    )
    from designs.outputs.operating_tables import operating_rows
    from designs.planning.operating import operating_characteristics

    oc = operating_characteristics(ramp, 183, 50, 3, "lmm_slope")
    (row,) = [value for name, value in operating_rows(oc, ramp) if name == "calendar length"]
    # 21 patients by month 6, then 345 at 8 a month: 49.125 months, then 12 of follow-up
    assert row == (
        "61.1 months = 49.1 accrual (2/month to month 3, 5/month to month 6, then 8/month, "
        "patients randomised) + 12 follow-up"
    )


def test_the_inputs_call_the_effects_time_course_and_spread_assumptions():
    """A grant writer's review: with the effect acting from month 3, "Where the inputs come
    from" credited the whole effect to the clinicians' survey."""
    from designs.outputs.methods_inputs import NO_SOURCE, input_sources

    plain = input_sources(load_design())
    assert not any(line.startswith(("Time course", "Spread of the effect")) for line in plain)
    shaped = load_design().with_overrides({"effect.onset_delay_months": 3, "effect.sd": 0.1})
    lines = input_sources(shaped)
    assert f"Time course of the effect (acting from month 3): {NO_SOURCE}; the source " in (
        "\n".join(lines)
    )
    assert (
        f"Spread of the effect between treated patients (SD 0.1 points/month): {NO_SOURCE}."
        in lines
    )
    assert lines[-1].startswith("Accrual")


def test_the_effect_tables_type_i_row_has_four_decimals():
    """A paste-ready review: "0.025 (0.00041)" at effect 0 rounded away whether 0.02517 is
    above a one-sided level of 0.025."""
    from designs.outputs.operating_tables import effect_table

    oc = {
        "power_by_effect": [
            {"effect": 0.0, "effect_points_per_month": 0.0, "power_favourable": 0.02517,
             "mc_se": 0.00041, "trials": 21_112, "estimator": "plain"},
            {"effect": 0.25, "effect_points_per_month": 0.125, "power_favourable": 0.8123,
             "mc_se": 0.009, "trials": 2_000, "estimator": "plain"},
        ],
        "effect_kind": "proportional_slowing", "effect": 0.25, "n_per_arm": 183,
        "n_total": 366, "analysis": "lmm_slope",
    }  # fmt: skip
    _, rows, _ = effect_table(oc, load_design())
    assert rows[0][-1] == "0.0252 (0.00041)" and rows[1][-1] == "0.812 (0.0090)"


def test_a_course_that_bends_nothing_within_the_follow_up_is_not_said_in_the_table():
    """A diff review: waning from month 30 of a 12-month trial was captioned "its mean over
    the follow-up ... is smaller", where the effect is full throughout."""
    from designs.outputs.operating_tables import _course_clause

    late = load_design().with_overrides({"effect.wane_after_months": 30})
    assert _course_clause(late) == ""
    delayed = load_design().with_overrides({"effect.onset_delay_months": 3})
    assert _course_clause(delayed).endswith("about what a slope analysis estimates, is smaller")


def test_the_source_above_is_named_only_where_there_is_one():
    from designs.outputs.methods_inputs import input_sources

    mine = load_design().with_overrides({"effect.onset_delay_months": 3, "effect.value": 0.3})
    (line,) = [x for x in input_sources(mine) if x.startswith("Time course")]
    assert "source above" not in line


def test_the_calendar_says_how_far_random_arrivals_move_the_end_of_accrual():
    """An accrual review: the calendar length is exact to 0.1 month with no word that it
    assumes randomisation at exactly the rate. With Poisson arrivals at 8 a month the 200th
    patient comes at a Gamma(200, 8) time: its central 95% half-width from 400,000 draws
    (MC error well under 1%) against the clause's 1.96 sqrt(200) / 8 = 3.46 months."""
    from designs.outputs.calendar import calendar_text

    text = calendar_text(load_design())
    assert text.endswith(
        "(Accrual at exactly that rate: with patients arriving at random at it, it ends "
        "within about ±3.5 months of that, 95%.)"
    )
    draws = np.random.default_rng(3).gamma(200, 1 / 8, 400_000)
    low, high = np.quantile(draws, [0.025, 0.975])
    assert (high - low) / 2 == pytest.approx(3.46, rel=0.02)
