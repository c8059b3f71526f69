"""Published sample-size formulas the simulation engine is checked against
(``docs/references.md#validation-tables``): Diggle et al. (2002), exchangeable correlation
(V1, V2), and the MMRM variance inflation under attrition of Lu, Luo & Chen (2008) (V4).

Pure NumPy (SciPy's t on use), no simulation. Sample sizes are returned unrounded (floats).
The design's own closed form is :mod:`designs.planning.closed_form`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from designs.planning.closed_form import z_sum

__all__ = [
    "ar1_correlation",
    "diggle_mean_n",
    "diggle_slope_n",
    "lu_luo_chen_phi",
    "lu_luo_chen_total_n",
]


# --------------------------------------------------------------------------- Diggle (V1, V2)


def diggle_slope_n(
    delta: float,
    visits: Sequence[float],
    sigma2: float,
    rho: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
) -> float:
    """n per group for a difference in slopes, exchangeable correlation (Diggle 2002, p.29).

    ``n = 2 (z_{1-alpha/sides} + z_power)^2 sigma2 (1 - rho) / (sum (t - tbar)^2 delta^2)``.

    Parameters
    ----------
    delta : float
        Slope difference (outcome units per time unit).
    visits : sequence of float
        Common visit times.
    sigma2 : float
        Total variance of one observation.
    rho : float
        Exchangeable within-patient correlation.
    """
    t = np.asarray(visits, dtype=float)
    sxx = float(np.sum((t - t.mean()) ** 2))
    return 2.0 * z_sum(alpha, power, sides) ** 2 * sigma2 * (1.0 - rho) / (sxx * delta**2)


def diggle_mean_n(
    delta: float,
    n_visits: int,
    sigma2: float,
    rho: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
) -> float:
    """n per group for a time-averaged mean difference (Diggle 2002, p.30).

    ``n = 2 (z_{1-alpha/sides} + z_power)^2 sigma2 (1 + (m - 1) rho) / (m delta^2)``,
    ``m`` visits, exchangeable correlation ``rho``.
    """
    m = n_visits
    return 2.0 * z_sum(alpha, power, sides) ** 2 * sigma2 * (1 + (m - 1) * rho) / (m * delta**2)


# --------------------------------------------------------------------------- Lu-Luo-Chen (V4)


def ar1_correlation(n_visits: int, rho: float) -> np.ndarray:
    """AR(1) correlation matrix ``rho^|j - k|`` for equally spaced visits."""
    idx = np.arange(n_visits)
    return rho ** np.abs(idx[:, None] - idx[None, :]).astype(float)


def lu_luo_chen_phi(corr: np.ndarray, retention: Sequence[float]) -> float:
    """Variance inflation of the last-visit mean under monotone attrition (Lu, Luo & Chen 2008).

    ``phi = [ (sum_j (r_j - r_{j+1}) R_j^-1)^-1 ]_{J,J}`` with ``R_j^-1`` the inverse of the
    leading ``j x j`` block of ``corr`` padded with zeros, ``r_{J+1} = 0``: the variance of the
    MMRM last-visit mean relative to complete data (variance 1).

    Parameters
    ----------
    corr : numpy.ndarray
        J x J within-patient correlation matrix.
    retention : sequence of float
        Fraction still in the study at each visit (first 1, non-increasing).
    """
    r = np.append(np.asarray(retention, dtype=float), 0.0)
    j_max = corr.shape[0]
    info = np.zeros((j_max, j_max))
    for j in range(1, j_max + 1):
        info[:j, :j] += (r[j - 1] - r[j]) * np.linalg.inv(corr[:j, :j])
    return float(np.linalg.inv(info)[-1, -1])


def lu_luo_chen_total_n(
    phi1: float,
    phi2: float,
    lam: float,
    delta: float,
    *,
    sigma: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.9,
    sides: int = 2,
    t_test: bool = False,
) -> float:
    """Total N for a last-visit MMRM contrast (Lu, Luo & Chen 2008, formula 3).

    ``N_a = (phi1 + lam phi2) (z_{alpha/sides} + z_power)^2 sigma^2 / delta^2``,
    ``N_b = N_a / lam``; returns ``N_a + N_b``. With ``t_test`` the normal quantiles are
    replaced by t quantiles with ``df = N_z - 2``, ``N_z`` the z-test total (one step, as in
    Lu et al.'s Table 1 and longpower's example).
    """
    from scipy import stats  # on use: slow to import, and most commands never need it

    if t_test:
        df = (
            lu_luo_chen_total_n(
                phi1, phi2, lam, delta, sigma=sigma, alpha=alpha, power=power, sides=sides
            )
            - 2.0
        )
        q = stats.t.isf(alpha / sides, df) + stats.t.ppf(power, df)
    else:
        q = z_sum(alpha, power, sides)
    n_a = (phi1 + lam * phi2) * q**2 * sigma**2 / delta**2
    return float(n_a + n_a / lam)
