"""The cautions a report repeats where its chosen n is read: the check on fresh trials that
missed and, under the posterior rule, a type I error above the level at n. The sample-size
table and the README give them as a Markdown block (:func:`fresh_check_block`); the
operating characteristics, the chosen design's TOML and the interim tables, which stand on
the first target's n, as sentences (:func:`chosen_cautions`: a protocol writer's review
found those files silent where the sample-size table warned)."""

from __future__ import annotations

import numpy as np

from designs.program import program_name


def fresh_check_block(rows, design, command: str | None = None, calibrated=None) -> list[str]:
    """The fresh-trial check's warnings and, under the posterior rule, those of a type I
    error above the level at n, as a Markdown block (with a blank line after), or nothing
    when every row passed: before the numbers are pasted. ``command``: the command line
    that made the report, which the advice to rerun repeats with more trials."""
    from designs.outputs.fresh_check import fresh_check_warnings
    from designs.program import arguments_after_program

    rerun = None if command is None else arguments_after_program(command)
    from designs.outputs.small_arm import small_n_notes

    lines = fresh_check_warnings(rows, design, command="report", rerun=rerun)
    lines += _level_warnings(rows, design, calibrated)
    lines += small_n_notes(rows, design)
    from designs.outputs.level_warnings import lenient_alpha_notes

    lines += lenient_alpha_notes(design)  # under the n it halves (a multiplicity review)
    return caution_block(lines)


def caution_block(lines) -> list[str]:
    """Warnings and notes as a Markdown block quote in bold, one paragraph each, with a
    blank line after (nothing for no line): where a table's numbers are pasted from."""
    quoted = []
    for line in lines:  # one paragraph each: consecutive '>' lines would run together
        quoted += [">"] if quoted else []
        quoted.append(f"> **{line[0].upper()}{line[1:]}**")
    return [*quoted, ""] if quoted else []


def with_cautions(table: str, lines) -> str:
    """A Markdown ``table`` followed by its warnings and notes (:func:`caution_block`); the
    table alone when there are none."""
    block = caution_block(lines)
    return table.rstrip("\n") + "\n\n" + "\n".join(block) if block else table


def _level_warnings(rows, design, calibrated=None) -> list[str]:
    """Under the posterior rule, each row whose type I error at n is above the one-sided
    level, with what that does to n (a regulatory statistician's review: the README opened
    with n = 144 per arm, which held only at a type I error of 0.050 against 0.025, and the
    caution was in methods.md alone)."""
    from designs.outputs.level_warnings import type_i_warnings

    above = type_i_warnings(rows, design, above_only=True)
    if not above:
        return []
    borrowing = (  # a diff review: said under a vague or sceptical prior too
        "borrowing from phase 2 buys little power (docs/conventions.md), and "
        if design.decision.borrows
        else ""
    )
    return [
        *above,
        "warning: part of the power at such an n comes from the type I error above the "
        f"level; with the threshold calibrated to the level, {borrowing}n is larger"
        + _calibrated_power(rows[0], design, calibrated),
    ]


def _calibrated_index(design, calibrated) -> int | None:
    """The report's calibration at the design's prior weight (its weights are the robust
    prior's), or None where there is none or its power is not known."""
    if calibrated is None or design.decision.prior.value != "robust":
        return None
    at = np.flatnonzero(np.isclose(calibrated.weights, design.decision.prior_weight))
    if at.size == 0 or not np.isfinite(calibrated.power[at[0]]):
        return None
    return int(at[0])


def _calibrated_power(row, design, calibrated) -> str:
    """': at n = 151 the threshold calibrated to it (0.9864, MC SE 0.0010; ...) gives a
    success probability of 0.723 (MC SE 0.011; prior_weight.md)', from the report's
    calibration at the design's weight (a report
    review: the README led with an n that did not hold the level and gave no figure for the
    one that does); '' without one."""
    i = _calibrated_index(design, calibrated)
    if i is None:
        return ""
    return (
        f": at n = {row.n:,} the threshold calibrated to it ({calibrated.threshold[i]:.4f}, "
        f"MC SE {calibrated.threshold_mc_se[i]:.4f}; a protocol takes the upper end of its "
        f"interval, {program_name()} calibrate) gives a success probability of "
        f"{calibrated.power[i]:.3f} (MC SE "
        f"{calibrated.power_mc_se[i]:.3f}; prior_weight.md)"
    )


def prior_weight_has(design, calibrated) -> bool:
    """Whether the report's prior-weight section (prior_weight.md) holds the design's own
    rule: a robust prior at one of the weights it was calibrated at."""
    return _calibrated_index(design, calibrated) is not None


def calibrated_sentence(row, design, calibrated) -> str:
    """The same figure as a sentence of the methods text (a protocol writer's review: only
    the README gave the success probability of the rule that holds the level), for a rule
    whose type I error at n is above the level; '' otherwise."""
    from designs.outputs.level_warnings import type_i_warnings

    i = _calibrated_index(design, calibrated)
    if i is None or not type_i_warnings([row], design, above_only=True):
        return ""
    level = design.trial.alpha / design.trial.sides
    return (
        f" With the threshold calibrated to the one-sided level {level:g} at {row.n:,} "
        f"{'per arm' if row.size_name == 'n_per_arm' else 'in total'} "
        f"({calibrated.threshold[i]:.4f}, MC SE {calibrated.threshold_mc_se[i]:.4f}) the "
        f"success probability is {calibrated.power[i]:.3f} (MC SE "
        f"{calibrated.power_mc_se[i]:.3f}; prior_weight.md), so n for the target is larger "
        "with a rule that holds the level."
    )


def chosen_cautions(rows, design, calibrated=None) -> list[str]:
    """The cautions on the first target's n (the size the operating characteristics, the
    chosen design's TOML and the interim design stand on), as sentences opening with
    "WARNING:"; none when its check passed and its type I error holds the level."""
    from designs.outputs.fresh_check import fresh_check_warnings

    first = list(rows)[:1]
    lines = fresh_check_warnings(first, design, advise=False)
    lines += _level_warnings(first, design, calibrated)
    lines = [f"WARNING: {line.removeprefix('warning: ')}" for line in lines]
    from designs.outputs.small_arm import small_n_notes

    lines += [f"Note: {line.removeprefix('note: ')}" for line in small_n_notes(first, design)]
    from designs.outputs.effect_notes import design_notes

    # the design's notes as power gives them (reviews: the report never named the floor, the
    # lead-in's same slope, a one-sided 0.05 that made n 148 per arm against 183, or a
    # spread benefit under unequal allocation)
    analyses = [getattr(r, "analysis", str(design.trial.analysis)) for r in first]
    lines += [f"Note: {line.removeprefix('note: ')}" for line in design_notes(design, analyses)]
    return [line if line.endswith(".") else f"{line}." for line in lines]


def one_stage_caution(result) -> list[str]:
    """A Markdown caution when the report's search had one stage (``--refine-trials 0``, as
    the explorer's quick search makes its report folder; a non-programmer's review: the
    folder's README said "Paste first: methods.md" on the quick n the page said not to
    quote), else nothing."""
    if getattr(result, "refine_trials", 0):
        return []
    if not any(r.reached for r in result.rows):  # a second stage asked for could not run
        return []
    return [
        "> **This search had one stage (`--refine-trials 0`, as the explorer's quick search): "
        "its n has a wider Monte Carlo interval than the two stages `sample-size` and `report` "
        f"run by default. Before quoting n, run `{program_name()} report` with the same options "
        "without `--refine-trials 0`.**",
        "",
    ]
