"""Real-data fits match the engine: a simulated trial in long format analysed with
`designs.analyses.registry.analyze` gives the same result as the engine's kernel gave for
that trial (same seed and trial index)."""

import numpy as np
import pytest

from designs.analyses import results as R
from designs.analyses.registry import analyze
from designs.errors import InputError
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

CASES = {
    "lmm_slope": {},
    "ols_slope_ttest": {},
    "ancova_change": {},
    "joint_rank": {"dropout.death_monthly_hazard": 0.03, "dropout.death_informative": 1.0},
    "slope_change_lead_in": {"trial.lead_in_months": 3},
}


@pytest.mark.parametrize("analysis", list(CASES))
@pytest.mark.parametrize("trial", [0, 7])
def test_csv_analysis_equals_kernel(analysis, trial, trial_frame):
    design = load_design(None).with_overrides({"trial.n_per_arm": 40, **CASES[analysis]})
    inputs = simulation_inputs(design)
    kernel = run_trials(inputs, 1, 11, (analysis,), first_trial=trial)
    frame = trial_frame(simulate_one_trial(inputs, 11, trial))
    got = analyze(frame, analysis)
    k = kernel.results[0, 0]
    assert k[R.STATUS] == R.STATUS_OK
    # the same kernels on the same numbers: equal up to summation order (1e-9 relative)
    np.testing.assert_allclose(got.estimate, k[R.ESTIMATE], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.se, k[R.SE], rtol=1e-9)
    np.testing.assert_allclose(got.df, k[R.DF], rtol=1e-6)


def test_joint_rank_needs_status_columns(trial_frame):
    design = load_design(None).with_overrides({"trial.n_per_arm": 10})
    frame = trial_frame(simulate_one_trial(simulation_inputs(design), 1)).drop(columns="status")
    with pytest.raises(InputError, match="status"):
        analyze(frame, "joint_rank")


def test_joint_rank_with_every_score_tied_says_why():
    """Four patients with the same scores at every visit, all completed: no pair is decided,
    so the rank sum has no variance; the message names that, not too few patients."""
    import pandas as pd

    rows = [
        {"patient": p, "arm": p % 2, "month": float(t), "alsfrs_r": 40 - t, "status": "completed",
         "exit_month": ""}
        for p in range(4)
        for t in range(4)
    ]  # fmt: skip
    with pytest.raises(InputError, match="same joint-rank score"):
        analyze(pd.DataFrame(rows), "joint_rank")
