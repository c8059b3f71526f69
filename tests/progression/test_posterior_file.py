"""Reading part of a posterior file (progression.posterior_view with h5py alone, and
progression.posterior_file into a DataTree): what is read equals what was written and what
xarray reads from the whole file, without importing Dask (or, for the view, xarray)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from progression import convergence, model, posterior_file
from progression.errors import InputError
from progression.posterior_view import PosteriorView, read_view

GROUPS = ("posterior", "sample_stats")


def _tree(seed: int = 0) -> xr.DataTree:
    """A posterior shaped like a fit's file: draws with units, patients named by strings,
    sampler statistics of every dtype a sampler writes (bool, unsigned, NaN), and groups
    planning does not read (with a non-dimension coordinate)."""
    rng = np.random.default_rng(seed)
    shape = (2, 50)
    patients = np.array(["P1", "P2", "P3"])
    post = xr.Dataset(
        {
            p: (("chain", "draw"), rng.normal(size=shape), {"units": "points"})
            for p in model.POPULATION_PARAMS
        }
        | {"level": (("chain", "draw", "patient"), rng.normal(size=(*shape, 3)))},
        coords={"chain": [0, 1], "draw": np.arange(50), "patient": patients},
        attrs={"sample_dims": ["chain", "draw"], "sampling_time": 2.5},
    )
    energy = rng.normal(size=shape)
    energy[0, :3] = np.nan
    stats = xr.Dataset(
        {
            "diverging": (("chain", "draw"), rng.random(shape) < 0.05),
            "tree_depth": (("chain", "draw"), rng.integers(1, 9, shape).astype(np.uint64)),
            "index_in_trajectory": (("chain", "draw"), rng.integers(-5, 5, shape)),
            "energy_error": (("chain", "draw"), energy),
        },
        coords={"chain": [0, 1], "draw": np.arange(50)},
    )
    obs = xr.Dataset(
        {"alsfrs_r": (("obs",), rng.normal(40, 2, 6))},
        coords={"obs": np.arange(6), "obs_patient": ("obs", np.repeat(patients[:2], 3))},
    )
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats, "observed_data": obs})
    tree.attrs = {
        "model_version": model.MODEL_VERSION,
        "data_sha256": "abc",
        "seed": 7,
        "illustrative_data": 1,
        "priors": json.dumps({"delta_sd": 0.25}),
        "target_accept": 0.95,
    }
    return tree


def _whole(path) -> xr.DataTree:
    with xr.open_datatree(path, engine="h5netcdf") as tree:
        return tree.load().copy()


def _assert_same(part: xr.Dataset, whole: xr.Dataset) -> None:
    xr.testing.assert_identical(part, whole)  # values, dims, coords, attrs
    for name in whole.variables:
        assert part[name].dtype == whole[name].dtype, name
        assert part[name].attrs == whole[name].attrs, name
    assert list(part.data_vars) == list(whole.data_vars)
    for dim in whole.indexes:
        assert part.indexes[dim].equals(whole.indexes[dim])


def _assert_view_same(view, whole: xr.Dataset) -> None:
    """A group of a PosteriorView holds what xarray reads: variables (dims, dtype, bits,
    attributes and their types), sizes and the group's attributes."""
    assert sorted(view.data_vars) == sorted(whole.data_vars)
    assert view.sizes == dict(whole.sizes)
    _assert_same_attrs(view.attrs, dict(whole.attrs))
    for name, var in whole.data_vars.items():
        got = view[name]
        assert got.dims == var.dims, name
        assert got.dtype == var.dtype, name
        assert got.values.tobytes() == var.values.tobytes(), name
        _assert_same_attrs(got.attrs, dict(var.attrs))


def _assert_same_attrs(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert type(got[key]) is type(value), key
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_the_groups_read_equal_what_was_written_and_what_xarray_reads(tmp_path):
    written = _tree()
    path = model.save_posterior(written, tmp_path / "p.nc")
    part = model.load_posterior(path, GROUPS)  # h5py alone: a PosteriorView
    assert isinstance(part, PosteriorView)
    tree = posterior_file.read_groups(path, GROUPS)  # h5netcdf into a DataTree
    whole = _whole(path)
    assert set(part.children) == set(tree.children) == set(GROUPS)  # the rest stays on disk
    for group in GROUPS:
        _assert_view_same(part[group], whole[group].to_dataset())
        _assert_same(tree[group].to_dataset(), whole[group].to_dataset())
        # and what was written (the writer adds no variable; NaN compares equal here)
        xr.testing.assert_equal(tree[group].to_dataset(), written[group].to_dataset())
    for read in (part, tree):
        _assert_same_attrs(read.attrs, whole.attrs)
        assert posterior_file.posterior_checksum(read) == whole.attrs[model.CHECKSUM_ATTR]
        assert convergence.convergence(read) == convergence.computed(whole)


def test_a_group_with_an_encoding_not_handled_is_read_by_xarray(tmp_path):
    # a non-dimension coordinate and a time variable: the group falls back to xarray's
    # decoding, and the result is the same as from the whole file
    tree = _tree()
    stats = tree["sample_stats"].to_dataset()
    stats = stats.assign_coords(label=("chain", ["a", "b"]))
    stats["when"] = ("chain", pd.to_datetime(["2026-01-01", "2026-01-02"]).values)
    stats["scaled"] = ("chain", np.array([1.5, 2.5]))
    stats["scaled"].encoding = {"scale_factor": 0.5, "dtype": "int16", "_FillValue": -1}
    tree["sample_stats"] = stats
    path = model.save_posterior(tree, tmp_path / "p.nc")
    assert read_view(path, GROUPS) is None  # not decoded by h5py alone
    whole = _whole(path)
    part = model.load_posterior(path, GROUPS)
    _assert_view_same(part["sample_stats"], whole["sample_stats"].to_dataset())
    _assert_view_same(part["posterior"], whole["posterior"].to_dataset())
    assert part["sample_stats"]["when"].dtype.kind == "M"
    tree = posterior_file.read_groups(path, GROUPS)
    _assert_same(tree["sample_stats"].to_dataset(), whole["sample_stats"].to_dataset())


def test_a_float_fill_value_other_than_nan_is_masked_as_xarray_does(tmp_path):
    tree = _tree()
    post = tree["posterior"].to_dataset()
    values = post["delta"].values.copy()
    values[0, 0] = np.nan
    post["delta"] = (("chain", "draw"), values)
    post["delta"].encoding = {"_FillValue": -999.0}
    tree["posterior"] = post
    path = tmp_path / "p.nc"
    tree.to_netcdf(path, engine="h5netcdf")  # no checksum: the encoding is the point here
    whole = _whole(path)["posterior"].to_dataset()
    part = posterior_file.read_groups(path, GROUPS)
    _assert_same(part["posterior"].to_dataset(), whole)
    assert np.isnan(part["posterior"]["delta"].values[0, 0])
    view = read_view(path, GROUPS)
    _assert_view_same(view["posterior"], whole)
    assert np.isnan(view["posterior"]["delta"].values[0, 0])


def test_reading_part_keeps_every_check_of_the_whole_read(tmp_path):
    path = model.save_posterior(_tree(), tmp_path / "p.nc")
    edited = _whole(path)
    post = edited["posterior"].to_dataset()
    post["delta"] = post["delta"] + 1.0
    edited["posterior"] = post
    edited.to_netcdf(tmp_path / "edited.nc", engine="h5netcdf")
    with pytest.raises(InputError, match="checksum"):
        model.load_posterior(tmp_path / "edited.nc", GROUPS)
    (tmp_path / "text.nc").write_text("not a netCDF file")
    with pytest.raises(InputError, match="cannot read as netCDF"):
        model.load_posterior(tmp_path / "text.nc", GROUPS)


def test_a_cached_file_given_its_figures_keeps_every_group(phase2, tmp_path, monkeypatch):
    # a file cached before the convergence figures were kept is rewritten once with them; a
    # partial read must not rewrite it with only the groups it read
    settings = {"draws": 50, "chains": 2, "tune": 50, "seed": 7}
    tree = _tree()
    tree.attrs.update(
        data_sha256=phase2.sha256,
        priors=model.DEFAULT_PRIORS.to_json(),
        **{k: v for k, v in settings.items()},
        target_accept=0.95,
        sampler="nutpie",
    )
    path = model.cache_path(phase2, tmp_path, **settings, sampler="nutpie")
    model.save_posterior(tree, path)
    whole = _whole(path)
    del whole.attrs[convergence.CONVERGENCE_ATTR]
    whole.to_netcdf(path, engine="h5netcdf")

    def no_fit(*args, **kwargs):
        raise AssertionError("cached_fit sampled although a matching posterior was saved")

    monkeypatch.setattr(model, "fit", no_fit)
    got = model.cached_fit(phase2, tmp_path, **settings, sampler="nutpie", groups=GROUPS)
    assert set(got.children) == set(GROUPS)
    assert convergence.CONVERGENCE_ATTR in got.attrs
    again = _whole(path)
    assert set(again.children) == {*GROUPS, "observed_data"}
    assert convergence.CONVERGENCE_ATTR in again.attrs


def test_planning_reads_a_posterior_without_importing_xarray(tmp_path, repo_root):
    path = model.save_posterior(_tree(), tmp_path / "p.nc")
    code = (
        "import sys\n"
        "from designs.planning.posterior import load_or_fit_posterior\n"
        f"idata = load_or_fit_posterior({str(path)!r})\n"
        "print(sorted(idata.children), [m for m in ('dask', 'xarray', 'pandas', 'h5netcdf') "
        "if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[0] == "['posterior', 'sample_stats'] []", out.stderr
