"""The report's interim design under the posterior rule (``decision.rule = "posterior"``):
the looks table (each look's threshold on the probability scale and the z it implies at the
look's planned information, the probability of stopping for efficacy and for futility under
the effect and under no effect), the notes and the methods paragraph, rendered from a
:class:`designs.planning.report_interim.InterimPlan` whose ``threshold_z`` is set. Nothing
here simulates; :mod:`designs.outputs.interim_tables` calls it for such a plan.
"""

from __future__ import annotations

from designs import __version__
from designs.analyses.registry import title
from designs.outputs.group_sequential import DATA_CUT, entered, entered_cell
from designs.outputs.interim_looks_table import LOOK_COLUMNS, null_trials
from designs.outputs.numbers import rate_mc_se
from designs.outputs.rates import above_level, rate_cell
from designs.planning.power import mc_se
from designs.program import program_name

__all__ = ["POSTERIOR_LOOK_COLUMNS", "posterior_look_rows", "posterior_methods"]

#: Columns of the looks table: (key, Markdown header, LaTeX group, LaTeX header).
POSTERIOR_LOOK_COLUMNS = (
    *LOOK_COLUMNS[:5],  # look, information planned and observed, month, randomised
    ("threshold", "threshold P(effect > margin)", "Efficacy", "threshold"),
    ("threshold_z", "as z at planned information", "Efficacy", "z"),
    *LOOK_COLUMNS[-4:],  # the stopping probabilities under the effect and under none
)


def posterior_look_rows(interim) -> list[dict]:
    """One dict of numbers per look (MC SE ``sqrt(p (1 - p) / trials)``)."""
    from designs.outputs.group_sequential import has_futility

    s = interim.summary
    excludes = interim.design.decision.excludes_failed
    n1 = s.trials - (s.failed_fits if excludes else 0)
    n0 = null_trials(s) - (s.failed_fits_h0 if excludes else 0)
    futility = has_futility(s)  # as the frequentist table and the notes decide it
    return [
        {
            "look": k + 1,
            "information_fraction": s.expected_information_fraction[k],
            "observed_fraction": s.observed_information_fraction[k],
            "month": s.look_months[k],
            "n_entered": entered(s, k),
            "threshold": s.thresholds[k],
            "threshold_z": interim.threshold_z[k],
            "p_efficacy_h1": s.p_stop_efficacy[k],
            "se_efficacy_h1": mc_se(s.p_stop_efficacy[k], n1),
            "p_futility_h1": s.p_stop_futility[k],
            "se_futility_h1": mc_se(s.p_stop_futility[k], n1),
            "p_efficacy_h0": s.p_stop_efficacy_h0[k],
            "se_efficacy_h0": mc_se(s.p_stop_efficacy_h0[k], n0),
            "p_futility_h0": s.p_stop_futility_h0[k],
            "se_futility_h0": mc_se(s.p_stop_futility_h0[k], n0),
            "trials_h0": n0,
            # a predictive futility rule at all (not a column; a diff review: without one
            # the futility columns read "0.000 (0.000)" here, dashes in the frequentist table)
            "_futility": futility,
        }
        for k in range(len(s.looks))
    ]


def posterior_look_cells(r: dict) -> list[str]:
    def se(p, e, digits=3):
        return f"{p:.{digits}f} ({e:.{digits}f})"

    none = "\u2013" if not r.get("_futility", True) else None

    return [
        str(r["look"]),
        f"{r['information_fraction']:.3f}",
        f"{r['observed_fraction']:.3f}",
        f"{r['month']:.1f}",
        entered_cell(r["n_entered"]),
        f"{r['threshold']:.4g}",
        f"{r['threshold_z']:.3f}",
        se(r["p_efficacy_h1"], r["se_efficacy_h1"]),
        none or se(r["p_futility_h1"], r["se_futility_h1"]),
        rate_cell(r["p_efficacy_h0"], r["se_efficacy_h0"], r["trials_h0"]),
        none or se(r["p_futility_h0"], r["se_futility_h0"]),
    ]


def _rule(interim) -> str:
    """The rule in words: thresholds, prior, futility."""
    s = interim.summary
    shown = ", ".join(f"{t:g}" for t in s.thresholds)
    weight = f" (weight {s.prior_weight:g} on phase 2)" if s.prior == "robust" else ""
    fut = (
        f"stopping for futility at an interim look when the predictive probability of final "
        f"success was below {s.futility_predictive:g} (non-binding, followed in the simulation)"
        if s.futility_predictive > 0
        else "without a futility rule"
    )
    return (
        f"success at the first look where P(effect > {s.margin:g} points/month | data) "
        f"exceeded its threshold ({shown} by look) under a {s.prior} prior{weight}, {fut}"
    )


def posterior_notes(interim) -> str:
    from designs.outputs.interim_tables import hypothesis_trials_text

    s, row = interim.summary, interim.row
    return (
        f"Both designs at the size chosen for {100 * row.target_power:g}% success "
        "probability: the fixed design at its n, judged by the posterior rule at the final "
        "look's threshold; the interim design at n max, the size it randomises if it reaches "
        f"its final look. Rule: {_rule(interim)}. The thresholds are used as given, not "
        "re-calibrated at n max: the type I error (success with no effect) shows "
        f"whether they hold the design's level ({program_name()} calibrate --looks finds a common "
        "threshold that does). Threshold as z: the z statistic at which the look's posterior "
        "probability equals its threshold at the look's planned information. Expected patients "
        "and months: means over simulated trials at the look where each trial stopped "
        f"({DATA_CUT}). In brackets: Monte Carlo SE. {hypothesis_trials_text(s)}, seed {s.seed}, "
        f"als-trial-sim {__version__}.{_posterior_type_i_flag(interim)}"
    )


def _posterior_type_i_flag(interim) -> str:
    """' Interim design's type I error: LIBERAL ...' when the rule's type I error (futility
    ignored, where there is futility) lies more than 3 MC SE above the one-sided level, as
    the frequentist notes flag theirs (a docs review: 0.0434, MC SE 0.0020, against 0.025
    went unflagged in interim.md, said on stderr and in methods.md only)."""
    from designs.outputs.interim_tables import type_i_flag_sentence

    trial = interim.design.trial
    return type_i_flag_sentence(interim.summary, trial.alpha / trial.sides, posterior=True)


def _level_verdict(rate: float, mc_se: float, level: float, implied: float | None) -> str:
    """How the simulated type I error stands to the one-sided ``level``, and the error the
    thresholds imply at the planned information (``implied``, on the canonical joint
    distribution). A review: "0.0267 (MC SE 0.0015) ..., within the one-sided level 0.025
    by the 2 MC SE criterion" where the thresholds imply 0.0273 by construction: a rate
    above the level by less than 2 MC SE is not shown within it."""
    if above_level(rate, mc_se, level):
        side = f"above the one-sided level {level:g} by more than 2 MC SE"
    elif rate <= level:
        side = f"at or below the one-sided level {level:g}"
    else:
        side = (
            f"above the one-sided level {level:g} by less than 2 MC SE (these trials cannot "
            "tell whether the design holds it)"
        )
    if implied is None:
        return side
    holds = "within" if implied <= level else "above"
    return (
        f"{side}; at the planned information the thresholds imply a type I error of "
        f"{implied:.4f} ({holds} the level; the looks' z on their canonical joint "
        "distribution, futility ignored; Jennison & Turnbull 2000)"
    )


def posterior_methods(interim) -> str:
    """The methods paragraph on the interim design under the posterior rule (Markdown)."""
    from designs.outputs.group_sequential import level_type_i, nonbinding_paren
    from designs.outputs.interim_tables import interim_assurance_sentence, type_i_over_trials

    s, row = interim.summary, interim.row
    looks = ", ".join(f"{x:g}" for x in s.looks)
    months = ", ".join(f"{m:.1f}" for m in s.look_months)
    zs = ", ".join(f"{z:.3f}" for z in interim.threshold_z)
    per = "per arm" if row.size_name == "n_per_arm" else "in total"
    level = interim.design.trial.alpha / interim.design.trial.sides
    verdict = _level_verdict(*level_type_i(s), level, interim.threshold_type_i)
    return (
        f"**Interim analyses (Bayesian rule).** The design was also planned with "
        f"{len(s.looks)} analyses at information fractions {looks} (expected calendar months "
        f"{months}), each analysed by the {title(s.analysis)} with the data available then, "
        "with "
        f"{_rule(interim)}; the posterior came in closed form from the look's estimate and "
        "standard error (normal likelihood) and the prior, and the predictive probability "
        "with the final information projected from the look's (its information and the "
        "planned rest; Spiegelhalter, Abrams & Myles 2004; Berry et al. "
        f"2010). At the planned information the thresholds correspond to z = {zs}. The "
        f"maximum size for {100 * row.target_power:g}% probability of success was "
        f"{row.n_max} {per} against {row.n_fixed} for the fixed design judged at the final "
        f"threshold: the ratio {row.inflation:.3f} (95% Monte Carlo interval "
        f"{row.inflation_low:.3f}-{row.inflation_high:.3f}; both sizes fitted on the same "
        "simulated trials) times the fixed design's unrounded n "
        f"({row.n_fixed_estimate:.1f}), rounded up; at that size the probability of "
        f"success was {rate_mc_se(s.power, s.mc_se)} and the type I error of the whole "
        f"design (success at any look with no effect) "
        f"{type_i_over_trials(s)}{nonbinding_paren(s)}, {verdict}; the thresholds were not "
        "re-calibrated at that size. The expected number "
        f"randomised was {s.expected_n_total:.1f} under the effect and "
        f"{s.expected_n_total_h0:.1f} under no effect, of {s.n_total}, with expected durations "
        f"of {s.expected_months:.1f} and {s.expected_months_h0:.1f} months against "
        f"{interim.fixed_months:.1f} for the fixed design." + interim_assurance_sentence(interim)
    )
