"""What the command line prints: power lines, assurance lines, the main job's tables and notes,
and warnings about failed fits. Text only; every number was computed in planning.
"""

from __future__ import annotations

import math

from designs.outputs.calendar import calendar_text
from designs.outputs.effect_notes import (
    allocation_note,
    bias_note,
    floor_note,
    harm_notes,
    lead_in_note,
    same_slope_note,
)
from designs.outputs.fit_failures import exact_lines_hint
from designs.outputs.level_warnings import lenient_alpha_notes, spread_allocation_notes
from designs.outputs.numbers import se_text
from designs.outputs.prior_notes import (
    margin_note,
    sceptical_note,
    time_course_prior_notes,
    worth_text,
)
from designs.program import program_name

UNCONTROLLED_NOTE = (
    "The phase 2 effect comes from an uncontrolled before/after comparison in 5 patients "
    "(illustrative reconstruction of the data): regression to the mean and open-label rating "
    "can inflate it."
)
P_EFFECT_NOTE = (
    "P(effect > 0) is that of this posterior only: with 5 reconstructed patients it moves with "
    f"the reconstruction and the priors (`{program_name()} fit --reconstructions 8` refits on 8 "
    "other reconstructions), and the reconstruction's measurement noise was chosen at SD 1 "
    "point, half the 2 points the trial assumes (noisier records would make the phase 2 less "
    "informative, P(effect > 0) and assurance lower): read it as 'compatible with benefit, at "
    "a probability that depends "
    "on the reconstruction and priors, in an uncontrolled comparison', not as a measured "
    "probability."
)


#: The caveats for a posterior fitted to the user's own data (``fit --data``): neither "5
#: patients" nor "reconstruction" applies (a review).
OWN_DATA_NOTE = (
    "The phase 2 effect comes from an uncontrolled before/after comparison (the data given "
    "to fit): regression to the mean and open-label rating can inflate it. P(effect > 0) is "
    "that of this posterior and its priors only (progression/priors.py, set for the CL2020 "
    "population): read it as 'compatible with benefit, at a probability that depends on the "
    "priors, in an uncontrolled comparison', not as a measured probability."
)


def is_illustrative(attrs) -> bool:
    """Whether a posterior's attributes say it was fitted to the bundled illustrative
    reconstruction (``illustrative_data``; a file without the attribute counts as it)."""
    return not (attrs and str(attrs.get("illustrative_data", 1)) in ("0", "False"))


def phase2_words(illustrative: bool = True) -> str:
    """The phase 2 data in a few words, for figure titles and legends."""
    if illustrative:
        return "5 patients, uncontrolled before/after, illustrative data"
    return "uncontrolled before/after, the data given to fit"


def phase2_caveat(illustrative: bool = True) -> str:
    """The phase 2 caveat of assurance outputs: the bundled reconstruction's, or for a
    posterior of the user's own data (``illustrative_data`` 0) one without its numbers."""
    return f"{UNCONTROLLED_NOTE} {P_EFFECT_NOTE}" if illustrative else OWN_DATA_NOTE


def mixture_text(components) -> str:
    """A mixture of normals, ``(weight, mean, sd)`` per component, as ``'0.500 x N(+0.204,
    0.112^2) + ...'`` (points/month): the prior line's and ``analyze``'s posterior's."""
    return " + ".join(f"{w:.3f} x N({m:+.3f}, {sd:.3f}^2)" for w, m, sd in components)


def prior_text(design, prior) -> str:
    """The posterior rule's prior of the effect as its normal components, points/month,
    with where the phase 2 part comes from (empty under the frequentist rule)."""
    if prior is None or not design.decision.is_posterior:
        return ""
    parts = mixture_text(prior.components())
    d = design.decision
    source = (
        f"; the phase 2 posterior of the effect (weight {d.prior_weight:g}, "
        f"{_transport_words(design)}, as a mixture of normals)"
        if d.borrows
        else ""
    )
    from designs.planning.decision_rule import prior_worth

    worth = worth_text(prior_worth(design, prior), design)
    return f"prior of the effect (points/month): {parts}{source}{worth}{sceptical_note(design)}"


def _transport_words(design) -> str:
    """'proportional transport: the phase 2 slowing times the admitted patients' mean
    decline' (a Bayesian review: under screening the prior scaled the admitted patients'
    decline where the design's effect scales the candidates', and the line said neither)."""
    transport = design.effect.transport.value
    if transport != "proportional":
        return f"{transport} transport"
    from designs.planning.assurance import transported_decline_words

    return f"proportional transport: the phase 2 slowing times {transported_decline_words(design)}"


def _power_se_text(design, s) -> str:
    """'MC SE 0.011', or where every trial (or none) succeeded 'all of 20 trials: no MC SE'
    (a scale review: "MC SE 0.000" beside 20 of 20 read as an exact power; the 95% interval
    that follows it is the bound to read)."""
    from designs.outputs.rates import rate_edge

    counted = s.trials - s.failed_fits if design.decision.excludes_failed else s.trials
    edge = rate_edge(s.power, counted)
    if edge is None:
        return f"MC SE {se_text(s.mc_se)}"
    return f"{edge} of {counted:,} trial{'s' if counted != 1 else ''}: no MC SE"


def _course_truth(design, s) -> str:
    """Under a time course of the effect, what an analysis' true value is: the slope
    difference averaged over the follow-up, or the points gained by the last visit (an
    effect-translation review: "25% slowing (+0.125 points/month)" then "true +0.078" with
    no word why)."""
    if not design.effect.has_time_course or math.isnan(s.true_effect):
        return ""
    last = design.trial.visits_months[-1]
    if s.units == "points/month":
        return f" averaged over months 0-{last:g}"
    return f" by month {last:g}" if s.units == "points" else ""


def power_text(design, summaries, prior=None) -> str:
    """The design line, one line per analysis, and the counts line of ``power``; under the
    posterior rule ``prior`` (its prior of the effect) is written out too."""
    from designs.outputs.rates import coverage_text, estimator_note

    lines = [design.describe()]
    for s in summaries:
        truth = "n/a" if math.isnan(s.true_effect) else f"{s.true_effect:+.3f}"
        truth += _course_truth(design, s)
        bias = "" if math.isnan(s.bias) else f", bias {s.bias:+.4f}{bias_se_text(s)}"
        # One trial (or one successful fit) has no SD; none has no mean either.
        sd = "n/a" if math.isnan(s.sd_estimate) else f"{s.sd_estimate:.3f}"
        mean = "n/a" if math.isnan(s.mean_estimate) else f"{s.mean_estimate:+.3f} {s.units}"
        mc = _power_se_text(design, s)
        rate = (
            # success is the rule's, in favour of active by construction: no test's words
            # (a Bayesian review read "significant and favouring active" under the rule)
            f"success rate of the posterior rule {s.power:.3f} ({mc}, 95% "
            f"MC interval {s.ci95[0]:.3f}-{s.ci95[1]:.3f})"
            if design.decision.is_posterior
            else f"power {s.power:.3f} ({mc}, 95% MC interval "
            f"{s.ci95[0]:.3f}-{s.ci95[1]:.3f}); significant and favouring active "
            f"{s.power_favourable:.3f}"
        )
        lines.append(
            f"{s.analysis}: {rate}; "
            f"mean estimate {mean} (true {truth}{bias}, SD {sd}){coverage_text(s)}; failed fits "
            f"{s.failed_fits}"
        )
    s = summaries[0]
    screened = (
        f"; {s.screened_per_enrolled:.2f} screened per patient randomised"
        if s.screened_per_enrolled > 1.0
        else ""
    )
    lines.append(
        f"n {s.n_placebo} placebo + {s.n_active} active; dropped out "
        f"{s.dropout_placebo:.1%} placebo, {s.dropout_active:.1%} active; died while followed "
        f"{s.death_placebo:.1%} placebo, {s.death_active:.1%} active{screened}; "
        f"{s.trials} trial{'s' if s.trials != 1 else ''}, seed {s.seed}"
    )
    # the months to budget (an economist's review: power gave none; a lead-in reviewer: its
    # months showed only in the report)
    lines.append(calendar_text(design))
    lines.append(estimand_line(summaries[0].analysis, *informative_exits(design)))
    what = "Success rate" if s.decision == "posterior" else "Power"  # (a docs review)
    each = [(x.analysis, x.variance_ratio) for x in summaries]
    lines += [t for t in (estimator_note(s.estimator, s.variance_ratio, what, each),) if t]
    lines += decision_lines(design, summaries)
    lines += [t for t in (prior_text(design, prior),) if t]
    return "\n".join(lines + power_notes(design, summaries))


#: How a user of the command line gives the robust prior a weight (the explorer names its
#: control instead: a review found the page telling its readers of an option they cannot type).
WEIGHT_HINT = "--prior-weight W, or decision.prior_weight in a design file,"


def decision_lines(design, summaries, weight_hint: str = WEIGHT_HINT) -> list[str]:
    """Under the posterior rule: what "power" means, the type I error on the same trials with
    no effect, and the prior-data conflict when the prior borrows a benefit from phase 2
    (``weight_hint``: how the reader gives the robust prior a weight)."""
    d = design.decision
    if not d.is_posterior or math.isnan(summaries[0].type1):
        return []
    s = summaries[0]
    target = design.trial.alpha / design.trial.sides
    from designs.outputs.rates import level_verdict, rate_text, trials_for_level
    from designs.spec.decision import threshold_text

    null = s.type1_trials or s.trials
    verdict = level_verdict(s.type1, s.type1_mc_se, null, target)
    few = {
        # a review: 0.0552 (MC SE 0.0071) read as "too few trials", 0.0681 (0.0059) as nothing
        "above": ": ABOVE it by more than 2 MC SE: this threshold does not hold the level at "
        f"this n ({program_name()} calibrate at this n gives one that does: the upper end of its "
        "interval, as its point estimate scatters around the level on fresh trials)",
        "too few": f": {null:,} trials cannot show that it holds the level (about "
        f"{trials_for_level(target):,} or more can)",
    }.get(verdict, "")
    lines = [
        f"posterior rule: power = P(success) = P(P(effect > {d.margin:g} | data) > "
        f"{threshold_text(d.threshold)}); type I error (no effect, same seed) "
        f"{rate_text(s.type1, s.type1_mc_se, null)} against the one-sided level "
        f"{target:g}{few}"
    ]
    if d.borrows:
        # judged as the line above judges it (a non-programmer's review: "by more than 2 MC
        # SE" there and "by more than 3 MC SE" here, of the same rate)
        lines.append(
            # the case named first (a newcomer's review read a label over a type I error)
            f"if phase 3 shows no effect (a prior-data conflict): the robust prior (weight "
            f"{d.prior_weight:g} on phase 2) puts "
            f"P(effect > {d.margin:g}) = {s.prior_p_benefit:.2f}; when the phase 3 truth is no "
            f"effect the rule still succeeds in {s.type1:.1%} of trials"
            + (
                ", the type I error above the level: calibrate the threshold "
                f"({program_name()} calibrate) or lower the weight"
                if verdict == "above"
                else ""
            )
        )
    elif d.prior.value == "robust":  # weight 0: the vague prior (docs/conventions.md)
        lines.append(
            f"note: the robust prior with weight 0 borrows nothing from phase 2: it is the vague "
            f"prior N(0, {d.vague_sd:g}^2) ({weight_hint} borrows)"
        )
    return lines + [t for t in (margin_note(d.margin),) if t]


def estimand_line(analysis: str, informative: bool = False, deaths: bool = False) -> str:
    """The estimand of the first (primary) analysis in one line: its summary and how it
    treats loss to follow-up and death (``designs.spec.estimand`` gives it whole); with
    ``informative`` leaving (or ``deaths`` that depend on decline) the line says so at that
    exit (an estimand review: informative deaths alone were said of leaving)."""
    from designs.analyses.registry import get

    a = get(analysis)
    # the strategies that take the scores missing at random, and how the line says so (an
    # analysis that does not assume it gets the fact alone: a diff review, "completers only")
    assumed = {
        "missing at random": "as the analysis assumes",
        "hypothetical": "as if missing at random",
    }

    def real(short: str, on: bool, exits: str) -> str:
        if not on:
            return ""
        if short in assumed:
            return (
                f" ({assumed[short]}; this design's {exits} depend on the patient's decline, so "
                "they are not)"
            )
        return f"; this design's {exits} depend on the patient's decline"

    return (
        f"estimand ({a.name}): {a.estimand}; leaving the study: {a.dropout_short}"
        + real(a.dropout_short, informative, "exits")
        # a composite or while-alive strategy takes such deaths as they come (a diff review)
        + f"; death: {a.death_short}"
        + real(a.death_short, deaths and a.death_short == "hypothetical", "deaths")
    )


def informative_exits(design) -> tuple[bool, bool]:
    """Whether leaving, and whether death, depend on the decline in ``design``
    (:func:`estimand_line`'s ``informative`` and ``deaths``)."""
    verbs = design.dropout.informative_verbs
    return "leave" in verbs, "die" in verbs


def bias_in_mc_se(s) -> float:
    """The bias of a power summary in units of its Monte Carlo SE (NaN without a truth)."""
    from designs.planning.power import mean_mc_se

    ok = s.trials - s.failed_fits
    if math.isnan(s.bias) or ok < 2 or not s.sd_estimate > 0:
        return math.nan
    return s.bias / mean_mc_se(s.sd_estimate, ok)


def bias_se_text(s) -> str:
    """' (MC SE 0.0010)' of a summary's bias, or ' (from 1 fit: no MC SE)' (an ADEMP review:
    a bias from one successful fit was printed like one from thousands)."""
    from designs.planning.power import mean_mc_se

    ok = s.trials - s.failed_fits
    if ok < 2 or not s.sd_estimate >= 0:
        return f" (from {ok} fit{'s' if ok != 1 else ''}: no MC SE)"
    return f" (MC SE {se_text(mean_mc_se(s.sd_estimate, ok))})"


#: The start of the multiplicity note (the explorer says it under its analyses table).
MULTIPLE = "several analyses of the same trials"


def power_notes(design, summaries) -> list[str]:
    """What a reader of ``power`` must know: multiplicity, a bias beyond Monte Carlo error, a
    boundary variance."""
    notes = harm_notes(design, summaries[0])
    if len(summaries) > 1:
        primary = str(design.trial.analysis)
        # the order given decides (a multiplicity review: ancova_change listed first was
        # called the trial's test of a design whose primary analysis is lmm_slope, unsaid)
        other = (
            f" The design's primary analysis is {primary} (trial.analysis): list it first "
            "to read it as the trial's test."
            if summaries[0].analysis != primary
            else ""
        )
        notes.append(
            f"note: {MULTIPLE}: only {summaries[0].analysis} (the "
            "first) is read as the trial's test at its alpha; the others are shown for "
            f"comparison, with no multiplicity correction.{other}"
        )
    for s in summaries:
        z = bias_in_mc_se(s)
        if abs(z) > 3:
            notes.append(bias_note(design, s, z))
    notes += lead_in_note(design, [s.analysis for s in summaries])
    notes += same_slope_note(design, [s.analysis for s in summaries])
    notes += time_course_prior_notes(design)
    notes += floor_note(design) + allocation_note(design)
    from designs.outputs.small_arm import no_slope_variance_note, small_arm_note, two_visit_note

    # (a small-sample review: one 3.4% whatever the size, and no word of Kenward-Roger)
    if note := no_slope_variance_note(design, [s.analysis for s in summaries]):
        notes.append(note)
    t = design.trial
    notes += spread_allocation_notes(design)
    smallest = min(design.trial.n_placebo, design.trial.n_active)
    if note := small_arm_note(design, smallest, [s.analysis for s in summaries]):
        notes.append(note)
    if note := two_visit_note(design, [s.analysis for s in summaries]):
        notes.append(note)
    if any(s.analysis == "joint_rank" for s in summaries):
        from designs.analyses.small_rank_sum import small_arm_text
        from designs.outputs.methods_dropout import survival_effect_text

        if rank := small_arm_text(t.n_placebo, t.n_active, t.alpha, t.sides):
            notes.append(f"note: {rank}")
        if survival := survival_effect_text(design).strip():
            notes.append(f"note: joint_rank: {survival[0].lower()}{survival[1:]}")
    notes += lenient_alpha_notes(design)
    if any(s.analysis == "ols_slope_ttest" for s in summaries) and design.loses_patients:
        notes.append(
            "note: ols_slope_ttest under attrition weighs every patient's slope equally, those "
            "of patients with 2-3 visits too: at 1:1 it is conservative (at alpha 0.05 with "
            "the default design's attrition about 0.038 at 15 per arm, 0.040 at 20, 0.045 at "
            "50 and 0.047 at 100; at 15 placebo + 45 active two reviews measured 0.048 and "
            "0.051, MC SE 0.0015, near the level) and needs about 3 times lmm_slope's n "
            "(docs/conventions.md)."
        )
    return notes


def failed_fit_warnings(summaries, design) -> list[str]:
    """One warning per result (power, sample-size row, assurance) whose fits failed in more
    than 1% of trials, saying how the rates counted them (``decision.failed_fits``)."""
    return [
        f"warning: {s.analysis}: {s.failed_fits} of {s.trials} fits failed "
        f"({s.failed_fits / s.trials:.1%}); {failed_fits_rule(design)}{exact_lines_hint(design)}"
        for s in summaries
        if s.failed_fits > 0.01 * s.trials
    ]


def second_stage_warnings(result, refine_trials: int) -> list[str]:
    """One warning when a second stage was asked for (``refine_trials``) but not simulated:
    no target was reached in the first stage, so the search stayed one stage."""
    if not refine_trials or result.refine_trials:
        return []
    return [
        f"warning: --refine-trials {refine_trials}: no second stage was simulated, as no "
        f"target power was reached in the first stage; the search stayed one stage of "
        f"{result.trials} trials per size"
    ]


def failed_fits_rule(design) -> str:
    """How the design's rates treat failed fits (``decision.failed_fits``)."""
    if design.decision.excludes_failed:
        return (
            "they are left out of the power (decision.failed_fits = 'exclude'), not counted "
            "as non-rejections"
        )
    return "they count as failures to reject (decision.failed_fits = 'failure')"


def trials_note(row) -> str:
    """How many trials the search simulated: per size, and in a second stage near each n."""
    if not row.refine_trials:
        return f"{row.trials} simulated trials per size"
    return (
        f"{row.grid_trials} simulated trials per size, then {row.trials} more (the next trials, "
        "same seed) at the sizes near each n, where the power at n on the same and on fresh "
        "trials is simulated too"
    )
