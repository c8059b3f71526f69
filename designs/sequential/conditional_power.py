"""Non-binding futility by conditional power: stop at an interim look when the probability
of crossing the final efficacy boundary, given the data so far, is below a threshold.

On the canonical joint distribution (Jennison & Turnbull 2000, ch. 10 and the B-value of
Lan & Wittes 1988), with information fraction ``t`` at the look, ``B = Z sqrt(t)`` and drift
``delta = theta sqrt(I_K)``, the final statistic is reached by an independent increment
``B(1) - B(t) ~ N(delta (1 - t), 1 - t)``, so the conditional power of crossing the final
boundary ``c_K`` is

    CP(z) = 1 - Phi((c_K - z sqrt(t) - delta (1 - t)) / sqrt(1 - t)).

``delta`` is the design's effect (``under = "design"``: the planned drift) or the current
trend (``under = "trend"``: ``delta = z / sqrt(t)``, the estimate so far carried forward,
which gives ``CP(z) = 1 - Phi((c_K - z / sqrt(t)) / sqrt(1 - t))``). CP increases with
``z``, so ``CP < gamma`` is ``z`` below a boundary:

    design:  z < (c_K - delta (1 - t) - sqrt(1 - t) q) / sqrt(t)
    trend:   z < sqrt(t) (c_K - sqrt(1 - t) q),         q = Phi^-1(1 - gamma).

Only the final boundary enters (the usual approximation: crossing at a later interim look
is ignored, which makes CP slightly low). The rule is non-binding: the efficacy boundaries
are those without it, so the type I error holds whether or not it is followed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import ndtr, ndtri

from designs.errors import InputError
from designs.sequential.boundaries import Boundaries

__all__ = ["CP_UNDER", "conditional_power", "conditional_power_futility"]

#: What the conditional power assumes about the effect from the look on.
CP_UNDER = ("trend", "design")


def conditional_power(z, fraction, final_z, drift=None):
    """Conditional power of crossing ``final_z`` at the end, given ``z`` at ``fraction``;
    ``drift`` (``theta sqrt(I_K)``) or, when None, the current trend ``z / sqrt(t)``."""
    z = np.asarray(z, dtype=float)
    t = float(fraction)
    delta = z / np.sqrt(t) if drift is None else drift
    arg = (final_z - z * np.sqrt(t) - delta * (1.0 - t)) / np.sqrt(1.0 - t)
    return ndtr(-arg)


def conditional_power_futility(
    efficacy: Boundaries, threshold: float, under: str, drift: float | None = None
) -> Boundaries:
    """``efficacy`` with non-binding futility boundaries: ``z`` below which the conditional
    power (under the current trend, or the design's ``drift = theta sqrt(I_K)``) is below
    ``threshold``; the last equals the final efficacy boundary."""
    if efficacy.sides != 1:
        raise InputError("interim.futility = 'cp': needs a one-sided design (trial.sides = 1)")
    if not 0 < threshold < 1:
        raise InputError(f"interim.futility_cp = {threshold:g}: must be in (0, 1)")
    if under not in CP_UNDER:
        raise InputError(
            f"interim.futility_cp_under = {under!r}: must be one of {', '.join(CP_UNDER)}"
        )
    if under == "design" and drift is None:
        raise InputError("interim.futility_cp_under = 'design': needs the design's drift")
    t = np.asarray(efficacy.fractions, dtype=float)
    c_k = float(efficacy.efficacy_z[-1])
    q = float(ndtri(1.0 - threshold))
    s = np.sqrt(1.0 - t[:-1])
    if under == "trend":
        fut = np.sqrt(t[:-1]) * (c_k - s * q)
    else:
        fut = (c_k - drift * (1.0 - t[:-1]) - s * q) / np.sqrt(t[:-1])
    return dataclasses.replace(efficacy, futility_z=np.append(fut, c_k))
