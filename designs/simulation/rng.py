"""Counter-based random numbers for the trial kernels.

Every simulated patient has its own stream, whose state is a hash of
(seed key, trial, arm, patient index) only. The stream is SplitMix64 (Steele, Lea & Flood
2014; passes BigCrush as a generator). Normal variates come in pairs from a 128-layer
ziggurat (Marsaglia & Tsang 2000) on the two 32-bit halves of one draw; uniforms from the
top 53 bits of one draw. Because a patient's draws do not depend on which thread or block
simulates it, results are identical for any number of threads, block sizes or Dask
workers, and the first ``n`` patients of an arm are the same for every ``n`` (common
random numbers across sample sizes).

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
_S8 = np.uint64(8)
_ONE = np.uint64(1)
_TWO53 = 1.0 / 9007199254740992.0  # 2**-53


def seed_key(seed: int) -> np.uint64:
    """Turn a user seed (non-negative int) into the 64-bit key every stream is hashed from."""
    return np.random.SeedSequence(int(seed)).generate_state(1, dtype=np.uint64)[0]


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser: a bijective 64-bit hash with full avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def arm_stream_key(key, trial, arm):
    """The part of every stream state of one arm of one trial that does not depend on the
    patient (hashed once per arm, then :func:`patient_stream` per patient)."""
    h = mix64(key ^ (np.uint64(trial) * _GOLDEN))
    return mix64(h ^ ((np.uint64(arm) + _ONE) * _M1))


@njit(cache=True, inline="always")
def patient_stream(arm_key, patient):
    """Initial stream state of patient (or screening candidate) ``patient`` of an arm."""
    return mix64(arm_key ^ ((np.uint64(patient) + _ONE) * _M2))


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
    return patient_stream(arm_stream_key(key, trial, arm), patient)


@njit(cache=True, inline="always")
def next_u64(state):
    """One SplitMix64 step: returns (new state, 64 random bits)."""
    state = state + _GOLDEN
    return state, mix64(state)


@njit(cache=True, inline="always")
def skip_draws(state, n):
    """The state after ``n`` 64-bit draws whose values are not needed (SplitMix64 is a
    counter, so skipping costs one multiply and gives the same stream as drawing)."""
    return state + np.uint64(n) * _GOLDEN


@njit(cache=True, inline="always")
def next_uniform(state):
    """A uniform variate on the open interval (0, 1) from the top 53 bits."""
    state, bits = next_u64(state)
    return state, (float(np.int64(bits >> _S11)) + 0.5) * _TWO53


def _ziggurat_tables(layers: int, r: float):
    """Layer edges ``x`` (length layers + 1) and ``f(x)`` for the unnormalised normal density.

    ``x[1] = r`` is the start of the tail, ``x[0] = v / f(r)`` the width of the base layer
    (base strip plus tail, area ``v``), ``x[layers] = 0``. ``r`` is the root that makes the
    top layer's area equal ``v`` too (checked in the tests).
    """
    f = lambda z: math.exp(-0.5 * z * z)  # noqa: E731
    v = r * f(r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    x = np.zeros(layers + 1)
    x[0] = v / f(r)
    x[1] = r
    for i in range(1, layers - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + f(x[i])))
    x[layers] = 0.0
    fx = np.exp(-0.5 * x * x)
    return x, fx, v


# 128 layers, so that one 64-bit draw gives two normals from its 32-bit halves
# (Marsaglia & Tsang 2000 use 128 layers on 32-bit integers; r from their paper, refined).
ZIG_R = 3.442619855896652
_MASK7 = np.uint64(0x7F)
_MASK8 = np.uint64(0xFF)
_S7 = np.uint64(7)
_S32 = np.uint64(32)
_S40 = np.uint64(40)
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO24 = 1.0 / 16777216.0  # 2**-24


def _fast_path_tables(x: np.ndarray):
    """Tables that let the ziggurat's fast path work on the integer position directly.

    Indexed by the low 8 bits of a 32-bit half (bits 0-6 layer ``i``, bit 7 sign):
    ``width[j] = +-x[i] * 2**-24`` (sign folded in; exact, a power-of-two scaling) and
    ``accept[j]`` = the smallest 24-bit position ``u`` whose candidate
    ``(u * 2**-24) * x[i]`` is not below ``x[i + 1]``. So ``u < accept[j]`` is exactly the
    test ``candidate < x[i + 1]`` of :func:`_layer_point`, and ``u * width[j]`` is exactly
    ``sign * candidate``: the same normals, with fewer instructions (checked in the tests).
    """
    layers = x.size - 1
    width = np.empty(2 * layers)
    accept = np.empty(2 * layers, dtype=np.int64)
    two24 = np.float64(_TWO24)
    for i in range(layers):
        xi, edge = np.float64(x[i]), np.float64(x[i + 1])
        guess = int(min(max(np.floor(edge / xi * 16777216.0), 0), 16777216))
        u = max(guess - 4, 0)
        while u < 16777216 and (np.float64(u) * two24) * xi < edge:
            u += 1
        while u > 0 and (np.float64(u - 1) * two24) * xi >= edge:
            u -= 1
        for sign_bit in (0, 1):
            j = i + layers * sign_bit
            width[j] = (-1.0 if sign_bit else 1.0) * (xi * two24)
            accept[j] = u
    return width, accept


_ZIG_X, _ZIG_F, ZIG_V = _ziggurat_tables(128, ZIG_R)
_ZIG_WIDTH, _ZIG_ACCEPT = _fast_path_tables(_ZIG_X)


@njit(cache=True)
def _normal_tail(state, sign):
    """Marsaglia's tail method for |z| > r."""
    while True:
        state, u1 = next_uniform(state)
        state, u2 = next_uniform(state)
        xx = -math.log(u1) / ZIG_R
        yy = -math.log(u2)
        if 2.0 * yy > xx * xx:
            return state, sign * (ZIG_R + xx)


@njit(cache=True, inline="always")
def _layer_point(half):
    """Layer, sign and candidate from 32 random bits: bits 0-6 layer, 7 sign, 8-31 position."""
    i = np.intp(half & _MASK7)
    sign = 1.0 - 2.0 * float(np.int64((half >> _S7) & _ONE))
    x = float(np.int64(half >> _S8)) * _TWO24 * _ZIG_X[i]
    return i, sign, x


@njit(cache=True)
def _normal_slow(state, i, sign, x):
    """The ziggurat's rare path (~2% of candidates): wedge or tail test, redraw on rejection.

    Kept out of line so that the fast path of :func:`next_normal_pair` stays a few
    instructions. A redraw takes the low 32 bits of a fresh 64-bit draw.
    """
    while True:
        if i == 0:
            return _normal_tail(state, sign)
        state, u2 = next_uniform(state)
        y = _ZIG_F[i] + u2 * (_ZIG_F[i + 1] - _ZIG_F[i])
        if y < math.exp(-0.5 * x * x):
            return state, sign * x
        state, bits = next_u64(state)
        i, sign, x = _layer_point(bits & _LOW32)
        if x < _ZIG_X[i + 1]:
            return state, sign * x


@njit(cache=True, inline="always")
def normal_pair_from_bits(state, bits):
    """Two standard normal variates from the 64-bit draw ``bits`` just taken from a stream
    whose state is now ``state``: returns (state, z1, z2), the state moved on only in the rare
    case that the ziggurat needs further draws.

    A 128-layer ziggurat (Marsaglia & Tsang 2000) on each 32-bit half. The fast path is an
    integer comparison and one multiplication by a signed layer width (tables from
    :func:`_fast_path_tables`, so no branch on the random sign bit), integers become floats
    through int64 (one instruction), and the rare wedge and tail
    cases live out of line in :func:`_normal_slow`, which draws further bits in a fixed
    order, so the stream stays deterministic.
    """
    j1 = np.intp(bits & _MASK8)
    u1 = np.int64((bits & _LOW32) >> _S8)
    j2 = np.intp((bits >> _S32) & _MASK8)
    u2 = np.int64(bits >> _S40)
    # fast path: the integer form of ``candidate < x[i + 1]`` (see _fast_path_tables)
    if u1 < _ZIG_ACCEPT[j1]:
        z1 = float(u1) * _ZIG_WIDTH[j1]
    else:
        i1, s1, x1 = _layer_point(bits & _LOW32)
        state, z1 = _normal_slow(state, i1, s1, x1)
    if u2 < _ZIG_ACCEPT[j2]:
        z2 = float(u2) * _ZIG_WIDTH[j2]
    else:
        i2, s2, x2 = _layer_point(bits >> _S32)
        state, z2 = _normal_slow(state, i2, s2, x2)
    return state, z1, z2


@njit(cache=True, inline="always")
def next_normal_pair(state):
    """Two independent standard normal variates from (almost always) one 64-bit draw:
    :func:`next_u64` then :func:`normal_pair_from_bits`."""
    state, bits = next_u64(state)
    return normal_pair_from_bits(state, bits)


@njit(cache=True)
def advance_streams(states, bits, n):
    """One 64-bit draw from each of the streams ``states[:n]`` (in place), its bits to
    ``bits[:n]``: :func:`next_u64` across patients, in SIMD lanes (the 64-bit multiplies of
    :func:`mix64` vectorise where the CPU has them, e.g. AVX-512DQ). With
    :func:`normal_pair_from_bits` it draws each stream's next normal pair exactly as
    :func:`next_normal_pair` does.
    """
    for p in range(n):
        states[p], bits[p] = next_u64(states[p])


@njit(cache=True)
def fill_normals(key, trial, arm, patient, out):
    """Fill ``out`` with normal variates of one patient's stream, drawn in pairs (tests)."""
    state = stream_state(key, trial, arm, patient)
    for k in range(0, out.shape[0], 2):
        state, z1, z2 = next_normal_pair(state)
        out[k] = z1
        if k + 1 < out.shape[0]:
            out[k + 1] = z2


@njit(cache=True)
def fill_uniforms(key, trial, arm, patient, out):
    """Fill ``out`` with uniform variates on (0, 1) of one patient's stream (tests)."""
    state = stream_state(key, trial, arm, patient)
    for k in range(out.shape[0]):
        state, out[k] = next_uniform(state)
