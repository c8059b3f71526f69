"""The closed-form posterior of the effect (designs.analyses.decision) against numerical
integration, and the posterior rule with a vague prior against the normal-reference Wald test."""

import itertools

import numpy as np
import pytest
from scipy import integrate, stats

from designs.analyses import results as R
from designs.analyses.decision import NormalMixture, fit_normal_mixture, lower_tail, posterior
from designs.errors import InputError

CASES = [(0.12, 0.05), (-0.03, 0.08), (0.4, 0.2), (0.0, 0.01)]
PRIORS = {
    "normal": NormalMixture.normal(0.0, 0.2),
    "mixture": NormalMixture((0.3, 0.5, 0.2), (0.1, 0.2, 0.0), (0.05, 0.1, 10.0)),
    "robust": NormalMixture.normal(0.15, 0.06).mix(NormalMixture.normal(0.0, 10.0), 0.5),
}


def _quad_lower_tail(prior, est, se, margin):
    """P(effect <= margin | data) by quadrature of prior x normal likelihood (scipy.integrate)."""

    def joint(t):
        return prior.pdf(t) * stats.norm.pdf(est, t, se)

    # Break the line at every component mean and at the likelihood's peak (narrow spikes).
    points = sorted({*prior.means, est, margin})
    lo, hi = min(points) - 60.0, max(points) + 60.0

    def integral(a, b):
        cut = [p for p in points if a < p < b]
        edges = [a, *cut, b]
        return sum(
            integrate.quad(joint, x, y, epsabs=1e-14, epsrel=1e-12, limit=500)[0]
            for x, y in itertools.pairwise(edges)
        )

    below, above = integral(lo, margin), integral(margin, hi)
    return below / (below + above), below + above


@pytest.mark.parametrize("name", list(PRIORS))
@pytest.mark.parametrize(("est", "se"), CASES)
@pytest.mark.parametrize("margin", [0.0, 0.1])
def test_closed_form_equals_quadrature(name, est, se, margin):
    prior = PRIORS[name]
    quad_tail, evidence = _quad_lower_tail(prior, est, se, margin)
    assert lower_tail(prior, est, se, margin) == pytest.approx(quad_tail, abs=1e-6)
    # The posterior weights are prior weight x marginal likelihood, normalised.
    w, _, _ = posterior(prior, est, se)
    marg = np.array(
        [pw * stats.norm.pdf(est, m, np.hypot(s, se)) for pw, m, s in prior.components()]
    )
    np.testing.assert_allclose(w, marg / marg.sum(), rtol=1e-9)
    assert marg.sum() == pytest.approx(evidence, rel=1e-6)


def test_posterior_mean_and_sd_by_quadrature():
    prior, est, se = PRIORS["mixture"], 0.18, 0.07
    w, m, s = posterior(prior, est, se)
    mean = float(np.sum(w * m))
    var = float(np.sum(w * (s**2 + m**2))) - mean**2

    def joint(t):
        return prior.pdf(t) * stats.norm.pdf(est, t, se)

    z = integrate.quad(joint, -5, 5, points=[0, 0.1, 0.2], limit=500)[0]
    m1 = integrate.quad(lambda t: t * joint(t), -5, 5, points=[0, 0.1, 0.2], limit=500)[0] / z
    m2 = integrate.quad(lambda t: t * t * joint(t), -5, 5, points=[0, 0.1, 0.2], limit=500)[0] / z
    assert mean == pytest.approx(m1, abs=1e-6)
    assert var == pytest.approx(m2 - m1**2, abs=1e-6)


def test_vectorised_over_trials():
    prior = PRIORS["robust"]
    est = np.array([0.1, -0.2, 0.3])
    se = np.array([0.05, 0.1, 0.2])
    vec = lower_tail(prior, est, se)
    one = [lower_tail(prior, e, s) for e, s in zip(est, se, strict=True)]
    np.testing.assert_allclose(vec, one, rtol=1e-14)


def test_bad_mixtures_refused():
    with pytest.raises(InputError, match="weights"):
        NormalMixture((0.5, 0.6), (0.0, 1.0), (1.0, 1.0))
    with pytest.raises(InputError, match="sds"):
        NormalMixture.normal(0.0, 0.0)
    with pytest.raises(InputError, match="prior_weight"):
        PRIORS["normal"].mix(PRIORS["normal"], 1.5)


@pytest.mark.slow  # about 30 s
def test_mixture_fit_recovers_two_components():
    """EM on 40,000 draws from a known two-component mixture recovers it. Tolerances: 4
    sampling SEs, each SE that of the component alone (mean: SD / sqrt(n), 0.0005 and 0.0006;
    SD: SD / sqrt(2n), 0.0003 and 0.0004; weight: sqrt(0.3 x 0.7 / 40,000), 0.0023) times 1.5
    for what the components' overlap adds (a mutation review: the tolerances were 10-13 SEs;
    seeds 3-8 gave errors up to 0.0011 in a mean, 0.0008 in a weight)."""
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0.1, 0.05, 12_000), rng.normal(0.4, 0.1, 28_000)])
    fit = fit_normal_mixture(x)
    assert len(fit.weights) >= 2
    big = np.argsort(fit.weights)[-2:]
    parts = np.asarray(fit.means)[big], np.asarray(fit.sds)[big], np.asarray(fit.weights)[big]
    got = sorted(zip(*parts, strict=True))
    assert got[0][0] == pytest.approx(0.1, abs=4 * 1.5 * 0.05 / np.sqrt(12_000))
    assert got[1][0] == pytest.approx(0.4, abs=4 * 1.5 * 0.1 / np.sqrt(28_000))
    assert got[0][1] == pytest.approx(0.05, abs=4 * 1.5 * 0.05 / np.sqrt(24_000))
    assert got[1][1] == pytest.approx(0.1, abs=4 * 1.5 * 0.1 / np.sqrt(56_000))
    assert got[0][2] == pytest.approx(0.3, abs=4 * 1.5 * np.sqrt(0.3 * 0.7 / 40_000))
    # A normal sample gets one component (mean within 4 SEs, 0.1 / sqrt(4,000) each).
    one = fit_normal_mixture(rng.normal(0.15, 0.1, 4000))
    assert len(one.weights) == 1
    assert one.means[0] == pytest.approx(0.15, abs=4 * 0.1 / np.sqrt(4000))


def test_vague_rule_is_the_normal_wald_test_trial_by_trial():
    """With a vague prior (SD 1e6 points/month), P(effect > 0 | data) > 1 - alpha/2 marks
    exactly the trials where the two-sided Wald test with the normal reference (z = est/se,
    not the engine's Satterthwaite t) rejects with a positive estimate, and P(effect < 0 | data)
    > 1 - alpha/2 exactly those with a negative one: the same trials, one by one, on the
    engine's common random numbers (null and non-null)."""
    from designs.simulation.engine import run_trials
    from designs.simulation.inputs import simulation_inputs
    from designs.spec import load_design

    alpha = 0.05
    vague = NormalMixture.normal(0.0, 1e6)
    for value in (0.0, 0.25):
        design = load_design().with_overrides({"trial.n_per_arm": 40, "effect.value": value})
        res = run_trials(simulation_inputs(design), 4000, 17, ("lmm_slope",))
        ok = ~res.failed("lmm_slope")
        est = res.column("lmm_slope", R.ESTIMATE)[ok]
        se = res.column("lmm_slope", R.SE)[ok]
        z = est / se
        wald = 2.0 * stats.norm.sf(np.abs(z)) < alpha
        tail = lower_tail(vague, est, se, 0.0)
        up = tail < alpha / 2  # P(effect > 0) > 1 - alpha/2
        down = tail > 1 - alpha / 2  # P(effect < 0) > 1 - alpha/2
        np.testing.assert_array_equal(up, wald & (est > 0))
        np.testing.assert_array_equal(down, wald & (est < 0))
        assert wald.sum() > (5 if value == 0 else 1000)  # the comparison is not vacuous


def test_same_bits_as_with_scipy_stats_norm(monkeypatch):
    """The posterior, its lower tail, the prior density and the EM fit use
    designs.sequential.normal (scipy.special, without importing scipy.stats); with
    scipy.stats.norm put back in its place every number is the same to the last bit."""
    from designs.analyses import decision as D

    rng = np.random.default_rng(11)
    draws = np.concatenate([rng.normal(0.14, 0.24, 700), rng.normal(0.2, 0.11, 3300)])
    est, se = rng.normal(0.1, 0.1, 500), rng.uniform(0.02, 0.3, 500)
    prior = NormalMixture((0.3, 0.7), (0.0, 0.2), (0.6, 0.1))
    grid = np.linspace(-1.0, 1.0, 201)

    def everything():
        fit = fit_normal_mixture(draws)
        return (fit, *posterior(fit, est, se), lower_tail(fit, est, se, 0.05))

    ours = everything()
    density = sum(w * stats.norm.pdf(grid, m, s) for w, m, s in prior.components())
    np.testing.assert_array_equal(prior.pdf(grid), density)

    class Scipy:  # the functions as scipy.stats.norm computes them
        cdf = staticmethod(stats.norm.cdf)
        logpdf = staticmethod(stats.norm.logpdf)

    monkeypatch.setattr(D, "normal", Scipy)
    theirs = everything()
    assert len(ours[0].weights) >= 2  # the EM fitted a mixture, not one normal
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1:], theirs[1:], strict=True):
        np.testing.assert_array_equal(a, b)
