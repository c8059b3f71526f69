"""The engine with enrichment, lead-in and curvature switched off reproduces, bit for bit, the
digests in tests/data computed before those features existed (simulated patients, counts,
parameters and every analysis of that time)."""

import hashlib
import json

import numpy as np
import pytest

from designs.simulation import layout as K
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design


def _digest(a):
    a = np.ascontiguousarray(np.where(np.isnan(a), -12345.0, a), dtype=np.float64)
    return hashlib.sha256(a.tobytes()).hexdigest()


DIGEST_CASES = {
    "default": {},
    "unselected": "proact_unselected",
    "informative": {
        "dropout.informative": 2.0,
        "dropout.death_monthly_hazard": 0.02,
        "dropout.death_informative": 1.0,
        "effect.sd": 0.1,
    },
    "continuous": {
        "population.integer_scores": False,
        "population.baseline_slope_corr": -0.3,
        "dropout.monthly_hazard": 0.03,
        "trial.visits_months": [0, 3, 6, 9, 12],
    },
}


@pytest.mark.parametrize("case", list(DIGEST_CASES))
def test_features_off_reproduce_the_linear_engine_bit_for_bit(case, data_dir):
    """With enrichment, lead-in and curvature off, results equal those computed by the engine
    before these features existed (digests in tests/data, 200 trials of 20 per arm, all four
    analyses of that time, plus one exported trial).

    The simulated patients (exported trial, counts, params) guard the engine; the per-analysis
    digests also depend on each analysis kernel, so a deliberate change of, e.g., lmm.py's
    numerics needs that analysis' ``results_*`` digests regenerated (and ``results``)."""
    expected = json.loads((data_dir / "engine_digests_before_realism.json").read_text())[case]
    over = DIGEST_CASES[case]
    d = load_design(over) if isinstance(over, str) else load_design(None).with_overrides(over)
    d = d.with_overrides({"trial.n_per_arm": 20})
    inputs = simulation_inputs(d)
    res = run_trials(
        inputs, 200, 17, ("lmm_slope", "ols_slope_ttest", "ancova_change", "joint_rank")
    )
    one = simulate_one_trial(inputs, 17, 5)
    trial = np.concatenate(
        [one["alsfrs_r"], one["month"], np.nan_to_num(one["exit_month"], nan=-1)]
    )
    assert _digest(trial) == expected["trial"]  # the simulated patients themselves
    for i, name in enumerate(res.analyses):
        assert _digest(res.results[:, i]) == expected[f"results_{name}"], name
    assert _digest(res.results) == expected["results"]
    assert _digest(res.counts[:, :6]) == expected["counts"]  # slots that existed then
    assert _digest(trial) == expected["trial"]
    assert _digest(inputs.params[:13]) == expected["params"]
    assert _digest(inputs.cum_hazard) == expected["cum_hazard"]
    # nobody screened out: candidates screened = patients randomised
    np.testing.assert_array_equal(res.counts[:, K.C_SCREENED_PLACEBO], inputs.n_placebo)
    np.testing.assert_array_equal(res.counts[:, K.C_SCREENED_ACTIVE], inputs.n_active)
