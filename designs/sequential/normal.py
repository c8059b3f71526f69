"""The standard normal distribution from ``scipy.special`` (what ``scipy.stats.norm`` calls,
so the values are the same to the last bit), so that reading a design with ``[interim]`` or
planning a sample size does not import ``scipy.stats`` (slow to start)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT_2PI = np.log(np.sqrt(2 * np.pi))  # as scipy.stats.norm computes it


def cdf(x):
    """P(Z <= x)."""
    return ndtr(x)


def sf(x):
    """P(Z > x)."""
    return ndtr(np.negative(x))


def pdf(x):
    """Density of Z at x."""
    x = np.asarray(x, dtype=float)
    return np.exp(-(x**2) / 2.0) / _SQRT_2PI


def logpdf(x, loc=0.0, scale=1.0):
    """Log density of N(loc, scale^2) at x (scale > 0), in ``scipy.stats.norm.logpdf``'s
    arithmetic (the same bits; ``tests/sequential/test_normal.py``) without its argument
    checks, which cost more than the arithmetic in an EM loop."""
    x = np.asarray(x, dtype=float)
    z = (x - loc) / scale
    return -(z**2) / 2.0 - _LOG_SQRT_2PI - np.log(scale)


def isf(p):
    """The z with P(Z > z) = p."""
    return -ndtri(p)


def ppf(p):
    """The z with P(Z <= z) = p."""
    return ndtri(p)


def logcdf(x):
    """log P(Z <= x), accurate far in the lower tail."""
    return log_ndtr(x)


def logsf(x):
    """log P(Z > x), accurate far in the upper tail."""
    return log_ndtr(np.negative(x))
