"""A plain vectorised NumPy implementation of the reference design, for speed comparison.

Complete data, integer scores rounded and clipped to 0-48, per-patient least-squares
slopes and a pooled two-sample t-test: the same design as the engine's reference run
(docs/conventions.md#benchmark-reference-design), written the way a careful NumPy user
would, one block of trials at a time on one core (``benchmarks.bench`` takes blocks of 100,
whose arrays stay in the cache).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def simulate_ols_ttest(
    rng: np.random.Generator,
    trials: int,
    n_per_arm: int,
    visits: np.ndarray,
    baseline_mean: float,
    baseline_sd: float,
    slope_mean: float,
    slope_sd: float,
    residual_sd: float,
    effect_shift: float,
    alpha: float = 0.05,
) -> np.ndarray:
    """Rejections (two-sided pooled t-test of per-patient OLS slopes) for ``trials`` trials.

    Returns a boolean array of shape (trials,). Slopes in points/month, scores in points.
    """
    t = np.asarray(visits, dtype=float)
    tc = t - t.mean()
    sxx = tc @ tc
    shape = (trials, 2, n_per_arm)
    a = baseline_mean + baseline_sd * rng.standard_normal(shape)
    s = slope_mean + slope_sd * rng.standard_normal(shape)
    s[:, 1, :] += effect_shift
    y = a[..., None] + s[..., None] * t + residual_sd * rng.standard_normal((*shape, t.size))
    np.clip(np.floor(y + 0.5), 0.0, 48.0, out=y)
    slopes = (y @ tc) / sxx
    mean = slopes.mean(axis=2)
    var = slopes.var(axis=2, ddof=1)
    pooled = (var[:, 0] + var[:, 1]) / 2.0
    se = np.sqrt(pooled * 2.0 / n_per_arm)
    tstat = (mean[:, 1] - mean[:, 0]) / se
    p = 2.0 * stats.t.sf(np.abs(tstat), 2 * n_per_arm - 2)
    return p < alpha


def draw_normals_numpy(rng: np.random.Generator, trials: int, per_trial: int) -> float:
    """Draw the normal variates ``trials`` trials need with ``Generator.standard_normal``."""
    total = 0.0
    block = max(1, 2_000_000 // per_trial)
    for start in range(0, trials, block):
        total += rng.standard_normal((min(block, trials - start), per_trial)).sum()
    return total
