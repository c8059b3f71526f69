"""Notes under a group-sequential design's operating characteristics: when its looks come (a
final look long after the data are complete, looks at other information fractions than
planned), what the looks table's boundary columns mean beside rpact's, and a sample-size
table's futility beta beside its targets. Text only."""

from __future__ import annotations

from designs.spec.interim import Information


def late_final_look_note(design, last_month: float) -> str:
    """A note when the final look comes more than a month after the last patient's last
    visit (an independent review: `--look-months 18,100` compared 99.2 expected months with
    "100.0 without interim analyses", where the data are complete at month 37)."""
    from designs.planning.operating import calendar_length

    end = calendar_length(design)["calendar_months"]  # no lead-in with looks
    if last_month <= end + 1.0:
        return ""
    return (
        f"note: the final look, month {last_month:.1f}, comes {last_month - end:.1f} months "
        f"after the last patient's last visit (month {end:.1f}), when every patient's data "
        f"are in: the same final analysis at month {end:.1f} would end the trial sooner"
    )


#: Months of accrual beyond which a note asks whether the rate is per month (10 years).
LONG_ACCRUAL_MONTHS = 120.0


def long_accrual_note(design, size: int | None = None, which: str = "") -> str:
    """A note when randomising the design's patients (or ``size``: per arm with 1:1, in total
    otherwise, as :func:`~designs.planning.power_curve.design_at`) takes more than
    :data:`LONG_ACCRUAL_MONTHS` at the design's accrual (a bad-input review: 0.1 patients a
    month gave expected looks at months 3,397-4,692 without a word), '' otherwise."""
    from designs.planning.operating import calendar_length
    from designs.planning.power_curve import design_at

    sized = design if size is None else design_at(design, int(size))
    months = calendar_length(sized)["accrual_months"]
    if months <= LONG_ACCRUAL_MONTHS:
        return ""
    t = sized.trial
    return (
        f"note: randomising {t.n_total:,} patients{which} at {t.accrual_per_month:g} a month "
        f"(trial.accrual_per_month) takes {months:,.0f} months ({months / 12:,.0f} years), so "
        "the looks' calendar months above are that far apart; is the rate per month?"
    )


def by_plan(s) -> bool:
    """Whether a looks summary's trials met the planned boundaries (``interim.information =
    "planned"``; a summary made before the field was kept: no)."""
    return getattr(s, "information", Information.OBSERVED.value) == Information.PLANNED.value


#: How far the simulated trials' mean final information fraction may be from 1 without a note.
INFORMATION_GAP = 0.05


def information_gap_note(design, final_fraction: float, analysis: str = "lmm_slope") -> str:
    """A note when the simulated trials (under the effect) observe, at the final look, an
    information more than :data:`INFORMATION_GAP` away from the planned maximum (an
    own-design review: 1.138 on an 18-month design with a 1 point/month decline; 1.008 with
    continuous scores): the looks then come at other information fractions than planned.
    The causes named are those that can apply to the design (a diff review: 1.127 at 12 per
    arm was 1.108 with continuous scores, where each trial's own 1/SE^2 runs above the
    expected information). By default alpha is still spent by the information observed, the
    final look spending all that is left (under the planned information, see
    :func:`_spending_sentence`); that spending can itself put the type I error a little
    above alpha (a review: 0.0543, MC SE 0.0009, at two-sided 0.05 with 4 looks, where the
    fixed test on the same seeds rejected 0.0494), which the design's own simulated type I
    error measures, so the note does not say it holds."""
    if not abs(final_fraction - 1.0) > INFORMATION_GAP:
        return ""
    analysis = (
        "the per-patient OLS slopes' t-test"
        if analysis == "ols_slope_ttest"
        else "the mixed model of slopes"
    )
    more = final_fraction > 1.0
    causes = []
    if more:  # both push the information up (a diff review: named for a shortfall too)
        causes.append(
            "the estimated SE (each trial's information is its own 1/SE^2, whose mean runs "
            "above the expected information, more so in small trials and for "
            "ols_slope_ttest, whose SE is noisier)"
        )
    if design.population.integer_scores and more:
        causes.append(
            "the floor and ceiling of the 0-48 scale (a score held at 0 or 48 varies less "
            "than the model says)"
        )
    if design.dropout.exits_informative:
        causes.append("exits that depend on each patient's own decline")
    if design.effect.sd > 0:
        causes.append("the effect's spread between patients")
    if not causes:
        causes.append("what the design simulates beyond the plan's model")
    return (
        f"note: at the final look the trials simulated under the effect observed on average "
        f"{final_fraction:.3f} of the planned maximum information, so each look comes "
        f"{'later' if more else 'earlier'} in information than planned. The plan's I_max is "
        f"the expected information of {analysis} (docs/group_sequential.md); the simulated "
        f"trials' may differ through {'; '.join(causes)}. {_spending_sentence(design)}"
    )


def _spending_sentence(design) -> str:
    """What the information gap moves, by the information the spending reads."""
    if design.interim.information is Information.PLANNED:
        return (
            "Every trial meets the planned boundaries (interim.information = planned): where "
            "every look is off plan by the same factor they stay exact and only the power "
            "moves; where the looks' fractions of the final information differ from plan, "
            "the looks are correlated otherwise than the boundaries assume; the type I error "
            "is the one simulated for the design"
        )
    return (
        "Each trial spends alpha by the information it observed (its final look spends what "
        "is left), so what moves is the information at which the interim looks fall; the "
        "type I error is the one simulated for the design, which that spending can put a "
        "little above alpha"
    )


def boundary_columns(s) -> str:
    """What the nominal p and the per-look stopping probabilities are, beside a table at the
    planned fractions (an independent review against rpact: its one-sided stage levels were
    half the two-sided nominal p printed, and per-look probabilities differed by up to 0.04
    with the same power)."""
    sided = (
        "two-sided (rpact's one-sided stage levels are half of it)" if s.sides == 2 else "one-sided"
    )
    if by_plan(s):
        return (
            f"nominal p: the efficacy z's p-value, {sided}; every trial meets these planned "
            "boundaries (interim.information = planned), so the stopping probabilities per "
            "look are a table's at the planned fractions (rpact, EAST) but for the information "
            "each look actually holds and the test's own small-sample departures"
        )
    return (
        f"nominal p: the efficacy z's p-value, {sided}; each trial spends alpha by the "
        "information it observed (1/SE^2), so the stopping probabilities per look can differ "
        "from a table at the planned fractions (rpact, EAST) by a few points, at about the "
        "same power"
    )


def futility_beta_note(rows, design) -> list[str]:
    """Beta-spending futility at a row whose target is not ``1 - interim.futility_beta`` (an
    rpact user's review: sizing for 90%, rpact derives the futility boundaries with beta 0.1,
    the tool kept 0.2, and n max differed by about 9 per arm)."""
    interim = design.interim
    if design.decision.is_posterior or interim.beta_spending() is None:
        return []
    beta = interim.futility_beta
    other = [r for r in rows if abs((1.0 - r.target_power) - beta) > 1e-9]
    if not other:
        return []
    targets = ", ".join(f"{100 * r.target_power:g}%" for r in other)
    runs = "; ".join(
        f"--target-power {r.target_power:g} --set interim.futility_beta={1 - r.target_power:.4g}"
        for r in other
    )
    return [
        f"Futility boundaries: every row derives them with interim.futility_beta = {beta:g} "
        f"(power {1 - beta:g} at its n); a design sized for {targets} power would usually "
        "spend beta = 1 - that power, as rpact's getDesignGroupSequential(beta = ...) does, "
        f"which moves its futility boundaries and n max: the same command with {runs}."
    ]


def _excess_cause(s) -> str:
    """What can put a looks design's type I error above alpha (docs/group_sequential.md)."""
    if by_plan(s):
        return "the test at an early look with few patients"
    return "spending by each trial's observed information"


def type_i_precision_note(s) -> str:
    """A note when a looks summary's null trials are too few for its type I error to show an
    excess of a few tenths of a percentage point above alpha, which spending by each trial's
    observed information can cause (an independent review against rpact: 0.0543, MC SE
    0.0009 over 16 seeds, at two-sided 0.05 with 4 looks, where a 2,000-trial run's MC SE of
    0.005 could not flag it): the null trials that give an MC SE of 0.0015
    (:func:`designs.planning.operating.type_i_trials`), as ``report --looks`` simulates."""
    from designs.outputs.rates import counted_h0
    from designs.planning.operating import type_i_trials
    from designs.planning.power import mc_se

    need = type_i_trials(s.alpha, 0)
    have = counted_h0(s)
    if have >= need:
        return ""
    return (
        f"note: the type I error rests on {have:,} trials under no effect (MC SE about "
        f"{mc_se(s.alpha, have):.4f} at alpha {s.alpha:g}), too few to show an excess of a "
        f"few tenths of a percentage point, which {_excess_cause(s)} can cause with early "
        "spending (docs/group_sequential.md); for the design "
        "you submit, check it "
        f"on {need:,} (MC SE 0.0015): report --looks does, or power with --trials {need}"
    )


def boundary_words(s) -> str:
    """How the simulated trials met the boundaries (``interim.information``)."""
    if by_plan(s):
        return (
            "every simulated trial meets these planned boundaries (interim.information = "
            "planned), whatever information its looks hold"
        )
    return (
        "each simulated trial spends alpha by the information it observed (1/SE^2), so its "
        "stopping probabilities per look can differ from a table at the planned fractions, "
        "at about the same power (an independent review against rpact: a few points per "
        "look at most, up to 0.04 with ols_slope_ttest; docs/group_sequential.md)"
    )


#: How I_max treats integer scores (an R review: I_max = 514.2 at 187 per arm did not follow
#: from the variance the same methods text gives for the closed form, 0.1811, which leaves
#: the rounding out; with it, 0.1818: designs/planning/look_times.py).
ROUNDING_IN_I_MAX = (
    ", with 1/12 points^2 added to the residual variance for the scores' rounding to integers, "
    "which the sample-size paragraph's closed form leaves out"
)


def monitoring_text(s, integer_scores: bool = False) -> str:
    """How a look's information, statistic and futility boundary were used, for the methods
    paragraph (a protocol writer's review: a regulator asks for the planned maximum
    information, the spending fraction, what a look that reaches it does, the t-to-z step
    and what the futility boundaries were derived under; only interim.md's notes said them).
    ``integer_scores``: the design rounds scores, which I_max allows for."""
    i_max = getattr(s, "information_max", float("nan"))
    rounding = ROUNDING_IN_I_MAX if integer_scores else ""
    if by_plan(s):
        text = (
            "met these planned boundaries, whatever information its looks held (alpha spent "
            "at the planned information fractions; interim.information = planned)"
        )
        if i_max == i_max:
            text += (
                f", the planned maximum information I_max = {i_max:.1f} (points/month)^-2 (a "
                f"final standard error of {i_max**-0.5:.4f} points/month{rounding})"
            )
    else:
        text = "spent alpha by the information it observed (1/SE^2)"
        if i_max != i_max:  # NaN: not kept
            return text
        text += (
            f": at an interim look the fraction min(I_k / I_max, 1) of the planned maximum "
            f"information I_max = {i_max:.1f} (points/month)^-2 (a final standard error of "
            f"{i_max**-0.5:.4f} points/month{rounding}), the final look what was left, and an "
            "interim "
            "look that reached I_max was the trial's final analysis"
        )
    if i_max != i_max:
        return text
    text += (
        "; at each look the t statistic of the effect (estimate over its SE) was carried to "
        "the z scale through its own degrees of freedom"
    )
    if getattr(s, "futility_effect", None) is not None:
        text += (
            f"; the beta-spending futility boundaries were derived under an effect of "
            f"{s.futility_effect:+.3f} points/month, the effect with power 1 - beta at n max "
            "(as rpact derives them)"
        )
    return text
