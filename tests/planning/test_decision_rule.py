"""The posterior rule on simulated trials: power's success rate, the robust prior from the
phase 2 posterior, and the frequentist default left alone."""

import numpy as np
import pytest

from designs.analyses import results as R
from designs.analyses.decision import NormalMixture, lower_tail
from designs.errors import InputError
from designs.planning.assurance import effect_shift
from designs.planning.decision_rule import decision_prior, phase2_effect_prior, robust_component_sd
from designs.planning.posterior import posterior_draws
from designs.planning.power import power
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

SMALL = {"trial.n_per_arm": 40}


def test_power_counts_posterior_successes_trial_by_trial():
    """power's rate under the posterior rule is the share of analysed trials whose
    P(effect > margin | data) exceeds the threshold, recomputed here from the engine's
    estimates and SEs on the same trials."""
    design = load_design().with_overrides(
        {
            **SMALL,
            "decision.rule": "posterior",
            "decision.prior": "sceptical",
            "decision.threshold": 0.9,
            "decision.margin": 0.02,
        }
    )
    s = power(design, 3000, 7, control=False)["lmm_slope"]  # the share of the trials below
    res = run_trials(simulation_inputs(design), 3000, 7, ("lmm_slope",))
    ok = ~res.failed("lmm_slope")
    est, se = res.column("lmm_slope", R.ESTIMATE)[ok], res.column("lmm_slope", R.SE)[ok]
    tail = lower_tail(NormalMixture.normal(0.0, 0.076), est, se, 0.02)
    expected = float(np.mean(tail < 1 - 0.9))
    assert s.decision == "posterior"
    assert s.power == pytest.approx(expected, abs=1e-12)
    assert s.power_favourable == s.power
    # The sceptical prior shrinks: fewer successes than the vague rule at the same threshold.
    vague = power(design.with_overrides({"decision.prior": "vague"}), 3000, 7)["lmm_slope"]
    assert vague.power > s.power


def test_frequentist_default_is_unchanged():
    """rule = frequentist gives the test's rejections (the engine's p-values)."""
    design = load_design().with_overrides(SMALL)
    s = power(design, 1000, 3, control=False)["lmm_slope"]  # the share of the trials below
    res = run_trials(simulation_inputs(design), 1000, 3, ("lmm_slope",))
    ok = ~res.failed("lmm_slope")
    assert s.decision == "frequentist"
    assert s.power == pytest.approx(float(res.rejected("lmm_slope", 0.05, 2)[ok].mean()), abs=0)


def test_robust_prior_carries_the_phase2_posterior_over(fake_posterior):
    """Robust prior = w x (normal mixture fitted to the transported phase 2 draws) +
    (1 - w) x N(0, unit-information SD^2); the fitted part matches the draws' mean and SD
    (fake posterior: delta ~ N(0.15, 0.1), pre_slope_mean ~ N(-0.5, 0.05); tolerance 1e-6 on
    moments, which EM matches exactly at its fixed point for one component). The second
    component's SD is checked against an independent computation in test_robust_prior.py;
    here it is the one-patient-per-arm SD of the default design (between 0.55 and 0.65)."""
    idata = fake_posterior()
    for transport in ("proportional", "absolute"):
        design = load_design().with_overrides(
            {
                "decision.rule": "posterior",
                "decision.prior": "robust",
                "decision.prior_weight": 0.4,
                "effect.transport": transport,
            }
        )
        shifts = effect_shift(design, posterior_draws(idata, transport), transport)
        fit = phase2_effect_prior(design, idata)
        w, m, s = (np.asarray(v) for v in (fit.weights, fit.means, fit.sds))
        mean = np.sum(w * m)
        assert mean == pytest.approx(shifts.mean(), abs=1e-6)
        assert np.sum(w * (s**2 + m**2)) - mean**2 == pytest.approx(shifts.var(), rel=1e-3)
        prior = decision_prior(design, idata)
        assert sum(prior.weights[:-1]) == pytest.approx(0.4)
        assert (prior.weights[-1], prior.means[-1]) == (0.6, 0.0)
        assert 0.55 < prior.sds[-1] < 0.65
    with pytest.raises(InputError, match=r"decision\.prior = 'robust'"):
        decision_prior(design)
    # weight 0 borrows nothing: the vague prior, no posterior needed.
    none = design.with_overrides({"decision.prior_weight": 0.0})
    assert decision_prior(none) == NormalMixture.normal(0.0, 10.0)


def test_posterior_rule_refuses_analyses_without_slope_se():
    design = load_design().with_overrides({**SMALL, "decision.rule": "posterior"})
    with pytest.raises(InputError, match="analysis = 'joint_rank'"):
        power(design, 10, 1, ("lmm_slope", "joint_rank"))


def test_power_curve_counts_posterior_successes_at_every_size():
    """Under the posterior rule the power curve (sample size's input) counts trials whose
    P(effect > 0 | data) > threshold, recomputed here from the engine's estimates and SEs of
    the same trials at each size; before, the curve refused the rule."""
    from designs.planning.power_curve import simulate_curve

    design = load_design().with_overrides(
        {**SMALL, "decision.rule": "posterior", "decision.prior": "sceptical"}
    )
    curve = simulate_curve(design, [20, 40], 400, 5)
    for row, n in enumerate((20, 40)):
        res = run_trials(simulation_inputs(design.with_overrides({"trial.n_per_arm": n})), 400, 5)
        ok = ~res.failed("lmm_slope")
        est, se = res.column("lmm_slope", R.ESTIMATE), res.column("lmm_slope", R.SE)
        tail = np.ones(est.shape)
        tail[ok] = lower_tail(NormalMixture.normal(0.0, 0.076), est[ok], se[ok])
        np.testing.assert_array_equal(curve.favourable[row], (tail < 1 - 0.975) & ok)
        np.testing.assert_array_equal(curve.ok[row], ok)
    # The sceptical prior needs more evidence than the frequentist test at the same sizes.
    test = simulate_curve(design.with_overrides({"decision.rule": "frequentist"}), [20, 40], 400, 5)
    assert curve.favourable.sum() < test.favourable.sum()


def test_assurance_applies_the_posterior_rule():
    """With every draw equal to the design's effect, assurance under the posterior rule is
    the rule's power at that effect on the same trials (exactly); it refused the rule before."""
    from designs.planning.assurance import assurance_from_draws

    design = load_design().with_overrides(
        {**SMALL, "decision.rule": "posterior", "decision.prior": "sceptical"}
    )
    a = assurance_from_draws(design, np.full(50, 0.25), 400, 5)
    # assurance is the plain share of trials: the plain power of the same trials
    assert a.assurance == power(design, 400, 5, control=False)["lmm_slope"].power
    frequentist = assurance_from_draws(
        design.with_overrides({"decision.rule": "frequentist"}), np.full(50, 0.25), 400, 5
    )
    assert a.assurance < frequentist.assurance  # the sceptical prior asks for more


def test_posterior_rule_assurance_optimistic_beside_sceptical(fake_posterior):
    """The same phase 2 posterior (delta ~ N(0.15, 0.1)) generating and analysing the
    effects is the optimistic case: it succeeds more often than the sceptical analysis prior
    on the same trials (400 trials: MC SE about 0.025; the gap is far larger here)."""
    from designs.planning.decision_rule import posterior_rule_assurance

    out = posterior_rule_assurance(load_design().with_overrides(SMALL), fake_posterior(), 400, 5)
    assert set(out) == {"optimistic", "sceptical"}
    gap = out["optimistic"].assurance - out["sceptical"].assurance
    assert gap > 3 * (out["optimistic"].mc_se + out["sceptical"].mc_se)


def test_optimistic_assurance_analyses_with_the_transport_that_drew_the_effects(fake_posterior):
    """assurance --transport absolute on a proportional design: the optimistic case's
    analysis prior is the phase 2 posterior carried over by the same (absolute) transport,
    i.e. the result equals the one on a design whose effect.transport is absolute (same seed,
    same trials). Before the fix it analysed with the proportional prior. slope_mean -1.0
    makes the two transports differ (fake posterior: delta ~ N(0.15, 0.1) of a -0.5 phase 2
    decline: +0.30 points/month proportional, +0.15 absolute)."""
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.decision_rule import posterior_rule_assurance

    idata = fake_posterior()
    design = load_design().with_overrides({**SMALL, "population.slope_mean": -1.0})
    assert design.effect.transport.value == "proportional"
    out = posterior_rule_assurance(design, idata, 300, 5, transport="absolute")
    same = posterior_rule_assurance(
        design.with_overrides({"effect.transport": "absolute"}), idata, 300, 5
    )
    for case in ("optimistic", "sceptical"):
        assert out[case].assurance == same[case].assurance
        assert out[case].transport == "absolute"
    # the old behaviour: absolute draws judged with the proportional phase 2 prior
    optimistic = design.with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 1.0}
    )
    wrong = decision_prior(optimistic, idata)
    right = decision_prior(optimistic.with_overrides({"effect.transport": "absolute"}), idata)
    assert np.dot(wrong.weights, wrong.means) > 1.5 * np.dot(right.weights, right.means)
    draws = posterior_draws(idata, "absolute")
    old = assurance_from_draws(optimistic, draws, 300, 5, transport="absolute", prior=wrong)
    assert old.assurance != out["optimistic"].assurance


def test_power_reports_type1_on_the_same_trials_and_the_prior_data_conflict():
    """power(type1=True) under the posterior rule: type1 is the rule's success rate on the
    same seed with effect.value = 0, recomputed here; a prior that puts its weight on a
    phase 2 benefit (N(0.15, 0.05^2), weight 1: the conflict case, truth 0) inflates it well
    beyond 3 MC SE of the vague rule's (2000 trials: MC SE about 0.0035 at 2.5%)."""
    design = load_design().with_overrides({**SMALL, "decision.rule": "posterior"})
    vague = power(design, 2000, 11, type1=True)["lmm_slope"]
    zero = design.with_overrides({"effect.value": 0.0})
    assert vague.type1 == power(zero, 2000, 11)["lmm_slope"].power
    assert vague.prior_p_benefit == pytest.approx(0.5, abs=1e-12)  # N(0, 10^2)
    borrowed = NormalMixture.normal(0.15, 0.05).mix(NormalMixture.normal(0.0, 10.0), 1.0)
    conflict = power(design, 2000, 11, prior=borrowed, type1=True)["lmm_slope"]
    assert conflict.prior_p_benefit > 0.99
    assert conflict.type1 > vague.type1 + 3 * (vague.type1_mc_se + conflict.type1_mc_se)
    assert conflict.power > vague.power  # borrowing a benefit also raises power
    # The frequentist rule has no type1 field (it is the test's alpha by construction).
    assert np.isnan(
        power(load_design().with_overrides(SMALL), 50, 1, type1=True)["lmm_slope"].type1
    )


def test_sweep_over_prior_weight_holds_power_and_type1():
    """A sweep dimension prior_weight: at w = 0 the cell is the vague rule, at every w the
    cell's power and type1 equal power(type1=True) with the robust prior of that weight; type
    I error grows with the weight of a phase 2 benefit (prior-data conflict)."""
    from designs.planning.sweep import run_sweep

    phase2 = NormalMixture.normal(0.15, 0.05)
    design = load_design().with_overrides(
        {**SMALL, "decision.rule": "posterior", "decision.prior": "robust"}
    )
    ds = run_sweep(design, {"prior_weight": [0.0, 0.5, 1.0]}, 1000, 4, phase2_prior=phase2)
    assert ds.attrs["decision"] == "posterior"
    for w in (0.0, 0.5, 1.0):
        d = design.with_overrides({"decision.prior_weight": w})
        robust = NormalMixture.normal(0.0, robust_component_sd(d))  # checked in test_robust_prior
        prior = phase2.mix(robust, w) if w > 0 else None
        s = power(d, 1000, 4, prior=prior, type1=True)["lmm_slope"]
        cell = ds.sel(prior_weight=w, analysis="lmm_slope")
        # the sweep's names since issue 15: rejection_rate (= power_favourable under the rule)
        assert float(cell.rejection_rate) == s.power == float(cell.power_favourable)
        assert float(cell.type1) == s.type1
    t1 = ds.type1.sel(analysis="lmm_slope").values
    assert t1[0] < t1[1] < t1[2]
    with pytest.raises(InputError, match=r"decision\.prior = 'robust'"):
        run_sweep(design, {"prior_weight": [0.5]}, 10, 4)  # borrowing needs phase 2
    with pytest.raises(InputError, match="--prior-weight"):
        run_sweep(design, {"prior_weight": [1.5]}, 10, 4, phase2_prior=phase2)


def test_sweep_assurance_with_a_borrowing_prior():
    """sweep --assurance under a robust prior that borrows from phase 2: each cell's assurance
    is assurance_from_draws with that cell's prior (same seed and trials), and with every draw
    equal to the design's effect it is exactly the cell's success probability. Before the fix
    a cell with prior_weight > 0 could not rebuild its prior and the sweep was refused."""
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.sweep import run_sweep
    from designs.planning.sweep.design import cell_design

    phase2 = NormalMixture.normal(0.15, 0.05)
    design = load_design().with_overrides(
        {**SMALL, "decision.rule": "posterior", "decision.prior": "robust"}
    )
    draws = np.linspace(-0.05, 0.35, 40)
    grid = {"prior_weight": [0.0, 0.5]}
    ds = run_sweep(design, grid, 300, 6, phase2_prior=phase2, assurance_draws=draws)
    for w in (0.0, 0.5):
        d = cell_design(design, {"prior_weight": w})
        prior = decision_prior(d, phase2=phase2)
        alone = assurance_from_draws(d, draws, 300, 6, "lmm_slope", prior=prior)
        cell = ds.sel(prior_weight=w, analysis="lmm_slope")
        assert float(cell.assurance) == alone.assurance
        assert float(cell.assurance_mc_se) == alone.mc_se
    a = ds.assurance.sel(analysis="lmm_slope").values
    assert a[1] > a[0]  # borrowing a benefit raises the success probability
    effect = simulation_inputs(design).effect_shift
    same = run_sweep(
        design,
        {"prior_weight": [0.5]},
        300,
        6,
        phase2_prior=phase2,
        assurance_draws=np.full(20, design.effect.value),
    )
    assert effect > 0
    # the same trials: the sweep's power carries the control variate, assurance is the plain
    # share of trials; they differ by the control's correction, within 4 plain MC SE
    p = same.rejection_rate.values
    assert np.all(np.abs(same.assurance.values - p) < 4 * np.sqrt(p * (1 - p) / 300))


def test_the_posterior_of_a_real_trial_gives_its_mixture_by_hand():
    """A regulatory statistician's review: `analyze --decision posterior` gave P(effect >
    margin | data) but not the posterior mixture, whose robust weight is the check of
    prior-data conflict. Against the conjugate update written out component by component."""
    import math

    from designs.analyses.decision import NormalMixture
    from designs.planning.decision_rule import posterior_decision
    from designs.spec import load_design

    design = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    prior = NormalMixture((0.1, 0.4, 0.5), (0.14, 0.2, 0.0), (0.24, 0.11, 0.6))
    est, se = 0.03, 0.06
    out = posterior_decision(design, prior, est, se)
    raw = []
    for w, m, s in prior.components():
        spread = math.sqrt(s**2 + se**2)
        like = math.exp(-0.5 * ((est - m) / spread) ** 2) / spread  # N(est; m, s^2 + se^2)
        prec = 1 / s**2 + 1 / se**2
        raw.append((w * like, (m / s**2 + est / se**2) / prec, math.sqrt(1 / prec)))
    total = sum(r[0] for r in raw)
    for got, (w, m, s) in zip(out["posterior_components"], raw, strict=True):
        assert got["weight"] == pytest.approx(w / total, rel=1e-12)
        assert got["mean"] == pytest.approx(m, rel=1e-12)
        assert got["sd"] == pytest.approx(s, rel=1e-12)
    p = sum(w / total * 0.5 * math.erfc(-m / s / math.sqrt(2)) for w, m, s in raw)
    assert out["posterior_probability"] == pytest.approx(p, rel=1e-12)
    # an estimate close to phase 2's takes weight from the robust component; one far below
    # it gives the robust component more weight than a priori (prior-data conflict)
    assert out["posterior_components"][-1]["weight"] < 0.5
    far = posterior_decision(design, prior, -0.25, se)
    assert far["posterior_components"][-1]["weight"] > 0.5
    none = posterior_decision(design, prior, float("nan"), se)
    assert none["posterior_components"] is None and none["posterior_probability"] is None


def test_analyze_warns_when_the_posterior_rule_succeeds_on_the_prior_alone(tmp_path, capsys):
    """A Bayesian review: `analyze --decision posterior` under a borrowing prior declared
    success at 0.975 (P = 0.9759) on an estimate whose one-sided p was 0.049, with no
    warning, where `power` says this threshold's type I error is about 0.049 at that n."""
    import json

    import simulate
    from designs.cli.analyze_command import _success_on_the_prior
    from designs.spec import load_design

    borrowing = {
        "decision.rule": "posterior",
        "decision.prior": "robust",
        "decision.prior_weight": 0.5,
    }
    two = load_design().with_overrides(borrowing)  # 0.05 two-sided: one-sided level 0.025
    design = two.with_overrides({"trial.sides": 1, "trial.alpha": 0.025})
    base = {"posterior_success": True, "sides": 1, "estimate": 0.1}
    assert _success_on_the_prior(design, {**base, "p_value": 0.049})
    assert not _success_on_the_prior(design, {**base, "p_value": 0.02})
    assert not _success_on_the_prior(design, {**base, "p_value": 0.049, "posterior_success": 0})
    # a two-sided p of a positive estimate is halved: 0.04 two-sided is 0.02 one-sided
    assert not _success_on_the_prior(two, {**base, "sides": 2, "p_value": 0.04})
    assert _success_on_the_prior(two, {**base, "sides": 2, "p_value": 0.06})
    # a prior that borrows nothing: the normal likelihood against the test's t, not the
    # prior (a diff review: "rests on the prior" under N(0, 10^2))
    vague = design.with_overrides({"decision.prior": "vague"})
    assert not _success_on_the_prior(vague, {**base, "p_value": 0.026})
    # the review's trial, end to end
    level = ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    path = tmp_path / "t6.csv"
    argv = ["trial", "--index", "6", "--effect", "0.2", *level, "--out", str(path)]
    assert simulate.main(argv) == 0
    capsys.readouterr()
    rule = ["--decision", "posterior", "--prior", "robust", "--prior-weight", "0.5"]
    assert simulate.main(["analyze", "--data", str(path), *rule, *level, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["posterior_success"] and 0.025 < out["p_value"] < 0.1
    assert any("succeeds where the one-sided test" in w for w in out["warnings"])
