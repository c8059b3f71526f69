"""Warnings of a type I error above the design's one-sided level by more than 2 Monte Carlo
SE, or from too few null trials to show that it holds the level: a posterior rule's
threshold is calibrated at one n and for one set of looks, and these say where a sample-size
row, an interim design or a ``power --looks`` summary leaves it (printed by the command line,
repeated by the report and the explorer)."""

from __future__ import annotations

from designs.program import program_name


def type_i_warnings(rows, design, *, above_only: bool = False) -> list[str]:
    """One warning per sample-size row under the posterior rule whose type I error at n is
    above the design's one-sided level by more than 2 Monte Carlo SE (as the search with
    interim looks warns): the threshold (or a borrowing prior) does not hold the level at
    that n, so the n is not that of a trial at the level; then, unless ``above_only``, one
    per row with too few null trials to show that it holds the level."""
    from designs.outputs.rates import rate_text, trials_for_level, type_i_verdicts

    above, few = [], []  # every row above the level first, then those with too few trials
    for r, verdict, level in type_i_verdicts(rows, design):
        null = r.type_i_trials or r.trials
        if verdict == "above":
            above.append(
                f"warning: target {r.target_power:g}: the posterior rule's type I error at n = "
                f"{r.n:,} is {r.type_i_error:.4f} (MC SE {r.mc_se_type_i_error:.4f}), above the "
                f"design's one-sided level {level:g} by more than 2 MC SE: its threshold is not "
                "calibrated at this n, so this n does not hold the level "
                f"({program_name()} calibrate at this n gives the threshold that does; then "
                "search again with it)"
            )
        elif verdict == "too few":
            few.append(
                f"warning: target {r.target_power:g}: the posterior rule's type I error at n = "
                f"{r.n:,} is {rate_text(r.type_i_error, r.mc_se_type_i_error, null)}: too few "
                f"null trials to show that it holds the one-sided level {level:g} "
                f"({program_name()} power at this n with about --trials "
                f"{trials_for_level(level):,} or more can)"
            )
    return above if above_only else above + few


def group_sequential_type_i_warnings(rows) -> list[str]:
    """One warning per row of a sample-size search with interim looks under the posterior
    rule whose type I error at n max is above the design's level by more than 2 Monte Carlo
    SE (its thresholds are used as given, not re-calibrated per n)."""
    from designs.outputs.rates import level_verdict, rate_text
    from designs.planning.operating import type_i_trials

    out = []
    for r in rows:
        if getattr(r, "rule", "") != "posterior":
            continue
        level = r.alpha / r.sides
        rate = rate_text(r.type_i_error, r.mc_se_type_i_error, r.trials)
        verdict = level_verdict(r.type_i_error, r.mc_se_type_i_error, r.trials, level)
        if verdict == "above":
            out.append(
                f"warning: type I error {rate} "
                f"at n max {r.n_max:,} is above the design's level {level:g} by more than 2 MC "
                "SE: the thresholds are not re-calibrated per n (run calibrate --looks at this n)"
            )
        elif verdict == "too few":
            # a review: 0.040 (MC SE 0.0098) passed the test above while the rule's type I
            # error was 0.04, 60% above 0.025: a 2 MC SE test of so few trials cannot tell
            size = "--n-per-arm" if r.size_name == "n_per_arm" else "--n-total"
            out.append(
                f"warning: type I error {rate} "
                f"at n max {r.n_max:,} comes from too few trials to show that the thresholds, "
                f"not re-calibrated per n, hold the level {level:g}: check with {program_name()} "
                f"power with the same options, {size} {r.n_max} and --trials "
                f"{type_i_trials(level, 0)}"
            )
    return out


def interim_type_i_warnings(interim) -> list[str]:
    """The report's interim design under the posterior rule: a warning when its type I error
    at n max (from enough null trials, ``type_i_trials``) is above the one-sided level by
    more than 2 MC SE (a review: 0.0428 against 0.025 was one clause of methods.md)."""
    from designs.outputs.rates import above_level

    if interim is None or interim.threshold_z is None:
        return []
    s, t = interim.summary, interim.design.trial
    level = t.alpha / t.sides
    if not above_level(s.type_i_error, s.mc_se_type_i_error, level):
        return []
    return [
        f"warning: the interim design's type I error at n max is {s.type_i_error:.4f} (MC SE "
        f"{s.mc_se_type_i_error:.4f}), above the one-sided level {level:g} by more than 2 MC "
        f"SE: its thresholds are not calibrated for the looks ({program_name()} calibrate --looks "
        "at n max gives one threshold for all looks that holds the level)"
    ]


def posterior_looks_warnings(design, s) -> list[str]:
    """``power --looks`` under the posterior rule: a warning when the type I error over all
    looks (``s``, a looks summary) is above the one-sided level by more than 2 MC SE, or
    when its null trials are too few to show the level (a diff review: the bound was shown,
    the warning the conventions promise was not)."""
    from designs.outputs.group_sequential import level_type_i, nonbinding_text
    from designs.outputs.rates import counted_h0, level_verdict, trials_for_level, type_i_text

    level = design.trial.alpha / design.trial.sides
    verdict = level_verdict(*level_type_i(s), counted_h0(s), level)  # futility ignored
    if verdict == "above":
        return [
            f"warning: type I error {type_i_text(s)}{nonbinding_text(s)} over the looks is "
            "above the one-sided "
            f"level {level:g} by more than 2 MC SE: {program_name()} calibrate --looks gives one "
            "threshold for all looks that holds it"
        ]
    if verdict == "too few":
        return [
            f"warning: type I error {type_i_text(s)} over the looks: too few null trials to "
            f"show that it holds the one-sided level {level:g} (about --trials "
            f"{trials_for_level(level):,} or more can)"
        ]
    return []


def lenient_alpha_notes(design) -> list[str]:
    """A note where the frequentist test is one-sided at an alpha above 0.025: it rejects in
    favour of active more often under no effect than a two-sided test at 0.05 (power said so;
    a multiplicity review found sample-size, the report, power with looks and sweep silent,
    the easiest way to a smaller n); none otherwise."""
    t = design.trial
    if t.sides != 1 or t.alpha <= 0.025:
        return []
    if design.decision.is_posterior:  # what its level is for (two diff reviews)
        return [
            "note: the posterior rule's type I error is judged against (and calibrate aims at) "
            f"the one-sided level {t.alpha:g} (trial.alpha with trial.sides = 1), "
            f"{t.alpha / 0.025:g} "
            "times the usual one-sided 0.025 of a confirmatory trial; how often the rule "
            "succeeds under no effect is set by its threshold (--set trial.alpha=0.025 for "
            "the usual level)"
        ]
    return [
        f"note: a one-sided test at alpha {t.alpha:g} rejects in favour of active "
        f"{t.alpha / 0.025:g} times as often under no effect as a two-sided test at 0.05; "
        "a confirmatory trial is usually held to 0.025 one-sided (--set trial.alpha=0.025)"
    ]


def spread_allocation_notes(design) -> list[str]:
    """A note where the benefit spreads between treated patients (``effect.sd``) under
    unequal allocation: the analyses, which pool the arms' variances, are then not at their
    level for a spread benefit of mean 0 (power said so; a heterogeneity review found
    sample-size and the report silent); none otherwise."""
    t = design.trial
    if not design.effect.sd > 0 or t.allocation.placebo == t.allocation.active:
        return []
    return [
        f"note: effect.sd = {design.effect.sd:g} spreads the benefit, so the active arm's "
        "slopes vary more than placebo's; with unequal allocation the analyses, which pool "
        "the arms' variances, are not at their level for a spread benefit of mean 0 (a "
        "review: lmm_slope 0.11 at 3:1 and 0.018 at 1:3, alpha 0.05, effect.sd 0.5), and "
        "the power simulated includes that miscalibration. Type I errors are simulated with no "
        "effect for any patient."
    ]
