"""Centring and moment starting values of the REML fit (:func:`_prepare`).

The package docstring (:mod:`designs.analyses.reml`) gives the model; the per-group
statistics layout (``_NCOL``, ``_S_*``) and :func:`~designs.analyses.reml.criterion.visit_patterns`
are in :mod:`designs.analyses.reml.criterion`.
"""

import numpy as np
from numba import njit

from designs.analyses.reml.criterion import (
    _S_I00,
    _S_I01,
    _S_I11,
    _S_OK,
    _S_W0,
    _S_W1,
    _S_W2,
    visit_patterns,
)


@njit(cache=True)
def _weighted_moments(gs, pattern, n_groups, sigma2, psi00, psi01, psi11, floor00, floor11):
    """One reweighting of the moment estimate of ``Psi = D / sigma^2`` (starting values).

    Per-patient OLS coefficients ``b`` of a visit pattern with ``S = Z'Z`` have
    ``E[b b'] / sigma^2 = Psi + S^-1`` (centred data); each entry of ``Psi`` is estimated
    from ``b b' / sigma^2 - S^-1`` with weights ``1 / ((Psi + S^-1)_kk (Psi + S^-1)_ll)``
    at the unweighted estimate, so that patterns with few visits (noisy ``b``) count less.
    With attrition this roughly halves the Newton iterations; returns (psi00, psi01, psi11).

    Reads each group's ``S^-1`` from ``gs`` (:func:`_prepare`); the weights depend on the
    visit pattern only, so a group whose pattern (``pattern``, :func:`visit_patterns`) came
    before reads them from that group's row (the same operations, so the same bits).
    """
    num0 = 0.0
    num1 = 0.0
    num2 = 0.0
    den0 = 0.0
    den1 = 0.0
    den2 = 0.0
    for g in range(n_groups):
        if not gs[g, _S_OK] > 0.5:
            continue
        n = gs[g, 0]
        i00 = gs[g, _S_I00]
        i01 = gs[g, _S_I01]
        i11 = gs[g, _S_I11]
        z00 = gs[g, 7]
        z01 = gs[g, 8]
        z11 = gs[g, 9]
        t00 = i00 * z00 + i01 * z01
        t01 = i00 * z01 + i01 * z11
        t11 = i01 * z01 + i11 * z11
        sc00 = t00 * i00 + t01 * i01
        sc01 = t00 * i01 + t01 * i11
        sc11 = (i01 * z00 + i11 * z01) * i01 + t11 * i11
        h = pattern[g]
        if h == g:
            v00 = psi00 + i00
            v11 = psi11 + i11
            gs[g, _S_W0] = 1.0 / (v00 * v00)
            gs[g, _S_W1] = 1.0 / (v00 * v11)
            gs[g, _S_W2] = 1.0 / (v11 * v11)
        w0 = gs[h, _S_W0]
        w1 = gs[h, _S_W1]
        w2 = gs[h, _S_W2]
        num0 += w0 * (sc00 / sigma2 - n * i00)
        num1 += w1 * (sc01 / sigma2 - n * i01)
        num2 += w2 * (sc11 / sigma2 - n * i11)
        den0 += w0 * n
        den1 += w1 * n
        den2 += w2 * n
    if not (den0 > 0.0 and den1 > 0.0 and den2 > 0.0):
        return psi00, psi01, psi11
    p00 = max(num0 / den0, floor00)
    p11 = max(num2 / den2, floor11)
    lim = 0.95 * np.sqrt(p00 * p11)
    p01 = min(max(num1 / den1, -lim), lim)
    if not (np.isfinite(p00) and np.isfinite(p01) and np.isfinite(p11)):
        return psi00, psi01, psi11
    return p00, p01, p11


@njit(cache=True)
def _prepare(arm_g, ztz_g, n_g, syy_g, szy_g, szyzy_g, n_groups, gs, start, pattern):
    """Centre the statistics per arm (pooled OLS line); moment starting values.

    ``gs`` (float64[>= n_groups, _NCOL]) receives the centred statistics (columns 0-9) and
    each group's ``S^-1 = (Z'Z)^-1`` (columns ``_S_*``), computed once per visit pattern:
    ``pattern`` (int64[>= n_groups]) receives :func:`visit_patterns`, and a group whose
    pattern came before copies that group's ``S^-1`` (the same operations, so the same bits).

    Returns (n_obs, n_patients_with_2_visits) or (-1, -1) if an arm has no estimable line.
    """
    # per-arm pooled OLS line (sums in scalars: no allocation per fit)
    sa00 = sa01 = sa02 = sa10 = sa11 = sa12 = 0.0
    ya00 = ya01 = ya10 = ya11 = 0.0
    n_obs = 0.0
    for g in range(n_groups):
        n = n_g[g]
        if arm_g[g] == 0:
            sa00 += n * ztz_g[g, 0]
            sa01 += n * ztz_g[g, 1]
            sa02 += n * ztz_g[g, 2]
            ya00 += szy_g[g, 0]
            ya01 += szy_g[g, 1]
        else:
            sa10 += n * ztz_g[g, 0]
            sa11 += n * ztz_g[g, 1]
            sa12 += n * ztz_g[g, 2]
            ya10 += szy_g[g, 0]
            ya11 += szy_g[g, 1]
        n_obs += n * ztz_g[g, 0]
    d = sa00 * sa02 - sa01 * sa01
    if not d > 1e-12 * sa00 * sa02:
        return -1.0, -1.0
    gam00 = (sa02 * ya00 - sa01 * ya01) / d
    gam01 = (sa00 * ya01 - sa01 * ya00) / d
    d = sa10 * sa12 - sa11 * sa11
    if not d > 1e-12 * sa10 * sa12:
        return -1.0, -1.0
    gam10 = (sa12 * ya10 - sa11 * ya11) / d
    gam11 = (sa10 * ya11 - sa11 * ya10) / d
    # centred statistics: y~ = y - Z gamma_arm
    for g in range(n_groups):
        n = n_g[g]
        s00 = ztz_g[g, 0]
        s01 = ztz_g[g, 1]
        s11 = ztz_g[g, 2]
        g0 = gam00 if arm_g[g] == 0 else gam10
        g1 = gam01 if arm_g[g] == 0 else gam11
        sg0 = s00 * g0 + s01 * g1
        sg1 = s01 * g0 + s11 * g1
        zy0 = szy_g[g, 0]
        zy1 = szy_g[g, 1]
        gs[g, 0] = n
        gs[g, 1] = s00
        gs[g, 2] = s01
        gs[g, 3] = s11
        gs[g, 4] = syy_g[g] - 2.0 * (g0 * zy0 + g1 * zy1) + n * (g0 * sg0 + g1 * sg1)
        gs[g, 5] = zy0 - n * sg0
        gs[g, 6] = zy1 - n * sg1
        gs[g, 7] = szyzy_g[g, 0] - 2.0 * zy0 * sg0 + n * sg0 * sg0
        gs[g, 8] = szyzy_g[g, 1] - zy0 * sg1 - sg0 * zy1 + n * sg0 * sg1
        gs[g, 9] = szyzy_g[g, 2] - 2.0 * zy1 * sg1 + n * sg1 * sg1
    # moment estimates from per-patient OLS (patients whose Z'Z is invertible)
    rss = 0.0
    rdf = 0.0
    n2 = 0.0
    # per-arm sums of per-patient coefficients (m00, m01 placebo; m10, m11 active), patients
    m00 = m01 = m10 = m11 = 0.0
    na0 = na1 = 0.0
    sinv0 = sinv1 = sinv2 = 0.0  # sum of (Z'Z)^-1
    scat0 = scat1 = scat2 = 0.0  # sum of coefficient outer products (centred data)
    visit_patterns(ztz_g, n_groups, pattern)
    for g in range(n_groups):
        h = pattern[g]
        if h == g:
            s00 = gs[g, 1]
            s01 = gs[g, 2]
            s11 = gs[g, 3]
            d = s00 * s11 - s01 * s01
            invertible = d > 1e-9 * s00 * s11
            gs[g, _S_OK] = 1.0 if invertible else 0.0
            if invertible:
                gs[g, _S_I00] = s11 / d
                gs[g, _S_I01] = -s01 / d
                gs[g, _S_I11] = s00 / d
        else:
            for k in range(_S_I00, _S_OK + 1):
                gs[g, k] = gs[h, k]
        if not gs[g, _S_OK] > 0.5:
            continue
        s00 = gs[g, 1]
        n = gs[g, 0]
        i00 = gs[g, _S_I00]
        i01 = gs[g, _S_I01]
        i11 = gs[g, _S_I11]
        zy0 = gs[g, 5]
        zy1 = gs[g, 6]
        z00 = gs[g, 7]
        z01 = gs[g, 8]
        z11 = gs[g, 9]
        rss += gs[g, 4] - (i00 * z00 + 2.0 * i01 * z01 + i11 * z11)
        rdf += n * (s00 - 2.0)
        if arm_g[g] == 0:
            m00 += i00 * zy0 + i01 * zy1
            m01 += i01 * zy0 + i11 * zy1
            na0 += n
        else:
            m10 += i00 * zy0 + i01 * zy1
            m11 += i01 * zy0 + i11 * zy1
            na1 += n
        n2 += n
        sinv0 += n * i00
        sinv1 += n * i01
        sinv2 += n * i11
        # S^-1 zz S^-1
        t00 = i00 * z00 + i01 * z01
        t01 = i00 * z01 + i01 * z11
        t11 = i01 * z01 + i11 * z11
        scat0 += t00 * i00 + t01 * i01
        scat1 += t00 * i01 + t01 * i11
        scat2 += (i01 * z00 + i11 * z01) * i01 + t11 * i11
    sigma2 = rss / rdf if rdf > 0.5 else 0.0
    psi00 = 1.0
    psi01 = 0.0
    psi11 = 0.01
    if n2 > 2.5 and na0 > 0.5 and na1 > 0.5:
        scat0 -= m00 * m00 / na0
        scat1 -= m00 * m01 / na0
        scat2 -= m01 * m01 / na0
        scat0 -= m10 * m10 / na1
        scat1 -= m10 * m11 / na1
        scat2 -= m11 * m11 / na1
        if not sigma2 > 0.0:
            sigma2 = 0.5 * scat0 / (n2 - 2.0) / (sinv0 / n2)
        if sigma2 > 0.0:
            b00 = sinv0 / n2
            b11 = sinv2 / n2
            psi00 = max((scat0 / (n2 - 2.0)) / sigma2 - b00, 0.05 * b00)
            psi11 = max((scat2 / (n2 - 2.0)) / sigma2 - b11, 0.05 * b11)
            psi01 = (scat1 / (n2 - 2.0)) / sigma2 - sinv1 / n2
            lim = 0.95 * np.sqrt(psi00 * psi11)
            psi01 = min(max(psi01, -lim), lim)
            if n_groups > 2:  # unbalanced: weight each visit pattern by its precision
                psi00, psi01, psi11 = _weighted_moments(
                    gs, pattern, n_groups, sigma2, psi00, psi01, psi11, 0.05 * b00, 0.05 * b11
                )
    start[0] = np.sqrt(psi00)
    start[1] = psi01 / start[0]
    start[2] = np.sqrt(max(psi11 - start[1] * start[1], 1e-12))
    if not (np.isfinite(start[0]) and np.isfinite(start[1]) and np.isfinite(start[2])):
        start[0] = 1.0
        start[1] = 0.0
        start[2] = 0.1
    return n_obs, n2
