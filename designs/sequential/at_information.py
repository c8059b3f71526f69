"""Efficacy boundaries of one trial at the information it observed, solved exactly.

At an interim analysis of a real trial the boundary is not the planned one: alpha is spent
by the information the trial has observed (Lan & DeMets 1983), ``I_k = 1 / SE_k^2``, and the
boundaries' correlations are those of the observed information, ``sqrt(I_j / I_k)``. This
module solves them for one trial by the recursion of :mod:`designs.sequential.boundaries`
(Simpson on Jennison & Turnbull's grid with ``r = 32``, each boundary by Brent's method to
1e-12), with the conventions of the simulation's kernel
(:mod:`designs.sequential.observed`), so that a look analysed with ``simulate.py analyze
--look`` is judged as the simulated trials were:

- an interim look spends the alpha of ``min(I_k / I_max, 1)`` (``I_max`` the planned final
  information), never less than an earlier look spent (a running maximum); the final look
  spends what is left, as does an interim look that has reached ``I_max`` (it is then the
  trial's final analysis);
- a look that spends nothing (its information did not rise above an earlier look's, or the
  spending function gives nothing there) has no boundary (``Z_CAP``) and cuts nothing off
  the density: the recursion goes from the last look that cut to the next one, which is
  exact (the z statistics are a Brownian motion in information time).

The simulation's kernel solves the same boundaries on a coarser grid (within about 4e-5);
this one is for a single trial, where milliseconds do not matter.
"""

from __future__ import annotations

import numpy as np

from designs.errors import InputError
from designs.sequential.boundaries import Z_CAP, _Recursion
from designs.sequential.spending import SpendingFunction

__all__ = ["boundaries_at_information", "correlation_information", "spending_fractions"]


def correlation_information(information, final: bool) -> np.ndarray:
    """The information the looks' correlations are taken at: the observed one, but a final
    look whose information is not above an earlier look's is taken above the highest of
    them by :data:`~designs.sequential.observed.MIN_INCREMENT` of its own, as the
    simulation's kernel takes every step (the canonical joint distribution needs increasing
    information; a stagewise review found such final looks, 1-1.4% of the trials of 20 per
    arm, refused by ``analyze --look`` although the simulation decided them)."""
    info = np.array(information, dtype=float)
    k = info.size - 1
    if final and k and info[k] <= info[:k].max():
        from designs.sequential.observed import MIN_INCREMENT

        t = np.maximum(info / info[k], MIN_INCREMENT)
        for j in range(1, k + 1):  # the kernel's chain: strictly increasing
            t[j] = max(t[j], t[j - 1] + MIN_INCREMENT)
        info[k] = t[k] * info[k]
    return info


def spending_fractions(information, information_max: float, n_looks: int, final: bool):
    """The information fraction each observed look spends alpha by.

    ``min(I_k / I_max, 1)`` as a running maximum over the looks; 1 at the last look when
    ``final``. ``n_looks`` is the number of looks the design plans (the fractions are padded
    with 1 to it, for spending functions defined per planned look)."""
    info = np.asarray(information, dtype=float)
    spend = np.ones(n_looks)
    spend[: info.size] = np.maximum.accumulate(np.minimum(info / information_max, 1.0))
    if final:
        spend[info.size - 1] = 1.0
    return spend


def boundaries_at_information(
    information,
    information_max: float,
    alpha: float,
    spending: SpendingFunction,
    sides: int,
    n_looks: int,
    final: bool,
):
    """Efficacy boundaries (z) of the looks so far at the information each observed.

    Parameters
    ----------
    information : sequence of float
        Observed information ``1 / SE^2`` ((points/month)^-2) at each look so far, the
        current one last; each finite and > 0.
    information_max : float
        The planned final information (> 0).
    alpha, spending, sides
        As :func:`designs.sequential.efficacy_boundaries`.
    n_looks : int
        Looks the design plans (at least ``len(information)``).
    final : bool
        The last of ``information`` is the final analysis (spends what is left).

    Returns
    -------
    bounds : ndarray
        Boundary per look so far (``Z_CAP``: the look spends nothing, no boundary).
    alpha_spent : ndarray
        Cumulative alpha spent by each look so far (two-sided: both sides).
    fractions : ndarray
        The fraction of ``information_max`` each look spent by.
    """
    from scipy.optimize import brentq  # on use: slow to import

    info = np.asarray(information, dtype=float)
    if info.size == 0 or not np.all(np.isfinite(info)) or np.any(info <= 0):
        raise InputError("information: each look's must be finite and > 0")
    info = correlation_information(info, final)
    if not (np.isfinite(information_max) and information_max > 0):
        raise InputError(f"information_max = {information_max:g}: must be finite and > 0")
    if info.size > n_looks:
        raise InputError(f"{info.size} looks observed, but the design plans {n_looks}")
    fractions = spending_fractions(info, information_max, n_looks, final)
    spent = sides * spending.spent(fractions, alpha / sides)[: info.size]
    increments = np.diff(np.concatenate(([0.0], spent)))
    bounds = np.full(info.size, Z_CAP)
    cut: list[int] = []  # the looks with a boundary, which the density is carried through
    for k in range(info.size):
        if k and info[k] <= info[:k].max():
            continue  # spends nothing (as the simulation's kernel): no boundary, nothing cut
        if increments[k] <= 0:
            continue  # spends nothing: no boundary, nothing cut
        looks = [*cut, k]
        recursion = _Recursion(info[looks] / info[k], 0.0)
        for j in cut:
            recursion.advance(-bounds[j] if sides == 2 else -np.inf, bounds[j])

        def excess(c, target=increments[k], recursion=recursion):
            below, above = recursion.exits(-c if sides == 2 else -np.inf, c)
            return below + above - target

        if excess(Z_CAP) >= 0:
            continue
        bounds[k] = brentq(excess, -Z_CAP if sides == 1 else 0.0, Z_CAP, xtol=1e-12)
        cut.append(k)
    return bounds, spent, fractions[: info.size]
