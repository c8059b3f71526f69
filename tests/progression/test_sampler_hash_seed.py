"""The phase 2 fit's draws are the same in every process from the same seed, for both NUTS
implementations (progression.samplers): whatever Python's string-hash seed, and whether the
model's functions are compiled afresh or loaded from PyTensor's cache.

Each run is a fresh ``python`` process with its own ``PYTHONHASHSEED``, so any set or dict
whose order follows string hashes would show up as different draws. The first run starts
from an empty cache (``ALS_TRIAL_SIM_CACHE``), the second loads what the first compiled: with
Numba's fastmath, PyMC's NUTS drew other chains in the two (a last-bit difference between the
fresh and the cached function, amplified by the sampler; docs/performance.md, 2 December)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

RUN = """
import sys
import numpy as np
from progression import model, samplers
from progression.records import load_phase2

idata = samplers.run_nuts(
    model.build_model(load_phase2()), sys.argv[1], draws=100, tune=100, chains=2, seed=5,
    target_accept=0.95, progressbar=False,
)
post = idata["posterior"]
np.savez(sys.argv[2], **{name: post[name].values for name in post.data_vars})
"""


def _draws(sampler: str, hash_seed: str, cache: Path, out: Path) -> dict[str, np.ndarray]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
    env["ALS_TRIAL_SIM_CACHE"] = str(cache)
    env.pop("PYTENSOR_FLAGS", None)  # PyTensor's cache in ALS_TRIAL_SIM_CACHE
    subprocess.run(
        [sys.executable, "-c", RUN, sampler, str(out)], cwd=ROOT, env=env, check=True,
        capture_output=True, timeout=900,
    )  # fmt: skip
    with np.load(out) as arrays:
        return {name: arrays[name] for name in arrays.files}


@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["pymc", "nutpie"])
def test_the_same_seed_gives_the_same_draws_in_every_process(sampler, tmp_path):
    cache = tmp_path / "cache"  # empty: the first run compiles, the second loads
    first = _draws(sampler, "1", cache, tmp_path / "one.npz")
    second = _draws(sampler, "2", cache, tmp_path / "two.npz")
    assert set(first) == set(second) and "delta" in first
    for name in first:
        assert np.array_equal(first[name], second[name]), (sampler, name)
    assert np.unique(first["delta"]).size > 100  # real chains, not a stuck sampler
