"""Trials decided by the bracket of each boundary, without solving it (sequential.bracket)."""

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from designs.sequential import SpendingFunction, efficacy_boundaries
from designs.sequential.boundaries import Z_CAP
from designs.sequential.bracket import BRACKET_FIRST, BRACKET_MARGIN, BRACKET_STEP
from designs.sequential.observed import observed_boundaries, observed_crossings

SPENDING = [
    SpendingFunction("obf"),
    SpendingFunction("pocock"),
    SpendingFunction("hsd", -4),
    SpendingFunction("hsd", 1),
    SpendingFunction("hsd", -10),
    SpendingFunction("power", 3),
]


@pytest.mark.parametrize("sides", [1, 2])
@pytest.mark.parametrize("spending", SPENDING)
def test_exact_boundaries_lie_in_their_bracket(spending, sides):
    """The bracket itself, on boundaries of the fine-grid recursion (about 1e-7, checked
    against rpact in test_boundaries): ``inc_k <= Q(c_k) <= spent_k`` with ``Q`` the normal
    tail (both tails two-sided), to within 1e-8; and the bracket is not empty of content:
    at later looks ``Q(c_k)`` lies strictly inside it for these designs."""
    for fractions in ((0.25, 0.5, 0.75, 1.0), (0.3, 0.45, 1.0), (0.2, 0.4, 0.6, 0.8, 1.0)):
        b = efficacy_boundaries(fractions, 0.025 * sides, spending, sides=sides)
        spent = b.alpha_spent
        inc = np.diff(spent, prepend=0.0)
        live = b.efficacy_z < Z_CAP
        q = sides * ndtr(-b.efficacy_z)
        assert (q[live] >= inc[live] - 1e-8).all()
        assert (q[live] <= spent[live] + 1e-8).all()
        assert (q[1:] > inc[1:])[live[1:]].any()


def _random_designs(rng, count, n):
    """Random designs (2-6 looks, one or two sides, alpha 0.5-20% per side, six spending
    functions) and trials with information spread 3-30% about random fractions; a tenth of
    the looks with the information of the look before (no step), some smaller steps; in a
    quarter of the designs the trials observe 1/2-1/40 of the planned information, so their
    early looks spend almost nothing (boundaries of 8-38: an independent review found the
    kernel 0.11 off after a first-look boundary of 23, fixed)."""
    for _ in range(count):
        k = int(rng.integers(2, 7))
        sides = int(rng.integers(1, 3))
        alpha = float(rng.choice([0.005, 0.025, 0.05, 0.2])) * sides
        spending = SPENDING[rng.integers(len(SPENDING))]
        fractions = np.sort(rng.uniform(0.1, 1.0, k))
        fractions[-1] = 1.0
        spread = float(rng.choice([0.03, 0.1, 0.3]))
        info = fractions * 200.0 * np.exp(spread * rng.standard_normal((n, k)))
        same = rng.random((n, k)) < 0.1
        same[:, 0] = False
        info = np.where(same, np.roll(info, 1, axis=1), info)
        planned = 200.0 * (float(rng.uniform(2.0, 40.0)) if rng.random() < 0.25 else 1.0)
        yield info, planned, alpha, spending, sides


def test_kernel_boundaries_keep_to_the_bracket_within_a_hundredth_of_the_margin(kernel_inputs):
    """The margin's premise: where every information step is at least BRACKET_STEP of the
    information before it (the first look at least BRACKET_FIRST), the kernel's boundaries
    (61 nodes) leave the bracket by far less than BRACKET_MARGIN (measured 6.2e-7 at most
    over 305,000 boundaries of random designs; here at most a hundredth of the margin over
    about 75,000), so a z the bracket decides with the margin is on the same side of the
    solved boundary."""
    rng = np.random.default_rng(2027)
    worst = 0.0
    checked = 0
    for info, planned, alpha, spending, sides in _random_designs(rng, 240, 250):
        got = observed_boundaries(info, planned, alpha, spending, sides)
        inc, spent, t = kernel_inputs(info, planned, alpha, spending, sides)
        relative = np.diff(t, axis=1) / t[:, :-1]
        relative = np.concatenate([np.where(t[:, :1] >= BRACKET_FIRST, np.inf, 0.0), relative], 1)
        wide = np.minimum.accumulate(relative, axis=1) >= BRACKET_STEP
        live = wide & (got < Z_CAP) & (inc > 0)
        live[:, 0] = False  # the first look's boundary is exact
        q = sides * ndtr(-got)
        excess = np.maximum(inc - q, q - spent)[live]
        checked += excess.size
        worst = max(worst, excess.max(initial=0.0))
    assert checked > 40_000
    assert worst < BRACKET_MARGIN / 100


@pytest.mark.parametrize("seed", range(4))
def test_decisions_are_those_of_the_solved_boundaries(seed, kernel_inputs):
    """Random designs and trials (no effect, an effect, z placed at the bracket's edges with
    and without the margin and a hair from the solved boundary, NaN z, futility boundaries):
    every crossing of ``observed_crossings`` is ``|z| >= boundary`` of the solved boundaries,
    at every look the trial reached, and each boundary it returns is the solved one or NaN."""
    rng = np.random.default_rng(300 + seed)
    n = 400
    decided_by_bracket = 0
    for info, planned, alpha, spending, sides in _random_designs(rng, 25, n):
        k = info.shape[1]
        inc, spent, _ = kernel_inputs(info, planned, alpha, spending, sides)
        drift = rng.choice([0.0, 2.8], n)
        z = drift[:, None] * np.sqrt(info / info[:, -1:]) + rng.standard_normal(info.shape)
        # z at the edges of each bracket (Q^-1 of inc_k - margin, spent_k + margin, and
        # the margin halved: inside it) and next to the solved boundary
        with np.errstate(divide="ignore", invalid="ignore"):
            edges = np.stack(
                [
                    -ndtri(np.clip(inc - BRACKET_MARGIN, 1e-300, 1) / sides),
                    -ndtri(np.clip(spent + BRACKET_MARGIN, 1e-300, 1) / sides),
                    -ndtri(np.clip(inc - BRACKET_MARGIN / 2, 1e-300, 1) / sides),
                    -ndtri(np.clip(spent + BRACKET_MARGIN / 2, 1e-300, 1) / sides),
                ]
            )
        pick = rng.integers(0, 4, info.shape)
        at_edge = np.take_along_axis(edges, pick[None], axis=0)[0] + 1e-9 * rng.standard_normal(
            info.shape
        )
        use = (rng.random(info.shape) < 0.3) & np.isfinite(at_edge)
        z = np.where(use, at_edge, z)
        z[rng.random(info.shape) < 0.03] = np.nan
        if sides == 2:
            z = np.where(rng.random(info.shape) < 0.5, -z, z)
            fut = None
        else:
            fut = np.append(np.sort(rng.uniform(-1.5, 1.0, k - 1)), -np.inf)
        solved = observed_boundaries(info, planned, alpha, spending, sides, z=z, futility=fut)
        near = rng.random(n) < 0.2  # the final z a hair (1e-9) from its solved boundary
        last = np.where(solved[:, -1] < Z_CAP, solved[:, -1], np.nan)
        hair = np.where(rng.random(n) < 0.5, -1e-9, 1e-9)
        z[:, -1] = np.where(near & np.isfinite(last), last + hair, z[:, -1])
        solved = observed_boundaries(info, planned, alpha, spending, sides, z=z, futility=fut)
        bounds, cross = observed_crossings(info, planned, alpha, spending, sides, z, futility=fut)
        zz = np.abs(z) if sides == 2 else z
        with np.errstate(invalid="ignore"):
            want = zz >= solved
        np.testing.assert_array_equal(cross, want)
        same = ~np.isnan(bounds)
        np.testing.assert_array_equal(bounds[same], solved[same])
        decided_by_bracket += int(np.isnan(bounds[:, :-1]).any(axis=1).sum())
    assert decided_by_bracket > 1000  # the bracket decided trials at interim looks


def test_most_trials_of_a_planned_design_solve_no_boundary():
    """The point of the bracket: 3 looks at about a third, two thirds and all of the
    information, O'Brien-Fleming spending, trials under no effect and under an effect of
    about 80% power: at least three quarters solve no boundary at all (the bands within the
    margin of a bracket are about 0.1 wide on the z scale)."""
    rng = np.random.default_rng(5)
    n = 4000
    fractions = np.array([1 / 3, 2 / 3, 1.0])
    info = fractions * 200.0 * np.exp(0.05 * rng.standard_normal((n, 3)))
    info = np.maximum.accumulate(info, axis=1)
    step = np.diff(info, axis=1, prepend=0.0)
    for drift in (0.0, 2.8):  # theta sqrt(I_max): the mean of the final z
        score = np.cumsum(
            drift / np.sqrt(200.0) * step + np.sqrt(step) * rng.standard_normal(info.shape), axis=1
        )
        z = score / np.sqrt(info)
        bounds, _ = observed_crossings(info, 200.0, 0.025, SpendingFunction("obf"), 1, z)
        none_solved = (np.isnan(bounds[:, 1:]) | (bounds[:, 1:] == Z_CAP)).all(axis=1)
        assert none_solved.mean() > 0.75
