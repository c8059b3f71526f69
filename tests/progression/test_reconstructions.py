"""Alternative reconstructions of the phase 2 data and the spread of the posterior over them."""

from __future__ import annotations

import numpy as np
import pytest

from progression.errors import InputError
from progression.reconstructions import (
    BUNDLED_SEED,
    MAX_RECONSTRUCTIONS,
    format_spread,
    reconstructed_cohort,
    reconstruction_seeds,
    reconstruction_spread,
    spread_summary,
)
from progression.records import per_patient_slopes


@pytest.mark.parametrize("k", [0, -1, MAX_RECONSTRUCTIONS + 1, True, 2.0])
def test_number_of_reconstructions_is_bounded(k):
    with pytest.raises(InputError, match="--reconstructions"):
        reconstruction_seeds(k)


def test_seeds_are_fixed_and_exclude_the_bundled_one():
    seeds = reconstruction_seeds(3)
    assert seeds == reconstruction_seeds(3)
    assert len(set(seeds)) == 3 and BUNDLED_SEED not in seeds


def test_the_bundled_seed_gives_the_bundled_file(phase2):
    cohort = reconstructed_cohort(BUNDLED_SEED)
    np.testing.assert_array_equal(
        cohort.frame["alsfrs_r"].to_numpy(), phase2.frame["alsfrs_r"].to_numpy()
    )


@pytest.mark.parametrize("seed", reconstruction_seeds(3))
def test_each_alternative_agrees_with_the_published_facts(seed, phase2):
    """Yamashita et al. 2023 (abstract; press release): pre -0.47, post -0.25 points/month,
    3 slowed, 1 unchanged, 1 sped up; baseline 40.6 +- 2.6 (registry)."""
    cohort = reconstructed_cohort(seed)
    assert cohort.illustrative and str(seed) in cohort.source
    assert cohort.sha256 != phase2.sha256
    raw = per_patient_slopes(cohort)
    assert round(raw["pre_slope"].mean(), 2) == -0.47
    assert round(raw["post_slope"].mean(), 2) == -0.25
    assert sorted(raw["direction"]) == ["slowed", "slowed", "slowed", "sped up", "unchanged"]
    assert round(raw["baseline"].mean(), 1) == 40.6
    assert round(raw["baseline"].std(ddof=1), 1) == 2.6


def test_format_spread_reports_the_ranges():
    import pandas as pd

    table = pd.DataFrame(
        {
            "fit_seed": [1, 1],
            "p_delta_positive": [0.81, 0.95],
            "delta_mean": [0.12, 0.25],
            "delta_sd": [0.15, 0.15],
            "pre_slope_mean": [-0.5, -0.5],
            "raw_change_mean": [0.2, 0.2],
            "max_rhat": [1.0, 1.0],
            "divergences": [0, 0],
        },
        index=pd.Index([7, 8], name="reconstruction_seed"),
    )
    s = spread_summary(table)
    assert s["p_delta_positive_range"] == [0.81, 0.95]
    assert s["delta_mean_range"] == [0.12, 0.25]
    text = format_spread(table)
    assert "P(delta > 0) 0.81-0.95" in text and "uncontrolled" in text


@pytest.mark.slow
def test_spread_comes_from_real_refits():
    """Each row equals a separate fit of that seed's cohort with the same sampler settings
    (the sampler is reproducible given its seed), and two cohorts give different posteriors."""
    from progression.diagnostics import p_delta_positive
    from progression.model import fit

    settings = dict(draws=300, tune=300, chains=2, seed=5)
    kept = {}
    table = reconstruction_spread(2, keep=lambda s, idata: kept.setdefault(s, idata), **settings)
    assert list(table.index) == reconstruction_seeds(2)
    assert (table["fit_seed"] == 5).all()
    first = table.index[0]
    again = fit(reconstructed_cohort(first), progressbar=False, **settings)
    assert table.loc[first, "p_delta_positive"] == p_delta_positive(again)
    assert table.loc[first, "p_delta_positive"] == p_delta_positive(kept[first])
    # different data, different posterior: the means differ by far more than the Monte Carlo
    # error of each (delta SD about 0.15, ESS >= 100 here, so MC SE <= 0.015)
    assert table["delta_mean"].nunique() == 2
    assert ((table["p_delta_positive"] > 0) & (table["p_delta_positive"] < 1)).all()


def test_refits_use_the_sampler_asked_for(monkeypatch, tmp_path):
    """Review finding: `fit --sampler pymc --reconstructions K` refitted with nutpie (the
    cached nutpie fits were reused and nothing said which sampler ran)."""
    import progression.model as model
    from progression.reconstructions import reconstruction_spread

    seen = []

    class Stop(Exception):
        pass

    def fake_cached_fit(data, cache_dir, **settings):
        seen.append(settings.get("sampler"))
        raise Stop

    monkeypatch.setattr(model, "cached_fit", fake_cached_fit)
    with pytest.raises(Stop):
        reconstruction_spread(1, draws=100, tune=100, chains=1, cache_dir=tmp_path, sampler="pymc")
    assert seen == ["pymc"]
