"""The methods paragraph of a report, for a grant or a protocol (Markdown).

It states the estimand (ICH E9(R1)), the model, the analysis (its sentence from the analysis
registry), dropout, the sample-size method and results, assurance and its caveats, and the
software, and ends with the references it relies on.
"""

from __future__ import annotations

import math

from designs import __version__
from designs.analyses import registry
from designs.outputs.assurance_text import undefined_draws_note
from designs.outputs.console import is_illustrative
from designs.outputs.operating_tables import calibration_flag, realism_switches
from designs.outputs.rates import search_estimator
from designs.outputs.tables import (
    N_INTERVAL_NOTE,
    _n_text,
    failed_fits_note,
    posterior_rule_text,
    type_i_target,
)
from designs.spec.estimand import estimand_lines

#: Works the methods text relies on (the project's docs/references.md has the figures and
#: the full bibliography): key -> citation.
REFERENCES = {
    "ich": "International Council for Harmonisation (2019). E9(R1): Addendum on estimands and "
    "sensitivity analysis in clinical trials to the guideline on statistical principles for "
    "clinical trials. Step 4, 20 November 2019.",
    "satterthwaite": "Satterthwaite FE (1946). An approximate distribution of estimates of "
    "variance components. *Biometrics Bulletin* 2(6):110-114.",
    "lmertest": "Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package: tests "
    "in linear mixed effects models. *Journal of Statistical Software* 82(13):1-26. "
    "doi:10.18637/jss.v082.i13",
    "kenward_roger": "Kenward MG, Roger JH (1997). Small sample inference for fixed effects "
    "from restricted maximum likelihood. *Biometrics* 53(3):983-997. doi:10.2307/2533558",
    "pbkrtest": "Halekoh U, Hojsgaard S (2014). A Kenward-Roger approximation and parametric "
    "bootstrap methods for tests in linear mixed models - the R package pbkrtest. *Journal of "
    "Statistical Software* 59(9):1-32. doi:10.18637/jss.v059.i09",
    "cafs": "Berry JD, Miller R, Moore DH, et al. (2013). The Combined Assessment of Function "
    "and Survival (CAFS): a new endpoint for ALS clinical trials. *Amyotrophic Lateral "
    "Sclerosis and Frontotemporal Degeneration* 14(3):162-168. doi:10.3109/21678421.2012.762930",
    "hc2": "MacKinnon JG, White H (1985). Some heteroskedasticity-consistent covariance "
    "matrix estimators with improved finite sample properties. *Journal of Econometrics* "
    "29(3):305-325. doi:10.1016/0304-4076(85)90158-7",
    "bell_mccaffrey": "Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for "
    "linear regression with multi-stage samples. *Survey Methodology* 28(2):169-181.",
    "imbens_kolesar": "Imbens GW, Kolesar M (2016). Robust standard errors in small samples: "
    "some practical advice. *Review of Economics and Statistics* 98(4):701-712. "
    "doi:10.1162/REST_a_00552",
    "dersimonian_laird": "DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. "
    "*Controlled Clinical Trials* 7(3):177-188. doi:10.1016/0197-2456(86)90046-2",
    "attrition": "van Eijk RPA, van Loon FT, van Unnik JWJ, et al. (2025). Attrition and "
    "discontinuation in amyotrophic lateral sclerosis clinical trials: a meta-analysis. "
    "*Journal of Neurology* 272(1):40. doi:10.1007/s00415-024-12813-3",
    "schmidli": "Schmidli H, Gsteiger S, Roychoudhury S, et al. (2014). Robust "
    "meta-analytic-predictive priors in clinical trials with historical control information. "
    "*Biometrics* 70(4):1023-1032. doi:10.1111/biom.12242",
    "phase2": "Yamashita T, Nakano Y, Sasaki R, et al. (2023). Safety and clinical effects of a "
    "Muse cell-based product in patients with amyotrophic lateral sclerosis: results of a "
    "phase 2 clinical trial. *Cell Transplantation* 32:9636897231214370. "
    "doi:10.1177/09636897231214370",
}


#: The first line of methods.md (also how an earlier report folder is recognised).
METHODS_TITLE = "# Methods: sample size and assurance"


def references_text(
    analysis: str,
    assurance: bool,
    published_attrition: bool = True,
    *,
    robust_prior: bool = False,
) -> list[str]:
    """The reference list of the methods text: what it cites for this analysis and run
    (``published_attrition``: the dropout schedule is the published one it cites;
    ``robust_prior``: the posterior rule's robust mixture prior)."""
    keys = ["ich", "attrition"] if published_attrition else ["ich"]
    if analysis == "lmm_slope":
        keys += ["satterthwaite", "lmertest"]
    if analysis == "lmm_slope_kr":
        keys += ["kenward_roger", "pbkrtest"]
    if analysis == "joint_rank":
        keys.append("cafs")
    if analysis == "slope_change_lead_in":
        keys += ["dersimonian_laird", "hc2", "bell_mccaffrey", "imbens_kolesar"]
    if robust_prior:
        keys.append("schmidli")
    if assurance:
        keys.append("phase2")
    return ["**References.**", ""] + [f"{i}. {REFERENCES[k]}" for i, k in enumerate(keys, 1)]


def _software() -> str:
    import platform

    import numba
    import numpy
    import scipy
    import xarray

    parts = [
        f"als-trial-sim {__version__}",
        f"Python {platform.python_version()}",
        f"NumPy {numpy.__version__}",
        f"SciPy {scipy.__version__}",
        f"Numba {numba.__version__}",
        f"xarray {xarray.__version__}",
    ]
    try:
        import pymc

        parts.append(f"PyMC {pymc.__version__}")
    except ImportError:  # pragma: no cover
        pass
    return ", ".join(parts)


def search_text(result) -> str:
    """How n was searched: one stage, or two (:mod:`designs.planning.refine`)."""
    from designs.planning.power_curve import LOCAL_FACTOR, MIN_LOCAL_SIZES, MIN_OUTCOMES

    spans = list(getattr(result, "target_spans", ()) or ())
    refit = (
        f"for each target with at least {MIN_LOCAL_SIZES} sizes within {LOCAL_FACTOR:g} "
        f"times of where it crosses the target that had {MIN_OUTCOMES} or more successes and "
        "failures, refitted on those sizes"
    )
    if spans and all(sp is None for sp in spans):
        refit = "no target having enough sizes near its crossing to refit on, not refitted"
    first = (
        f"{result.trials} trials were simulated at each of {len(result.curve.sizes)} sizes "
        "with common random numbers (the same patients at every size)"
    )
    control = (
        " Each trial's success was counted with a control variate, its oracle test (the "
        "slope difference by generalised least squares on the trial's unrounded scores with "
        "the true covariance, exactly normal given the visits observed), which leaves the "
        "expected power unchanged and its Monte Carlo variance smaller (Glasserman 2004)."
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
    return (
        f"; the patients admitted decline {admitted[0]:.3g} points/month (SD "
        f"{admitted[1]:.2g}) on average"
    )


def admitted_share_text(design) -> str:
    """'; 30% of the admitted patients' decline' where the admitted mean is known."""
    share = design.admitted_share
    return "" if share is None else f"; {share:.0f}% of the admitted patients' decline"


def screening_rate_text(design, row) -> str:
    """With screening, the candidates to screen per month to randomise at the accrual rate."""
    if not design.enrichment.active:
        return ""
    per = row.screened_per_enrolled
    rate = design.trial.accrual_per_month
    return (
        f"; with about {per:.2f} candidates screened per patient randomised, randomising "
        f"{rate:g} a month means screening about {per * rate:.1f} candidates a month"
    )


def missed_check_text(rows: dict) -> str:
    """A warning sentence when a row's check on fresh trials missed its target
    (:func:`designs.outputs.console.fresh_check_missed`), else empty: a paragraph to paste
    must not quote an n its own check contradicts without saying so."""
    from designs.outputs.console import fresh_check_missed

    missed = [f"{r.target_power:.0%}" for r in rows.values() if fresh_check_missed(r)]
    if not missed:
        return ""
    return (
        f" WARNING: at the n for {' and '.join(missed)} power the check on fresh trials "
        "misses its target by more than its Monte Carlo error allows, so that n rests on "
        "simulation error: rerun with more trials per point before quoting it."
    )


def informative_bias_text(design, entry, oc) -> str:
    """With informative exits, a sentence saying the simulated data are missing not at
    random, and the primary analysis's bias against its estimand at the operating
    characteristics' size (empty without informative exits, or where the estimand has no
    true value, as for ``joint_rank``)."""
    d = design.dropout
    informative = d.informative != 0 or (d.death_informative != 0 and d.death_monthly_hazard > 0)
    bias = oc.get("bias", math.nan)
    if not informative or not math.isfinite(bias):
        return ""
    true = oc["mean_estimate"] - bias
    return (
        "These exits depend on each patient's own decline, so the data are missing not at "
        f"random: at {oc['n_placebo'] + oc['n_active']} randomised, {entry.name}'s mean "
        f"estimate is {oc['mean_estimate']:+.4g} against a true {true:+.4g} {entry.units} "
        f"(bias {bias:+.3g}, MC SE {oc['bias_mc_se']:.2g}). "
    )


def _mixture_text(design, oc) -> str:
    """The borrowing prior written out as its normal components (points/month), from the
    operating characteristics' ``decision_rule``: what a protocol pre-specifies (a review:
    the fitted phase 2 mixture was in no output); empty when the prior does not borrow."""
    parts = oc.get("decision_rule", {}).get("prior_components")
    if not design.decision.borrows or not parts:
        return ""
    mix = " + ".join(f"{c['weight']:.3f} N({c['mean']:+.3f}, {c['sd']:.3f}^2)" for c in parts)
    return (
        f"; the prior as a mixture of normals, the phase 2 posterior of the effect fitted by "
        f"one, points/month: {mix}"
    )


def _compared_strategies(design, analysis: str) -> str:
    """How the other analyses of the report's comparison treat loss to follow-up and death (a
    review: the text sent the reader to realism_sensitivity.md, which does not say)."""
    from designs.analyses.registry import get
    from designs.planning.report_plan import compared_analyses

    others = [get(a) for a in compared_analyses(design, analysis) if a != analysis]
    if not others:
        return "no other analysis is compared."
    return (
        "the other analyses shown for comparison treat loss to follow-up and death as "
        + "; ".join(f"{a.name}: {a.dropout_short} and {a.death_short}" for a in others)
        + "."
    )


def methods_text(
    design,
    result,
    oc,
    assurance: dict | None,
    idata_attrs: dict | None,
    undefined_draws: int = 0,
    interim=None,
) -> str:
    """A methods paragraph a grant writer can paste (Markdown); with ``interim`` (a
    :class:`designs.planning.report_interim.InterimPlan`), a paragraph on the interim design."""
    t, p, e = design.trial, design.population, design.effect
    entry = registry.get(result.analysis)
    rows = {r.target_power: r for r in result.rows}
    sizes = "; ".join(
        f"{r.target_power:.0%} power: {r.n_placebo} placebo + {r.n_active} active = "
        f"{r.n_total} randomised (Monte Carlo interval of "
        f"{'n per arm' if r.size_name == 'n_per_arm' else 'n total'} {_n_text(r)}; fitted power "
        f"at n {r.fitted_power:.3f}; simulated power {r.power:.3f}, MC SE {r.mc_se:.3f}, on "
        f"fresh trials {r.confirmed_power:.3f}, MC SE {r.confirmed_mc_se:.3f})"
        for r in rows.values()
    )
    posterior = design.decision.is_posterior
    flag = calibration_flag(
        oc["type_i_error"], type_i_target(design), oc["type_i_error_trials"], posterior=posterior
    )
    success = (
        f"; a success is {posterior_rule_text(design)} (the trial's estimate and standard error "
        "as a normal likelihood, the posterior in closed form)" + _mixture_text(design, oc)
        if posterior
        else f", alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided; a success is a "
        "significant result favouring active"
    )
    flag = f"; {flag}" if flag else ""
    mechanism = (
        "missing completely at random"
        if not (design.dropout.informative or design.dropout.death_informative)
        else "informative (faster decliners leave or die more often)"
    )
    en = design.enrichment.active
    whose = "candidates' " if en else ""
    if e.kind.value == "proportional_slowing":
        effect = (
            f"a {100 * e.value:g}% slowing of the {whose}mean ALSFRS-R "
            f"decline ({e.slope_shift(p.slope_mean):+.3f} points/month"
            f"{admitted_share_text(design)})"
        )
    else:
        effect = f"a slope difference of {e.value:+.3f} points/month"
    text = [
        METHODS_TITLE,
        "",
        "**Estimand (ICH E9(R1)).** "
        + " ".join(
            f"{k[0].upper()}{k[1:]}: {v}." for k, v in estimand_lines(design, result.analysis)
        )
        + f" Simulated {'candidates, screened before randomisation' if en else 'population'}: "
        f"baseline ALSFRS-R mean {p.baseline_mean:g} (SD {p.baseline_sd:g}), mean decline "
        f"{p.slope_mean:g} points/month (SD of true slopes {p.slope_sd:g}){admitted_text(design)}"
        ". Only the primary analysis carries this estimand; "
        + _compared_strategies(design, result.analysis),
        "",
        f"**Model and analysis.** Each simulated patient follows "
        f"y_ij = a_i + s_i t_j + e_ij with (a_i, s_i) bivariate normal and residual SD "
        f"{p.residual_sd:g} points; scores are "
        + ("rounded to integers and clipped to 0-48" if p.integer_scores else "continuous")
        + f". Visits at months {', '.join(f'{v:g}' for v in t.visits_months)}. The treatment "
        f"effect acts on each treated patient's slope: {effect}. Each trial is analysed with "
        f"{result.analysis} ({entry.methods}){success}. {failed_fits_note(design)}",
        "",
        f"**Dropout.** Monotone, {mechanism}, {design.gone_text()} "
        f"({attrition_source(design)}). The simulation loses these "
        "patients, so the "
        "sample size is the number randomised and is not inflated again. "
        f"{informative_bias_text(design, entry, oc)}"
        f"{realism_switches(design)} How far power and bias move when dropout and death "
        "depend on the patient's own decline, and when decline curves (assumptions that are "
        "not published), is shown in realism_sensitivity.md.",
        "",
        f"**Sample size.** {search_text(result)} The interval given for n is "
        f"{N_INTERVAL_NOTE} ({bootstrap_text(result)}). {sizes}.{missed_check_text(rows)} At "
        f"{oc['n_placebo'] + oc['n_active']} randomised the simulated type I error under the "
        f"same dropout is {oc['type_i_error']:.4f} (MC SE {oc['type_i_error_mc_se']:.4f}, "
        f"{oc['type_i_error_trials']:,} trials under no effect{flag}), "
        f"about {oc['expected_completers']:.0f} patients are expected to complete, and "
        f"accrual at {t.accrual_per_month:g} patients/month gives a calendar length of about "
        f"{oc['calendar_months']:.1f} months"
        + (
            f" (with the {t.lead_in_months:g}-month lead-in before randomisation)"
            if t.lead_in_months
            else ""
        )
        + screening_rate_text(design, result.rows[0])
        + ".",
        "",
    ]
    if assurance:
        from designs.planning.assurance import transported_decline_words

        a_text = "; ".join(
            f"at {n} per arm: {a['proportional'].assurance:.3f} (MC SE "
            f"{a['proportional'].mc_se:.3f}) with proportional transport and "
            f"{a['absolute'].assurance:.3f} with absolute transport, against "
            f"{a['proportional'].power_at_median:.3f} power at the posterior-median effect "
            "(proportional transport)"
            for n, a in assurance.items()
        )
        first = next(iter(assurance.values()))["proportional"]
        seed_text = f", fit seed {idata_attrs.get('seed')}" if idata_attrs else ""
        real = not is_illustrative(idata_attrs)
        depends = (
            "the priors"
            if real
            else "which reconstruction of the five patients and which priors are used"
        )
        text += [
            "**Assurance.** The treatment effect was also drawn, trial by trial, from the "
            "posterior of a Bayesian piecewise-linear hierarchical model of the phase 2 "
            f"data{seed_text} ({first.posterior_draws} draws; P(effect > 0) = "
            f"{first.p_effect_positive:.2f} for this posterior: the data are compatible with "
            f"benefit, at a probability that depends on {depends}, in an uncontrolled "
            "comparison). "
            "Proportional transport carries each draw over as "
            "a fraction of the phase 2 patients' own pre-dose decline, applied to "
            f"{transported_decline_words(design)}; absolute transport as "
            "points/month. Assurance ("
            + (
                f"probability of success, {posterior_rule_text(design)}"
                if posterior
                else "probability of a significant favourable result"
            )
            + f"): "
            f"{a_text}. " + undefined_draws_note(undefined_draws, first.posterior_draws),
            "",
            "**Caveats.** The phase 2 comparison was uncontrolled (before/after"
            + ("" if real else " in five patients")
            + ", open-label rating): regression to the mean, plateaus and rater "
            "expectation can all mimic an effect, so assurance built on it is optimistic if "
            "anything."
            + (
                ""
                if real
                else " The phase 2 data bundled with this tool are an illustrative "
                "reconstruction from published summaries, not the trial's patient-level data."
            ),
            "",
        ]
    dec = design.decision
    refs = references_text(
        result.analysis,
        bool(assurance),
        published_attrition(design),
        robust_prior=dec.is_posterior and dec.prior.value == "robust",
    )
    if interim is not None:
        from designs.outputs.interim_tables import (
            INTERIM_REFERENCES,
            interim_methods,
            interim_reference_keys,
        )

        first = len(refs) - 1  # the list has a title and a blank line before item 1
        text += [interim_methods(interim), ""]
        refs += [
            f"{first + i}. {INTERIM_REFERENCES[k]}"
            for i, k in enumerate(interim_reference_keys(interim))
        ]
    text += [
        f"**Simulation.** {result.trials} simulated trials per size"
        + (
            f", {result.refine_trials} in the sample-size search's second stage"
            if result.refine_trials
            else ""
        )
        + f" (seed {result.seed}); software: {_software()}.",
        "",
        *refs,
        "",
    ]
    return "\n".join(text)


def published_attrition(design) -> bool:
    """Whether the design keeps the library default's dropout and death schedule: the
    published all-cause attrition (van Eijk et al. 2025) with deaths split off it. Informative
    exits keep it (they change who leaves, not how many in the placebo arm)."""
    from designs.spec import load_design

    ours, default = design.dropout, load_design("default").dropout
    # the schedule, not who leaves: informative exits keep the placebo arm's rate nominal
    schedule = ("cumulative", "monthly_hazard", "death_monthly_hazard")
    return all(getattr(ours, f) == getattr(default, f) for f in schedule)


def attrition_source(design) -> str:
    """Where the dropout schedule comes from: the published all-cause attrition
    (:func:`published_attrition`), else the design's own assumption, with or without
    deaths."""
    if published_attrition(design):
        return "published all-cause attrition in ALS trials, deaths included; van Eijk et al. 2025"
    deaths = (
        "deaths included" if design.dropout.death_monthly_hazard > 0 else "no separate death hazard"
    )
    return f"as set in this design, an assumption, not a published figure; {deaths}"
