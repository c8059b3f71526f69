"""Planning's read of a posterior file with h5py alone (progression.posterior_view): the same
draws, bit for bit, as from xarray's read of the whole file, and the same refusals."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from designs.planning.posterior import load_or_fit_posterior, posterior_draws
from progression import convergence, model, population
from progression.errors import InputError
from progression.posterior_view import PosteriorView, read_view
from progression.records import bundled_sha256

GROUPS = ("posterior", "sample_stats")


def _tree(chains: int = 2, draws: int = 100, seed: int = 0) -> xr.DataTree:
    """A posterior shaped like a fit's: every population parameter (a few draws of
    pre_slope_mean without decline), patient draws, and sampler statistics."""
    rng = np.random.default_rng(seed)
    shape = (chains, draws)
    params = {p: rng.normal(0.5, 0.2, shape) for p in model.POPULATION_PARAMS}
    params["pre_slope_mean"] = rng.normal(-0.5, 0.2, shape)
    params["pre_slope_mean"].reshape(-1)[:3] = 0.01
    post = xr.Dataset(
        {p: (("chain", "draw"), v, {"units": "points"}) for p, v in params.items()}
        | {"level": (("chain", "draw", "patient"), rng.normal(size=(*shape, 3)))},
        coords={"chain": np.arange(chains), "draw": np.arange(draws), "patient": ["a", "b", "c"]},
    )
    stats = xr.Dataset(
        {
            "diverging": (("chain", "draw"), rng.random(shape) < 0.01),
            "tree_depth": (("chain", "draw"), rng.integers(1, 9, shape).astype(np.uint64)),
        },
        coords={"chain": np.arange(chains), "draw": np.arange(draws)},
    )
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    tree.attrs = {
        "model_version": model.MODEL_VERSION,
        "data_sha256": "abc",
        "seed": 7,
        "illustrative_data": 1,
        "draws": draws,
        "chains": chains,
        "priors": json.dumps({"delta_sd": 0.25}),
    }
    return tree


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def test_draws_from_the_view_are_those_from_xarray_bit_for_bit(tmp_path):
    path = model.save_posterior(_tree(), tmp_path / "p.nc")
    whole = model.load_posterior(path)  # xarray, every group
    view = model.load_posterior(path, GROUPS)
    assert isinstance(view, PosteriorView) and isinstance(whole, xr.DataTree)
    for transport in ("proportional", "absolute"):
        assert _sha(posterior_draws(view, transport)) == _sha(posterior_draws(whole, transport))
    got, want = population.natural_history_draws(view), population.natural_history_draws(whole)
    assert {k: _sha(v) for k, v in got.items()} == {k: _sha(v) for k, v in want.items()}
    undefined = population.undefined_proportional_draws(view)
    assert undefined == population.undefined_proportional_draws(whole) >= 3
    assert view.attrs["seed"] == 7 and type(view.attrs["seed"]) is type(whole.attrs["seed"])


def test_a_view_of_a_tree_shares_its_draws(tmp_path):
    tree = _tree()
    view = PosteriorView.from_datatree(tree, GROUPS)
    assert view.to_datatree() is tree
    assert _sha(posterior_draws(view)) == _sha(posterior_draws(tree))
    assert view["posterior"].sizes == dict(tree["posterior"].sizes)


def _write(tree: xr.DataTree, path) -> str:
    tree.to_netcdf(path, engine="h5netcdf")
    return str(path)


def _bad_files(tmp_path) -> dict[str, tuple[str, str]]:
    """name -> (path, part of the message both reads give)."""
    good = model.save_posterior(_tree(), tmp_path / "good.nc")
    raw = good.read_bytes()
    files = {}
    (tmp_path / "text.nc").write_text("not a netCDF file")
    files["text"] = (tmp_path / "text.nc", "cannot read as netCDF")
    (tmp_path / "empty.nc").write_bytes(b"")
    files["empty"] = (tmp_path / "empty.nc", "cannot read as netCDF")
    (tmp_path / "cut.nc").write_bytes(raw[: len(raw) // 2])
    files["truncated"] = (tmp_path / "cut.nc", "cannot read as netCDF")
    xr.Dataset({"x": ("i", np.arange(3))}).to_netcdf(tmp_path / "foreign.nc", engine="h5netcdf")
    files["foreign"] = (tmp_path / "foreign.nc", "missing attribute 'model_version'")
    no_post = _tree()
    del no_post["posterior"]
    files["no posterior"] = (_write(no_post, tmp_path / "np.nc"), "no posterior group")
    old = _tree()
    old.attrs["model_version"] = "phase2-piecewise-v0"
    files["old model"] = (_write(old, tmp_path / "old.nc"), "model version")
    short = _tree()
    short.attrs["draws"] = 1000
    files["incomplete"] = (_write(short, tmp_path / "short.nc"), "incomplete (2 chains x 100")
    edited = model.load_posterior(good)
    post = edited["posterior"].to_dataset()
    post["delta"] = post["delta"] + 1.0
    edited["posterior"] = post
    files["edited"] = (_write(edited, tmp_path / "edited.nc"), "checksum")
    nan = _tree()
    post = nan["posterior"].to_dataset()
    post["delta"] = post["delta"].where(post["draw"] != 5)
    nan["posterior"] = post
    files["not finite"] = (_write(nan, tmp_path / "nan.nc"), "not finite")
    missing = _tree()
    missing["posterior"] = missing["posterior"].to_dataset().drop_vars("delta")
    files["no delta"] = (_write(missing, tmp_path / "nd.nc"), "variable 'delta' is missing")
    text = _tree()
    post = text["posterior"].to_dataset()
    post["pre_slope_mean"] = post["pre_slope_mean"].astype(str)
    text["posterior"] = post
    files["text draws"] = (_write(text, tmp_path / "td.nc"), "not numbers")
    return files


def test_bad_files_are_refused_with_the_messages_of_the_whole_read(tmp_path):
    for name, (path, part) in _bad_files(tmp_path).items():
        with pytest.raises(InputError) as whole:
            model.load_posterior(path)
        with pytest.raises(InputError) as view:
            model.load_posterior(path, GROUPS)
        assert part in str(view.value), name
        if "cannot read" in part:  # h5py's reason in brackets may be worded otherwise
            assert str(whole.value).split("(")[0] == str(view.value).split("(")[0], name
        else:
            assert str(whole.value) == str(view.value), name


def test_random_bytes_never_load_silently_into_a_view(damaged_copies, tmp_path):
    # as tests/progression/test_posterior_checksum.py for the whole read: unreadable, refused
    # by the checksum, or the draws are unchanged
    original = model.save_posterior(_tree(), tmp_path / "p.nc")
    reference = posterior_draws(model.load_posterior(original))
    for path in damaged_copies(original, 24, 11):
        try:
            got = model.load_posterior(path, GROUPS)
        except InputError:
            continue
        np.testing.assert_array_equal(posterior_draws(got), reference)


def test_convergence_of_a_view_without_stored_figures_is_computed_from_its_file(tmp_path):
    path = model.save_posterior(_tree(), tmp_path / "p.nc")
    whole = model.load_posterior(path)
    del whole.attrs[convergence.CONVERGENCE_ATTR]
    bare = _write(whole, tmp_path / "bare.nc")
    view = model.load_posterior(bare, GROUPS)
    assert convergence.CONVERGENCE_ATTR not in view.attrs
    assert convergence.convergence(view) == convergence.computed(whole)
    assert convergence.can_compute(view)


def test_bundled_hash_is_that_of_the_parsed_records(phase2):
    assert bundled_sha256() == phase2.sha256


def test_a_cached_fit_of_the_bundled_data_is_found_without_parsing_them(
    phase2, tmp_path, repo_root
):
    # the cache key needs the records' hash only: the warm main job imports neither pandas
    # (parsing the CSV) nor xarray (reading the file)
    settings = {"draws": 100, "chains": 2, "tune": 1000, "seed": 7, "target_accept": 0.95}
    tree = _tree()
    tree.attrs.update(
        data_sha256=phase2.sha256, priors=model.DEFAULT_PRIORS.to_json(), sampler="nutpie"
    )
    tree.attrs.update(settings)
    path = model.cache_path(phase2, tmp_path, **settings, sampler="nutpie")
    model.save_posterior(tree, path)
    code = (
        "import sys\n"
        "from progression import model\n"
        f"view = model.cached_fit(None, {str(tmp_path)!r}, draws=100, chains=2, seed=7, "
        "groups=('sample_stats',))\n"
        "print(type(view).__name__, sorted(view.children), "
        "[m for m in ('xarray', 'pandas', 'pymc') if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[0] == "PosteriorView ['posterior', 'sample_stats'] []", (
        out.stdout + out.stderr
    )


def test_planning_reads_a_file_into_a_view_and_checks_its_convergence(tmp_path, capsys):
    path = model.save_posterior(_tree(), tmp_path / "p.nc")
    view = load_or_fit_posterior(path)
    assert isinstance(view, PosteriorView) and sorted(view.children) == list(GROUPS)
    no_stats = _tree()
    del no_stats["sample_stats"]
    bare = model.save_posterior(no_stats, tmp_path / "bare.nc")
    assert "sample_stats" not in load_or_fit_posterior(bare).children
    assert "no sample_stats group, convergence not checked" in capsys.readouterr().err
    # sampler statistics but not every population parameter: a warning (was a traceback)
    partial = _tree()
    partial["posterior"] = partial["posterior"].to_dataset()[["delta", "pre_slope_mean"]]
    few = model.save_posterior(partial, tmp_path / "few.nc")
    assert set(load_or_fit_posterior(few).children) == set(GROUPS)
    assert "population parameter" in capsys.readouterr().err


def _with_stat(name: str, values: np.ndarray, encoding: dict | None = None, **attrs):
    tree = _tree()
    stats = tree["sample_stats"].to_dataset()
    stats[name] = ("chain", values, attrs)
    if encoding:
        stats[name].encoding = encoding
    tree["sample_stats"] = stats
    return tree


@pytest.mark.parametrize(
    "tree",
    [
        _with_stat("when", np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]")),
        _with_stat("span", np.array([1, 2], dtype="timedelta64[s]")),
        _with_stat("hours", np.array([1.5, 2.5]), units="hours"),
        _with_stat(
            "scaled",
            np.array([1.5, 2.5]),
            {"scale_factor": 0.5, "dtype": "int16", "_FillValue": -1},
        ),
        _with_stat("filled", np.array([1, 2]), {"_FillValue": -1}),
        _with_stat("flag", np.array([0.0, 1.0]), dtype="bool"),
    ],
    ids=["datetime", "timedelta", "time units", "scale factor", "int fill", "float bool"],
)
def test_encodings_the_view_does_not_decode_are_read_by_xarray(tree, tmp_path):
    path = model.save_posterior(tree, tmp_path / "p.nc")
    assert read_view(path, GROUPS) is None
    view = model.load_posterior(path, GROUPS)
    whole = model.load_posterior(path)
    for group in GROUPS:
        for name, var in whole[group].data_vars.items():
            got = view[group][name]
            assert got.dtype == var.dtype and got.dims == var.dims, name
            assert got.values.tobytes() == var.values.tobytes(), name
    assert _sha(posterior_draws(view)) == _sha(posterior_draws(whole))


def test_units_xarray_cannot_decode_are_refused_by_both_reads(tmp_path):
    """A unit with "since" but not xarray's "<unit> since <date>" (xarray tests "since" in
    the unit and then fails to decode it) is left to xarray by the view too, so both reads
    refuse the file with the same one line (an independent review found the view reading
    it where the whole read refused)."""
    tree = _with_stat("onset", np.array([1.5, 2.5]), units="days_since_onset")
    path = model.save_posterior(tree, tmp_path / "p.nc")
    assert read_view(path, GROUPS) is None
    with pytest.raises(InputError) as whole:
        model.load_posterior(path)
    with pytest.raises(InputError) as view:
        model.load_posterior(path, GROUPS)
    assert "cannot read as netCDF" in str(view.value)
    assert str(whole.value).split("(")[0] == str(view.value).split("(")[0]


def test_a_view_whose_file_is_gone_says_so_in_one_line(tmp_path):
    """The view reads its file again for the whole tree (convergence computed by ArviZ);
    a file removed in between gives the one-line refusal, not a traceback."""
    path = model.save_posterior(_tree(), tmp_path / "p.nc")
    view = model.load_posterior(path, GROUPS)
    path.unlink()
    with pytest.raises(InputError, match="cannot read as netCDF"):
        view.to_datatree()
