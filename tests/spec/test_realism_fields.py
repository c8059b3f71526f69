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
