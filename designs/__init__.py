"""The double-blind trial: design specification, Numba simulation engine, analyses, planning.

The names most scripts need are importable from here (loaded on first use, so ``import
designs`` stays light)::

    from designs import load_design, power, find_sample_size, load_sweep

    design = load_design("default").with_overrides({"trial.n_per_arm": 150})
    print(power(design, trials=2000, seed=1)["lmm_slope"].power)
"""

from importlib import import_module

from designs.simulation.numba_cache import use_versioned_cache
from progression import __version__ as __version__

use_versioned_cache()

#: Public name -> module that defines it.
_PUBLIC = {
    "InputError": "designs.errors",
    "TrialDesign": "designs.spec",
    "load_design": "designs.spec",
    "list_designs": "designs.spec",
    "power": "designs.planning.power",
    "find_sample_size": "designs.planning.sample_size",
    "assurance_from_draws": "designs.planning.assurance",
    "load_or_fit_posterior": "designs.planning.posterior",
    "posterior_draws": "designs.planning.posterior",
    "run_sweep": "designs.planning.sweep",
    "load_sweep": "designs.planning.sweep",
    "plan_report": "designs.planning.report_plan",
    "write_report": "designs.outputs.report",
    "analyze": "designs.analyses.registry",
    "REGISTRY": "designs.analyses.registry",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'designs' has no attribute {name!r}")
