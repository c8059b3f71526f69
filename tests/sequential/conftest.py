"""Fixtures of the group-sequential tests."""

from __future__ import annotations

import numpy as np
import pytest

from designs.sequential.observed import MIN_INCREMENT


def _kernel_inputs(info, information_max, alpha, spending, sides):
    """The alpha of each look, the alpha spent by it and the correlation fractions of each
    trial (row of ``info``), derived afresh as the kernel's caller does (``observed._run``)."""
    spend = np.minimum(info / information_max, 1.0)
    spend[:, -1] = 1.0
    spend = np.maximum.accumulate(spend, axis=1)
    spent = sides * spending.spent(spend, alpha / sides)
    inc = np.diff(spent, axis=1, prepend=0.0)
    t = np.maximum(info / info[:, -1:], MIN_INCREMENT)
    for k in range(1, t.shape[1]):
        t[:, k] = np.maximum(t[:, k], t[:, k - 1] + MIN_INCREMENT)
    return inc, spent, np.ascontiguousarray(t / t[:, -1:])


@pytest.fixture
def kernel_inputs():
    """``kernel_inputs(info, information_max, alpha, spending, sides) -> (inc, spent, t)``:
    the observed-boundary kernel's inputs, derived afresh (not by the code under test)."""
    return _kernel_inputs
