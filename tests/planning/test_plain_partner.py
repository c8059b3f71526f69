"""The group-sequential search's plain fixed curve, taken from the reference search's first
stage (:func:`designs.planning.sample_size_gs.plain_partner`), is the curve the fixed
search with plain shares (``control=False``) simulates on its own: the same sizes, the same
successes per trial, the same fitted n. Exact equality: the same seed gives the same trials,
and the oracle behind the control variate only adds a column to them."""

import numpy as np
import pytest

from designs.planning.power_curve import PowerCurve, simulate_curve
from designs.planning.sample_size import find_sample_size
from designs.planning.sample_size_gs import plain_partner
from designs.spec import load_design

TARGETS = (0.8,)
TRIALS = 500  # the control variate's smallest run (control_variate.MIN_TRIALS)
SEED = 4


@pytest.fixture(scope="module")
def searches():
    """The default design's reference search (control variate) and its plain search."""
    design = load_design("default")
    reference = find_sample_size(design, TARGETS, TRIALS, SEED)
    plain = find_sample_size(design, TARGETS, TRIALS, SEED, control=False)
    assert reference.curve.values is not None  # the reference did count with the control
    return design, reference, plain


def _same(partner, plain):
    a, b = partner.curve, plain.curve
    assert a.values is None
    assert np.array_equal(a.sizes, b.sizes)
    assert np.array_equal(a.favourable, b.favourable)
    assert np.array_equal(a.ok, b.ok)
    assert np.array_equal(a.failed_fits, b.failed_fits)
    assert partner.n_estimates == tuple(r.n_estimate for r in plain.rows)
    assert partner.reached == tuple(r.reached for r in plain.rows)


def _partner(design, first_stage, asked):
    def simulate_plain(sizes):
        asked.extend(sizes)
        return simulate_curve(design, sizes, TRIALS, SEED, control=False)

    return plain_partner(
        design, TARGETS, TRIALS, first_stage, simulate_plain, points=8, sizes=None, progress=None
    )


def test_the_plain_partner_is_the_plain_fixed_search(searches):
    design, reference, plain = searches
    asked = []
    partner = _partner(design, reference.curve, asked)
    _same(partner, plain)
    assert set(asked) <= set(plain.curve.sizes.tolist()) - set(reference.curve.sizes.tolist())


def test_sizes_the_reference_did_not_simulate_are_simulated(searches):
    """Where the reference's grid lacks sizes (its controlled fit grew it otherwise), those
    sizes, and only those, are simulated, and the curve is still the plain search's."""
    design, reference, plain = searches
    first = reference.curve
    drop = [int(first.sizes[1]), int(first.sizes[-1])]
    keep = ~np.isin(first.sizes, drop)
    lacking = PowerCurve(
        first.size_name,
        first.sizes[keep],
        first.favourable[keep],
        first.ok[keep],
        first.failed_fits[keep],
        first.values[keep],
    )
    asked = []
    _same(_partner(design, lacking, asked), plain)
    assert sorted(asked) == sorted(set(drop) & set(plain.curve.sizes.tolist()))
    assert asked  # the case is exercised
