"""A command imports what it needs, when it needs it (start-up time, issue 19).

Structural checks, not timings: a ``power`` run and ``--help`` must not load the sampler
(PyMC, PyTensor, ArviZ), plotting (matplotlib), Dask, scipy.optimize, or, for ``--help``,
pandas and scipy.stats; planning commands read a posterior without xarray or pandas. Each
runs the command line's entry point in a fresh interpreter and lists the heavy modules
present in ``sys.modules`` at exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = (
    "pymc",
    "pytensor",
    "arviz",
    "matplotlib",
    "dask",
    "xarray",
    "pandas",
    "scipy.stats",
    "scipy.optimize",
)

_PROBE = """
import json, sys
import simulate
code = simulate.main(sys.argv[1:])
heavy = {heavy!r}
print(json.dumps({{"code": code, "loaded": [m for m in heavy if m in sys.modules]}}))
"""


def _loaded(repo_root, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=repo_root,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    return report["loaded"]


def test_power_run_loads_no_sampler_plotting_or_dask(repo_root):
    loaded = _loaded(repo_root, "power", "--trials", "100", "--n-per-arm", "20", "--json")
    assert not {"pymc", "pytensor", "arviz", "matplotlib", "dask"} & set(loaded), loaded
    # the fixed-effect power needs no tables, no posterior and no scipy.stats either; reading
    # the design needs no root finder (group-sequential boundaries import it on use)
    assert not {"xarray", "pandas", "scipy.stats", "scipy.optimize"} & set(loaded), loaded


def test_version_loads_none_of_the_heavy_modules(repo_root):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, simulate\n"
            "try:\n    simulate.main(['--version'])\nexcept SystemExit:\n    pass\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])",
        ],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_main_job_modules_load_no_sampler_or_plotting(repo_root):
    """Reading a cached posterior needs xarray, not PyMC; diagnostics need ArviZ (which
    loads matplotlib) only when a table is computed. The sample-size search and assurance
    take the normal distribution from scipy.special (designs.sequential.normal): scipy.stats
    (about a second to import) loads only where a t or noncentral t is computed."""
    code = (
        "import sys\n"
        "from designs.planning import main_job, posterior, sample_size\n"
        "from designs.planning import assurance, closed_form, group_sequential, operating\n"
        "from designs.planning import power_curve\n"
        "from designs.outputs import console, tables\n"
        "import progression.model, progression.diagnostics\n"
        "print([m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'dask', 'scipy.stats') "
        "if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_sample_size_loads_no_scipy_stats(repo_root):
    """The sample-size search (the main job's) starts from the closed-form n, whose normal
    quantiles come from scipy.special: scipy.stats took about 1 s of a warm main job. Without
    --sizes or --figure it needs neither the sweep's tables (xarray, pandas) nor plotting."""
    loaded = _loaded(repo_root, "sample-size", "--trials", "200", "--json")
    assert not {"scipy.stats", "xarray", "pandas", "matplotlib"} & set(loaded), loaded


def test_assurance_reads_the_posterior_without_xarray(repo_root, tmp_path):
    """Planning reads a posterior file with h5py alone (progression.posterior_view): xarray
    and pandas (about 0.5 s) only where a whole DataTree is needed (fit, notebooks)."""
    import numpy as np
    import xarray as xr

    from progression import model

    shape = (2, 200)
    rng = np.random.default_rng(1)
    post = xr.Dataset(
        {
            "delta": (("chain", "draw"), rng.normal(0.15, 0.1, shape)),
            "pre_slope_mean": (("chain", "draw"), rng.normal(-0.5, 0.05, shape)),
        }
    )
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros(shape, dtype=bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    tree.attrs = {"model_version": model.MODEL_VERSION, "data_sha256": "0", "seed": 1,
                  "illustrative_data": 1}  # fmt: skip
    path = model.save_posterior(tree, tmp_path / "p.nc")
    args = ("assurance", "--posterior", str(path), "--trials", "50", "--n-per-arm", "20")
    loaded = _loaded(repo_root, *args, "--json")
    assert not {"xarray", "pandas", "dask", "arviz", "matplotlib"} & set(loaded), loaded
