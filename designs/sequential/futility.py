"""Non-binding futility boundaries by beta spending (one-sided designs).

As rpact's ``typeBetaSpending`` with ``bindingFutility = FALSE``: the efficacy boundaries are
those of the design without futility (so the type I error holds whether or not the futility
rule is followed), and the futility boundary ``a_k`` at look ``k < K`` spends
``beta(t_k) - beta(t_{k-1})`` of the type II error under the drift at which the design, with
its futility rule followed, has power ``1 - beta``:

    P_drift(a_j < Z_j < b_j, j < k; Z_k <= a_k) = beta(t_k) - beta(t_{k-1}).

The drift is found by root search (each evaluation is one pass of the recursion); a futility
boundary above the efficacy boundary is set to it.
"""

from __future__ import annotations

import numpy as np

from designs.errors import InputError
from designs.sequential.boundaries import Z_CAP, Boundaries, _Recursion
from designs.sequential.spending import SpendingFunction

__all__ = ["futility_boundaries"]


def _futility_for_drift(t, b, increments, drift):
    """Futility boundaries under ``drift`` and the power of the design that follows them."""
    from scipy.optimize import brentq  # on use: slow to import

    recursion = _Recursion(t, drift)
    a = np.empty(t.size)
    power = 0.0
    for k in range(t.size):
        if k == t.size - 1:
            a[k] = b[k]
            power += recursion.exits(b[k], b[k])[1]
            break

        def excess(x, target=increments[k], high=b[k]):
            return recursion.exits(x, high)[0] - target

        if increments[k] <= 0 or excess(-Z_CAP) >= 0:
            a[k] = -Z_CAP
        elif excess(b[k]) <= 0:
            a[k] = b[k]
        else:
            a[k] = brentq(excess, -Z_CAP, b[k], xtol=1e-12)
        power += recursion.exits(a[k], b[k])[1]
        recursion.advance(a[k], b[k])
    return a, power


def futility_boundaries(
    efficacy: Boundaries, beta: float, spending: SpendingFunction
) -> tuple[Boundaries, float]:
    """The design ``efficacy`` with non-binding beta-spending futility boundaries added.

    Parameters
    ----------
    efficacy : Boundaries
        One-sided efficacy boundaries (from :func:`efficacy_boundaries`).
    beta : float
        Type II error spent by the futility rule, in (0, 0.5).
    spending : SpendingFunction
        How beta is spent over the information fractions.

    Returns
    -------
    Boundaries, float
        The boundaries with ``futility_z`` (the last equal to the efficacy boundary), and the
        drift ``theta sqrt(I_K)`` under which they were derived (power ``1 - beta``).
    """
    from scipy.optimize import brentq  # on use: slow to import

    if efficacy.sides != 1:
        raise InputError("interim.futility needs a one-sided design (interim.sides = 1)")
    if not 0 < beta < 0.5:
        raise InputError("interim.futility_beta must be in (0, 0.5)")
    t, b = efficacy.fractions, efficacy.efficacy_z
    increments = np.diff(np.concatenate(([0.0], spending.spent(t, beta))))

    def shortfall(drift):
        return _futility_for_drift(t, b, increments, drift)[1] - (1.0 - beta)

    drift = brentq(shortfall, 0.0, 15.0, xtol=1e-10)
    a, _ = _futility_for_drift(t, b, increments, drift)
    bounds = Boundaries(t, b, a, efficacy.alpha_spent, efficacy.sides)
    return bounds, drift
