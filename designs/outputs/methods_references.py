"""The reference list of the methods text (:mod:`designs.outputs.methods`): the works it
cites for a run, numbered in the order the text relies on them. ``docs/references.md`` has the
same works with what each supports."""

from __future__ import annotations

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
    "schmidli": "Schmidli H, Gsteiger S, Roychoudhury S, et al. (2014). Robust "
    "meta-analytic-predictive priors in clinical trials with historical control information. "
    "*Biometrics* 70(4):1023-1032. doi:10.1111/biom.12242",
    "phase2": "Yamashita T, Nakano Y, Sasaki R, et al. (2023). Safety and clinical effects of a "
    "Muse cell-based product in patients with amyotrophic lateral sclerosis: results of a "
    "phase 2 clinical trial. *Cell Transplantation* 32:9636897231214370. "
    "doi:10.1177/09636897231214370",
}


def references_text(
    analysis: str,
    assurance: bool,
    published_attrition: bool = True,
    *,
    robust_prior: bool = False,
    deaths: bool = False,
    control_variate: bool = False,
) -> list[str]:
    """The reference list of the methods text: what it cites for this analysis and run
    (``published_attrition``: the dropout schedule is the published one it cites, with
    ``deaths``, its death hazard split off it; ``robust_prior``: the posterior rule's robust
    mixture prior; ``control_variate``: powers counted with the oracle's control)."""
    keys = ["ich", "attrition"] if published_attrition else ["ich"]
    if published_attrition and deaths:
        keys.append("deaths")
    if analysis == "lmm_slope":
        keys += ["satterthwaite", "lmertest"]
    if analysis == "lmm_slope_kr":
        keys += ["kenward_roger", "pbkrtest"]
    if analysis == "joint_rank":
        keys.append("cafs")
    if analysis == "slope_change_lead_in":
        keys += ["dersimonian_laird", "hc2", "bell_mccaffrey", "imbens_kolesar"]
    if control_variate:
        keys.append("glasserman")
    if robust_prior:
        keys.append("schmidli")
    if assurance:
        keys.append("phase2")
    return ["**References.**", ""] + [f"{i}. {REFERENCES[k]}" for i, k in enumerate(keys, 1)]
