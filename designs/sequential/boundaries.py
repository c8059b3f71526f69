"""Efficacy boundaries and crossing probabilities by recursive numerical integration.

The z statistics ``Z_1, ..., Z_K`` at information ``I_1 < ... < I_K`` have the canonical
joint distribution (Jennison & Turnbull 2000, ch. 3): multivariate normal, ``E Z_k =
theta sqrt(I_k)``, ``cov(Z_j, Z_k) = sqrt(I_j / I_k)`` for ``j <= k``, with independent
increments of ``Z_k sqrt(I_k)``. With information fractions ``t_k = I_k / I_K`` and the drift
``drift = theta sqrt(I_K)``, the sub-density of ``Z_k`` on the continuation region follows
by the recursion of Jennison & Turnbull (2000, section 19.2):

    h_1(z) = phi(z - drift sqrt(t_1))
    h_k(z) = int h_{k-1}(u) sqrt(t_k / d_k) phi(e_k(z, u)) du,
    e_k(z, u) = (z sqrt(t_k) - u sqrt(t_{k-1}) - drift d_k) / sqrt(d_k)

with ``d_k = t_k - t_{k-1}``, each integral taken by Simpson's rule on their grid (``6 r - 1``
points spread as a normal's quantiles, trimmed to the continuation region, plus midpoints).
With ``r = 32`` the crossing probabilities are accurate to about 1e-9, the boundaries to
about 1e-7 on the z scale (checked against rpact 3.3.4 in tests/sequential).

The efficacy boundary at look ``k`` spends ``alpha(t_k) - alpha(t_{k-1})``: it is the ``c_k``
for which ``P_0(Z_j < c_j, j < k; Z_k >= c_k)`` equals it (one-sided), or for which
``P_0(|Z_j| < c_j, j < k; |Z_k| >= c_k)`` does (two-sided, symmetric). A two-sided design
spends ``alpha / 2`` on each side with the spending function applied to ``alpha / 2``, as
rpact (``sided = 2``) and gsDesign (``test.type = 2``) do; for the O'Brien-Fleming type this
differs from applying it to the two-sided ``alpha`` (Lan & DeMets 1983 wrote it that way).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designs.errors import InputError
from designs.sequential import normal as norm
from designs.sequential.spending import SpendingFunction

__all__ = [
    "GRID_R",
    "Boundaries",
    "check_fractions",
    "crossing_probabilities",
    "efficacy_boundaries",
]

#: Jennison & Turnbull's grid parameter r (their section 19.2.1 finds r = 16 enough for 1e-6).
GRID_R = 32
#: Boundaries are solved on [-Z_CAP, Z_CAP]; a look that spends nothing gets Z_CAP.
Z_CAP = 38.0


@dataclass(frozen=True)
class Boundaries:
    """Boundaries of a group-sequential design on the z scale.

    Attributes
    ----------
    fractions : ndarray
        Information fraction of each look, increasing, the last 1.
    efficacy_z : ndarray
        Efficacy boundary per look (``|Z| >= efficacy_z`` stops when two-sided).
    futility_z : ndarray
        Non-binding futility boundary per look (``Z <= futility_z`` stops; ``-inf``: none).
    alpha_spent : ndarray
        Cumulative alpha spent by each look.
    sides : int
        1 or 2.
    """

    fractions: np.ndarray
    efficacy_z: np.ndarray
    futility_z: np.ndarray
    alpha_spent: np.ndarray
    sides: int

    @property
    def nominal_p(self) -> np.ndarray:
        """Nominal p-value of each efficacy boundary (two-sided when ``sides = 2``)."""
        return self.sides * norm.sf(self.efficacy_z)


def check_fractions(fractions, field: str = "interim.looks") -> np.ndarray:
    """The information fractions as an array, or :class:`InputError` naming ``field``."""
    t = np.asarray(fractions, dtype=float).ravel()
    shown = f"{field} = [{', '.join(f'{x:g}' for x in t)}]"
    if t.size == 0 or not np.all(np.isfinite(t)):
        raise InputError(f"{shown}: must be one or more information fractions in (0, 1]")
    if np.any(t <= 0) or np.any(t > 1):
        raise InputError(f"{shown}: must lie in (0, 1] (information fractions)")
    if np.any(np.diff(t) <= 0):
        raise InputError(f"{shown}: must be strictly increasing")
    if t[-1] != 1:
        raise InputError(f"{shown}: must end at 1 (the final analysis)")
    return t


def _grid(mean: float, low: float, high: float, r: int = GRID_R):
    """Simpson nodes and weights on (low, high) for a unit-variance density around ``mean``."""
    i = np.arange(1, 6 * r, dtype=float)
    x = np.where(
        i < r,
        -3.0 - 4.0 * np.log(r / i),
        np.where(i <= 5 * r, -3.0 + 3.0 * (i - r) / (2.0 * r), 3.0 + 4.0 * np.log(r / (6 * r - i))),
    )
    x = x + mean
    inside = x[(x > low) & (x < high)]
    if low > x[0]:
        inside = np.concatenate(([low], inside))
    if high < x[-1]:
        inside = np.concatenate((inside, [high]))
    if inside.size < 2:
        return np.empty(0), np.empty(0)
    h = np.diff(inside)
    nodes = np.empty(2 * inside.size - 1)
    nodes[0::2] = inside
    nodes[1::2] = inside[:-1] + h / 2.0
    weights = np.zeros_like(nodes)
    weights[0:-1:2] += h / 6.0
    weights[2::2] += h / 6.0
    weights[1::2] += 4.0 * h / 6.0
    return nodes, weights


class _Recursion:
    """The sub-density of the current look's z on its continuation region, look by look."""

    def __init__(self, fractions: np.ndarray, drift: float):
        self.t = fractions
        self.drift = drift
        self.k = 0  # looks done
        self.nodes = self.weights = self.density = None

    def exits(self, low: float, high: float) -> tuple[float, float]:
        """P(continue so far, then Z_k <= low) and P(continue so far, then Z_k >= high)."""
        t_k = self.t[self.k]
        if self.k == 0:
            mean = self.drift * np.sqrt(t_k)
            return norm.cdf(low - mean), norm.sf(high - mean)
        t_prev = self.t[self.k - 1]
        d = t_k - t_prev
        shift = self.nodes * np.sqrt(t_prev) + self.drift * d
        mass = self.weights * self.density
        below = mass @ norm.cdf((low * np.sqrt(t_k) - shift) / np.sqrt(d))
        above = mass @ norm.sf((high * np.sqrt(t_k) - shift) / np.sqrt(d))
        return float(below), float(above)

    def advance(self, low: float, high: float) -> None:
        """Move to the next look, continuing while ``low < Z_k < high``."""
        t_k = self.t[self.k]
        mean = self.drift * np.sqrt(t_k)
        nodes, weights = _grid(mean, low, high)
        if self.k == 0:
            density = norm.pdf(nodes - mean)
        elif nodes.size == 0 or self.nodes.size == 0:
            nodes, weights, density = np.empty(0), np.empty(0), np.empty(0)
        else:
            t_prev = self.t[self.k - 1]
            d = t_k - t_prev
            arg = (
                nodes[:, None] * np.sqrt(t_k)
                - self.nodes[None, :] * np.sqrt(t_prev)
                - self.drift * d
            ) / np.sqrt(d)
            density = (norm.pdf(arg) * np.sqrt(t_k / d)) @ (self.weights * self.density)
        self.nodes, self.weights, self.density = nodes, weights, density
        self.k += 1


def efficacy_boundaries(
    fractions, alpha: float, spending: SpendingFunction, sides: int = 1
) -> Boundaries:
    """Efficacy boundaries (z) spending ``alpha`` at the information ``fractions``.

    Parameters
    ----------
    fractions : sequence of float
        Information fraction of each look, strictly increasing in (0, 1], the last 1.
    alpha : float
        Overall type I error: one-sided when ``sides = 1``; two-sided when ``sides = 2``
        (``alpha / 2`` per side, each spent by ``spending`` applied to ``alpha / 2``).
    spending : SpendingFunction
        How alpha is spent over the information fractions.
    sides : int
        1 (efficacy in one direction) or 2 (symmetric, either direction).
    """
    from scipy.optimize import brentq  # on use: slow to import

    t = check_fractions(fractions)
    if not 0 < alpha < 1:
        raise InputError("alpha must be in (0, 1)")
    if sides not in (1, 2):
        raise InputError("interim.sides must be 1 or 2")
    spent = sides * spending.spent(t, alpha / sides)  # two-sided: alpha / 2 per side, as rpact
    increments = np.diff(np.concatenate(([0.0], spent)))
    recursion = _Recursion(t, 0.0)
    bounds = np.empty(t.size)
    for k, target in enumerate(increments):

        def excess(c, target=target):
            below, above = recursion.exits(-c if sides == 2 else -np.inf, c)
            return below + above - target

        if target <= 0 or excess(Z_CAP) >= 0:
            bounds[k] = Z_CAP
        else:
            bounds[k] = brentq(excess, -Z_CAP if sides == 1 else 0.0, Z_CAP, xtol=1e-12)
        recursion.advance(-bounds[k] if sides == 2 else -np.inf, bounds[k])
    return Boundaries(t, bounds, np.full(t.size, -np.inf), spent, sides)


def crossing_probabilities(
    fractions, efficacy_z, drift: float, futility_z=None, sides: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Probability of stopping for efficacy and for futility at each look.

    ``drift`` is ``theta sqrt(I_K)`` (the mean of the final z). One-sided: efficacy when
    ``Z_k >= efficacy_z[k]``, futility when ``Z_k <= futility_z[k]`` (none when ``None``).
    Two-sided: efficacy when ``|Z_k| >= efficacy_z[k]`` (the returned efficacy probability
    counts both directions), futility when ``|Z_k| <= futility_z[k]`` is not supported.
    """
    t = np.asarray(fractions, dtype=float)
    b = np.asarray(efficacy_z, dtype=float)
    a = np.full(t.size, -np.inf) if futility_z is None else np.asarray(futility_z, dtype=float)
    recursion = _Recursion(t, drift)
    up = np.empty(t.size)
    down = np.empty(t.size)
    for k in range(t.size):
        low = -b[k] if sides == 2 else max(a[k], -Z_CAP)
        below, above = recursion.exits(low, b[k])
        up[k] = above + (below if sides == 2 else 0.0)
        down[k] = 0.0 if sides == 2 or not np.isfinite(a[k]) else below
        if k + 1 < t.size:
            recursion.advance(low, b[k])
    return up, down
