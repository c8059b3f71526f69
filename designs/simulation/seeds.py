"""Seeds: the library's one default seed and the named salts of the secondary streams.

A trial's patients draw from the counter-based streams of :mod:`designs.simulation.rng`,
keyed by (seed, trial, arm, patient). Planning steps that need random numbers of their own
(the bootstrap of the sample-size curve, fresh trials that check a sample size)
draw from a NumPy generator seeded with ``[seed, salt]``, one named salt per use, so each
stream is reproducible from the seed and independent of the others.
"""

from __future__ import annotations

import numpy as np

#: Seed of every command and library function that is not given one (and of the cached
#: phase 2 fit).
DEFAULT_SEED = 20261125

#: Largest seed (and trial index): both are hashed as 64-bit integers, and output files
#: store the seed as a 64-bit signed integer (netCDF attributes, JSON readers).
MAX_SEED = 2**63 - 1

#: The bootstrap over simulated trials behind the interval for n.
SALT_SAMPLE_SIZE_BOOTSTRAP = 0x5A17
#: Fresh trials that confirm the power at a chosen sample size (independent of the curve).
SALT_SAMPLE_SIZE_CONFIRMATION = 0xC0F1
#: Fresh trials of a search run again after its check missed (the main job): independent of
#: the check that set it off (a review: with the same fresh trials, a quarter of the second
#: check was the first's unlucky block).
SALT_SAMPLE_SIZE_RECHECK = 0xC0F2


def check_seed(seed, name: str = "seed") -> int:
    """``seed`` as an int if it is in [0, :data:`MAX_SEED`]; else an InputError naming ``name``."""
    from designs.errors import InputError

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InputError(f"{name} = {seed!r}: must be a whole number in [0, {MAX_SEED:,}]")
    if not 0 <= int(seed) <= MAX_SEED:
        raise InputError(f"{name} = {int(seed)}: must be a whole number in [0, {MAX_SEED:,}]")
    return int(seed)


def secondary_seed(seed: int, salt: int) -> int:
    """A seed for the engine's own streams, derived from ``seed`` and a named salt."""
    return int(secondary_rng(seed, salt).integers(0, 2**62))


def secondary_rng(seed: int, salt: int) -> np.random.Generator:
    """The NumPy generator of one secondary stream: ``default_rng([seed, salt])``."""
    return np.random.default_rng([int(seed), int(salt)])


#: Patients' entry months in a group-sequential design (calendar time).
SALT_ENTRY_TIMES = 0xE7A1
