"""The fit's posterior predictive draws in one call (progression.predictive): the same groups
and the same numbers as pm.sample_posterior_predictive, which calls its function once per
draw. The numbers must be equal, not close: the posterior file of a fit must not depend on
which of the two drew them (both run PyTensor's Numba code for the same sums and products and
draw from the same generator in the same order)."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
import xarray as xr

from progression import model as phase2_model
from progression import predictive

STAMPS = ("created_at",)


def _posterior_from_prior(model: pm.Model, chains: int, draws: int, seed: int) -> xr.DataTree:
    """Prior draws of every variable, arranged as a posterior of ``chains`` x ``draws``."""
    with model:
        prior = pm.sample_prior_predictive(draws=chains * draws, random_seed=seed)["prior"]
    names = [v.name for v in (*model.free_RVs, *model.deterministics)]
    post = {}
    for name in names:
        values = prior[name].values[0]
        dims = ("chain", "draw", *prior[name].dims[2:])
        post[name] = (dims, values.reshape(chains, draws, *values.shape[1:]))
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    coords.update({d: prior[d].values for d in prior.dims if d not in ("chain", "draw")})
    return xr.DataTree.from_dict({"posterior": xr.Dataset(post, coords=coords)})


def _same_tree(a: xr.DataTree, b: xr.DataTree) -> None:
    assert set(a.children) == set(b.children)
    for group in a.children:
        x, y = a[group].to_dataset(), b[group].to_dataset()
        assert sorted(x.variables) == sorted(y.variables), group
        for name in x.variables:
            assert x[name].dims == y[name].dims and x[name].dtype == y[name].dtype, name
            assert np.array_equal(x[name].values, y[name].values), f"{group}/{name}"
        drop = {k: v for k, v in x.attrs.items() if k not in STAMPS}
        assert drop == {k: v for k, v in y.attrs.items() if k not in STAMPS}, group


def test_the_fits_predictive_draws_are_pymcs(phase2):
    model = phase2_model.build_model(phase2)
    idata = _posterior_from_prior(model, chains=3, draws=40, seed=5)
    with model:
        expected = pm.sample_posterior_predictive(
            idata.copy(), random_seed=123, extend_inferencedata=True, progressbar=False
        )
    got = predictive.sample_posterior_predictive(idata.copy(), model, 123)
    assert got["posterior_predictive"]["alsfrs_r"].shape == (3, 40, phase2.frame.shape[0])
    _same_tree(expected, got)
    other = predictive.sample_posterior_predictive(idata.copy(), model, 124)
    assert not np.array_equal(
        other["posterior_predictive"]["alsfrs_r"].values,
        got["posterior_predictive"]["alsfrs_r"].values,
    )


def test_a_random_variable_outside_the_trace_is_left_to_pymc(monkeypatch):
    """Drawn once per posterior draw by PyMC, interleaved with the observed scores: vectorised,
    the generator would draw them in another order, so PyMC draws them."""
    with pm.Model() as model:
        x = pm.Normal("x")
        z = pm.Normal("z", x)  # not in the trace below
        pm.Normal("y", z, 1.0, observed=np.zeros(3))
    idata = _posterior_from_prior(model, chains=2, draws=10, seed=1)
    idata["posterior"] = xr.DataTree(idata["posterior"].to_dataset()[["x"]])
    calls = []
    real = pm.sample_posterior_predictive

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pm, "sample_posterior_predictive", counted)
    got = predictive.sample_posterior_predictive(idata.copy(), model, 7)
    assert calls == [1]
    with model:
        expected = real(idata.copy(), random_seed=7, extend_inferencedata=True, progressbar=False)
    _same_tree(expected, got)


@pytest.mark.parametrize("seed", [0, 2**31])
def test_seeds_are_taken_as_pymc_takes_them(phase2, seed):
    model = phase2_model.build_model(phase2)
    idata = _posterior_from_prior(model, chains=2, draws=5, seed=3)
    with model:
        expected = pm.sample_posterior_predictive(
            idata.copy(), random_seed=seed, extend_inferencedata=True, progressbar=False
        )
    got = predictive.sample_posterior_predictive(idata.copy(), model, seed)
    _same_tree(expected, got)
