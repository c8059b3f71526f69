"""Fixtures shared by every folder of the suite: the repository's paths and a small posterior.

The tests mirror the packages (tests/spec, tests/simulation, tests/analyses, tests/planning,
tests/outputs, tests/progression, tests/cli, tests/notebooks); fixtures used in one folder
only live in that folder's conftest.py. Test modules are imported in pytest's importlib mode
(pyproject.toml), so files in different folders may share a name and conftest modules are
not importable: helpers are handed out as fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from progression.model import MODEL_VERSION
from progression.posterior_file import CHECKSUM_ATTR, posterior_checksum

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _own_resume_folder(tmp_path_factory, monkeypatch):
    """Each test keeps the trials its commands simulate, in-process or in a subprocess, in
    its own folder (:mod:`designs.simulation.journal`, ``ALS_TRIAL_SIM_RESUME``): a test
    interrupted on purpose leaves blocks that no other test reads back, and no test reads
    the user's."""
    folder = tmp_path_factory.mktemp("resume")  # beside the test's tmp_path, not in it
    monkeypatch.setenv("ALS_TRIAL_SIM_RESUME", str(folder))


@pytest.fixture(scope="session")
def result_of() -> Callable:
    """A command's JSON result without the ``command`` and ``software`` it records
    (``print_json(..., record=True)``): for comparing the results of two commands typed
    differently, or rows that another command's JSON carries inside its own."""

    def strip(obj):
        if isinstance(obj, str):
            import json

            obj = json.loads(obj)
        if isinstance(obj, list):
            return [strip(row) for row in obj]
        return {k: v for k, v in obj.items() if k not in ("command", "software")}

    return strip


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder (where simulate.py is)."""
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: reference files checked bit for bit."""
    return DATA


def _fake_posterior(seed: int = 0) -> xr.DataTree:
    """A small posterior of the shape progression.model.fit writes (with its attributes)."""
    rng = np.random.default_rng(seed)
    post = xr.Dataset(
        {
            "delta": (("chain", "draw"), rng.normal(0.15, 0.1, (2, 200))),
            "pre_slope_mean": (("chain", "draw"), rng.normal(-0.5, 0.05, (2, 200))),
        }
    )
    tree = xr.DataTree.from_dict({"posterior": post})
    tree.attrs = {
        "model_version": MODEL_VERSION,
        "data_sha256": "0",
        "seed": 1,
        "illustrative_data": 1,
    }
    # the checksum every posterior this tool writes records (a file without one is refused)
    tree.attrs[CHECKSUM_ATTR] = posterior_checksum(tree)
    return tree


@pytest.fixture(scope="session")
def fake_posterior() -> Callable[..., xr.DataTree]:
    """``fake_posterior(seed=0)``: a small posterior (delta, pre_slope_mean; 2 chains x 200
    draws) with the attributes the command line checks, without running a fit."""
    return _fake_posterior


def _search_stand_in(analysis: str = "lmm_slope") -> tuple[SimpleNamespace, dict]:
    """A sample-size result (one row: 30 per arm for 80% power, 100 trials) and operating
    characteristics with the fields :func:`designs.outputs.methods.methods_text` reads, so
    that the methods text can be written without a search."""
    row = SimpleNamespace(
        target_power=0.8, n_placebo=30, n_active=30, n_total=60, size_name="n_per_arm",
        n_low=28, n_high=32, power=0.8, mc_se=0.01, n=30, fitted_power=0.8,
        confirmed_power=0.8, confirmed_mc_se=0.01, reached=True, expected_completers=40.0,
        trials=100,
    )  # fmt: skip
    result = SimpleNamespace(
        analysis=analysis, rows=[row], trials=100, refine_trials=0, seed=1,
        curve=SimpleNamespace(sizes=[30]),
    )  # fmt: skip
    oc = {
        "n_placebo": 30, "n_active": 30, "type_i_error": 0.05, "type_i_error_mc_se": 0.01,
        "expected_completers": 40.0, "calendar_months": 19.5, "accrual_months": 7.5, "trials": 100,
        "type_i_error_trials": 21_112,
    }  # fmt: skip
    return result, oc


@pytest.fixture(scope="session")
def search_stand_in() -> Callable[..., tuple[SimpleNamespace, dict]]:
    """``search_stand_in(analysis="lmm_slope")``: ``(result, oc)`` for ``methods_text``
    without a search (one row, 30 per arm)."""
    return _search_stand_in
