"""Per-trial boundaries at observed information against the exact recursion."""

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import ndtri

from designs.sequential import SpendingFunction, efficacy_boundaries
from designs.sequential.boundaries import Z_CAP, crossing_probabilities
from designs.sequential.observed import observed_boundaries

CASES = [
    (SpendingFunction("obf"), (0.5, 1.0), 1),
    (SpendingFunction("pocock"), (0.25, 0.5, 0.75, 1.0), 1),
    (SpendingFunction("hsd", -4), (0.1, 0.35, 0.6, 1.0), 1),
    (SpendingFunction("power", 3), (0.2, 0.4, 0.6, 0.8, 1.0), 1),
    (SpendingFunction("obf"), (0.25, 0.5, 0.75, 1.0), 2),
]


@pytest.mark.parametrize(("spending", "fractions", "sides"), CASES)
def test_planned_information_gives_the_exact_boundaries(spending, fractions, sides):
    alpha = 0.025 * sides
    exact = efficacy_boundaries(fractions, alpha, spending, sides).efficacy_z
    info = np.array([fractions]) * 250.0
    got = observed_boundaries(info, 250.0, alpha, spending, sides)
    np.testing.assert_allclose(got[0], exact, atol=1e-4)


def test_observed_information_moves_each_trial_boundary():
    """Trial 2 observed more information at look 1 than planned: it spends more alpha
    there (a lower first boundary), and its final boundary is the exact one for the
    fractions it observed and the alpha then left."""
    obf = SpendingFunction("obf")
    info = np.array([[0.5, 1.0], [0.6, 1.0]]) * 200.0
    got = observed_boundaries(info, 200.0, 0.025, obf, 1)
    assert got[1, 0] < got[0, 0]
    exact = efficacy_boundaries((0.6, 1.0), 0.025, obf).efficacy_z
    np.testing.assert_allclose(got[1], exact, atol=1e-4)
    # final information above the plan: correlations from the observed information, the
    # interim spends min(I_1 / I_max, 1)
    high = observed_boundaries(np.array([[100.0, 220.0]]), 200.0, 0.025, obf, 1)[0]
    spent1 = obf.spent(0.5, 0.025)
    assert high[0] == pytest.approx(efficacy_boundaries((0.5, 1), 0.025, obf).efficacy_z[0])
    assert spent1 < 0.025
    assert high[1] != pytest.approx(got[0, 1], abs=1e-4)  # the correlation changed


def test_looks_after_a_crossing_are_skipped_without_changing_earlier_ones():
    hsd = SpendingFunction("hsd", -4)
    fractions = np.array([0.25, 0.5, 0.75, 1.0])
    info = np.vstack([fractions * 300.0] * 3)
    z = np.array([[5.0, 0.0, 0.0, 0.0], [0.5, np.nan, 2.0, 3.0], [-1.0, 0.0, 0.0, 0.0]])
    full = observed_boundaries(info, 300.0, 0.025, hsd, 1)
    fut = np.array([-0.5, 0.3, 1.2, 2.0])
    part = observed_boundaries(info, 300.0, 0.025, hsd, 1, z=z, futility=fut)
    np.testing.assert_array_equal(part[0], [full[0, 0], Z_CAP, Z_CAP, Z_CAP])  # efficacy at 1
    np.testing.assert_array_equal(part[1], full[1])  # NaN: no decision; crosses at look 4
    np.testing.assert_array_equal(part[2], [full[2, 0], Z_CAP, Z_CAP, Z_CAP])  # futility at 1


@pytest.mark.parametrize("spending", [SpendingFunction("obf"), SpendingFunction("pocock")])
@pytest.mark.parametrize("middle", [49.9, 50.0, 50.001])
def test_a_look_without_new_information_leaves_the_final_boundary_right(spending, middle):
    """Review finding: an SE that rose (or barely moved) between two looks made a step the
    integration grid could not resolve, and the final boundary came out 0.7 too low (total
    alpha 0.105 instead of 0.025). Such a look spends no alpha (or almost none), so the final
    boundary is the two-look design's: exactly so (to the kernel's 4e-5) when the middle
    look spends nothing, as it then is left out of the recursion; a look that spends a
    little has its step widened to the smallest one the grid resolves (about 0.006 on the z
    scale), which makes the boundary higher (conservative), so the bound is one-sided."""
    got = observed_boundaries(np.array([[50.0, middle, 100.0]]), 100.0, 0.025, spending, 1)[0]
    two = efficacy_boundaries((0.5, 1.0), 0.025, spending).efficacy_z
    assert got[0] == pytest.approx(two[0], abs=1e-4)
    assert got[1] > got[2]  # (almost) nothing to spend at the middle look
    if middle <= 50.0:
        assert got[1] == Z_CAP
        assert abs(got[2] - two[1]) < 1e-4
    else:
        assert 0.0 <= got[2] - two[1] <= 0.06


def _fine_boundary(t, efficacy, target, sides):
    """The boundary of the last look in ``t`` that spends ``target`` after ``efficacy`` at the
    looks before it, by :func:`crossing_probabilities` on its fine grid (root to 1e-10)."""

    def excess(c):
        eff, _ = crossing_probabilities(t, np.append(efficacy, c), 0.0, sides=sides)
        return eff[-1] - target

    return brentq(excess, -2.0, 12.0, xtol=1e-10)


@pytest.mark.parametrize(
    ("spending", "sides", "info"),
    [
        (SpendingFunction("obf"), 2, (40.0, 80.0, 78.0, 120.0, 200.0)),  # SE rose at look 3
        (SpendingFunction("obf"), 1, (40.0, 80.0, 80.0, 120.0, 200.0)),  # did not move
        (SpendingFunction("pocock"), 2, (50.0, 45.0, 120.0, 200.0)),  # rose at look 2
        (SpendingFunction("hsd", -2), 1, (30.0, 90.0, 60.0, 70.0, 200.0)),  # two looks below
        (SpendingFunction("obf"), 2, (20.0, 100.0, 100.0, 100.0, 200.0)),
        (SpendingFunction("obf"), 1, (0.2, 100.0, 200.0)),  # the first look spends nothing
        (SpendingFunction("obf"), 2, (0.2, 100.0, 99.0, 200.0)),
    ],
)
def test_a_look_without_new_information_leaves_the_later_boundaries_exact(spending, sides, info):
    """Review finding of the tenth sitting: a look whose information did not rise above an
    earlier look's spends nothing (``Z_CAP``), and the density was put on the grid
    ``[-8, 38]`` (two-sided ``[-38, 38]``) at 61 nodes, far too coarse: the later boundaries
    moved by up to 0.6 on the z scale (simulated 5-look trials of 20 per arm), 0.01-0.1 in
    these cases. Such a look cuts nothing off, so the exact boundaries are those of the
    design without it; each later boundary, solved by the fine-grid recursion of
    :mod:`designs.sequential.boundaries` (about 1e-7) with the kernel's own earlier
    boundaries, agrees to 1e-4 (the kernel's 61 nodes: about 4e-5, CASES above). A first
    look that spends nothing (its information a thousandth of the plan) puts the density on
    ``[-8, 8]`` (it was ``[-8, 38]``, ``[-38, 38]``)."""
    info = np.asarray(info)[None, :]
    alpha = 0.025 * sides
    got = observed_boundaries(info, 200.0, alpha, spending, sides)[0]
    spend = np.maximum.accumulate(np.minimum(info[0] / 200.0, 1.0))
    spend[-1] = 1.0
    inc = np.diff(sides * spending.spent(spend, alpha / sides), prepend=0.0)
    keep = inc > 0  # the looks that spend: the design without the others
    assert not keep.all()
    t = info[0] / info[0, -1]
    looks = np.flatnonzero(keep)
    for j, k in enumerate(looks):
        if j == 0:  # the first look that spends: a normal quantile
            want = -ndtri(inc[k] / sides)
        else:
            want = _fine_boundary(t[looks[: j + 1]], got[looks[:j]], inc[k], sides)
        assert abs(got[k] - want) < 1e-4, (k, got[k], want)
    assert (got[~keep] == Z_CAP).all()


@pytest.mark.parametrize(
    ("low", "high", "tp", "tk"),
    [
        (-8.0, 2.8, 0.33, 0.67),  # one-sided, lower end Z_LOW
        (-2.9, 2.9, 0.5, 1.0),  # two-sided
        (-8.0, 3.5, 0.2, 0.21),  # the smallest information step (MIN_INCREMENT)
        (-2.2, 2.2, 0.9, 0.99),  # late looks, close together
        (-8.0, 4.0, 0.05, 1.0),  # a large step
    ],
)
def test_density_recurrence_matches_the_direct_sum(low, high, tp, tk):
    """``propagate`` (the power series, or the walk where the series would leave range: the
    smallest information step here) and the walk alone against the direct double sum of
    Gaussian factors (written out here in NumPy), also at new nodes far beyond the grid
    (the series' prefactor underflows there: those nodes are walked). Differences are
    rounding (of order NODES^2 ulps, ~1e-12; 1e-10 leaves room)."""
    from designs.sequential.observed import NODES, _simpson
    from designs.sequential.propagate import _walk, propagate

    nodes = np.empty(NODES)
    weights = np.empty(NODES)
    _simpson(low, high, nodes, weights)
    mass = weights * np.exp(-0.5 * nodes**2) / np.sqrt(2 * np.pi)
    d = tk - tp
    for new_nodes in (np.linspace(-3.1, 3.3, NODES), np.linspace(-3.1, 40.0, NODES)):
        e = (new_nodes[:, None] * np.sqrt(tk) - nodes[None, :] * np.sqrt(tp)) / np.sqrt(d)
        want = (mass[None, :] * np.exp(-0.5 * e * e)).sum(axis=1) * np.sqrt(tk / d)
        want /= np.sqrt(2 * np.pi)
        for method in (propagate, _walk):
            got = np.empty(NODES)
            method(nodes, mass, new_nodes, tp, tk, got)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-300)


def test_exit_probability_derivatives_match_finite_differences():
    """The solver's Taylor model uses the first three derivatives of the exit probability
    in c; central differences (step 1e-4, error ~1e-8 relative) check them."""
    from designs.sequential.observed import NODES, _exits, _simpson, tails_scratch

    nodes = np.empty(NODES)
    weights = np.empty(NODES)
    _simpson(-3.0, 3.0, nodes, weights)
    mass = weights * np.exp(-0.5 * nodes**2) / np.sqrt(2 * np.pi)
    tails = tails_scratch(NODES)
    for sides in (1, 2):
        c, h = 2.4, 1e-4
        _, d1, d2, d3 = _exits(c, nodes, mass, 0.4, 0.7, sides, tails)
        lo = _exits(c - h, nodes, mass, 0.4, 0.7, sides, tails)
        hi = _exits(c + h, nodes, mass, 0.4, 0.7, sides, tails)
        assert d1 == pytest.approx((hi[0] - lo[0]) / (2 * h), rel=1e-6)
        assert d2 == pytest.approx((hi[1] - lo[1]) / (2 * h), rel=1e-6)
        assert d3 == pytest.approx((hi[2] - lo[2]) / (2 * h), rel=1e-6)


@pytest.mark.parametrize("sides", [1, 2])
def test_each_boundary_is_the_root_on_its_grid(sides):
    """Every trial's boundary solves its own equation P(continue, then cross c) = alpha
    increment to 1e-12 on the z scale: the solver's residual, rebuilt here from the same
    grid and density (information spread +-8% around 1/3, 2/3, 1; a tenth of the trials
    with the smallest information step between looks 1 and 2)."""
    from scipy.special import ndtri

    from designs.sequential.observed import (
        MIN_INCREMENT,
        NODES,
        Z_LOW,
        _exits,
        _simpson,
        tails_scratch,
    )

    rng = np.random.default_rng(11)
    n = 400
    info = np.array([1 / 3, 2 / 3, 1.0]) * 200.0 * np.exp(0.08 * rng.standard_normal((n, 3)))
    info[: n // 10, 1] = info[: n // 10, 0]
    info = np.maximum.accumulate(info, axis=1)
    obf = SpendingFunction("obf")
    alpha = 0.025 * sides
    got = observed_boundaries(info, 200.0, alpha, obf, sides)
    spend = np.minimum(info / 200.0, 1.0)
    spend[:, -1] = 1.0
    inc = np.diff(sides * obf.spent(spend, alpha / sides), axis=1, prepend=0.0)
    t = np.maximum(info / info[:, -1:], MIN_INCREMENT)
    t[:, 1] = np.maximum(t[:, 1], t[:, 0] + MIN_INCREMENT)
    t /= t[:, -1:]
    np.testing.assert_allclose(got[:, 0], -ndtri(inc[:, 0] / sides), rtol=1e-15)
    worst = 0.0
    tails = tails_scratch(NODES)
    for b in np.flatnonzero(got[:, 1] < Z_CAP):  # Z_CAP: nothing to spend at look 2
        nodes = np.empty(NODES)
        weights = np.empty(NODES)
        _simpson(-got[b, 0] if sides == 2 else Z_LOW, got[b, 0], nodes, weights)
        mass = weights * np.exp(-0.5 * nodes**2) / np.sqrt(2 * np.pi)
        value, slope, _, _ = _exits(got[b, 1], nodes, mass, t[b, 0], t[b, 1], sides, tails)
        worst = max(worst, abs((value - inc[b, 1]) / slope))
    assert worst < 1e-12


@pytest.mark.parametrize("sides", [1, 2])
@pytest.mark.parametrize("half_width", [2.5, 3.7, 4.1234567])
def test_exit_probability_is_the_total_of_exits_bit_for_bit(sides, half_width):
    """``_exit_probability`` adds the same terms in the same order as ``_exits`` (the final
    look's decision by the exit probability is then that of the solved boundary), on grids
    with and without nodes that are exact negatives of each other; and both equal the sum
    written out with `math.erfc`."""
    from designs.sequential.observed import (
        NODES,
        Z_LOW,
        _exit_probability,
        _exits,
        _simpson,
        tails_scratch,
    )

    nodes = np.empty(NODES)
    weights = np.empty(NODES)
    _simpson(-half_width if sides == 2 else Z_LOW, half_width, nodes, weights)
    mass = weights * np.exp(-0.5 * nodes**2) / np.sqrt(2 * np.pi)
    tails = tails_scratch(NODES)
    for c in (0.7, 1.96, 2.5, 3.3, 5.0):
        for tp, tk in ((0.33, 0.67), (0.67, 1.0), (0.2, 0.21)):
            total = _exits(c, nodes, mass, tp, tk, sides, tails)[0]
            assert _exit_probability(c, nodes, mass, tp, tk, sides, tails) == total
            # and both are the sum written out with the C library's erfc (the vectorised
            # tails are within a few ulp of it, so the sums agree to about 1e-15 relative)
            sd = math.sqrt(tk - tp)
            shift = nodes * math.sqrt(tp) / sd
            a = math.sqrt(tk) / sd
            direct = sum(
                m * 0.5 * math.erfc((c * a - s) / math.sqrt(2))
                for m, s in zip(mass, shift, strict=True)
            )
            if sides == 2:
                direct += sum(
                    m * 0.5 * math.erfc((c * a + s) / math.sqrt(2))
                    for m, s in zip(mass, shift, strict=True)
                )
            assert total == pytest.approx(direct, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("sides", [1, 2])
@pytest.mark.parametrize("first", [5.0, 9.5])
def test_a_first_look_far_below_the_plan_leaves_the_next_boundary_exact(first, sides):
    """Independent review of the tenth sitting: a trial that observes a hundredth of the
    planned information spends almost nothing at its first look (boundary 20-23), and its
    grid was stretched to that boundary: the next boundary came out 0.11 too high (two-sided,
    information 9.5 then 10 of a plan of 1,000). A boundary of 8 or more cuts off below 1e-15
    and the look is left out; the next boundary is then that of a single look spending its
    alpha at the correlation of the two looks, which the fine-grid recursion gives."""
    spending = SpendingFunction("obf")
    alpha = 0.025 * sides
    info = np.array([[first, 10.0]])
    got = observed_boundaries(info, 1000.0, alpha, spending, sides)[0]
    spend = np.array([first / 1000.0, 1.0])
    inc = np.diff(sides * spending.spent(spend, alpha / sides), prepend=0.0)
    assert got[0] > 8.0
    want = _fine_boundary(info[0] / info[0, -1], got[:1], inc[1], sides)
    assert abs(got[1] - want) < 1e-4, (got[1], want)
