"""The engine's generator (designs.simulation.rng): moments, distribution, independence across
streams."""

import numpy as np
import pytest
from numba import njit
from scipy import stats

from designs.simulation.rng import (
    _TWO24,
    _ZIG_ACCEPT,
    _ZIG_F,
    _ZIG_WIDTH,
    _ZIG_X,
    ZIG_R,
    ZIG_V,
    advance_streams,
    fill_normals,
    fill_uniforms,
    normal_pair_from_bits,
    seed_key,
    stream_state,
)

N = 400_000


@pytest.fixture(scope="module")
def key():
    return seed_key(20261125)


def test_normal_moments_and_ks(key):
    z = np.empty(N)
    fill_normals(key, 3, 1, 7, z)
    # Tolerances: 4 standard errors of each sample moment under N(0, 1):
    # SE(mean) = 1/sqrt(N), SE(var) = sqrt(2/N), SE(skew) ~ sqrt(6/N), SE(ex. kurt) ~ sqrt(24/N).
    assert abs(z.mean()) < 4 / np.sqrt(N)
    assert abs(z.var() - 1) < 4 * np.sqrt(2 / N)
    assert abs(stats.skew(z)) < 4 * np.sqrt(6 / N)
    assert abs(stats.kurtosis(z)) < 4 * np.sqrt(24 / N)
    assert stats.kstest(z, "norm").pvalue > 1e-3


def test_normal_tail_mass(key):
    """The ziggurat's tail branch (|z| > 3.654) has the right probability."""
    z = np.empty(4 * N)
    fill_normals(key, 0, 0, 0, z)
    r = ZIG_R
    expected = 2 * stats.norm.sf(r)
    observed = np.mean(np.abs(z) > r)
    assert abs(observed - expected) < 4 * np.sqrt(expected / z.size)
    # Far tail as well: P(|z| > 4.5)
    e2 = 2 * stats.norm.sf(4.5)
    assert abs(np.mean(np.abs(z) > 4.5) - e2) < 5 * np.sqrt(e2 / z.size)


def test_uniform_ks_and_open_interval(key):
    u = np.empty(N)
    fill_uniforms(key, 1, 0, 2, u)
    assert u.min() > 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_streams_independent_across_trials_and_patients(key):
    """Draws of neighbouring trials, arms and patients are uncorrelated."""
    m = 2000
    firsts = np.empty((m, 4))
    buf = np.empty(4)
    for i in range(m):
        fill_normals(key, i, 0, 0, buf)
        firsts[i] = buf
    # Correlation of the first variate of trial i with that of trial i+1: |r| < 4/sqrt(m).
    r = np.corrcoef(firsts[:-1, 0], firsts[1:, 0])[0, 1]
    assert abs(r) < 4 / np.sqrt(m)
    # Neighbouring patients and the two arms of one trial.
    a = np.empty(m)
    b = np.empty(m)
    c = np.empty(m)
    for i in range(m):
        fill_normals(key, 5, 0, i, buf)
        a[i] = buf[0]
        fill_normals(key, 5, 0, i + 1, buf)
        b[i] = buf[0]
        fill_normals(key, 5, 1, i, buf)
        c[i] = buf[0]
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / np.sqrt(m)
    assert abs(np.corrcoef(a, c)[0, 1]) < 4 / np.sqrt(m)
    # Pooled first variates across trials are N(0, 1).
    assert stats.kstest(firsts.ravel(), "norm").pvalue > 1e-3


def test_seed_changes_streams():
    a = np.empty(8)
    b = np.empty(8)
    fill_normals(seed_key(1), 0, 0, 0, a)
    fill_normals(seed_key(2), 0, 0, 0, b)
    assert not np.allclose(a, b)
    fill_normals(seed_key(1), 0, 0, 0, b)
    np.testing.assert_array_equal(a, b)


def test_ziggurat_layers_have_equal_area():
    """Every layer (base strip + tail, the rectangles, the top cap) has area v."""
    areas = [_ZIG_X[i] * (_ZIG_F[i + 1] - _ZIG_F[i]) for i in range(1, _ZIG_X.size - 1)]
    np.testing.assert_allclose(areas, ZIG_V, rtol=1e-9)
    assert _ZIG_X[0] * _ZIG_F[1] == pytest.approx(ZIG_V, rel=1e-12)


def test_fast_path_tables_reproduce_the_float_test():
    """The integer fast path equals the float ziggurat test, candidate by candidate.

    For every layer i and sign: ``u < accept`` iff ``(u 2^-24) x[i] < x[i+1]`` (checked at
    the threshold, which with monotonicity in u settles every u, and on a random sample of
    positions), and ``u * width`` is bit for bit ``sign * (u 2^-24) x[i]``.
    """
    rng = np.random.default_rng(7)
    layers = _ZIG_X.size - 1
    for j in range(2 * layers):
        i, sign = j % layers, (-1.0 if j >= layers else 1.0)
        k = int(_ZIG_ACCEPT[j])
        u = np.concatenate(
            [[0, 2**24 - 1], np.clip([k - 2, k - 1, k, k + 1], 0, 2**24 - 1)],
        ).astype(np.float64)
        u = np.concatenate([u, rng.integers(0, 2**24, 2000).astype(np.float64)])
        candidate = (u * _TWO24) * _ZIG_X[i]
        np.testing.assert_array_equal(u < k, candidate < _ZIG_X[i + 1])
        np.testing.assert_array_equal(np.signbit(u * _ZIG_WIDTH[j]), np.signbit(sign * candidate))
        np.testing.assert_array_equal(u * _ZIG_WIDTH[j], sign * candidate)


def test_pair_halves_are_independent(key):
    """The two normals from one 64-bit draw are uncorrelated, also in their squares."""
    z = np.empty(N)
    fill_normals(key, 2, 0, 9, z)
    first, second = z[0::2], z[1::2]
    m = first.size
    assert abs(np.corrcoef(first, second)[0, 1]) < 4 / np.sqrt(m)
    assert abs(np.corrcoef(first**2, second**2)[0, 1]) < 4 / np.sqrt(m)
    assert abs(np.corrcoef(np.abs(first), np.abs(second))[0, 1]) < 4 / np.sqrt(m)


@njit
def _normals_across_patients(key, trial, arm, out):
    """Each patient's normals in pairs, pair by pair across patients (advance_streams, then
    normal_pair_from_bits); returns how many pairs took the ziggurat's slow path."""
    n, width = out.shape
    states = np.empty(n, dtype=np.uint64)
    bits = np.empty(n, dtype=np.uint64)
    for p in range(n):
        states[p] = stream_state(key, trial, arm, p)
    slow = 0
    for k in range(0, width, 2):
        advance_streams(states, bits, n)
        for p in range(n):
            before = states[p]
            states[p], out[p, k], out[p, k + 1] = normal_pair_from_bits(states[p], bits[p])
            slow += states[p] != before
    return slow


def test_drawing_across_patients_gives_each_patients_stream(key):
    out = np.empty((64, 800))
    slow = _normals_across_patients(key, 5, 1, out)
    assert slow > 100  # the rare paths (extra draws from the stream) were exercised
    for p in range(out.shape[0]):
        z = np.empty(out.shape[1])
        fill_normals(key, 5, 1, p, z)
        np.testing.assert_array_equal(out[p], z)
