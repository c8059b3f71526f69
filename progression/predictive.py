"""The fit's posterior predictive draws: every posterior draw in one call of one function.

``pm.sample_posterior_predictive`` calls its compiled function once per posterior draw: 4,000
calls for the fit, about a second of a warm fit, most of it Numba typing each call's
arguments. :func:`sample_posterior_predictive` draws the same numbers in one call: the graph
of the observed variables, with the trace variables it reads (``level``, ``pre_slope``,
``slope_change``, ``residual_sd``) replaced by inputs with leading ``chain`` and ``draw``
dimensions (``pytensor.graph.vectorize_graph``), compiled once by PyMC's ``compile`` (PyTensor
keeps its Numba code in the tool's cache, so a warm fit loads it) with the random generator
seeded as PyMC seeds it. The generator then draws the scores in PyMC's order, draw by draw
and chain by chain, each from the same mean and SD, and the group is built by the same
``pm.to_inference_data`` call: the file is the same (``tests/progression/test_predictive.py``
compares the two on the fit's model).

A model with another random variable between the trace and the observed ones (drawn once per
posterior draw by PyMC, interleaved with the observed ones) is left to
``pm.sample_posterior_predictive``: there the order of the draws would differ.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # xarray and PyMC are imported where used (start-up time)
    import pymc as pm
    import xarray as xr

SAMPLE_DIMS = ("chain", "draw")


def sample_posterior_predictive(idata: xr.DataTree, model: pm.Model, seed: int) -> xr.DataTree:
    """``pm.sample_posterior_predictive(idata, model=model, random_seed=seed,
    extend_inferencedata=True, progressbar=False)``: the same groups and numbers, in place.

    Parameters
    ----------
    idata : xarray.DataTree
        With a ``posterior`` group of dimensions ``chain`` and ``draw`` (the fit's).
    model : pymc.Model
        The model that was sampled.
    seed : int
        As PyMC's ``random_seed``.
    """
    import pymc as pm
    import pytensor.tensor as pt
    from pymc.util import _get_seeds_per_chain
    from pytensor.graph import vectorize_graph
    from pytensor.graph.traversal import ancestors
    from pytensor.tensor.random.variable import RandomGeneratorSharedVariable

    posterior = idata["posterior"].to_dataset()
    observed = list(model.observed_RVs)
    in_trace = {model[name] for name in posterior.data_vars if name in model.named_vars}
    inputs = [v for v in ancestors(observed, blockers=list(in_trace)) if v in in_trace]
    between = ancestors(observed, blockers=inputs)
    randoms = [v for v in between if isinstance(v, RandomGeneratorSharedVariable)]
    if len(observed) != 1 or len(randoms) != 1 or not inputs:
        return pm.sample_posterior_predictive(
            idata, model=model, random_seed=seed, extend_inferencedata=True, progressbar=False
        )
    batched = {
        v: pt.tensor(name=v.name, dtype=v.dtype, shape=(None,) * (len(SAMPLE_DIMS) + v.ndim))
        for v in inputs
    }
    outputs = vectorize_graph(observed, replace=batched)
    (fn_seed,) = _get_seeds_per_chain(seed, 1)  # what pm.sample_posterior_predictive does
    fn = pm.compile(
        list(batched.values()),
        outputs,
        random_seed=fn_seed,
        allow_input_downcast=True,
        accept_inplace=True,
    )
    logging.getLogger("pymc").info(f"Sampling: {sorted(v.name for v in observed)}")
    values = fn(*(posterior[v.name].transpose(*SAMPLE_DIMS, ...).values for v in inputs))
    first = next(iter(posterior.data_vars))
    stacked = {dim: posterior[first][dim] for dim in SAMPLE_DIMS}
    predictive = pm.to_inference_data(
        posterior_predictive={v.name: value for v, value in zip(observed, values, strict=True)},
        model=model,
        coords=stacked,
        sample_dims=list(SAMPLE_DIMS),
    )
    idata.update(predictive)
    return idata
