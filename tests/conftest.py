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

import numpy as np
import pytest
import xarray as xr

from progression.model import MODEL_VERSION

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


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
    return tree


@pytest.fixture(scope="session")
def fake_posterior() -> Callable[..., xr.DataTree]:
    """``fake_posterior(seed=0)``: a small posterior (delta, pre_slope_mean; 2 chains x 200
    draws) with the attributes the command line checks, without running a fit."""
    return _fake_posterior
