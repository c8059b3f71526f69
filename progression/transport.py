"""How a phase 2 posterior draw of the effect is carried over to a trial population.

Kept apart from :mod:`progression.population` (NumPy and xarray) so that reading a design
does not import them.
"""

from enum import StrEnum


class Transport(StrEnum):
    """How a posterior draw of ``delta`` becomes the trial population's effect.

    The one definition: the trial package (``effect.transport`` of a design, assurance) uses it.
    """

    # delta / |pre_slope_mean|: fraction of the mean decline, applied as proportional_slowing
    PROPORTIONAL = "proportional"
    ABSOLUTE = "absolute"  # delta itself, points/month, applied as slope_difference
