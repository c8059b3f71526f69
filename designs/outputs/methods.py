"""The methods paragraph of a report, for a grant or a protocol (Markdown).

It states the estimand (ICH E9(R1)), the model, the analysis (its sentence from the analysis
registry), dropout, the sample-size method and results, assurance and its caveats, and the
software, and ends with the references it relies on.
"""

from __future__ import annotations

import math

from designs.analyses import registry
from designs.outputs.assurance_text import median_power_text, undefined_draws_note
from designs.outputs.calendar import accrual_words
from designs.outputs.console import is_illustrative
from designs.outputs.effect_notes import points_kept_text
from designs.outputs.fresh_check import fresh_se_clause, se_or_count
from designs.outputs.methods_abbreviations import abbreviations_text
from designs.outputs.methods_checks import (
    assumption_sensitivity,
    closed_form_check,
    course_clause,
    course_model_clause,
    estimate_bias_text,
    rule_prior,
    sensitivity_range,
)
from designs.outputs.methods_compared import _compared_names, _compared_strategies
from designs.outputs.methods_dropout import (
    EXIT_MECHANICS,
    NOT_AN_ESTIMATE_SENSITIVITY,
    also_simulated,
    attrition_source,
    cited_exit_sources,
    effect_spread_text,
    improvers_text,
    informative_bias_text,
)
from designs.outputs.methods_inputs import input_keys, inputs_text
from designs.outputs.methods_references import references_text
from designs.outputs.numbers import rate_mc_se, se_text
from designs.outputs.operating_tables import calibration_flag
from designs.outputs.posterior_source import (
    fit_cautions,
    other_product_sentence,
    posterior_source,
)
from designs.outputs.prior_notes import (
    borrowing_caveat,
    mixture_text,
    robust_note,
    sceptical_cited,
    sceptical_note,
    unit_information_cited,
)
from designs.outputs.rates import search_estimator
from designs.outputs.report_cautions import calibrated_sentence
from designs.outputs.software import software_text
from designs.outputs.tables import (
    N_INTERVAL_NOTE,
    _n_text,
    failed_fits_note,
    posterior_rule_text,
    type_i_target,
)
from designs.spec.estimand import estimand_prose

#: The works the reference list gives for an analysis, cited where the text names its method.
IN_TEXT_CITATIONS = {
    # lme4's optimizer named (an R review: its default, nloptwrap, stops earlier, so p agreed
    # to about 5 digits and lme4 warned of convergence on complete data; bobyqa: 7-8 digits)
    "lmm_slope": "; Satterthwaite 1946, as R's lmerTest computes it on lme4's fit with "
    'optimizer "bobyqa", Kuznetsova et al. 2017',
    "lmm_slope_kr": "; as R's pbkrtest computes it on lme4's fit with optimizer \"bobyqa\", "
    "Halekoh & Hojsgaard 2014",
    "slope_change_lead_in": "; DerSimonian & Laird 1986, MacKinnon & White 1985, Bell & "
    "McCaffrey 2002, Imbens & Kolesar 2016",
}

#: The first line of methods.md (also how an earlier report folder is recognised).
METHODS_TITLE = "# Methods: sample size and assurance"
#: ... of a report without a phase 2 posterior (a paste-ready review: ``--no-assurance``
#: kept "and assurance" in the heading).
METHODS_TITLE_NO_ASSURANCE = "# Methods: sample size"


def _effect_interval(r) -> str:
    """The phase 2 effect's posterior median and 95% interval in ``r``'s transport units (a
    protocol writer's review: only the posterior figure's legend gave it)."""
    lo, hi = r.posterior_interval_draw or (math.nan, math.nan)
    if r.transport == "proportional":
        return (
            # in points/month too (a protocol writer's review: a design whose effect is in
            # points/month read a percentage only)
            f"a median slowing of the decline of {r.posterior_median_draw:.0%} "
            f"({r.posterior_median_points:+.3f} points/month in this population), 95% interval "
            f"{lo:.0%} to {hi:.0%}"
        )
    return (
        f"a median effect of {r.posterior_median_points:+.3f} points/month, 95% interval "
        f"{lo:+.3f} to {hi:+.3f}"
    )


def search_text(result) -> str:
    """How n was searched: one stage, or two (:mod:`designs.planning.refine`)."""
    from designs.planning.power_curve import LOCAL_FACTOR, MIN_LOCAL_SIZES, MIN_OUTCOMES

    spans = list(getattr(result, "target_spans", ()) or ())
    refit = (
        f"for each target, refitted on the sizes between n / {LOCAL_FACTOR:g} and "
        f"{LOCAL_FACTOR:g} n (n where the curve crosses the target) that had {MIN_OUTCOMES} or "
        f"more successes and failures, where there were at least {MIN_LOCAL_SIZES}"
    )
    if spans and all(sp is None for sp in spans):
        refit = "no target having enough sizes near its crossing to refit on, not refitted"
    first = (
        f"{result.trials} trials were simulated at each of {len(result.curve.sizes)} sizes "
        "with common random numbers (each smaller trial's patients are the first patients of "
        "every larger trial)"
    )
    control = (
        " Each trial's success was counted with a control variate, its oracle test (the "
        "slope difference by generalised least squares on the trial's unrounded scores with "
        "the true covariance, exactly normal given the visits observed): the estimate of the "
        "power is unbiased up to a term of order 1/trials (the control's coefficient is "
        "estimated on the same trials), and its Monte Carlo variance is 1 - rho^2 times the "
        "plain one's, rho the correlation of the trial's success with its control "
        "(Glasserman 2004)."
        if search_estimator(result) == "control variate"
        else ""
    )
    if not result.refine_trials:
        return (
            f"{first}; a probit curve of power in the square root of n was fitted to every "
            f"size and, {refit}, and each target's curve was inverted for n.{control}"
        )
    near = ", ".join(str(int(m)) for m in result.stages.near.sizes)
    return (
        f"The search had two stages. First, {first}. Second, {result.refine_trials} more "
        "trials (the next trials of the same seed) were simulated at the size each "
        f"first-stage estimate of n rounds up to ({near}). A binomial probit curve of power "
        f"in the square root of n was fitted to both stages and, {refit}, and each target's "
        "curve was inverted for n; the simulated power "
        f"at n and the check on fresh trials use {result.refine_trials} trials.{control}"
    )


def bootstrap_text(result) -> str:
    """How the interval of n was resampled."""
    if not result.refine_trials:
        return "bootstrap resamples of whole trials"
    return "bootstrap resamples of whole trials within each stage"


def admitted_text(design) -> str:
    """With screening, the admitted patients' decline (closed form under the delta-FS rule)."""
    if not design.enrichment.active:
        return ""
    admitted = design.enrichment.admitted_slope(design.population)
    if admitted is None:
        return "; the admitted patients' decline has no closed form under lead-in screening"
    # (a methods review: "decline -0.852 points/month" read as an improvement, "SD 0.7")
    return (
        f"; the patients admitted have a mean ALSFRS-R slope of {admitted[0]:.3g} points/month "
        f"(SD {admitted[1]:.2f})"
    )


def admitted_share_text(design) -> str:
    """'; 30% of the admitted patients' decline' where the admitted mean is known."""
    share = design.admitted_share
    return "" if share is None else f"; {share:.0f}% of the admitted patients' decline"


def screening_rate_text(design, row) -> str:
    """With screening, the candidates to screen per month to randomise at the accrual rate."""
    if not design.enrichment.active:
        return ""
    from designs.outputs.tables import lead_in_loss_words, screened_per_randomised

    per = screened_per_randomised(row, design)
    rate = design.trial.accrual_per_month

    return (
        f"; with about {per:.2f} candidates screened per patient randomised, randomising "
        f"{rate:g} a month means screening about {per * rate:.1f} candidates a "
        f"month{lead_in_loss_words(design)}"
    )


def missed_check_text(rows: dict) -> str:
    """A warning sentence when a row's check on fresh trials missed its target
    (:func:`designs.outputs.fresh_check.fresh_check_missed`), else empty: a paragraph to paste
    must not quote an n its own check contradicts without saying so."""
    from designs.outputs.fresh_check import fresh_check_missed

    missed = [f"{r.target_power:.0%}" for r in rows.values() if fresh_check_missed(r)]
    if not missed:
        return ""
    return (
        f" WARNING: at the n for {' and '.join(missed)} power the check on fresh trials "
        "misses its target by more than its Monte Carlo error allows, so that n rests on "
        "simulation error: rerun with more trials per point before quoting it."
    )


def methods_text(
    design,
    result,
    oc,
    assurance: dict | None,
    idata_attrs: dict | None,
    undefined_draws: int = 0,
    interim=None,
    realism: list[dict] | None = None,
    realism_n: int | None = None,
    calibrated=None,
) -> str:
    """A methods paragraph a grant writer can paste (Markdown); ``calibrated``: the report's
    calibration over prior weights, for the success probability of the rule that holds the
    level (:func:`designs.outputs.report_cautions.calibrated_sentence`); with ``interim`` (a
    :class:`designs.planning.report_interim.InterimPlan`), a paragraph on the interim design;
    with ``realism`` (the rows of realism_sensitivity.md), the range of power they give."""
    t, p, e = design.trial, design.population, design.effect
    entry = registry.get(result.analysis)
    rows = {r.target_power: r for r in result.rows}
    sizes = "; ".join(
        f"{r.target_power:.0%} power: {r.n_placebo} placebo + {r.n_active} active = "
        f"{r.n_total} randomised (Monte Carlo interval of "
        f"{'n per arm' if r.size_name == 'n_per_arm' else 'n total'} {_n_text(r)}; fitted power "
        f"at n {r.fitted_power:.3f}; simulated power {r.power:.3f}, "
        f"{se_or_count(r.power, r.mc_se, r.trials)}, on "
        f"fresh trials {r.confirmed_power:.3f}, {fresh_se_clause(r)})"
        for r in rows.values()
    )
    posterior = design.decision.is_posterior
    flag = calibration_flag(
        oc["type_i_error"], type_i_target(design), oc["type_i_error_trials"], posterior=posterior
    )
    success = (
        f"; a success is {posterior_rule_text(design)}{sceptical_cited(design)} (the trial's "
        "estimate and standard error, "
        "not its test, as a normal likelihood, the posterior in closed form"
        + robust_note(design)
        + sceptical_note(design)
        + ")"
        + mixture_text(design, oc)
        if posterior
        else f", alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided; a success is a "
        "significant result favouring active"
    )
    flag = f"; {flag}" if flag else ""
    informative = design.dropout.informative_text
    mechanism = f"informative ({informative})" if informative else "missing completely at random"
    en = design.enrichment.active
    whose = "candidates' " if en else ""
    if e.kind.value == "proportional_slowing":
        effect = (
            f"a {100 * e.value:g}% slowing of the {whose}mean ALSFRS-R "
            f"decline ({e.slope_shift(p.slope_mean):+.3f} points/month"
            f"{admitted_share_text(design)})"
        )
    else:
        effect = f"a slope difference of {e.value:+.3f} points/month{design.decline_share_text()}"
    effect += course_clause(design, result.analysis)
    text = [
        METHODS_TITLE if assurance else METHODS_TITLE_NO_ASSURANCE,
        "",
        "**Estimand (ICH E9(R1)).** "
        + estimand_prose(design, result.analysis)
        + f" Simulated {'candidates, screened before randomisation' if en else 'population'}: "
        f"baseline ALSFRS-R mean {p.baseline_mean:g} (SD of true baselines {p.baseline_sd:g}), "
        f"mean decline {p.slope_mean:g} points/month (SD of true slopes {p.slope_sd:g})"
        f"{admitted_text(design)}{improvers_text(design)}. "
        + _compared_strategies(design, result.analysis),
        "",
        f"**Model and analysis.** Each simulated patient follows "
        f"y_ij = a_i + s_i t_j + e_ij with (a_i, s_i) bivariate normal and e_ij independent "
        f"normal with SD {p.residual_sd:g} points{course_model_clause(design)}; scores are "
        + ("rounded to integers and clipped to 0-48" if p.integer_scores else "continuous")
        + f". {t.visits_text()} The treatment "
        f"effect acts on each treated patient's slope: {effect}, "
        f"{effect_spread_text(design)}{points_kept_text(design)}. Each trial is analysed with "
        f"the trial's primary analysis, {result.analysis} "
        f"({entry.methods}{IN_TEXT_CITATIONS.get(result.analysis, '')})"
        f"{success}. {failed_fits_note(design)}{estimate_bias_text(design, entry, oc)}",
        "",
        f"**Dropout.** Monotone, {mechanism}, {design.gone_text()} "
        f"({attrition_source(design)}). {EXIT_MECHANICS}The simulation loses these "
        "patients, so the sample size is the number randomised and is not inflated again. "
        f"{informative_bias_text(design, entry, oc)}"
        f"{also_simulated(design)}How far power and bias move when dropout and death "
        "depend on the patient's own decline, when decline bends by one curve common to "
        "every patient and both arms (decline that accelerates throughout, or curves "
        "differently between patients, is not simulated) and when the effect starts "
        "late or wanes (assumptions that are not published) is shown in a supplementary "
        "table (the report's realism_sensitivity.md)"
        f"{sensitivity_range(realism, result.analysis, realism_n)}. " + NOT_AN_ESTIMATE_SENSITIVITY,
        "",
        # with looks, this paragraph's n is the fixed design's, n max the interim paragraph's
        # (a diff review: pasted first, it read as the trial's n)
        (
            "**Sample size (the design without interim looks; with them, below).** "
            if interim is not None
            else "**Sample size.** "
        )
        + f"Patients are randomised {t.allocation.describe()} (placebo:active)"
        f"{_block_clause(t.allocation)}. "
        f"{search_text(result)} The interval given for n is "
        f"{N_INTERVAL_NOTE} ({bootstrap_text(result)}). {sizes}.{missed_check_text(rows)}"
        f"{closed_form_check(design, result)} At "
        f"{oc['n_placebo'] + oc['n_active']} randomised the simulated type I error under the "
        f"same dropout is {oc['type_i_error']:.4f} (MC SE {se_text(oc['type_i_error_mc_se'])}, "
        f"{oc['type_i_error_trials']:,} trials under no effect{flag}), "
        f"{completers_text(result.rows[0], oc)}, and "
        f"accrual {accrual_words(design, oc['accrual_months'])} gives a calendar length of about "
        f"{oc['calendar_months']:.1f} months"
        + (
            f" (with the {t.lead_in_months:g}-month lead-in before randomisation)"
            if t.lead_in_months
            else ""
        )
        + screening_rate_text(design, result.rows[0])
        + "."
        + calibrated_sentence(result.rows[0], design, calibrated)
        + _type_i_elsewhere(design, calibrated),
        "",
    ]
    text += [*inputs_text(design, looks=design.interim.sequential or interim is not None), ""]
    assumptions = assumption_sensitivity(
        design, result.analysis, result.rows[0].target_power, rule_prior(design, oc)
    )
    text += [assumptions, ""] if assumptions else []
    if assurance:
        from designs.planning.assurance import transported_decline_words

        # n is per arm or in total, as the search's size (a review: 300 in total read "per arm")
        per_arm = result.rows[0].size_name == "n_per_arm"
        size_unit = "per arm" if per_arm else "randomised in total"
        a_text = "; ".join(
            f"at {n} {size_unit}: "
            f"{rate_mc_se(a['proportional'].assurance, a['proportional'].mc_se)} with "
            "proportional transport and "
            f"{rate_mc_se(a['absolute'].assurance, a['absolute'].mc_se)} with "
            f"absolute transport, against {median_power_text(a['proportional'])} "
            "power at the posterior-median effect (proportional transport)"
            for n, a in assurance.items()
        )
        first = next(iter(assurance.values()))["proportional"]
        real = not is_illustrative(idata_attrs)
        seed_text = f", fit seed {idata_attrs.get('seed')}" if idata_attrs and not real else ""
        # the draws' SHA-256, as the README gives it (an auditor's review: the paragraph a
        # protocol pastes named no posterior a reader could check)
        from designs.outputs.posterior_source import draws_sha_text

        draws = draws_sha_text(idata_attrs)
        # for own data posterior_source gives it (a review of one's own records: twice)
        seed_text += f", {draws}" if draws and not real else ""
        depends = (  # the prior on delta above all, assurance too (a prior review)
            "the priors, the change of slope's above all (assurance moves with it too)"
            if real
            else "which reconstruction of the five patients (its measurement noise chosen at SD 1 "
            "point, half the trial's 2) and which priors are used, the change of slope's above all"
        )
        notes = (
            undefined_draws_note(undefined_draws, first.posterior_draws),
            fit_cautions(idata_attrs),
        )
        after_assurance = " ".join(x for x in notes if x)
        text += [
            "**Assurance.** The treatment effect was also drawn, trial by trial, from the "
            "posterior of a Bayesian piecewise-linear hierarchical model of the "
            + (
                f"phase 2 data {posterior_source(idata_attrs, '[]')}"
                if real
                else "CL2020 phase 2 data (Yamashita et al. 2023; an illustrative "
                "reconstruction, not patient data)"
            )
            + f"{seed_text} ({first.posterior_draws} draws; {_effect_interval(first)}; "
            f"P(effect > 0) = {first.p_effect_positive:.2f} for this posterior: "
            + ("the data are" if real else "the reconstruction is")
            + f" compatible with benefit, at a probability that depends on {depends}, in an "
            "uncontrolled comparison). Only the effect is drawn: the decline, its SD, the "
            "residual SD and dropout stay at the design's values. "
            "Proportional transport carries each draw over as "
            "a fraction of the phase 2 patients' own pre-dose decline, applied to "
            f"{transported_decline_words(design)}; absolute transport as "
            f"points/month.{other_product_sentence(design, real)} Assurance ("
            + (
                f"probability of success, {posterior_rule_text(design)}"
                if posterior
                else "probability of a significant favourable result"
            )
            + f"; {first.trials} simulated trials per size and transport): "
            f"{a_text}. " + after_assurance,
            "",
            # which phase 2: on a design for another product it read as that product's own
            # (a protocol writer's review)
            f"**Caveats.** The {'' if real else 'CL2020 '}phase 2 comparison was uncontrolled "
            "(before/after"
            + (
                "; open-label rating, if it was): regression to the mean, plateaus and rater "
                "expectation"
                if real
                else " in five patients, "
                "open-label rating): regression to the mean, plateaus and rater expectation"
            )
            + " can all mimic an effect, so assurance built on it is optimistic if anything."
            + (
                ""
                if real
                else " The phase 2 data bundled with this tool are an illustrative "
                "reconstruction from published summaries, not the trial's patient-level data."
            )
            + borrowing_caveat(design),
            "",
        ]
    dec = design.decision
    attrition_cited, deaths_cited = cited_exit_sources(design)
    interim_cited = []
    if interim is not None:
        from designs.outputs.interim_tables import (
            INTERIM_REFERENCES,
            interim_methods,
            interim_reference_keys,
        )

        text += [interim_methods(interim), ""]
        interim_cited = [INTERIM_REFERENCES[k] for k in interim_reference_keys(interim)]
    refs = references_text(
        result.analysis,
        bool(assurance),
        attrition_cited,
        robust_prior=dec.is_posterior and dec.prior.value == "robust",
        sceptical_prior=dec.is_posterior and dec.prior.value == "sceptical",
        prior_worth="effective_sample_size" in oc.get("decision_rule", {}),
        unit_information=unit_information_cited(design),
        deaths=deaths_cited,
        control_variate=search_estimator(result) == "control variate",
        inputs=input_keys(design),
        extra=interim_cited,
        compared=_compared_names(design, result.analysis),
    )
    text += [
        f"**Simulation.** {result.trials} simulated trials per size"
        + (
            f", {result.refine_trials} in the sample-size search's second stage"
            if result.refine_trials
            else ""
        )
        + f" (seed {result.seed}); software: {software_text()}.",
        "",
    ]
    return "\n".join([*text, *abbreviations_text("\n".join(text)), *refs, ""])


def _type_i_elsewhere(design, calibrated=None) -> str:
    """Under the posterior rule, where else the report gives the rule's type I error and why
    it differs (a protocol writer's review: 0.0470, 0.0448 and 0.0436 in three files, with
    no word on why); prior_weight.md only where it holds this rule (a diff review: it was
    named without a prior-weight section, and under a sceptical prior)."""
    if not design.decision.is_posterior:
        return ""
    from designs.outputs.report_cautions import prior_weight_has

    if prior_weight_has(design, calibrated):
        return (
            " The sample-size table's type I error at n and prior_weight.md's are the same "
            "rate on other simulated null trials (the check's at n, the calibration's) and "
            "differ from this one by Monte Carlo error."
        )
    return (
        " The sample-size table's type I error at n is the same rate on other simulated null "
        "trials (the check's at n) and differs from this one by Monte Carlo error."
    )


def completers_text(row, oc) -> str:
    """The patients expected to complete (both arms), from the sample-size table's row where
    the operating characteristics are at its n (one figure in both places: a review found 234
    in the table and 235 here, from two simulations)."""
    n = oc["n_placebo"] + oc["n_active"]
    completers = row.expected_completers if row.n_total == n else oc["expected_completers"]
    return (
        f"about {completers:.0f} patients ({completers / n:.1%} of those randomised, both "
        "arms) are expected to complete"
    )


def _block_clause(allocation) -> str:
    """How n in total splits under unequal allocation (``''`` with 1:1)."""
    if allocation.equal:
        return ""
    if allocation.block > 1:
        return (
            f"; n in total is a multiple of {allocation.block}, so that the arms are in this "
            "ratio exactly"
        )
    return "; the active arm is n in total times its share, rounded"
