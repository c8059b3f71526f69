"""Efficacy boundaries of many trials at once, each at the information it observed.

A trial monitored by alpha spending (Lan & DeMets 1983) spends at look ``k`` the alpha of
its observed information fraction ``s_k = I_k / I_max`` (``I_max`` the planned final
information; the final look spends what is left, ``s_K = 1``), and its boundaries follow
from the joint distribution of its z statistics with the correlations of the information it
observed, ``corr(Z_j, Z_k) = sqrt(I_j / I_k)`` (Jennison & Turnbull 2000, sections 7.2 and
7.4). Each simulated trial thus has boundaries of its own; this module computes them for a
batch of trials at once: the recursion of :mod:`designs.sequential.boundaries` with
Simpson's rule on :data:`NODES` equally spaced points of each trial's continuation region
in a Numba kernel parallel over chunks of trials, each boundary found from the boundary at
the median information by steps to the root of the cubic Taylor model of the exit
probability (its first three derivatives come from the same exponential as the first; a
fourth-order method, safeguarded by bisection), stopped after a step below 1e-4 (an error
of order 1e-14 left): two evaluations of the exit probability per look for most trials
(each look's node offsets, which do not depend on the boundary, computed once) instead of
Newton's four (about 2.0-2.3 against 3.7-4.3 at information spread 3-8% around the plan).
The density carried from one look to the next sums Gaussian factors over pairs of nodes;
on equally spaced nodes (:mod:`designs.sequential.propagate`) it is a power series per node,
summed across nodes at once. The first look's boundary is exact (a normal quantile). Boundaries
agree with :func:`efficacy_boundaries` to about 4e-5 on the z scale (tests/sequential).
Deciding the trials (:func:`observed_crossings`) needs no boundary where a trial's z lies
clear of the boundary's bracket, ``Q(c_k)`` between the alpha of look ``k`` and the alpha
spent by it (``Q`` the normal tail, both tails when two-sided): most trials are decided so,
without any recursion; at the final look one evaluation of the exit probability at the
trial's z tells on which side of its boundary z lies. The normal tails and exponentials at
the nodes come from :mod:`designs.sequential.branchless` in one loop LLVM vectorises (a few ulp from
``math.erfc``; with the density's power series the boundaries moved by at most 3e-14 against
those of the C library's tails and the walk on 720,000 synthetic trials of 36 designs
(information spread a few percent around the plan), with the same decisions, measured once
(docs/performance.md); tests/sequential/test_branchless.py keeps them within 1e-11 of a
straightforward evaluation, decisions equal, on 6 designs): about 0.6 us per evaluation of
the exit probability with its derivatives instead of 2.1 at 61 nodes, two-sided.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy.special import ndtri

from designs.sequential.boundaries import Z_CAP
from designs.sequential.bracket import decide_by_bracket
from designs.sequential.branchless import exp_split, padded, upper_tail
from designs.sequential.propagate import propagate
from designs.sequential.spending import SpendingFunction

__all__ = ["NODES", "observed_boundaries", "observed_crossings"]

#: Simpson nodes per look (odd).
NODES = 61
#: Lower end of the continuation region of a one-sided design (z).
Z_LOW = -8.0
#: A boundary at or above it (z) cuts off below 1e-15 of the density (a look that spends
#: almost nothing, or nothing): such a look is left out of the recursion, as if it cut
#: nothing; a first look so left out puts the standard normal on [Z_LOW, Z_GRID] (two-sided
#: [-Z_GRID, Z_GRID]), carried from information 0.
Z_GRID = 8.0
#: Bisection bracket of a later look's boundary (z); a boundary above it spends < 1e-33.
BRACKET = (-4.0, 12.0)
#: Most steps (the method converges in about 2 from the start at the median information).
STEPS = 60
#: A Newton step below this is refined to the root of the cubic Taylor model.
TAYLOR_FROM = 0.5
#: A step below this ends the search (its error is of order STEP_DONE^4, see _solve).
STEP_DONE = 1e-4
_SQRT2PI = math.sqrt(2.0 * math.pi)
#: Smallest information increment between looks, as a fraction of the final information: a
#: smaller step (an SE that barely moved, or rose) is taken as this one. The NODES-point grid
#: resolves a step of 0.01 to within about 0.006-0.011 on the z scale of the later boundaries
#: (O'Brien-Fleming and Pocock type, against the exact boundaries at the same fractions; 0.0099
#: above the exact 1.95996 at looks of 100 and 100.9 with 250 planned, 2026-12-06); at 1e-4 an
#: unresolved step put the final boundary 0.7 too low (an independent review).
MIN_INCREMENT = 0.01


@njit(cache=True)
def _simpson(low, high, nodes, weights):
    """Simpson's rule on [low, high]: fills ``nodes`` and ``weights`` (odd length)."""
    n = nodes.shape[0]
    h = (high - low) / (n - 1)
    for i in range(n):
        nodes[i] = low + h * i
        weights[i] = (1.0 if i == 0 or i == n - 1 else (4.0 if i % 2 == 1 else 2.0)) * h / 3.0


@njit(cache=True)
def tails_scratch(n_nodes):
    """Scratch of :func:`_tails` for ``n_nodes`` nodes (both sides, padded to whole SIMD registers,
    :data:`designs.sequential.branchless.LANES`; row 3 holds the offsets of :func:`_offsets`)."""
    return np.empty((4, padded(2 * n_nodes)))


@njit(cache=True, error_model="numpy")
def _offsets(nodes, tp, tk, tails):
    """The offsets ``s = node sqrt(tp) / sqrt(tk - tp)`` of a look (``tails[3, :n]``), which
    do not depend on ``c``: computed once per look, not once per evaluation of the exit
    probability (the same operations, so the same bits). Returns ``a = sqrt(tk / (tk -
    tp))`` as ``sqrt(tk) / sqrt(tk - tp)``."""
    sd = math.sqrt(tk - tp)
    a = math.sqrt(tk) / sd
    stp = math.sqrt(tp)
    for i in range(nodes.shape[0]):
        tails[3, i] = nodes[i] * stp / sd
    return a


@njit(cache=True, error_model="numpy")
def _tails(c, a, n, sides, tails):
    """``x = c a - s`` per node (``tails[0, :n]``; two-sided then ``x = c a + s`` in
    ``tails[0, n:2n]``), with the offsets ``s`` of :func:`_offsets` (``tails[3, :n]``) and
    ``a`` it returned, and at each ``x`` ``Phi_upper(x)`` (``tails[1]``) and ``exp(-x^2 /
    2)`` (``tails[2]``): one loop without calls or branches
    (:func:`designs.sequential.branchless.upper_tail`), padded to whole SIMD registers
    (``tails``: :func:`tails_scratch`), that LLVM vectorises."""
    for i in range(n):
        tails[0, i] = c * a - tails[3, i]
    m = n
    if sides == 2:
        for i in range(n):
            tails[0, n + i] = c * a + tails[3, i]
        m = 2 * n
    whole = padded(m)
    for i in range(m, whole):
        tails[0, i] = 0.0
    for i in range(whole):
        tails[1, i], tails[2, i] = upper_tail(tails[0, i])


@njit(cache=True)
def _exits(c, nodes, mass, tp, tk, sides, tails):
    """P(continue to look k - 1, then cross +-c at look k) under no effect, and its first
    three derivatives in ``c`` (``tails``: :func:`tails_scratch`): :func:`_exits_at` with
    the look's offsets (:func:`_offsets`)."""
    a = _offsets(nodes, tp, tk, tails)
    return _exits_at(c, a, mass, sides, tails)


@njit(cache=True)
def _exits_at(c, a, mass, sides, tails):
    """:func:`_exits` on the offsets already in ``tails`` (``a`` from :func:`_offsets`).

    With ``x = c a - s`` per node, ``d/dc Phi_upper(x) = -a phi(x)`` and ``phi'(x) = -x
    phi(x)``, so every derivative comes from the same exponential. The tails come first,
    vectorised (:func:`_tails`); the sums then add them in node order."""
    n = mass.shape[0]
    _tails(c, a, n, sides, tails)
    total = 0.0
    d1 = 0.0  # sum of mass phi(x) sqrt(2 pi)
    d2 = 0.0  # sum of mass x phi(x) sqrt(2 pi)
    d3 = 0.0  # sum of mass (x^2 - 1) phi(x) sqrt(2 pi)
    for i in range(n):
        x = tails[0, i]
        e = mass[i] * tails[2, i]
        total += mass[i] * tails[1, i]
        d1 += e
        d2 += x * e
        d3 += (x * x - 1.0) * e
        if sides == 2:
            x = tails[0, n + i]
            e = mass[i] * tails[2, n + i]
            total += mass[i] * tails[1, n + i]
            d1 += e
            d2 += x * e
            d3 += (x * x - 1.0) * e
    return (
        total,
        -d1 * a / _SQRT2PI,
        d2 * a * a / _SQRT2PI,
        -d3 * a * a * a / _SQRT2PI,
    )


@njit(cache=True)
def _exit_probability(c, nodes, mass, tp, tk, sides, tails):
    """The exit probability of :func:`_exits` alone (the same terms, added in the same
    order), without its derivatives (``tails`` as there)."""
    a = _offsets(nodes, tp, tk, tails)
    return _exit_probability_at(c, a, mass, sides, tails)


@njit(cache=True)
def _exit_probability_at(c, a, mass, sides, tails):
    """:func:`_exit_probability` on the offsets already in ``tails`` (as :func:`_exits_at`)."""
    n = mass.shape[0]
    _tails(c, a, n, sides, tails)
    total = 0.0
    for i in range(n):
        total += mass[i] * tails[1, i]
        if sides == 2:
            total += mass[i] * tails[1, n + i]
    return total


@njit(cache=True)
def _taylor_step(f, f1, f2, f3):
    """The root ``s`` of the cubic Taylor model ``f + f1 s + f2 s^2 / 2 + f3 s^3 / 6`` near
    the Newton step ``-f / f1`` (three Newton iterations on the polynomial)."""
    s = -f / f1
    for _ in range(3):
        g = f + s * (f1 + s * (0.5 * f2 + s * f3 / 6.0))
        g1 = f1 + s * (f2 + 0.5 * s * f3)
        if not g1 < 0.0:
            return -f / f1
        s -= g / g1
    return s


@njit(cache=True)
def _solve(target, start, a, mass, sides, tails):
    """The c whose exit probability is ``target``: steps to the root of the cubic Taylor
    model from ``start`` (a fourth-order method), kept inside a shrinking bracket
    (bisection when a step leaves it); the look's offsets are in ``tails`` (``a`` from
    :func:`_offsets`)."""
    lo_c = BRACKET[0]
    hi_c = BRACKET[1]
    c = min(max(start, lo_c), hi_c)
    for _ in range(STEPS):
        value, f1, f2, f3 = _exits_at(c, a, mass, sides, tails)
        f = value - target
        if f > 0.0:
            lo_c = c
        else:
            hi_c = c
        if f1 < 0.0:
            step = -f / f1
            if abs(step) < TAYLOR_FROM:
                step = _taylor_step(f, f1, f2, f3)
        else:
            step = math.inf
        new = c + step
        if abs(step) < STEP_DONE and lo_c <= new <= hi_c:
            # the method converges at fourth order: after a step this small the error of
            # ``new`` is of order step^4 times the model's fourth derivative ratio (below
            # 1e-13 in z even for the smallest information step), so it needs no further
            # evaluation. (Tested before the bracket: at the root itself the step may
            # round to nothing, ``new`` then equals the bracket's end just set.)
            return new
        if not (lo_c < new < hi_c):
            new = 0.5 * (lo_c + hi_c)
        if abs(new - c) < 1e-10 or hi_c - lo_c < 1e-10:
            return new
        c = new
    return c


#: Trials per chunk of :func:`_boundaries_kernel` (one scratch allocation per chunk).
CHUNK = 64


@njit(cache=True, parallel=True)
def _boundaries_kernel(t, inc, first, start, sides, n_nodes, z, futility, out, decided):
    """Boundaries of each trial (row): ``t`` correlation fractions, ``inc`` alpha per look.

    Looks after the first one at which the trial's ``z`` crosses its boundary or falls to
    the futility boundary are not needed and get ``Z_CAP`` (NaN ``z``: no decision).

    A look with nothing to spend (``Z_CAP``: its information did not rise above an earlier
    look's, so its spending fraction did not either), or with a boundary at or above
    ``Z_GRID`` (a look at a small fraction of the planned information), cuts nothing off
    the density (below 1e-15): the density stays on the grid of the last look that cut and
    is carried from that look straight to the next one (the recursion without the look,
    exact to 1e-15: Jennison & Turnbull 2000, section 19.2); before any look cut, from the
    standard normal at information 0. Re-gridding on ``[Z_LOW, c]`` (``[-c, c]``) with ``c``
    up to 38 at 61 nodes, as before, left the density unresolved and moved the later
    boundaries by up to 0.6 on the z scale (a boundary of 23 at the first look: the next
    one 0.11 too high, an independent review).

    ``decided`` (int8) is -1 on entry; when it has a row per trial (``decided.shape[0] ==
    B``) the kernel decides instead of returning every boundary (otherwise every boundary
    is solved). A trial whose ``z`` lies clear of the bracket of every boundary it reaches
    is decided without any (:func:`designs.sequential.bracket.decide_by_bracket`: most
    trials, in about 0.1 us instead of 3). Otherwise, a trial that reaches the last look
    with ``z`` inside the solver's bracket is decided there without solving for the
    boundary: ``|z|`` (``z`` one-sided) is at or above the boundary exactly when the exit
    probability at ``|z|`` is at most the alpha left (it falls as the boundary rises): one
    evaluation of the exit probability instead of about two with derivatives. A look so
    decided gets ``out`` NaN and ``decided`` 1 if ``z`` crossed, else 0.

    The trials go in chunks of :data:`CHUNK` (parallel over chunks), each chunk allocating
    its scratch once; every scratch value a trial reads it wrote itself, so each trial's
    numbers depend on its own row alone, not on the chunks or the threads."""
    b_count, k_count = t.shape
    n_chunks = (b_count + CHUNK - 1) // CHUNK
    for chunk in prange(n_chunks):
        nodes = np.empty(n_nodes)
        weights = np.empty(n_nodes)
        dens = np.empty(n_nodes)
        mass = np.empty(n_nodes)
        new_nodes = np.empty(n_nodes)
        new_weights = np.empty(n_nodes)
        tails = tails_scratch(n_nodes)
        for b in range(chunk * CHUNK, min(b_count, (chunk + 1) * CHUNK)):
            out[b, :] = Z_CAP
            out[b, 0] = first[b]
            zk = abs(z[b, 0]) if sides == 2 else z[b, 0]
            if zk >= first[b] or (k_count > 1 and z[b, 0] <= futility[0]):
                continue
            if decided.shape[0] == b_count and decide_by_bracket(
                t, inc, z, futility, sides, b, out, decided, BRACKET[0], BRACKET[1] - 1e-6
            ):
                continue
            # the fraction of the look whose continuation region holds the grid; a first look
            # that cuts (almost) nothing off is left out: the standard normal from t = 0
            tp = t[b, 0] if first[b] < Z_GRID else 0.0
            high = min(first[b], Z_GRID)
            low = -high if sides == 2 else Z_LOW
            _simpson(low, high, nodes, weights)
            for i in range(n_nodes):  # vectorised (no calls)
                dens[i] = exp_split(-0.5 * nodes[i] * nodes[i], 0.0) / _SQRT2PI
            for k in range(1, k_count):
                tk = t[b, k]
                for i in range(n_nodes):
                    mass[i] = weights[i] * dens[i]
                a = _offsets(nodes, tp, tk, tails)
                c = Z_CAP
                zk = abs(z[b, k]) if sides == 2 else z[b, k]
                if (
                    k == k_count - 1
                    and decided.shape[0] == b_count
                    and inc[b, k] > 0.0
                    and BRACKET[0] < zk < BRACKET[1] - 1e-6
                ):
                    exit_z = _exit_probability_at(zk, a, mass, sides, tails)
                    decided[b, k] = 1 if exit_z <= inc[b, k] else 0
                    out[b, k] = np.nan
                    break
                if inc[b, k] > 0.0:
                    c = _solve(inc[b, k], start[k], a, mass, sides, tails)
                    if c >= BRACKET[1] - 1e-6:
                        c = Z_CAP
                out[b, k] = c
                if zk >= c or (k + 1 < k_count and z[b, k] <= futility[k]):
                    break
                if k + 1 < k_count and c < Z_GRID:
                    # (a look without a boundary, or with one beyond Z_GRID, cuts nothing off:
                    # the density stays on the grid it has and goes straight to the next look)
                    low = -c if sides == 2 else Z_LOW
                    _simpson(low, c, new_nodes, new_weights)
                    propagate(nodes, mass, new_nodes, tp, tk, dens)
                    nodes[:] = new_nodes
                    weights[:] = new_weights
                    tp = tk


def observed_boundaries(
    information,
    information_max: float,
    alpha: float,
    spending: SpendingFunction,
    sides: int,
    z=None,
    futility=None,
) -> np.ndarray:
    """Efficacy boundaries (z) of each trial at the information it observed.

    Parameters
    ----------
    information : float64[B, K]
        Observed information ``1 / SE^2`` of each trial at each look (finite, > 0).
    information_max : float
        Planned final information (the alpha spent at look ``k < K`` is that of
        ``min(I_k / information_max, 1)``; the final look spends the rest).
    alpha, spending, sides
        As :func:`designs.sequential.efficacy_boundaries`.
    z : float64[B, K], optional
        Each trial's z statistics (NaN: no decision at that look). When given, the looks
        after the trial's first crossing of an efficacy or futility boundary are skipped
        (their boundaries are returned as ``Z_CAP``): they cannot change its decision.
    futility : float64[K], optional
        Futility boundaries (z) applied with ``z`` (default: none).

    Returns
    -------
    float64[B, K]
        Boundary per trial and look (``Z_CAP`` where nothing is left to spend).
    """
    return _run(information, information_max, alpha, spending, sides, z, futility, False)[0]


def observed_crossings(
    information,
    information_max: float,
    alpha: float,
    spending: SpendingFunction,
    sides: int,
    z,
    futility=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Which looks' ``z`` reach each trial's efficacy boundary at its observed information.

    The decisions of :func:`observed_boundaries` (``|z| >= boundary``, ``z`` one-sided) at
    less cost: a trial whose ``z`` lies clear of the bracket of each boundary it reaches is
    decided without solving any (:mod:`designs.sequential.bracket`); otherwise, at the last look
    the boundary is not solved for: ``|z|`` reaches it exactly when the exit probability at
    ``|z|`` is at most the alpha left (one evaluation instead of about two with
    derivatives). The decisions are those of the solved boundaries except where ``|z|`` lies
    within the root-finder's error (about 1e-13) of the boundary.

    Parameters as :func:`observed_boundaries` (``z`` required, NaN: no decision).

    Returns
    -------
    bounds : float64[B, K]
        As :func:`observed_boundaries`, but NaN at each look decided without its boundary
        (by the bracket, or at the last look by the exit probability;
        :func:`observed_boundaries` gives every boundary).
    cross : bool[B, K]
        ``z`` at or beyond the efficacy boundary (False where ``z`` is NaN).
    """
    bounds, decided = _run(information, information_max, alpha, spending, sides, z, futility, True)
    zz = np.ascontiguousarray(z, dtype=float)
    zz = np.abs(zz) if sides == 2 else zz
    with np.errstate(invalid="ignore"):
        cross = zz >= bounds  # NaN z or NaN bound: False
    known = decided >= 0
    cross[known] = decided[known] == 1
    return bounds, cross


def _run(information, information_max, alpha, spending, sides, z, futility, decide):
    """The kernel's boundaries ``(B, K)`` and the decisions made without them (int8 ``(B,
    K)``: 1 crossed, 0 not, -1 where the boundary was solved; no rows unless ``decide``)."""
    info = np.ascontiguousarray(information, dtype=float)
    b_count = info.shape[0]
    spend = np.minimum(info / information_max, 1.0)
    spend[:, -1] = 1.0
    for k in range(1, spend.shape[1]):  # running maximum, column by column (the values of
        # np.maximum.accumulate along axis 1, which is slow on few columns)
        np.maximum(spend[:, k - 1], spend[:, k], out=spend[:, k])
    spent = sides * spending.spent(spend, alpha / sides)
    inc = np.diff(np.concatenate((np.zeros((b_count, 1)), spent), axis=1), axis=1)
    t = np.maximum(info / info[:, -1:], MIN_INCREMENT)
    for k in range(1, t.shape[1]):  # strictly increasing, whatever the SEs did
        t[:, k] = np.maximum(t[:, k], t[:, k - 1] + MIN_INCREMENT)
    t = np.ascontiguousarray(t / t[:, -1:])
    first = _alone(inc[:, 0], sides)
    out = np.empty_like(info)
    k_count = info.shape[1]
    start = _median_boundaries(np.median(t, axis=0), alpha, spending, sides)
    z = np.full(info.shape, np.nan) if z is None else np.ascontiguousarray(z, dtype=float)
    fut = np.full(k_count, -np.inf) if futility is None else np.asarray(futility, dtype=float)
    fut = np.ascontiguousarray(np.where(np.isfinite(fut), fut, -np.inf))
    decided = np.full((b_count if decide else 0, k_count), -1, dtype=np.int8)
    inc = np.ascontiguousarray(inc)
    _boundaries_kernel(t, inc, first, start, sides, NODES, z, fut, out, decided)
    return out, decided


def _median_boundaries(t, alpha: float, spending: SpendingFunction, sides: int) -> np.ndarray:
    """Every trial's start: the boundaries at the median fractions ``t`` (strictly increasing,
    as every trial's are; the median of the raw information need not be), spending by them,
    solved by the kernel itself on its grid from each look's unconditional quantile (an
    upper bound of the boundary): microseconds, where the exact recursion of
    :func:`efficacy_boundaries` takes milliseconds (it mattered for small batches)."""
    t = np.ascontiguousarray(t[None, :])
    inc = np.diff(sides * spending.spent(t, alpha / sides), axis=1, prepend=0.0)
    quantile = _alone(inc, sides)[0]
    out = np.empty_like(t)
    no_z = np.full(t.shape, np.nan)
    no_futility = np.full(t.shape[1], -np.inf)
    inc = np.ascontiguousarray(inc)
    no_decisions = np.empty((0, t.shape[1]), dtype=np.int8)
    _boundaries_kernel(
        t, inc, quantile[:1], quantile, sides, NODES, no_z, no_futility, out, no_decisions
    )
    return out[0]


def _alone(inc: np.ndarray, sides: int) -> np.ndarray:
    """The boundary that spends ``inc`` at a look taken alone, ``Phi^-1(1 - inc / sides)``
    (``Z_CAP`` where nothing is spent): exact at the first look, an upper bound later."""
    with np.errstate(divide="ignore"):
        return np.where(inc > 0, np.minimum(-ndtri(inc / sides), Z_CAP), Z_CAP)
