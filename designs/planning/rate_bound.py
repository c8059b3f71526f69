"""The exact one-sided 95% bound of a simulated rate that counted no trial, or every trial.

There the binomial Monte Carlo SE ``sqrt(p (1 - p) / trials)`` is 0 and says nothing about
how large (or small) the true rate may be: 0 of 100 null trials is compatible with a type I
error of 0.03. The exact bound is ``1 - 0.05^(1 / trials)`` above a rate of 0 and ``0.05^(1 /
trials)`` below a rate of 1 (Clopper and Pearson 1934; about ``3 / trials``, the "rule of
three" of Hanley and Lippman-Hand 1983; references 69 and 70 of ``docs/references.md``).

Light (``math`` only): :mod:`designs.outputs.rates` builds its texts on it, and the planning
steps' JSON gives the same bound as a number. :func:`counted_h0` says over how many null
trials a looks summary's rates are (both layers read it).
"""

from __future__ import annotations

import math


def one_sided_bound(trials: int) -> float:
    """The exact one-sided 95% upper bound of a rate after 0 events in ``trials`` trials
    (equally, 1 minus the lower bound after ``trials`` events)."""
    return 1.0 - 0.05 ** (1.0 / trials)


def edge_bound(rate: float, trials: int) -> float | None:
    """The JSON's ``*_one_sided_bound_95``: the upper bound where ``rate`` counted none of its
    ``trials``, the lower bound where it counted all of them, None otherwise (the MC SE then
    describes the rate) or where the rate is undefined (NaN, no trials)."""
    if trials <= 0 or math.isnan(rate) or rate not in (0.0, 1.0):
        return None
    bound = one_sided_bound(trials)
    return bound if rate == 0.0 else 1.0 - bound


def counted_h0(s) -> int:
    """The null trials a looks summary's rates are over: ``counted_h0``, else (a summary
    made before it was kept) ``trials_h0``, else ``trials``."""
    return getattr(s, "counted_h0", 0) or getattr(s, "trials_h0", 0) or s.trials


def counted_h1(s, excludes_failed: bool) -> int:
    """The trials under the effect a looks summary's (or a sample-size row's) rates are over:
    ``trials``, less those whose fit failed under ``decision.failed_fits = "exclude"``."""
    return s.trials - (s.failed_fits if excludes_failed else 0)
