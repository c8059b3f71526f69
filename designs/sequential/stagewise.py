"""Stagewise-ordering inference at the look where a group-sequential trial stopped.

Outcomes are ordered by the look they stop at (earlier upward crossings more extreme) and,
at the same look, by ``z`` (Jennison & Turnbull 2000, chapter 8; Armitage, McPherson &
Rowe). With ``c_j`` the efficacy boundaries at the information observed
(:func:`designs.sequential.at_information.boundaries_at_information`) and the trial stopping
at look ``k`` with ``z_k``:

- the one-sided p-value is ``P_0(an upward crossing before k) + P_0(no crossing before k,
  Z_k >= z_k)``; it is at most the alpha spent by look ``k`` exactly when ``z_k`` reaches
  ``c_k``, so it agrees with the boundaries' decision; two-sided designs give twice the
  smaller tail;
- the median-unbiased estimate is the effect ``theta`` at which that probability, under
  ``theta``, is one half (``E Z_j = theta sqrt(I_j)``). ``analyze --look`` gives it the Wald
  statistic estimate / SE at the stopping look, whose median under ``theta`` is about
  ``theta sqrt(I)``, and the p-value the t statistic carried to z, exactly N(0, 1) under
  the null (:func:`designs.planning.interim_look._stagewise`).

Both are taken with the recursion of :mod:`designs.sequential.boundaries` over the looks that
have a boundary (a look without one cuts nothing off the density). Futility boundaries are
non-binding and ignored, as the efficacy boundaries ignore them.
"""

from __future__ import annotations

import math

import numpy as np

from designs.sequential.boundaries import Z_CAP, _Recursion

__all__ = ["median_unbiased_estimate", "stagewise_tail"]


def stagewise_tail(information, bounds, z: float, sides: int, theta: float = 0.0) -> float:
    """``P_theta(an upward crossing before the last look, or reaching it with Z >= z)``.

    Parameters
    ----------
    information : sequence of float
        Observed information ``1 / SE^2`` of each look up to the stopping one (the last).
    bounds : sequence of float
        Efficacy boundaries (z) of those looks (``Z_CAP``: none); the last is not read.
    z : float
        The z statistic at the stopping look.
    sides : int
        1, or 2 (the earlier looks continue while ``|Z| < c``).
    theta : float
        The effect (points/month; 0: the null).
    """
    info = np.asarray(information, dtype=float)
    b = np.asarray(bounds, dtype=float)
    k = info.size - 1
    looks, top = [], 0.0  # increasing information only (a look between two earlier ones
    # gave a negative variance and a NaN: a stagewise review)
    for j in range(k):
        if b[j] < Z_CAP and top < info[j] < info[k]:
            looks.append(j)
            top = info[j]
    t = info[[*looks, k]] / info[k]
    recursion = _Recursion(t, theta * math.sqrt(info[k]))
    upward = 0.0
    for j in looks:
        low = -b[j] if sides == 2 else -np.inf
        upward += recursion.exits(low, b[j])[1]
        recursion.advance(low, b[j])
    return upward + recursion.exits(-np.inf, z)[1]


def median_unbiased_estimate(information, bounds, z: float, sides: int) -> float:
    """The effect (points/month) at which the stagewise tail of the outcome is one half."""
    from scipy.optimize import brentq

    info = np.asarray(information, dtype=float)
    se = 1.0 / math.sqrt(info[-1])
    naive = z * se

    def excess(theta):
        return stagewise_tail(info, bounds, z, sides, theta) - 0.5

    low, high = naive - 10.0 * se, naive + 10.0 * se
    return float(brentq(excess, low, high, xtol=1e-10 * se))
