"""Write tests/data/engine_reference.npz: the engine's outputs for four fixed designs.

Run only for a deliberate change of the engine's numbers, in a commit that says why:
``.venv/bin/python tests/data/make_engine_reference.py``. The file records the NumPy SIMD
targets of the machine that wrote it; ``tests/simulation/test_engine_reference.py`` requires
bit-for-bit equality on a machine with the same targets, and equality to a stated tolerance
elsewhere (NumPy's last bits depend on the SIMD code it picks for the CPU).
"""

from pathlib import Path

import numpy as np

from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

#: Five designs, 200 trials of 20 per arm, seed 17: four with enrichment, lead-in and
#: curvature off (the engine before those features existed), and one with all of them on.
CASES = {
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
    "realism": {
        "trial.lead_in_months": 3,
        "enrichment.delta_fs_max": 1.1,
        "enrichment.lead_in_decline_min": 0.0,
        "population.curvature": 0.3,
        "dropout.informative": 1.0,
        "dropout.death_monthly_hazard": 0.01,
    },
}
ANALYSES = ("lmm_slope", "ols_slope_ttest", "ancova_change", "joint_rank")
#: Analyses per case: all that the case's design allows.
CASE_ANALYSES = {case: ANALYSES for case in CASES} | {
    "realism": (*ANALYSES, "slope_change_lead_in")
}
SEED, TRIALS, N_PER_ARM, EXPORTED_TRIAL = 17, 200, 20, 5


def simd_targets() -> str:
    """NumPy's SIMD dispatch targets enabled on this machine (e.g. 'X86_V3 X86_V4')."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # pragma: no cover - another NumPy layout: always compare to tolerance
        return "unknown"
    return " ".join(t for t in __cpu_dispatch__ if __cpu_features__.get(t))


def engine_outputs(case: str) -> dict[str, np.ndarray]:
    """The arrays the reference holds for one case."""
    over = CASES[case]
    d = load_design(over) if isinstance(over, str) else load_design(None).with_overrides(over)
    inputs = simulation_inputs(d.with_overrides({"trial.n_per_arm": N_PER_ARM}))
    res = run_trials(inputs, TRIALS, SEED, CASE_ANALYSES[case])
    one = simulate_one_trial(inputs, SEED, EXPORTED_TRIAL)
    return {
        "results": res.results,
        "counts": res.counts,
        "scores": one["alsfrs_r"],
        "months": one["month"],
        "exit_month": one["exit_month"],
        "params": inputs.params,
        "cum_hazard": inputs.cum_hazard,
    }


def main() -> None:
    arrays = {f"{c}/{k}": v for c in CASES for k, v in engine_outputs(c).items()}
    arrays["simd_targets"] = np.array(simd_targets())
    path = Path(__file__).with_name("engine_reference.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
