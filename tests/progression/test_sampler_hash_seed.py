"""The phase 2 fit's numbers depend neither on Python's string-hash seed nor on what
PyTensor's cache held: the same seed gives the same file in any process, for both NUTS
implementations (progression.samplers).

Each run is a fresh ``python`` process with its own ``PYTHONHASHSEED``, so any set or dict
whose order follows string hashes (value variables, step methods, initial-point jitter) would
show up as different draws. The first run starts from an empty cache (PyTensor's and Numba's,
in the test's folder) and compiles every function; the second loads them. Compiled with
Numba's fastmath, a function compiled afresh and the same function loaded from the cache
could round differently (progression.repeatable): PyMC's NUTS then drew other chains, and the
log-likelihood group of either sampler differed in the last bit.
"""

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
from progression import model
from progression.records import load_phase2

idata = model.fit(
    load_phase2(), draws=100, tune=100, chains=2, seed=5, progressbar=False,
    nuts_sampler=sys.argv[1],
)
arrays = {
    f"{group}/{name}": idata[group][name].values
    for group in idata.children
    for name in idata[group].data_vars
    if not any(clock in name for clock in ("time", "perf_counter"))  # run times differ
}
np.savez(sys.argv[2], **arrays)
"""


def _fit(sampler: str, hash_seed: str, caches: Path, out: Path) -> dict[str, np.ndarray]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
    env.pop("PYTENSOR_FLAGS", None)  # PyTensor's cache in ALS_TRIAL_SIM_CACHE (cache_dirs)
    env |= {"ALS_TRIAL_SIM_CACHE": str(caches), "NUMBA_CACHE_DIR": str(caches / "numba")}
    subprocess.run(
        [sys.executable, "-c", RUN, sampler, str(out)], cwd=ROOT, env=env, check=True,
        capture_output=True, timeout=1200,
    )  # fmt: skip
    with np.load(out) as arrays:
        return {name: arrays[name] for name in arrays.files}


@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["pymc", "nutpie"])
def test_the_same_seed_gives_the_same_fit_whatever_the_hash_seed_and_the_cache(sampler, tmp_path):
    caches = tmp_path / "cache"  # empty: the first fit compiles, the second loads
    first = _fit(sampler, "1", caches, tmp_path / "one.npz")
    second = _fit(sampler, "2", caches, tmp_path / "two.npz")
    assert set(first) == set(second)
    assert {"posterior/delta", "log_likelihood/alsfrs_r"} <= set(first)
    for name in first:  # NaN where the other is NaN (sample statistics of no divergence)
        np.testing.assert_array_equal(first[name], second[name], err_msg=f"{sampler} {name}")
    assert np.unique(first["posterior/delta"]).size > 100  # real chains, not a stuck sampler
