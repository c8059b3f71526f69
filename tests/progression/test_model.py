"""The progression model (progression.model, progression.diagnostics) on the bundled data:
one real fit (default settings) shared by all tests here; save/load, caching, prior
predictive check, diagnostics and reports."""

from __future__ import annotations

import json
import os

import arviz as az
import numpy as np
import pytest
import xarray as xr

from designs.errors import InputError
from progression import cache_dirs, diagnostics, fit_cache, model, sensitivity
from progression.population import MIN_PHASE2_DECLINE, effect_draws, natural_history_draws
from progression.records import PUBLISHED_DIRECTIONS, per_patient_slopes

# Its fixture fits the phase 2 model with PyMC (about 40-150 s): not in `make test-fast`.
pytestmark = pytest.mark.slow

SEED = 20240101  # the seed of the shared `posterior` fit (conftest.py)


def test_fit_meets_convergence_targets(posterior):
    s = diagnostics.fit_summary(posterior)
    assert s["divergences"] == 0
    assert s["max_rhat"] <= 1.01
    assert s["min_ess_bulk"] >= 400


def test_groups_dims_and_attrs(posterior, phase2):
    for group in (*model.GROUPS, "prior_predictive", "constant_data"):
        assert group in posterior.children, group
    post = posterior["posterior"]
    assert post.sizes["chain"] == 4 and post.sizes["draw"] == 1000
    assert list(post["patient"].values) == phase2.patients
    for v in model.POPULATION_PARAMS:
        assert post[v].dims == ("chain", "draw")
    for v in model.PATIENT_PARAMS:
        assert post[v].dims == ("chain", "draw", "patient")
    attrs = posterior.attrs
    assert attrs["data_sha256"] == phase2.sha256
    assert attrs["model_version"] == model.MODEL_VERSION
    assert attrs["seed"] == SEED
    assert attrs["illustrative_data"] == 1
    np.testing.assert_allclose(
        post["post_slope"].values, post["pre_slope"].values + post["slope_change"].values
    )


def test_save_load_round_trip(posterior, tmp_path):
    path = model.save_posterior(posterior, tmp_path / "sub" / "post.nc")
    assert path.exists()
    assert not list(path.parent.glob("*.tmp"))
    back = model.load_posterior(path)
    assert set(back.children) == set(posterior.children)
    for group in posterior.children:
        xr.testing.assert_identical(posterior[group].to_dataset(), back[group].to_dataset())
    for key, value in posterior.attrs.items():
        assert back.attrs[key] == value, key


def test_load_posterior_refuses_foreign_files(tmp_path):
    foreign = tmp_path / "foreign.nc"
    xr.DataTree(xr.Dataset({"x": ("a", np.arange(3.0))})).to_netcdf(foreign, engine="h5netcdf")
    with pytest.raises(InputError, match="not a posterior written by this tool") as info:
        model.load_posterior(foreign)
    assert "missing attribute 'model_version'" in str(info.value)
    text = tmp_path / "text.nc"
    text.write_text("hello")
    with pytest.raises(InputError, match="cannot read"):
        model.load_posterior(text)


def test_cached_fit_reuses_a_matching_posterior(posterior, phase2, tmp_path, monkeypatch):
    path = model.cache_path(phase2, tmp_path, seed=SEED)
    model.save_posterior(posterior, path)

    def no_fit(*args, **kwargs):
        raise AssertionError("cached_fit sampled although a matching posterior was saved")

    monkeypatch.setattr(model, "fit", no_fit)
    again = model.cached_fit(phase2, tmp_path, seed=SEED)
    xr.testing.assert_identical(
        again["posterior"].to_dataset(), posterior["posterior"].to_dataset()
    )
    # other settings -> other file -> would have to fit
    assert model.cache_path(phase2, tmp_path, seed=SEED + 1) != path
    with pytest.raises(AssertionError, match="sampled"):
        model.cached_fit(phase2, tmp_path, seed=SEED, draws=10)


def test_a_fit_that_cannot_be_kept_is_used_and_said(
    posterior, phase2, tmp_path, monkeypatch, capsys
):
    """An installation review: with a read-only cache the fit stopped with a traceback after
    sampling. Now the fit is returned for this run and a warning says it was not kept."""
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the cache folder would go: cannot be created
    monkeypatch.setattr(model, "fit", lambda *args, **kwargs: posterior)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model, "save_posterior", full)  # nor can the temporary folder
    monkeypatch.setattr(cache_dirs, "private_temp_root", lambda: tmp_path / "private")
    got = model.cached_fit(phase2, blocker / "posterior", seed=SEED)
    assert got is posterior
    err = capsys.readouterr().err
    assert "warning: the phase 2 fit could not be kept in" in err and "ALS_TRIAL_SIM_CACHE" in err
    assert "No space left on device" in err


def test_a_read_only_cache_keeps_the_fit_in_the_private_folder(
    posterior, phase2, tmp_path, monkeypatch, capsys
):
    """Left alone by an installation review: with a cache folder that cannot be written the
    phase 2 model was fitted again on every run (24 s). The fit is now kept in this user's
    private temporary folder, said once, and the next run reuses it without fitting; a fit
    already in the read-only folder is still read from there."""
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the cache folder would go: cannot be created
    private = tmp_path / f"als-trial-sim-{os.getuid()}"  # the kept folder's name
    monkeypatch.setattr(cache_dirs, "private_temp_root", lambda: private)
    fits = []
    monkeypatch.setattr(model, "fit", lambda *a, **k: fits.append(1) or posterior)
    first = model.cached_fit(phase2, blocker / "posterior", seed=SEED, groups=("posterior",))
    err = capsys.readouterr().err
    assert fits == [1] and "cannot be written, so the phase 2 fit is kept in" in err
    assert str(private / "posterior") in err and "warning" not in err
    assert "where the next run looks for it" in err
    kept = list((private / "posterior").glob("phase2_posterior_*.nc"))
    assert len(kept) == 1
    second = model.cached_fit(phase2, blocker / "posterior", seed=SEED, groups=("posterior",))
    assert fits == [1] and capsys.readouterr().err == ""  # reused, nothing said
    a, b = first["posterior"]["delta"].values, second["posterior"]["delta"].values
    np.testing.assert_array_equal(a, b)
    # a read-only folder that holds the fit: read from there, nothing written elsewhere
    shared = tmp_path / "shared"
    shared.mkdir()
    kept[0].rename(shared / kept[0].name)
    shared.chmod(0o555)
    try:
        if os.access(shared, os.W_OK):  # root ignores the mode: a file stands in for it
            monkeypatch.setattr(fit_cache, "could_write", lambda folder: False)
        third = model.cached_fit(phase2, shared, seed=SEED, groups=("posterior",))
    finally:
        shared.chmod(0o755)
    assert fits == [1] and capsys.readouterr().err == ""
    np.testing.assert_array_equal(third["posterior"]["delta"].values, a)
    assert not list((private / "posterior").glob("*.nc"))
    # a fresh folder (the temporary folder was not this user's alone) is for this run only,
    # as its own note says (a diff review: "where the next run looks for it")
    monkeypatch.setattr(cache_dirs, "private_temp_root", lambda: tmp_path / "als-trial-sim-x1")
    model.cached_fit(phase2, blocker / "posterior", seed=SEED, groups=("posterior",))
    err = capsys.readouterr().err
    assert "(for this run only;" in err and "next run" not in err


def test_the_fit_report_names_the_records_it_fitted(posterior):
    """A review of one's own records: the report said "the bundled records are a
    reconstruction" and sent one's own records to ``fit --reconstructions``, which refuses
    ``--data``. Own records marked illustrative get the general caveat; P(delta > 0) is said
    to move with the priors only."""
    saved = dict(posterior.attrs)
    try:
        bundled = diagnostics.format_fit_report(posterior)
        assert "the bundled records are a reconstruction" in bundled
        assert "fit --reconstructions K" in bundled
        posterior.attrs["data_source"] = "clinic/phase2_own.csv"
        own = diagnostics.format_fit_report(posterior)
        assert "bundled" not in own and "--reconstructions" not in own
        assert "the records given are marked as an illustrative reconstruction" in own
        assert "P(delta > 0) holds for these records and these priors only" in own
    finally:
        posterior.attrs = saved


def test_prior_predictive_looks_like_als(posterior):
    """Prior trajectories stay mostly within 0-48 and decline at plausible rates."""
    y = posterior["prior_predictive"]["alsfrs_r"].values.reshape(-1, 80)
    assert ((y >= 0) & (y <= 48)).mean() >= 0.92  # about 0.95 expected; the rest above 48
    month = posterior["constant_data"]["month"].values
    pid = posterior["constant_data"]["patient_index"].values
    slopes = []
    for i in range(5):
        m = month[pid == i]
        x = m - m.mean()
        slopes.append((y[:, pid == i] @ x) / (x @ x))  # whole-record least-squares slope
    slopes = np.concatenate(slopes)
    assert -1.0 < np.median(slopes) < -0.1  # points/month: decline, as ALS does
    assert ((slopes > -3.0) & (slopes < 1.0)).mean() >= 0.95
    pre = posterior["prior"]["pre_slope_mean"].values
    assert ((pre > -1.2) & (pre < 0.0)).mean() >= 0.95


def test_summary_tables_pin_the_projects_95_percent_hdi(posterior):
    with az.rc_context({"stats.ci_prob": 0.5, "stats.ci_kind": "eti"}):
        table = diagnostics.population_summary(posterior)
    assert list(table.index) == list(model.POPULATION_PARAMS)
    delta = posterior["posterior"]["delta"].values.ravel()
    lo, hi = diagnostics._hdi(delta, 0.95)
    assert table.loc["delta", "hdi_low"] == pytest.approx(lo, abs=0.01)
    assert table.loc["delta", "hdi_high"] == pytest.approx(hi, abs=0.01)
    assert ((delta >= lo) & (delta <= hi)).mean() == pytest.approx(0.95, abs=0.005)


def test_the_fit_report_and_notebook_01_use_one_interval_level(posterior, repo_root):
    """95% everywhere (issue 15): the fit report and notebook 01 printed 94% HDIs."""
    text = diagnostics.format_fit_report(posterior)
    assert "95% HDI" in text and "94%" not in text
    cells = json.loads((repo_root / "notebooks" / "01_posterior.ipynb").read_text())["cells"]
    notebook = "".join("".join(cell["source"]) for cell in cells)
    assert "94%" not in notebook and "0.94" not in notebook and "0.97]" not in notebook
    assert 'az.rcParams["stats.ci_prob"] = HDI_PROB' in notebook


def test_fit_summary_and_report(posterior):
    s = diagnostics.fit_summary(posterior)
    for key in (
        "max_rhat",
        "divergences",
        "min_ess_bulk",
        "delta_mean",
        "delta_sd",
        "delta_hdi95",
        "p_delta_positive",
        "illustrative_data",
    ):
        assert key in s
    assert s["illustrative_data"] is True
    assert s["delta_hdi95"][0] < s["delta_mean"] < s["delta_hdi95"][1]
    assert 0.0 <= s["p_delta_positive"] <= 1.0
    # its MC SE from the indicator's ESS (an independent refit's review): at least about the
    # independent-draws binomial SE (ESS near or below the draws: NUTS can beat them a little)
    p, draws = s["p_delta_positive"], posterior["posterior"]["delta"].size
    assert s["p_delta_positive_mc_se"] >= 0.7 * (p * (1 - p) / draws) ** 0.5
    text = diagnostics.format_fit_report(posterior)
    assert f"P(delta > 0) = {p:.3f} (MC SE {s['p_delta_positive_mc_se']:.4f})" in text
    text = diagnostics.format_fit_report(posterior)
    for phrase in ("ILLUSTRATIVE", "uncontrolled", "regression to the mean", "plateaus"):
        assert phrase.lower() in text.lower()
    assert "open label" in text or "open-label" in text
    # the sensitivity table's ESS in whole draws, as the population table (a notebook review:
    # 107.035)
    import pandas as pd

    sens = pd.DataFrame({"delta_mean": [0.2], "min_ess_bulk": [107.035]}, index=["a"])
    table = diagnostics.format_fit_report(posterior, sens).split("Prior sensitivity")[1]
    assert "107.035" not in table and "107" in table


def test_patient_table_beside_raw_slopes(posterior, phase2):
    table = diagnostics.patient_table(posterior)
    raw = per_patient_slopes(phase2)
    np.testing.assert_allclose(table["raw_pre_slope"], raw["pre_slope"])
    np.testing.assert_allclose(table["raw_post_slope"], raw["post_slope"])
    # post-dose slopes rest on 13 visits: posterior close to raw; pre-dose ones are shrunk
    assert np.abs(table["post_slope_mean"] - raw["post_slope"]).max() < 0.15


def test_patient_table_shows_raw_change_and_the_shrinkage(posterior, phase2):
    """Issue 20: the table carries each patient's raw change and its classification beside
    the model's; the note gives the published counts and explains why the model calls the
    raw 'unchanged' patient (P2 in the bundled data: flat before and after) slowed."""
    table = diagnostics.patient_table(posterior)
    raw = per_patient_slopes(phase2)
    np.testing.assert_allclose(table["raw_change"], raw["change"])
    assert list(table["raw_direction"]) == list(raw["direction"])
    counts = table["raw_direction"].value_counts().to_dict()
    assert counts == PUBLISHED_DIRECTIONS  # the reconstruction matches the publication
    assert table.loc["P2", "raw_direction"] == "unchanged"
    # the model's lines meet at month 0: P2's lead-in scores sit above its post-dose line
    assert table.loc["P2", "model_direction"] == "slowed"
    note = diagnostics.direction_note(table, True, posterior)
    assert "Published" in note and "3 slowed, 1 unchanged, 1 sped up" in note
    assert "P2: raw change" in note and "meet at month 0" in note
    assert "P2: pre-dose slope -0.569, change +0.535" in note  # the joined line, alone
    report = diagnostics.format_fit_report(posterior)
    assert note in report and "raw_direction" in report


def test_unlearned_prior_is_flagged(posterior):
    """Issue 20: slope_change_sd keeps its prior SD (about 0.12 against 0.12); the residual
    SD, seen at 80 visits, is learned. The report names the unlearned one."""
    learn = sensitivity.prior_learning(posterior)
    assert learn.loc["slope_change_sd", "sd_ratio"] > sensitivity.NOT_LEARNED_RATIO
    assert learn.loc["residual_sd", "sd_ratio"] < 0.5
    report = diagnostics.format_fit_report(posterior)
    assert "Hardly narrowed by the data" in report and "slope_change_sd (posterior SD" in report
    assert "--reconstructions" in report
    # the mean is given too: a posterior as wide as its prior may have moved (an independent
    # refit: 0.160 under HalfNormal(0.2), sqrt(2/pi) x 0.2, and about 0.24 after)
    import math

    assert learn.loc["slope_change_sd", "prior_mean"] == 0.2 * math.sqrt(2 / math.pi)
    post = posterior["posterior"]["slope_change_sd"].values.mean()
    assert learn.loc["slope_change_sd", "posterior_mean"] == post
    assert f"mean {0.2 * math.sqrt(2 / math.pi):.3f} under the prior, {post:.3f}" in report


def test_posterior_predictive_check(posterior):
    ppc = diagnostics.ppc_summary(posterior)
    assert len(ppc) == 5
    assert ppc["coverage"].mean() >= 0.85
    ppp = ppc[["ppp_pre_slope", "ppp_post_slope", "ppp_resid_sd"]].to_numpy()
    assert ((ppp > 0.01) & (ppp < 0.99)).all()


def test_population_draws_from_the_fit(posterior):
    post = posterior["posterior"]
    delta = post["delta"].values.ravel()
    mu_b = post["pre_slope_mean"].values.ravel()
    np.testing.assert_allclose(effect_draws(posterior, "absolute"), delta)
    declined = mu_b <= -MIN_PHASE2_DECLINE  # a fraction of no decline is undefined
    prop = effect_draws(posterior, "proportional")
    np.testing.assert_allclose(prop[declined], delta[declined] / np.abs(mu_b[declined]))
    np.testing.assert_allclose(prop[~declined], delta[~declined] / np.abs(np.median(mu_b)))
    nh = natural_history_draws(posterior)
    assert (nh["slope_mean"] < 0).mean() > 0.99  # decline, points/month
    assert 30 < nh["baseline_mean"].mean() < 48


def test_posterior_file_describes_itself_and_supports_loo(posterior, tmp_path):
    """Issue 15: units and long names on every variable, the patient and month of each
    observation, and a log_likelihood group (az.loo / az.compare failed without it); the
    file round-trips through save_posterior and load_posterior."""
    back = model.load_posterior(model.save_posterior(posterior, tmp_path / "p.nc"))
    assert back["posterior"]["delta"].attrs["units"] == "points/month"
    for group in ("posterior", "prior", "observed_data", "constant_data", "log_likelihood"):
        for name, var in back[group].data_vars.items():
            assert var.attrs.get("units") and var.attrs.get("long_name"), (group, name)
    obs = back["observed_data"]
    n_obs = obs.sizes["obs"]
    assert obs["obs_patient"].size == n_obs and set(obs["obs_patient"].values) == set(
        back["posterior"]["patient"].values
    )
    months = back["constant_data"]["month"].values
    np.testing.assert_array_equal(obs["obs_month"].values, months)
    loo = az.loo(back)
    assert np.isfinite(loo.elpd) and loo.n_data_points == n_obs
