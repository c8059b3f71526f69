"""Spending functions: the cumulative error spent by information fraction ``t`` in [0, 1].

Families (``level`` is alpha for efficacy, beta for futility):

- ``obf``: Lan & DeMets (1983) O'Brien-Fleming type, ``2 (1 - Phi(z_{1 - level/2} / sqrt(t)))``
  (rpact's ``asOF``/``bsOF``, gsDesign's ``sfLDOF``);
- ``pocock``: Lan & DeMets (1983) Pocock type, ``level log(1 + (e - 1) t)`` (``asP``);
- ``hsd``: Hwang, Shih & DeCani (1990), ``level (1 - exp(-gamma t)) / (1 - exp(-gamma))``,
  ``level t`` at gamma = 0 (``asHSD``); gamma in [-10, 5] (-4 resembles O'Brien-Fleming,
  1 resembles Pocock);
- ``power``: Kim & DeMets (1987) power family, ``level t^gamma``, gamma > 0 (``asKD``);
- ``user``: a cumulative level given at each look (increasing, the last equal to ``level``);
  a look spends its planned level whatever information it observed, and all of it at the
  full information (fraction 1: the final analysis).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from designs.errors import InputError
from designs.sequential import normal as norm

__all__ = ["HSD_GAMMA_RANGE", "SpendingFamily", "SpendingFunction"]

#: Allowed gamma of the Hwang-Shih-DeCani family (rpact's range for gammaA).
HSD_GAMMA_RANGE = (-10.0, 5.0)


class SpendingFamily(StrEnum):
    """The families of spending functions."""

    OBF = "obf"
    POCOCK = "pocock"
    HSD = "hsd"
    POWER = "power"
    USER = "user"


#: The families in words (a grant writer's review read "the obf alpha-spending function"):
#: Lan-DeMets spending functions of O'Brien-Fleming and Pocock type, Hwang, Shih & DeCani's,
#: Kim & DeMets's power family.
FAMILY_WORDS = {
    "obf": "O'Brien-Fleming-type",
    "pocock": "Pocock-type",
    "hsd": "Hwang-Shih-DeCani",
    "power": "Kim-DeMets power-family",
    "user": "user-given",
}


@dataclass(frozen=True)
class SpendingFunction:
    """A spending function of one family.

    Parameters
    ----------
    family : SpendingFamily
        See the module docstring.
    gamma : float
        Parameter of ``hsd`` (in [-10, 5]) and ``power`` (> 0); ignored otherwise.
    cumulative : tuple of float
        ``user`` only: the cumulative fraction of the level spent at each look, increasing,
        in (0, 1], the last 1.
    """

    family: SpendingFamily = SpendingFamily.OBF
    gamma: float = -4.0
    cumulative: tuple[float, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "family", SpendingFamily(self.family))
        low, high = HSD_GAMMA_RANGE
        if self.family is SpendingFamily.HSD and not low <= self.gamma <= high:
            raise InputError(
                f"interim.gamma = {self.gamma:g}: must be in [{low:g}, {high:g}] for hsd spending"
            )
        if self.family is SpendingFamily.POWER and not 0 < self.gamma <= 20:
            raise InputError(
                f"interim.gamma = {self.gamma:g}: must be in (0, 20] for power-family spending"
            )
        if self.family is SpendingFamily.USER:
            c = np.asarray(self.cumulative, dtype=float)
            if c.size == 0 or np.any(np.diff(c) <= 0) or c[0] <= 0 or c[-1] != 1:
                raise InputError(
                    "interim.user_spending must increase within (0, 1] and end at 1"
                    " (cumulative fraction of alpha spent at each look)"
                )

    def spent(self, t, level: float) -> np.ndarray:
        """Cumulative error spent by information fractions ``t`` (array in [0, 1])."""
        t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
        if self.family is SpendingFamily.OBF:
            with np.errstate(divide="ignore"):
                out = 2.0 * norm.sf(norm.isf(level / 2.0) / np.sqrt(t))
            return np.where(t > 0, out, 0.0)
        if self.family is SpendingFamily.POCOCK:
            return level * np.log1p((np.e - 1.0) * t)
        if self.family is SpendingFamily.HSD:
            if self.gamma == 0:
                return level * t
            return level * (-np.expm1(-self.gamma * t)) / (-np.expm1(-self.gamma))
        if self.family is SpendingFamily.POWER:
            return level * t**self.gamma
        c = np.asarray(self.cumulative, dtype=float)
        if t.shape[-1:] != c.shape:
            raise InputError(
                f"interim.user_spending has {c.size} values; it needs one per look "
                f"({t.shape[-1] if t.ndim else 1})"
            )
        # the planned cumulative fraction of each look, whatever information it observed,
        # except that a look at the full information spends all (it is the final analysis:
        # a DSMB review found a look past I_max that spent 0.3 of alpha and ended the trial)
        return np.where(t >= 1.0, level, level * np.broadcast_to(c, t.shape))

    def words(self) -> str:
        """The family in words with its short name, ``Hwang-Shih-DeCani (hsd:-4)`` (an rpact
        user's review: "power:3 alpha spending" and "pocock" read as classical Pocock)."""
        return f"{FAMILY_WORDS[self.family.value]} ({self.label()})"

    def label(self) -> str:
        """Short name as on the command line (``obf``, ``pocock``, ``hsd:-4``, ...)."""
        if self.family in (SpendingFamily.HSD, SpendingFamily.POWER):
            return f"{self.family.value}:{self.gamma:g}"
        return self.family.value
