"""z_statistics computes in place: the very values of the expressions written out."""

import dataclasses

import numpy as np
from scipy.special import ndtri, stdtr

from designs.analyses import results as R
from designs.planning.look_z import z_statistics
from designs.simulation.engine_looks import LookResults


def _looks(rng, n=500, k=3):
    res = np.zeros((n, k, R.N_RESULT))
    res[:, :, R.ESTIMATE] = rng.normal(0.2, 0.3, (n, k))
    res[:, :, R.SE] = rng.uniform(0.05, 0.4, (n, k))
    res[:, :, R.DF] = rng.uniform(3.0, 400.0, (n, k))
    res[::7, :, R.ESTIMATE] = 0.0  # zero statistics
    return LookResults("lmm_slope", res, np.ones((n, k)), np.zeros((n, 1)), np.zeros(n))


def _written_out(looks):
    """The expressions z_statistics stood for before it computed in place."""
    est = looks.results[:, :, R.ESTIMATE]
    se = looks.results[:, :, R.SE]
    df = looks.results[:, :, R.DF]
    bad = looks.failed()
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = np.where(bad, 0.0, est / np.where(bad, 1.0, se))
        tail = stdtr(np.where(bad, 1.0, df), -np.abs(stat))
        z = np.where(stat > 0, -ndtri(tail), ndtri(tail))
    return np.where(bad, np.nan, z)


def _same_bits(got, want):
    np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))


def test_z_statistics_are_the_written_out_values_bit_for_bit():
    """Same scipy functions on the same inputs: equal bits (on any CPU, both computed on it),
    with and without failed fits (status, NaN SE, zero df, infinite estimate), with the
    failures passed in or found."""
    rng = np.random.default_rng(8)
    looks = _looks(rng)
    _same_bits(z_statistics(looks), _written_out(looks))
    res = looks.results.copy()
    m = rng.random(res.shape[:2])
    res[m < 0.03, R.STATUS] = R.STATUS_FAILED
    res[(m >= 0.03) & (m < 0.05), R.SE] = np.nan
    res[(m >= 0.05) & (m < 0.06), R.DF] = 0.0
    res[(m >= 0.06) & (m < 0.07), R.ESTIMATE] = np.inf
    damaged = dataclasses.replace(looks, results=res)
    want = _written_out(damaged)
    assert np.isnan(want).sum() == (m < 0.07).sum()
    _same_bits(z_statistics(damaged), want)
    _same_bits(z_statistics(damaged, damaged.failed()), want)
