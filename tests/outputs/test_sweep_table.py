"""The sweep's printed table: a rate of 0 or 1 gets its one-sided bound over the trials it
counted."""

import numpy as np
import pytest
import xarray as xr

from designs.outputs.rates import bound_cell
from designs.outputs.sweep_notes import sweep_table_lines
from designs.spec import load_design


def _sweep(power: float, failed: int, trials: int = 100) -> xr.Dataset:
    """A one-cell sweep's dataset as the table reads it."""
    cell = {"n_per_arm": [50]}
    return xr.Dataset(
        {
            "power_favourable": ("n_per_arm", np.array([power])),
            "mc_se_favourable": ("n_per_arm", np.array([0.0])),
            "failed_fits": ("n_per_arm", np.array([failed], dtype=np.int64)),
        },
        coords=cell,
        attrs={"trials_per_cell": trials},
    )


@pytest.mark.parametrize("failed_fits, counted", [("failure", 100), ("exclude", 90)])
def test_a_rate_of_0_is_bounded_over_the_trials_it_counted(failed_fits, counted):
    """10 of 100 fits failed: left out of the rates (``exclude``) the bound is over 90
    trials (1 - 0.05^(1/90) = 0.0327), counted as failures over all 100 (0.0295)."""
    design = load_design().with_overrides({"decision.failed_fits": failed_fits})
    lines = sweep_table_lines(_sweep(0.0, 10), design)
    assert lines[1] == f"  n_per_arm 50: 0.000 ({bound_cell(0.0, counted, 3)})"
    assert bound_cell(0.0, 90, 3) != bound_cell(0.0, 100, 3)  # the two cases differ


def test_a_sweep_with_assurance_prints_it_beside_the_power():
    """A review of one's own records: `sweep --assurance` kept assurance in the file only."""
    ds = _sweep(0.8, 0)
    ds["assurance"] = ("n_per_arm", np.array([0.734]))
    ds["assurance_mc_se"] = ("n_per_arm", np.array([0.012]))
    lines = sweep_table_lines(ds, load_design())
    assert lines[1].endswith("; assurance 0.734 (MC SE 0.012)")
    assert "assurance" not in sweep_table_lines(_sweep(0.8, 0), load_design())[1]
