"""Per-trial results of one analysis reduced to what a power summary needs (a tally).

A tally holds counts, means and sums of squared deviations (and, with each trial's oracle,
the control variate's moments: :mod:`designs.planning.control_variate`) and merges with the
next chunk's exactly in a fixed order (Chan et al.), so that :func:`designs.planning.power.
power` reduces any number of trials in bounded memory with the numbers of one pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from designs.analyses import results as R
from designs.planning.control_variate import (
    Comoments,
    control_column,
    critical_value,
    oracle_counts,
)
from designs.simulation import layout as K
from designs.simulation.engine import TrialResults


@dataclass
class Moments:
    """Count, mean and sum of squared deviations, merged exactly in a fixed order (Chan et al.)."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        if x.size == 0:
            return cls()
        mean = float(x.mean())
        return cls(int(x.size), mean, float(np.sum((x - mean) ** 2)))

    def merge(self, other: Moments) -> Moments:
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * other.n / n
        return Moments(n, mean, self.m2 + other.m2 + delta * delta * self.n * other.n / n)

    @property
    def sd(self) -> float:
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else math.nan


@dataclass
class Tally:
    """What :class:`PowerSummary` needs from a block of trials of one analysis."""

    trials: int = 0
    failed: int = 0
    rejected: int = 0
    favourable: int = 0
    estimate: Moments = field(default_factory=Moments)
    truth: Moments = field(default_factory=Moments)
    error: Moments = field(default_factory=Moments)
    se: Moments = field(default_factory=Moments)
    #: Dropouts, deaths, completers and candidates summed over the whole trials (those not
    #: stopped by a screen that could not fill an arm; :func:`whole_trials`), and over all.
    whole: int = 0
    counts_whole: np.ndarray = field(default_factory=lambda: np.zeros(K.N_COUNTS))
    counts_all: np.ndarray = field(default_factory=lambda: np.zeros(K.N_COUNTS))
    #: With the oracle (:mod:`designs.planning.control_variate`): the (success, control)
    #: moments of the rejections and of the favourable rejections over every trial.
    control: tuple[Comoments, Comoments] | None = None
    #: With the oracle: (expected oracle rejections, trials with a finite oracle) for each
    #: control, both tails where the rejections are two-sided, else the upper
    #: (:func:`~designs.planning.control_variate.oracle_counts`, ``control_informed``).
    oracle: tuple[tuple[float, int], tuple[float, int]] | None = None
    #: Successful fits with a true value, and those whose 95% confidence interval (estimate
    #: +- t(0.975, df) x SE) holds it: the interval's coverage (an ADEMP review: it was
    #: reported nowhere, and falls to about 0.90 under strongly informative dropout).
    coverable: int = 0
    covered: int = 0

    @classmethod
    def of(
        cls,
        results: TrialResults,
        analysis: str,
        alpha: float,
        sides: int,
        success: np.ndarray | None = None,
        failed_as: str = "failure",
        critical: float | None = None,
    ) -> Tally:
        """``success``: per-trial successes of another rule (the posterior rule), counted as
        both rejections and favourable rejections; None: the design's test. With the
        trials' oracle, the control's moments over every trial, a failed fit a failure to
        reject (a rate over the successful fits alone, ``failed_as = "exclude"``, keeps the
        plain share where a fit failed: the control's mean over the successful fits is 0
        only if failures depend on the visit patterns alone; :func:`designs.planning.power.
        _summary`). Two-sided rejections take the control of both tails. ``critical``: the
        control's ``c`` (:func:`designs.planning.control_critical.control_critical`; default
        the test's critical value)."""
        ok = ~results.failed(analysis)
        if success is None:
            rejected = results.rejected(analysis, alpha, sides)
            favourable = results.rejected_favourable(analysis, alpha, sides)
        else:
            rejected = favourable = success
        control = oracle = None
        if results.oracle is not None:
            z, mu = results.oracle.T
            if critical is None:
                critical = critical_value(alpha, sides)
            upper = control_column(z, mu, critical)
            both = upper + control_column(-z, -mu, critical) if sides == 2 else upper
            two_sided = success is None and sides == 2
            control = (
                Comoments.of(rejected & ok, both if two_sided else upper),
                Comoments.of(favourable & ok, upper),
            )
            upper_counts = oracle_counts(z, mu, critical, False)
            both_counts = oracle_counts(z, mu, critical, True) if two_sided else upper_counts
            oracle = (both_counts, upper_counts)
        est = results.column(analysis, R.ESTIMATE)[ok]
        whole = whole_trials(results.counts)
        truth = np.asarray(
            results.inputs.true_effect(analysis, results.effect_by_trial[ok]), dtype=np.float64
        )
        covered, coverable = coverage_counts(
            est, results.column(analysis, R.SE)[ok], results.column(analysis, R.DF)[ok], truth
        )
        return cls(
            trials=results.trials,
            failed=int((~ok).sum()),
            rejected=int(rejected[ok].sum()),
            favourable=int(favourable[ok].sum()),
            estimate=Moments.of(est),
            truth=Moments.of(truth),
            error=Moments.of(est - truth),
            se=Moments.of(results.column(analysis, R.SE)[ok]),
            whole=int(whole.sum()),
            counts_whole=results.counts[whole].sum(axis=0),
            counts_all=results.counts.sum(axis=0),
            control=control,
            oracle=oracle,
            coverable=coverable,
            covered=covered,
        )

    def merge(self, other: Tally) -> Tally:
        return Tally(
            trials=self.trials + other.trials,
            failed=self.failed + other.failed,
            rejected=self.rejected + other.rejected,
            favourable=self.favourable + other.favourable,
            estimate=self.estimate.merge(other.estimate),
            truth=self.truth.merge(other.truth),
            error=self.error.merge(other.error),
            se=self.se.merge(other.se),
            whole=self.whole + other.whole,
            counts_whole=self.counts_whole + other.counts_whole,
            counts_all=self.counts_all + other.counts_all,
            control=_merge_control(self.control, other.control),
            oracle=_merge_counts(self.oracle, other.oracle),
            coverable=self.coverable + other.coverable,
            covered=self.covered + other.covered,
        )


def coverage_counts(est, se, df, truth) -> tuple[int, int]:
    """(intervals that hold the true value, intervals with a true value): the two-sided 95%
    confidence interval ``est +- t(0.975, df) se`` of each trial (``df`` infinite: the normal
    quantile), as ``analyze`` gives it; a trial without a finite true value (joint_rank) or
    SE is not counted."""
    from scipy.special import stdtrit

    usable = np.isfinite(truth) & np.isfinite(se) & np.isfinite(est) & (df > 0)
    if not usable.any():
        return 0, 0
    half = stdtrit(df[usable], 0.975) * se[usable]
    return int((np.abs(est[usable] - truth[usable]) <= half).sum()), int(usable.sum())


def _merge_control(a, b):
    """The control moments of two chunks (None when neither has the oracle)."""
    if a is None or b is None:
        return a if b is None else b
    return (a[0].merge(b[0]), a[1].merge(b[1]))


def _merge_counts(a, b):
    """The oracle's counts of two chunks, summed (None when neither has the oracle)."""
    if a is None or b is None:
        return a if b is None else b
    return tuple((x[0] + y[0], x[1] + y[1]) for x, y in zip(a, b, strict=True))


def whole_trials(counts: np.ndarray) -> np.ndarray:
    """Per trial (rows of the engine's ``counts``), whether it was simulated whole: a screen
    that cannot fill an arm stops the trial before the active arm's patients are counted
    (every one of them completes, dies or drops out), and fails every analysis."""
    active = (K.C_COMPLETERS_ACTIVE, K.C_DEATH_ACTIVE, K.C_DROPOUT_ACTIVE)
    return counts[:, active].sum(axis=1) > 0
