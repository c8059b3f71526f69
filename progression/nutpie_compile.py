"""nutpie's compiled model, kept between processes: the phase 2 fit's compile once per cache.

``nutpie.compile_pymc_model(model, backend="numba")`` compiles two things: the PyMC model's
log-density with its gradient and its "expand" function (every traced variable) as PyTensor
graphs turned into Numba functions, which PyTensor keeps in its Numba cache
(``numba__cache``, on by default); and two C callbacks that nutpie's sampler calls, which
unpack the shared data (``pm.Data``) from a record and call those functions. nutpie 0.16
compiles the callbacks in every process (its ``cache=True`` option misses every time: the
callbacks are closures over random keys and data arrays, which Numba's cache keys by
value), and that compile is most of the fit's start (about 6 of 8 CPU seconds here).

:func:`compile_model` returns the same ``CompiledPyMCModel`` built from the same pieces
(nutpie's graph functions and its unpacking of the record), with callbacks compiled from
plain source rather than closures and the shared data under fixed names, so that they go
through PyTensor's own Numba cache under a key made of

* PyTensor's cache key of the graph each callback calls (a hash of the graph with its
  constants: the model's structure and the priors),
* a hash of the shared data (``pm.Data``: months, patients, scores): nutpie compiles the
  arrays in as constants to type them, although it reads the values at run time,
* the callback's source (the number of parameters and of traced values), and
* the versions of nutpie, PyTensor and Numba and :data:`CACHE_FORMAT` (Numba's index also
  checks its own version and the CPU the code was compiled for).

The cache files live in PyTensor's Numba cache, ``<cache>/pytensor/<PyTensor version>/numba``
(:func:`progression.cache_dirs.use_pytensor_cache`). Numba writes each file to a temporary
name and renames it, so two processes compiling at once both succeed and leave a complete
entry. A nutpie whose internals this module does not know (:data:`KNOWN_NUTPIE`) gets
``nutpie.compile_pymc_model`` itself, compiled every time as before.

The callbacks do what nutpie's do, statement for statement (return codes included; a loop
copies the gradient where nutpie assigns a slice, which is slower to compile), so the draws
are the same as ``pm.sample(nuts_sampler="nutpie")``'s from the same seed, cached or not
(``tests/progression/test_nutpie_compile.py`` compares them).
"""

from __future__ import annotations

import hashlib
import importlib
import sys
import threading
import types
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pymc as pm
    from nutpie.compile_pymc import CompiledPyMCModel

#: nutpie versions whose internals (``_make_functions``, the shared-data record) this module
#: was written against; any other version is compiled by ``nutpie.compile_pymc_model``.
KNOWN_NUTPIE = ("0.16.10", "0.16.11")
#: Part of every cache key: a change of this module's callbacks or key changes it.
CACHE_FORMAT = "als-trial-sim nutpie callbacks v1"

_LOGP_SRC = """
def nutpie_logp(dim, x_, out_, logp_, user_data_):
    if dim != {n_dim}:
        return -1
    try:
        x = carray(x_, ({n_dim},))
        out = carray(out_, ({n_dim},))
        logp = carray(logp_, ())
        logp_val, grad = extract(x, user_data_)
        logp[()] = logp_val
        if grad.shape[0] != {n_dim}:
            return 1
        for i in range({n_dim}):
            out[i] = grad[i]
        if not np.all(np.isfinite(out)):
            return 3
        if not np.isfinite(logp_val):
            return 4
    except Exception:
        return 1
    return 0
"""

_EXPAND_SRC = """
def nutpie_expand(dim, expanded, x_, out_, user_data_):
    if dim != {n_dim}:
        return -1
    if expanded != {n_expanded}:
        return -1
    try:
        x = carray(x_, ({n_dim},))
        out = carray(out_, ({n_expanded},))
        (values,) = extract(x, user_data_)
        if values.shape[0] != {n_expanded}:
            return -2
        for i in range({n_expanded}):
            out[i] = values[i]
    except Exception:
        return -2
    return 0
"""

_LOCK = threading.Lock()  # one compile at a time per process (PyTensor's and Numba's state)


def import_nutpie():
    """``import nutpie``, without importing all of ArviZ when it is not imported yet.

    nutpie's ``sample`` module imports ``arviz`` (and with it ArviZ's plots and matplotlib,
    about half a second) only to call ``arviz.from_dict`` and ``arviz.dict_to_dataset``, which
    are ``arviz_base``'s. While nutpie is imported, ``arviz`` is a stand-in module holding
    those two functions; any other name asked of it imports ArviZ itself and hands over its
    attribute. The stand-in is never left in ``sys.modules``: a later ``import arviz``
    imports ArviZ as usual.
    """
    if "nutpie" in sys.modules or "arviz" in sys.modules:
        import nutpie

        return nutpie
    import arviz_base

    stand_in = types.ModuleType("arviz", "arviz_base's from_dict and dict_to_dataset")
    stand_in.from_dict = arviz_base.from_dict
    stand_in.dict_to_dataset = arviz_base.dict_to_dataset
    stand_in.__getattr__ = _arviz_attribute
    sys.modules["arviz"] = stand_in
    try:
        import nutpie
    finally:
        if sys.modules.get("arviz") is stand_in:
            del sys.modules["arviz"]
    return nutpie


def _arviz_attribute(name: str):
    """An attribute of ArviZ itself (imported now) for the stand-in of :func:`import_nutpie`;
    the stand-in has no module attributes of its own (``__file__``, ``__path__``, ...)."""
    if name.startswith("__"):
        raise AttributeError(f"module 'arviz' (stand-in) has no attribute {name!r}")
    stand_in = sys.modules.get("arviz")
    if stand_in is not None and getattr(stand_in, "__getattr__", None) is _arviz_attribute:
        del sys.modules["arviz"]  # asked while nutpie is imported: the real one replaces it
    return getattr(importlib.import_module("arviz"), name)


def compile_model(model: pm.Model, cache: bool = True) -> CompiledPyMCModel:
    """``nutpie.compile_pymc_model(model, backend="numba")``, its callbacks taken from the
    cache when an earlier process compiled them (see the module's description).

    Parameters
    ----------
    model : pymc.Model
        Not modified. Its ``pm.Data`` can be swapped afterwards with ``with_data``, as with
        nutpie's own compiled model.
    cache : bool
        False: compile the callbacks here, neither reading nor writing the cache (the same
        code; the tests compare the two).
    """
    nutpie = import_nutpie()
    if nutpie.__version__ not in KNOWN_NUTPIE:
        return nutpie.compile_pymc_model(model, backend="numba")
    with _LOCK:
        return _compile(model, cache)


def _compile(model: pm.Model, cache: bool) -> CompiledPyMCModel:
    """What ``nutpie.compile_pymc_model(model, backend="numba")`` does, with cached callbacks."""
    from nutpie import compile_pymc as cp
    from pymc.initial_point import make_initial_point_fn

    initial_point_fn = cp._wrap_with_lock(
        make_initial_point_fn(
            model=model,
            overrides=None,
            default_strategy="support_point",
            jitter_rvs=set(model.free_RVs),
            return_transformed=True,
        )
    )
    n_dim, n_expanded, logp_pt, expand_pt, initial_point_fn, shape_info, reparam = (
        cp._make_functions(
            model,
            mode="NUMBA",
            compute_grad=True,
            join_expanded=True,
            pymc_initial_point_fn=initial_point_fn,
        )
    )
    shared_data, shared_var_keys = {}, {}
    for var in [*logp_pt.get_shared(), *expand_pt.get_shared()]:
        if var in shared_var_keys:
            continue
        key = f"shared{len(shared_var_keys)}"  # nutpie draws random keys; these are stable
        shared_data[key] = np.array(var.get_value(), order="C", copy=True)
        shared_data[key].flags.writeable = False
        shared_var_keys[var] = key
    user_data = cp.make_user_data(shared_var_keys, shared_data)
    data_key = _data_key(shared_data)
    callbacks = []
    for src, name, pt_fn in (
        (_LOGP_SRC, "nutpie_logp", logp_pt),
        (_EXPAND_SRC, "nutpie_expand", expand_pt),
    ):
        keys = [shared_var_keys[var] for var in pt_fn.get_shared()]
        extract = cp.make_extraction_fn(pt_fn.vm.jit_fn, shared_data, keys, user_data.dtype)
        text = src.format(n_dim=n_dim, n_expanded=n_expanded)
        inner = pt_fn.vm.jit_fn
        callbacks.append(_cfunc(text, name, extract, inner if cache else None, data_key, keys))
    dims, coords = cp._prepare_dims_and_coords(model, shape_info, reparam)
    return cp.CompiledPyMCModel(
        _n_dim=n_dim,
        dims=dims,
        _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=callbacks[0],
        compiled_expand_func=callbacks[1],
        initial_point_func=initial_point_fn,
        shared_data=shared_data,
        shared_var_keys=shared_var_keys,
        user_data=user_data,
        n_expanded=n_expanded,
        shape_info=shape_info,
        logp_func=logp_pt,
        expand_func=expand_pt,
        reparameterized_names=reparam,
    )


def _data_key(shared_data: dict[str, np.ndarray]) -> str:
    """A hash of the shared data: name, dtype, shape and bytes of each array. nutpie's
    extraction compiles the arrays in as constants (to type them; the values it reads are
    those of the record at run time), so new data is a new cache entry."""
    digest = hashlib.sha256()
    for key, array in shared_data.items():
        digest.update(f"{key}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _cfunc(text: str, name: str, extract, inner, data_key: str, keys: list[str]):
    """The C callback compiled from ``text``, calling ``extract`` (nutpie's unpacking of the
    record, then the graph ``inner``), through PyTensor's Numba cache when PyTensor keyed
    ``inner``; else (or when ``inner`` is None) compiled here, as nutpie does."""
    import warnings

    import numba
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

    inner_key = None if inner is None else CACHED_SRC_FUNCTIONS.get(inner.py_func)
    key = None
    if inner_key is not None:
        key = _cache_key(text, inner_key, data_key, keys, library_versions())
    # __name__: Numba rebuilds the compiled environment from a module when loading the cache
    env = {"__name__": __name__, "np": np, "carray": numba.carray, "extract": extract}
    py_func = compile_numba_function_src(text, name, global_env=env, cache_key=key)
    sig = _logp_signature() if name == "nutpie_logp" else _expand_signature()
    with warnings.catch_warnings():
        # large arrays of data would be compiled in as addresses, which Numba will not cache
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        return numba.cfunc(sig, cache=key is not None)(py_func)


def library_versions() -> str:
    """The versions of the libraries that compile the callbacks, as they key the cache."""
    import numba
    import pytensor

    nutpie = import_nutpie()
    return f"nutpie {nutpie.__version__} pytensor {pytensor.__version__} numba {numba.__version__}"


def _cache_key(text: str, inner_key: str, data_key: str, keys: list[str], versions: str) -> str:
    """The callback's cache key: its source, PyTensor's key of the graph it calls, the
    shared data it unpacks (names and hash) and the library versions."""
    parts = (CACHE_FORMAT, versions, inner_key, data_key, ",".join(keys), text)
    return hashlib.sha256("\n--\n".join(parts).encode()).hexdigest()


def _logp_signature():
    import numba.types as nt

    double_ptr = nt.CPointer(nt.double)
    return nt.int64(nt.uint64, double_ptr, double_ptr, double_ptr, nt.voidptr)


def _expand_signature():
    import numba.types as nt

    double_ptr = nt.CPointer(nt.double)
    return nt.int64(nt.uint64, nt.uint64, double_ptr, double_ptr, nt.voidptr)
