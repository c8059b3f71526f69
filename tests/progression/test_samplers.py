"""The phase 2 fit with nutpie's NUTS (progression.samplers): the same posterior file format
as PyMC's, the same convergence gates, the same posterior within Monte Carlo error, and a
cache key of its own."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from designs.errors import InputError
from progression import diagnostics, model
from progression.samplers import NUTPIE_TO_PYMC

SEED = 20240101  # the seed of the shared `posterior` fit (conftest.py)


@pytest.fixture(scope="module")
def nutpie_posterior(phase2):
    """The default fit settings, sampled by nutpie."""
    return model.fit(phase2, seed=SEED, progressbar=False, nuts_sampler="nutpie")


@pytest.mark.slow
def test_nutpie_meets_the_convergence_targets(nutpie_posterior):
    s = diagnostics.fit_summary(nutpie_posterior)
    assert s["divergences"] == 0
    assert s["max_rhat"] <= 1.01
    assert s["min_ess_bulk"] >= 400


@pytest.mark.slow
def test_nutpie_writes_the_same_file_format_as_pymc(nutpie_posterior, posterior, tmp_path):
    assert set(nutpie_posterior.children) == set(posterior.children)
    for group in ("posterior", "posterior_predictive", "log_likelihood", "observed_data"):
        ours, theirs = nutpie_posterior[group], posterior[group]
        assert set(ours.data_vars) == set(theirs.data_vars), group
        for name in theirs.data_vars:
            assert ours[name].dims == theirs[name].dims, (group, name)
            assert ours[name].attrs.get("units") == theirs[name].attrs.get("units"), name
    # the files' attributes: saving adds the checksum and convergence figures (in place, so
    # the shared PyMC fit has them once any earlier test saved it)
    pymc_file = model.load_posterior(model.save_posterior(posterior, tmp_path / "p.nc"))
    nutpie_file = model.load_posterior(model.save_posterior(nutpie_posterior, tmp_path / "n.nc"))
    assert set(nutpie_file.attrs) - {"nutpie_version"} == set(pymc_file.attrs)
    assert nutpie_posterior.attrs["sampler"] == "nutpie"
    assert posterior.attrs["sampler"] == "pymc"
    stats = nutpie_posterior["sample_stats"]
    assert all(stats[v].dtype.kind in "biuf" for v in stats.data_vars)  # numbers only
    assert set(NUTPIE_TO_PYMC.values()) | {"diverging"} <= set(stats.data_vars)
    assert set(NUTPIE_TO_PYMC.values()) | {"diverging"} <= set(posterior["sample_stats"])
    assert nutpie_file.attrs["sampler"] == "nutpie"
    np.testing.assert_array_equal(
        nutpie_file["posterior"]["delta"].values, nutpie_posterior["posterior"]["delta"].values
    )


def _mcse(az, idata, name: str) -> float:
    """ArviZ's Monte Carlo SE of the posterior mean of ``name``."""
    result = az.mcse(idata, var_names=[name])
    if isinstance(result, xr.DataTree):  # ArviZ 1.x: the posterior node or its parent
        result = (result["posterior"] if "posterior" in result.children else result).to_dataset()
    return float(result[name])


@pytest.mark.slow
def test_nutpie_and_pymc_sample_the_same_posterior(nutpie_posterior, posterior):
    """Posterior means of the population parameters agree within Monte Carlo error: the
    difference over sqrt(MCSE_1^2 + MCSE_2^2) (ArviZ's MCSE of the mean, from the bulk ESS)
    is a standard normal when both samplers target the same posterior; |z| < 4.5 for each of
    the 7 parameters fails by chance with probability below 1e-4."""
    import arviz as az

    for name in model.POPULATION_PARAMS:
        a = nutpie_posterior["posterior"][name]
        b = posterior["posterior"][name]
        se_a, se_b = (_mcse(az, idata, name) for idata in (nutpie_posterior, posterior))
        z = (float(a.mean()) - float(b.mean())) / np.hypot(se_a, se_b)
        assert abs(z) < 4.5, (name, z)


def test_the_sampler_is_part_of_the_cache_key(phase2, tmp_path):
    pymc_path = model.cache_path(phase2, tmp_path, seed=SEED)
    assert model.cache_path(phase2, tmp_path, seed=SEED, sampler="pymc") == pymc_path
    assert model.cache_path(phase2, tmp_path, seed=SEED, sampler="nutpie") != pymc_path


def test_cached_fit_passes_the_sampler_and_never_reuses_another_samplers_file(
    phase2, tmp_path, monkeypatch
):
    samplers = []

    def fake_fit(*args, nuts_sampler, **kwargs):
        samplers.append(nuts_sampler)
        raise RuntimeError("stop")  # no fit needed: only the call is checked

    monkeypatch.setattr(model, "fit", fake_fit)
    for sampler in ("nutpie", "pymc"):
        with pytest.raises(RuntimeError, match="stop"):
            model.cached_fit(phase2, tmp_path, seed=SEED, sampler=sampler)
    assert samplers == ["nutpie", "pymc"]


def test_an_unknown_sampler_is_refused_with_its_name():
    with pytest.raises(InputError, match=r"^sampler: 'stan' is not one of pymc, nutpie"):
        model.fit(nuts_sampler="stan")
    with pytest.raises(InputError, match=r"^sampler:"):
        model.cache_path(None, ".", sampler="stan")


def test_the_command_line_refuses_an_unknown_sampler_in_one_line(tmp_path, capsys):
    from designs.cli.main import main

    out = tmp_path / "post.nc"
    assert main(["fit", "--sampler", "stan", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--sampler" in err[0] and "'stan'" in err[0], err
    assert not out.exists()
