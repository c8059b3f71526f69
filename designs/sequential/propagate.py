"""The density of a trial's z statistic carried from one look to the next (Numba).

Between looks at information fractions ``tp < tk`` the z statistic of a trial that
continued has the density ``f_k(x) = sum_j mass[j] phi((x sqrt(tk) - y_j sqrt(tp)) / sqrt(d))
sqrt(tk / d)``, ``d = tk - tp``, on the continuation region's Simpson nodes ``y_j`` (``mass``
= Simpson weight times density at the previous look; Jennison & Turnbull 2000, section
19.2). :func:`propagate` evaluates it at the next look's nodes for
:mod:`designs.sequential.observed`.

On equally spaced nodes the Gaussian factors of one new node are a power series in one
number (:func:`propagate`): ``exp(-(v - s delta)^2 / 2) = exp(-v^2 / 2) exp(v delta)^s
exp(-(s delta)^2 / 2)``, the last factor shared by all new nodes, so Horner's rule across
the new nodes at once (SIMD lanes) takes one multiply and one add per pair and three
exponentials per new node (loops without calls: :func:`designs.sequential.branchless.
exp_split`): 2.0 -> 0.9 us per propagation at 61 nodes. Every term is positive, so nothing
cancels; where the series or its prefactor would leave [1e-290, 1e290] (new nodes far from
the grid, or a very small information step) the node is walked instead (:func:`_walk`):
along ``j`` the factors follow a product recurrence (the ratio of neighbours changes by the
constant factor ``exp(-delta^2)``), walking away from the peak in both directions (the
factors fall monotonically there, so underflow only rounds tiny terms to zero). The
recurrences are chains of dependent multiplications, so four new nodes walk side by side
(:func:`_propagate_four`: four times the work per step at about the same latency). Either
way each node's sum takes the same terms in the same order whatever other new nodes come
with it, so the numbers do not depend on how the nodes are grouped.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from designs.sequential.branchless import exp_split, padded

_SQRT2PI = math.sqrt(2.0 * math.pi)


@njit(cache=True, inline="always")
def _peak(x, y0, hy, nodes, stp, sd, n):
    """The node nearest ``x`` (the peak of its factors) and ``x``'s offset from it, in SDs."""
    f = min(max((x - y0) / hy, 0.0), n - 1.0) if hy > 0.0 else 0.0
    j = int(f + 0.5)
    return j, (x - nodes[j] * stp) / sd


#: The power series of :func:`propagate` is kept where its sum and prefactor lie within
#: these (so no term that matters under- or overflows); elsewhere the node is walked.
_TINY = 1e-290
_HUGE = 1e290
#: Most ``(c0 delta)^2 / 2`` (half the grid's width in SDs, squared, halved) for the series:
#: its coefficients then keep every mass above 1e-160.
_SERIES_WIDTH = 300.0


@njit(cache=True)
def propagate(nodes, mass, new_nodes, tp, tk, dens):
    """Density of ``Z_k`` at ``new_nodes`` (continuing trials): ``dens[i] = sum_j mass[j]
    phi((x_i - y_j) / sqrt(d)) sqrt(tk / d)``, ``x_i = new_nodes[i] sqrt(tk)``,
    ``y_j = nodes[j] sqrt(tp)``, ``d = tk - tp``.

    ``nodes`` are equally spaced, ``y_j = ybar + (j - c0) hy``, so with ``v_i = (x_i -
    ybar) / sqrt(d)`` and ``delta = hy / sqrt(d)`` the Gaussian factor is ``exp(-v_i^2 / 2 -
    c0 v_i delta) R_i^j exp(-((j - c0) delta)^2 / 2)``, ``R_i = exp(v_i delta)``: each new
    node's sum is a power series in ``R_i`` with coefficients shared by all nodes, evaluated
    by Horner's rule across the new nodes at once (a loop LLVM vectorises; every term is
    positive, so nothing cancels). Rounding, relative: of order ``n`` ulps from the sum,
    ``n |v delta|`` ulps from ``R_i``'s argument and ``|v^2 / 2 + c0 v delta|`` ulps from the
    prefactor's (up to about 700 ulps, 1.5e-13, for nodes far from the grid; an independent
    review against a long-double sum). The nodes whose series or prefactor would leave
    [1e-290, 1e290] (far from the grid, or a very small information step) are walked instead,
    together (:func:`_walk`, whose numbers do not depend on which nodes come with them): each
    node's number depends on that node alone.
    """
    n = nodes.shape[0]
    m = new_nodes.shape[0]
    d = tk - tp
    sd = math.sqrt(d)
    stp = math.sqrt(tp)
    stk = math.sqrt(tk)
    scale = math.sqrt(tk / d) / _SQRT2PI
    delta = (nodes[n - 1] - nodes[0]) / (n - 1) * stp / sd
    c0 = (n - 1) // 2
    ybar = nodes[c0] * stp
    whole = padded(m)  # whole SIMD registers, no scalar tail
    buf = np.empty(n + 3 * whole)  # one allocation: w, r, pre, acc
    w = buf[:n]
    r = buf[n : n + whole]
    pre = buf[n + whole : n + 2 * whole]
    acc = buf[n + 2 * whole :]
    for j in range(n):
        s = (j - c0) * delta
        w[j] = mass[j] * exp_split(-0.5 * s * s, 0.0)
    for i in range(whole):
        r[i] = 0.0
    for i in range(m):
        v = (new_nodes[i] * stk - ybar) / sd
        r[i] = exp_split(v * delta, 0.0)
        pre[i] = exp_split(-0.5 * v * v - c0 * v * delta, 0.0)
    for i in range(whole):
        acc[i] = w[n - 1]
    for j in range(n - 2, -1, -1):
        wj = w[j]
        for i in range(whole):
            acc[i] = acc[i] * r[i] + wj
    wide = 0.5 * (c0 * delta) ** 2 > _SERIES_WIDTH
    n_slow = 0
    for i in range(m):
        dens[i] = acc[i] * pre[i] * scale
        # a NaN fails the test too
        if wide or not (_TINY <= acc[i] <= _HUGE and _TINY <= pre[i] <= _HUGE):
            acc[i] = -1.0  # marks a node to walk
            n_slow += 1
    if n_slow:
        sub = np.empty(2 * n_slow)  # the nodes to walk, then their densities
        k = 0
        for i in range(m):
            if acc[i] == -1.0:
                sub[k] = new_nodes[i]
                k += 1
        _walk(nodes, mass, sub[:n_slow], tp, tk, sub[n_slow:])
        k = 0
        for i in range(m):
            if acc[i] == -1.0:
                dens[i] = sub[n_slow + k]
                k += 1


@njit(cache=True)
def _walk(nodes, mass, new_nodes, tp, tk, dens):
    """:func:`propagate` by the product recurrence of the module docstring, walking from
    each new node's peak. Rounding: relative error of order ``n^2`` ulps (n = the number
    of nodes). New nodes go four at a time while their peaks do not decrease (increasing
    ``new_nodes``: always), else two or one; each node's number is the same whatever the
    grouping.
    """
    n = nodes.shape[0]
    m = new_nodes.shape[0]
    d = tk - tp
    sd = math.sqrt(d)
    stp = math.sqrt(tp)
    scale = math.sqrt(tk / d) / _SQRT2PI
    hy = (nodes[n - 1] - nodes[0]) / (n - 1) * stp
    y0 = nodes[0] * stp
    delta = hy / sd  # u_j = (x - y_j) / sd falls by delta per step in j
    q = math.exp(-delta * delta)
    half = 0.5 * delta * delta
    stk = math.sqrt(tk)
    # each new node's peak and offset, then its three exponentials in a loop without calls
    # (designs.sequential.branchless: LLVM vectorises it): the peak factor, the first
    # rightward ratio and the first leftward ratio
    peaks = np.empty(m, dtype=np.int64)
    f = np.empty((4, m))
    for i in range(m):
        peaks[i], f[0, i] = _peak(new_nodes[i] * stk, y0, hy, nodes, stp, sd, n)
    for i in range(m):
        u = f[0, i]
        f[1, i] = exp_split(-0.5 * u * u, 0.0)
        f[2, i] = exp_split(u * delta - half, 0.0)
        f[3, i] = exp_split(-u * delta - half, 0.0)
    i = 0
    while i < m:
        ja = peaks[i]
        if i + 3 < m:
            jb = peaks[i + 1]
            jc = peaks[i + 2]
            jd = peaks[i + 3]
            if ja <= jb <= jc <= jd:
                _propagate_four(mass, ja, jb, jc, jd, f, q, dens, i, scale)
                i += 4
                continue
        if i + 1 < m:
            jb = peaks[i + 1]
            if jb >= ja:
                _propagate_pair(mass, ja, jb, f, q, dens, i, i + 1, scale)
                i += 2
                continue
        _propagate_pair(mass, ja, ja, f, q, dens, i, i, scale)
        i += 1


@njit(cache=True, inline="always")
def _propagate_pair(mass, ja, jb, f, q, dens, ia, ib, scale):
    """The sums of :func:`propagate` for two new nodes whose peaks are ``ja <= jb`` (offsets
    ``ua``, ``ub``), walked side by side where both walk: rightwards ``k_{j+1} = k_j
    exp(u_j delta - delta^2 / 2)``, leftwards ``k_{j-1} = k_j exp(-u_j delta - delta^2 / 2)``,
    ``u_j`` changing by ``delta`` per step (so the ratio by ``q``); ``f[1:4, i]`` holds node
    ``i``'s peak factor and first rightward and leftward ratios (:func:`propagate`)."""
    n = mass.shape[0]
    kpa = f[1, ia]
    kpb = f[1, ib]
    acc_a = mass[ja] * kpa
    acc_b = mass[jb] * kpb
    # rightwards: a alone up to jb, then both
    ka = kpa
    ra = f[2, ia]
    kb = kpb
    rb = f[2, ib]
    for j in range(ja + 1, jb + 1):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
    for j in range(jb + 1, n):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
    # leftwards: b alone down to ja, then both
    ka = kpa
    ra = f[3, ia]
    kb = kpb
    rb = f[3, ib]
    for j in range(jb - 1, ja - 1, -1):
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
    for j in range(ja - 1, -1, -1):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
    dens[ia] = acc_a * scale
    dens[ib] = acc_b * scale


@njit(cache=True, inline="always")
def _propagate_four(mass, ja, jb, jc, jd, f, q, dens, i, scale):
    """The sums of :func:`propagate` for the new nodes ``i .. i + 3``, whose peaks are
    ``ja <= jb <= jc <= jd``: :func:`_propagate_pair`'s walks, four side by side where all
    four walk (each node's terms in the same order as walked alone)."""
    n = mass.shape[0]
    kpa = f[1, i]
    kpb = f[1, i + 1]
    kpc = f[1, i + 2]
    kpd = f[1, i + 3]
    acc_a = mass[ja] * kpa
    acc_b = mass[jb] * kpb
    acc_c = mass[jc] * kpc
    acc_d = mass[jd] * kpd
    # rightwards: a alone up to jb, a and b up to jc, a to c up to jd, then all four
    ka = kpa
    ra = f[2, i]
    kb = kpb
    rb = f[2, i + 1]
    kc = kpc
    rc = f[2, i + 2]
    kd = kpd
    rd = f[2, i + 3]
    for j in range(ja + 1, jb + 1):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
    for j in range(jb + 1, jc + 1):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
    for j in range(jc + 1, jd + 1):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
        kc *= rc
        rc *= q
        acc_c += mass[j] * kc
    for j in range(jd + 1, n):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
        kc *= rc
        rc *= q
        acc_c += mass[j] * kc
        kd *= rd
        rd *= q
        acc_d += mass[j] * kd
    # leftwards: d alone down to jc, c and d down to jb, b to d down to ja, then all four
    ka = kpa
    ra = f[3, i]
    kb = kpb
    rb = f[3, i + 1]
    kc = kpc
    rc = f[3, i + 2]
    kd = kpd
    rd = f[3, i + 3]
    for j in range(jd - 1, jc - 1, -1):
        kd *= rd
        rd *= q
        acc_d += mass[j] * kd
    for j in range(jc - 1, jb - 1, -1):
        kc *= rc
        rc *= q
        acc_c += mass[j] * kc
        kd *= rd
        rd *= q
        acc_d += mass[j] * kd
    for j in range(jb - 1, ja - 1, -1):
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
        kc *= rc
        rc *= q
        acc_c += mass[j] * kc
        kd *= rd
        rd *= q
        acc_d += mass[j] * kd
    for j in range(ja - 1, -1, -1):
        ka *= ra
        ra *= q
        acc_a += mass[j] * ka
        kb *= rb
        rb *= q
        acc_b += mass[j] * kb
        kc *= rc
        rc *= q
        acc_c += mass[j] * kc
        kd *= rd
        rd *= q
        acc_d += mass[j] * kd
    dens[i] = acc_a * scale
    dens[i + 1] = acc_b * scale
    dens[i + 2] = acc_c * scale
    dens[i + 3] = acc_d * scale
