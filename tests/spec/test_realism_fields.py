"""The realism fields of the design (enrichment, lead-in, delta-FS, curvature, informative
exits): off by default, validated in one line, round-tripped through TOML."""

import numpy as np
import pytest

from designs.errors import InputError
from designs.spec import load_design


def test_default_design_switches_every_realism_option_off_but_deaths():
    d = load_design()
    assert d.dropout.informative == 0 and d.dropout.death_informative == 0
    # Deaths are split off the published all-cause attrition (docs/references.md), not added.
    assert d.dropout.death_monthly_hazard == 0.004
    assert not d.enrichment.active
    assert d.trial.lead_in_months == 0 and d.population.curvature == 0
    assert d.enrichment.delta_fs_admit_probability(d.population) == 1.0


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"trial.analysis": "slope_change_lead_in"}, "needs trial.lead_in_months > 0"),
        ({"enrichment.lead_in_decline_min": 1.0}, "needs trial.lead_in_months > 0"),
        ({"enrichment.delta_fs_min": 5.0}, "must admit >= 0.001"),
        ({"enrichment.delta_fs_min": 1.0, "enrichment.delta_fs_max": 0.5}, "delta_fs_max"),
        ({"trial.lead_in_months": 2.5}, "whole multiple"),
        ({"trial.lead_in_months": -1.0}, "trial.lead_in_months"),
        ({"population.delta_fs_mean": 0.0}, "population.delta_fs_mean"),
        ({"population.delta_fs_slope_corr": 1.5}, "population.delta_fs_slope_corr"),
        ({"enrichment.mystery": 1}, "enrichment.mystery: unknown key"),
    ],
)
def test_new_fields_are_validated_in_one_line(overrides, named):
    with pytest.raises(InputError) as info:
        load_design(None).with_overrides(overrides)
    assert named in str(info.value) and "\n" not in str(info.value)


def test_new_fields_round_trip_through_toml():
    import tomllib

    from designs.spec import TrialDesign

    d = load_design("proact_enriched_dfs").with_overrides(
        {"trial.lead_in_months": 3.0, "population.curvature": 0.2}
    )
    assert TrialDesign.from_dict(tomllib.loads(d.to_toml())) == d
    np.testing.assert_array_equal(d.trial.lead_in_visits, [-3.0, -2.0, -1.0])
    assert "lead-in" in d.describe() and "delta-FS" in d.describe()


def test_the_admitted_patients_slope_under_delta_fs_screening():
    """Review finding: with enrichment, proportional_slowing is a fraction of the CANDIDATES'
    decline, while the design's line showed the candidates' slope as if it were the trial's.
    The admitted patients' slope (closed form of the screening) is now shown beside it.

    Reference: the engine's screening drawn directly with NumPy (w = -rho z_s + sqrt(1 -
    rho^2) z', admitted when delta-FS = exp(mu + sd w) lies in the range), 400,000
    candidates; tolerance 4 Monte Carlo SE of the admitted mean and of its SD."""
    import math

    import numpy as np

    from designs.spec import load_design

    design = load_design("proact_enriched_dfs")
    p, en = design.population, design.enrichment
    mean, sd = en.admitted_slope(p)
    rng = np.random.default_rng(7)
    z_s, z4 = rng.standard_normal((2, 400_000))
    rho = p.delta_fs_slope_corr
    w = -rho * z_s + math.sqrt(1 - rho**2) * z4
    mu, log_sd = p.delta_fs_log_params
    dfs = np.exp(mu + log_sd * w)
    slope = (p.slope_mean + p.slope_sd * z_s)[(dfs >= en.delta_fs_min) & (dfs <= en.delta_fs_max)]
    se_mean = slope.std() / math.sqrt(slope.size)
    assert abs(mean - slope.mean()) < 4 * se_mean
    assert abs(sd - slope.std()) < 4 * slope.std() / math.sqrt(2 * slope.size)
    assert mean > p.slope_mean  # the rule admits the slower decliners
    line = design.describe()
    assert "among candidates" in line and "of the candidates' decline" in line
    share = 100 * design.effect.slope_shift(p.slope_mean) / -mean
    assert f"{share:.0f}% of the admitted patients' decline" in line
    # no screening: the line is as before
    assert load_design().enrichment.admitted_slope(load_design().population) is None
    assert "candidates" not in load_design().describe()


def test_who_leaves_more_often_follows_each_coefficients_sign():
    """A realism review: the bias note and the methods said "faster decliners leave or die
    more often" also for a negative coefficient and for deaths at no informative hazard."""
    from designs.spec import load_design

    base = load_design()  # a dropout schedule, no deaths
    assert base.dropout.informative_text == ""
    faster = base.with_overrides({"dropout.informative": 1.5}).dropout.informative_text
    assert faster == "faster decliners leave more often"
    slower = base.with_overrides({"dropout.informative": -1.5}).dropout.informative_text
    assert slower == "slower decliners leave more often"
    # an informative death with no death hazard acts on nobody: not named
    idle = base.with_overrides(
        {"dropout.death_monthly_hazard": 0.0, "dropout.death_informative": 1.0}
    ).dropout.informative_text
    assert idle == ""
    dies = base.with_overrides({"dropout.death_informative": 1.0}).dropout.informative_text
    assert dies == "faster decliners die more often"  # the default design's deaths
    both = base.with_overrides(
        {
            "dropout.informative": 1.5,
            "dropout.death_monthly_hazard": 0.02,
            "dropout.death_informative": -1.0,
        }
    ).dropout.informative_text
    assert both == "faster decliners leave more often; slower decliners die more often"


def test_under_lead_in_screening_the_candidates_fraction_is_kept():
    """A realism review: under lead-in screening the design line said "placebo arm's
    fraction kept" beside "among those admitted the fraction differs" (42.4% of the admitted
    placebo patients gone against 36.4% of the candidates); it now names the candidates."""
    from designs.spec import load_design

    screened = load_design("proact_lead_in").with_overrides(
        {"enrichment.lead_in_decline_min": 1.0, "dropout.informative": 1.5}
    )
    line = screened.describe()
    assert "the candidates' fraction kept" in line and "placebo arm's fraction kept" not in line
    plain = load_design().with_overrides({"dropout.informative": 1.5}).describe()
    assert "placebo arm's fraction kept" in plain


def test_a_coefficient_with_no_exits_to_move_is_not_said_to_be_simulated():
    """A missing-data review: informative death 4 with no death hazard (and informative
    dropout with no dropout) moved nobody, yet the design line, the realism items and the
    methods text said it was simulated ('dies 54.6 times as often')."""
    from designs.outputs.methods_dropout import also_simulated
    from designs.outputs.realism_table import realism_items
    from designs.spec.estimand import estimand_text

    base = load_design()
    idle = base.with_overrides(
        {"dropout.death_monthly_hazard": 0.0, "dropout.death_informative": 4.0}
    )
    assert idle.dropout.acting_informative == (0.0, 0.0)
    assert "informative" not in idle.describe()
    assert not any("informative" in item for item in realism_items(idle))
    assert "54.6 times" not in also_simulated(idle)
    assert estimand_text(idle) == estimand_text(base.with_overrides(
        {"dropout.death_monthly_hazard": 0.0}))  # fmt: skip
    no_dropout = base.with_overrides({"dropout.cumulative": [], "dropout.informative": 2.0})
    assert no_dropout.dropout.acting_informative == (0.0, 0.0)
    assert "informative" not in no_dropout.describe()
    # with exits to move, each is said (the default design has deaths and a schedule)
    acting = base.with_overrides({"dropout.death_informative": 4.0, "dropout.informative": 2.0})
    assert acting.dropout.acting_informative == (2.0, 4.0)
    assert "informative dropout 2 and death 4" in acting.describe()
    assert "54.6 times" in also_simulated(acting)
    assert [i for i in realism_items(acting) if "informative" in i] == [
        "informative dropout (2 per point/month)",
        "informative death (4 per point/month)",
    ]
