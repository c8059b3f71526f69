"""The operating characteristics against the true effect (a regulatory statistician's review:
the report gave the posterior rule's success at the design's effect and at 0 only, and no
test at the same level beside it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from designs.planning.operating import (
    frequentist_twin,
    oc_effects,
    operating_characteristics,
    type_i_trials,
)
from designs.planning.power import power
from designs.planning.power_curve import design_at
from designs.spec import load_design

N, TRIALS, SEED = 60, 300, 5


def test_the_rate_against_the_effect_reuses_the_characteristics_own_runs():
    design = load_design()
    oc = operating_characteristics(design, N, TRIALS, SEED)
    rows = oc["power_by_effect"]
    effects = [r["effect"] for r in rows]
    assert effects == [0.0, *oc_effects(design).tolist()]
    assert rows[0]["trials"] == type_i_trials(0.05, TRIALS) and rows[1]["trials"] == TRIALS
    (at_design,) = [r for r in rows if math.isclose(r["effect"], design.effect.value)]
    # the same seed and design: the power line's own number, bit for bit
    assert at_design["power_favourable"] == oc["power_favourable"]
    assert at_design["effect_points_per_month"] == oc["effect_points_per_month"]
    assert "test_power_favourable" not in rows[0]  # no comparison under the test itself
    rates = [r["power_favourable"] for r in rows[1:]]
    assert rates == sorted(rates)  # common random numbers: power rises with the effect here


def test_under_the_posterior_rule_the_one_sided_test_at_its_level_stands_beside_it():
    rule = load_design().with_overrides({"decision.rule": "posterior", "decision.prior": "vague"})
    oc = operating_characteristics(rule, N, TRIALS, SEED)
    rows = oc["power_by_effect"]
    twin = frequentist_twin(rule)
    assert not twin.decision.is_posterior and (twin.trial.sides, twin.trial.alpha) == (1, 0.025)
    # the test at the design's effect: the twin design's own power on the same seed
    (at_design,) = [r for r in rows if math.isclose(r["effect"], rule.effect.value)]
    alone = power(design_at(twin, N), TRIALS, SEED, ("lmm_slope",))["lmm_slope"]
    assert at_design["test_power_favourable"] == alone.power_favourable
    # the test holds its one-sided level 0.025 on 10,834 null trials: within 4 binomial SE
    # (sqrt(0.025 x 0.975 / 10834) = 0.0015) of it
    assert abs(rows[0]["test_power_favourable"] - 0.025) < 4 * 0.0015
    # the vague prior N(0, 10^2) is nearly flat: its rule is nearly the z test, so at every
    # effect the two rates on the same trials differ by the t test's few trials at the margin
    for r in rows:
        assert abs(r["power_favourable"] - r["test_power_favourable"]) < 0.02, r


def test_a_rate_of_one_gives_its_bound_in_the_effect_table():
    """A diff review: '1.000 (0.000)' where every trial succeeded; elsewhere the tool gives
    the one-sided 95% bound there (1 - 0.05^(1/500) = 0.00597: 'at least 0.994')."""
    from designs.outputs.operating_tables import effect_table

    design = load_design()
    row = {"effect": 0.5, "effect_points_per_month": 0.25, "power_favourable": 1.0}
    oc = {
        "power_by_effect": [{**row, "mc_se": 0.0, "trials": 500}],
        "effect_kind": "proportional_slowing",
        "effect": 0.25,
        "n_per_arm": 100,
        "analysis": "lmm_slope",
    }
    _, rows, _ = effect_table(oc, design)
    assert rows == [["50% slowing", "+0.250", "1.000 (≥ 0.994)"]]
    # an effect in points/month already has no second column of the same numbers (an
    # own-design review)
    points = design.with_overrides({"effect.kind": "slope_difference", "effect.value": 0.25})
    header, rows, _ = effect_table({**oc, "effect_kind": "slope_difference"}, points)
    assert header[0] == "true effect (points/month)" and "points/month" not in header[1:]
    assert rows == [["+0.500", "1.000 (≥ 0.994)"]]


def test_the_rows_that_are_plain_shares_are_named():
    """A consistency review: near power 1 the oracle's rarer side is too small for the
    control variate, and those rows (0.988 = 494/500) stood under a note saying "with a
    control variate". Each row records its estimator; the caption names the plain ones."""
    from designs.outputs.operating_tables import effect_table

    design = load_design()
    oc = operating_characteristics(design, 183, 500, SEED)  # 500: the control's least
    rows = oc["power_by_effect"]
    kinds = [r["estimator"] for r in rows]
    assert kinds[1] == "control variate" and kinds[-1] == "plain"  # 6.25% and 50% slowing
    _, table, caption = effect_table(oc, design)
    plain = [row[0] for row, kind in zip(table, kinds, strict=True) if kind == "plain"]
    control = [row[0] for row, kind in zip(table, kinds, strict=True) if kind != "plain"]
    why = "too few trials, or too few on one side of the oracle test, for the control"
    # the shorter list is named (an HTA review: at 300 trials every effect but 0 was listed)
    assert caption.endswith(
        f"; rates with the control variate except at {', '.join(plain)}: plain shares of "
        f"trials ({why}):"
        if len(plain) <= len(control)
        else f"; rates as plain shares of trials ({why}) except at {', '.join(control)}: "
        "with the control variate:"
    )
    mostly_plain = {
        **oc,
        "power_by_effect": [rows[1], *[r for r in rows if r["estimator"] == "plain"] * 2],
    }
    assert effect_table(mostly_plain, design)[2].endswith(
        f"; rates as plain shares of trials ({why}) except at 6.25% slowing: with the "
        "control variate:"
    )
    single = {**oc, "power_by_effect": [r for r in rows if r["estimator"] == "plain"]}
    assert "except at" not in effect_table(single, design)[2]  # one kind: no clause


def test_the_test_beside_a_posterior_rule_at_looks_drops_the_rules_own_fields(tmp_path):
    """The rule's thresholds and futility at looks are refused under the test: the twin (and
    the report's count of its runs, which asks for it) puts them back to their defaults."""
    path = tmp_path / "looks.toml"
    path.write_text(
        '[decision]\nrule = "posterior"\nfutility_predictive = 0.1\nthresholds = [0.99, 0.975]\n'
        "[interim]\nlooks = [0.5, 1.0]\n"
    )
    twin = frequentist_twin(load_design(str(path)))
    assert not twin.decision.is_posterior and twin.interim.looks == (0.5, 1.0)
    assert twin.decision.thresholds == () and twin.decision.futility_predictive == 0.0
    assert (twin.trial.sides, twin.trial.alpha) == (1, 0.025)


def test_the_realism_rows_are_plain_shares_of_common_trials():
    """Every realism row is the plain share of its trials (a realism review: the first row
    alone had the control variate, 0.802 against 0.778 for informative dropout where both
    were about 0.775 as plain shares of the same trials, so the table showed a loss of power
    that was the estimators' noise). The first row is exactly ``power`` without the control
    variate on the same design, size and seed."""
    from designs.planning.operating import REALISM_SCENARIOS, realism_sensitivity

    design = load_design()
    rows = realism_sensitivity(design, 60, 500, 3, ("lmm_slope",))  # 500: the variate's least
    assert [r["scenario"] for r in rows] == [label for label, _ in REALISM_SCENARIOS]
    plain = power(design_at(design, 60), 500, 3, ("lmm_slope",), control=False)["lmm_slope"]
    assert rows[0]["power_favourable"] == plain.power_favourable
    for row in rows:  # a plain share of 500 trials: a multiple of 1/500
        assert row["power_favourable"] * 500 == pytest.approx(round(row["power_favourable"] * 500))


def test_informative_dropout_rows_only_where_there_is_dropout():
    """A diff review: on a design without dropout the three informative-dropout rows equalled
    "as designed" (nobody to move) and read as robustness to informative dropout. They are
    left out there; the death row, which adds its own deaths, stays."""
    from designs.planning.operating import REALISM_SCENARIOS, realism_sensitivity

    none = load_design().with_overrides(
        {"dropout.cumulative": [], "dropout.death_monthly_hazard": 0.0}
    )
    rows = realism_sensitivity(none, 30, 100, 3, ("lmm_slope",))
    labels = [label for label, over in REALISM_SCENARIOS if set(over) != {"dropout.informative"}]
    assert [r["scenario"] for r in rows] == labels
    assert any(r["scenario"].startswith("death 2%/month") for r in rows)
    from designs.outputs.realism_table import realism_sensitivity_md

    text = realism_sensitivity_md(rows, design_at(none, 30), 30, 100, 3)
    assert "No informative-dropout rows: the design has no dropout for them to act on" in text
    assert "No informative-dropout rows" not in realism_sensitivity_md(
        rows, load_design(), 30, 100, 3
    )


def test_under_the_posterior_rule_each_realism_row_gives_its_type_i_error(fake_posterior):
    """A Bayesian SAP review: the realism table gave power only, where a regulator asks for
    a borrowing rule's type I error under each scenario (it moves with the information the
    scenario leaves). Each row's is `power`'s type1 for that scenario's design on the same
    seed; the rows of the effect's time course share the design's own null trials; under the
    test there is none (both arms alike under no effect: the level cannot move)."""
    import math

    from designs.outputs.realism_table import realism_sensitivity_md
    from designs.planning.decision_rule import decision_prior, phase2_effect_prior
    from designs.planning.operating import REALISM_SCENARIOS, realism_sensitivity

    design = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    prior = decision_prior(design, phase2=phase2_effect_prior(design, fake_posterior()))
    rows = realism_sensitivity(design, 40, 300, 3, ("lmm_slope",), prior=prior)
    by = {r["scenario"]: r for r in rows}
    from designs.planning.power import null_design

    # on the operating characteristics' null trials (10,834 at 0.025; a diff review: on the
    # rows' own few the first row read 0.031 beside their LIBERAL 0.045)
    for label, over in REALISM_SCENARIOS[:2]:
        d = design_at(design, 40).with_overrides(over) if over else design_at(design, 40)
        zero = null_design(d)
        (s,) = power(zero, 10_834, 3, ("lmm_slope",), prior=prior, control=False).values()
        assert by[label]["type_i_error"] == s.power and by[label]["type_i_mc_se"] == s.mc_se
    first = rows[0]["type_i_error"]
    for label, over in REALISM_SCENARIOS:
        if all(k.startswith("effect.") for k in over) and over:
            assert by[label]["type_i_error"] == first
    md = realism_sensitivity_md(rows, design, 40, 300, 3)
    assert "| power (MC SE) | type I error (MC SE) | bias |" in md
    assert "against the one-sided level 0.025" in md and "on 10,834 trials per row" in md
    plain = realism_sensitivity(load_design(), 40, 300, 3, ("lmm_slope",))
    assert all(math.isnan(r["type_i_error"]) for r in plain)
    assert "type I error" not in realism_sensitivity_md(plain, load_design(), 40, 300, 3)


def test_each_realism_row_gives_the_true_value_its_bias_is_against():
    """An HTA review: the realism table's bias had no true value beside it, and under a
    time course the truth is not the design's +0.125. By hand: an effect from month 3, full
    by month 6, keeps 0.125 x 7.5 = 0.9375 points by month 12, a mean slope effect of
    0.078125 points/month; waning from month 6, gone by month 12, 0.125 x 9 / 12 =
    0.09375; every other row the design's 0.125 (informative exits change who is seen,
    not the truth of all randomised)."""
    from designs.planning.operating import realism_sensitivity

    rows = realism_sensitivity(load_design(), 20, 20, 5, ("lmm_slope",))
    truth = {r["scenario"]: r["true_effect"] for r in rows}
    late = truth.pop("effect from month 3, full by month 6 (assumed)")
    wanes = truth.pop("effect wanes from month 6, gone by month 12 (assumed)")
    assert late == pytest.approx(0.078125, rel=1e-12)
    assert wanes == pytest.approx(0.09375, rel=1e-12)
    assert truth and all(v == pytest.approx(0.125, rel=1e-12) for v in truth.values()), truth


def test_the_type_i_error_and_the_smallest_detectable_effect_are_what_they_say():
    """A mutation review: the top-level type I error read from the rate favouring active (half
    of it at two-sided 0.05) and the minimal detectable effect at 90% power in place of 80%
    both passed every test. The type I error is the null run's two-sided rate, recomputed
    here on the same trials; the effect at 80% power is checked against the closed form
    (z_0.975 + z_0.8) sqrt((v_placebo + v_active) / n), which leaves out integer scores and
    the t quantile: over 20 seeds at 400 trials per effect a diff review found the simulated
    effect 2.0% above it on average, with an SD of 2.2% (at most 5.6% above), so 9% is the
    gap and about 3 SD, and the 90% power's effect (+19%) is far outside."""
    from scipy.stats import norm

    from designs.planning.closed_form import design_slope_variances
    from designs.planning.operating import null_design

    design, n, trials = load_design(), 100, 400
    oc = operating_characteristics(design, n, trials, SEED)
    null = power(null_design(design_at(design, n)), oc["type_i_trials"], SEED)["lmm_slope"]
    assert oc["type_i_error"] == null.power  # two-sided: either direction
    assert null.power_favourable < null.power  # so the two differ here
    assert oc["type_i_error"] == pytest.approx(0.05, abs=3 * oc["type_i_error_mc_se"])
    v_placebo, v_active = design_slope_variances(design_at(design, n))
    closed = (norm.ppf(0.975) + norm.ppf(0.8)) * math.sqrt((v_placebo + v_active) / n)
    assert oc["minimal_detectable_effect_80_points_per_month"] == pytest.approx(closed, rel=0.09)


def test_the_detectable_effects_mc_se_bounds_the_spread_of_refits_on_shared_trials():
    """A paste-ready review: the smallest effect with 80% power was printed with no Monte
    Carlo error; a diff review found the first SE (independent counts at each effect) 30%
    short, as operating_characteristics simulates every effect on the same trials. With
    common random numbers each trial succeeds from its own threshold effect on, so the
    counts are the thresholds' empirical distribution at the 8 effects: drawn so here (300
    trials, thresholds normal, power(e) = Phi(-1.5 + 8 e)), the SD of the fitted crossing
    over 500 data sets against shared_trials_crossing_se. The SD's own relative SE is
    1 / sqrt(2 x 500) = 3.2%: the SE must exceed the SD less 3 of them (an upper estimate),
    and not by more than 40% (the engine's runs: 1.2 times)."""
    from scipy.stats import norm

    from designs.planning.probit import shared_trials_crossing_se
    from designs.planning.sample_size import probit_fit

    x = np.linspace(0.0625, 0.5, 8)
    m = np.full(x.size, 300)
    rng = np.random.default_rng(11)
    z = norm.ppf(0.8)
    crossings, ses = [], []
    for _ in range(500):
        thresholds = (-1.5 - rng.standard_normal(300)) / -8.0  # P(c <= e) = Phi(-1.5 + 8 e)
        k = np.array([(thresholds <= e).sum() for e in x])
        b0, b1 = probit_fit(x, k, m)
        crossings.append((z - b0) / b1)
        ses.append(shared_trials_crossing_se(b1, z, 300))
    sd, se = np.std(crossings), np.median(ses)
    assert np.mean(crossings) == pytest.approx((z + 1.5) / 8.0, abs=0.005)  # 0.293
    assert sd * (1 - 3 * 0.032) <= se <= 1.4 * sd


def test_the_table_gives_the_detectable_effect_with_its_mc_se():
    from designs.outputs.operating_tables import operating_rows

    design = load_design()
    oc = operating_characteristics(design, N, TRIALS, SEED)
    se = oc["minimal_detectable_effect_80_mc_se"]
    assert 0 < se < 0.05  # a fraction of |slope_mean|: a few percentage points at most here
    (row,) = [v for k, v in operating_rows(oc, design) if "80% power" in k]
    assert row.endswith(f" (MC SE at most about {100 * se:.2g} percentage points)")
