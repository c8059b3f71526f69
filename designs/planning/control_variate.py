"""Power with a control variate: each trial's oracle test beside its analysis.

The oracle (:mod:`designs.simulation.oracle`) gives each simulated trial a z statistic that,
given which visits were observed, is exactly ``N(mu_P, 1)`` with ``mu_P`` known. So the
smooth control

    C = Phi(k (z - c)) - Phi(k (mu_P - c) / sqrt(1 + k^2))

has mean exactly 0 (``E Phi(k (Z - c)) = Phi(k (mu - c) / sqrt(1 + k^2))`` for ``Z ~ N(mu,
1)``), and for a trial's success ``Y`` (its analysis rejects, favouring active) the estimate

    p = mean(Y) - beta mean(C),   beta = cov(Y, C) / var(C)   (least squares)

is the power without bias beyond the O(1/trials) of estimating ``beta``, with the Monte
Carlo SE ``sd(Y - beta C) / sqrt(trials)``: the plain SE times ``sqrt(1 - rho^2)``, ``rho``
the correlation of ``Y`` and ``C`` (Glasserman 2004, section 4.1; reference 74 of
``docs/references.md``); clipped to [0, 1]. ``c`` is the design's one-sided critical value
``Phi^-1(1 - alpha / sides)`` (:func:`critical_value`: the oracle tested at the design's
level, fixed before any trial is seen, so that a run reduced in chunks gives the numbers of
one pass; under the posterior rule the rule's own z,
:func:`designs.planning.control_critical.control_critical`), ``k`` is :data:`SHARPNESS`.

On the default design the variance of the power estimate of ``lmm_slope`` falls 8.6 times
at 150 and at 245 per arm and 6.8 times at 60 (10,000 trials each); for ``ancova_change``
1.5 times and for ``ols_slope_ttest`` 1.2 times, whose tests track the oracle less closely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designs.sequential import normal as norm

#: Sharpness ``k`` of the smooth control: on the default design's ``lmm_slope`` at 150 and
#: 245 per arm (10,000 trials), the variance fell 8.6 times with k = 8, 6.8 with k = 4 and
#: 6.2-6.4 with the oracle's rejection indicator itself (k infinite).
SHARPNESS = 8.0


def critical_value(alpha: float, sides: int) -> float:
    """The control's ``c``: the one-sided critical value of the design's test,
    ``Phi^-1(1 - alpha / sides)`` (1.96 at alpha 0.05 two-sided). Where the oracle rejects
    as often as the analysis instead (``c`` matched to the rate), ``lmm_slope``'s variance
    fell 8.59 rather than 8.55 times at 245 per arm: not worth a ``c`` that depends on the
    trials."""
    return float(norm.isf(alpha / sides))


def control_values(z, mu, critical: float, sharpness: float = SHARPNESS) -> np.ndarray:
    """Each trial's control ``Phi(k (z - c)) - Phi(k (mu_P - c) / sqrt(1 + k^2))``, mean 0."""
    z, mu = np.asarray(z, dtype=float), np.asarray(mu, dtype=float)
    k = float(sharpness)
    return norm.cdf(k * (z - critical)) - norm.cdf(k * (mu - critical) / math.sqrt(1.0 + k * k))


@dataclass(frozen=True)
class ControlledRate:
    """A success rate estimated with the oracle's control variate.

    ``estimate`` (clipped to [0, 1]) and ``mc_se`` replace the plain rate and its SE;
    ``variance_ratio`` is the plain variance over the controlled one (how many times fewer
    trials the same precision needs), ``beta`` the control's coefficient and ``critical``
    its ``c``.
    """

    estimate: float
    mc_se: float
    variance_ratio: float
    beta: float
    critical: float
    trials: int


def control_column(z, mu, critical: float) -> np.ndarray:
    """Each trial's control ``C`` at ``critical``; ``C = 0`` where the oracle is not finite."""
    z, mu = np.asarray(z, dtype=float), np.asarray(mu, dtype=float)
    ok = np.isfinite(z) & np.isfinite(mu)
    c = np.zeros(z.size)
    c[ok] = control_values(z[ok], mu[ok], critical)
    return c


def adjusted_outcomes(success, z, mu, critical: float) -> tuple[np.ndarray, float]:
    """Each trial's ``Y - beta C`` (their mean is the controlled estimate, before clipping)
    and ``beta``. With no variation in ``Y`` or ``C``, or an oracle whose rarer side is
    expected to hold fewer than :data:`MIN_ORACLE_SIDE` trials (:func:`control_informed`),
    ``beta`` is 0 and the outcomes are ``Y``."""
    y = np.asarray(success, dtype=float)
    if not control_informed(oracle_counts(z, mu, critical, False)):
        return y, 0.0
    c = control_column(z, mu, critical)
    beta = Comoments.of(y, c).rate().beta
    return y - beta * c, beta


@dataclass(frozen=True)
class Comoments:
    """Count, means, sums of squared deviations and cross-deviations of (``Y``, ``C``),
    merged exactly in a fixed order (Chan et al.), so that a run reduced chunk by chunk gives
    the estimate of the whole run."""

    n: int = 0
    mean_y: float = 0.0
    mean_c: float = 0.0
    m2_y: float = 0.0
    m2_c: float = 0.0
    m_yc: float = 0.0

    @classmethod
    def of(cls, y: np.ndarray, c: np.ndarray) -> Comoments:
        y, c = np.asarray(y, dtype=float), np.asarray(c, dtype=float)
        if y.size == 0:
            return cls()
        my, mc = float(y.mean()), float(c.mean())
        dy, dc = y - my, c - mc
        return cls(int(y.size), my, mc, float(dy @ dy), float(dc @ dc), float(dy @ dc))

    def merge(self, other: Comoments) -> Comoments:
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        dy, dc = other.mean_y - self.mean_y, other.mean_c - self.mean_c
        w = self.n * other.n / n
        return Comoments(
            n,
            self.mean_y + dy * other.n / n,
            self.mean_c + dc * other.n / n,
            self.m2_y + other.m2_y + dy * dy * w,
            self.m2_c + other.m2_c + dc * dc * w,
            self.m_yc + other.m_yc + dy * dc * w,
        )

    def rate(self, critical: float = math.nan) -> ControlledRate:
        """The controlled estimate of the mean of ``Y`` (``beta`` by least squares; 0 when
        ``C`` does not vary)."""
        beta = self.m_yc / self.m2_c if self.m2_c > 0.0 else 0.0
        var_controlled = max(self.m2_y - beta * self.m_yc, 0.0) / self.n if self.n else math.nan
        var_plain = self.m2_y / self.n if self.n else math.nan
        return ControlledRate(
            estimate=min(max(self.mean_y - beta * self.mean_c, 0.0), 1.0),
            mc_se=math.sqrt(var_controlled / self.n) if self.n else math.nan,
            variance_ratio=var_plain / var_controlled if var_controlled > 0.0 else math.nan,
            beta=beta,
            critical=critical,
            trials=self.n,
        )


def controlled_rate(success, z, mu, critical: float) -> ControlledRate:
    """The success rate of ``success`` (bool or 0/1 per trial) with the control of each
    trial's oracle ``z`` and ``mu`` (:class:`~designs.simulation.engine.TrialResults`'s
    ``oracle`` columns) at the critical value ``critical`` (:func:`critical_value`)."""
    return Comoments.of(success, control_column(z, mu, critical)).rate(critical)


#: The fewest trials a rate takes the control at. The control's SE rests on the few trials
#: where the analysis and the oracle disagree; with fewer trials it comes out too small (the
#: default design at 185 per arm, 300-400 runs each: the estimates' SD over their mean SE was
#: 0.98 at 500 trials, 1.07 at 100 and 1.25 at 30), so smaller runs keep the plain share.
MIN_TRIALS = 500

#: The fewest trials expected on the oracle's rarer side (rejecting at the control's ``c``, or
#: not) a rate takes the control with. Where the oracle nearly always rejects (or nearly
#: never), the control hardly varies, ``beta`` rests on a handful of trials and the estimate
#: can be far off with a small SE (a review: a posterior rule with a sceptical prior at 0.988
#: plain success read 0.920, MC SE 0.0046, on 500 trials where the oracle failed to reject
#: twice; over 120 such runs of 500 trials the estimates' RMS error was 2.3 times their RMS SE
#: and the largest error 15 SE, against 0.97 times and 3.4 SE keeping the plain share below
#: 10; over 20 runs of 3,000 trials, with about 10 such trials each, the control's error
#: matched its SE). Below it the plain share and Wilson's interval. The count is the expected
#: one, ``sum_i P(oracle rejects | mu_P,i)``, not the one observed: the oracle's rejections
#: move with the successes, so choosing the estimator by their observed count biased it (a
#: review: the sceptical rule's type I error, 0.0103, read 0.0093 over 600 runs of 1,000
#: trials, the runs that fell back averaging 0.0081 and those that took the control 0.0104).
MIN_ORACLE_SIDE = 10


def oracle_counts(z, mu, critical: float, two_sided: bool) -> tuple[float, int]:
    """(trials expected to have their oracle reject at ``critical``, trials with a finite
    oracle): ``sum Phi(mu_P - c)`` over the upper tail, plus ``Phi(-mu_P - c)`` where the
    control is that of both tails. It rests on each trial's ``mu_P``, which does not depend
    on the trial's scores (only on which visits were observed), so a run's estimator is not
    chosen by the luck of its draws."""
    z, mu = np.asarray(z, dtype=float), np.asarray(mu, dtype=float)
    ok = np.isfinite(z) & np.isfinite(mu)
    m = mu[ok]
    hits = norm.sf(critical - m)
    if two_sided:
        hits = hits + norm.sf(critical + m)
    return float(hits.sum()), int(ok.sum())


def control_informed(counts: tuple[float, int]) -> bool:
    """Whether the oracle's rarer side is expected to hold at least :data:`MIN_ORACLE_SIDE`
    trials (``counts`` from :func:`oracle_counts`)."""
    hits, n = counts
    # a tolerance: under the sharp null the expected count is trials x alpha / sides, which
    # floating point put at 9.999999999999998 for 1,000 trials at alpha 0.01 (a diff review)
    return min(hits, n - hits) >= MIN_ORACLE_SIDE - 1e-9


#: The analyses whose tests track the oracle closely enough to pay for it (the oracle costs
#: about as much as simulating the trial once more; :mod:`designs.simulation.oracle`).
TRACKING_ANALYSES = ("lmm_slope", "lmm_slope_kr")


def wanted(params, analyses, trials: int) -> bool:
    """Whether a fixed-design run of ``trials`` trials of ``analyses`` computes the oracle: it
    is exact for the design (:func:`designs.simulation.oracle.oracle_exact`), the run has at
    least :data:`MIN_TRIALS` trials and one of the analyses is in :data:`TRACKING_ANALYSES`
    (every analysis of the run then takes the control)."""
    from designs.simulation.oracle import oracle_exact

    return (
        trials >= MIN_TRIALS
        and oracle_exact(params)
        and any(a in TRACKING_ANALYSES for a in analyses)
    )
