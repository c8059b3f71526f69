"""Power at the chosen n (n max) of the sample-size searches in the tests, over seeds.

Measures the systematic part of ``power - target`` (n rounded up, the probit fit's error at
the target) that the tolerances of tests/planning/test_sample_size.py (v3, v3-attrition),
test_sample_size_gs.py (gs) and test_sample_size_posterior_looks.py (posterior) allow on top
of their Monte Carlo SE. Usage (1-2 s a seed on the 2-core machine):

    PYTHONPATH=. python tests/data/power_at_n_max.py gs 101 220

prints one line a seed, then the mean of power - 0.8, its SE, its SD and the mean MC SE.
"""

import math
import sys

import numpy as np

from designs.spec import load_design

LOOKS = [0.5, 1.0]
CANONICAL = {
    "trial.sides": 1,
    "trial.alpha": 0.025,
    "population.integer_scores": False,
    "dropout.cumulative": [],
    "dropout.monthly_hazard": 0.0,
    "dropout.death_monthly_hazard": 0.0,
    "dropout.informative": 0.0,
    "dropout.death_informative": 0.0,
    "interim.looks": LOOKS,
}
V3 = {
    "trial.visits_months": [0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5],
    "trial.analysis": "lmm_slope",
    "population.baseline_mean": 30.0,
    "population.baseline_sd": math.sqrt(55),
    "population.slope_mean": -5.0,
    "population.slope_sd": math.sqrt(24),
    "population.baseline_slope_corr": 0.8,
    "population.residual_sd": math.sqrt(10),
    "population.integer_scores": False,
    "effect.kind": "slope_difference",
    "effect.value": 1.5,
    "dropout.monthly_hazard": 0.0,
    "dropout.death_monthly_hazard": 0.0,
}


def row(which: str, seed: int):
    """The row of the test's search (the test's settings, another seed)."""
    grid = {"sizes": [100, 130, 160, 200, 250], "bootstrap": 200}
    if which == "gs":
        from designs.planning.sample_size_gs import find_group_sequential_sample_size

        design = load_design(None).with_overrides(CANONICAL)
        return find_group_sequential_sample_size(design, (0.8,), 1000, seed, **grid).rows[0]
    if which == "posterior":
        from designs.planning.sample_size_posterior_looks import find_posterior_looks_sample_size

        rule = {"decision.rule": "posterior", "decision.thresholds": [0.99, 0.98]}
        design = load_design(None).with_overrides({**CANONICAL, **rule})
        return find_posterior_looks_sample_size(design, (0.8,), 1000, seed, **grid).rows[0]
    from designs.planning.sample_size import find_sample_size

    design = load_design().with_overrides(V3)
    if which == "v3-attrition":
        attrition = [0.0, 0.0, 0.05, 0.10, 0.15, 0.20, 0.25]
        design = design.with_overrides({"dropout.cumulative": attrition})
    return find_sample_size(design, (0.8,), 3000, seed, "lmm_slope").rows[0]


if __name__ == "__main__":
    which, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    dev, se = [], []
    for seed in range(first, last + 1):
        r = row(which, seed)
        dev.append(r.power - 0.8)
        se.append(r.mc_se)
        n = getattr(r, "n_max", None) or r.n
        print(which, seed, f"power {r.power:.5f} mc_se {r.mc_se:.5f} n {n}", flush=True)
    d = np.array(dev)
    print(
        f"{which} seeds {first}-{last}: power - 0.8 mean {d.mean():+.5f} "
        f"(SE {d.std(ddof=1) / math.sqrt(d.size):.5f}), SD {d.std(ddof=1):.5f}, "
        f"mean MC SE {np.mean(se):.5f}"
    )
