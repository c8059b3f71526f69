"""The convergence figures kept in a posterior file (progression.convergence): the same as
computed from its draws, used only for the draws they were computed from, so a warm run
needs no ArviZ."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from progression import convergence, model


def _posterior_like(seed: int = 1) -> xr.DataTree:
    """A small stand-in with what the check reads: 4 chains x 200 draws of each population
    parameter, divergences in sample_stats, and the attributes of a file of ours."""
    rng = np.random.default_rng(seed)
    post = xr.Dataset(
        {p: (("chain", "draw"), rng.normal(size=(4, 200))) for p in model.POPULATION_PARAMS}
    )
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((4, 200), dtype=bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    tree.attrs = {
        "model_version": model.MODEL_VERSION,
        "data_sha256": "x",
        "seed": 1,
        "illustrative_data": 1,
    }
    return tree


def test_a_saved_posterior_keeps_its_figures_and_they_equal_the_computed_ones(
    tmp_path, monkeypatch
):
    idata = _posterior_like()
    back = model.load_posterior(model.save_posterior(idata, tmp_path / "p.nc"))
    assert convergence.CONVERGENCE_ATTR in back.attrs
    expected = convergence.computed(back)

    def no_arviz(idata):
        raise AssertionError("computed although the file holds the figures of these draws")

    monkeypatch.setattr(convergence, "computed", no_arviz)
    assert convergence.convergence(back) == expected


def test_figures_of_other_draws_are_not_used(tmp_path, monkeypatch):
    back = model.load_posterior(model.save_posterior(_posterior_like(), tmp_path / "p.nc"))
    other = _posterior_like(seed=2)
    other.attrs[convergence.CONVERGENCE_ATTR] = back.attrs[convergence.CONVERGENCE_ATTR]
    monkeypatch.setattr(convergence, "computed", lambda idata: "computed")
    assert convergence.convergence(other) == "computed"
    other.attrs[convergence.CONVERGENCE_ATTR] = "not json"
    assert convergence.convergence(other) == "computed"


def test_a_file_without_population_parameters_is_saved_without_figures(tmp_path):
    tree = _posterior_like()
    tree["sample_stats"] = xr.DataTree(xr.Dataset({"lp": (("chain", "draw"), np.zeros((4, 2)))}))
    model.save_posterior(tree, tmp_path / "p.nc")
    assert convergence.CONVERGENCE_ATTR not in tree.attrs


@pytest.mark.parametrize("missing", ["max_rhat", "posterior_sha256"])
def test_incomplete_stored_figures_are_recomputed(tmp_path, monkeypatch, missing):
    import json

    back = model.load_posterior(model.save_posterior(_posterior_like(), tmp_path / "p.nc"))
    stored = json.loads(back.attrs[convergence.CONVERGENCE_ATTR])
    del stored[missing]
    back.attrs[convergence.CONVERGENCE_ATTR] = json.dumps(stored)
    monkeypatch.setattr(convergence, "computed", lambda idata: "computed")
    assert convergence.convergence(back) == "computed"


def test_figures_taken_from_the_callers_summary_are_those_computed(tmp_path, monkeypatch):
    """``simulate.py fit`` computes the summary once and hands it to save_posterior: the file
    keeps the same figures (the same JSON text) as when save_posterior computes them."""
    from progression.diagnostics import fit_summary, population_summary

    idata = _posterior_like()
    computed_file = model.save_posterior(idata.copy(), tmp_path / "computed.nc")
    summary = fit_summary(idata, population_summary(idata))

    def no_arviz(idata):
        raise AssertionError("computed although the caller gave its summary")

    monkeypatch.setattr(convergence, "computed", no_arviz)
    given_file = model.save_posterior(idata.copy(), tmp_path / "given.nc", summary)
    computed_text = model.load_posterior(computed_file).attrs[convergence.CONVERGENCE_ATTR]
    given_text = model.load_posterior(given_file).attrs[convergence.CONVERGENCE_ATTR]
    assert given_text == computed_text
    assert convergence.convergence(model.load_posterior(given_file))["divergences"] == 0
