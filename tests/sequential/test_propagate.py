"""The density at new nodes does not depend on which other new nodes come with them: four
walked side by side give each node's numbers walked alone, and so does the power series."""

import numpy as np
import pytest

from designs.sequential.observed import NODES, _simpson
from designs.sequential.propagate import _walk, propagate


@pytest.mark.parametrize(
    ("low", "high", "new_low", "new_high", "tp", "tk"),
    [
        (-3.7, 3.7, -2.5, 2.5, 0.33, 0.67),  # two-sided, O'Brien-Fleming type
        (-8.0, 3.0, -8.0, 2.4, 0.5, 0.75),  # one-sided
        (-2.2, 2.2, -2.1, 2.1, 0.9, 0.99),  # late looks, close together
        (-8.0, 4.0, -6.0, 9.0, 0.05, 1.0),  # a large step, new nodes past the old ones
        (-2.9, 2.9, -3.0, 45.0, 0.5, 1.0),  # far beyond the grid: series and walk mixed
    ],
)
def test_nodes_walked_together_equal_nodes_walked_alone(low, high, new_low, new_high, tp, tk):
    """Bit for bit: grouping the new nodes (four, two or one at a time) only interleaves
    independent walks, each adding its terms in its own fixed order; the power series of
    ``propagate`` evaluates each node in its own SIMD lane (and walks a node that leaves
    its range by itself), and new nodes far beyond the grid mix both."""
    nodes = np.empty(NODES)
    weights = np.empty(NODES)
    _simpson(low, high, nodes, weights)
    mass = weights * np.exp(-0.5 * nodes**2) / np.sqrt(2 * np.pi)
    new_nodes = np.empty(NODES)
    _simpson(new_low, new_high, new_nodes, np.empty(NODES))
    for method in (propagate, _walk):
        together = np.empty(NODES)
        method(nodes, mass, new_nodes, tp, tk, together)
        alone = np.empty(NODES)
        one = np.empty(1)
        for i in range(NODES):
            method(nodes, mass, new_nodes[i : i + 1], tp, tk, one)
            alone[i] = one[0]
        assert np.array_equal(together, alone)
        # and out of order (peaks falling: the walk takes them one or two at a time)
        reverse = np.empty(NODES)
        method(nodes, mass, new_nodes[::-1].copy(), tp, tk, reverse)
        assert np.array_equal(reverse[::-1], alone)
