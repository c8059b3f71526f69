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


def use_pytensor_cache() -> None:
    """Point PyTensor's compiled-model cache into :func:`cache_root` unless the user set
    ``PYTENSOR_FLAGS``; must run before PyTensor is imported."""
    os.environ.setdefault("PYTENSOR_FLAGS", f"compiledir={cache_root() / 'pytensor'}")
