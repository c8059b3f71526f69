"""The phase 2 posterior as planning uses it: read a file, or fit once and reuse the fit.

The cache policy lives here: without a file, the bundled phase 2 data are fitted with
:data:`PHASE2_FIT_SEED` and the fit is kept in :data:`DEFAULT_CACHE` (keyed by the data,
the priors and the sampler settings, see :func:`progression.model.cached_fit`), so only the
first run samples.

Planning reads the posterior as a :class:`progression.posterior_view.PosteriorView`: the
root attributes and :data:`PLANNING_GROUPS` as NumPy arrays, read with h5py alone (no xarray
or pandas on a warm run), with the checks of :func:`progression.model.load_posterior`. The
draws are those of xarray's read of the file, bit for bit; what needs the whole
:class:`xarray.DataTree` (``simulate.py fit``, the notebooks, ArviZ) reads it with
:func:`progression.model.load_posterior` without ``groups``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from designs.errors import InputError
from designs.program import program_name
from designs.simulation.seeds import DEFAULT_SEED
from progression.cache_dirs import cache_root

#: Where fits of the bundled data are kept (``.cache/posterior`` of a source checkout, the
#: user's cache folder for an installed package).
DEFAULT_CACHE = cache_root() / "posterior"
#: Seed of the cached phase 2 fit (part of its cache key).
PHASE2_FIT_SEED = DEFAULT_SEED
#: The groups of a posterior file planning reads: the draws, and the sampler's statistics for
#: the convergence check (the others, predictive draws and the data, are left on disk).
PLANNING_GROUPS = ("posterior", "sample_stats")


def posterior_draws(idata, transport: str = "proportional") -> np.ndarray:
    """Every posterior draw of the effect in the transport's units (via progression), from
    a :class:`~progression.posterior_view.PosteriorView` or an :class:`xarray.DataTree`."""
    from progression.population import effect_draws

    return effect_draws(idata, transport)


def load_or_fit_posterior(
    path=None, *, cache_dir=DEFAULT_CACHE, seed: int = PHASE2_FIT_SEED, progressbar=False
):
    """The phase 2 posterior: read ``path`` (checked to be ours), or fit/reuse a cached fit;
    from a file only :data:`PLANNING_GROUPS` and the attributes are read, into a
    :class:`~progression.posterior_view.PosteriorView` (a fresh fit too).

    Parameters
    ----------
    path : path, optional
        A posterior written by ``simulate.py fit`` / :func:`progression.model.save_posterior`.
    cache_dir : path
        Where :func:`progression.model.cached_fit` keeps fits of the bundled data.
    seed : int
        Seed of the fit (part of the cache key).
    """
    from progression import model

    if path is not None:
        if not Path(path).is_file():
            what = "a folder, not a file" if Path(path).is_dir() else "no such file"
            raise InputError(f"posterior {path}: {what}")
        idata = model.load_posterior(path, PLANNING_GROUPS)
    elif cache_dir is None:
        raise InputError("posterior: give a posterior file (or a cache folder for a fit)")
    else:
        idata = model.cached_fit(
            None, cache_dir, seed=seed, progressbar=progressbar, groups=PLANNING_GROUPS
        )
    warn_if_unconverged(idata, path or "the phase 2 fit")
    return idata


def warn_if_unconverged(idata, where) -> bool:
    """Say on stderr when a posterior fails the convergence targets (divergences, R-hat >
    1.01 or bulk ESS < 400 for a population parameter), or cannot be checked (no
    ``sample_stats``, or not every population parameter); returns True when it passes."""
    from progression.convergence import can_compute, computed, gates_met, stored

    if "sample_stats" not in idata.children:
        print(
            f"warning: posterior {where}: no sample_stats group, convergence not checked",
            file=sys.stderr,
        )
        return False
    s = stored(idata)  # kept in a file we wrote: no ArviZ on a warm run
    if s is None and not can_compute(idata):
        print(
            f"warning: posterior {where}: not every population parameter of the model (or no "
            "divergence flags), convergence not checked",
            file=sys.stderr,
        )
        return False
    s = computed(idata) if s is None else s
    ok = gates_met(s)
    if not ok:
        print(
            f"warning: posterior {where}: {s['divergences']} divergences, max R-hat "
            f"{s['max_rhat']:.3f}, min bulk ESS {s['min_ess_bulk']:.0f}; what is drawn from "
            "it (assurance, a borrowing prior) is unreliable (fit again with more draws and "
            f"tuning steps: {program_name()} fit --draws, --tune)",
            file=sys.stderr,
        )
    return ok
