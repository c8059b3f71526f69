"""designs.sequential.normal gives scipy.stats.norm's values to the last bit (it calls the
same scipy.special functions), so planning can drop scipy.stats without moving a number."""

import numpy as np
from scipy import stats

from designs.sequential import normal

# Wide ranges, the tails and the edges (0, 1, +-inf, NaN) included.
X = np.concatenate([np.linspace(-40.0, 40.0, 2001), [0.0, -0.0, np.inf, -np.inf, np.nan]])
P = np.concatenate([np.linspace(0.0, 1.0, 2001), [1e-300, 1 - 1e-16, -0.5, 1.5, np.nan]])


def _same(ours, scipys) -> None:
    """Equal bit for bit on this machine (NaN where scipy gives NaN), arrays and scalars."""
    np.testing.assert_array_equal(ours, scipys)
    assert np.shape(ours) == np.shape(scipys)


def test_each_function_equals_scipy_stats_norm():
    _same(normal.cdf(X), stats.norm.cdf(X))
    _same(normal.sf(X), stats.norm.sf(X))
    _same(normal.pdf(X), stats.norm.pdf(X))
    _same(normal.logcdf(X), stats.norm.logcdf(X))
    _same(normal.logsf(X), stats.norm.logsf(X))
    with np.errstate(invalid="ignore"):
        _same(normal.ppf(P), stats.norm.ppf(P))
        _same(normal.isf(P), stats.norm.isf(P))


def test_scalars_give_scalars_like_scipy():
    for x in (-1.3, 0.0, 2.5):
        assert float(normal.cdf(x)) == float(stats.norm.cdf(x))
        assert float(normal.logsf(x)) == float(stats.norm.logsf(x))
    assert float(normal.ppf(0.8)) == float(stats.norm.ppf(0.8))


def test_logpdf_with_location_and_scale_equals_scipy_stats_norm():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(0.1, 0.3, 4000), X[np.isfinite(X)]])[:, None]
    loc = np.array([-0.2, 0.13653015947178165, 0.5])
    scale = np.array([1e-3, 0.1124697429420412, 2.0])
    _same(normal.logpdf(x, loc, scale), stats.norm.logpdf(x, loc, scale))
    _same(normal.logpdf(X), stats.norm.logpdf(X))
    assert float(normal.logpdf(0.3, -0.1, 0.7)) == float(stats.norm.logpdf(0.3, -0.1, 0.7))
