"""Posterior of a treatment effect from one trial's estimate and SE, in closed form.

Pure NumPy/SciPy, vectorised over trials: the engine's per-trial ``estimate`` and ``se``
(layout :mod:`designs.analyses.results`) are read as a normal likelihood
``estimate ~ N(effect, se^2)`` and combined with a prior on the effect that is a mixture of
normals (a single normal is a mixture of one). Conjugate updating, component by component:

- component ``k`` with prior ``N(m_k, s_k^2)`` has posterior precision
  ``1 / s_k^2 + 1 / se^2`` and mean ``(m_k / s_k^2 + estimate / se^2) / precision``;
- its posterior weight is proportional to ``w_k`` times its marginal likelihood
  ``N(estimate; m_k, s_k^2 + se^2)`` (computed on the log scale);
- ``P(effect <= margin | data) = sum_k w'_k Phi((margin - mean_k) / sd_k)``.

The lower tail is what is computed and compared (``P(effect > margin) > threshold`` if and
only if ``P(effect <= margin) < 1 - threshold``), so probabilities within 1e-16 of 1 keep
their precision. Units: whatever the estimate's (points/month for the slope analyses).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from designs.errors import InputError
from designs.sequential import normal

__all__ = [
    "NormalMixture",
    "effective_sample_size",
    "fit_normal_mixture",
    "lower_tail",
    "posterior",
]


@dataclass(frozen=True)
class NormalMixture:
    """A mixture of normals: weights (summing to 1), means and SDs (> 0), same length."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    sds: tuple[float, ...]

    def __post_init__(self) -> None:
        w, m, s = (np.asarray(v, dtype=np.float64) for v in (self.weights, self.means, self.sds))
        if not (w.ndim == 1 and w.size >= 1 and w.shape == m.shape == s.shape):
            raise InputError("prior: weights, means and sds must be lists of the same length")
        if not (np.all(np.isfinite(m)) and np.all(np.isfinite(s)) and np.all(s > 0)):
            raise InputError("prior: means must be finite and sds finite and > 0")
        if not (np.all(w >= 0) and abs(w.sum() - 1.0) < 1e-9):
            raise InputError("prior: weights must be >= 0 and sum to 1")

    @classmethod
    def normal(cls, mean: float, sd: float) -> NormalMixture:
        """One normal component."""
        return cls((1.0,), (float(mean),), (float(sd),))

    def mix(self, other: NormalMixture, weight: float) -> NormalMixture:
        """``weight * self + (1 - weight) * other`` (components with weight 0 dropped)."""
        if not 0.0 <= weight <= 1.0:
            raise InputError(f"prior_weight = {weight!r}: must be in [0, 1]")
        parts = [(weight * w, m, s) for w, m, s in self.components()]
        parts += [((1.0 - weight) * w, m, s) for w, m, s in other.components()]
        parts = [p for p in parts if p[0] > 0]
        w, m, s = zip(*parts, strict=True)
        return NormalMixture(tuple(w), tuple(m), tuple(s))

    def components(self):
        return list(zip(self.weights, self.means, self.sds, strict=True))

    def pdf(self, x) -> np.ndarray:
        """Prior density at ``x``."""
        x = np.asarray(x, dtype=np.float64)
        return sum(w * (normal.pdf((x - m) / s) / s) for w, m, s in self.components())


def posterior(prior: NormalMixture, estimate, se):
    """Posterior mixture of the effect for each trial.

    Parameters
    ----------
    prior : NormalMixture
        Prior of the effect (units of ``estimate``).
    estimate, se : array_like
        Per-trial estimate and its standard error (> 0), same shape.

    Returns
    -------
    weights, means, sds : numpy.ndarray
        Shape ``estimate.shape + (components,)``.
    """
    est = np.asarray(estimate, dtype=np.float64)[..., None]
    v = np.asarray(se, dtype=np.float64)[..., None] ** 2
    w0 = np.asarray(prior.weights)
    m0 = np.asarray(prior.means)
    v0 = np.asarray(prior.sds) ** 2
    prec = 1.0 / v0 + 1.0 / v
    var = 1.0 / prec
    mean = var * (m0 / v0 + est / v)
    with np.errstate(divide="ignore"):
        logw = np.log(w0) + normal.logpdf(est, m0, np.sqrt(v0 + v))
    logw = logw - special.logsumexp(logw, axis=-1, keepdims=True)
    return np.exp(logw), mean, np.sqrt(var)


def lower_tail(prior: NormalMixture, estimate, se, margin: float = 0.0) -> np.ndarray:
    """``P(effect <= margin | estimate, se)`` per trial, under ``prior``.

    Success of the posterior rule at threshold ``t`` is ``lower_tail < 1 - t``, i.e.
    ``P(effect > margin | data) > t``.
    """
    w, mean, sd = posterior(prior, estimate, se)
    return np.sum(w * normal.cdf((margin - mean) / sd), axis=-1)


#: The ELIR integral's grid: each component's mean +- this many of its SDs, in steps of
#: ``_ESS_STEP`` of its SD (the components' grids merged, so that a narrow component beside a
#: wide one is resolved at its own scale).
_ESS_REACH, _ESS_STEP = 40.0, 0.02


def effective_sample_size(prior: NormalMixture, unit_sd: float) -> float:
    """The prior's effective sample size (ESS) by the expected local-information ratio
    (ELIR; Neuenschwander, Weber, Schmidli & O'Hagan 2020), in units of one observation whose
    estimate of the effect has SD ``unit_sd`` (same units as the prior; for the robust
    prior's unit information, one patient per arm).

    ELIR is ``E_p[i_p(theta) / i_F]`` with the prior's local information ``i_p = -d^2/dtheta^2
    log p(theta)`` and one observation's Fisher information ``i_F = 1 / unit_sd^2``:
    ``unit_sd^2 E_p[-(log p)'']``, which (``p''`` integrating to 0) is ``unit_sd^2`` times the
    integral of ``p'(theta)^2 / p(theta)``, taken here by the trapezoidal rule on the merged
    grid of the components. One normal ``N(m, s^2)`` gives ``(unit_sd / s)^2``; the ESS is
    predictively consistent (the prior predictive mean of the posterior's ESS after N
    observations is ESS + N), which tests/analyses/test_prior_ess.py checks.
    """
    if not (np.isfinite(unit_sd) and unit_sd > 0):
        raise InputError(f"unit_sd = {unit_sd!r}: must be finite and > 0")
    w0, m0, s0 = (np.asarray(v, dtype=np.float64) for v in (prior.weights, prior.means, prior.sds))
    steps = np.arange(-_ESS_REACH, _ESS_REACH + _ESS_STEP / 2, _ESS_STEP)
    theta = np.unique(np.concatenate([m + s * steps for m, s in zip(m0, s0, strict=True)]))
    with np.errstate(divide="ignore"):
        logc = np.log(w0) + normal.logpdf(theta[:, None], m0, s0)  # log w_k phi_k(theta)
    logp = special.logsumexp(logc, axis=1)
    share = np.exp(logc - logp[:, None])  # each component's share of p(theta)
    score = (share * (m0 - theta[:, None]) / s0**2).sum(axis=1)  # p'(theta) / p(theta)
    f = np.exp(logp) * score**2
    return float(unit_sd**2 * np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(theta)))


def fit_normal_mixture(
    draws, max_components: int = 3, iterations: int = 500, tol: float = 1e-10
) -> NormalMixture:
    """A mixture of 1 to ``max_components`` normals fitted to ``draws`` by EM, chosen by BIC.

    Deterministic (components start at quantiles of the draws). Used to approximate a
    posterior known only by its draws, as RBesT's ``automixfit`` does.
    """
    x = np.asarray(draws, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size < 10:
        raise InputError(f"posterior draws: {x.size} finite draws; need at least 10")
    n = x.size
    best, best_bic = None, np.inf
    for k in range(1, max_components + 1):
        fit = _em(x, k, iterations, tol)
        if fit is None:
            continue
        loglik, mix = fit
        bic = -2.0 * loglik + (3 * k - 1) * np.log(n)
        if bic < best_bic:
            best, best_bic = mix, bic
    return best


def _em(x: np.ndarray, k: int, iterations: int, tol: float):
    sd_all = float(x.std())
    if not sd_all > 0:
        return (0.0, NormalMixture.normal(float(x.mean()), 1e-9)) if k == 1 else None
    w = np.full(k, 1.0 / k)
    m = np.quantile(x, (np.arange(k) + 0.5) / k)
    s = np.full(k, sd_all / k if k > 1 else sd_all)
    floor = 1e-3 * sd_all
    previous = -np.inf
    loglik = previous
    for _ in range(iterations):
        logp = np.log(w) + normal.logpdf(x[:, None], m, s)
        norm = special.logsumexp(logp, axis=1, keepdims=True)
        loglik = float(norm.sum())
        r = np.exp(logp - norm)
        nk = r.sum(axis=0)
        if np.any(nk < 1e-6 * x.size):
            return None  # an empty component: this k does not fit
        w = nk / x.size
        m = (r * x[:, None]).sum(axis=0) / nk
        s = np.maximum(np.sqrt((r * (x[:, None] - m) ** 2).sum(axis=0) / nk), floor)
        if abs(loglik - previous) < tol * abs(loglik):
            break
        previous = loglik
    order = np.argsort(m)
    w = w[order] / w.sum()
    return loglik, NormalMixture(tuple(w), tuple(m[order]), tuple(s[order]))
