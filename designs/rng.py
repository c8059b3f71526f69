"""Counter-based random numbers for the trial kernels.

Every simulated patient has its own stream, whose state is a hash of
(seed key, trial, arm, patient index) only. The stream is SplitMix64 (Steele, Lea & Flood
2014; passes BigCrush as a generator), normal variates come from a 256-layer ziggurat
(Marsaglia & Tsang 2000) and uniforms from the top 53 bits. Because a patient's draws do
not depend on which thread or block simulates it, results are identical for any number of
threads, block sizes or Dask workers, and the first ``n`` patients of an arm are the same
for every ``n`` (common random numbers across sample sizes).

All functions are Numba ``@njit`` and carry the generator state as a ``uint64`` value
(``state -> (new_state, draw)``), so no Python object enters a kernel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S12 = np.uint64(12)
_S8 = np.uint64(8)
_MASK8 = np.uint64(0xFF)
_ONE = np.uint64(1)
_TWO53 = 1.0 / 9007199254740992.0  # 2**-53
_TWO52 = 1.0 / 4503599627370496.0  # 2**-52


def seed_key(seed: int) -> np.uint64:
    """Turn a user seed (non-negative int) into the 64-bit key every stream is hashed from."""
    return np.random.SeedSequence(int(seed)).generate_state(1, dtype=np.uint64)[0]


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser: a bijective 64-bit hash with full avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def stream_state(key, trial, arm, patient):
    """Initial state of the stream of one patient.

    Parameters
    ----------
    key : uint64
        From :func:`seed_key`.
    trial, arm, patient : int
        Trial index (global, not block-relative), arm (0 placebo, 1 active), patient index
        within the arm.
    """
    h = mix64(key ^ (np.uint64(trial) * _GOLDEN))
    h = mix64(h ^ ((np.uint64(arm) + _ONE) * _M1))
    h = mix64(h ^ ((np.uint64(patient) + _ONE) * _M2))
    return h


@njit(cache=True, inline="always")
def next_u64(state):
    """One SplitMix64 step: returns (new state, 64 random bits)."""
    state = state + _GOLDEN
    return state, mix64(state)


@njit(cache=True, inline="always")
def next_uniform(state):
    """A uniform variate on the open interval (0, 1) from the top 53 bits."""
    state, bits = next_u64(state)
    return state, (float(np.int64(bits >> _S11)) + 0.5) * _TWO53


def _ziggurat_tables(layers: int = 256):
    """Layer edges ``x`` (length layers + 1) and ``f(x)`` for the unnormalised normal density.

    ``x[1] = r`` is the start of the tail, ``x[0] = v / f(r)`` the width of the base layer
    (base strip plus tail, area ``v``), ``x[layers] = 0``.
    """
    r = 3.6541528853610088
    f = lambda z: math.exp(-0.5 * z * z)  # noqa: E731
    v = r * f(r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    x = np.zeros(layers + 1)
    x[0] = v / f(r)
    x[1] = r
    for i in range(1, layers - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + f(x[i])))
    x[layers] = 0.0
    fx = np.exp(-0.5 * x * x)
    return x, fx, r


_ZIG_X, _ZIG_F, _ZIG_R = _ziggurat_tables()


@njit(cache=True)
def _normal_tail(state, negative):
    """Marsaglia's tail method for |z| > r."""
    while True:
        state, u1 = next_uniform(state)
        state, u2 = next_uniform(state)
        xx = -math.log(u1) / _ZIG_R
        yy = -math.log(u2)
        if 2.0 * yy > xx * xx:
            z = _ZIG_R + xx
            return state, (-z if negative else z)


@njit(cache=True, inline="always")
def next_normal(state):
    """A standard normal variate (256-layer ziggurat; one 64-bit draw in ~99% of calls).

    Bits 0-7 choose the layer, bit 8 the sign, bits 12-63 the position in the layer. The
    sign is applied by multiplication (a branch on a random bit would be mispredicted half
    the time) and the integers are converted to float through int64 (one instruction).
    """
    while True:
        state, bits = next_u64(state)
        i = np.intp(bits & _MASK8)
        sign = 1.0 - 2.0 * float(np.int64((bits >> _S8) & _ONE))
        x = float(np.int64(bits >> _S12)) * _TWO52 * _ZIG_X[i]
        if x < _ZIG_X[i + 1]:
            return state, sign * x
        if i == 0:
            return _normal_tail(state, sign < 0.0)
        state, u2 = next_uniform(state)
        y = _ZIG_F[i] + u2 * (_ZIG_F[i + 1] - _ZIG_F[i])
        if y < math.exp(-0.5 * x * x):
            return state, sign * x


@njit(cache=True)
def fill_normals(key, trial, arm, patient, out):
    """Fill ``out`` with the first ``len(out)`` normal variates of one patient's stream (tests)."""
    state = stream_state(key, trial, arm, patient)
    for k in range(out.shape[0]):
        state, out[k] = next_normal(state)


@njit(cache=True)
def fill_uniforms(key, trial, arm, patient, out):
    """Fill ``out`` with uniform variates on (0, 1) of one patient's stream (tests)."""
    state = stream_state(key, trial, arm, patient)
    for k in range(out.shape[0]):
        state, out[k] = next_uniform(state)
