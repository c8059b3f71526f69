"""Group-sequential boundaries: alpha- and beta-spending functions, recursive integration.

Pure NumPy/SciPy on the canonical joint distribution of the z statistics (Jennison &
Turnbull 2000, ch. 3 and 19). Nothing here knows about ALSFRS-R, designs or simulation;
:mod:`designs.spec` validates ``[interim]`` with it and :mod:`designs.planning` applies it.
"""

from designs.sequential.boundaries import Boundaries, crossing_probabilities, efficacy_boundaries
from designs.sequential.futility import futility_boundaries
from designs.sequential.spending import SpendingFamily, SpendingFunction

__all__ = [
    "Boundaries",
    "SpendingFamily",
    "SpendingFunction",
    "crossing_probabilities",
    "efficacy_boundaries",
    "futility_boundaries",
]
