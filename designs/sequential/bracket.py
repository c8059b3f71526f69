"""Deciding a trial at its observed information without solving its boundaries.

Every efficacy boundary of :mod:`designs.sequential.observed` lies in a bracket given by the
alpha of its look and the alpha spent by it; a trial whose z lies clear of each bracket it
meets, by a margin far above the kernel's quadrature error, is on the same side of every
boundary the kernel would solve (:func:`decide_by_bracket`: most trials, in about 0.1 us
instead of 3).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["BRACKET_FIRST", "BRACKET_MARGIN", "BRACKET_STEP", "decide_by_bracket"]

#: Margin of the bracket decisions (probability): 1,600 times the largest excess of the
#: kernel's boundaries over the bracket measured where the bracket decides (6.2e-7 over
#: 305,000 boundaries of random designs, a quarter of them with early looks that spend
#: almost nothing; docs/performance.md).
BRACKET_MARGIN = 1e-3
#: Smallest information step of a trial decided by the bracket, relative to the information
#: before it: the width of the recursion's Gaussian factors over the previous grid is
#: ``sqrt(step / t)``, so smaller steps are integrated less accurately (the smallest step,
#: :data:`designs.sequential.observed.MIN_INCREMENT`, by far) and take the full recursion.
BRACKET_STEP = 0.15
#: Smallest first look (fraction of the final information) of a trial decided by the bracket.
BRACKET_FIRST = 0.05
_SQRT2 = math.sqrt(2.0)


@njit(cache=True)
def decide_by_bracket(t, inc, z, futility, sides, b, out, decided, final_low, final_high):
    """Decide trial ``b`` at every look after the first without solving a boundary, if the
    bracket of each boundary allows; True (``out`` NaN and ``decided`` 0 or 1 at the looks
    decided; the looks after the stopping one keep the kernel's ``Z_CAP``) or False
    (nothing written).

    The efficacy boundary ``c_k`` of look ``k`` spends ``inc_k`` with the continuation
    region cut at the earlier boundaries alone (futility is not binding here), so with
    ``spent_k`` the alpha spent by look ``k`` and ``Q(z) = sides * Phi_upper(z)`` (the
    chance of ``|Z_k| >= z``, ``Z_k`` one-sided, when nothing went before):

    - ``inc_k = P(continue, cross at k) <= Q(c_k)``, as crossing at ``k`` is part of
      ``|Z_k| >= c_k``;
    - ``Q(c_k) <= spent_k``, as ``|Z_k| >= c_k`` means a crossing at ``k`` or before.

    So a ``|z|`` with ``Q(|z|) < inc_k`` lies beyond the boundary, one with ``Q(|z|) >
    spent_k`` within it. The kernel's boundaries obey the bracket up to its quadrature
    error (at most 6.2e-7 in ``Q`` where every information step is at least
    :data:`BRACKET_STEP` of the information before it, measured; docs/performance.md), far
    below :data:`BRACKET_MARGIN`, so a decision made with the margin is the decision of the
    solved boundary, as is the final look's exit-probability decision it replaces. Smaller
    steps, NaN ``z`` and ``z`` within the margin of a bracket leave the trial to the full
    recursion; at the last look also a ``z`` outside ``(final_low, final_high)`` (the
    solver's bracket: there the kernel solves the boundary and returns it).

    ``t``, ``inc``, ``z``, ``futility``, ``sides``, ``out``: as
    :func:`designs.sequential.observed._boundaries_kernel`; ``decided``: int8 ``(B, K)``."""
    k_count = t.shape[1]
    if t[b, 0] < BRACKET_FIRST:
        return False
    spent = inc[b, 0]
    stop = k_count - 1
    crossed = False
    for k in range(1, k_count):
        spent += inc[b, k]
        if not t[b, k] - t[b, k - 1] >= BRACKET_STEP * t[b, k - 1]:
            return False
        zk = abs(z[b, k]) if sides == 2 else z[b, k]
        if zk != zk or (k == k_count - 1 and not final_low < zk < final_high):
            return False  # NaN, or a final z whose boundary the kernel returns
        tail = sides * 0.5 * math.erfc(zk / _SQRT2)
        if tail < inc[b, k] - BRACKET_MARGIN:
            stop = k
            crossed = True
            break
        if not tail > spent + BRACKET_MARGIN:
            return False
        if k + 1 < k_count and z[b, k] <= futility[k]:
            stop = k
            break
    for k in range(1, stop + 1):
        out[b, k] = np.nan
        decided[b, k] = 0
    if crossed:
        decided[b, stop] = 1
    return True
