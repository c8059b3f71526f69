"""Closed-form sample sizes and power (designs.planning.closed_form) reproduce the published
tables (docs/references.md#validation-tables)."""

import math

import numpy as np
import pytest

from designs.errors import InputError
from designs.planning import closed_form as cf
from designs.planning import published_formulas as pf
from designs.spec import load_design

# --------------------------------------------------------------------------- V1, V2 (Diggle 2002)

V1 = {  # rho -> {sigma^2: published n per group (ceiling)}
    0.2: {100: 313, 200: 625, 300: 938},
    0.5: {100: 196, 200: 391, 300: 586},
    0.8: {100: 79, 200: 157, 300: 235},
}
V2 = {  # rho -> {d: published n per group (ceiling)}
    0.2: {0.2: 145, 0.3: 65, 0.4: 37, 0.5: 24},
    0.5: {0.2: 207, 0.3: 92, 0.4: 52, 0.5: 33},
    0.8: {0.2: 268, 0.3: 120, 0.4: 67, 0.5: 43},
}


@pytest.mark.parametrize(
    ("rho", "sigma2", "expected"),
    [(rho, s2, n) for rho, row in V1.items() for s2, n in row.items()],
)
def test_v1_diggle_slope_table(rho, sigma2, expected):
    n = pf.diggle_slope_n(0.5, [0, 2, 5], sigma2, rho, alpha=0.05, power=0.8, sides=1)
    assert math.ceil(n) == expected


def test_v1_sum_of_squares_is_the_published_12_667():
    t = np.array([0, 2, 5])
    assert np.sum((t - t.mean()) ** 2) == pytest.approx(12.667, abs=5e-4)


@pytest.mark.parametrize(
    ("rho", "d", "expected"),
    [(rho, d, n) for rho, row in V2.items() for d, n in row.items()],
)
def test_v2_diggle_mean_table(rho, d, expected):
    n = pf.diggle_mean_n(d, 3, 1.0, rho, alpha=0.05, power=0.8, sides=1)
    assert math.ceil(n) == expected


# --------------------------------------------------------------------------- V3 (Ard & Edland)

V3_VISITS = np.arange(7) * 0.25  # years
V3_COV = 0.8 * math.sqrt(55) * math.sqrt(24)


def _v3_var(cumulative=None):
    return cf.slope_variance_per_patient(V3_VISITS, 55.0, 24.0, V3_COV, 10.0, cumulative)


def test_v3_complete_data_n_per_arm():
    n = cf.n_per_arm_slope(1.5, _v3_var(), alpha=0.05, power=0.8, sides=2)
    assert n == pytest.approx(207.31, abs=0.01)


def test_v3_complete_data_equals_ols_slope_variance():
    t = V3_VISITS
    assert _v3_var() == pytest.approx(24.0 + 10.0 / np.sum((t - t.mean()) ** 2), rel=1e-12)


def test_v3_detectable_difference_at_208():
    assert cf.detectable_slope_difference(208, _v3_var()) == pytest.approx(1.4975, abs=1e-4)


def test_v3_with_attrition():
    cum = [0, 0, 0.05, 0.10, 0.15, 0.20, 0.25]
    n = cf.n_per_arm_slope(1.5, _v3_var(cum))
    assert n == pytest.approx(227.24, abs=0.01)


def test_last_visit_proportions_from_cumulative():
    p = cf.last_visit_proportions([0, 0, 0.05, 0.10, 0.15, 0.20, 0.25])
    np.testing.assert_allclose(p, [0, 0.05, 0.05, 0.05, 0.05, 0.05, 0.75], atol=1e-12)


def test_power_is_the_inverse_of_n():
    v = _v3_var()
    n = cf.n_per_arm_slope(1.5, v)
    assert cf.power_slope(n, 1.5, v) == pytest.approx(0.8, abs=1e-5)  # far tail ~1e-6
    assert cf.power_slope(0.0 + n, 0.0, v) == pytest.approx(0.05, abs=1e-12)
    # t reference is slightly less powerful at this n
    assert 0.79 < cf.power_slope(n, 1.5, v, t_df=True) < 0.8


@pytest.mark.parametrize(
    "n, delta, sd, two_sided, one_sided",
    [
        (10, 1.0, 1.2, 0.4223914950, 0.4222958526),
        (25, 0.5, 1.0, 0.4101003324, 0.4099896034),
        (6, 2.0, 1.5, 0.5499873565, 0.5499643887),
    ],
)
def test_t_power_equals_r_power_t_test(n, delta, sd, two_sided, one_sided):
    """``t_df=True`` is the two-sample t test on ``2n - 2`` df: R 4.2.2's
    ``power.t.test(n, delta, sd, sig.level = 0.05, strict = TRUE)`` (both tails) and, one-sided,
    ``sig.level = 0.025, alternative = "one.sided"``, computed by hand and pasted here (a
    test-suite audit: ``2n - 1`` df, a planted bug, passed every test before this one; it
    moves the power by 8e-3 at n = 6, by 3e-4 at n = 25)."""
    v = sd**2
    assert cf.power_slope_arms(n, n, delta, v, t_df=True) == pytest.approx(two_sided, abs=1e-9)
    one = cf.power_slope_arms(n, n, delta, v, t_df=True, sides=1, alpha=0.025)
    assert one == pytest.approx(one_sided, abs=1e-9)


def test_unequal_allocation_scales_by_inverse_fractions():
    v = _v3_var()
    n11 = cf.n_total_slope(1.5, v)
    n12 = cf.n_total_slope(1.5, v, allocation=(1, 2))
    assert n12 / n11 == pytest.approx((3 + 1.5) / 4)
    half = cf.n_per_arm_slope(1.5, v, allocation=(1, 2))
    assert cf.power_slope(half, 1.5, v, allocation=(1, 2)) == pytest.approx(0.8, abs=1e-5)


def test_bad_inputs_to_slope_variance():
    with pytest.raises(InputError, match="singular"):
        cf.slope_variance_per_patient([0, 1, 2], 0, 0, 0, 0)
    # no residual variance: the observations' covariance X D X' is singular at three visits
    # or more, whatever D (the GLS is undefined; the robust prior's unit SD is refused then)
    with pytest.raises(InputError, match="singular"):
        cf.slope_variance_per_patient([0, 1, 2], 5.0, 0.1, 0.0, 0.0)
    with pytest.raises(InputError, match="singular"):
        cf.slope_variance_per_patient([0, 1, 2], 5.0, 0.1, 0.0, 0.0, [0, 0.2, 0.4])
    with pytest.raises(InputError, match="non-decreasing"):
        cf.slope_variance_per_patient([0, 1, 2], 1, 1, 0, 1, [0, 0.5, 0.4])
    with pytest.raises(InputError, match="3 visits"):
        cf.slope_variance_per_patient([0, 1, 2], 1, 1, 0, 1, [0, 0.5])
    with pytest.raises(InputError, match="strictly increasing"):
        cf.slope_variance_per_patient([0, 0, 2], 1, 1, 0, 1)


# --------------------------------------------------------------------------- V4 (Lu, Luo & Chen)

V4_PHI = {  # (J, a_J) -> phi_1 at rho^(J-1) = 0, .1, .3, .5, .7, .9
    (2, 0.1): [1.1111, 1.1100, 1.1011, 1.0833, 1.0567, 1.0211],
    (2, 0.2): [1.2500, 1.2475, 1.2275, 1.1875, 1.1275, 1.0475],
    (4, 0.2): [1.2500, 1.2247, 1.1839, 1.1389, 1.0880, 1.0309],
    (4, 0.4): [1.6667, 1.5901, 1.4749, 1.3541, 1.2220, 1.0773],
}


@pytest.mark.parametrize(("j", "a_j"), list(V4_PHI))
def test_v4_phi_table(j, a_j):
    retention = np.linspace(1, 1 - a_j, j)
    got = [
        pf.lu_luo_chen_phi(pf.ar1_correlation(j, c ** (1 / (j - 1))), retention)
        for c in (0, 0.1, 0.3, 0.5, 0.7, 0.9)
    ]
    np.testing.assert_allclose(got, V4_PHI[(j, a_j)], atol=5e-5)


@pytest.mark.parametrize(
    ("phi1", "phi2", "lam", "z_total", "t_total"),
    [
        (1, 1, 1, 168.12, 170.15),
        (1, 1, 2, 189.13, 191.16),
        (1, 2, 1, 252.18, 254.19),
        (2, 2, 2, 378.27, 380.27),
    ],
)
def test_v4_total_n(phi1, phi2, lam, z_total, t_total):
    kw = {"alpha": 0.05, "power": 0.9, "sides": 2}
    assert pf.lu_luo_chen_total_n(phi1, phi2, lam, 0.5, **kw) == pytest.approx(z_total, abs=0.01)
    got_t = pf.lu_luo_chen_total_n(phi1, phi2, lam, 0.5, t_test=True, **kw)
    assert got_t == pytest.approx(t_total, abs=0.01)


# --------------------------------------------------------------------------- designs


def test_design_power_default_is_sensible_and_monotone():
    d = load_design()
    p100 = cf.design_power(d)
    assert 0.3 < p100 < 0.8
    assert cf.design_power(d.with_overrides({"trial.n_per_arm": 200})) > p100
    assert cf.design_power(d.with_overrides({"effect.value": 0.0})) == pytest.approx(0.05)
    # no dropout -> more power; t reference -> slightly less
    assert cf.design_power(d.with_overrides({"dropout.cumulative": []})) > p100
    assert cf.design_power(d, t_df=True) < p100
    assert cf.design_power(d, favourable_only=True) <= p100


def test_design_power_matches_edland_by_hand():
    d = load_design().with_overrides(
        {
            "dropout.cumulative": [],
            "dropout.death_monthly_hazard": 0.0,
            "population.slope_sd": 0.3,
        }
    )
    t = np.arange(13.0)
    v = 0.3**2 + 2.0**2 / np.sum((t - t.mean()) ** 2)
    delta = 0.25 * 0.5
    expected = cf.power_slope(100, delta, v)
    assert cf.design_power(d) == pytest.approx(expected, rel=1e-9)


def test_design_power_refuses_posterior_effect():
    d = load_design().with_overrides({"effect.source": "posterior"})
    with pytest.raises(InputError, match=r"effect\.source"):
        cf.design_power(d)


@pytest.mark.parametrize("corr", [0.0, -0.4])
def test_delta_fs_screening_gives_the_admitted_patients_random_effects(corr):
    """Review finding: under delta-FS screening the closed form (the report's dotted curve,
    the search's bracket, the information of looks) used the candidates' slope SD (0.75 on
    proact_enriched_dfs) where the randomised patients' is 0.70. Checked against 2,000,000
    candidates screened by the documented rule in NumPy (w = -rho z_s + sqrt(1 - rho^2) z',
    admitted when log delta-FS is within the bounds): each moment within 4 of its MC SEs
    (the SE of a sample variance sqrt(2 / m) v, of a covariance sqrt((v_a v_s + c^2) / m))."""
    design = load_design("proact_enriched_dfs").with_overrides(
        {"population.baseline_slope_corr": corr}
    )
    pop, en = design.population, design.enrichment
    rng = np.random.default_rng(11)
    m = 2_000_000
    z1, z2, z4 = rng.standard_normal((3, m))
    z_s = corr * z1 + math.sqrt(1 - corr**2) * z2
    rho = pop.delta_fs_slope_corr
    mu, sd = pop.delta_fs_log_params
    log_dfs = mu + sd * (-rho * z_s + math.sqrt(1 - rho**2) * z4)
    keep = log_dfs <= math.log(en.delta_fs_max)
    a = pop.baseline_mean + pop.baseline_sd * z1[keep]
    s = pop.slope_mean + pop.slope_sd * z_s[keep]
    n = int(keep.sum())
    got = en.admitted_random_effects(pop)
    va, vs, c = np.var(a), np.var(s), np.cov(a, s)[0, 1]
    assert got[0] == pytest.approx(va, abs=4 * math.sqrt(2 / n) * va)
    assert got[2] == pytest.approx(vs, abs=4 * math.sqrt(2 / n) * vs)
    assert got[1] == pytest.approx(c, abs=4 * math.sqrt((va * vs + c * c) / n))
    # the closed form's slope variance is the admitted patients', smaller than the candidates'
    unscreened = load_design("proact_unselected").with_overrides(
        {"population.baseline_slope_corr": corr}
    )
    assert unscreened.enrichment.admitted_random_effects(unscreened.population)[2] == 0.75**2
    assert cf.design_slope_variances(design)[0] < cf.design_slope_variances(unscreened)[0]


@pytest.mark.parametrize(("allocation", "v_a"), [((1, 1), 0.09), ((1, 2), 0.09), ((1, 2), 0.13)])
def test_n_total_slope_arms_inverts_the_power_of_its_arms(allocation, v_a):
    """With one variance it is n_total_slope; with the arms' own variances, the arms it gives
    reach the target power by power_slope_arms (favourable side: the formula drops the far
    tail), another path through the normal quantiles."""
    v_p, delta = 0.09, 0.125
    total = cf.n_total_slope_arms(delta, v_p, v_a, power=0.8, allocation=allocation)
    if v_a == v_p:
        same = cf.n_total_slope(delta, v_p, power=0.8, allocation=allocation)
        assert total == pytest.approx(same, rel=1e-12)
    r_p = allocation[0] / sum(allocation)
    arms = (total * r_p, total * (1 - r_p))
    power = cf.power_slope_arms(*arms, delta, v_p, v_a, favourable_only=True)
    assert power == pytest.approx(0.8, abs=1e-9)
    assert math.isinf(cf.n_total_slope_arms(0.0, v_p, v_a))


def _slope_variance_straightforward(t, vi, vs, c, s2, cumulative):
    """``(sum_k p_k X_k' V_k^-1 X_k)^-1 [2, 2]`` with each ``V_k`` built and solved in full."""
    t = np.asarray(t, dtype=float)
    d = np.array([[vi, c], [c, vs]])
    if cumulative is None:
        p = np.zeros(t.size)
        p[-1] = 1.0
    else:
        p = cf.last_visit_proportions(cumulative)
    info = np.zeros((2, 2))
    for k in range(t.size):
        x = np.column_stack([np.ones(k + 1), t[: k + 1]])
        v = x @ d @ x.T + s2 * np.eye(k + 1)
        info += p[k] * x.T @ np.linalg.solve(v, x)
    return np.linalg.inv(info)[1, 1]


def test_slope_variance_equals_the_straightforward_gls():
    """The 2 x 2 form, ``X' V^-1 X = (D + sigma^2 (X'X)^-1)^-1`` from running sums, against
    building and solving each ``V_k`` (k x k) on 200 random designs: visits (lead-in ones
    below 0 too), variance components (a zero slope variance, a perfect correlation), dropout
    (some leaving after the first visit) or none. Both are exact algebra: they agree to
    rounding (1e-11 relative)."""
    rng = np.random.default_rng(7)
    for i in range(200):
        k = int(rng.integers(2, 60))
        t = np.cumsum(rng.uniform(0.05, 3.0, k)) - rng.uniform(0.0, 6.0)
        vi, vs = rng.uniform(0.0, 30.0), rng.uniform(0.0, 0.5) * (i % 7 != 0)
        c = rng.uniform(-1.0, 1.0) * math.sqrt(vi * vs) if i % 11 else math.sqrt(vi * vs)
        s2 = rng.uniform(0.1, 6.0)
        cumulative = None
        if i % 3:
            cumulative = np.sort(rng.uniform(0.0, 0.8, k))
            cumulative[0] = 0.0 if i % 2 else cumulative[0]
        got = cf.slope_variance_per_patient(t, vi, vs, c, s2, cumulative)
        expected = _slope_variance_straightforward(t, vi, vs, c, s2, cumulative)
        assert got == pytest.approx(expected, rel=1e-11), i


def test_each_patterns_information_equals_the_straightforward_solve():
    """``pattern_information`` (what the looks' information and the slope variance sum) is
    ``X_a' V_a^-1 X_a`` for a patient seen at the first ``a`` visits, each ``V_a`` built and
    solved in full (a diff review: the looks' copy of the k x k solve took 44 s at the
    page's 925 visits), to 1e-11 of each matrix's largest element, on 30 random designs."""
    rng = np.random.default_rng(11)
    for _ in range(30):
        k = int(rng.integers(1, 40))
        t = np.cumsum(rng.uniform(0.05, 3.0, k)) - rng.uniform(0.0, 6.0)
        vi, vs = rng.uniform(0.1, 30.0), rng.uniform(0.0, 0.5)
        c = rng.uniform(-1.0, 1.0) * math.sqrt(vi * vs)
        d = np.array([[vi, c], [c, vs]])
        s2 = rng.uniform(0.1, 6.0)
        got = cf.pattern_information(t, d, s2)
        assert got.shape == (k + 1, 2, 2) and not got[0].any()
        for a in range(1, k + 1):
            x = np.column_stack([np.ones(a), t[:a]])
            v = x @ d @ x.T + s2 * np.eye(a)
            expected = x.T @ np.linalg.solve(v, x)  # to 1e-11 of its largest element
            np.testing.assert_allclose(got[a], expected, rtol=0, atol=1e-11 * abs(expected).max())


def test_the_figure_draws_the_closed_form_where_the_methods_text_checks_with_it():
    """An HTA review: the sample-size figure drew the closed form (80% at about 182 per
    arm) beside a simulated 495 for an effect from month 3, and beside 577 for the OLS
    t-test with attrition, where the methods text rightly gave no closed-form check. The
    figure's reference now follows the text's rule (``closed_form_models``), which models
    delta-FS screening (the admitted patients' random effects) and not an effect's delay,
    the OLS t-test with attrition, or screening on a lead-in."""
    from types import SimpleNamespace

    from designs.outputs.methods_checks import closed_form_check
    from designs.planning.report_plan import closed_form_reference

    result = SimpleNamespace(curve=SimpleNamespace(sizes=np.array([150, 100, 200])))
    default = load_design()
    complete = default.with_overrides(
        {"dropout.cumulative": [], "dropout.death_monthly_hazard": 0.0}
    )
    cases = {
        "as designed": (default, "lmm_slope", True),
        "delta-FS screening": (load_design("proact_enriched_dfs"), "lmm_slope", True),
        "posterior rule (frequentist comparison)": (
            default.with_overrides({"decision.rule": "posterior"}),
            "lmm_slope",
            True,
        ),
        "OLS t-test, complete data": (complete, "ols_slope_ttest", True),
        "OLS t-test with attrition": (default, "ols_slope_ttest", False),
        "effect from month 3": (
            default.with_overrides({"effect.onset_delay_months": 3, "effect.ramp_months": 3}),
            "lmm_slope",
            False,
        ),
        "ANCOVA": (default, "ancova_change", False),
    }
    for name, (design, analysis, drawn) in cases.items():
        reference = closed_form_reference(design, result, analysis)
        assert (reference is not None) == drawn, name
        assert cf.closed_form_models(design, analysis) == (
            drawn and not design.decision.is_posterior
        ), name
        if drawn:
            sizes, power = reference
            assert list(sizes) == [100, 150, 200] and np.all(np.diff(power) > 0), name
            at = cf.design_power(
                design.with_overrides({"trial.n_per_arm": 150}), favourable_only=True
            )
            assert power[1] == pytest.approx(at, rel=1e-12), name
    rows = [SimpleNamespace(n=150, n_total=300, target_power=0.8)]
    enriched = load_design("proact_enriched_dfs")
    text = closed_form_check(enriched, SimpleNamespace(analysis="lmm_slope", rows=rows))
    assert "As a check, the closed form" in text and "delta-FS screening admits" in text


def test_deaths_count_as_exits_and_the_effects_spread_adds_its_square():
    """A mutation review: the closed form with deaths left out, and with effect.sd in place
    of its square, passed every test of this file. Deaths at a constant hazard h are exits
    at random: a death hazard of 0.02 a month gives the same slope variance as a dropout
    schedule 1 - exp(-0.02 t) at the visits. On complete data the per-patient slope estimate
    is the least-squares one, of variance slope_sd^2 + residual_sd^2 / Sxx, and a spread of
    the effect adds effect.sd^2 in the active arm (0.09 at SD 0.3)."""
    from designs.planning.closed_form import design_slope_variances
    from designs.spec import load_design

    months = np.arange(13.0)
    none = {"dropout.cumulative": [], "dropout.monthly_hazard": 0.0}
    deaths = load_design().with_overrides({**none, "dropout.death_monthly_hazard": 0.02})
    schedule = load_design().with_overrides(
        {
            "dropout.cumulative": (1.0 - np.exp(-0.02 * months)).tolist(),
            "dropout.monthly_hazard": 0.0,
            "dropout.death_monthly_hazard": 0.0,
        }
    )
    complete = load_design().with_overrides({**none, "dropout.death_monthly_hazard": 0.0})
    v_deaths, v_schedule, v_complete = (
        design_slope_variances(d)[0] for d in (deaths, schedule, complete)
    )
    assert v_deaths == pytest.approx(v_schedule, rel=1e-9)
    assert v_deaths > 1.05 * v_complete  # so leaving deaths out would show
    p = complete.population
    sxx = float(np.sum((months - months.mean()) ** 2))  # 182
    assert v_complete == pytest.approx(p.slope_sd**2 + p.residual_sd**2 / sxx, rel=1e-9)
    spread = complete.with_overrides({"effect.sd": 0.3})
    v_placebo, v_active = design_slope_variances(spread)
    assert v_placebo == pytest.approx(v_complete, rel=1e-12)
    assert v_active - v_placebo == pytest.approx(0.09, rel=1e-9)
