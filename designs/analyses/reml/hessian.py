"""The exact Hessian of the profiled REML criterion in ``theta`` (one pass over the groups).

The criterion (:mod:`designs.analyses.reml`) is
``f = ndf log Q + sum_g n_g log|N_g| + sum_a log|W_a|`` as a function of ``Psi = L L'``.
For symmetric directions ``E``, ``F`` (``W = W_g``, ``X = W_a^-1``, ``Y = W X W``,
``K_E = sum_g n W E W`` over the arm, ``e_i = Z_i'H_i^-1 (y_i - Z_i beta)``):

* ``d2 sum n log|N| [E, F] = -sum_g n tr(W E W F)``;
* ``d2 log|W_a| [E, F] = -tr(X K_E X K_F) + 2 sum_g n tr(Y E W F)``;
* ``dQ[E] = -sum_i e_i' E e_i`` and, with ``G_g = sum_i e_i e_i'`` and
  ``a_E = sum_g W E sum_i e_i`` (the change of ``beta`` is ``-X a_F``),
  ``d2Q [E, F] = 2 sum_g tr(G_g E W F) - 2 sum_a a_E' X a_F``;
* ``d2 (ndf log Q) = ndf (d2Q / Q - dQ[E] dQ[F] / Q^2)``.

In the basis ``E_0 = e0 e0'``, ``E_1 = e0 e1' + e1 e0'``, ``E_2 = e1 e1'`` of symmetric 2x2
matrices this gives the Hessian in ``psi = (Psi00, Psi01, Psi11)``; the chain rule through
``Psi = L L'`` (whose second derivatives are constants) gives it in ``theta``.
"""

import numpy as np
from numba import njit

from designs.analyses.reml.criterion import (
    _ARM,
    _C_ARMF,
    _C_C0,
    _C_C1,
    _C_GS,
    _C_I00,
    _C_I01,
    _C_I10,
    _C_I11,
    _C_TERMS,
    _C_W00,
    _C_W01,
    _C_W11,
    _CHUNK,
    _GF,
    _GQ,
    _GV,
    _LANE_BITS,
    _LANES,
    _Q,
    _group_quantities,
    _psi,
    _slot,
    cache_inputs,
    cache_size,
)


@njit(cache=True, inline="always")
def _bilinear(a00, a01, a11, b00, b01, b11):
    """``tr(A E_i B E_j)`` for symmetric A, B: entries (00, 01, 02, 11, 12, 22) of the basis."""
    return (
        a00 * b00,
        a01 * b00 + a00 * b01,
        a01 * b01,
        2.0 * a01 * b01 + a00 * b11 + a11 * b00,
        a01 * b11 + a11 * b01,
        a11 * b11,
    )


@njit(cache=True, inline="always")
def _xk(x0, x1, x2, k00, k01, k11):
    """``X K`` (full 2x2: 00, 01, 10, 11) for symmetric X and K."""
    return x0 * k00 + x1 * k01, x0 * k01 + x1 * k11, x1 * k00 + x2 * k01, x1 * k01 + x2 * k11


@njit(cache=True, inline="always")
def _trace_product(m, n):
    """``tr(M N)`` for full 2x2 matrices given as (00, 01, 10, 11)."""
    return m[0] * n[0] + m[1] * n[2] + m[2] * n[1] + m[3] * n[3]


@njit(cache=True, inline="always")
def _xform(x0, x1, x2, a0, a1, b0, b1):
    """``a' X b`` for symmetric X."""
    return a0 * (x0 * b0 + x1 * b1) + a1 * (x1 * b0 + x2 * b1)


@njit(cache=True)
def _derivatives(th, gs, arm, n_groups, ndf, wk, hess):
    """Gradients (of f, Q and v) into ``wk`` and the Hessian of f into ``hess``, in ``theta``.

    ``wk`` must hold :func:`~designs.analyses.reml.criterion._evaluate` at ``th`` (with or
    without gradients: this reads ``Q`` and each arm's ``W_a^-1`` and ``beta_a``) and
    receives the same gradients as ``_evaluate(..., True, ...)`` would write, so one pass here
    replaces its second pass. :func:`_derivatives_cached` is the same after
    :func:`~designs.analyses.reml.criterion._evaluate_store` (the optimiser's path).
    """
    p00, p01, p11 = _psi(th)
    cache = np.empty(cache_size(n_groups))
    cache_inputs(gs, arm, n_groups, cache)
    _group_quantities(p00, p01, p11, n_groups, cache)
    _derivatives_cached(th, gs, arm, n_groups, ndf, wk, cache, hess)


# rows of the cache (after _C_TERMS) with the groups' terms of :func:`_derivatives_cached`
_T_GF = _C_TERMS
_T_GQ = _C_TERMS + 3
_T_GV = _C_TERMS + 6
_T_HL = _C_TERMS + 9
_T_HQ = _C_TERMS + 15
_T_K = _C_TERMS + 21
_T_AV = _C_TERMS + 27
_NT = 33


@njit(cache=True, error_model="numpy")
def _group_terms(n_groups, wk, cache):
    """Each group's terms of the sums of :func:`_derivatives_cached` into rows ``_T_*`` of
    ``cache`` (the layout of :func:`~designs.analyses.reml.criterion._evaluate_store`, whose
    quantities and the groups' statistics it reads).

    No calls and no branches (the arm's ``W_a^-1`` and ``beta_a`` are selected), so LLVM
    runs this loop in SIMD lanes; every term is the scalar expression it replaces (IEEE
    +, -, *, / in the same tree, no contraction), so the lanes give the same bits.
    ``cache`` is in the layout of :func:`~designs.analyses.reml.criterion._evaluate_store`.
    """
    xa0 = wk[_ARM]
    xa1 = wk[_ARM + 1]
    xa2 = wk[_ARM + 2]
    ba0 = wk[_ARM + 3]
    ba1 = wk[_ARM + 4]
    xb0 = wk[_ARM + 5]
    xb1 = wk[_ARM + 6]
    xb2 = wk[_ARM + 7]
    bb0 = wk[_ARM + 8]
    bb1 = wk[_ARM + 9]
    for ci in range((n_groups + _LANES - 1) >> _LANE_BITS):
        b = ci * _CHUNK
        c = ci * _LANES
        for j in range(min(_LANES, n_groups - c)):
            first = cache[b + _C_ARMF * _LANES + j] == 0.0
            x0 = xa0 if first else xb0
            x1 = xa1 if first else xb1
            x2 = xa2 if first else xb2
            be0 = ba0 if first else bb0
            be1 = ba1 if first else bb1
            n = cache[b + (_C_GS + 0) * _LANES + j]
            i00 = cache[b + _C_I00 * _LANES + j]
            i01 = cache[b + _C_I01 * _LANES + j]
            i10 = cache[b + _C_I10 * _LANES + j]
            i11 = cache[b + _C_I11 * _LANES + j]
            w00 = cache[b + _C_W00 * _LANES + j]
            w01 = cache[b + _C_W01 * _LANES + j]
            w11 = cache[b + _C_W11 * _LANES + j]
            # Y = W X W
            u00 = x0 * w00 + x1 * w01  # X W
            u01 = x0 * w01 + x1 * w11
            u10 = x1 * w00 + x2 * w01
            u11 = x1 * w01 + x2 * w11
            y00 = w00 * u00 + w01 * u10
            y01 = w00 * u01 + w01 * u11
            y11 = w01 * u01 + w11 * u11
            # G_g = R - c wb' - wb c' + n wb wb' (R = N^-1 zz N^-T) and the group's sum of e_i
            c0 = cache[b + _C_C0 * _LANES + j]
            c1 = cache[b + _C_C1 * _LANES + j]
            z00 = cache[b + (_C_GS + 7) * _LANES + j]
            z01 = cache[b + (_C_GS + 8) * _LANES + j]
            z11 = cache[b + (_C_GS + 9) * _LANES + j]
            t00 = i00 * z00 + i01 * z01
            t01 = i00 * z01 + i01 * z11
            t10 = i10 * z00 + i11 * z01
            t11 = i10 * z01 + i11 * z11
            r00 = t00 * i00 + t01 * i01
            r01 = t00 * i10 + t01 * i11
            r11 = t10 * i10 + t11 * i11
            wb0 = w00 * be0 + w01 * be1
            wb1 = w01 * be0 + w11 * be1
            g00 = r00 - 2.0 * c0 * wb0 + n * wb0 * wb0
            g01 = r01 - c0 * wb1 - wb0 * c1 + n * wb0 * wb1
            g11 = r11 - 2.0 * c1 * wb1 + n * wb1 * wb1
            e0 = c0 - n * wb0
            e1 = c1 - n * wb1
            cache[b + (_T_GF) * _LANES + j] = n * (w00 - y00)
            cache[b + (_T_GF + 1) * _LANES + j] = n * (w01 - y01)
            cache[b + (_T_GF + 2) * _LANES + j] = n * (w11 - y11)
            cache[b + (_T_GQ) * _LANES + j] = g00
            cache[b + (_T_GQ + 1) * _LANES + j] = g01
            cache[b + (_T_GQ + 2) * _LANES + j] = g11
            # v = (W_a^-1)[1, 1] summed over arms: dv = sum n q q', q = W X e1
            qa = w00 * x1 + w01 * x2
            qb = w01 * x1 + w11 * x2
            cache[b + (_T_GV) * _LANES + j] = n * qa * qa
            cache[b + (_T_GV + 1) * _LANES + j] = n * qa * qb
            cache[b + (_T_GV + 2) * _LANES + j] = n * qb * qb
            # -n tr(W E W F) + 2 n tr(Y E W F); 2 tr(G E W F)
            b0, b1, b2, b3, b4, b5 = _bilinear(w00, w01, w11, w00, w01, w11)
            c0_, c1_, c2_, c3_, c4_, c5_ = _bilinear(y00, y01, y11, w00, w01, w11)
            cache[b + (_T_HL) * _LANES + j] = n * (2.0 * c0_ - b0)
            cache[b + (_T_HL + 1) * _LANES + j] = n * (2.0 * c1_ - b1)
            cache[b + (_T_HL + 2) * _LANES + j] = n * (2.0 * c2_ - b2)
            cache[b + (_T_HL + 3) * _LANES + j] = n * (2.0 * c3_ - b3)
            cache[b + (_T_HL + 4) * _LANES + j] = n * (2.0 * c4_ - b4)
            cache[b + (_T_HL + 5) * _LANES + j] = n * (2.0 * c5_ - b5)
            d0, d1, d2, d3, d4, d5 = _bilinear(g00, g01, g11, w00, w01, w11)
            cache[b + (_T_HQ) * _LANES + j] = 2.0 * d0
            cache[b + (_T_HQ + 1) * _LANES + j] = 2.0 * d1
            cache[b + (_T_HQ + 2) * _LANES + j] = 2.0 * d2
            cache[b + (_T_HQ + 3) * _LANES + j] = 2.0 * d3
            cache[b + (_T_HQ + 4) * _LANES + j] = 2.0 * d4
            cache[b + (_T_HQ + 5) * _LANES + j] = 2.0 * d5
            cache[b + (_T_K) * _LANES + j] = n * w00 * w00
            cache[b + (_T_K + 1) * _LANES + j] = n * w00 * w01
            cache[b + (_T_K + 2) * _LANES + j] = n * w00 * w11
            cache[b + (_T_K + 3) * _LANES + j] = n * w01 * w01
            cache[b + (_T_K + 4) * _LANES + j] = n * w01 * w11
            cache[b + (_T_K + 5) * _LANES + j] = n * w11 * w11
            # W E_0 e = W[:, 0] e0, W E_1 e = W[:, 0] e1 + W[:, 1] e0, W E_2 e = W[:, 1] e1
            cache[b + (_T_AV) * _LANES + j] = w00 * e0
            cache[b + (_T_AV + 1) * _LANES + j] = w01 * e0
            cache[b + (_T_AV + 2) * _LANES + j] = w00 * e1 + w01 * e0
            cache[b + (_T_AV + 3) * _LANES + j] = w01 * e1 + w11 * e0
            cache[b + (_T_AV + 4) * _LANES + j] = w01 * e1
            cache[b + (_T_AV + 5) * _LANES + j] = w11 * e1


@njit(cache=True)
def _derivatives_cached(th, gs, arm, n_groups, ndf, wk, cache, hess):
    """:func:`_derivatives` with each group's ``N^-1``, ``W`` and ``N^-1 Z'y`` at ``th``
    read from ``cache`` (written by
    :func:`~designs.analyses.reml.criterion._evaluate_store` at ``th``).

    The groups' terms come from :func:`_group_terms` (SIMD lanes); they are added here in
    group order within each arm, as one scalar loop would add them (the same bits).
    """
    l11 = th[0]
    l21 = th[1]
    l22 = th[2]
    _group_terms(n_groups, wk, cache)
    # Hessian parts in the basis, entries 00 01 02 11 12 22: log|N| + log|W_a| (hl), Q (hq)
    hl0 = hl1 = hl2 = hl3 = hl4 = hl5 = 0.0
    hq0 = hq1 = hq2 = hq3 = hq4 = hq5 = 0.0
    # gradients in Psi (matrix entries 00, 01, 11): log|N| + log|W_a|, Q, v
    gf0 = gf1 = gf2 = 0.0
    gq0 = gq1 = gq2 = 0.0
    gv0 = gv1 = gv2 = 0.0
    for a in range(2):
        o = _ARM + 5 * a
        x0 = wk[o]
        x1 = wk[o + 1]
        x2 = wk[o + 2]
        # sum n W_x W_y (00.00 00.01 00.11 01.01 01.11 11.11) and a_E for E_0, E_1, E_2
        k0 = k1 = k2 = k3 = k4 = k5 = 0.0
        av0 = av1 = av2 = av3 = av4 = av5 = 0.0
        for g in range(n_groups):
            if arm[g] != a:
                continue
            o = _slot(g)
            gf0 += cache[o + (_T_GF) * _LANES]
            gf1 += cache[o + (_T_GF + 1) * _LANES]
            gf2 += cache[o + (_T_GF + 2) * _LANES]
            gq0 -= cache[o + (_T_GQ) * _LANES]
            gq1 -= cache[o + (_T_GQ + 1) * _LANES]
            gq2 -= cache[o + (_T_GQ + 2) * _LANES]
            gv0 += cache[o + (_T_GV) * _LANES]
            gv1 += cache[o + (_T_GV + 1) * _LANES]
            gv2 += cache[o + (_T_GV + 2) * _LANES]
            hl0 += cache[o + (_T_HL) * _LANES]
            hl1 += cache[o + (_T_HL + 1) * _LANES]
            hl2 += cache[o + (_T_HL + 2) * _LANES]
            hl3 += cache[o + (_T_HL + 3) * _LANES]
            hl4 += cache[o + (_T_HL + 4) * _LANES]
            hl5 += cache[o + (_T_HL + 5) * _LANES]
            hq0 += cache[o + (_T_HQ) * _LANES]
            hq1 += cache[o + (_T_HQ + 1) * _LANES]
            hq2 += cache[o + (_T_HQ + 2) * _LANES]
            hq3 += cache[o + (_T_HQ + 3) * _LANES]
            hq4 += cache[o + (_T_HQ + 4) * _LANES]
            hq5 += cache[o + (_T_HQ + 5) * _LANES]
            k0 += cache[o + (_T_K) * _LANES]
            k1 += cache[o + (_T_K + 1) * _LANES]
            k2 += cache[o + (_T_K + 2) * _LANES]
            k3 += cache[o + (_T_K + 3) * _LANES]
            k4 += cache[o + (_T_K + 4) * _LANES]
            k5 += cache[o + (_T_K + 5) * _LANES]
            av0 += cache[o + (_T_AV) * _LANES]
            av1 += cache[o + (_T_AV + 1) * _LANES]
            av2 += cache[o + (_T_AV + 2) * _LANES]
            av3 += cache[o + (_T_AV + 3) * _LANES]
            av4 += cache[o + (_T_AV + 4) * _LANES]
            av5 += cache[o + (_T_AV + 5) * _LANES]
        # the arm's terms -tr(X K_i X K_j) and -2 a_i' X a_j; K_i = sum n W E_i W
        m0 = _xk(x0, x1, x2, k0, k1, k3)
        m1 = _xk(x0, x1, x2, 2.0 * k1, k2 + k3, 2.0 * k4)
        m2 = _xk(x0, x1, x2, k3, k4, k5)
        hl0 -= _trace_product(m0, m0)
        hl1 -= _trace_product(m0, m1)
        hl2 -= _trace_product(m0, m2)
        hl3 -= _trace_product(m1, m1)
        hl4 -= _trace_product(m1, m2)
        hl5 -= _trace_product(m2, m2)
        hq0 -= 2.0 * _xform(x0, x1, x2, av0, av1, av0, av1)
        hq1 -= 2.0 * _xform(x0, x1, x2, av0, av1, av2, av3)
        hq2 -= 2.0 * _xform(x0, x1, x2, av0, av1, av4, av5)
        hq3 -= 2.0 * _xform(x0, x1, x2, av2, av3, av2, av3)
        hq4 -= 2.0 * _xform(x0, x1, x2, av2, av3, av4, av5)
        hq5 -= 2.0 * _xform(x0, x1, x2, av4, av5, av4, av5)
    q = wk[_Q]
    s = ndf / q
    # gradients in theta (chain rule Psi = L L': d/dL = 2 G L, lower triangle)
    f0 = gf0 + s * gq0
    f1 = gf1 + s * gq1
    f2 = gf2 + s * gq2
    wk[_GF] = 2.0 * (f0 * l11 + f1 * l21)
    wk[_GF + 1] = 2.0 * (f1 * l11 + f2 * l21)
    wk[_GF + 2] = 2.0 * f2 * l22
    wk[_GQ] = 2.0 * (gq0 * l11 + gq1 * l21)
    wk[_GQ + 1] = 2.0 * (gq1 * l11 + gq2 * l21)
    wk[_GQ + 2] = 2.0 * gq2 * l22
    wk[_GV] = 2.0 * (gv0 * l11 + gv1 * l21)
    wk[_GV + 1] = 2.0 * (gv1 * l11 + gv2 * l21)
    wk[_GV + 2] = 2.0 * gv2 * l22
    # Hessian in psi = (Psi00, Psi01, Psi11): gradients in the basis count Psi01 twice
    qb0 = gq0
    qb1 = 2.0 * gq1
    qb2 = gq2
    u = s / q
    h00 = hl0 + s * hq0 - u * qb0 * qb0
    h01 = hl1 + s * hq1 - u * qb0 * qb1
    h02 = hl2 + s * hq2 - u * qb0 * qb2
    h11 = hl3 + s * hq3 - u * qb1 * qb1
    h12 = hl4 + s * hq4 - u * qb1 * qb2
    h22 = hl5 + s * hq5 - u * qb2 * qb2
    # chain rule: J = d psi / d theta = [[2 l11, 0, 0], [l21, l11, 0], [0, 2 l21, 2 l22]]
    # H_theta = J' H_psi J + sum_k (df/dpsi_k) d2 psi_k / d theta2
    j00 = 2.0 * l11
    j10 = l21
    j11 = l11
    j21 = 2.0 * l21
    j22 = 2.0 * l22
    # columns of H_psi J
    a00 = h00 * j00 + h01 * j10
    a10 = h01 * j00 + h11 * j10
    a01 = h01 * j11 + h02 * j21
    a11 = h11 * j11 + h12 * j21
    a21 = h12 * j11 + h22 * j21
    a02 = h02 * j22
    a12 = h12 * j22
    a22 = h22 * j22
    hess[0, 0] = j00 * a00 + j10 * a10 + 2.0 * f0
    hess[0, 1] = j00 * a01 + j10 * a11 + 2.0 * f1
    hess[0, 2] = j00 * a02 + j10 * a12
    hess[1, 1] = j11 * a11 + j21 * a21 + 2.0 * f2
    hess[1, 2] = j11 * a12 + j21 * a22
    hess[2, 2] = j22 * a22 + 2.0 * f2
    hess[1, 0] = hess[0, 1]
    hess[2, 0] = hess[0, 2]
    hess[2, 1] = hess[1, 2]
