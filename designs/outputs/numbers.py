"""How the outputs write a Monte Carlo SE and a probability next to 1 (text and Markdown; the
CSV tables give four decimals and JSON every digit).

A Monte Carlo SE gets two significant digits, and at least three decimals like the
probability beside it: with the control variate the SE of a power at n is about 0.0015,
which three decimals printed as 0.001 in one place and 0.002 in another (a statistical
review of the methods text). A probability that three decimals would round to 1.000 or
0.000 without being exactly 1 or 0 is written as "> 0.999" or "< 0.001".
"""

from __future__ import annotations

import math

__all__ = ["probability_text", "rate_mc_se", "rate_se", "se_text"]

#: The most decimals an SE is written with (a smaller SE is written as 1.2e-06).
MAX_SE_DECIMALS = 5


def se_text(se: float) -> str:
    """A Monte Carlo SE with two significant digits and 3 to :data:`MAX_SE_DECIMALS` decimals
    (0.0015 -> "0.0015", 0.012 -> "0.012", 0.0063 -> "0.0063", 0.05 -> "0.050")."""
    se = float(se)
    if not math.isfinite(se) or se <= 0.0:
        return f"{se:.3f}"
    if se < 10.0**-MAX_SE_DECIMALS:  # would read as 0.00000: two digits, scientific
        return f"{se:.1e}"
    exponent = math.floor(math.log10(se))
    if float(f"{se:.1e}") >= 10.0 ** (exponent + 1):  # 0.00996 rounds to 0.010
        exponent += 1
    decimals = min(max(3, 1 - exponent), MAX_SE_DECIMALS)
    return f"{se:.{decimals}f}"


def probability_text(p: float) -> str:
    """A probability with three decimals, except "> 0.999" and "< 0.001" for values that
    would round to 1.000 or 0.000 without being 1 or 0."""
    p = float(p)
    text = f"{p:.3f}"
    if text == "1.000" and p < 1.0:
        return "> 0.999"
    if text == "0.000" and p > 0.0:
        return "< 0.001"
    return text


def rate_se(p: float, se: float) -> str:
    """A rate with three decimals and its Monte Carlo SE in brackets: ``0.800 (0.0015)``."""
    return f"{p:.3f} ({se_text(se)})"


def rate_mc_se(p: float, se: float) -> str:
    """A rate with three decimals and its Monte Carlo SE named: ``0.800 (MC SE 0.0015)``."""
    return f"{p:.3f} (MC SE {se_text(se)})"
