"""The reference list of the methods text (:mod:`designs.outputs.methods`): the works it
cites for a run, in alphabetical order, as the text cites them by author and year (a grant
writer's review found a numbered list in neither the order of citation nor of the alphabet).
``docs/references.md`` has the same works with what each supports."""

from __future__ import annotations

from collections.abc import Sequence

#: Works the methods text relies on (the project's docs/references.md has the figures and
#: the full bibliography): key -> citation.
REFERENCES = {
    "ich": "International Council for Harmonisation (2019). E9(R1): Addendum on estimands and "
    "sensitivity analysis in clinical trials to the guideline on statistical principles for "
    "clinical trials. Step 4, 20 November 2019.",
    "satterthwaite": "Satterthwaite FE (1946). An approximate distribution of estimates of "
    "variance components. *Biometrics Bulletin* 2(6):110-114. doi:10.2307/3002019",
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
    "finkelstein": "Finkelstein DM, Schoenfeld DA (1999). Combining mortality and longitudinal "
    "measures in clinical trials. *Statistics in Medicine* 18(11):1341-1354.",
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
    "deaths": "van Eijk RPA, Nikolakopoulos S, Roes KCB, et al. (2019). Critical design "
    "considerations for time-to-event endpoints in amyotrophic lateral sclerosis clinical "
    "trials. *Journal of Neurology, Neurosurgery and Psychiatry* 90(12):1331. PMCID PMC6902062",
    "glasserman": "Glasserman P (2004). *Monte Carlo Methods in Financial Engineering*, "
    "section 4.1 (control variates). Springer, New York. doi:10.1007/978-0-387-21617-1",
    "kass": "Kass RE, Wasserman L (1995). A reference Bayesian test for nested hypotheses and "
    "its relationship to the Schwarz criterion. *Journal of the American Statistical "
    "Association* 90(431):928-934. doi:10.1080/01621459.1995.10476592",
    "kopp_schneider": "Kopp-Schneider A, Calderazzo S, Wiesenfarth M (2020). Power gains by "
    "using external information in clinical trials are typically not possible when requiring "
    "strict type I error control. *Biometrical Journal* 62(2):361-374. "
    "doi:10.1002/bimj.201800395",
    "spiegelhalter_1994": "Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian "
    "approaches to randomized trials. *Journal of the Royal Statistical Society Series A* "
    "157(3):357-416. doi:10.2307/2983527",
    "schmidli": "Schmidli H, Gsteiger S, Roychoudhury S, et al. (2014). Robust "
    "meta-analytic-predictive priors in clinical trials with historical control information. "
    "*Biometrics* 70(4):1023-1032. doi:10.1111/biom.12242",
    "jrct": "jRCT2063200047. Japan Registry of Clinical Trials entry of the CL2020 phase 2 "
    "trial in ALS, results summary (posted January 2024). Sponsor: Life Science Institute Inc.",
    "okayama": "Okayama University (2023). Press release on the CL2020 phase 2 trial in ALS, "
    "25 December 2023.",
    "proudfoot": "Proudfoot M, Jones A, Talbot K, et al. (2016). The ALSFRS as an outcome "
    "measure in therapeutic trials and its relationship to symptom onset. *Amyotrophic Lateral "
    "Sclerosis and Frontotemporal Degeneration* 17(5-6):414-425. "
    "doi:10.3109/21678421.2016.1140786",
    "atassi": "Atassi N, Berry J, Shui A, et al. (2014). The PRO-ACT database: design, initial "
    "analyses, and predictive features. *Neurology* 83(19):1719-1725. "
    "doi:10.1212/WNL.0000000000000951",
    "mora2021": "Mora JS, Bradley WG, Chaverri D, et al. (2021). Long-term survival analysis "
    "of masitinib in amyotrophic lateral sclerosis. *Therapeutic Advances in Neurological "
    "Disorders* 14:17562864211030365. doi:10.1177/17562864211030365 (Table 3: the baseline "
    "characteristics of AB10015's placebo arm and of its enriched subgroup)",
    "topiramate": "Functional outcome measures as clinical trial endpoints in ALS (2004). "
    "*Neurology* 63(10):1933-1935. doi:10.1212/01.wnl.0000144345.49510.4e. PMID 15557515 "
    "(the placebo cohort of the topiramate trial, supplementary table; authors not recorded "
    "here: take them from PubMed)",
    "gordon": "Gordon PH, Cheng B, Salachas F, et al. (2010). Progression in ALS is not linear "
    "but is curvilinear. *Journal of Neurology* 257(10):1713-1717. "
    "doi:10.1007/s00415-010-5609-1",
    "castrillo": "Castrillo-Viguera C, Grasso DL, Simpson E, et al. (2010). Clinical "
    "significance in the change of decline in ALSFRS-R. *Amyotrophic Lateral Sclerosis* "
    "11(1-2):178-180. doi:10.3109/17482960903093710",
    "paganoni": "Paganoni S, Quintana M, Sherman AV, et al. (2023). Analysis of sodium "
    "phenylbutyrate and taurursodiol survival effect in ALS using external controls. *Annals "
    "of Clinical and Translational Neurology* 10(12):2297-2304. doi:10.1002/acn3.51915",
    "thakore": "Thakore NJ, et al. (2018). Trajectories of impairment in amyotrophic lateral "
    "sclerosis: insights from the Pooled Resource Open-Access ALS Clinical Trials cohort. "
    "*Muscle & Nerve* 57(6):937-945. doi:10.1002/mus.26042",
    "jacals": "ALSFRS-R decline rate prior to baseline is not useful for stratifying "
    "subsequent progression of functional decline (2024). *Amyotrophic Lateral Sclerosis and "
    "Frontotemporal Degeneration* 25(3-4):388-399. doi:10.1080/21678421.2024.2309989. PMID "
    "38323575 (JaCALS and PRO-ACT patients; authors not recorded here: take them from "
    "PubMed)",
    "neuenschwander": "Neuenschwander B, Weber S, Schmidli H, O'Hagan A (2020). Predictively "
    "consistent prior effective sample sizes. *Biometrics* 76(2):578-587. "
    "doi:10.1111/biom.13252",
    "phase2": "Yamashita T, Nakano Y, Sasaki R, et al. (2023). Safety and clinical effects of a "
    "Muse cell-based product in patients with amyotrophic lateral sclerosis: results of a "
    "phase 2 clinical trial. *Cell Transplantation* 32:9636897231214370. "
    "doi:10.1177/09636897231214370",
}


#: What each analysis's methods sentence cites.
ANALYSIS_KEYS = {
    "lmm_slope": ("satterthwaite", "lmertest"),
    "lmm_slope_kr": ("kenward_roger", "pbkrtest"),
    "joint_rank": ("cafs", "finkelstein"),
    "slope_change_lead_in": ("dersimonian_laird", "hc2", "bell_mccaffrey", "imbens_kolesar"),
}


def references_text(
    analysis: str,
    assurance: bool,
    published_attrition: bool = True,
    *,
    robust_prior: bool = False,
    prior_worth: bool = False,
    deaths: bool = False,
    control_variate: bool = False,
    inputs: Sequence[str] = (),
    extra: Sequence[str] = (),
    compared: Sequence[str] = (),
    unit_information: bool = False,
    sceptical_prior: bool = False,
) -> list[str]:
    """The reference list of the methods text: what it cites for this analysis and run
    (``published_attrition``: the text cites the published dropout schedule; ``deaths``: it
    cites the published death hazard split off it,
    :func:`designs.outputs.methods_dropout.cited_exit_sources`; ``robust_prior``: the
    posterior rule's robust mixture prior; ``prior_worth``: its effective sample size
    (borrowing); ``unit_information``: its vague component called the unit-information
    prior; ``sceptical_prior``: the posterior rule's sceptical prior; ``control_variate``:
    powers counted with the
    oracle's control; ``inputs``: the keys of the inputs' sources,
    :func:`designs.outputs.methods_inputs.input_keys`; ``extra``: other citations, e.g. the
    interim paragraph's; ``compared``: the other analyses the text names, whose methods are
    cited too: a paste-ready review found CAFS and Kenward-Roger in the figures and tables
    without a reference), alphabetical by first author (or title)."""
    keys = ["ich", "attrition"] if published_attrition else ["ich"]
    if deaths:
        keys.append("deaths")
    for name in (analysis, *compared):
        keys += [k for k in ANALYSIS_KEYS.get(name, ()) if k not in keys]
    keys += [k for k in inputs if k not in keys]
    if control_variate:
        keys.append("glasserman")
    if robust_prior:
        keys.append("schmidli")
    if sceptical_prior:  # the posterior rule's sceptical prior (a protocol writer's review)
        keys.append("spiegelhalter_1994")
    if unit_information:  # the robust component called the unit-information prior
        keys.append("kass")
    if prior_worth:  # the borrowing prior's effective sample size
        keys.append("neuenschwander")
    if prior_worth and assurance:  # the caveat on borrowing (prior_notes.borrowing_caveat)
        keys.append("kopp_schneider")
    if assurance:
        keys.append("phase2")
    cited = [REFERENCES[k] for k in keys] + list(extra)
    return ["**References.**", ""] + [f"- {c}" for c in sorted(set(cited), key=_sort_key)]


def _sort_key(citation: str) -> str:
    """Alphabetical order of a citation: its words, without markup, case folded."""
    return citation.lstrip("*_ ").casefold()
