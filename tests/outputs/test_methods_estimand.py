"""The methods text's estimand: the variable of the analysis, and how the compared analyses
treat loss to follow-up and death (a review found both wrong)."""

import re

from designs.analyses import registry
from designs.outputs.methods_compared import _compared_strategies
from designs.spec import load_design
from designs.spec.estimand import estimand_lines


def test_the_joint_rank_variable_is_survival_and_change():
    d = load_design("default")
    lines = dict(estimand_lines(d, "joint_rank"))
    assert lines["variable"].startswith("survival over 12 months and the change in ALSFRS-R")
    assert dict(estimand_lines(d))["variable"].startswith("ALSFRS-R total score (0-48 points)")


def test_the_compared_analyses_strategies_are_written_out():
    d = load_design("default")
    text = _compared_strategies(d, "lmm_slope")
    assert "realism_sensitivity" not in text
    for name in ("ols_slope_ttest", "joint_rank"):
        a = registry.get(name)
        strategy = f"leaving the study: {a.dropout_strategy.split(':')[0]}, death: "
        assert re.search(rf"\({name}; [^()]*{strategy}", text), name
    assert "(ols_slope_ttest; leaving the study: while observed, death: while alive)" in text
    # one strategy for both is written once (it read "completers only and completers only"),
    # and the same model with Kenward-Roger carries the primary's estimand (a review)
    assert "(ancova_change; completers only for both)" in text
    # the works of the reference list are cited where the analyses are named (a protocol
    # writer's review: Kenward-Roger, Halekoh, Berry and Finkelstein were cited nowhere)
    assert (
        "Kenward-Roger (lmm_slope_kr) (Kenward & Roger 1997, as R's pbkrtest computes it, "
        "Halekoh & Hojsgaard 2014) carries the same estimand" in text
    )
    assert "(joint_rank; Berry et al. 2013, with the Finkelstein & Schoenfeld 1999 rule" in text
    # a grant writer's review: the text read "... death as ols_slope_ttest: while observed"
    assert "the others treat leaving the study and death differently: the t-test" in text
    assert " as ols_slope_ttest" not in text
    assert "slope_change_lead_in" not in text  # no lead-in in the default design
    assert "lmm_slope:" not in text  # the primary is not among the others


def test_an_exit_month_is_written_after_the_last_visit():
    """A review: a death at month 2.00003 was written "2.0000" beside its visit at month 2."""
    from designs.outputs.trial_csv import exit_month_text

    assert exit_month_text(2.00003) == "2.000030"
    assert float(exit_month_text(2.0000001)) > 2.0
    assert exit_month_text(5.5) == "5.500000"


def test_the_variable_of_ancova_change_and_of_the_lead_in_analysis():
    lines = dict(estimand_lines(load_design("default"), "ancova_change"))
    assert lines["variable"].startswith("change in ALSFRS-R total score")
    assert lines["variable"].endswith("to the last scheduled visit at month 12")
    lead = dict(estimand_lines(load_design("lead_in"), "slope_change_lead_in"))
    assert "at the lead-in visits over the 3 months before randomisation and" in lead["variable"]


def test_the_methods_cite_what_they_name():
    """A review: the text cited Glasserman 2004 (the control variate) and the death hazard's
    source without either in its reference list."""
    from designs.outputs.methods import references_text

    cited = "\n".join(references_text("lmm_slope", False, True, deaths=True, control_variate=True))
    assert "Glasserman P (2004)" in cited and "van Eijk RPA, Nikolakopoulos S" in cited
    assert "doi:10.2307/3002019" in cited  # Satterthwaite
    plain = "\n".join(references_text("lmm_slope", False, True))
    assert "Glasserman" not in plain and "Nikolakopoulos" not in plain


def test_the_sensitivity_range_names_its_scenarios():
    """As designed and the lowest, at the size simulated, the scenario's label as the
    realism table has it, without its parenthesis (a review: "(assumed)" nested in the
    sentence's own, and a noisy maximum quoted with a work the list did not cite)."""
    from designs.outputs.methods import sensitivity_range
    from designs.planning.operating import REALISM_SCENARIOS

    labels = [label for label, _ in REALISM_SCENARIOS]
    late = next(x for x in labels if x.startswith("effect from month 3"))
    curved = next(x for x in labels if x.startswith("curved decline"))
    rows = [
        {
            "analysis": "lmm_slope",
            "scenario": "as designed",
            "power_favourable": 0.803,
            "mc_se": 0.00297,
        },
        {"analysis": "lmm_slope", "scenario": late, "power_favourable": 0.383},
        {"analysis": "lmm_slope", "scenario": curved, "power_favourable": 0.804},
        {"analysis": "joint_rank", "scenario": late, "power_favourable": 0.1},
    ]
    text = sensitivity_range(rows, "lmm_slope", 184)
    assert text == (
        ": there at n = 184, the power of the mixed model of slopes (lmm_slope) is 0.803 as "
        "designed (MC SE 0.0030, on this comparison's own trials) and lowest, 0.383, in the "
        "scenario \u201ceffect from month 3, full by month 6\u201d"
    )
    assert "Gordon" not in text and text.count("(") == 2  # the scenario's source is left out
    # the curve's shape is not credited to Gordon et al. 2010, whose early and late
    # acceleration is over the whole illness (a clinician's review)
    assert "Gordon" not in curved and "shape and size assumed" in curved
    assert sensitivity_range(None, "lmm_slope") == ""
    only = [dict(rows[0]), {**rows[2], "power_favourable": 0.9}]
    assert "lowest as designed, 0.803" in sensitivity_range(only, "lmm_slope", 184)


def test_deaths_are_sourced_only_on_the_published_schedule():
    from designs.outputs.methods_dropout import also_simulated

    default = load_design("default")
    assert "van Eijk et al. 2019" in also_simulated(default)
    own = default.with_overrides({"dropout.death_monthly_hazard": 0.01})
    assert "(an assumption)" in also_simulated(own) and "van Eijk" not in also_simulated(own)
    curved = default.with_overrides({"population.curvature": 0.3})
    assert "Also simulated: curved decline (curvature 0.3)" in also_simulated(curved)


def test_a_lead_in_is_in_the_visits_not_among_the_exits():
    """A grant review: the lead-in design's Dropout paragraph said "Also simulated: 3-month
    lead-in", and the lead-in's visits were given nowhere (the model named months 0-12)."""
    from designs.outputs.methods_dropout import also_simulated

    design = load_design("lead_in")
    assert "lead-in" not in also_simulated(design)
    assert design.trial.visits_text() == (
        "Lead-in visits at months -3, -2, -1 (3 months before randomisation; nobody leaves or "
        "dies during the lead-in, an assumption, so n counts the patients randomised after "
        "it), then visits at months 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12."
    )
    assert load_design().trial.visits_text().startswith("Visits at months 0, 1, 2,")


def test_the_closed_form_check_is_stated_for_slope_analyses():
    """A review: the closed-form n was drawn in the figure and said nowhere in the text."""
    from types import SimpleNamespace

    from designs.outputs.methods import closed_form_check
    from designs.planning import closed_form as cf
    from designs.planning.power_curve import design_at

    d = load_design("default")
    rows = [SimpleNamespace(n=184, n_total=368), SimpleNamespace(n=245, n_total=490)]
    text = closed_form_check(d, SimpleNamespace(analysis="lmm_slope", rows=rows))
    for r in rows:
        power = cf.design_power(design_at(d, r.n), favourable_only=True)
        assert f"{power:.3f} at {r.n_total} randomised" in text
    assert closed_form_check(d, SimpleNamespace(analysis="joint_rank", rows=rows)) == ""
    slope = SimpleNamespace(analysis="lmm_slope", rows=rows)
    # where the closed form does not model the design it is no check (a review: 0.804 "as a
    # check" beside a simulated 0.383 with an effect from month 3)
    for overrides in (
        {"decision.rule": "posterior"},
        {"effect.onset_delay_months": 3.0, "effect.ramp_months": 3.0},
        {"dropout.informative": 2.0},
        {"population.curvature": 0.3},
    ):
        assert closed_form_check(d.with_overrides(overrides), slope) == "", overrides
    assert closed_form_check(d, SimpleNamespace(analysis="ols_slope_ttest", rows=rows)) == ""
    assert "floor" not in text  # no patient's true line reaches 0 by month 12 here
    # where 5% or more of the placebo patients' lines reach 0, the closed form's lack of a
    # floor is said (a clinimetrics review: 0.885 beside a simulated 0.80, no word of why)
    fast = load_design("proact_unselected").with_overrides(
        {"population.slope_mean": -3.0, "population.slope_sd": 1.5}
    )
    text = closed_form_check(fast, slope)
    assert "The closed form leaves aside the scale's floor, which the true ALSFRS-R" in text
    assert "lines of about 46% of the placebo patients reach by the last visit" in text
    free = fast.with_overrides({"population.integer_scores": False})  # no floor simulated
    assert "floor" not in closed_form_check(free, slope)


def test_the_assumptions_paragraph_gives_the_closed_form_n_of_each_moved_input():
    """n by the closed form's formula, checked through its power (another path of
    designs.planning.closed_form): at n the favourable power reaches the target and at n - 1
    it does not; the one-at-a-time moves are the design's, and none is given where the
    closed form does not model the design (informative dropout)."""
    import math
    import re

    from designs.outputs.methods_checks import ASSUMPTION_STEPS, _moved, assumption_sensitivity
    from designs.planning import closed_form as cf
    from designs.planning.power_curve import design_at

    d = load_design("default")
    text = assumption_sensitivity(d, "lmm_slope", 0.8)

    def crossing(design) -> int:
        n = 2
        while cf.design_power(design_at(design, n), favourable_only=True) < 0.8:
            n += 1
        return n

    assert f"needs {crossing(d)} per arm for 80% power" in text
    found = [int(x) for x in re.findall(r": (\d+) / (\d+)", text) for x in x]
    expected = [
        crossing(_moved(d, field, f)[0]) for field, fs, _, _ in ASSUMPTION_STEPS for f in fs
    ]
    assert found == expected
    assert "SD of true slopes 0.245 / 0.455 points/month (30% down and up):" in text
    assert "20% slowing / 30% slowing (20% down and up):" in text
    assert "residual SD 1.5 / 2.5 points (25% down and up):" in text
    assert "(the other exits' schedule 50% down and up, deaths kept):" in text
    assert math.isclose(
        float(re.search(r"\(deaths included\) ([\d.]+)%", text)[1]), 20.5, abs_tol=0.05
    )
    assert (
        assumption_sensitivity(d.with_overrides({"dropout.informative": 1.0}), "lmm_slope", 0.8)
        == ""
    )
    # no n "for 80% power" for an effect that does not slow decline: the formula gives one
    # (delta squared), the sample-size search refuses such a design
    for value in (-0.25, -0.05):
        harm = d.with_overrides({"effect.value": value})
        assert assumption_sensitivity(harm, "lmm_slope", 0.8) == "", value
    # with deaths as the only exits there is no other-exit schedule to move
    deaths_only = d.with_overrides({"dropout.cumulative": [], "dropout.monthly_hazard": 0.0})
    text = assumption_sensitivity(deaths_only, "lmm_slope", 0.8)
    assert "residual SD" in text and "gone by month" not in text
    # nor with a schedule of zeros (Dropout.has_other_exits; it printed the same n twice)
    zeros = d.with_overrides({"dropout.cumulative": [0.0] * len(d.trial.visits)})
    assert not zeros.dropout.has_other_exits and d.dropout.has_other_exits
    text = assumption_sensitivity(zeros, "lmm_slope", 0.8)
    assert "residual SD" in text and "gone by month" not in text


def test_the_mean_estimate_against_its_true_value_is_stated():
    """A statistical review: the slight conservative bias (integer scores) was in the tables,
    not the text. Beyond 3 MC SE it is called beyond simulation noise; with informative exits
    the dropout paragraph says it instead; without a true value (joint_rank) nothing."""
    from types import SimpleNamespace

    from designs.outputs.methods_checks import estimate_bias_text

    d = load_design("default")
    entry = SimpleNamespace(name="lmm_slope", units="points/month")
    oc = {"n_placebo": 184, "n_active": 184, "mean_estimate": 0.1229, "bias": -0.0021}
    within = estimate_bias_text(d, entry, {**oc, "bias_mc_se": 0.00096})
    assert within == (
        " At 368 randomised, the mean estimate of the mixed model of slopes (lmm_slope) is "
        "+0.1229 against a true +0.125 points/month "
        "(bias -0.0021, MC SE 0.00096)."
    )
    beyond = estimate_bias_text(d, entry, {**oc, "bias_mc_se": 0.0005})
    # with its likely causes, as power's note gives them (a clinimetrics review: no cause);
    # on the default design the 1.0% of the active arm's month-12 scores clipped at 48
    assert beyond.endswith(
        "(bias -0.0021, MC SE 0.00050, beyond simulation noise; likely causes: the floor and "
        "ceiling of the 0-48 scale with integer scores (about 1.0% of the active arm's "
        "scores at month 12, the last visit, are measured beyond 48 and clipped))."
    )
    informative = d.with_overrides({"dropout.informative": 1.0})
    assert estimate_bias_text(informative, entry, {**oc, "bias_mc_se": 0.0005}) == ""
    assert estimate_bias_text(d, entry, {**oc, "bias": float("nan"), "bias_mc_se": 0.1}) == ""


def test_the_robust_prior_is_cited_and_its_vague_component_named():
    """A statistician's review: under the robust prior, Schmidli et al. 2014 was in the
    reference list but cited nowhere in the text, and its N(0, 1.24^2) was not called the
    unit-information prior."""
    from designs.outputs.prior_notes import robust_note as _robust_note

    d = load_design("default").with_overrides({"decision.rule": "posterior"})
    robust = d.with_overrides({"decision.prior": "robust", "decision.prior_weight": 0.5})
    conflict = (
        "; prior-data conflict is handled by the mixture itself: the robust component's "
        "posterior weight rises above its prior weight only when the trial's estimate is "
        "likelier under it than under the phase 2 components (an estimate of no effect, near "
        "the robust component's centre, need not raise it), and the trial's analysis reports "
        "that weight"
    )  # (a Bayesian SAP review: the methods said nothing of conflict, nor cited Kass)
    tau = (
        "; its phase 2 part is that trial's posterior of the effect itself, with no "
        "between-trial heterogeneity modelled (one source trial), so it is discounted only by "
        "its weight and the robust component"
    )  # (a formula audit: "meta-analytic-predictive" implied a heterogeneity there is not)
    assert _robust_note(robust) == (
        "; the robust mixture prior of Schmidli et al. 2014; its second component, N(0, "
        "0.602^2), is the unit-information prior (Kass and Wasserman 1995), its SD that of the "
        "effect estimate with one patient per arm" + tau + conflict
    )  # (a Bayesian review: "vague component" read as the tool's vague prior, N(0, 10^2))
    own_sd = robust.with_overrides({"decision.robust_sd": 1.0})
    schmidli = "; the robust mixture prior of Schmidli et al. 2014"
    assert _robust_note(own_sd) == schmidli + tau + conflict
    # weight 0 borrows nothing: no conflict to handle, and the prior in use is the vague
    # N(0, 10^2), not the unit-information one (a diff review: the text named N(0, 0.602^2))
    vague = robust.with_overrides({"decision.prior_weight": 0.0})
    assert _robust_note(vague) == "; the robust mixture prior of Schmidli et al. 2014"
    assert _robust_note(d) == "" and _robust_note(load_design("default")) == ""
    from designs.outputs.methods_references import references_text

    cited = "\n".join(references_text("lmm_slope", True, robust_prior=True, unit_information=True))
    assert "Kass RE, Wasserman L (1995)" in cited
    assert "Kass" not in "\n".join(references_text("lmm_slope", True, robust_prior=True))


def test_the_methods_text_says_when_a_sceptical_prior_does_not_fit_the_effect(search_stand_in):
    from designs.outputs.prior_notes import sceptical_note

    d = load_design("default").with_overrides(
        {"decision.rule": "posterior", "decision.prior": "sceptical", "effect.value": 0.5}
    )
    note = sceptical_note(d)
    assert note.startswith("; the sceptical prior gives an effect at least as large as the ")
    assert "design's (+0.25) a prior probability of 0.05%" in note
    from designs.outputs.methods import methods_text

    result, oc = search_stand_in()
    text = methods_text(d, result, oc, None, None)
    assert note in text
    # the convention cited, and in the reference list (a protocol writer's review)
    assert "(Spiegelhalter, Freedman & Parmar 1994;" in note
    assert "- Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian approaches" in text
    # where the prior fits the effect (no note) the text cites it at the rule (a diff review)
    fits = d.with_overrides({"effect.value": 0.25})
    assert sceptical_note(fits) == ""
    text = methods_text(fits, result, oc, None, None)
    assert "(a sceptical prior: Spiegelhalter, Freedman & Parmar 1994)" in text
    assert "- Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian approaches" in text


def test_a_borrowing_prior_says_what_it_is_worth_and_rests_on(search_stand_in, fake_posterior):
    """A Bayesian review: no output said that the phase 2 part of the robust prior is worth
    about 20 patients per arm, nor that it rests on an uncontrolled comparison; and the
    text described the analysis's Wald test where the posterior rule reads only its
    estimate and SE. The effective sample size is the rule record's (ELIR), cited."""
    from designs.outputs.methods import methods_text
    from designs.planning.decision_rule import decision_prior, rule_record

    d = load_design("default").with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    prior = decision_prior(d, fake_posterior())
    rule = rule_record(d, prior)
    worth = rule["effective_sample_size"]
    assert worth["phase2"] > worth["prior"] > 0
    assert abs(worth["unit_sd"] - 0.602) < 1e-3  # the default design's unit information
    result, oc = search_stand_in()
    text = methods_text(d, result, {**oc, "decision_rule": rule}, None, None)
    assert (
        "by the expected local-information-ratio effective sample size (Neuenschwander et al. "
        f"2020) the phase 2 part of the prior is worth about {worth['phase2']:.1f} patients per "
        f"arm and the whole prior about {worth['prior']:.1f}"
    ) in text
    assert "rests on the uncontrolled before/after comparison of phase 2" in text
    assert "estimate and standard error, not its test, as a normal likelihood" in text
    assert "Neuenschwander B, Weber S, Schmidli H, O'Hagan A (2020)" in text
    vague = d.with_overrides({"decision.prior": "vague", "decision.prior_weight": 0.0})
    oc_vague = {**oc, "decision_rule": rule_record(vague, None)}
    plain = methods_text(vague, result, oc_vague, None, None)
    assert "Neuenschwander" not in plain and "effective sample size" not in plain


def test_the_reference_list_is_alphabetical_as_the_text_cites_by_author_and_year():
    """A grant writer's review: the numbered list followed neither the order of citation
    nor the alphabet (Glasserman, cited in the sample-size paragraph, was 13th)."""
    from designs.outputs.interim_tables import INTERIM_REFERENCES
    from designs.outputs.methods_references import references_text

    extra = [INTERIM_REFERENCES["lan_demets"], INTERIM_REFERENCES["jennison_turnbull"]]
    lines = references_text("lmm_slope", True, True, deaths=True, control_variate=True, extra=extra)
    assert lines[:2] == ["**References.**", ""]
    items = [line.removeprefix("- ") for line in lines[2:]]
    assert all(line.startswith("- ") for line in lines[2:])
    assert items == sorted(items, key=str.casefold) and len(items) == len(set(items))
    assert extra[0] in items and extra[1] in items
    assert items.index(next(i for i in items if i.startswith("Glasserman"))) < items.index(
        next(i for i in items if i.startswith("Satterthwaite"))
    )


def test_the_closed_form_n_can_be_recomputed_by_hand_from_the_text():
    """A grant writer's review recomputed n = 182 from an SD of 0.426 the text did not give,
    and asked why 36.4% dropout raised n by 1.25 times and not 1 / (1 - 0.364) = 1.57."""
    import re
    from types import SimpleNamespace

    import numpy as np
    import pytest

    from designs.outputs.methods import closed_form_check
    from designs.planning import closed_form as cf

    d = load_design("default")
    rows = [SimpleNamespace(n=184, n_total=368, target_power=0.8)]
    text = closed_form_check(d, SimpleNamespace(analysis="lmm_slope", rows=rows))
    found = re.search(r"dropout patterns, is (\S+) .*?; (\S+) with complete", text)
    v, v0 = (float(x) for x in found.groups())
    n = float(re.search(r"= (\S+) for 80% power", text).group(1))
    delta = d.effect.slope_shift(d.population.slope_mean)
    assert n == pytest.approx(cf.n_per_arm_slope(delta, v, power=0.8), abs=0.06)
    # complete follow-up, by the textbook formula: var(slope) + residual var / sum (t - tbar)^2
    t = np.asarray(d.trial.visits)
    textbook = d.population.slope_sd**2 + d.population.residual_sd**2 / ((t - t.mean()) ** 2).sum()
    assert v0 == pytest.approx(textbook, abs=5e-5)
    assert f"raises n by {v / v0:.2f} times" in text
    assert "(z_(1-alpha/2) + z_power)" in text
    one_sided = d.with_overrides({"trial.sides": 1, "trial.alpha": 0.025})
    slope = SimpleNamespace(analysis="lmm_slope", rows=rows)
    assert "(z_(1-alpha) + z_power)" in closed_form_check(one_sided, slope)
    unequal = d.with_overrides({"trial.allocation.active": 2, "trial.n_total": 300})
    assert "By hand" not in closed_form_check(
        unequal, SimpleNamespace(analysis="lmm_slope", rows=rows)
    )
    # complete follow-up: no dropout sentence, and the OLS t-test's check says why the GLS
    # slope stands for it (a diff review: "Dropout raises n by 1.00 times" with no dropout)
    complete = d.with_overrides({"dropout.cumulative": [], "dropout.death_monthly_hazard": 0.0})
    ols = closed_form_check(complete, SimpleNamespace(analysis="ols_slope_ttest", rows=rows))
    assert "the GLS slope, which on complete data is the mean of the patients' OLS slopes" in ols
    assert "Dropout" not in ols and "dropout patterns" not in ols
    found = re.search(r"with complete follow-up is (\S+) \(points/month\)\^2", ols)
    assert float(found.group(1)) == pytest.approx(textbook, abs=5e-5)


def test_the_mixed_models_name_their_fixed_effects():
    """A paste-ready review: "linear mixed model with random intercept and slope ... Wald test
    of arm x month" did not say the model has an arm main effect; on one trial R's lmerTest
    gave p 0.02458 with it (the tool's model: alsfrs_r ~ month * arm + (month | patient)) and
    0.058 without, so a protocol must name the fixed effects."""
    for name in ("lmm_slope", "lmm_slope_kr"):
        methods = registry.get(name).methods
        assert "fixed effects for month, arm and arm x month" in methods, name
        assert "random intercept and slope per patient" in methods, name


def test_a_report_without_assurance_is_not_headed_with_it():
    """A paste-ready review: with --no-assurance the heading still read "Methods: sample
    size and assurance"; an earlier report of either heading is still recognised as one."""
    from designs.outputs.methods import METHODS_TITLE, METHODS_TITLE_NO_ASSURANCE

    assert "assurance" in METHODS_TITLE and "assurance" not in METHODS_TITLE_NO_ASSURANCE


def test_the_lead_in_analysis_is_named_while_observed_not_missing_at_random():
    """A paste-ready review: the two-stage lead-in analysis was said to take the missed
    scores as missing at random, the mixed model's strategy; it has no model for them."""
    lines = dict(estimand_lines(load_design("lead_in"), "slope_change_lead_in"))
    loss = next(v for k, v in lines.items() if k.startswith("leaving the study"))
    assert loss.startswith("while observed") and "missing at random" not in loss
    assert lines["intercurrent event: death"].startswith("while alive")


def test_the_analyses_compared_are_cited():
    """A paste-ready review: CAFS (joint_rank) and Kenward-Roger were in the report's figures
    and tables and named in its methods, without a reference. Each analysis the text names
    is cited: Berry 2013 and Finkelstein & Schoenfeld 1999 for the joint rank, Kenward &
    Roger 1997 for lmm_slope_kr."""
    from designs.outputs.methods import references_text

    alone = "\n".join(references_text("lmm_slope", False, True))
    assert "Berry JD" not in alone and "Kenward MG" not in alone
    cited = "\n".join(
        references_text("lmm_slope", False, True, compared=("joint_rank", "lmm_slope_kr"))
    )
    for who in ("Berry JD", "Finkelstein DM, Schoenfeld DA (1999)", "Kenward MG, Roger JH (1997)"):
        assert who in cited, who


def test_a_course_scenario_says_it_replaces_the_designs_own():
    """A time-course review: under a design with its own course, the realism row "effect
    wanes from month 6" set the delay and ramp to 0, and read as the design's course with
    waning added."""
    from designs.planning.operating import REALISM_SCENARIOS, scenario_label
    from designs.spec import load_design

    plain = load_design()
    course = plain.with_overrides({"effect.onset_delay_months": 2.0})
    for label, over in REALISM_SCENARIOS:
        assert scenario_label(plain, label, over) == label
        said = scenario_label(course, label, over)
        if any(k.startswith("effect.") for k in over):
            assert said.endswith(", in place of the design's course (assumed)"), said
        else:
            assert said == label


def test_the_model_states_the_course_term():
    """A time-course review: the methods gave y_ij = a_i + s_i t_j + e_ij under a course."""
    from designs.outputs.methods_checks import course_model_clause
    from designs.spec import load_design

    plain = load_design()
    assert course_model_clause(plain) == ""
    late = plain.with_overrides({"effect.onset_delay_months": 3.0})
    assert "a_i + s_i t_j + d_i G(t_j) + e_ij" in course_model_clause(late)


def test_a_course_after_the_last_visit_bends_nothing():
    """A time-course review: waning from month 30 of a 12-month trial was said to bend the
    difference ("not a straight line", "1 of the full shift") and dropped the closed-form
    check; an onset after the last visit is no effect within the follow-up."""
    from designs.outputs.methods_checks import closed_form_models, course_clause
    from designs.spec import load_design
    from designs.spec.estimand import BENT_EFFECT, estimand_lines

    plain = load_design()
    late_wane = plain.with_overrides({"effect.wane_after_months": 30.0})
    assert not late_wane.effect.bends_within(12.0)
    assert plain.with_overrides({"effect.wane_after_months": 6.0}).effect.bends_within(12.0)
    assert not plain.with_overrides({"effect.onset_delay_months": 14.0}).effect.bends_within(12)
    assert closed_form_models(late_wane, "lmm_slope") == closed_form_models(plain, "lmm_slope")
    # an onset after the last visit bends nothing either, but no effect acts: no closed form
    # of the full shift (a diff review: 0.720 printed beside a simulated 0.063)
    never = plain.with_overrides({"effect.onset_delay_months": 12.0})
    assert closed_form_models(plain, "lmm_slope") and not closed_form_models(never, "lmm_slope")
    assert course_clause(never, "lmm_slope").endswith("no effect within the follow-up)")
    assert course_clause(late_wane, "lmm_slope").endswith(
        "(after the last visit, month 12: the full effect throughout the follow-up)"
    )
    assert not any(BENT_EFFECT in text for _, text in estimand_lines(late_wane, "lmm_slope"))
