"""The double-blind trial: design specification, Numba simulation engine, analyses, power."""

from designs.simulation.numba_cache import use_versioned_cache
from progression import __version__ as __version__

use_versioned_cache()
