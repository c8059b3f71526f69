"""Notes on what the design's effect makes of the power it prints: no effect or an effect
that no visit sees (the power is then the type I error), a harm (significance in either
direction, success only favouring active), a bias beyond Monte Carlo error (its likely causes
in this design, and its direction) and lead-in visits that an analysis does not use. Text
only."""

from __future__ import annotations

import math

from designs.planning.scale_bounds import (
    bounded_points,
    bounds_met,
    floor_share,
    share_beyond,
)
from designs.program import program_name
from designs.spec.fixed_effect import effect_words, is_sharp_null


def harm_notes(design, s) -> list[str]:
    """A design whose effect is a harm (faster decline on active): the power counts
    significance in either direction, a success only favouring active (a review: the
    explorer's headline read 0.580 for a 25% faster decline, its success rate 0.000); a
    design with no effect, or one that starts at or after the last visit
    (:func:`late_onset_notes`): its power is the type I error."""
    late = late_onset_notes(design)
    if late:
        return late
    # in points/month: a 25% slowing of a decline of 0 is no effect too (a stress review:
    # slope_mean = 0 printed "+0 points/month" and power 0.053 without this note)
    if design.effect.slope_shift(design.population.slope_mean) == 0:
        # a review: the explorer's headline read "power 0.044"
        rate, what = (
            ("success rate", "a success")
            if design.decision.is_posterior
            else ("power", "a significant result")
        )
        # a spread of benefit and harm is not the sharp null (a diff review: the text called it
        # the type I error, the JSON did not): the one predicate both read
        if not is_sharp_null(design):
            return [
                f"note: the mean effect is 0, but effect.sd = {design.effect.sd:g} "
                "points/month spreads benefit and harm between patients: that is not no "
                f"effect, so this {rate} is not the type I error (which has effect.sd = 0 too)"
            ]
        liberal = ""
        t = design.trial
        if not design.decision.is_posterior and s.power > t.alpha + 3.0 * s.mc_se:
            # a contributor's review: an analysis with too small an SE printed "power 0.120"
            # at effect 0 without a flag
            liberal = (
                f"; at {s.power:.3f} it is above alpha {t.alpha:g} by more than 3 MC SE: "
                f"LIBERAL ({s.analysis} rejects more often than its level)"
            )
        return [
            f"note: the effect is 0 (no difference between the arms): this {rate} is the "
            f"type I error, the chance of {what} when the treatment does nothing{liberal}"
        ]
    if not design.effect.value < 0 or design.decision.is_posterior:
        return []
    harm = effect_words(design)
    if design.trial.sides == 1:  # an own-design review: power 0.000 without a word
        return [
            f"note: the effect ({harm}) is a harm, faster decline on active: the one-sided "
            "test looks for a benefit only, so "
            f"this power ({s.power:.3f}) is the chance of a significant benefit where there "
            f"is a harm, below alpha {design.trial.alpha:g}; sample-size refuses such an effect"
        ]
    return [
        f"note: the effect ({harm}) is a harm, faster decline on active: power "
        f"{s.power:.3f} counts significance in either direction; a trial succeeds only "
        f"significant and favouring active ({s.power_favourable:.3f})"
    ]


def late_onset_notes(design) -> list[str]:
    """An effect that starts at or after the last visit (``effect.onset_delay_months``; a
    review: 20 months on a 12-month trial ran without a word): no visit sees it. Without
    informative exits the power is then the type I error; with them the arms differ only in
    who drops out or dies, since exits follow each patient's slope with the full effect
    whatever its time course (joint_rank: 0.071 favouring active against 0.029 with no
    effect, a review)."""
    last_visit = max(design.trial.visits)
    delay = design.effect.onset_delay_months
    if delay < last_visit:
        return []
    informative = design.dropout.exits_informative  # a setting with no exits leaves nobody
    rate = "success rate" if design.decision.is_posterior else "power"
    return [
        f"note: effect.onset_delay_months = {delay:g} is at or after the last visit (month "
        f"{last_visit:g}): no visit sees the effect, so "
        + (
            "the arms differ only in who drops out or dies (informative exits follow each "
            "patient's slope with the full effect, whatever its time course)."
            if informative
            else f"this {rate} is the analyses' type I error."
        )
    ]


def bias_note(design, s, z: float) -> str:
    """The note for a bias ``z`` Monte Carlo SE from 0: the causes this design has, and
    whether it pulls the estimate towards no effect (power lost) or away from it (a review:
    the note listed every cause, informative exits under a design without them too, and left
    the direction to the reader)."""
    cause = bias_causes(design, s.analysis)
    direction = ""
    if s.true_effect != 0 and s.true_effect == s.true_effect:  # a truth, not NaN
        share = abs(s.bias / s.true_effect)
        direction = (
            f"; it pulls the estimate towards no effect (by {_share_text(share)} of the true "
            "effect), "
            "which costs power rather than raising the type I error"
            if s.bias * s.true_effect < 0
            else f"; it pulls the estimate away from no effect (by {_share_text(share)} of the "
            "true effect): the estimate overstates the effect, and power is higher than the "
            "effect alone would give"
        )
        if s.bias * s.true_effect < 0 and share > 1:  # past no effect: the sign turns
            # (a stress review: "towards no effect, by 116%" where the trial found a harm in
            # 99.8% of trials at slope_mean -10)
            direction = (
                f"; it pulls the estimate past no effect to the other sign (by {share:.0%} of "
                "the true effect): the trial would read a benefit as a harm, or a harm as a "
                "benefit"
            )
    return (
        f"note: {s.analysis}: the bias {s.bias:+.4f} {s.units} is {abs(z):.1f} Monte Carlo SE "
        f"from 0, beyond simulation noise{direction}{_coverage_short(s)}; likely causes here: "
        f"{cause}."
    )


def bias_causes(design, analysis: str) -> str:
    """The likely causes of a bias beyond Monte Carlo error that this design has, as one
    clause ('none of the usual ones applies: look closer' where none does); for the power
    notes (:func:`bias_note`) and the report's methods text."""
    causes = []
    e = design.effect
    # a waning that starts after the last visit is no time course within the follow-up (an
    # own-design review: wane_after_months = 30 on an 18-month trial was named a cause)
    if e.bends_within(max(design.trial.visits)):
        causes.append(
            "the effect's time course (a straight line fitted to a bent difference; the true "
            "value is the mean effect over the follow-up)"
        )
    if design.dropout.exits_informative:
        who = design.dropout.informative_text
        pace = "more slowly" if "faster" in who else "faster"  # the kind left behind
        later = (
            f", so those still followed late decline {pace} than their arm"
            if not ("faster" in who and "slower" in who)
            else ", so those still followed late are not a random part of their arm"
        )
        spread = (
            # an informative-exits review: with effect.sd > 0 the treated patients who benefit
            # most leave least, which pulls the active arm's followed slopes up (+19% of the
            # effect at informative 4, effect.sd 0.3), an arm difference the same in both arms
            # would not make
            "; with the effect's spread, treated patients who benefit more leave less often"
            if e.sd > 0 and "faster" in who
            else ""
        )
        causes.append(
            f"informative dropout or death (this design's exits depend on the patient's own "
            f"decline: {who}{later}{spread})"
        )
    if analysis == "ancova_change" and design.dropout.exits_informative:
        # completers are a random part of their arm unless exits depend on the decline (a
        # clinimetrics review: named on the default design, where the bounds were the cause)
        causes.append("the selection of completers (ancova_change)")
    # the arm and visit where most patients meet a bound (a heterogeneity review: with the
    # effect's spread the active arm's lines pass 48, and the placebo arm's 0.8% was given)
    share, arm, bound, visit = bounds_met(design)[0]
    if design.population.integer_scores and share >= BOUND_SHARE_CAUSE:
        # only where patients meet the bounds (a missing-data review: named on the default
        # design, where a complete-data run shows no such bias)
        causes.append(
            "the floor and ceiling of the 0-48 scale with integer scores (the true lines of "
            f"about {_share_text(share)} of the {arm} arm are beyond {bound} {visit})"
        )
    elif not causes and design.population.integer_scores:
        # nothing else, yet scores are clipped (a scale review: 200,000 trials of the default
        # design found a bias of -0.0010, 7 SE, from the 0.8% of first-visit scores clipped
        # at 48, and the note said "look closer")
        clipped, arm, bound, visit = bounds_met(design, noise=True)[0]
        if clipped >= CLIPPED_SHARE_CAUSE:
            causes.append(
                f"the floor and ceiling of the 0-48 scale with integer scores (about "
                f"{_share_text(clipped)} of the {arm} arm's scores {visit}, are measured "
                f"beyond {bound} and clipped)"
            )
    return "; ".join(causes) if causes else "none of the usual ones applies: look closer"


def _coverage_short(s) -> str:
    """'; its 95% confidence interval held the true value in a share of only 0.909 of the
    trials (MC SE 0.0064)' where the coverage is below 0.95 by more than 3 MC SE (an ADEMP
    review: under informative dropout the intervals a trial reports cover about 90%); ''
    otherwise."""
    cov, se = getattr(s, "coverage", math.nan), getattr(s, "coverage_mc_se", math.nan)
    # an SE of 0 at a coverage of 0 (every interval missed: a diff review) is far below too
    below = cov == cov and cov < 0.95 and (se == 0 or (0.95 - cov) / se > 3)
    if not below:
        return ""
    from designs.outputs.numbers import se_text

    return (
        f"; its 95% confidence interval held the true value in a share of only {cov:.3f} of "
        f"the trials (MC SE {se_text(se)})"
    )


def lead_in_note(design, analyses) -> list[str]:
    """With a lead-in, the analyses that do not use its visits (all but
    ``slope_change_lead_in``): its visits then cost months and visits for nothing in their
    power (a review: ``power --set trial.lead_in_months=3`` printed lmm_slope's power
    unchanged without saying why)."""
    from designs.analyses.registry import get

    lead = design.trial.lead_in_months
    unused = [a for a in analyses if not get(a).needs_lead_in]
    if not lead > 0 or not unused or design.enrichment.screens_lead_in:
        return []  # screening on the lead-in's decline: it decides who is randomised
    they = "it analyses" if len(unused) == 1 else "they analyse"
    its = "its" if len(unused) == 1 else "their"
    user = (
        "slope_change_lead_in, above, uses them"
        if len(unused) < len(analyses)
        else "slope_change_lead_in uses them (--analysis slope_change_lead_in)"
    )
    return [
        f"note: the {lead:g}-month lead-in's visits are not used by {', '.join(unused)}: "
        f"{they} the visits from randomisation on (month 0), so they add nothing to {its} "
        f"power; {user}"
    ]


#: What the simulation assumes of a patient's slope before and after randomisation, which
#: the lead-in analysis's gain rests on (a covariate review: unsaid anywhere).
SAME_SLOPE = (
    "each simulated patient's true slope is the same over the lead-in as after "
    "randomisation (a correlation of 1), so the lead-in slope predicts the later one as well "
    "as its measurement noise allows; published cohorts suggest less (a JaCALS and PRO-ACT "
    "analysis found a 12-week run-in's change did not predict later progression, "
    "docs/references.md#pre-baseline-progression-rate). The variance the lead-in slope "
    "removes scales with the square of that correlation (at 0.7 about half of it), so "
    "slope_change_lead_in's power and n are optimistic by an amount not known"
)


def same_slope_note(design, analyses) -> list[str]:
    """With a lead-in analysed by ``slope_change_lead_in``: the note that its gain rests
    on the same true slope before and after randomisation (:data:`SAME_SLOPE`); none
    otherwise."""
    if not design.trial.lead_in_months > 0 or "slope_change_lead_in" not in analyses:
        return []
    return [f"note: slope_change_lead_in: {SAME_SLOPE}"]


def design_notes(design, analyses) -> list[str]:
    """The notes on the design itself that ``power`` gives among its own, for the commands
    and files that report an n (``sample-size``, the report's cautions): the scale's floor,
    the lead-in's same slope, a one-sided alpha above 0.025, a spread benefit under unequal
    allocation, a slope variance of 0 (conservative mixed-model tests)."""
    from designs.outputs.level_warnings import lenient_alpha_notes, spread_allocation_notes
    from designs.outputs.small_arm import no_slope_variance_note

    boundary = no_slope_variance_note(design, analyses)  # (a diff review: sample-size silent)
    return (
        floor_note(design)
        + same_slope_note(design, analyses)
        + lenient_alpha_notes(design)
        + spread_allocation_notes(design)
        + ([boundary] if boundary else [])
    )


def informative_exits_notes(design, analysis: str) -> list[str]:
    """``sample-size``'s note where exits depend on the decline: the search reports n, not
    the estimate's bias, which ``power`` measures (a realism review: n = 317 per arm for
    ancova_change at informative dropout 2, with no word of its 10% bias towards no
    effect)."""
    if not design.dropout.exits_informative:
        return []
    return [
        f"note: exits depend on the decline here ({design.dropout.informative_text}): "
        f"{analysis}'s estimate can be biased, which this search does not report; "
        f"{program_name()} power with the same options at n measures it (its note on bias)"
    ]


def floor_note(design) -> list[str]:
    """The placebo arm's mean score reaching the scale's floor (0 points) before the last
    visit: scores pile up there and slopes flatten, so the effect is partly measured against
    the floor (a stress review: slope_mean -10 from a baseline of 40.6 reached 0 by month 4,
    with no word, and the estimate changed sign). Only with integer scores: continuous
    scores are neither rounded nor bounded (an endpoint-porting review: the note was printed
    for a continuous score whose values went on below 0)."""
    p, t = design.population, design.trial
    if p.slope_mean >= 0 or not p.integer_scores:
        return []
    month = p.baseline_mean / -p.slope_mean
    if month >= t.duration_months:
        share = floor_share(design)
        if share < FLOOR_SHARE_NOTED:
            return []
        # a pharmacometrics review: 27% of PRO-ACT-like patients touched 0 by month 24 (24%
        # of their true lines, in closed form) while the mean stayed above it, unsaid
        return [
            f"note: about {share:.0%} of placebo patients' true ALSFRS-R lines reach the "
            f"scale's floor of 0 by the last visit (month {t.duration_months:g}; normal "
            "baseline and slope, exits aside), though the arm's mean stays above it: their "
            "scores pile up at 0 and their slopes flatten, which biases slope estimates "
            "towards no effect (the simulation includes it)"
        ]
    return [
        f"note: the placebo arm's mean ALSFRS-R ({p.baseline_mean:g} points at month 0, "
        f"{p.slope_mean:g} points/month) reaches the scale's floor of 0 by month {month:.1f}, "
        f"before the last visit (month {t.duration_months:g}): scores pile up at 0 and "
        "slopes flatten, so the effect and its estimate are not those of a linear decline."
    ]


#: The share of placebo patients reaching the floor from which :func:`floor_note` says so.
FLOOR_SHARE_NOTED = 0.05


#: The share of patients at a bound of the scale from which the bias note names the bounds.
BOUND_SHARE_CAUSE = 0.01
#: Where no other cause applies, the share of scores clipped at a bound from which the bias
#: note names the bounds.
CLIPPED_SHARE_CAUSE = 0.001


def _share_text(share: float) -> str:
    """A share as a percentage a reader can tell from 0: '10%', '0.5%', 'under 0.1%' (a
    scale review: a bias of 0.5% of the effect read "by 0% of the true effect")."""
    if share >= 0.0995:
        return f"{share:.0%}"
    return f"{share:.1%}" if share >= 0.00095 else "under 0.1%"


def allocation_note(design) -> list[str]:
    """A total that does not split in the allocation's ratio: the arms are then only near it
    (a stress review: n_total 301 at 1:5 ran 50 + 251 without a word)."""
    a, t = design.trial.allocation, design.trial
    block = a.block
    if a.equal or block == 1 or t.n_total % block == 0:
        return []
    below, above = block * (t.n_total // block), block * (t.n_total // block + 1)
    return [
        f"note: n_total = {t.n_total} is not a multiple of {block}, so the arms "
        f"({t.n_placebo} placebo + {t.n_active} active) are near {a.describe()}, not exactly "
        f"in it ({below} or {above} would be)"
    ]


def points_kept_text(design) -> str:
    """'; by month T a mean difference of X ALSFRS-R points' for a fixed effect (the points a
    treated patient keeps against placebo at the last scheduled visit, over any time course
    of the effect), '' for an effect drawn from the posterior (an HTA review: the report
    gave the effect in points/month only, and a reader had to work out its meaning at the
    end of follow-up by hand)."""
    from designs.simulation.inputs import simulation_inputs

    if design.effect.source.value != "fixed":
        return ""
    points = float(simulation_inputs(design).true_effect("ancova_change"))
    text = (
        f"; by month {design.trial.duration_months:g}, the last visit, a mean difference of "
        f"{points:+.2f} ALSFRS-R points between the arms (active minus placebo)"
    )
    bounded = bounded_points(design, points)
    # a clinimetrics review: "+9.00 points by month 12" where 45% of placebo patients' scores
    # were at 0 by then, and the trials' own change analysis estimated +5.5
    if abs(bounded - points) <= BOUNDED_POINTS_SAID * abs(points):  # (0 at no effect)
        return text
    if design.enrichment.screens_lead_in:  # the admitted patients' lines: no closed form
        # (a diff review: the candidates' +4.65 said where the admitted patients' was +4.4)
        return f"{text} on an unbounded scale (less where scores meet the scale's bounds)"
    month = design.trial.duration_months
    # the true lines' shares, as floor_note gives them (one number for one thing in an
    # output), in each arm (a heterogeneity review: the effect's spread takes the active
    # arm's lines past 48, and the placebo arm's shares alone were given)
    arms = []
    for arm, active in (("placebo", False), ("active", True)):
        shares = [
            (share_beyond(design, month, 0.0, False, above=False, active=active), "at or below 0"),
            (share_beyond(design, month, 48.0, False, above=True, active=active), "above 48"),
        ]
        words = [f"{_share_text(s)} {b}" for s, b in shares if s >= 0.001]
        arms += [f"{arm} {', '.join(words)}"] if words else []
    at_bounds = f" (true lines beyond the scale by then: {'; '.join(arms)})" if arms else ""
    return (
        f"{text} on an unbounded scale; about {bounded:+.2f} with scores that stop at 0 and "
        f"48{at_bounds}"
    )


#: The relative gap between the points kept on an unbounded scale and on the 0-48 scale
#: from which :func:`points_kept_text` gives both.
BOUNDED_POINTS_SAID = 0.02
