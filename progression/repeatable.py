"""PyTensor functions whose numbers do not depend on what PyTensor's cache held.

PyTensor compiles a model's function (PyMC's log-density and gradient, the log-likelihood of
every observation) with Numba as one outer function that calls one Numba function per node
of the graph, and keeps each in its Numba cache (:mod:`progression.cache_dirs`). A cached
outer function is one object file that carries its own copies of the functions it calls but
did not inline (weak symbols; ``CPUCodeLibrary._get_module_for_linking`` in Numba), compiled
once more inside the outer module. A process that loads the outer function from the cache
runs those copies. A process that compiles it (the first after an empty cache) compiled each
callee on its own first and loaded it into the JIT; the linker then takes the loaded
definitions in place of the outer file's copies. So the two processes run two compilations
of the same code. With Numba's ``fastmath`` (PyTensor's default: reassociation, contraction
to fused multiply-add, reciprocals) the optimiser may round a function differently each time
it compiles it, and the two differ in the last bit now and then: PyMC's NUTS log-density of
the phase 2 model at about 1 point in 400, enough for the chains to part within a few
warm-up steps; the log-likelihood group at about 15% of its values (2 December, fifth
sitting; docs/performance.md).

Without fastmath every compilation must keep IEEE arithmetic exactly, so every copy gives the
same bits and the first run after an empty cache draws what every later one draws.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

#: PyTensor's flag, as this block sets it for processes started inside it too.
NO_FASTMATH = "numba__fastmath=False"


@contextmanager
def cache_independent_rounding():
    """PyTensor functions built inside this block are compiled without Numba's fastmath
    (PyTensor's ``numba__fastmath`` flag), so they give the same numbers compiled afresh or
    loaded from PyTensor's cache. The flag is read when PyTensor builds a function (Numba
    compiles it at its first call, with the options given then, inside the block or not).

    PyMC's chain workers that are not forked (``spawn``, or ``forkserver``: the default start
    method on macOS and from Python 3.14 on) rebuild the functions from a pickle in a new
    interpreter, which reads PyTensor's flags afresh: ``PYTENSOR_FLAGS`` carries the flag to
    the processes started inside the block (a ``forkserver`` started before the block keeps
    the environment it started with)."""
    from pytensor import config

    saved = os.environ.get("PYTENSOR_FLAGS")
    others = [f for f in (saved or "").split(",") if f and not f.startswith("numba__fastmath")]
    os.environ["PYTENSOR_FLAGS"] = ",".join([*others, NO_FASTMATH])
    try:
        with config.change_flags(numba__fastmath=False):
            yield
    finally:
        if saved is None:
            del os.environ["PYTENSOR_FLAGS"]
        else:
            os.environ["PYTENSOR_FLAGS"] = saved
