"""The prior's effective sample size by the expected local-information ratio
(designs.analyses.decision.effective_sample_size; Neuenschwander, Weber, Schmidli & O'Hagan
2020, Biometrics 76:578-587), checked three independent ways: the closed form of one normal,
an adaptive quadrature of its defining integral written afresh with SciPy, and the paper's
defining property, predictive consistency."""

import numpy as np
import pytest
from scipy import integrate, stats

from designs.analyses.decision import NormalMixture, effective_sample_size, posterior

#: A phase 2-like prior of the effect (points/month) and the unit-information SD of the
#: default design (one patient per arm), as the robust prior uses them.
PHASE2 = NormalMixture((0.16, 0.84), (0.137, 0.204), (0.243, 0.112))
UNIT_SD = 0.602


@pytest.mark.parametrize(("mean", "sd", "unit"), [(0.2, 0.1, 0.6), (0.0, 10.0, 0.6), (-1, 2, 3)])
def test_one_normal_is_worth_its_variance_ratio(mean, sd, unit):
    ess = effective_sample_size(NormalMixture.normal(mean, sd), unit)
    assert ess == pytest.approx((unit / sd) ** 2, rel=1e-9)


def _elir_by_quadrature(prior, unit):
    """unit^2 E_p[-(log p)''], with -(log p)'' from p, p' and p'' written out (no shortcut
    through the integral of p'^2 / p), by adaptive quadrature."""

    def integrand(t):
        parts = [(w, stats.norm.pdf(t, m, s), m, s) for w, m, s in prior.components()]
        p = sum(w * f for w, f, _, _ in parts)
        d1 = sum(w * f * (m - t) / s**2 for w, f, m, s in parts)
        d2 = sum(w * f * (((t - m) / s**2) ** 2 - 1 / s**2) for w, f, m, s in parts)
        return p * ((d1 / p) ** 2 - d2 / p)

    lo = min(m - 30 * s for _, m, s in prior.components())
    hi = max(m + 30 * s for _, m, s in prior.components())
    value, _ = integrate.quad(integrand, lo, hi, points=list(prior.means), limit=500)
    return unit**2 * value


@pytest.mark.parametrize("weight", [1.0, 0.5, 0.1])
def test_a_mixture_matches_the_defining_integral(weight):
    prior = PHASE2 if weight == 1 else PHASE2.mix(NormalMixture.normal(0, UNIT_SD), weight)
    expected = _elir_by_quadrature(prior, UNIT_SD)
    assert effective_sample_size(prior, UNIT_SD) == pytest.approx(expected, rel=1e-6)


@pytest.mark.slow
def test_predictive_consistency():
    """The prior predictive mean of the posterior's ESS after N observations is ESS + N
    (exact for ELIR). 1,500 draws of (effect, mean of N = 10 observations); tolerance 4 Monte
    Carlo SEs of that mean (its sample SD / sqrt(1,500))."""
    rng = np.random.default_rng(7)
    prior = PHASE2.mix(NormalMixture.normal(0, UNIT_SD), 0.5)
    n, draws = 10, 1500
    k = rng.choice(len(prior.weights), size=draws, p=prior.weights)
    effect = rng.normal(np.asarray(prior.means)[k], np.asarray(prior.sds)[k])
    ybar = rng.normal(effect, UNIT_SD / np.sqrt(n))
    w, m, s = posterior(prior, ybar, np.full(draws, UNIT_SD / np.sqrt(n)))
    mixtures = [
        NormalMixture(tuple(a / a.sum()), tuple(b), tuple(c))
        for a, b, c in zip(w, m, s, strict=True)
    ]
    after = np.array([effective_sample_size(mix, UNIT_SD) for mix in mixtures])
    mc_se = after.std(ddof=1) / np.sqrt(draws)
    assert abs(after.mean() - (effective_sample_size(prior, UNIT_SD) + n)) < 4 * mc_se
