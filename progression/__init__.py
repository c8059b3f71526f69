"""The disease: phase 2 ALSFRS-R records, priors, the PyMC model, posteriors, populations."""

from importlib.metadata import PackageNotFoundError, version

from progression.cache_dirs import use_matplotlib_config, use_pytensor_cache

try:
    __version__ = version("als-trial-sim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

use_pytensor_cache()
use_matplotlib_config()
