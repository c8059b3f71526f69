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
    _C_C0,
    _C_C1,
    _C_I00,
    _C_I01,
    _C_I10,
    _C_I11,
    _C_W00,
    _C_W01,
    _C_W11,
    _GF,
    _GQ,
    _GV,
    _NC,
    _Q,
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
    l11 = th[0]
    l21 = th[1]
    l22 = th[2]
    p00 = l11 * l11
    p01 = l11 * l21
    p11 = l21 * l21 + l22 * l22
    cache = np.empty((n_groups, _NC))
    for g in range(n_groups):
        s00 = gs[g, 1]
        s01 = gs[g, 2]
        s11 = gs[g, 3]
        n00 = 1.0 + s00 * p00 + s01 * p01
        n01 = s00 * p01 + s01 * p11
        n10 = s01 * p00 + s11 * p01
        n11 = 1.0 + s01 * p01 + s11 * p11
        det = n00 * n11 - n01 * n10
        i00 = n11 / det
        i01 = -n01 / det
        i10 = -n10 / det
        i11 = n00 / det
        zy0 = gs[g, 5]
        zy1 = gs[g, 6]
        cache[g, _C_I00] = i00
        cache[g, _C_I01] = i01
        cache[g, _C_I10] = i10
        cache[g, _C_I11] = i11
        cache[g, _C_W00] = i00 * s00 + i01 * s01
        cache[g, _C_W01] = i00 * s01 + i01 * s11
        cache[g, _C_W11] = i10 * s01 + i11 * s11
        cache[g, _C_C0] = i00 * zy0 + i01 * zy1
        cache[g, _C_C1] = i10 * zy0 + i11 * zy1
    _derivatives_cached(th, gs, arm, n_groups, ndf, wk, cache, hess)


@njit(cache=True)
def _derivatives_cached(th, gs, arm, n_groups, ndf, wk, cache, hess):
    """:func:`_derivatives` with each group's ``N^-1``, ``W`` and ``N^-1 Z'y`` at ``th``
    read from ``cache`` (written by
    :func:`~designs.analyses.reml.criterion._evaluate_store` at ``th``)."""
    l11 = th[0]
    l21 = th[1]
    l22 = th[2]
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
        be0 = wk[o + 3]
        be1 = wk[o + 4]
        # sum n W_x W_y (00.00 00.01 00.11 01.01 01.11 11.11) and a_E for E_0, E_1, E_2
        k0 = k1 = k2 = k3 = k4 = k5 = 0.0
        av0 = av1 = av2 = av3 = av4 = av5 = 0.0
        for g in range(n_groups):
            if arm[g] != a:
                continue
            n = gs[g, 0]
            i00 = cache[g, _C_I00]
            i01 = cache[g, _C_I01]
            i10 = cache[g, _C_I10]
            i11 = cache[g, _C_I11]
            w00 = cache[g, _C_W00]
            w01 = cache[g, _C_W01]
            w11 = cache[g, _C_W11]
            # Y = W X W
            u00 = x0 * w00 + x1 * w01  # X W
            u01 = x0 * w01 + x1 * w11
            u10 = x1 * w00 + x2 * w01
            u11 = x1 * w01 + x2 * w11
            y00 = w00 * u00 + w01 * u10
            y01 = w00 * u01 + w01 * u11
            y11 = w01 * u01 + w11 * u11
            # G_g = R - c wb' - wb c' + n wb wb' (R = N^-1 zz N^-T) and the group's sum of e_i
            c0 = cache[g, _C_C0]
            c1 = cache[g, _C_C1]
            z00 = gs[g, 7]
            z01 = gs[g, 8]
            z11 = gs[g, 9]
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
            gf0 += n * (w00 - y00)
            gf1 += n * (w01 - y01)
            gf2 += n * (w11 - y11)
            gq0 -= g00
            gq1 -= g01
            gq2 -= g11
            # v = (W_a^-1)[1, 1] summed over arms: dv = sum n q q', q = W X e1
            qa = w00 * x1 + w01 * x2
            qb = w01 * x1 + w11 * x2
            gv0 += n * qa * qa
            gv1 += n * qa * qb
            gv2 += n * qb * qb
            # -n tr(W E W F) + 2 n tr(Y E W F); 2 tr(G E W F)
            b0, b1, b2, b3, b4, b5 = _bilinear(w00, w01, w11, w00, w01, w11)
            c0_, c1_, c2_, c3_, c4_, c5_ = _bilinear(y00, y01, y11, w00, w01, w11)
            hl0 += n * (2.0 * c0_ - b0)
            hl1 += n * (2.0 * c1_ - b1)
            hl2 += n * (2.0 * c2_ - b2)
            hl3 += n * (2.0 * c3_ - b3)
            hl4 += n * (2.0 * c4_ - b4)
            hl5 += n * (2.0 * c5_ - b5)
            d0, d1, d2, d3, d4, d5 = _bilinear(g00, g01, g11, w00, w01, w11)
            hq0 += 2.0 * d0
            hq1 += 2.0 * d1
            hq2 += 2.0 * d2
            hq3 += 2.0 * d3
            hq4 += 2.0 * d4
            hq5 += 2.0 * d5
            k0 += n * w00 * w00
            k1 += n * w00 * w01
            k2 += n * w00 * w11
            k3 += n * w01 * w01
            k4 += n * w01 * w11
            k5 += n * w11 * w11
            # W E_0 e = W[:, 0] e0, W E_1 e = W[:, 0] e1 + W[:, 1] e0, W E_2 e = W[:, 1] e1
            av0 += w00 * e0
            av1 += w01 * e0
            av2 += w00 * e1 + w01 * e0
            av3 += w01 * e1 + w11 * e0
            av4 += w01 * e1
            av5 += w11 * e1
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
