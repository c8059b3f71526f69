"""The OLS slope t-test and ANCOVA kernels (designs.analyses.ols_slope_ttest, ancova_change)
against scipy and statsmodels."""

import numpy as np
import pytest
from scipy import stats

from designs.analyses.ancova_change import ancova_change
from designs.analyses.ols_slope_ttest import ols_slope, ols_slope_ttest
from designs.analyses.results import DF, ESTIMATE, N_RESULT, SE, STATUS


def run(kernel, *args):
    out = np.empty(N_RESULT)
    kernel(*args, out)
    return out


@pytest.mark.parametrize("seed", range(10))
def test_ttest_matches_scipy_pooled(seed):
    rng = np.random.default_rng(seed)
    n0, n1 = rng.integers(2, 80, size=2)
    s0 = -0.9 + 0.6 * rng.standard_normal(n0)
    s1 = -0.6 + 0.9 * rng.standard_normal(n1)
    slope = np.concatenate([s0, s1, np.full(5, 99.0)])  # trailing scratch is ignored
    arm = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64), np.zeros(5, np.int64)])
    perm = rng.permutation(n0 + n1)
    slope[: n0 + n1] = slope[perm]
    arm[: n0 + n1] = arm[perm]
    out = run(ols_slope_ttest, slope, arm, n0 + n1)
    ref = stats.ttest_ind(s1, s0, equal_var=True)
    assert out[STATUS] == 0
    assert out[ESTIMATE] == pytest.approx(s1.mean() - s0.mean(), rel=1e-10)
    assert out[ESTIMATE] / out[SE] == pytest.approx(ref.statistic, rel=1e-10)
    assert out[DF] == n0 + n1 - 2
    assert 2 * stats.t.sf(abs(out[ESTIMATE] / out[SE]), out[DF]) == pytest.approx(
        ref.pvalue, rel=1e-10
    )


def test_ttest_failures():
    out = run(ols_slope_ttest, np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]), 3)
    assert out[STATUS] == 1 and np.isnan(out[ESTIMATE])
    out = run(ols_slope_ttest, np.ones(4), np.array([0, 0, 1, 1]), 4)  # SE = 0
    assert out[STATUS] == 1
    out = run(ols_slope_ttest, np.array([1.0, np.nan, 3.0, 4.0]), np.array([0, 0, 1, 1]), 4)
    assert out[STATUS] == 1
    out = run(ols_slope_ttest, np.arange(4.0), np.array([0, 2, 1, 1]), 4)
    assert out[STATUS] == 1


@pytest.mark.parametrize("seed", range(10))
def test_ancova_matches_statsmodels(seed):
    import statsmodels.api as sm

    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(6, 120))
    arm = rng.integers(0, 2, size=n).astype(np.int64)
    arm[:2] = 0
    arm[2:4] = 1
    y0 = np.round(38 + 5 * rng.standard_normal(n))
    ylast = np.round(y0 - 11 + 3 * arm + 0.2 * (y0 - 38) + 4 * rng.standard_normal(n))
    out = run(ancova_change, y0, ylast, arm, n)
    x = sm.add_constant(np.column_stack([arm, y0]).astype(float))
    fit = sm.OLS(ylast - y0, x).fit()
    assert out[STATUS] == 0
    assert out[ESTIMATE] == pytest.approx(fit.params[1], rel=1e-10)
    assert out[SE] == pytest.approx(fit.bse[1], rel=1e-10)
    assert out[DF] == fit.df_resid


def test_ancova_failures():
    y = np.arange(6.0)
    out = run(ancova_change, y, y + 1, np.array([0, 0, 0, 0, 0, 1]), 6)
    assert out[STATUS] == 1
    # baseline collinear with arm
    out = run(
        ancova_change, np.array([1.0, 1, 2, 2]), np.array([0.0, 1, 2, 4]), np.array([0, 0, 1, 1]), 4
    )
    assert out[STATUS] == 1


def test_ols_slope():
    t = np.array([0.0, 1.0, 3.0, 6.0])
    y = np.array([40.0, 39.0, 37.5, 35.0])
    assert ols_slope(t, y, 4) == pytest.approx(np.polyfit(t, y, 1)[0], rel=1e-12)
    assert np.isnan(ols_slope(t, y, 1))
    assert np.isnan(ols_slope(np.zeros(3), y, 3))
