"""The exponential and the standard normal upper tail without branches, for loops that
LLVM vectorises (Numba).

``math.exp`` and ``math.erfc`` compile to calls of the C library, one value at a time
(about 5 and 17 ns). The functions here are straight-line arithmetic (selects, no calls),
so a loop over nodes that calls them runs 4 or 8 values per instruction (ymm/zmm):

* :func:`exp_split` is ``exp(hi + lo)``: ``hi + lo = k ln 2 + r`` with ``k`` whole and
  ``|r| <= ln(2) / 2`` (Cody & Waite 1980: ``k ln 2`` subtracted in two parts, so exactly
  in the first), ``exp(r)`` by its Taylor polynomial of degree 13 (remainder below 5e-18
  relative), and ``2^k`` written into the exponent bits in two factors (so that results
  down to the subnormal range come out right, and far below them 0).
* :func:`upper_tail` is ``Phi_upper(x) = erfc(x / sqrt(2)) / 2`` and ``exp(-x^2 / 2)``.
  With ``u = |x| / sqrt(2)``, ``erfc(u) = exp(-u^2) erfcx(u)``; the scaled complement
  ``erfcx(u) (1 + 2u)`` is smooth on ``u >= 0`` and, in ``t = (u - 3) / (u + 3)`` on
  ``[-1, 1)``, is a polynomial of degree 24 to 1.2e-17 relative (Chebyshev interpolation
  in 40-digit arithmetic; one polynomial for all ``u``, as in Schonfelder 1978's
  transformed-variable Chebyshev series). ``exp(-u^2)`` takes ``u^2`` as an exact head
  plus a tail (Veltkamp's split of ``u`` into 26-bit halves), as Cody's and Sun's erfc
  split it, so the tail's large argument loses no bits; ``x < 0`` takes ``1 - Phi_upper(|x|)``.

Accuracy against the C library (tests/sequential/test_branchless.py, 10^7 points):
``exp`` within 1 ulp on [-745, 0]; ``Phi_upper`` within a few ulp (relative) wherever it is
above 1e-300. The numbers differ from ``math.erfc`` / ``math.exp`` in their last bits, not
from one CPU to another: no fused multiply-adds (Numba contracts none without fastmath).
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["LANES", "exp_split", "padded", "upper_tail"]

_LOG2E = 1.0 / math.log(2.0)
#: ln 2 in two parts: the first with its last 11 bits zero, so that ``k * _LN2_HI`` is
#: exact for |k| < 2048.
_LN2_HI = math.ldexp(math.floor(math.ldexp(math.log(2.0), 42)), -42)
_LN2_LO = 5.497923018708371e-14  # ln 2 - _LN2_HI, rounded (from 50-digit ln 2)
#: Values per SIMD register that loops calling these functions are padded to (8: zmm; a
#: multiple of 4: ymm), so that they have no scalar tail.
LANES = 8
#: Below this the result is 0 (the smallest subnormal is exp(-744.44)); it keeps 2^k in the
#: range of the two factors.
_EXP_FLOOR = -1400.0
#: Above this the result is inf (exp(709.79) overflows); it keeps 2^k in the range of the two
#: factors (beyond about 1419 their exponent bits would wrap).
_EXP_CEILING = 710.0
#: 2^52 + 2^51: adding it to a whole number below 2^51 in magnitude puts it in the low bits.
_SHIFTER = 6755399441055744.0
_SHIFTER_BITS = 0x4338000000000000
_SQRT2 = math.sqrt(2.0)
#: Veltkamp's splitter for 53-bit doubles: 2^27 + 1.
_SPLITTER = 134217729.0
#: Centre of the map ``t = (u - K) / (u + K)`` of the tail's polynomial.
_K = 3.0
#: Above this ``erfc(u)`` is below the smallest subnormal (erfc(27.3) ~ 5e-326).
_U_MAX = 40.0


@intrinsic
def _float_bits(typingctx, x):
    """The IEEE bits of a float64 as an int64."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _bits_float(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits``."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@njit(cache=True, inline="always")
def padded(m):
    """``m`` rounded up to whole SIMD registers (:data:`LANES`)."""
    return (m + LANES - 1) // LANES * LANES


@njit(cache=True, inline="always")
def _pow2(k):
    """``2^k`` for a whole float ``k`` in [-1022, 1023]."""
    bits = _float_bits(k + _SHIFTER) - _SHIFTER_BITS
    return _bits_float((bits + 1023) << 52)


@njit(cache=True, inline="always")
def exp_split(hi, lo):
    """``exp(hi + lo)`` (``|lo|`` small against 1, or 0): within about 1 ulp; 0 below
    -1400, finite up to 709.78, inf above."""
    hi = min(max(hi, _EXP_FLOOR), _EXP_CEILING)
    k = np.floor(hi * _LOG2E + 0.5)
    r = (hi - k * _LN2_HI) - k * _LN2_LO + lo
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    # 2^k in two normal factors: k down to -2020 (the floor above) stays representable
    k1 = np.floor(0.5 * k)
    return p * _pow2(k1) * _pow2(k - k1)


@njit(cache=True, inline="always")
def upper_tail(x):
    """``(Phi_upper(x), exp(-x^2 / 2))`` of the standard normal (the second from ``u = |x| /
    sqrt(2)``, so within a few ulp times ``x^2`` of ``exp(-x^2 / 2)``: meant for
    derivatives)."""
    u = min(abs(x) / _SQRT2, _U_MAX)
    # exp(-u^2) with u^2 = head + tail, the head exact (u split into 26-bit halves)
    s = u * _SPLITTER
    uh = s - (s - u)
    ul = u - uh
    gauss = exp_split(-(uh * uh), -(ul * (u + uh)))
    t = (u - _K) / (u + _K)
    p = 8.864219016427092e-10
    p = p * t + 9.885798831139365e-10
    p = p * t - 8.500397929772615e-09
    p = p * t - 1.3326364813003834e-08
    p = p * t + 4.180784698845582e-08
    p = p * t + 1.0187000600072885e-07
    p = p * t - 1.4160064940265987e-07
    p = p * t - 6.166496077604353e-07
    p = p * t + 3.5683839153992204e-07
    p = p * t + 3.472414602875686e-06
    p = p * t - 7.315105164159062e-07
    p = p * t - 2.0100567931289227e-05
    p = p * t + 4.949484992570595e-06
    p = p * t + 0.00012509935235563107
    p = p * t - 0.00010515979981501177
    p = p * t - 0.0007798322721083991
    p = p * t + 0.0018886903591561553
    p = p * t + 0.002529391816066239
    p = p * t - 0.023770514918645888
    p = p * t + 0.06830802734397848
    p = p * t - 0.11927366341530699
    p = p * t + 0.1296451587027606
    p = p * t - 0.04756229435345087
    p = p * t - 0.13562110612458117
    p = p * t + 1.2530080582697296
    half_erfc = 0.5 * gauss * (p / (1.0 + 2.0 * u))
    return (half_erfc if x >= 0.0 else 1.0 - half_erfc), gauss
