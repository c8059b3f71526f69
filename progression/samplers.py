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
import logging
import time
from typing import TYPE_CHECKING

from progression.errors import InputError
from progression.repeatable import cache_independent_rounding
from progression.workers import worker_context

if TYPE_CHECKING:  # xarray and PyMC are imported where used (start-up time)
    import pymc as pm
    import xarray as xr

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


def run_nuts(
    model: pm.Model,
    sampler: str,
    *,
    draws: int,
    tune: int,
    chains: int,
    seed: int,
    target_accept: float,
    progressbar: bool,
) -> xr.DataTree:
    """NUTS on ``model`` (``posterior``, ``sample_stats``, ``observed_data``,
    ``constant_data``), as ``pm.sample(..., random_seed=seed, nuts_sampler=sampler,
    cores=min(chains, 2), compute_convergence_checks=False)`` returns it. PyMC's NUTS compiles
    its functions without Numba's fastmath (:mod:`progression.repeatable`): with it, the first
    run after an empty PyTensor cache drew other chains than every later run."""
    import pymc as pm

    if sampler == "pymc":
        with model, cache_independent_rounding():
            return pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                cores=min(chains, 2),
                target_accept=target_accept,
                random_seed=seed,
                progressbar=progressbar,
                compute_convergence_checks=False,
                nuts_sampler="pymc",
                mp_ctx=worker_context(),  # workers die with this process, even on SIGKILL
            )
    return _run_nutpie(model, draws, tune, chains, seed, target_accept, progressbar)


def _run_nutpie(model, draws, tune, chains, seed, target_accept, progressbar) -> xr.DataTree:
    """``pm.sample``'s nutpie branch (PyMC 6.4) with the model compiled by
    :func:`progression.nutpie_compile.compile_model`; chains in threads of this process."""
    from pymc.backends.arviz import patch_nutpie_idata
    from pymc.progress_bar import NutpieProgressBarManager, default_progress_theme
    from pymc.util import get_random_generator

    from progression.nutpie_compile import compile_model, import_nutpie

    # pm.sample's seeds: one per chain from the seed; nutpie takes the first one
    chain_seeds = [rng.integers(2**30) for rng in get_random_generator(seed).spawn(chains)]
    logging.getLogger("pymc").info(f"NUTS[nutpie]: {model.free_RVs}")
    nutpie = import_nutpie()
    compiled = compile_model(model)
    progress = NutpieProgressBarManager(
        chains=chains,
        draws=draws,
        progressbar=progressbar,
        progressbar_theme=default_progress_theme,
    )
    start = time.time()
    with progress:
        idata = nutpie.sample(
            compiled,
            draws=draws,
            tune=max(tune, 1),  # nuts-rs needs a tuning step (pm.sample does the same)
            chains=chains,
            cores=min(chains, 2),
            seed=int(chain_seeds[0]),
            save_warmup=False,
            store_unconstrained=False,
            progress_bar=False,
            progress_callback=progress.update,
            target_accept=target_accept,
        )
    patch_nutpie_idata(idata, model, sampling_time=time.time() - start)
    return idata


def sampler_version(sampler: str) -> dict:
    """Root attributes naming the sampler package's version (PyMC's is always recorded)."""
    if sampler == "nutpie":
        from progression.nutpie_compile import import_nutpie

        return {"nutpie_version": import_nutpie().__version__}
    return {}


def numeric_sample_stats(idata: xr.DataTree, sampler: str) -> None:
    """Bring nutpie's ``sample_stats`` group to the posterior file's format, in place: PyMC's
    names (:data:`NUTPIE_TO_PYMC`) and numbers only. PyMC's group is left as it is."""
    if sampler != "nutpie" or "sample_stats" not in idata.children:
        return
    import xarray as xr

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
