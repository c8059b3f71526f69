"""Many probit fits at once (the bootstrap of a sample-size search) against one at a time.

The batched Fisher scoring solves its 2x2 systems by elimination, not LAPACK, so the fits
agree with :func:`probit_fit` to rounding (relative 1e-9 here; about 1e-14 seen), not bit
for bit; every n the search reports (whole numbers) is the same.
"""

import numpy as np
import pytest

from designs import load_design
from designs.planning.power_curve import (
    bootstrap_sizes,
    invert_curve,
    invert_curves,
    simulate_curve,
)
from designs.planning.probit import _solve_2x2, probit_fit, probit_fits
from designs.simulation.seeds import SALT_SAMPLE_SIZE_BOOTSTRAP, secondary_rng


def test_the_2x2_solve_is_numpys_with_and_without_a_row_swap():
    rng = np.random.default_rng(3)
    a00, a11 = rng.uniform(0.1, 5, 200), rng.uniform(0.1, 500, 200)
    a01 = rng.uniform(-1, 1, 200) * np.sqrt(a00 * a11) * 0.99  # positive definite
    r0, r1 = rng.normal(size=200), rng.normal(size=200)
    got = _solve_2x2(a00, a01, a11, r0, r1)
    want = [
        np.linalg.solve([[p, q], [q, s]], [u, v])
        for p, q, s, u, v in zip(a00, a01, a11, r0, r1, strict=True)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert (np.abs(a01) > np.abs(a00)).sum() > 20  # both pivots were exercised
    assert np.isnan(_solve_2x2(np.array([1.0]), np.array([2.0]), np.array([4.0]), 1.0, 1.0)).all()


def test_many_fits_equal_one_at_a_time_including_the_fallback(monkeypatch):
    rng = np.random.default_rng(11)
    x = np.sqrt([80.0, 120, 160, 200, 240, 280])
    m = rng.integers(20, 400, (60, 6)).astype(float)
    p = 0.5 + 0.4 * np.tanh((x - x.mean()) / 2)
    k = rng.binomial(m.astype(int), p).astype(float)
    k[0] = m[0]  # every trial a success: no finite maximum, Fisher scoring does not converge
    k[1, :3], k[1, 3:] = 0, m[1, 3:]  # separated
    start = probit_fit(x, k.sum(0), m.sum(0))
    import designs.planning.probit as probit

    refitted = []
    monkeypatch.setattr(probit, "probit_fit", lambda *a: refitted.append(1) or probit_fit(*a))
    got = probit_fits(x, k, m, start)
    assert len(refitted) == 2  # the two rows without a finite maximum, and only they
    want = np.array([probit_fit(x, k[r], m[r], start) for r in range(len(k))])
    np.testing.assert_allclose(got[2:], want[2:], rtol=1e-9)
    np.testing.assert_array_equal(got[:2], want[:2])  # refitted by probit_fit itself


def test_inverting_many_curves_is_inverting_each():
    fits = np.array([[[-3.0, 0.3], [-3.0, 0.0]], [[2.0, 0.1], [-1.0, -0.2]]])
    targets = (0.8, 0.9)
    want = [[invert_curve(*fits[r, j], t) for j, t in enumerate(targets)] for r in range(2)]
    np.testing.assert_array_equal(invert_curves(fits, targets), want)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bootstrap_equals_resampling_one_at_a_time(seed):
    """The former loop, one resample and one fit at a time, as the slow reference."""
    design = load_design("default")
    targets, trials, bootstrap = (0.8, 0.9), 300, 80
    curve = simulate_curve(design, [100, 150, 200, 250, 300, 350], trials, seed)
    got = bootstrap_sizes(curve, targets, trials, seed, bootstrap)
    fits, windows = curve.target_fits(targets)
    rng = secondary_rng(seed, SALT_SAMPLE_SIZE_BOOTSTRAP)
    want = np.empty((bootstrap, len(targets)))
    for r in range(bootstrap):
        w = np.bincount(rng.integers(0, trials, trials), minlength=trials)
        fits_r, _ = curve.target_fits(targets, w, windows, starts=fits)
        want[r] = [invert_curve(*c, t) for c, t in zip(fits_r, targets, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-9)
    np.testing.assert_array_equal(np.ceil(got - 1e-9), np.ceil(want - 1e-9))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_fit_on_noisy_counts_is_statsmodels_binomial_probit_glm(seed):
    """A mutation review: on exact counts (10^7 trials per size) any consistent estimating
    equation returns the true curve, so dropping the binomial variance from the weights went
    unseen there. On noisy counts (500 trials per size, as the explorer's search) the maximum
    likelihood fit is that of statsmodels' GLM (an independent implementation of the same
    likelihood): both converge to 1e-10, so they agree far inside 1e-6."""
    import statsmodels.api as sm

    rng = np.random.default_rng(seed)
    sizes = np.array([40, 70, 100, 140, 190, 250, 320])
    x = np.sqrt(sizes)
    m = np.full(sizes.size, 500)
    k = rng.binomial(m, norm_cdf(-2.2 + 0.25 * x)).astype(float)
    ours = probit_fit(x, k, m)
    glm = sm.GLM(
        np.column_stack([k, m - k]),
        sm.add_constant(x),
        family=sm.families.Binomial(link=sm.families.links.Probit()),
    ).fit(tol=1e-12)
    np.testing.assert_allclose(ours, glm.params, rtol=0, atol=1e-6)
    # the batch on the same covariate, a different curve per row, agrees too
    rows = np.stack([k, rng.binomial(m, norm_cdf(-2.0 + 0.22 * x)).astype(float)])
    many = probit_fits(x, rows, np.tile(m, (2, 1)).astype(float), np.tile(ours, (2, 1)))
    np.testing.assert_allclose(many[0], ours, rtol=0, atol=1e-9)


def norm_cdf(z):
    from scipy.special import ndtr

    return ndtr(z)
