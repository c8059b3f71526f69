"""A simulated rate (a type I error, a stopping probability) in words, with its Monte Carlo
error.

The binomial Monte Carlo SE ``sqrt(p (1 - p) / trials)`` is 0 when no trial (or every trial)
counted, and then says nothing about how large the true rate may be: 0 of 100 null trials is
compatible with a type I error of 0.03, above a one-sided level of 0.025. There the text gives
the exact one-sided 95% bound instead, ``1 - 0.05^(1 / trials)``
(:mod:`designs.planning.rate_bound`, whose number the JSON gives).
"""

from __future__ import annotations

import math

from designs.outputs.numbers import se_text
from designs.planning.rate_bound import counted_h0, edge_bound, one_sided_bound

#: Monte Carlo SEs by which a simulated type I error must exceed its level for the outputs to
#: call it above the level (the warnings of `sample-size`, the looks and the report).
LEVEL_SES = 2


def above_level(rate: float, mc_se: float, level: float, ses: float = LEVEL_SES) -> bool:
    """Whether ``rate`` is above ``level`` by more than ``ses`` Monte Carlo SEs."""
    return rate > level + ses * mc_se


def rate_edge(rate: float, trials: int) -> str | None:
    """'none' or 'all' where the rate counted no trial or every trial, else None."""
    if trials <= 0 or math.isnan(rate):
        return None
    if rate == 0.0:
        return "none"
    if rate == 1.0:
        return "all"
    return None


def _outward(value: float, digits: int, up: bool) -> str:
    """``value`` rounded outwards at ``digits`` (a bound up, a lower bound down), so that a
    bound never reads as the rate itself (a sweep review: all of 8,000 trials read "1.000 (≥
    1.000)" where the lower bound is 0.9996)."""
    scale = 10.0**digits
    x = math.ceil(value * scale - 1e-9) if up else math.floor(value * scale + 1e-9)
    return f"{x / scale:.{digits}f}"


def rate_text(rate: float, mc_se: float, trials: int, digits: int = 4) -> str:
    """``'0.0240 (MC SE 0.0024)'``; with no trial counted ``'0.0000 (none of 100 trials;
    one-sided 95% upper bound 0.0296)'`` (every trial: the lower bound; bounds rounded
    outwards)."""
    edge, value = rate_edge(rate, trials), edge_bound(rate, trials)
    if edge is None:
        return f"{rate:.{digits}f} (MC SE {se_text(mc_se)})"
    side = "upper" if edge == "none" else "lower"
    return (
        f"{rate:.{digits}f} ({edge} of {trials:,} trial{'s' if trials != 1 else ''}; "
        f"one-sided 95% {side} bound "
        f"{_outward(value, digits, edge == 'none')})"
    )


def bound_cell(rate: float, trials: int, digits: int = 4) -> str | None:
    """Where ``rate`` counted no trial (or every trial), its one-sided 95% bound as a table
    shows it in place of an SE of 0: ``'≤ 0.0296'`` (``'≥ ...'``); None otherwise."""
    value = edge_bound(rate, trials)
    if value is None:
        return None
    upper = rate == 0.0
    return f"{'≤' if upper else '≥'} {_outward(value, digits, upper)}"


def rate_cell(rate: float, mc_se: float, trials: int, digits: int = 4) -> str:
    """A table cell: ``'0.0240 (0.0024)'``; with no trial counted ``'0.0000 (≤ 0.0296)'``,
    its one-sided 95% upper bound in place of the SE of 0 (every trial: ``'(≥ ...)'``;
    :func:`bound_cell`)."""
    return f"{rate:.{digits}f} ({bound_cell(rate, trials, digits) or se_text(mc_se)})"


def type_i_text(s, digits: int = 4) -> str:
    """The type I error of a summary with interim looks (``type_i_error``, its MC SE, over
    its ``counted_h0`` null trials) by :func:`rate_text`."""
    return rate_text(s.type_i_error, s.mc_se_type_i_error, counted_h0(s), digits)


def trials_to_show(level: float) -> int:
    """The fewest trials whose one-sided 95% upper bound after no event is at most ``level``
    (119 at 0.025, 59 at 0.05)."""
    return math.ceil(math.log(0.05) / math.log1p(-level))


def trials_for_level(level: float) -> int:
    """Trials that pass both tests of :func:`too_few_to_show` for a rate at or near ``level``:
    at least :func:`trials_to_show`, and an MC SE at ``level`` of at most a quarter of it
    (``16 (1 - level) / level``: 624 at 0.025)."""
    return max(trials_to_show(level), math.ceil(16.0 * (1.0 - level) / level))


def too_few_to_show(rate: float, mc_se: float, trials: int, level: float) -> bool:
    """True where the trials cannot show a rate within ``level``: none counted and the
    one-sided 95% upper bound above it (fewer than :func:`trials_to_show`), or an MC SE so
    large that 2 of them exceed half the level (a review: 0.040, MC SE 0.0098, passed a 2 MC
    SE test while the rule's type I error was 60% above 0.025; 1 of 40 reads 0.025, MC SE
    0.025)."""
    if rate_edge(rate, trials) == "none":
        return one_sided_bound(trials) > level
    return 2.0 * mc_se > 0.5 * level


def level_verdict(rate: float, mc_se: float, trials: int, level: float) -> str:
    """What the warnings say of a simulated type I error against ``level``: ``"above"``
    (:func:`above_level`), else ``"too few"`` (:func:`too_few_to_show`), else ``""``."""
    if above_level(rate, mc_se, level):
        return "above"
    return "too few" if too_few_to_show(rate, mc_se, trials, level) else ""


def search_estimator(result) -> str:
    """``"control variate"`` when any stage of a sample-size search (its first-stage curve,
    or the second stage's near its n) counted successes with the control, else ``"plain"``:
    a first stage under 500 trials per size stays plain while its second stage may not."""
    curves = (result.curve, getattr(getattr(result, "stages", None), "near", None))
    used = any(getattr(c, "estimator", "plain") == "control variate" for c in curves)
    return "control variate" if used else "plain"


def estimator_note(
    estimator: str, variance_ratio: float = math.nan, what: str = "Power", by_analysis=()
) -> str:
    """One sentence on how a power (``what``: or the rate named) was estimated when it used
    the oracle's control variate (docs/conventions.md#power); '' for the plain share of
    trials. ``by_analysis``: ``(analysis, variance ratio)`` of each of several analyses (a
    multiplicity review: the first one's 4.1 was said of all five, whose own were 1.0-1.2)."""
    if estimator != "control variate":
        return ""
    known = [(a, r) for a, r in by_analysis if math.isfinite(r) and r > 0]
    if len(known) > 1:
        each = ", ".join(f"{r:.1f} ({a})" for a, r in known)
        smaller = f"a Monte Carlo variance smaller by a factor of {each}"
    elif math.isfinite(variance_ratio) and variance_ratio > 0:
        smaller = f"a Monte Carlo variance {variance_ratio:.1f} times smaller"
    else:
        smaller = "a smaller Monte Carlo variance"
    return (
        f"{what} with a control variate: each trial's oracle test (the slope difference by GLS "
        "on its unrounded scores with the true covariance, whose distribution is known) "
        f"corrects the share of {'successes' if 'uccess' in what else 'significant trials'} "
        "for the luck of the draw, with the same "
        "expectation up to a term of order 1/trials (its coefficient is estimated) and "
        f"{smaller} (Glasserman 2004, section 4.1)."
    )


def type_i_verdicts(rows, design) -> list[tuple]:
    """``(row, verdict, level)`` for each sample-size row under the posterior rule: how its
    type I error at n stands to the one-sided ``level``
    (:func:`level_verdict`); none under the frequentist test."""
    if not design.decision.is_posterior:
        return []
    from designs.planning.operating import nominal_type_i_error

    level = nominal_type_i_error(design)
    return [
        (
            r,
            level_verdict(r.type_i_error, r.mc_se_type_i_error, r.type_i_trials or r.trials, level),
            level,
        )
        for r in rows
    ]


def coverage_text(s) -> str:
    """'; 95% CI coverage 0.951 (MC SE 0.0034)' of a summary with a true value; ''
    without (joint_rank)."""
    if math.isnan(getattr(s, "coverage", math.nan)):
        return ""
    # every interval (or none) holding the truth: its one-sided bound, not an SE of 0
    return f"; 95% CI coverage {rate_text(s.coverage, s.coverage_mc_se, s.coverage_trials, 3)}"
