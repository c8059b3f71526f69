"""The z statistic of each look of each simulated trial: its Wald statistic carried to the
z scale through its own t distribution, so each look keeps its nominal level."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri, stdtr

from designs.analyses import results as R
from designs.simulation.engine_looks import LookResults

__all__ = ["z_statistics"]


def z_statistics(results: LookResults, failed: np.ndarray | None = None) -> np.ndarray:
    """z of each look: the Wald statistic carried through its t distribution (NaN if failed).

    ``failed``: ``results.failed()`` if the caller has it already (else computed here)."""
    res = results.results
    bad = results.failed() if failed is None else failed
    est = res[:, :, R.ESTIMATE]
    se = res[:, :, R.SE]
    df = res[:, :, R.DF]
    any_bad = bool(bad.any())
    if any_bad:  # a failed fit's numbers may be anything: a harmless 0 / 1 on 1 df instead
        est = np.where(bad, 0.0, est)
        se = np.where(bad, 1.0, se)
        df = np.where(bad, 1.0, df)
    # the t tail beyond |stat| (scipy.stats.t's sf above 0 and cdf below: the same stdtr
    # values), carried to z by the normal quantile, with stat's sign (in place: the same
    # values as the expressions written out)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = est / se
        neg = np.abs(stat)
        np.negative(neg, out=neg)
        z = stdtr(df, neg)
        ndtri(z, out=z)
        np.negative(z, out=z, where=stat > 0)
    if any_bad:
        z[bad] = np.nan
    return z
