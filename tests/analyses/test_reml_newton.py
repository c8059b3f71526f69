"""The exact-Hessian Newton optimiser of lmm_slope against the quasi-Newton one it replaced.

The old optimiser (finite-difference Hessian with BFGS updates) is kept as
``designs.analyses.reml.reference.lmm_slope_fit_reference``. Both minimise the same profiled
REML criterion to a Newton decrement below 1e-10, so their optima agree to far below any
statistical meaning: the tolerances below (1e-6 of the SE for the estimate, 1e-6 relative
for the SE) are the agreement asked for, 10^4 to 10^6 times the differences seen (1e-12 to
1e-10 of the SE in 20,000 trials each of the default design, informative dropout and 12 per
arm). The Satterthwaite df moves more (about 4e-6 relative) because the old Hessian was a
forward difference with relative error about 1e-6; 1e-4 bounds it on these trials (in 2 of
20,000 trials of 12 per arm, with D nearly singular, the df moved by 2e-4 and 2e-3).
"""

import numpy as np
import pytest

from designs.analyses import reml
from designs.analyses.reml.criterion import _F, _GF, _NCOL, _NW, _P, _evaluate
from designs.analyses.reml.hessian import _derivatives
from designs.analyses.reml.reference import lmm_slope_fit_reference
from designs.analyses.reml.start import _prepare
from designs.analyses.results import N_RESULT, STATUS, STATUS_OK
from designs.simulation.engine import simulate_one_trial
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

TRIALS = 60  # per design: about 1 s of fitting; enough visit patterns (about 25 per trial)

DESIGNS = {
    "default": {},  # published attrition, integer scores
    "informative": {  # dropout and death depending on the patient's decline
        "dropout.informative": 1.0,
        "dropout.death_monthly_hazard": 0.005,
        "dropout.death_informative": 1.0,
    },
    "small": {"trial.n_per_arm": 12},  # few patients: boundary fits are common
}


def engine_groups(overrides, trials, seed=5):
    """Grouped statistics of the engine's simulated trials (scheduled visits only)."""
    design = load_design(None).with_overrides(overrides)
    inputs = simulation_inputs(design)
    out = []
    for t in range(trials):
        trial = simulate_one_trial(inputs, seed, t)
        keep = trial["month"] >= 0
        patient = trial["patient"][keep]
        arms, months, scores = [], [], []
        for p in np.unique(patient):
            rows = np.flatnonzero(patient == p)
            arms.append(int(trial["arm"][keep][rows[0]]))
            months.append(trial["month"][keep][rows])
            scores.append(trial["alsfrs_r"][keep][rows])
        out.append(reml.group_statistics(arms, months, scores))
    return out


def both_fits(groups):
    """(new, reference) result vectors of one trial's grouped statistics."""
    new = reml.lmm_slope_fit_arrays(*groups)
    old = np.empty(N_RESULT)
    arm = np.ascontiguousarray(groups[0], dtype=np.int64)
    z, n, yy, zy, zz = (np.ascontiguousarray(x, dtype=np.float64) for x in groups[1:])
    lmm_slope_fit_reference(arm, z, n, yy, zy, zz, arm.size, old)
    return new, old


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_newton_matches_the_quasi_newton_reference(name):
    new_iters = []
    old_iters = []
    for groups in engine_groups(DESIGNS[name], TRIALS):
        new, old = both_fits(groups)
        assert new[STATUS] == old[STATUS]
        if old[STATUS] != STATUS_OK:
            continue
        se = old[reml.SE]
        assert abs(new[reml.ESTIMATE] - old[reml.ESTIMATE]) <= 1e-6 * se
        assert new[reml.SE] == pytest.approx(se, rel=1e-6)
        assert new[reml.DF] == pytest.approx(old[reml.DF], rel=1e-4)
        assert new[reml.SIGMA2] == pytest.approx(old[reml.SIGMA2], rel=1e-6)
        scale = np.sqrt(old[reml.D11] * old[reml.D22]) + 1e-6 * old[reml.SIGMA2]
        for slot in (reml.D11, reml.D12, reml.D22):
            assert abs(new[slot] - old[slot]) <= 1e-6 * scale
        # the new optimum is at least as good (the criterion is minimised)
        crit = old[reml.REML_CRITERION]
        assert new[reml.REML_CRITERION] <= crit + 1e-10 * abs(crit)
        new_iters.append(new[reml.N_ITER])
        old_iters.append(old[reml.N_ITER])
    assert len(new_iters) >= TRIALS // 2
    # the point of the change: fewer iterations (exact Hessian, weighted starting values)
    assert np.mean(new_iters) < np.mean(old_iters)


def test_exact_hessian_equals_differences_of_the_analytic_gradient():
    """Central differences of the analytic gradient (step 1e-5 relative: error about 1e-9)."""
    worst = 0.0
    for k, groups in enumerate(engine_groups(DESIGNS["informative"], 6, seed=11)):
        arm, ztz, n, syy, szy, szyzy = (np.ascontiguousarray(x) for x in groups)
        g = arm.size
        gs = np.empty((g, _NCOL))
        th = np.empty(3)
        n_obs, _ = _prepare(arm, ztz, n, syy, szy, szyzy, g, gs, th, np.empty(g, dtype=np.int64))
        ndf = n_obs - _P
        # away from the starting values, where the Hessian is not the optimum's
        th = th * (1.0 + 0.2 * (k % 3)) + np.array([0.05, -0.03, 0.02]) * k
        wk = np.empty(_NW)
        assert _evaluate(th, gs, arm, g, ndf, True, wk)
        grad = wk[_GF : _GF + 3].copy()
        hess = np.empty((3, 3))
        wk_d = np.empty(_NW)
        assert _evaluate(th, gs, arm, g, ndf, False, wk_d)
        _derivatives(th, gs, arm, g, ndf, wk_d, hess)
        # the one-pass derivatives give the same gradients as the criterion's second pass
        np.testing.assert_allclose(wk_d[_GF : _GF + 9], wk[_GF : _GF + 9], rtol=1e-10, atol=0)
        np.testing.assert_allclose(grad, wk_d[_GF : _GF + 3], rtol=1e-10)
        assert wk_d[_F] == wk[_F]
        fd = np.zeros((3, 3))
        for i in range(3):
            h = 1e-5 * (abs(th[i]) + 0.1)
            for sign in (1.0, -1.0):
                tp = th.copy()
                tp[i] += sign * h
                assert _evaluate(tp, gs, arm, g, ndf, True, wk)
                fd[i] += sign * wk[_GF : _GF + 3] / (2 * h)
        fd = 0.5 * (fd + fd.T)
        worst = max(worst, np.max(np.abs(hess - fd)) / np.max(np.abs(fd)))
    assert worst < 1e-6
