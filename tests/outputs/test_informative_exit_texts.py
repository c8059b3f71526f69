"""What the texts say an analysis estimates when exits depend on the patient's decline
(review of the analyses under informative dropout and death)."""

import math

import numpy as np
import pandas as pd

from designs.analyses import joint_rank, registry
from designs.outputs.methods import informative_bias_text
from designs.spec import load_design
from designs.spec.estimand import LEAVING, NOT_AT_RANDOM, estimand_lines

INFORMATIVE = {
    "dropout.informative": 2.0,
    "dropout.death_monthly_hazard": 0.02,
    "dropout.death_informative": 2.0,
}


def _strategies(design, analysis=None):
    lines = dict(estimand_lines(design, analysis))
    return (
        lines[LEAVING],
        lines["intercurrent event: death"],
    )


def test_a_missing_at_random_strategy_is_flagged_once_under_informative_exits():
    """The hypothetical strategy assumes missing at random; the design's informative exits
    break it (lmm_slope's estimate was 11% low in the review): said once, on the dropout line
    when dropout is informative, else on the death line."""
    plain = load_design(None)
    assert all(NOT_AT_RANDOM not in s for s in _strategies(plain))
    both = plain.with_overrides(INFORMATIVE)
    dropout, death = _strategies(both)
    assert dropout.endswith(NOT_AT_RANDOM) and NOT_AT_RANDOM not in death
    death_only = plain.with_overrides({"dropout.death_informative": 2.0})
    dropout, death = _strategies(death_only)
    assert (
        NOT_AT_RANDOM not in dropout and death.startswith("hypothetical") and NOT_AT_RANDOM in death
    )
    # joint_rank's composite and censoring strategies do not assume missing at random; its
    # censoring assumes leaving tells nothing of the outcome (an estimand review)
    from designs.spec.estimand import INFORMATIVE_CENSORING

    dropout, death = _strategies(both, "joint_rank")
    assert NOT_AT_RANDOM not in dropout + death
    assert dropout.endswith(INFORMATIVE_CENSORING) and INFORMATIVE_CENSORING not in death


def test_the_methods_text_gives_the_bias_under_informative_exits():
    entry = registry.get("lmm_slope")
    oc = {
        "n_placebo": 100,
        "n_active": 100,
        "mean_estimate": 0.1113,
        "bias": -0.0137,
        "bias_mc_se": 0.0009,
    }
    design = load_design(None)
    assert informative_bias_text(design, entry, oc) == ""
    text = informative_bias_text(design.with_overrides(INFORMATIVE), entry, oc)
    assert "missing not at random" in text
    assert (
        "mean estimate of the mixed model of slopes (lmm_slope) is +0.1113 against a true "
        "+0.125 points/month" in text
    )
    assert "bias -0.0137" in text
    # no true value (joint_rank): nothing to compare with
    oc_nan = dict(oc, bias=math.nan)
    assert informative_bias_text(design.with_overrides(INFORMATIVE), entry, oc_nan) == ""


def test_joint_rank_says_how_a_death_is_really_ranked():
    """The strategy said 'death ranks below every survivor'; Finkelstein-Schoenfeld compares a
    death with a patient who left alive before it on function."""
    assert "below every survivor" not in joint_rank.DEATH_STRATEGY
    assert "Finkelstein-Schoenfeld" in joint_rank.DEATH_STRATEGY


def _early_exits():
    """6 patients per arm; 2 placebo and 1 active have only the month-0 visit."""
    rng = np.random.default_rng(4)
    rows = []
    for arm in (0, 1):
        for i in range(6):
            last = 0 if i < 2 - arm else 6
            s = -0.8 + 0.3 * arm + 0.2 * rng.standard_normal()
            for t in range(last + 1):
                rows.append(
                    (f"{arm}-{i}", arm, float(t), round(40 + s * t + rng.standard_normal()))
                )
    return pd.DataFrame(rows, columns=["patient", "arm", "month", "alsfrs_r"])


def test_patients_an_analysis_leaves_out_are_counted():
    """Review finding: ols_slope_ttest silently analysed 46 of 60 patients (those who left
    before month 1 have one visit)."""
    data = _early_exits()
    ols = registry.analyze(data, "ols_slope_ttest")
    assert (ols.n_placebo, ols.n_active) == (4, 5)
    assert ols.warnings == (
        "2 of 6 placebo and 1 of 6 active patients are not in this analysis, which uses "
        "patients with at least 2 visits from month 0 (patients 0-0, 0-1, 1-0); when leaving "
        "depends on decline, those left out differ from the rest (the fastest decliners, when "
        "faster decline means leaving sooner)",
    )
    lmm = registry.analyze(data, "lmm_slope")  # one visit still informs the mixed model
    assert (lmm.n_placebo, lmm.n_active) == (6, 6)
    # none on those left out; Satterthwaite at 6 per arm, with leavers; and this toy trial's
    # random intercept and slope correlate -1 (lme4's isSingular)
    singular, small = lmm.warnings
    assert singular.startswith("singular fit")
    assert small.startswith("6 patients in the smaller arm, some with fewer visits than others")


def test_the_patients_left_out_are_named_up_to_ten():
    """A DMC review: the warning counted those left out and the committee had to find them.
    12 placebo patients with the month-0 visit only: ten named, two more counted; a patient
    with lead-in visits only is named by lmm_slope, which needs one visit from month 0."""
    data = _early_exits()
    extra = pd.DataFrame(
        [(f"x{i}", 0, 0.0, 40) for i in range(12)], columns=["patient", "arm", "month", "alsfrs_r"]
    )
    (line,) = registry.analyze(pd.concat([data, extra]), "ols_slope_ttest").warnings
    named = "0-0, 0-1, 1-0, x0, x1, x2, x3, x4, x5, x6"  # numbers in IDs sorted as numbers
    assert (
        line.startswith("14 of 18 placebo and 1 of 6 active")
        and f"(patients {named} and 5 more);" in line
    )
    lead_in_only = pd.DataFrame(
        [("L", 1, -2.0, 44), ("L", 1, -1.0, 43)], columns=["patient", "arm", "month", "alsfrs_r"]
    )
    (line,) = [
        w
        for w in registry.analyze(pd.concat([data, lead_in_only]), "lmm_slope").warnings
        if "not in this analysis" in w
    ]
    assert line.startswith("0 of 6 placebo and 1 of 7 active") and "(patient L);" in line


def test_the_informative_coefficient_is_defined_where_it_is_quoted():
    """A paste-ready review: "informative dropout (2 per point/month)" was defined only in a
    comment of design.toml. The methods say what the coefficient multiplies: at 2, a patient
    declining 1 point/month faster leaves exp(2) = 7.39 times as often."""
    from designs.outputs.methods_dropout import also_simulated

    text = also_simulated(load_design().with_overrides({"dropout.informative": 2.0}))
    assert "informative dropout (2 per point/month)" in text
    assert "exp(c x (mean slope - own slope))" in text
    assert f"drops out {math.exp(2.0):.3g} times as often" in text
    assert "the placebo arm's overall rate stays at its nominal value" in text
    assert "exp(c" not in also_simulated(load_design())
    # a diff review: each coefficient is explained, and under lead-in screening the rate
    # kept nominal is the candidates' (the design line says so too)
    both = also_simulated(
        load_design("lead_in").with_overrides(
            {
                "dropout.informative": 2.0,
                "dropout.death_informative": 1.0,
                "enrichment.lead_in_decline_min": 1.0,
                "enrichment.lead_in_decline_max": 10.0,
            }
        )
    )
    assert f"dies {math.exp(1.0):.3g} times as often" in both
    assert "the candidates' overall rate" in both and "placebo arm's" not in both
