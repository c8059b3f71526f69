"""One place for the tool's caches (compiled kernels, compiled PyMC models, fitted posteriors),
whichever way it is started: ``make``, ``python simulate.py``, ``als-trial-sim`` or Python.

In a source checkout (the package sits beside ``pyproject.toml`` in a writable folder) the
caches live in ``<checkout>/.cache``; an installed package uses the user's cache folder
(``platformdirs``: ``~/.cache/als-trial-sim`` on Linux). ``ALS_TRIAL_SIM_CACHE`` overrides
both.
"""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def cache_root() -> Path:
    """The folder that holds every cache of the tool."""
    env = os.environ.get("ALS_TRIAL_SIM_CACHE")
    if env:
        return Path(env)
    if (_CHECKOUT / "pyproject.toml").is_file() and os.access(_CHECKOUT, os.W_OK):
        return _CHECKOUT / ".cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("als-trial-sim"))


def pytensor_cache() -> Path:
    """PyTensor's cache folder (its ``base_compiledir``): compiled C modules, and the
    Numba functions of the models' graphs and of nutpie's callbacks
    (:mod:`progression.nutpie_compile`), one folder per PyTensor version: PyTensor keys its
    Numba functions by graph, not by its own version, so an upgrade starts afresh."""
    try:
        from importlib.metadata import version

        pytensor_version = version("pytensor")
    except ImportError:  # PackageNotFoundError is an ImportError: one folder for all
        pytensor_version = "unknown"
    return cache_root() / "pytensor" / pytensor_version


def use_pytensor_cache() -> None:
    """Point PyTensor's caches (:func:`pytensor_cache`) into :func:`cache_root` unless the
    user set ``PYTENSOR_FLAGS``; must run before PyTensor is imported."""
    os.environ.setdefault("PYTENSOR_FLAGS", f"base_compiledir={pytensor_cache()}")
