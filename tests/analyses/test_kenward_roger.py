"""Kenward-Roger for lmm_slope on real data (designs.analyses.reml.kenward_roger) against R.

Reference values: R 4.2.2, lme4 1.1.31, lmerTest 3.1.3, pbkrtest 0.5.2 (Debian bookworm
packages), on trials exported with ``simulate.py trial`` (the same trials are rebuilt here
with simulate_one_trial), model ``alsfrs_r ~ month * arm + (month | patient)``, REML, fitted
to the optimum with ``control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend =
1e-12, maxfun = 1e5))`` (lmer's default tolerance stops up to 9e-5 short on these small
trials, outside the tolerances below: a test-suite audit): ``sqrt(vcovAdj(m)[4, 4])`` and
``get_Lb_ddf(m, c(0, 0, 0, 1))``, equal to lmerTest's ``summary(m, ddf = "Kenward-Roger")``;
``sqrt(vcov(m)[4, 4])`` is the unadjusted SE.
Tolerances: lme4's and our REML optima agree to ~1e-7 relative, so 1e-6 on the SEs and 1e-5
on the df.
"""

import pytest

from designs.analyses import lmm_slope
from designs.analyses.registry import analyze
from designs.errors import InputError
from designs.simulation.engine import simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

#: 50% gone by month 12 (a heavy attrition) at 10 per arm; PRO-ACT-like at 15 per arm.
HEAVY = [0.0, 0.07, 0.13, 0.19, 0.25, 0.3, 0.35, 0.39, 0.42, 0.45, 0.47, 0.49, 0.5]

#: The default's dropout schedule when the references were computed: van Eijk 2025's
#: all-cause attrition, deaths included (the default has split deaths off it since).
ALL_CAUSE_2025 = [0.0, 0.0351, 0.069, 0.1017, 0.1332, 0.1636, 0.193,
                  0.2244, 0.2546, 0.2836, 0.3115, 0.3383, 0.364]  # fmt: skip

# (design, overrides, seed, index) -> (SE, KR SE, KR df) from R (see the module docstring)
CASES = [
    ("default", {"trial.n_per_arm": 10, "dropout.cumulative": HEAVY}, 555, 0,
     (0.1625606441, 0.1643697564, 16.262856)),
    ("default", {"trial.n_per_arm": 10, "dropout.cumulative": HEAVY}, 555, 1,
     (0.1932354809, 0.1991024266, 12.3697)),
    ("default", {"trial.n_per_arm": 10, "dropout.cumulative": HEAVY}, 555, 2,
     (0.1847442273, 0.189272445, 15.332799)),
    ("default", {"trial.n_per_arm": 10, "dropout.cumulative": HEAVY}, 555, 3,
     (0.2314934972, 0.23680685, 13.105842)),
    ("proact_unselected", {"trial.n_per_arm": 15, "dropout.cumulative": ALL_CAUSE_2025}, 556, 0,
     (0.3568799087, 0.3600639424, 24.125843)),
]  # fmt: skip


def _trial(design, overrides, seed, index):
    # The R references were computed on trials without a death hazard (the default design had
    # none then; it has one since): keep those trials (and, above, their dropout schedule).
    no_death = {"dropout.death_monthly_hazard": 0.0}
    inputs = simulation_inputs(load_design(design).with_overrides({**no_death, **overrides}))
    one = simulate_one_trial(inputs, seed, index)
    return {k: one[k] for k in ("patient", "arm", "month", "alsfrs_r")}


@pytest.mark.parametrize(("design", "overrides", "seed", "index", "expected"), CASES)
def test_kenward_roger_matches_pbkrtest(design, overrides, seed, index, expected):
    se0, se_kr, df_kr = expected
    data = _trial(design, overrides, seed, index)
    sat = lmm_slope.fit_data(data)
    kr = lmm_slope.fit_data(data, df_method="kenward-roger")
    assert sat.se == pytest.approx(se0, rel=1e-6)
    assert kr.se == pytest.approx(se_kr, rel=1e-6)
    assert kr.df == pytest.approx(df_kr, rel=1e-5)
    assert kr.estimate == sat.estimate and kr.df_method == "kenward-roger"
    assert kr.se > sat.se  # the adjustment inflates the covariance


def test_df_method_is_checked_and_only_for_lmm_slope():
    data = _trial(*CASES[0][:4])
    assert analyze(data, "lmm_slope", df_method="kenward-roger").df_method == "kenward-roger"
    with pytest.raises(InputError, match=r"^df_method: only lmm_slope"):
        analyze(data, "ols_slope_ttest", df_method="kenward-roger")
    with pytest.raises(InputError, match=r"^df_method: must be one of"):
        lmm_slope.fit_data(data, df_method="kr")
