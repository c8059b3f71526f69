"""Layout of one analysis result, shared by every analysis kernel and the engine.

Each analysis kernel writes one trial's result into a float64 vector ``out`` of length
``N_RESULT``; the engine stacks them into an array of shape (trial, N_RESULT). p-values are
not computed in the kernels (Numba has no ``scipy.special``): the engine turns the Wald or
t statistic ``estimate / se`` and ``df`` into p-values vectorised with SciPy.
"""

import numpy as np
from numba import njit

ESTIMATE = 0  # the analysis' effect estimate (active minus placebo; units per analysis)
SE = 1  # its standard error (same units)
DF = 2  # reference-distribution degrees of freedom (np.inf for a z test)
STATUS = 3  # 0 = fit succeeded; other values = failed (counted as failed, never "not rejected")
EXTRA0 = 4  # first of the analysis-specific slots (e.g. variance components for lmm_slope)
N_RESULT = 12

STATUS_OK = 0.0
STATUS_FAILED = (
    1.0  # generic failure: too few patients, singular system, optimiser did not converge
)


@njit(cache=True)
def mark_failed(out):
    """Set every slot of a result vector to NaN and its STATUS to failed."""
    for k in range(N_RESULT):
        out[k] = np.nan
    out[STATUS] = STATUS_FAILED
