"""The standard normal distribution from ``scipy.special`` (what ``scipy.stats.norm`` calls),
so that reading a design with ``[interim]`` does not import ``scipy.stats`` (slow to start)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["cdf", "isf", "pdf", "sf"]

_SQRT_2PI = math.sqrt(2.0 * math.pi)


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


def isf(p):
    """The z with P(Z > z) = p."""
    return -ndtri(p)
