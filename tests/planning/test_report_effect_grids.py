"""The report's effect grids stay within the effect's range (a reliability review: `report`
refused a 100% slowing and a slope difference of 10 points/month, designs sample-size takes,
naming 1.25 and 12.5, values its own grids had made)."""

import numpy as np
import pytest

from designs.planning.operating import OC_EFFECTS, oc_effects
from designs.planning.report_plan import effect_grid
from designs.spec import load_design


def test_a_design_inside_the_range_keeps_every_effect():
    d = load_design("default")  # a 25% slowing
    assert effect_grid(d) == [0.1875, 0.25, 0.3125]
    np.testing.assert_allclose(oc_effects(d), np.linspace(0.25, 2.0, OC_EFFECTS) * 0.25)


@pytest.mark.parametrize(
    ("overrides", "grid", "top"),
    [
        ({"effect.value": 1.0}, [0.75, 1.0], 1.0),
        # the whole decline of 0.5 points/month (more needs effect.allow_improvement)
        ({"effect.kind": "slope_difference", "effect.value": 0.5}, [0.375, 0.5], 0.5),
        (
            {
                "effect.kind": "slope_difference",
                "effect.value": 10.0,
                "effect.allow_improvement": True,
            },
            [7.5, 10.0],
            10.0,
        ),
    ],
)
def test_effects_beyond_the_range_are_left_out(overrides, grid, top):
    d = load_design("default").with_overrides(overrides)
    assert effect_grid(d) == grid
    effects = oc_effects(d)
    assert 2 <= effects.size < OC_EFFECTS and effects.max() <= top
    for e in effects:  # each is a design the engine accepts
        d.with_overrides({"effect.value": float(e)})


def test_the_power_curves_sizes_in_total_split_in_the_allocation_ratio():
    """An own-design review: at 1:2 the report's power curve had 98 patients, 33 + 65, under
    the label 1:2. Sizes in total are multiples of the allocation's block; per arm the ten
    sizes are as before (the default report's numbers do not move)."""
    from types import SimpleNamespace as NS

    from designs.planning.report_plan import _sweep_sizes

    total = NS(rows=[NS(n=288, size_name="n_total"), NS(n=393, size_name="n_total")])
    sizes = _sweep_sizes(total, 3)
    assert len(sizes) == 10 and all(n % 3 == 0 for n in sizes)
    assert sizes[0] >= 0.25 * 393 - 1.5 and sizes[-1] <= 1.4 * 393 + 1.5  # the same span
    per_arm = NS(rows=[NS(n=184, size_name="n_per_arm"), NS(n=245, size_name="n_per_arm")])
    assert _sweep_sizes(per_arm, 2) == [61, 93, 124, 155, 186, 218, 249, 280, 312, 343]
