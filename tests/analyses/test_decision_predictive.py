"""Predictive probability of final success under the posterior rule, in closed form
(designs.analyses.decision_predictive), against numerical integration of prior x likelihood."""

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from designs.analyses.decision import NormalMixture
from designs.analyses.decision_predictive import critical_estimate, predictive_success

PRIORS = {
    "normal": NormalMixture.normal(0.0, 0.076),
    "mixture": NormalMixture((0.6, 0.3, 0.1), (0.15, 0.05, 0.0), (0.04, 0.1, 10.0)),
}


def _npdf(x, m, s):
    return math.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))


def _posterior_density(prior, x, se):
    """Posterior of the effect given estimate x (SE se), by numerical normalisation
    (scalar math: the quadrature calls it many times)."""
    parts = prior.components()

    def lik(t):
        return sum(w * _npdf(t, m, s) for w, m, s in parts) * _npdf(x, t, se)

    lo, hi = x - 12 * se, x + 12 * se
    points = sorted({*prior.means, x})
    z = integrate.quad(lik, lo, hi, points=points, epsabs=0, epsrel=1e-12, limit=200)[0]
    return lambda t: lik(t) / z, lo, hi


def _tail_above(prior, x, se, margin):
    dens, lo, hi = _posterior_density(prior, x, se)
    if margin >= hi:
        return 0.0
    a = max(margin, lo)
    return integrate.quad(dens, a, hi, epsabs=0, epsrel=1e-12, limit=200)[0]


def _numeric_predictive(prior, x_k, se_k, info_final, threshold, margin):
    """PP by integration: the critical final estimate by root-finding on the integrated final
    posterior, then the predictive probability over the look's integrated posterior."""
    se_final = 1 / math.sqrt(info_final)
    c = optimize.brentq(
        lambda x: _tail_above(prior, x, se_final, margin) - threshold,
        margin - 2.0,
        margin + 2.0,
        xtol=1e-13,
    )
    info_k = 1 / se_k**2
    rest = info_final - info_k
    dens, lo, hi = _posterior_density(prior, x_k, se_k)

    def integrand(t):  # P(x_final > c | effect t) times the look's posterior at t
        mean = (info_k * x_k + rest * t) / info_final
        sd = math.sqrt(rest) / info_final
        return dens(t) * 0.5 * math.erfc((c - mean) / (sd * math.sqrt(2)))

    return integrate.quad(integrand, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]


@pytest.mark.parametrize("name", sorted(PRIORS))
@pytest.mark.parametrize("x_k", [-0.05, 0.06, 0.2])
@pytest.mark.parametrize("margin", [0.0, 0.05])
def test_predictive_probability_equals_numerical_integration(name, x_k, margin):
    """To 1e-6, for a normal and a three-component mixture prior (one vague component),
    an interim look at about half the final information (SE 0.07 vs 0.05 points/month)."""
    prior = PRIORS[name]
    se_k, info_final, threshold = 0.07, 1 / 0.05**2, 0.975
    got = predictive_success(
        prior, np.array([x_k]), np.array([se_k]), info_final, threshold, margin
    )
    want = _numeric_predictive(prior, x_k, se_k, info_final, threshold, margin)
    assert abs(got[0] - want) < 1e-6, (got[0], want)


def test_flat_prior_limit_is_the_classical_predictive_power():
    """With a vague prior (SD 1e4) the predictive probability is the classical predictive
    power Phi((x_k - z_T se_K) / sqrt(se_k^2 - se_K^2)) (x_K | x_k ~ N(x_k, 1/I_k - 1/I_K)),
    and the critical estimate is z_T se_K."""
    prior = NormalMixture.normal(0.0, 1e4)
    se_k, se_final, threshold = 0.08, 0.05, 0.99
    x = np.linspace(-0.1, 0.3, 9)
    z_t = stats.norm.ppf(threshold)
    assert critical_estimate(prior, se_final, threshold) == pytest.approx(z_t * se_final, abs=1e-9)
    want = stats.norm.cdf((x - z_t * se_final) / math.sqrt(se_k**2 - se_final**2))
    got = predictive_success(prior, x, np.full(x.size, se_k), 1 / se_final**2, threshold)
    np.testing.assert_allclose(got, want, atol=1e-8)


def test_a_look_at_the_final_information_predicts_its_own_decision():
    """Nothing left to observe: the predictive probability is 1 or 0, the rule on the look's
    own data."""
    prior = PRIORS["mixture"]
    x = np.array([0.0, 0.2])
    got = predictive_success(prior, x, np.array([0.05, 0.05]), 1 / 0.05**2, 0.975)
    np.testing.assert_array_equal(got, [0.0, 1.0])
