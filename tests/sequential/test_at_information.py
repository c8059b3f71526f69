"""Boundaries of one trial at the information it observed (``analyze --look``), against
published boundaries, a straightforward solve on SciPy's multivariate normal, and the
simulation's kernel."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from designs.errors import InputError
from designs.sequential import SpendingFunction, efficacy_boundaries
from designs.sequential.at_information import boundaries_at_information
from designs.sequential.boundaries import Z_CAP
from designs.sequential.observed import observed_boundaries

OBF, POCOCK = SpendingFunction("obf"), SpendingFunction("pocock")


def _obf_spent(t, alpha):
    """Lan-DeMets O'Brien-Fleming type, written out: ``2 (1 - Phi(z_{1 - alpha/2} / sqrt t))``."""
    return 2.0 * stats.norm.sf(stats.norm.isf(alpha / 2.0) / np.sqrt(t))


def _straightforward(info, information_max, alpha, sides):
    """Each boundary solved on the canonical joint distribution by SciPy's multivariate
    normal CDF (Genz), with spending by ``min(I_k / I_max, 1)`` and the last look final."""
    info = np.asarray(info, dtype=float)
    t = np.minimum(info / information_max, 1.0)
    t[-1] = 1.0
    spent = sides * _obf_spent(t, alpha / sides)
    inc = np.diff(spent, prepend=0.0)
    bounds = []
    for k in range(info.size):
        cov = np.sqrt(
            np.minimum.outer(info[: k + 1], info[: k + 1])
            / np.maximum.outer(info[: k + 1], info[: k + 1])
        )
        mvn = stats.multivariate_normal(
            np.zeros(k + 1), cov, maxpts=2 * 10**5, abseps=1e-9, releps=1e-9
        )
        b = np.array(bounds)

        def inside(c, b=b, mvn=mvn, k=k):
            upper = np.append(b, c)
            lower = -upper if sides == 2 else np.full(k + 1, -np.inf)
            return mvn.cdf(upper, lower_limit=lower)

        continuing = 1.0 if k == 0 else inside(np.inf)

        def excess(c, continuing=continuing, target=inc[k], inside=inside):
            return continuing - inside(c) - target

        bounds.append(optimize.brentq(excess, 0.5, 8.0))
    return np.array(bounds)


@pytest.mark.parametrize("spending", [OBF, POCOCK, SpendingFunction("hsd", -2.0)])
@pytest.mark.parametrize("sides", [1, 2])
@pytest.mark.parametrize("fractions", [[0.5, 1.0], [1 / 3, 2 / 3, 1.0], [0.3, 0.55, 0.8, 1.0]])
def test_at_the_planned_fractions_they_are_the_planned_boundaries(spending, sides, fractions):
    alpha = 0.025 * sides
    planned = efficacy_boundaries(fractions, alpha, spending, sides).efficacy_z
    i_max = 274.96
    got, spent, t = boundaries_at_information(
        np.array(fractions) * i_max, i_max, alpha, spending, sides, len(fractions), True
    )
    np.testing.assert_allclose(got, planned, atol=1e-9)
    np.testing.assert_allclose(t, fractions, rtol=1e-12)
    assert spent[-1] == pytest.approx(alpha, rel=1e-12)


def test_published_boundaries():
    """Lan-DeMets boundaries, one-sided 0.025, equally spaced (Jennison & Turnbull 2000;
    rpact getDesignGroupSequential), to their 3 published decimals."""
    cases = [
        (OBF, [0.5, 1.0], [2.963, 1.969]),
        (OBF, [1 / 3, 2 / 3, 1.0], [3.710, 2.511, 1.993]),
        (POCOCK, [0.5, 1.0], [2.157, 2.201]),
    ]
    for spending, t, published in cases:
        got, _, _ = boundaries_at_information(
            np.array(t) * 100.0, 100.0, 0.025, spending, 1, len(t), True
        )
        np.testing.assert_allclose(got, published, atol=5e-4)


@pytest.mark.parametrize("sides", [1, 2])
@pytest.mark.parametrize(
    "info, i_max",
    [
        ([80.0, 170.0, 260.0], 250.0),  # the final look above the planned maximum
        ([140.0, 254.7], 274.96),  # below it (the default design's trial of seed 3)
        ([40.0, 130.0, 200.0, 231.0], 240.0),
    ],
)
def test_at_observed_information_against_a_straightforward_solve(info, i_max, sides):
    """Genz's CDF to 1e-9 moves a boundary by under about 1e-6 (the density there is above
    1e-3); the recursion is within about 1e-7 too, so 2e-5 leaves room and still catches the
    planned fractions' correlations, which differ by 1e-3 to 1e-2 (checked below)."""
    alpha = 0.025 * sides
    got, _, _ = boundaries_at_information(info, i_max, alpha, OBF, sides, len(info), True)
    expected = _straightforward(info, i_max, alpha, sides)
    np.testing.assert_allclose(got, expected, atol=2e-5)
    # the test can tell: boundaries with the planned fractions' spacing are farther off
    planned = efficacy_boundaries(np.array(info) / info[-1], alpha, OBF, sides).efficacy_z
    assert np.max(np.abs(planned - expected)) > 1e-3


def test_within_the_kernels_accuracy():
    """The simulation's kernel solves the same boundaries on a coarser grid, within about
    4e-5 (docs/group_sequential.md); 1e-4 here over random trials."""
    rng = np.random.default_rng(7)
    fractions = np.sort(rng.uniform(0.2, 1.1, size=(40, 3)), axis=1)
    fractions = fractions[np.all(np.diff(fractions, axis=1) > 0.1, axis=1)]
    info = fractions * 200.0
    kernel = observed_boundaries(info, 200.0, 0.025, OBF, 1)
    for row, expected in zip(info, kernel, strict=True):
        got, _, _ = boundaries_at_information(row, 200.0, 0.025, OBF, 1, 3, True)
        np.testing.assert_allclose(got, expected, atol=1e-4)


def test_a_look_whose_information_did_not_rise_spends_nothing_and_cuts_nothing():
    """Its boundary is none, and the next look's is that of the design without it (the
    density is carried past a look that cuts nothing, exactly)."""
    with_it, _, _ = boundaries_at_information([100.0, 90.0, 250.0], 250.0, 0.025, OBF, 1, 3, True)
    without, _, _ = boundaries_at_information([100.0, 250.0], 250.0, 0.025, OBF, 1, 2, True)
    assert with_it[1] == Z_CAP
    np.testing.assert_allclose(with_it[[0, 2]], without, atol=1e-10)


def test_an_interim_look_at_the_planned_maximum_spends_everything():
    got, spent, t = boundaries_at_information([100.0, 260.0], 250.0, 0.025, OBF, 1, 3, True)
    assert t[-1] == 1.0 and spent[-1] == pytest.approx(0.025, rel=1e-12)
    fixed, _, _ = boundaries_at_information([100.0, 260.0], 250.0, 0.025, OBF, 1, 2, True)
    np.testing.assert_allclose(got, fixed, atol=1e-12)


def test_refusals():
    # a final look below an earlier look's information: taken 0.01 of it above, as the
    # simulation's kernel does (a stagewise review: it was refused here, decided there),
    # solved exactly: SciPy's bivariate normal at 100 and 90 x 1.1211 = 100.9; the kernel's
    # grid is off by about 0.01 at so small a step (its docs: 0.006), the decision of a z
    # between the two may differ
    got, _, _ = boundaries_at_information([100.0, 90.0], 250.0, 0.025, OBF, 1, 2, True)
    raised = 90.0 * (100.0 / 90.0 + 0.01)
    exact = _straightforward([100.0, raised], 250.0, 0.025, 1)
    assert got == pytest.approx(exact, abs=2e-6)
    kernel = observed_boundaries(np.array([[100.0, 90.0]]), 250.0, 0.025, OBF, 1)
    assert got[-1] == pytest.approx(kernel[0, -1], abs=0.015)
    with pytest.raises(InputError, match="finite and > 0"):
        boundaries_at_information([100.0, -1.0], 250.0, 0.025, OBF, 1, 2, True)
    with pytest.raises(InputError, match="plans 2"):
        boundaries_at_information([50.0, 100.0, 200.0], 250.0, 0.025, OBF, 1, 2, True)


def test_user_spending_spends_all_at_the_full_information():
    """A DSMB review: with user spending [0.3, 1] an interim look beyond I_max was the final
    analysis but spent 0.3 of alpha (boundary 2.43 instead of 1.96), in the simulation's
    kernel and here alike. At the full information a look now spends everything."""
    user = SpendingFunction("user", cumulative=(0.3, 1.0))
    got, spent, _ = boundaries_at_information([178.7], 150.0, 0.025, user, 1, 2, True)
    assert spent[-1] == pytest.approx(0.025, rel=1e-12)
    assert got[-1] == pytest.approx(stats.norm.isf(0.025), abs=1e-9)
    kernel = observed_boundaries(np.array([[178.7, 250.0]]), 150.0, 0.025, user, 1)
    assert kernel[0, 0] == pytest.approx(stats.norm.isf(0.025), abs=1e-6)
    # below the full information the planned cumulative level, whatever the fraction
    partial, spent, _ = boundaries_at_information([60.0], 150.0, 0.025, user, 1, 2, False)
    assert spent[-1] == pytest.approx(0.3 * 0.025) and partial[0] == pytest.approx(
        stats.norm.isf(0.3 * 0.025), abs=1e-9
    )
