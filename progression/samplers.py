"""The NUTS implementations the phase 2 fit can use, and what differs between them.

``nutpie`` (the default) samples the PyMC model compiled by Numba, its chains in threads of
this process; the same seed gives the same draws whatever the number of threads (each chain
has its own random stream). ``pymc`` is PyMC's own NUTS, its chains in worker processes that
die with the process that started them (:mod:`progression.workers`); it was the default
before, and uses about three times nutpie's CPU on the phase 2 fit. The fit records the
sampler in the posterior's ``attrs["sampler"]``, and a cached fit is keyed by it: the two
samplers draw different (equally valid) chains from the same seed.

Both posteriors are written in one format: nutpie's sample statistics are renamed to PyMC's
names where the two mean the same thing (``lp``, ``tree_depth``, ``reached_max_treedepth``,
``acceptance_rate``), and its text statistics (divergence messages) are dropped, so that every
variable of the file is a number. ``diverging``, read by the convergence checks, is the same
in both.
"""

from __future__ import annotations

import importlib.util

import xarray as xr

from progression.errors import InputError
from progression.workers import worker_context

#: NUTS implementations :func:`progression.model.fit` can use.
SAMPLERS = ("pymc", "nutpie")
DEFAULT_SAMPLER = "nutpie"
#: The only sampler before the sampler could be chosen: files and cache keys of that time
#: name no sampler, and they were PyMC's.
LEGACY_SAMPLER = "pymc"

#: nutpie's names of sample statistics that PyMC also writes, with PyMC's name.
NUTPIE_TO_PYMC = {
    "logp": "lp",
    "depth": "tree_depth",
    "maxdepth_reached": "reached_max_treedepth",
    "mean_tree_accept": "acceptance_rate",
}


def check_sampler(sampler: str) -> str:
    """``sampler`` if it is one of :data:`SAMPLERS` and installed, else :class:`InputError`."""
    if sampler not in SAMPLERS:
        raise InputError(f"sampler: {sampler!r} is not one of {', '.join(SAMPLERS)}")
    if sampler == "nutpie" and importlib.util.find_spec("nutpie") is None:
        raise InputError("sampler: 'nutpie' is not installed (pip install nutpie)")
    return sampler


def sampler_options(sampler: str) -> dict:
    """Keyword arguments of ``pm.sample`` that depend on the sampler."""
    if sampler == "pymc":
        return {"mp_ctx": worker_context()}  # workers die with this process, even on SIGKILL
    return {}  # nutpie: threads of this process, nothing can outlive it


def sampler_version(sampler: str) -> dict:
    """Root attributes naming the sampler package's version (PyMC's is always recorded)."""
    if sampler == "nutpie":
        import nutpie

        return {"nutpie_version": nutpie.__version__}
    return {}


def numeric_sample_stats(idata: xr.DataTree, sampler: str) -> None:
    """Bring nutpie's ``sample_stats`` group to the posterior file's format, in place: PyMC's
    names (:data:`NUTPIE_TO_PYMC`) and numbers only. PyMC's group is left as it is."""
    if sampler != "nutpie" or "sample_stats" not in idata.children:
        return
    stats = idata["sample_stats"].to_dataset()
    text = [name for name, var in stats.data_vars.items() if var.dtype.kind not in "biuf"]
    stats = stats.drop_vars(text)
    stats = stats.rename({k: v for k, v in NUTPIE_TO_PYMC.items() if k in stats.data_vars})
    # coordinates that only the dropped text statistics used
    unused = [d for d in stats.coords if d not in ("chain", "draw") and d not in stats.dims]
    idata["sample_stats"] = xr.DataTree(stats.drop_vars(unused))


def keyed_settings(settings: dict) -> dict:
    """The sampler settings as they key a cached fit: PyMC's fits keep the key they had
    before the sampler could be chosen (no ``sampler`` entry), so fits cached then are still
    found; any other sampler (the default included) is part of the key."""
    return {k: v for k, v in settings.items() if (k, v) != ("sampler", LEGACY_SAMPLER)}


def recorded_setting(attrs: dict, setting: str):
    """A sampler setting as a posterior's attributes record it (None if absent); files
    written before the sampler could be chosen were all sampled by PyMC."""
    return attrs.get(setting, LEGACY_SAMPLER if setting == "sampler" else None)
