"""An interrupted fit never looks finished: it writes nothing, exits 130, and a truncated
posterior file is neither reused from the cache nor accepted as ``--posterior``.

PyMC and nutpie return the draws so far when sampling is interrupted; these tests stand in a
sampler (``progression.samplers.run_nuts``, which both samplers go through) that does exactly
that (no real sampling)."""

import numpy as np
import pytest
import xarray as xr

import simulate
from progression import model, samplers
from progression.errors import InputError


def _partial_sample(*args, **kwargs):
    """What ``pm.sample`` (or nutpie) returns after Ctrl-C: fewer draws than asked for."""
    chains, draws = kwargs["chains"], kwargs["draws"]
    post = xr.Dataset({"delta": (("chain", "draw"), np.zeros((chains, draws // 3)))})
    return xr.DataTree.from_dict({"posterior": post})


def test_interrupted_sampling_raises_instead_of_returning_a_short_posterior(phase2, monkeypatch):
    monkeypatch.setattr(samplers, "run_nuts", _partial_sample)
    with pytest.raises(KeyboardInterrupt):
        model.fit(phase2, draws=300, chains=2, tune=100, seed=1, progressbar=False)


def test_interrupted_fit_command_exits_130_and_writes_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(samplers, "run_nuts", _partial_sample)
    out = tmp_path / "post.nc"
    code = simulate.main(["fit", "--draws", "300", "--tune", "100", "--out", str(out)])
    assert code == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _truncated_file(path, draws=1000, chains=4, **attrs):
    """A posterior file whose attributes claim the full run but which holds fewer draws."""
    post = xr.Dataset({"delta": (("chain", "draw"), np.zeros((chains, 160)))})
    tree = xr.DataTree.from_dict({"posterior": post})
    tree.attrs = {
        "model_version": model.MODEL_VERSION,
        "data_sha256": "0",
        "seed": 1,
        "illustrative_data": 1,
        "draws": draws,
        "chains": chains,
        **attrs,
    }
    tree.to_netcdf(path, engine="h5netcdf")
    return path


def test_truncated_posterior_file_is_refused(tmp_path):
    path = _truncated_file(tmp_path / "short.nc")
    with pytest.raises(InputError, match="incomplete"):
        model.load_posterior(path)


def test_cache_refits_instead_of_reusing_a_truncated_posterior(phase2, tmp_path, monkeypatch):
    settings = dict(draws=1000, chains=4, tune=1000, seed=7, target_accept=0.95)
    path = model.cache_path(phase2, tmp_path, **settings)
    # every attribute the cache key checks matches: only the sizes give it away
    _truncated_file(
        path, data_sha256=phase2.sha256, priors=model.DEFAULT_PRIORS.to_json(), **settings
    )
    calls = []

    def fake_fit(data, priors, progressbar=False, **kw):
        calls.append(kw)
        post = xr.Dataset({"delta": (("chain", "draw"), np.zeros((4, 1000)))})
        tree = xr.DataTree.from_dict({"posterior": post})
        tree.attrs = {"model_version": model.MODEL_VERSION, "data_sha256": data.sha256,
                      "seed": 7, "illustrative_data": 1, "draws": 1000, "chains": 4}  # fmt: skip
        return tree

    monkeypatch.setattr(model, "fit", fake_fit)
    idata = model.cached_fit(phase2, tmp_path, **settings)
    assert len(calls) == 1  # refitted, not reused
    assert idata["posterior"].sizes["draw"] == 1000


def test_interruption_during_tuning_is_an_interruption(phase2, monkeypatch):
    """Before any chain finishes tuning, PyMC raises "Not enough samples to build a trace"
    instead of returning draws: that too is an interruption (exit 130), not a crash."""

    def interrupted_in_tuning(*args, **kwargs):
        raise ValueError("Not enough samples to build a trace.")

    monkeypatch.setattr(samplers, "run_nuts", interrupted_in_tuning)
    with pytest.raises(KeyboardInterrupt):
        model.fit(phase2, draws=300, chains=2, tune=100, seed=1, progressbar=False)


def _nan_filled_sample(*args, **kwargs):
    """What nutpie returns after Ctrl-C: arrays of the full size, the draws it never made NaN
    (here two of four chains never started)."""
    chains, draws = kwargs["chains"], kwargs["draws"]
    values = np.zeros((chains, draws))
    values[chains // 2 :] = np.nan
    post = xr.Dataset({"delta": (("chain", "draw"), values)})
    return xr.DataTree.from_dict({"posterior": post})


def test_a_full_size_posterior_with_missing_draws_is_an_interruption(
    phase2, monkeypatch, tmp_path, capsys
):
    """Review finding: an interrupted nutpie fit passed the size check, was saved, and `fit`
    printed P(delta > 0) = 0.46-0.58 (NaN draws counted as not positive) where the full fit
    gives 0.909; a fit on first use cached it. Now it is an interruption: exit 130, nothing
    written."""
    monkeypatch.setattr(samplers, "run_nuts", _nan_filled_sample)
    with pytest.raises(KeyboardInterrupt):
        model.fit(phase2, draws=300, chains=4, tune=100, seed=1, progressbar=False)
    out = tmp_path / "post.nc"
    code = simulate.main(["fit", "--draws", "300", "--tune", "100", "--out", str(out)])
    assert code == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_nutpie_aborted_before_any_result_is_an_interruption(phase2, monkeypatch):
    """Review finding: Ctrl-C early in nutpie's sampling ended in "ValueError: Sampler has no
    results to take" and a traceback (exit 1)."""

    def aborted(*args, **kwargs):
        raise ValueError("Sampler has no results to take")

    monkeypatch.setattr(samplers, "run_nuts", aborted)
    with pytest.raises(KeyboardInterrupt):
        model.fit(phase2, draws=300, chains=2, tune=100, seed=1, progressbar=False)


def test_ctrl_c_in_the_predictive_draws_is_held_until_they_end(monkeypatch, tmp_path, capsys):
    """A reliability review: Ctrl-C while ``fit`` drew its prior predictive (compiled
    PyTensor and Numba code) segfaulted twice in 30 tries, or ended with a SystemError
    traceback and exit 1. The predictive draws and the log-likelihood now run with the
    signal held: it arrives during the prior predictive draws, the posterior predictive
    draws still run, and the fit then ends as an interruption (130, nothing written)."""
    import os
    import signal

    import pymc as pm

    ran = []

    def complete_sample(*args, **kwargs):
        post = xr.Dataset({"delta": (("chain", "draw"), np.zeros((2, 300)))})
        return xr.DataTree.from_dict({"posterior": post})

    def prior_predictive(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C inside the compiled draws
        ran.append("prior")
        return xr.DataTree()

    monkeypatch.setattr(samplers, "run_nuts", complete_sample)
    monkeypatch.setattr(model, "_complete", lambda *a: True)
    monkeypatch.setattr(model, "_all_drawn", lambda *a: True)
    monkeypatch.setattr(samplers, "numeric_sample_stats", lambda *a: None)
    monkeypatch.setattr(pm, "sample_prior_predictive", prior_predictive)
    monkeypatch.setattr(model, "sample_posterior_predictive", lambda *a: ran.append("ppc"))
    monkeypatch.setattr(pm, "compute_log_likelihood", lambda *a, **k: ran.append("loglik"))
    out = tmp_path / "post.nc"
    code = simulate.main(
        ["fit", "--draws", "300", "--chains", "2", "--tune", "100", "--out", str(out)]
    )
    assert code == 130 and ran == ["prior", "ppc", "loglik"]
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_interruption_surfacing_as_another_exception_is_an_interruption(monkeypatch, capsys):
    """Numba turns a KeyboardInterrupt raised in its callback into "SystemError:
    CPUDispatcher(...) returned a result with an exception set" (a reliability review: a
    traceback and exit 1 after Ctrl-C). After our Ctrl-C such an exception is an
    interruption (130, one line); without one it is a crash as before."""
    import os
    import signal
    import time

    from designs.cli import data_commands

    def compiled(signalled):
        def handler(args):
            try:
                if signalled:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(5)  # the handler raises here
                raise KeyboardInterrupt  # not ours: no signal arrived
            except KeyboardInterrupt as exc:
                raise SystemError(
                    "CPUDispatcher(...) returned a result with an exception set"
                ) from exc

        return handler

    monkeypatch.setattr(data_commands, "cmd_power", compiled(True))
    assert simulate.main(["power", "--trials", "10"]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "SystemError" not in err and "Traceback" not in err
    monkeypatch.setattr(data_commands, "cmd_power", compiled(False))
    with pytest.raises(SystemError):
        simulate.main(["power", "--trials", "10"])

    # an operations review: Ctrl-C while the kernels compile, its KeyboardInterrupt
    # swallowed in llvmlite's callback ("Exception ignored"), then "RuntimeError: no compiled
    # object yet" with no KeyboardInterrupt in its chain: a traceback and exit 1
    def swallowed(args):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler records the signal and raises here
        except KeyboardInterrupt:
            pass  # "Exception ignored in: <llvmlite callback>"
        raise RuntimeError("no compiled object yet for <Library 'lmm_slope_fit'>")

    monkeypatch.setattr(data_commands, "cmd_power", swallowed)
    assert simulate.main(["power", "--trials", "10"]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "RuntimeError" not in err and "Traceback" not in err
    # --verbose shows what the interruption left (a diff review: a real error after a
    # swallowed Ctrl-C was hidden for good)
    assert simulate.main(["power", "--trials", "10", "--verbose"]) == 130
    err = capsys.readouterr().err
    assert "RuntimeError: no compiled object yet" in err and "interrupted" in err
