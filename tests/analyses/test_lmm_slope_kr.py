"""``lmm_slope_kr``: the engine's Kenward-Roger kernel on grouped statistics against the
per-patient NumPy implementation (designs.analyses.reml.kenward_roger) and against R.

Reference values from R (R 4.2.2, lme4 1.1.31, pbkrtest 0.5.2; ``sqrt(vcovAdj(m)[4, 4])``
and ``get_Lb_ddf(m, c(0, 0, 0, 1))`` of ``alsfrs_r ~ month * arm + (month | patient)``,
REML, fitted to the optimum as there) are those of tests/analyses/test_kenward_roger.py, on
the same exported trials: the
default design at 10 per arm with 50% gone by month 12, seed 555, trials 0-3. Tolerances:
the grouped and the per-patient algebra are the same sums in another order (they agree to
~1e-14 relative), so 1e-9 relative; against R 1e-6 on SEs and 1e-5 on the df, as lme4's
and our REML optima agree to ~1e-7.
"""

import numpy as np
import pytest

from designs.analyses import lmm_slope_kr, reml
from designs.analyses import results as R
from designs.analyses.data_table import after_randomisation, patients, validate_table
from designs.analyses.registry import analyze
from designs.analyses.reml.kenward_roger import kenward_roger
from designs.simulation.engine import run_trials, simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

#: No deaths on top of HEAVY (the default design has a death hazard).
NO_DEATH = {"dropout.death_monthly_hazard": 0.0}
#: 50% gone by month 12 (cumulative dropout at months 0-12) at 10 per arm.
HEAVY = [0.0, 0.07, 0.13, 0.19, 0.25, 0.3, 0.35, 0.39, 0.42, 0.45, 0.47, 0.49, 0.5]
SEED = 555
#: trial index -> (REML SE, KR SE, KR df) from R (see the module docstring)
R_VALUES = {
    0: (0.1625606441, 0.1643697564, 16.262856),
    1: (0.1932354809, 0.1991024266, 12.3697),
    2: (0.1847442273, 0.189272445, 15.332799),
    3: (0.2314934972, 0.23680685, 13.105842),
}
TRIALS = 12


@pytest.fixture(scope="module")
def heavy_inputs():
    over = {"trial.n_per_arm": 10, "dropout.cumulative": HEAVY}
    return simulation_inputs(load_design("default").with_overrides({**NO_DEATH, **over}))


@pytest.fixture(scope="module")
def engine(heavy_inputs):
    return run_trials(heavy_inputs, TRIALS, SEED, ("lmm_slope", "lmm_slope_kr"))


def _numpy_kr(inputs, trial):
    """(REML SE, KR SE, KR df) of one exported trial by the per-patient NumPy code."""
    one = simulate_one_trial(inputs, SEED, trial)
    data = {k: one[k] for k in ("patient", "arm", "month", "alsfrs_r")}
    arms, months, scores = patients(after_randomisation(validate_table(data)))
    out = reml.lmm_slope_fit_arrays(*reml.group_statistics(arms, months, scores))
    cov = np.array([[out[reml.D11], out[reml.D12]], [out[reml.D12], out[reml.D22]]])
    var0, var_a, df = kenward_roger(arms, months, float(out[reml.SIGMA2]), cov)
    return np.sqrt(var0), np.sqrt(var_a), df


@pytest.mark.parametrize("trial", range(TRIALS))
def test_engine_kernel_equals_the_numpy_kenward_roger(trial, heavy_inputs, engine):
    se0, se_kr, df_kr = _numpy_kr(heavy_inputs, trial)
    assert engine.column("lmm_slope_kr", R.STATUS)[trial] == R.STATUS_OK
    got_se = engine.column("lmm_slope_kr", R.SE)[trial]
    got_df = engine.column("lmm_slope_kr", R.DF)[trial]
    np.testing.assert_allclose(got_se, se_kr, rtol=1e-9)
    np.testing.assert_allclose(got_df, df_kr, rtol=1e-9)
    np.testing.assert_allclose(
        engine.column("lmm_slope_kr", lmm_slope_kr.SE_UNADJUSTED)[trial], se0, rtol=1e-9
    )
    # the same REML fit as lmm_slope: same estimate and unadjusted SE, bit for bit
    for slot_kr, slot in ((R.ESTIMATE, R.ESTIMATE), (lmm_slope_kr.SE_UNADJUSTED, R.SE)):
        assert (
            engine.column("lmm_slope_kr", slot_kr)[trial] == engine.column("lmm_slope", slot)[trial]
        )
    assert got_se > engine.column("lmm_slope", R.SE)[trial]  # the adjustment inflates


@pytest.mark.parametrize("trial", sorted(R_VALUES))
def test_engine_kernel_equals_pbkrtest(trial, engine):
    se0, se_kr, df_kr = R_VALUES[trial]
    assert engine.column("lmm_slope_kr", lmm_slope_kr.SE_UNADJUSTED)[trial] == pytest.approx(
        se0, rel=1e-6
    )
    assert engine.column("lmm_slope_kr", R.SE)[trial] == pytest.approx(se_kr, rel=1e-6)
    assert engine.column("lmm_slope_kr", R.DF)[trial] == pytest.approx(df_kr, rel=1e-5)


def test_kenward_roger_alone_fits_as_with_lmm_slope(heavy_inputs, engine):
    """Run without lmm_slope, the kernel fits REML itself: the same numbers as when it
    copies lmm_slope's fit."""
    alone = run_trials(heavy_inputs, TRIALS, SEED, ("lmm_slope_kr",))
    for slot in range(R.N_RESULT):
        np.testing.assert_array_equal(
            alone.column("lmm_slope_kr", slot), engine.column("lmm_slope_kr", slot)
        )


def test_real_data_fit_equals_the_numpy_path(heavy_inputs):
    """analyze(..., "lmm_slope_kr") equals lmm_slope's real-data Kenward-Roger option."""
    one = simulate_one_trial(heavy_inputs, SEED, 1)
    data = {k: one[k] for k in ("patient", "arm", "month", "alsfrs_r")}
    kr = analyze(data, "lmm_slope_kr")
    ref = analyze(data, "lmm_slope", df_method="kenward-roger")
    assert kr.analysis == "lmm_slope_kr" and kr.df_method == "kenward-roger"
    assert kr.estimate == pytest.approx(ref.estimate, rel=1e-12)
    assert kr.se == pytest.approx(ref.se, rel=1e-9)
    assert kr.df == pytest.approx(ref.df, rel=1e-9)
    assert kr.p_value == pytest.approx(ref.p_value, rel=1e-8)


def test_a_failed_fit_stays_failed():
    """One group per arm with one visit each: no slope is estimable, the fit fails and the
    adjustment leaves it failed (never a number)."""
    out = np.empty(R.N_RESULT)
    lmm_slope_kr.lmm_slope_kr_fit(
        np.array([0, 1]), np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]), np.array([5.0, 5.0]),
        np.array([100.0, 100.0]), np.array([[20.0, 0.0], [20.0, 0.0]]),
        np.array([[400.0, 0.0, 0.0], [400.0, 0.0, 0.0]]), 2, out,
    )  # fmt: skip
    assert out[R.STATUS] == R.STATUS_FAILED and np.isnan(out[R.SE])


@pytest.mark.slow
def test_type_i_error_at_10_per_arm_with_half_gone():
    """Under the null (effect 0), 10 per arm with 50% gone by month 12 (HEAVY), 20,000
    trials, two-sided alpha 0.05: lmm_slope (Satterthwaite) is liberal, as the statistical
    review found with lmerTest (5.49%); lmm_slope_kr is within 3 Monte Carlo SE of alpha.
    Measured at this seed: lmm_slope 5.66% (MC SE 0.16%), lmm_slope_kr 5.04% (0.15%).

    Tolerances: the binomial MC SE, sqrt(p (1 - p) / trials), at alpha for the Kenward-Roger
    check (0.154%: the band is alpha +- 0.46%) and at the observed rate for Satterthwaite's
    excess; both analyses see the same trials, so the difference is paired.
    """
    from designs.planning.power import power

    trials, alpha = 20_000, 0.05
    over = {"trial.n_per_arm": 10, "dropout.cumulative": HEAVY, "effect.value": 0.0}
    design = load_design("default").with_overrides({**NO_DEATH, **over})
    out = power(design, trials, 2026, ("lmm_slope", "lmm_slope_kr"))
    sat, kr = out["lmm_slope"], out["lmm_slope_kr"]
    assert sat.failed_fits == 0 and kr.failed_fits == 0
    mc_se_alpha = np.sqrt(alpha * (1 - alpha) / trials)
    assert abs(kr.power - alpha) < 3 * mc_se_alpha
    assert sat.power > alpha + 3 * sat.mc_se
    assert kr.power < sat.power


def test_df_of_exactly_four_is_pbkrtests_limit(repo_root):
    """An edge-design review: with 3 patients per arm and complete data the Kenward-Roger
    scale's ``1 - c3 B`` is exactly 0, so rho is infinite and df its limit 4 (pbkrtest's
    ``rho = Inf``); the kernel divided by 0 and the fit was counted as failed (169 of 4,000
    such trials). The trial (``tests/data/kr_df4_trial.csv``, continuous scores; made by
    ``simulate.py trial --seed 101 --index 4 --n-per-arm 3`` with no dropout or death,
    integer_scores false, a slope difference of 0.6) against R 4.2.2, lme4 1.1.31, lmerTest
    3.1.3 and pbkrtest 0.5.2: ``summary(lmer(alsfrs_r ~ month * arm + (month | patient),
    REML = TRUE, control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend =
    1e-12))), ddf = "Kenward-Roger")``. Tolerances as the module's: the REML optima agree
    to ~1e-7."""
    import csv

    with open(repo_root / "tests/data/kr_df4_trial.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    data = {
        "patient": np.array([int(r["patient"]) for r in rows]),
        "arm": np.array([int(r["arm"]) for r in rows]),
        "month": np.array([float(r["month"]) for r in rows]),
        "alsfrs_r": np.array([float(r["alsfrs_r"]) for r in rows]),
    }
    kr = analyze(data, "lmm_slope_kr", whole_scores=False)  # a simulated continuous trial
    assert kr.df == pytest.approx(4.0, abs=1e-9)
    assert kr.estimate == pytest.approx(0.7248401336996575, rel=1e-7)
    assert kr.se == pytest.approx(0.2525952122617512, rel=1e-6)
    assert kr.p_value == pytest.approx(0.0454882276357762, rel=1e-5)
    # the engine's kernel on the same design's simulated trials: none fails any more
    design = load_design().with_overrides(
        {
            "trial.n_per_arm": 3,
            "dropout.cumulative": [0.0] * 13,
            "dropout.death_monthly_hazard": 0.0,
            "population.integer_scores": False,
            "effect.kind": "slope_difference",
            "effect.value": 0.6,
            "effect.allow_improvement": True,  # 0.6 on a decline of 0.5, as in the review
        }
    )
    res = run_trials(simulation_inputs(design), 400, 101, ("lmm_slope_kr",))
    assert not res.failed("lmm_slope_kr").any()
    df = res.results[:, 0, R.DF]
    assert np.all(df >= 4.0 - 1e-9), df.min()  # df 4 is the least KR gives here


@pytest.mark.parametrize(
    ("name", "estimate", "se", "p_value"),
    [
        ("kr_df2_trial_a.csv", 0.20955, 0.242856297593, 0.47915911847),
        ("kr_df2_trial_b.csv", 0.050705, 0.207830096792, 0.829996044725),
    ],
)
def test_df_near_two_is_pbkrtests(repo_root, name, estimate, se, p_value):
    """A numerics review: at 2 patients per arm the df is 2, and pbkrtest's formula written
    out (rho = ((1 - a2) / v1)^2 v0 / v2, with v1 = 1 - a1 near 0) divided rounding noise by
    rounding noise: df 2.101 (p 0.4754) on trial a, NaN on trial b (``analyze --df-method
    kenward-roger`` printed p nan, exit 0), and 2.8% of the engine's fits counted as failed.
    With q = 1 it reduces exactly to df = 2 / a1. The trials (2 per arm, visits 0-12 every
    3 months, continuous scores; tests/data/kr_df2_trial_*.csv, from the review) against R
    4.2.2, lme4 1.1.31, lmerTest 3.1.3, pbkrtest 0.5.2: ``summary(lmer(alsfrs_r ~ month *
    arm + (month | patient), REML = TRUE, control = lmerControl(optimizer = "bobyqa",
    optCtrl = list(rhoend = 1e-12))), ddf = "Kenward-Roger")``: df 2 for both. Tolerances as
    the module's (R printed the estimate to its 5 digits)."""
    import csv

    with open(repo_root / "tests/data" / name, newline="") as f:
        rows = list(csv.DictReader(f))
    data = {
        "patient": np.array([r["patient"] for r in rows]),
        "arm": np.array([int(r["arm"]) for r in rows]),
        "month": np.array([float(r["month"]) for r in rows]),
        "alsfrs_r": np.array([float(r["alsfrs_r"]) for r in rows]),
    }
    for fit in (
        analyze(data, "lmm_slope_kr", whole_scores=False),
        analyze(data, "lmm_slope", df_method="kenward-roger", whole_scores=False),
    ):
        assert fit.df == pytest.approx(2.0, rel=1e-5)
        assert fit.estimate == pytest.approx(estimate, abs=5e-6)
        assert fit.se == pytest.approx(se, rel=1e-6)
        assert fit.p_value == pytest.approx(p_value, rel=1e-5)


def test_no_fit_fails_for_its_df_at_two_per_arm():
    """The engine at 2 per arm, complete data: every fit that REML finishes gets its
    Kenward-Roger df, 2 up to rounding (2.8% were marked failed, df 1.33-2.26 before)."""
    design = load_design().with_overrides(
        {
            "trial.n_per_arm": 2,
            "trial.visits_months": [0.0, 3.0, 6.0, 9.0, 12.0],
            "dropout.cumulative": [0.0] * 5,
            "population.integer_scores": False,
            **NO_DEATH,
        }
    )
    res = run_trials(simulation_inputs(design), 2000, 7, ("lmm_slope", "lmm_slope_kr"))
    assert not res.failed("lmm_slope").any()
    assert not res.failed("lmm_slope_kr").any()
    np.testing.assert_allclose(res.column("lmm_slope_kr", R.DF), 2.0, rtol=1e-6)
