"""The REML core of lmm_slope (designs.analyses.reml) against statsmodels MixedLM, a dense
REML reference and closed forms."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from designs.analyses import reml as lmm
from designs.analyses.reml import criterion, optimiser, start
from designs.analyses.results import DF, ESTIMATE, N_RESULT, SE, STATUS

# ---------------------------------------------------------------- data


def simulate(seed, n_per_arm, n_visits, dropout=0.0, slope_sd=0.6, corr=0.0, spacing=1.0):
    """Long-format continuous data from the random intercept and slope model.

    ``dropout``: probability that a patient leaves, at a uniformly chosen visit (monotone).
    """
    rng = np.random.default_rng(seed)
    t = spacing * np.arange(n_visits, dtype=float)
    rows = []
    for arm in (0, 1):
        for i in range(n_per_arm):
            z = rng.standard_normal(2)
            a = 38.0 + 5.0 * z[0]
            s = -0.9 + 0.3 * arm + slope_sd * (corr * z[0] + np.sqrt(1 - corr**2) * z[1])
            last = n_visits
            if rng.random() < dropout:
                last = int(rng.integers(1, n_visits))
            y = a + s * t[:last] + 2.0 * rng.standard_normal(last)
            for j in range(last):
                rows.append((f"p{arm}_{i}", arm, t[j], y[j]))
    return pd.DataFrame(rows, columns=["patient", "arm", "month", "alsfrs_r"])


def patients(df):
    out = []
    for _, d in df.groupby("patient", sort=False):
        out.append((int(d["arm"].iloc[0]), d["month"].to_numpy(), d["alsfrs_r"].to_numpy()))
    return out


def kernel_fit(df):
    pats = patients(df)
    groups = lmm.group_statistics(*zip(*pats, strict=True))
    return lmm.lmm_slope_fit_arrays(*groups)


# ---------------------------------------------------------------- dense reference


class DenseREML:
    """Slow, obvious REML: build V_i per patient, evaluate the criterion directly."""

    def __init__(self, df):
        self.pats = patients(df)
        self.n_obs = sum(t.size for _, t, _ in self.pats)
        self.p = 4
        # batches of patients with the same number of visits: Z (k, m, 2), X (k, m, 4), y (k, m)
        self.batches = []
        for m in sorted({t.size for _, t, _ in self.pats}):
            sel = [(a, t, y) for a, t, y in self.pats if t.size == m]
            t = np.array([s[1] for s in sel])
            arm = np.array([s[0] for s in sel], dtype=float)[:, None, None]
            z = np.stack([np.ones_like(t), t], axis=2)
            x = np.concatenate([z, arm * z], axis=2)
            self.batches.append((z, x, np.array([s[2] for s in sel])))

    def pieces(self, sigma2, d):
        """X'V^-1X, X'V^-1y, y'V^-1y, sum log|V_i| at (sigma2, D), V_i = Z_i D Z_i' + s2 I."""
        xvx = np.zeros((4, 4))
        xvy = np.zeros(4)
        yvy = 0.0
        logdet = 0.0
        for z, x, y in self.batches:
            v = z @ d @ z.transpose(0, 2, 1) + sigma2 * np.eye(z.shape[1])
            vinv = np.linalg.inv(v)
            xvx += np.einsum("kia,kij,kjb->ab", x, vinv, x)
            xvy += np.einsum("kia,kij,kj->a", x, vinv, y)
            yvy += np.einsum("ki,kij,kj->", y, vinv, y)
            logdet += np.linalg.slogdet(v)[1].sum()
        return xvx, xvy, yvy, logdet

    def deviance(self, sigma2, d):
        """-2 restricted log-likelihood, not profiled."""
        xvx, xvy, yvy, logdet = self.pieces(sigma2, d)
        beta = np.linalg.solve(xvx, xvy)
        rss = yvy - xvy @ beta
        return (self.n_obs - self.p) * np.log(2 * np.pi) + logdet + np.linalg.slogdet(xvx)[1] + rss

    def profiled(self, theta):
        """Profiled criterion in theta = (l11, l21, l22), D = sigma2 L L'."""
        lo = np.array([[theta[0], 0.0], [theta[1], theta[2]]])
        psi = lo @ lo.T
        xvx, xvy, yvy, logdet = self.pieces(1.0, psi)
        beta = np.linalg.solve(xvx, xvy)
        q = yvy - xvy @ beta
        k = self.n_obs - self.p
        return k * (1 + np.log(2 * np.pi * q / k)) + logdet + np.linalg.slogdet(xvx)[1]

    def sigma2_at(self, theta):
        lo = np.array([[theta[0], 0.0], [theta[1], theta[2]]])
        xvx, xvy, yvy, _ = self.pieces(1.0, lo @ lo.T)
        return (yvy - xvy @ np.linalg.solve(xvx, xvy)) / (self.n_obs - self.p)

    def fit(self, starts):
        """scipy.optimize from several starts (BFGS), the best polished by Nelder-Mead."""
        best = None
        for s in starts:
            r = optimize.minimize(self.profiled, s, method="BFGS", options={"gtol": 1e-7})
            if best is None or r.fun < best.fun:
                best = r
        r = optimize.minimize(
            self.profiled,
            best.x,
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 3000},
        )
        return r if r.fun < best.fun else best

    def var_b3(self, sigma2, d):
        xvx, _, _, _ = self.pieces(sigma2, d)
        return np.linalg.inv(xvx)[3, 3]

    def b3(self, sigma2, d):
        xvx, xvy, _, _ = self.pieces(sigma2, d)
        return np.linalg.solve(xvx, xvy)[3]


def d_of(out):
    return np.array([[out[lmm.D11], out[lmm.D12]], [out[lmm.D12], out[lmm.D22]]])


# ---------------------------------------------------------------- statsmodels


def statsmodels_best(df, methods=("lbfgs", "bfgs", "cg")):
    """statsmodels' best REML fit over several optimisers, polished by a restart.

    Its default optimiser sometimes stops short, so several are tried and the best llf is
    restarted once with conjugate gradients and a tight tolerance. ("powell" and "nm" with
    generous maxiter were tried too: they took minutes per data set and never won.)
    """
    import statsmodels.formula.api as smf

    model = smf.mixedlm("alsfrs_r ~ month * arm", df, groups="patient", re_formula="~month")
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in methods:
            try:
                r = model.fit(reml=True, method=method, maxiter=2000)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if np.isfinite(r.llf) and (best is None or r.llf > best.llf):
                best = r
        r = model.fit(
            reml=True, method="cg", start_params=best.params_object, maxiter=5000, gtol=1e-9
        )
        if np.isfinite(r.llf) and r.llf > best.llf:
            best = r
    return best


CASES = [
    # seed, n per arm, visits, dropout
    (seed, 10 + (7 * seed) % 51, 3 + (5 * seed) % 11, 0.4 if seed % 2 else 0.0)
    for seed in range(30)
]


def _check_against_statsmodels(seed, n, m, dropout):
    df = simulate(seed, n, m, dropout=dropout, slope_sd=0.6, corr=0.3)
    out = kernel_fit(df)
    assert out[STATUS] == 0
    sm = statsmodels_best(df)
    d_sm = sm.cov_re.to_numpy()
    sigma2_sm = sm.scale
    ref = DenseREML(df)
    # our optimum is at least as good as statsmodels' best. Its reported llf can differ from
    # the criterion at its reported estimates by ~1e-9 relative near the boundary, so the
    # comparison uses the dense criterion evaluated at statsmodels' estimates.
    crit_sm = ref.deviance(sigma2_sm, d_sm)
    assert crit_sm == pytest.approx(-2 * sm.llf, rel=1e-8)
    assert out[lmm.REML_CRITERION] <= crit_sm + 1e-10 * abs(crit_sm)
    interior = np.linalg.eigvalsh(d_sm).min() > 1e-3 * np.abs(d_sm).max()
    if not interior:
        return False
    # the slow reference SE at statsmodels' estimates (not bse_fe, which inverts the joint
    # Hessian of fixed and variance parameters)
    se_ref = np.sqrt(ref.var_b3(sigma2_sm, d_sm))
    assert abs(out[ESTIMATE] - sm.fe_params["month:arm"]) < 1e-4 * se_ref
    assert out[SE] == pytest.approx(se_ref, rel=1e-4)
    assert out[lmm.SIGMA2] == pytest.approx(sigma2_sm, rel=1e-4)
    scale = np.sqrt(np.outer(np.diag(d_sm), np.diag(d_sm)))
    np.testing.assert_array_less(np.abs(d_of(out) - d_sm), 1e-4 * scale)
    # criterion convention: equal to -2 llf of statsmodels (no constant difference)
    assert out[lmm.REML_CRITERION] == pytest.approx(-2 * sm.llf, rel=1e-9)
    return True


@pytest.mark.parametrize("case", CASES[:8])
def test_matches_statsmodels(case):
    _check_against_statsmodels(*case)


@pytest.mark.slow
def test_matches_statsmodels_many():
    interior = [_check_against_statsmodels(*case) for case in CASES]
    assert sum(interior) >= 20  # most cases have interior optima, so the checks bite


def test_reml_criterion_equals_statsmodels_llf_at_its_optimum():
    """Our criterion at statsmodels' parameters equals -2 * its llf (same constants)."""
    df = simulate(101, 25, 6, dropout=0.3)
    sm = statsmodels_best(df, methods=("lbfgs",))
    ref = DenseREML(df)
    assert ref.deviance(sm.scale, sm.cov_re.to_numpy()) == pytest.approx(-2 * sm.llf, rel=1e-10)
    # and the kernel's criterion is the same function (its optimum <= this value)
    out = kernel_fit(df)
    assert out[lmm.REML_CRITERION] <= -2 * sm.llf + 1e-6
    assert ref.deviance(out[lmm.SIGMA2], d_of(out)) == pytest.approx(
        out[lmm.REML_CRITERION], rel=1e-10
    )


@pytest.mark.parametrize("seed", range(6))
def test_boundary_at_least_as_good_as_statsmodels(seed):
    df = simulate(200 + seed, 15 + 5 * seed, 5 + seed, dropout=0.3 * (seed % 2), slope_sd=0.0)
    out = kernel_fit(df)
    assert out[STATUS] == 0
    sm = statsmodels_best(df)
    crit_sm = min(-2 * sm.llf, DenseREML(df).deviance(sm.scale, sm.cov_re.to_numpy()))
    assert out[lmm.REML_CRITERION] <= crit_sm + 1e-6 * abs(crit_sm)
    assert np.isfinite(out[DF]) and 1.0 <= out[DF]


@pytest.mark.slow  # dense reference optimiser: about 30 s
@pytest.mark.parametrize(
    ("seed", "dropout", "slope_sd"),
    [(300, 0.0, 0.6), (301, 0.4, 0.6), (302, 0.5, 0.3), (303, 0.4, 0.0), (304, 0.0, 0.0)],
)
def test_matches_dense_reference_optimum(seed, dropout, slope_sd):
    df = simulate(seed, 12, 6, dropout=dropout, slope_sd=slope_sd, corr=-0.4)
    out = kernel_fit(df)
    assert out[STATUS] == 0
    ref = DenseREML(df)
    starts = [np.array([2.5, 0.0, 0.3]), np.array([0.5, 0.1, 0.05]), np.array([5.0, -0.2, 1.0])]
    best = ref.fit(starts)
    # kernel criterion equals the dense criterion at its own estimates...
    assert ref.deviance(out[lmm.SIGMA2], d_of(out)) == pytest.approx(
        out[lmm.REML_CRITERION], rel=1e-10
    )
    # ...and is at least as low as scipy's best from several starts
    assert out[lmm.REML_CRITERION] <= best.fun + 1e-7 * abs(best.fun)
    assert out[lmm.REML_CRITERION] == pytest.approx(best.fun, rel=1e-8)
    # estimates agree where the optimum is well defined
    th = best.x
    s2 = ref.sigma2_at(th)
    lo = np.array([[th[0], 0.0], [th[1], th[2]]])
    d_ref = s2 * lo @ lo.T
    assert out[lmm.SIGMA2] == pytest.approx(s2, rel=1e-4)
    assert out[ESTIMATE] == pytest.approx(ref.b3(s2, d_ref), abs=1e-4 * out[SE])
    assert out[SE] == pytest.approx(np.sqrt(ref.var_b3(s2, d_ref)), rel=1e-3)


@pytest.mark.parametrize(("seed", "slope_sd"), [(400, 0.6), (401, 0.3), (402, 0.0), (403, 1.0)])
def test_complete_data_equals_ols_slopes(seed, slope_sd):
    n, m = 15 + seed % 7, 4 + seed % 5
    df = simulate(seed, n, m, slope_sd=slope_sd)
    out = kernel_fit(df)
    assert out[STATUS] == 0
    slopes = {0: [], 1: []}
    for arm, t, y in patients(df):
        slopes[arm].append(np.polyfit(t, y, 1)[0])
    s0, s1 = np.array(slopes[0]), np.array(slopes[1])
    assert out[ESTIMATE] == pytest.approx(s1.mean() - s0.mean(), rel=1e-10, abs=1e-12)
    if out[lmm.D22] > 1e-6 and np.linalg.eigvalsh(d_of(out)).min() > 1e-8:
        t_res = stats.ttest_ind(s1, s0, equal_var=True)
        se_t = (s1.mean() - s0.mean()) / t_res.statistic
        assert out[SE] == pytest.approx(se_t, rel=1e-8)
        # Satterthwaite df on complete balanced data with an interior optimum: 2n - 2
        assert out[DF] == pytest.approx(2 * n - 2, rel=1e-3)


def satterthwaite_reference(ref, sigma2, d):
    """df from a central-difference Hessian of the dense deviance in (sigma2, D11, D12, D22)."""
    phi0 = np.array([sigma2, d[0, 0], d[0, 1], d[1, 1]])

    def unpack(phi):
        return phi[0], np.array([[phi[1], phi[2]], [phi[2], phi[3]]])

    def dev(phi):
        return ref.deviance(*unpack(phi))

    def var(phi):
        return ref.var_b3(*unpack(phi))

    h = 1e-3 * np.maximum(np.abs(phi0), 1e-2 * np.abs(phi0).max())
    hess = np.empty((4, 4))
    grad = np.empty(4)
    for i in range(4):
        ei = np.zeros(4)
        ei[i] = h[i]
        grad[i] = (var(phi0 + ei) - var(phi0 - ei)) / (2 * h[i])
        for j in range(4):
            ej = np.zeros(4)
            ej[j] = h[j]
            hess[i, j] = (
                dev(phi0 + ei + ej)
                - dev(phi0 + ei - ej)
                - dev(phi0 - ei + ej)
                + dev(phi0 - ei - ej)
            ) / (4 * h[i] * h[j])
    a = 2 * np.linalg.inv(hess)
    return 2 * var(phi0) ** 2 / (grad @ a @ grad)


@pytest.mark.parametrize(("seed", "dropout"), [(500, 0.4), (501, 0.5), (502, 0.0), (503, 0.3)])
def test_satterthwaite_df_matches_reference(seed, dropout):
    df = simulate(seed, 14, 6, dropout=dropout, slope_sd=0.8, corr=0.2)
    out = kernel_fit(df)
    assert out[STATUS] == 0
    assert out[lmm.DF_METHOD] == lmm.DF_SATTERTHWAITE
    assert np.linalg.eigvalsh(d_of(out)).min() > 1e-4  # interior: the reference is valid
    ref = DenseREML(df)
    df_ref = satterthwaite_reference(ref, out[lmm.SIGMA2], d_of(out))
    assert out[DF] == pytest.approx(df_ref, rel=1e-3)


def test_group_order_and_scratch_rows_do_not_matter():
    df = simulate(600, 20, 7, dropout=0.5)
    groups = lmm.group_statistics(*zip(*patients(df), strict=True))
    out1 = lmm.lmm_slope_fit_arrays(*groups)
    rng = np.random.default_rng(0)
    perm = rng.permutation(groups[0].size)
    padded = [np.concatenate([g[perm], np.full_like(g[:3], 7)]) for g in groups]
    out2 = lmm.lmm_slope_fit_arrays(*padded, n_groups=perm.size)
    np.testing.assert_allclose(out2[:10], out1[:10], rtol=1e-7)
    assert out1[STATUS] == 0


def test_failures_are_flagged():
    df = simulate(700, 10, 5)
    groups = list(lmm.group_statistics(*zip(*patients(df), strict=True)))
    # one arm only
    keep = groups[0] == 0
    out = lmm.lmm_slope_fit_arrays(*[g[keep] for g in groups])
    assert out[STATUS] == 1 and np.isnan(out[ESTIMATE])
    # NaN in the data
    bad = [g.copy() for g in groups]
    bad[3][0] = np.nan
    out = lmm.lmm_slope_fit_arrays(*bad)
    assert out[STATUS] == 1
    # a single baseline visit per patient: slopes not estimable
    one = [g.copy() for g in groups]
    one[1][:] = [1.0, 0.0, 0.0]
    out = lmm.lmm_slope_fit_arrays(*one)
    assert out[STATUS] == 1
    assert out.shape == (N_RESULT,)


def test_single_visit_patients_are_used():
    df = simulate(800, 20, 6, dropout=0.6)
    counts = df.groupby("patient").size()
    assert (counts == 1).any()
    out = kernel_fit(df)
    assert out[STATUS] == 0
    ref = DenseREML(df)
    assert ref.deviance(out[lmm.SIGMA2], d_of(out)) == pytest.approx(
        out[lmm.REML_CRITERION], rel=1e-10
    )


def test_nelder_mead_fallback_reaches_the_newton_optimum():
    df = simulate(900, 25, 6, dropout=0.4)
    groups = lmm.group_statistics(*zip(*patients(df), strict=True))
    out = lmm.lmm_slope_fit_arrays(*groups)
    arm, ztz, n, syy, szy, szyzy = groups
    g = arm.size
    gs = np.empty((g, criterion._NCOL))
    th = np.empty(3)
    pattern = np.empty(g, dtype=np.int64)
    n_obs, _ = start._prepare(arm, ztz, n, syy, szy, szyzy, g, gs, th, pattern)
    th[:] = [0.3, -0.5, 2.0]  # a poor start
    wk = np.empty(criterion._NW)
    optimiser._nelder_mead(th, gs, arm, g, n_obs - 4, wk, 5000)
    assert criterion._evaluate(th, gs, arm, g, n_obs - 4, False, wk)
    q, logdet = wk[criterion._Q], wk[criterion._LOGDET]
    crit = (n_obs - 4) * (1 + np.log(2 * np.pi * q / (n_obs - 4))) + logdet
    assert crit == pytest.approx(out[lmm.REML_CRITERION], rel=1e-9)
