"""The phase 2 fit's draws do not depend on Python's string-hash seed: the same seed gives the
same chains in any process, for both NUTS implementations (progression.samplers).

Each run is a fresh ``python`` process with its own ``PYTHONHASHSEED``, so any set or dict
whose order follows string hashes (value variables, step methods, initial-point jitter) would
show up as different draws. A first, discarded run fills PyTensor's compile cache: a run
that compiles the model's functions afresh can draw other chains than one that loads them
from the cache (PyMC's NUTS, ``--sampler pymc``; not fixed: docs/performance.md, 2 December),
which is a different question from the hash seed's."""

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


def _draws(sampler: str, hash_seed: str, out: Path) -> dict[str, np.ndarray]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
    subprocess.run(
        [sys.executable, "-c", RUN, sampler, str(out)], cwd=ROOT, env=env, check=True,
        capture_output=True, timeout=600,
    )  # fmt: skip
    with np.load(out) as arrays:
        return {name: arrays[name] for name in arrays.files}


@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["pymc", "nutpie"])
def test_the_same_seed_gives_the_same_draws_whatever_the_hash_seed(sampler, tmp_path):
    _draws(sampler, "0", tmp_path / "warm.npz")  # fills PyTensor's cache (see the docstring)
    first = _draws(sampler, "1", tmp_path / "one.npz")
    second = _draws(sampler, "2", tmp_path / "two.npz")
    assert set(first) == set(second) and "delta" in first
    for name in first:
        assert np.array_equal(first[name], second[name]), (sampler, name)
    assert np.unique(first["delta"]).size > 100  # real chains, not a stuck sampler
