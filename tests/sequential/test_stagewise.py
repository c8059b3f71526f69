"""Stagewise-ordering p-values and median-unbiased estimates (``analyze --look`` where a
trial stops) against a straightforward computation on SciPy's multivariate normal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from designs.sequential import SpendingFunction
from designs.sequential.at_information import boundaries_at_information
from designs.sequential.stagewise import median_unbiased_estimate, stagewise_tail

OBF = SpendingFunction("obf")


def _tail_mvn(info, bounds, z, theta=0.0):
    """One-sided stagewise tail written out for 2 or 3 looks: the upward crossings before the
    last look plus reaching it with Z >= z, each a rectangle probability of the canonical
    joint distribution (Genz's CDF to about 1e-9)."""
    info = np.asarray(info, dtype=float)
    mean = theta * np.sqrt(info)
    cov = np.sqrt(np.minimum.outer(info, info) / np.maximum.outer(info, info))
    k = info.size
    total = 0.0
    for j in range(k):
        upper = np.append(np.asarray(bounds[:j], dtype=float), np.inf)
        lower = np.append(np.full(j, -np.inf), z if j == k - 1 else bounds[j])
        mvn = stats.multivariate_normal(mean[: j + 1], cov[: j + 1, : j + 1], abseps=1e-10)
        total += mvn.cdf(upper, lower_limit=lower)
    return total


@pytest.mark.parametrize(
    "info, z", [([130.0, 260.0], 2.3), ([80.0, 170.0, 240.0], 2.1), ([80.0, 170.0], 3.5)]
)
@pytest.mark.parametrize("theta", [0.0, 0.12])
def test_the_tail_is_the_multivariate_normals(info, z, theta):
    bounds, _, _ = boundaries_at_information(info, 250.0, 0.025, OBF, 1, len(info), True)
    got = stagewise_tail(info, bounds, z, 1, theta)
    assert got == pytest.approx(_tail_mvn(info, bounds, z, theta), abs=2e-7)


def test_the_p_value_agrees_with_the_boundary():
    """At the boundary itself the p-value is the alpha spent by that look: the trial rejects
    exactly when its stagewise p-value is at most it (to the recursion's 1e-9)."""
    info = [80.0, 170.0, 240.0]
    bounds, spent, _ = boundaries_at_information(info, 250.0, 0.025, OBF, 1, 3, True)
    for k in range(3):
        tail = stagewise_tail(info[: k + 1], bounds[: k + 1], bounds[k], 1)
        assert tail == pytest.approx(spent[k], abs=1e-8)


def test_the_median_unbiased_estimate():
    """Against a root of the multivariate normal's tail; alone (one look) it is z / sqrt(I)."""
    info = [130.0, 260.0]
    bounds, _, _ = boundaries_at_information(info, 250.0, 0.025, OBF, 1, 2, True)
    got = median_unbiased_estimate(info, bounds, 2.3, 1)
    expected = optimize.brentq(lambda th: _tail_mvn(info, bounds, 2.3, th) - 0.5, -1.0, 1.0)
    assert got == pytest.approx(expected, abs=2e-6)
    assert got < 2.3 / np.sqrt(260.0)  # pulled down: the trial went on past look 1
    alone = median_unbiased_estimate([130.0], [0.0], 2.0, 1)
    assert alone == pytest.approx(2.0 / np.sqrt(130.0), rel=1e-9)


def test_analyze_looks_median_unbiased_estimate_is_median_unbiased_with_t_statistics():
    """``analyze --look`` reads the Wald statistic estimate / SE for the median-unbiased
    estimate and the t carried to z for the p-value (``interim_look._stagewise``). Two looks
    of a one-sample mean (12, then 24 patients; SD estimated, so t on 11 and 23 df), true
    effect 0.55 SD, O'Brien-Fleming-type boundaries 2.797 and 1.977: the estimate where each
    trial stops falls below the true effect in about half the trials. By the t carried to z
    it did in 62.8% (20,000 trials, MC SE 0.0034); by the Wald statistic 51.8%, and 48.7%
    with the first look's boundary carried to its t scale (``--earlier-df``; the normal
    reading of t statistics on 11 and 23 df: 50.3% and 49.5% on 39 and 79 df; with Pocock
    boundaries 2.178, 53.3% and 48.8% at 12 and 24 patients, 52.3% and 49.3% at 20 and 40).
    Tolerance: that 0.013 plus 3 MC SE of 3,000 trials (0.027)."""
    from designs.planning.interim_look import _stagewise

    rng = np.random.default_rng(5)
    theta, sizes, bounds, trials = 0.55, (12, 24), np.array([2.797, 1.977]), 3_000
    below = 0
    for _ in range(trials):
        x = rng.normal(theta, 1.0, sizes[-1])
        info = []
        for k, n in enumerate(sizes):
            se = x[:n].std(ddof=1) / np.sqrt(n)
            info.append(1.0 / se**2)
            t = x[:n].mean() / se
            z = stats.norm.isf(stats.t.sf(t, n - 1))
            if k == 1 or z >= bounds[0]:
                out = _stagewise(info, bounds[: k + 1], z, t, 1, "efficacy", [sizes[0] - 1.0][:k])
                below += out["median_unbiased_estimate"] < theta
                break
    share = below / trials
    assert abs(share - 0.5) <= 0.013 + 3 * np.sqrt(0.25 / trials), share


def test_with_the_earlier_df_the_estimate_reads_the_earlier_boundaries_on_the_t_scale():
    """``--earlier-df``: the median-unbiased estimate's ordering takes each earlier look's
    boundary on the t scale its decision was made on, ``t_df^-1(Phi(c))``, against a root of
    the multivariate normal's tail at those boundaries written out; the p-value is the z
    scale's, unchanged; without df the z scale's boundaries as before."""
    from scipy.special import ndtr, stdtrit

    from designs.planning.interim_look import _stagewise

    info = [40.0, 90.0]
    bounds, _, _ = boundaries_at_information(info, 100.0, 0.025, OBF, 1, 2, True)
    z, wald = 2.2, 2.3
    with_df = _stagewise(info, bounds, z, wald, 1, "efficacy", [18.0])
    on_t = [stdtrit(18.0, ndtr(bounds[0])), bounds[1]]
    assert on_t[0] > bounds[0] + 0.3  # a t on 18 df lies well above its z
    expected = optimize.brentq(lambda th: _tail_mvn(info, on_t, wald, th) - 0.5, -1.0, 1.0)
    assert with_df["median_unbiased_estimate"] == pytest.approx(expected, abs=2e-6)
    without = _stagewise(info, bounds, z, wald, 1, "efficacy")
    assert without["p_value_stagewise"] == with_df["p_value_stagewise"]
    plain = optimize.brentq(lambda th: _tail_mvn(info, bounds, wald, th) - 0.5, -1.0, 1.0)
    assert without["median_unbiased_estimate"] == pytest.approx(plain, abs=2e-6)
    # a higher earlier boundary crosses less often: the estimate is pulled down less
    assert with_df["median_unbiased_estimate"] > without["median_unbiased_estimate"]
