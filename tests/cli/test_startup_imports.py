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

import pytest

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


def _last_line(repo_root, code: str, *args: str, env: dict | None = None) -> str:
    """The last line ``python -c code *args`` prints, run in a fresh process from the
    checkout (which must exit with status 0)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=repo_root, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _loaded(repo_root, *args: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = _PROBE.format(heavy=heavy)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    report = json.loads(_last_line(repo_root, probe, *args, env=env))
    assert report["code"] == 0
    return report["loaded"]


def test_power_run_loads_no_sampler_plotting_or_dask(repo_root):
    loaded = _loaded(repo_root, "power", "--trials", "100", "--n-per-arm", "20", "--json")
    assert not {"pymc", "pytensor", "arviz", "matplotlib", "dask"} & set(loaded), loaded
    # the fixed-effect power needs no tables, no posterior and no scipy.stats either; reading
    # the design needs no root finder (group-sequential boundaries import it on use)
    assert not {"xarray", "pandas", "scipy.stats", "scipy.optimize"} & set(loaded), loaded


def test_version_loads_none_of_the_heavy_modules(repo_root):
    code = (
        "import sys, simulate\n"
        "try:\n    simulate.main(['--version'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    assert _last_line(repo_root, code) == "[]"


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
    assert _last_line(repo_root, code) == "[]"


def test_sample_size_loads_no_scipy_stats(repo_root):
    """The sample-size search (the main job's) starts from the closed-form n, whose normal
    quantiles come from scipy.special: scipy.stats took about 1 s of a warm main job. Without
    --sizes or --figure it needs neither the sweep's tables (xarray, pandas) nor plotting."""
    loaded = _loaded(repo_root, "sample-size", "--trials", "200", "--json")
    assert not {"scipy.stats", "xarray", "pandas", "matplotlib"} & set(loaded), loaded


def test_posterior_rule_loads_no_scipy_stats(repo_root, tmp_path):
    """The posterior rule's closed form (designs.analyses.decision: the posterior, its lower
    tail, the EM fit of the phase 2 mixture) takes the normal from designs.sequential.normal,
    the same bits as scipy.stats.norm without its import (about 0.5 s). The robust prior with
    a weight borrows from a (small, made-up) phase 2 posterior, so the EM fit runs too."""
    path = _small_posterior(tmp_path)
    args = ("power", "--decision", "posterior", "--prior", "robust", "--prior-weight", "0.5")
    args += ("--posterior", str(path), "--trials", "100", "--n-per-arm", "20", "--json")
    assert "scipy.stats" not in _loaded(repo_root, *args)


def _small_posterior(tmp_path):
    """A posterior file as `fit` writes it, with 2 x 200 made-up draws."""
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
    return model.save_posterior(tree, tmp_path / "p.nc")


def test_assurance_reads_the_posterior_without_xarray(repo_root, tmp_path):
    """Planning reads a posterior file with h5py alone (progression.posterior_view): xarray
    and pandas (about 0.5 s) only where a whole DataTree is needed (fit, notebooks)."""
    path = _small_posterior(tmp_path)
    args = ("assurance", "--posterior", str(path), "--trials", "50", "--n-per-arm", "20")
    loaded = _loaded(repo_root, *args, "--json")
    assert not {"xarray", "pandas", "dask", "arviz", "matplotlib"} & set(loaded), loaded


def test_sample_size_sizes_reads_the_grid_without_xarray(repo_root):
    """A grid of sizes is numbers (designs.planning.sweep.grid): the sweep's dataset module,
    with xarray and pandas (about 0.5 s), loads only where a sweep file is written or read."""
    loaded = _loaded(repo_root, "sample-size", "--trials", "50", "--sizes", "20", "40", "--json")
    assert not {"xarray", "pandas", "scipy.stats", "matplotlib"} & set(loaded), loaded


def test_designs_list_loads_no_scipy_stats(repo_root):
    """Reading a design with delta-FS screening (proact_enriched_dfs) checks its admission
    probability with scipy.special's normal (designs.sequential.normal), not scipy.stats."""
    loaded = _loaded(repo_root, "designs", "list", "--json")
    assert not {"scipy.stats", "scipy.optimize", "xarray", "pandas"} & set(loaded), loaded


def test_admission_probability_is_scipy_stats_norm_to_the_bit():
    """The same function scipy.stats.norm.cdf calls (scipy.special.ndtr), so the same floats
    on any machine: compared on the screened library design over a grid of bounds."""
    import math

    from scipy.stats import norm

    from designs.spec import load_design

    design = load_design("proact_enriched_dfs")
    mu, sd = design.population.delta_fs_log_params
    for low in (0.0, 0.2, 0.5):
        for high in (0.6, 1.1, 3.0):
            screened = design.with_overrides(
                {"enrichment.delta_fs_min": low, "enrichment.delta_fs_max": high}
            )
            a = -math.inf if low <= 0 else (math.log(low) - mu) / sd
            b = (math.log(high) - mu) / sd
            expected = float(norm.cdf(b) - norm.cdf(a))
            got = screened.enrichment.delta_fs_admit_probability(screened.population)
            assert got == expected, (low, high, got, expected)


_COLLECTOR_PROBE = """
import atexit, gc, json, runpy, sys
atexit.register(lambda: print(json.dumps(
    {{"enabled": gc.isenabled(), "young": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}}
)))
sys.argv = [{program!r}, "--version"]
{start}
"""

#: ``python simulate.py`` and the installed script (which imports simulate, then calls main).
_STARTS = {
    "simulate.py": ("simulate.py", 'runpy.run_path("simulate.py", run_name="__main__")'),
    "als-trial-sim": (
        "/somewhere/bin/als-trial-sim",
        "from simulate import main\nsys.exit(main())",
    ),
}


@pytest.mark.parametrize("started_as", sorted(_STARTS))
def test_program_start_freezes_its_imports_and_keeps_the_collector_on(repo_root, started_as):
    """A program loads with the cyclic collector off, then freezes what it loaded and switches
    the collector on again (designs.cli.collector): a long run still frees its garbage
    cycles."""
    from designs.cli.collector import YOUNG_THRESHOLD

    program, start = _STARTS[started_as]
    state = json.loads(_last_line(repo_root, _COLLECTOR_PROBE.format(program=program, start=start)))
    assert state["enabled"] and state["young"] == YOUNG_THRESHOLD, state
    assert state["frozen"] > 10_000, state  # NumPy, Numba and the command line


def test_importing_simulate_leaves_the_collector_alone(repo_root):
    """A test or script that imports simulate keeps its own collector settings."""
    code = (
        "import gc, json\n"
        "gc.set_threshold(123, 4, 5)\n"
        "frozen = gc.get_freeze_count()\n"
        "import simulate\n"
        "print(json.dumps([gc.isenabled(), gc.get_threshold(), gc.get_freeze_count() - frozen]))"
    )
    enabled, threshold, newly_frozen = json.loads(_last_line(repo_root, code))
    assert enabled and threshold == [123, 4, 5] and newly_frozen == 0


def test_a_run_off_a_terminal_loads_no_progress_bar(repo_root):
    """Off a terminal (a log, CI, a pipe) no bar is shown, so tqdm is not imported."""
    args = ("power", "--trials", "20", "--n-per-arm", "10")
    assert _loaded(repo_root, *args, heavy=("tqdm",)) == []


def test_the_bar_grows_on_a_terminal_and_is_silent_elsewhere(monkeypatch, capsys):
    """On a terminal a tqdm bar whose total grows as planning announces trials
    (designs.planning.progress.expect); elsewhere the same calls, and nothing written."""
    from designs.cli.progress import progress_bar
    from designs.planning.progress import expect

    with progress_bar(0, "trial", True) as bar:  # pytest's stderr is not a terminal
        expect(bar.update, 10)
        bar.update(10)
    assert capsys.readouterr().err == ""

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with progress_bar(0, "trial", True) as bar:
        expect(bar.update, 10)
        bar.update(4)
        assert (bar.total, bar.n) == (10, 4)
    with progress_bar(5, "trial", False) as bar:  # asked for no bar (e.g. --json)
        assert not hasattr(bar, "total")
