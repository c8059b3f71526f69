"""The double-blind trial: design specification, Numba simulation engine, analyses, power."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("als-trial-sim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from designs.simulation.numba_cache import use_versioned_cache

use_versioned_cache()
