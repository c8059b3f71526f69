"""Binomial probit regression ``Phi^-1(p) = b0 + b1 x`` by maximum likelihood: one fit
(:func:`probit_fit`), and many fits on the same covariate at once (:func:`probit_fits`, the
bootstrap resamples of a sample-size search, which one at a time were most of its time).
"""

from __future__ import annotations

import numpy as np

from designs.sequential import normal as norm

#: Fisher scoring stops when no coefficient moved by more than this, or after
#: :data:`MAX_STEPS` steps (then Nelder-Mead from where it stopped).
TOLERANCE = 1e-10
MAX_STEPS = 50


def probit_fit(covariate, successes, trials, start=None) -> tuple[float, float]:
    """Maximum-likelihood binomial probit regression ``Phi^-1(p) = b0 + b1 x``.

    Fisher scoring (IRLS), falling back to Nelder-Mead if it does not converge.

    Parameters
    ----------
    covariate : array_like
        ``x`` for each group (or each trial, with ``trials`` = 1).
    successes, trials : array_like
        Successes and trials per group.
    start : (b0, b1), optional
        Where Fisher scoring starts (default: a weighted least-squares line through the
        empirical probits); a bootstrap resample starts at the point estimate's fit.

    Returns
    -------
    (b0, b1) : tuple of float
    """
    x = np.asarray(covariate, dtype=float)
    k = np.asarray(successes, dtype=float)
    m = np.asarray(trials, dtype=float)
    design = np.column_stack([np.ones_like(x), x])
    p = np.clip((k + 0.5) / (m + 1.0), 1e-4, 1 - 1e-4)
    if start is not None:
        b = np.array(start, dtype=float)
    elif np.ptp(x) > 0:
        b = np.polyfit(x, norm.ppf(p), 1, w=np.sqrt(m))[::-1]
    else:
        b = np.array([float(norm.ppf(p.mean())), 0.0])
    for _ in range(MAX_STEPS):  # Fisher scoring (IRLS) for the probit link
        eta = design @ b
        mu = np.clip(norm.cdf(eta), 1e-12, 1 - 1e-12)
        dens = np.maximum(norm.pdf(eta), 1e-300)
        w = m * dens**2 / (mu * (1 - mu))
        z = eta + (k / np.maximum(m, 1) - mu) / dens
        xtw = design.T * w
        try:
            new = np.linalg.solve(xtw @ design, xtw @ z)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(new)):
            break
        done = np.max(np.abs(new - b)) < TOLERANCE
        b = new
        if done:
            return float(b[0]), float(b[1])

    def nll(c):
        eta = c[0] + c[1] * x
        return -np.sum(k * norm.logcdf(eta) + (m - k) * norm.logsf(eta))

    from scipy import optimize  # only when Fisher scoring fails: loaded then

    res = optimize.minimize(
        nll, b, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}
    )
    return float(res.x[0]), float(res.x[1])


def probit_fits(covariate, successes, trials, starts) -> np.ndarray:
    """:func:`probit_fit` of many rows of counts on one covariate, by Fisher scoring on all
    rows at once.

    The same steps as :func:`probit_fit` row by row (the 2x2 system solved by elimination
    with partial pivoting instead of LAPACK's, so a row's coefficients can differ from
    :func:`probit_fit`'s in the last bits); a row whose scoring does not converge in
    :data:`MAX_STEPS` steps, or meets a singular or non-finite step, is fitted by
    :func:`probit_fit` itself (with its Nelder-Mead fallback).

    Parameters
    ----------
    covariate : float64[G]
        ``x`` of each group.
    successes, trials : float64[R, G]
        Successes and trials of each row (resample) and group.
    starts : float64[R, 2] or (b0, b1)
        Where each row's scoring starts.

    Returns
    -------
    float64[R, 2]
        ``(b0, b1)`` per row.
    """
    x = np.asarray(covariate, dtype=float)
    k = np.asarray(successes, dtype=float)
    m = np.asarray(trials, dtype=float)
    b = np.array(np.broadcast_to(np.asarray(starts, dtype=float), (k.shape[0], 2)))
    out = np.full_like(b, np.nan)
    active = np.arange(k.shape[0])
    m_safe = np.maximum(m, 1)
    with np.errstate(all="ignore"):
        for _ in range(MAX_STEPS):
            if active.size == 0:
                break
            ka, ma, ba = k[active], m[active], b[active]
            eta = ba[:, :1] + ba[:, 1:] * x
            mu = np.clip(norm.cdf(eta), 1e-12, 1 - 1e-12)
            dens = np.maximum(norm.pdf(eta), 1e-300)
            w = ma * dens**2 / (mu * (1 - mu))
            z = eta + (ka / m_safe[active] - mu) / dens
            xw = x * w
            new = _solve_2x2(w.sum(1), xw.sum(1), (xw * x).sum(1), (w * z).sum(1), (xw * z).sum(1))
            finite = np.isfinite(new).all(1)
            done = finite & (np.abs(new - ba).max(1) < TOLERANCE)
            out[active[done]] = new[done]
            b[active] = new
            active = active[finite & ~done]  # the non-finite are refitted below
    for r in np.flatnonzero(np.isnan(out).any(1)):
        start = np.broadcast_to(np.asarray(starts, dtype=float), b.shape)[r]
        out[r] = probit_fit(x, k[r], m[r], start)
    return out


def _solve_2x2(a00, a01, a11, r0, r1) -> np.ndarray:
    """Solve ``[[a00, a01], [a01, a11]] (b0, b1) = (r0, r1)`` per row (arrays), by
    elimination with partial pivoting; NaN where the system is singular."""
    swap = np.abs(a01) > np.abs(a00)  # pivot on the larger of the first column
    p, q, s, t = (
        np.where(swap, a01, a00),
        np.where(swap, a11, a01),
        np.where(swap, r1, r0),
        np.where(swap, r0, r1),
    )
    u, v = np.where(swap, a00, a01), np.where(swap, a01, a11)  # the other row
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = u / p
        v2 = v - factor * q
        b1 = (t - factor * s) / v2
        b0 = (s - q * b1) / p
    singular = (p == 0) | (v2 == 0)
    return np.where(singular[:, None], np.nan, np.column_stack([b0, b1]))


def shared_trials_crossing_se(b1: float, z: float, trials: int) -> float:
    """A Monte Carlo SE of where a fitted probit curve ``Phi(b0 + b1 x)`` crosses
    ``Phi(z)``, when every point of the curve was simulated on the same ``trials`` trials
    (common random numbers): each trial then succeeds from its own threshold on, the counts
    are the thresholds' empirical distribution, and the crossing is about its quantile, of
    SE ``sqrt(p (1 - p) / trials) / (b1 phi(z))`` with ``p = Phi(z)``. The fit over several
    points does a little better: over 60 seeds of the default design (8 effects, 200 and 400
    trials) the crossing's SD was 0.82-0.84 of it, where the SE of independent counts (the
    delta method on their Fisher information) was 0.6 of the SD (a diff review found that
    first version 30% short)."""
    from scipy.stats import norm

    if not (b1 > 0 and trials > 0):
        return float("nan")
    p = float(norm.cdf(z))
    return float(np.sqrt(p * (1.0 - p) / trials) / (b1 * norm.pdf(z)))
