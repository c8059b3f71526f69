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

__all__ = ["critical_estimate", "predictive_success"]


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
    information_final : float
        Planned information of the final analysis, ``1 / se_K^2`` (> 0).
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
    i_final = float(information_final)
    c = critical_estimate(prior, 1.0 / math.sqrt(i_final), threshold, margin)
    info = 1.0 / se**2
    rest = np.maximum(i_final - info, 0.0)[..., None]
    w, mu, sd = posterior(prior, est, se)
    mean = (info[..., None] * est[..., None] + rest * mu) / i_final
    spread = np.sqrt(rest**2 * sd**2 + rest) / i_final
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (mean - c) / spread
    z = np.where(spread > 0, z, np.where(mean > c, np.inf, -np.inf))
    pp = np.sum(w * special.ndtr(z), axis=-1)
    done = info >= i_final
    now = lower_tail(prior, est, se, margin) < 1.0 - threshold
    return np.where(done, now.astype(np.float64), np.clip(pp, 0.0, 1.0))
