"""Predictive probability that the posterior rule succeeds at the final analysis.

At an interim look a trial has an estimate ``x_k`` with standard error ``se_k`` (information
``I_k = 1 / se_k^2``); the final analysis is planned at information ``I_K``. Under the normal
approximation the final estimate is the information-weighted mean of the look's estimate and
of the estimate ``y ~ N(effect, 1 / J)`` from the information still to come, ``J = I_K - I_k``:
``x_K = (I_k x_k + J y) / I_K``. With the look's posterior a normal mixture
(:func:`designs.analyses.decision.posterior`: weights ``w_j``, means ``mu_j``, SDs ``s_j``),
the predictive distribution of ``x_K`` is the mixture of normals with means
``(I_k x_k + J mu_j) / I_K`` and variances ``(J^2 s_j^2 + J) / I_K^2``: the predictive
probability of Spiegelhalter, Abrams & Myles (2004) and Berry et al. (2010), here for a
normal-mixture prior (docs/bayesian_looks.md).

The final rule ``P(effect > margin | x_K, se_K) > T`` is monotone in ``x_K`` (a normal
likelihood has a monotone likelihood ratio, so any prior gives a posterior increasing in the
estimate), hence it is ``x_K > c`` for one critical estimate ``c`` that depends only on the
prior, ``I_K``, the margin and ``T`` (found once, by Brent's method), and the predictive
probability of success is ``sum_j w_j Phi((mean_j - c) / sd_j)``.

Units: those of the estimate (points/month for the slope analyses).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from designs.analyses.decision import NormalMixture, lower_tail, posterior

__all__ = ["critical_estimate", "critical_estimates", "predictive_success", "projected_final"]


def critical_estimate(
    prior: NormalMixture, se_final: float, threshold: float, margin: float = 0.0
) -> float:
    """The final estimate ``c`` above which ``P(effect > margin | c, se_final) > threshold``.

    Parameters
    ----------
    prior : NormalMixture
        Prior of the effect (units of the estimate).
    se_final : float
        Standard error of the final estimate, ``1 / sqrt(I_K)`` (> 0).
    threshold : float
        The final look's threshold, in (0, 1).
    margin : float
        The effect the posterior must exceed.
    """
    target = 1.0 - threshold

    def gap(x: float) -> float:
        return float(lower_tail(prior, np.array([x]), np.array([se_final]), margin)[0]) - target

    scale = se_final + max(prior.sds) + max(abs(m - margin) for m in prior.means)
    lo, hi = margin - scale, margin + scale
    for _ in range(200):  # the tail falls from near 1 to near 0 as the estimate grows
        if gap(lo) > 0:
            break
        lo -= scale
        scale *= 2.0
    for _ in range(200):
        if gap(hi) < 0:
            break
        hi += scale
        scale *= 2.0
    return float(optimize.brentq(gap, lo, hi, xtol=1e-14 * max(1.0, abs(hi)), rtol=1e-14))


def critical_estimates(prior: NormalMixture, se_final, threshold: float, margin: float = 0.0):
    """:func:`critical_estimate` for each of the ``se_final`` (one per trial), by bisection on
    all of them at once (the final information differs from trial to trial when it is
    projected from the look's own, :func:`projected_final`).

    Each bracket is widened until the rule fails at its low end and succeeds at its high end,
    then halved to adjacent floating-point numbers (the same root as Brent's method of
    :func:`critical_estimate`, to rounding)."""
    se_final = np.asarray(se_final, dtype=np.float64)
    target = 1.0 - threshold

    def gap(x):
        return lower_tail(prior, x, se_final, margin) - target

    scale = se_final + max(prior.sds) + max(abs(m - margin) for m in prior.means)
    lo, hi = margin - scale, margin + scale
    for _ in range(200):  # the tail falls from near 1 to near 0 as the estimate grows
        low_bad, high_bad = gap(lo) <= 0, gap(hi) >= 0
        if not (low_bad.any() or high_bad.any()):
            break
        lo = np.where(low_bad, lo - scale, lo)
        hi = np.where(high_bad, hi + scale, hi)
        scale = scale * 2.0
    for _ in range(1100):  # halving a bracket of any finite width down to adjacent floats
        mid = 0.5 * (lo + hi)
        done = (mid <= lo) | (mid >= hi)
        if done.all():
            break
        above = gap(mid) > 0  # the rule still fails at mid: the root is above it
        lo = np.where(~done & above, mid, lo)
        hi = np.where(~done & ~above, mid, hi)
    return 0.5 * (lo + hi)


def projected_final(information, fraction, information_max: float):
    """The final analysis' information projected from a look's: the information the look
    holds, ``I_k``, plus what the design plans to come, ``(1 - t_k) I_max`` (``t_k`` the
    fraction of ``I_max`` the design plans at the look).

    A Bayesian review: with ``I_max`` itself, a look that already held it (a fifth of trials
    at a look planned at 0.9: the simulated trials end at 1.026 times ``I_max`` on average)
    had nothing left to predict, and its predictive probability was 0 or 1 (trials shown 1
    succeeded 0.887 of the time). A diff review measured the projections' error (SD of the
    log ratio to the trial's own final information, default design, 2,000 trials): at looks
    planned at 0.2, 0.5 and 0.9, 0.107, 0.092 and 0.046 for this one, against 0.113, 0.113
    and 0.093 for ``I_max`` and 0.235, 0.133 and 0.047 for ``I_k / t_k``."""
    info = np.asarray(information, dtype=np.float64)
    return info + (1.0 - np.asarray(fraction, dtype=np.float64)) * float(information_max)


def predictive_success(
    prior: NormalMixture,
    estimate,
    se,
    information_final: float,
    threshold: float,
    margin: float = 0.0,
) -> np.ndarray:
    """Predictive probability that the final analysis succeeds, per trial.

    Parameters
    ----------
    prior : NormalMixture
        Prior of the effect.
    estimate, se : array_like
        The look's estimate and standard error (> 0), per trial.
    information_final : float or array_like
        Information of the final analysis, ``1 / se_K^2`` (> 0): one for all trials, or one
        per trial (:func:`projected_final`).
    threshold, margin : float
        The final look's rule: ``P(effect > margin | data) > threshold``.

    Returns
    -------
    numpy.ndarray
        In [0, 1]. A look that already holds at least ``information_final`` has nothing left
        to predict: 1 if the rule succeeds on its own data at the final threshold, else 0.
    """
    est = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    i_final = np.broadcast_to(np.asarray(information_final, dtype=np.float64), est.shape)
    if np.ndim(information_final) == 0:  # one critical estimate for all trials
        c = critical_estimate(prior, 1.0 / math.sqrt(float(information_final)), threshold, margin)
    else:
        c = critical_estimates(prior, 1.0 / np.sqrt(i_final), threshold, margin)[..., None]
    info = 1.0 / se**2
    rest = np.maximum(i_final - info, 0.0)[..., None]
    w, mu, sd = posterior(prior, est, se)
    mean = (info[..., None] * est[..., None] + rest * mu) / i_final[..., None]
    spread = np.sqrt(rest**2 * sd**2 + rest) / i_final[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (mean - c) / spread
    z = np.where(spread > 0, z, np.where(mean > c, np.inf, -np.inf))
    pp = np.sum(w * special.ndtr(z), axis=-1)
    done = info >= i_final
    now = lower_tail(prior, est, se, margin) < 1.0 - threshold
    return np.where(done, now.astype(np.float64), np.clip(pp, 0.0, 1.0))
