"""Group-sequential designs simulated in calendar time: type I error, agreement with the
canonical joint distribution, expected sample size, thread invariance.

Tolerances come from the Monte Carlo SE of a rate, ``sqrt(p (1 - p) / trials)``; 3 SE.
"""

import numpy as np

from designs.planning.group_sequential import decide, group_sequential_power, planned_boundaries
from designs.planning.look_times import look_times
from designs.sequential import crossing_probabilities
from designs.sequential.observed import observed_boundaries
from designs.simulation.engine_looks import run_trials_at_looks
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

ONE_SIDED = {"trial.sides": 1, "trial.alpha": 0.025}


def _null_run(design, trials, seed):
    times = look_times(design)
    res = run_trials_at_looks(
        simulation_inputs(design),
        trials,
        seed,
        str(design.trial.analysis),
        times.months,
        times.accrual_months,
        effect_by_trial=np.zeros(trials),
    )
    return times, res


def test_type_i_error_with_integer_scores_and_dropout():
    """20,000 null trials of the default design (integer scores, the published 36.4%
    attrition with deaths, REML at each look), OBF two looks, 60 per arm.

    Without futility the design's type I error is alpha = 0.025. With the non-binding
    futility rule followed it is the canonical-distribution probability of crossing the
    efficacy boundary after continuing past the futility boundary (below alpha): each is
    checked within 3 MC SE of its value, and the futility rule's against alpha from below.
    About 8 s on 2 shared cores (20,000 trials, REML at 2 looks), so not marked slow.
    """
    trials = 20_000
    base = load_design(None).with_overrides(
        {**ONE_SIDED, "trial.n_per_arm": 60, "interim.looks": [0.5, 1.0]}
    )
    with_fut = base.with_overrides({"interim.futility": "obf"})
    times, res = _null_run(base, trials, 2026)
    for design in (base, with_fut):
        planned = planned_boundaries(design)
        out = decide(design, res, times, planned)
        ok = ~out.failed
        alpha_hat = out.efficacy[ok].mean()
        up, _ = crossing_probabilities(
            planned.fractions, planned.efficacy_z, 0.0, planned.futility_z
        )
        target = up.sum()
        se = np.sqrt(target * (1 - target) / ok.sum())
        assert abs(alpha_hat - target) <= 3 * se, (design.interim.describe(), alpha_hat, target)
        assert alpha_hat <= 0.025 + 3 * se
        if design is with_fut:
            assert target < 0.025
            assert out.futility.mean() > 0.4  # the rule acts under no effect


def test_stopping_probabilities_equal_the_canonical_distribution():
    """Continuous scores, no dropout, two looks at equal information increments.

    The analytic probabilities use the mean information the simulated trials observed at
    each look (its fractions, the drift ``effect * sqrt(I_2)``) and the same boundaries;
    100 per arm makes the t reference practically normal. 3,000 trials: MC SE <= 0.009.
    """
    trials = 3000
    design = load_design(None).with_overrides(
        {
            **ONE_SIDED,
            "trial.n_per_arm": 100,
            "population.integer_scores": False,
            "dropout.cumulative": [],
            "dropout.monthly_hazard": 0.0,
            "dropout.death_monthly_hazard": 0.0,
            "dropout.informative": 0.0,
            "dropout.death_informative": 0.0,
            "effect.kind": "slope_difference",
            "effect.value": 0.16,
            "interim.looks": [0.5, 1.0],
        }
    )
    s = group_sequential_power(design, trials, 99)
    times = look_times(design)
    info = np.asarray(s.observed_information_fraction) * times.information_max  # mean 1/SE^2
    interim = design.interim
    bounds = observed_boundaries(
        info[None, :], times.information_max, 0.025, interim.alpha_spending(), 1
    )[0]
    drift = 0.16 * np.sqrt(info[-1])
    up, _ = crossing_probabilities(info / info[-1], bounds, drift)
    up0, _ = crossing_probabilities(info / info[-1], bounds, 0.0)
    for sim, exact in zip(s.p_stop_efficacy, up, strict=True):
        assert abs(sim - exact) <= 3 * np.sqrt(exact * (1 - exact) / trials), (sim, exact)
    assert abs(s.power - up.sum()) <= 3 * np.sqrt(up.sum() * (1 - up.sum()) / trials)
    alpha0 = up0.sum()
    assert abs(s.type_i_error - alpha0) <= 3 * np.sqrt(alpha0 * (1 - alpha0) / trials)


def test_obrien_fleming_two_looks_saves_patients_under_the_effect():
    """Expected patients randomised under the effect is below the fixed n (the trials that
    stop at the interim had not randomised everyone yet), and the saving equals
    P(stop at look 1) x (n - n entered by look 1) within MC error."""
    design = load_design(None).with_overrides(  # effect 0.4: a 40% slowing (+0.2 points/month)
        {**ONE_SIDED, "trial.n_per_arm": 100, "effect.value": 0.4, "interim.looks": [0.5, 1]}
    )
    s = group_sequential_power(design, 2000, 5)
    saving = s.n_total - s.expected_n_total
    p1 = s.p_stop_efficacy[0]
    assert p1 > 0.2
    not_yet = s.n_total - look_times(design).n_entered[0]
    # SE of the mean saving: stopping is Bernoulli(p1) times about `not_yet` patients
    se = not_yet * np.sqrt(p1 * (1 - p1) / s.trials)
    assert saving > 3 * se
    # saving - p1 x not_yet moves far less than the saving (the same stopped trials drive
    # both): over seeds 101-300 of 2,000 trials (this call with seed 5 -> each; 13 s) its
    # SD was 0.068 and its mean -0.211 (SE 0.005), a systematic departure: the trials that
    # stop at look 1 had entered about 0.7 patients (0.211 / p1) more than planned on
    # average (entries vary around the plan; presumably more entered, more information to
    # stop on). 3 of that SD, plus the mean and 3 of its SE (0.226)
    assert abs(saving - p1 * not_yet) <= 3 * 0.068 + 0.226, (saving, p1 * not_yet)
    assert s.expected_months < s.fixed_months
    assert s.expected_n_total_h0 > s.expected_n_total


def test_same_numbers_with_one_and_two_threads():
    design = load_design(None).with_overrides(
        {**ONE_SIDED, "trial.n_per_arm": 30, "interim.looks": [0.4, 0.7, 1],
         "interim.futility": "pocock"}
    )  # fmt: skip
    one = group_sequential_power(design, 64, 3, threads=1)
    two = group_sequential_power(design, 64, 3, threads=2)
    assert one.to_dict() == two.to_dict()


def test_a_look_with_the_planned_maximum_information_is_the_final_analysis():
    """Review finding: a trial whose interim information already reached the planned
    maximum spent all its alpha there, and later looks (boundary Z_CAP) could never reject,
    while the trial was counted as running to the end. It now stops at that look."""
    from designs.analyses import results as R
    from designs.simulation.engine_looks import LookResults

    design = load_design().with_overrides({"interim.looks": [0.5, 1.0]})
    times = look_times(design)
    planned = planned_boundaries(design)
    i_max = times.information_max
    res = np.zeros((2, 2, R.N_RESULT))
    # trial 0 as planned; trial 1 with more than the maximum information at the interim
    res[:, :, R.SE] = [[(0.5 * i_max) ** -0.5, i_max**-0.5], [(1.1 * i_max) ** -0.5, i_max**-0.5]]
    res[:, :, R.ESTIMATE] = 1.5 * res[:, :, R.SE]  # z = 1.5 at every look: no crossing
    res[:, :, R.DF] = np.inf
    looks = LookResults("lmm_slope", res, np.full((2, 2), 10.0), np.zeros((2, 1)), np.zeros(2))
    out = decide(design, looks, times, planned)
    assert out.look.tolist() == [1, 0]
    assert out.bounds[1, 0] < 2.0  # all of alpha spent at the overrunning look
    assert not out.efficacy.any()


def test_trials_ended_by_the_planned_maximum_information_are_reported():
    """Review finding: trials that ended at an interim look because its observed information
    had reached the planned maximum were in no per-look column (neither efficacy nor
    futility) while the expected months counted them there. The summary now gives their share
    per look (under the effect and under no effect) and ``power`` prints it.

    With looks at 0.5, 0.9 and 1 on the default design about a fifth of the trials under no
    effect have the maximum information at look 2 (the observed 1/SE^2 runs 2-3% above the
    plan), so 300 trials have some for certain."""
    from designs.analyses import results as R
    from designs.outputs.group_sequential import group_sequential_text
    from designs.planning.group_sequential import group_sequential_simulated

    design = load_design().with_overrides({**ONE_SIDED, "interim.looks": [0.5, 0.9, 1.0]})
    trials = 300
    summary, h1, h0 = group_sequential_simulated(design, trials, 5, threads=1)
    i_max = look_times(design).information_max
    for (res, out), shares in (
        (h1, summary.p_stop_information),
        (h0, summary.p_stop_information_h0),
    ):
        quiet = ~out.efficacy & ~out.futility
        info = 1.0 / res.results[:, :, R.SE] ** 2  # from the fits' SEs, not decide's array
        for k in range(2):
            ended = quiet & (out.look == k)
            assert shares[k] == ended.mean()
            assert (info[ended, k] >= i_max).all()  # only the maximum information ends quietly
        assert shares[2] == 0.0
    assert summary.p_stop_information_h0[1] > 0
    for eff, fut, info_stop, last in (
        (summary.p_stop_efficacy, summary.p_stop_futility, summary.p_stop_information, h1[1]),
        (summary.p_stop_efficacy_h0, summary.p_stop_futility_h0,
         summary.p_stop_information_h0, h0[1]),
    ):  # fmt: skip
        reached_final_quietly = np.mean((last.look == 2) & ~last.efficacy)
        total = sum(eff) + sum(fut) + sum(info_stop) + reached_final_quietly
        assert abs(total - 1.0) < 1e-12  # every trial ends exactly once
    text = group_sequential_text(design, summary)
    assert "had reached the planned maximum" in text
    assert "probability of stopping at that look (not cumulative)" in text  # the legend
    assert f"look 2: {summary.p_stop_information[1]:.3f} under the effect" in text


def test_z_of_each_look_is_the_t_p_value_carried_to_the_normal_scale():
    """z = Phi^-1(F_t(estimate / SE; df)) (scipy.stats' t and norm, written out here) for
    positive, negative and zero statistics, large and infinite df; NaN where the fit failed."""
    from scipy import stats

    from designs.analyses import results as R
    from designs.planning.look_z import z_statistics
    from designs.simulation.engine_looks import LookResults

    est = np.array([[0.3, -0.2, 0.0], [1.9, -40.0, 0.1]])
    se = np.array([[0.1, 0.15, 0.2], [0.5, 1.0, 0.05]])
    df = np.array([[12.0, 3.5, 50.0], [np.inf, 200.0, 7.0]])
    res = np.zeros((2, 3, R.N_RESULT))
    res[:, :, R.ESTIMATE] = est
    res[:, :, R.SE] = se
    res[:, :, R.DF] = df
    res[1, 2, R.STATUS] = R.STATUS_FAILED
    looks = LookResults("lmm_slope", res, np.ones((2, 3)), np.zeros((2, 1)), np.zeros(2))
    got = z_statistics(looks)
    want = stats.norm.ppf(stats.t.cdf(est / se, df))
    want[1, 2] = np.nan
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_a_power_of_one_gives_its_bound_not_an_se_of_zero():
    """``power --looks`` printed "power 1.000 (MC SE 0.000)"; a power of 1 over the trials
    counted now gives its one-sided 95% lower bound, the Clopper-Pearson bound at n of n,
    0.05^(1/n) (under ``exclude`` over the trials whose fit succeeded)."""
    import dataclasses

    from designs.outputs.group_sequential import group_sequential_text

    design = load_design().with_overrides({"interim.looks": [0.5, 1.0], "trial.n_per_arm": 30})
    s = group_sequential_power(design, 60, 3, threads=1)
    certain = dataclasses.replace(s, power=1.0, mc_se=0.0, failed_fits=4)
    for rule, counted in (("failure", 60), ("exclude", 56)):
        text = group_sequential_text(design.with_overrides({"decision.failed_fits": rule}), certain)
        bound = f"{np.floor(0.05 ** (1 / counted) * 1000) / 1000:.3f}"  # rounded outwards
        assert f"power 1.000 (all of {counted} trials; one-sided 95% lower bound {bound});" in text
    assert f"power {s.power:.3f} (MC SE " in group_sequential_text(design, s)


def test_screening_with_looks_gives_the_candidates_per_patient_randomised():
    """An economist's review: with looks the candidates to screen went missing (the fixed
    design gave them). Each randomised patient takes a geometric number of candidates with
    mean 1 / P(admitted) (proact_enriched_dfs: delta-FS < 1.1 of a log-normal 0.91 (0.53),
    P = 0.7327); over 300 trials x 60 patients its mean has SD sqrt((1 - P) / P^2 / 18000)
    = 0.0052, so 4 of it is the tolerance. Without screening it is exactly 1."""
    design = load_design("proact_enriched_dfs").with_overrides(
        {"trial.n_per_arm": 30, "interim.looks": [0.5, 1.0]}
    )
    p_admit = design.enrichment.delta_fs_admit_probability(design.population)
    assert abs(p_admit - 0.7327) < 5e-4
    s = group_sequential_power(design, 300, 5)
    tolerance = 4 * np.sqrt((1 - p_admit) / p_admit**2 / (300 * 60))
    assert abs(s.screened_per_enrolled - 1 / p_admit) < tolerance
    plain = load_design().with_overrides({"trial.n_per_arm": 30, "interim.looks": [0.5, 1.0]})
    assert group_sequential_power(plain, 100, 5).screened_per_enrolled == 1.0
    # the text names both hypotheses; the posterior rule's looks keep it too (a diff review)
    from designs.outputs.group_sequential import screened_text
    from designs.planning.decision_looks import posterior_looks_power

    text = screened_text(s)
    assert f"{s.screened_per_enrolled:.2f} candidates screened per patient randomised" in text
    assert f"{s.screened_per_enrolled * s.expected_n_total:.0f} screened under the effect" in text
    assert screened_text(group_sequential_power(plain, 100, 5)) == ""
    posterior = design.with_overrides({"decision.rule": "posterior"})
    p = posterior_looks_power(posterior, 100, 5)
    tolerance = 4 * np.sqrt((1 - p_admit) / p_admit**2 / (100 * 60))  # as above, 100 trials
    assert abs(p.screened_per_enrolled - 1 / p_admit) < tolerance
