"""Entry months of one trial (``simulate.py trial`` with looks) are those the looks saw."""

import numpy as np

from designs.planning.look_times import look_times
from designs.simulation.engine_looks import run_trials_at_looks
from designs.simulation.entries import trial_entry_months
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design


def test_entry_months_are_the_kernels_draws():
    """For each trial, the patients with entry <= each look's month are the kernel's count
    of patients randomised by that look (with the ramp's accrual, several trials)."""
    d = load_design(None).with_overrides(
        {
            "trial.n_per_arm": 20,
            "interim.looks": [0.3, 0.6, 1.0],
            "accrual.ramp_rate_per_month": [1.0],
            "accrual.ramp_until_month": [4.0],
        }
    )
    t = look_times(d)
    months = np.array([2.0, 4.0, 6.0, 8.0, t.months[-1]])
    res = run_trials_at_looks(
        simulation_inputs(d), 6, 13, "ols_slope_ttest", months, t.accrual_months,
        accrual_knots=t.entry_knots,
    )  # fmt: skip
    for i in range(6):
        e = trial_entry_months(20, 20, 13, i, t.entry_knots)
        assert e.shape == (40,) and np.all((e > 0) & (e < t.accrual_months))
        counts = [(e <= m).sum() for m in months]
        np.testing.assert_array_equal(counts, res.entered[i])
