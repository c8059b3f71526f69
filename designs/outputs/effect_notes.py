"""Notes on what the design's effect makes of the power it prints: no effect or an effect
that no visit sees (the power is then the type I error), and a harm (significance in either
direction, success only favouring active). Text only."""

from __future__ import annotations


def harm_notes(design, s) -> list[str]:
    """A design whose effect is a harm (faster decline on active): the power counts
    significance in either direction, a success only favouring active (a review: the
    explorer's headline read 0.580 for a 25% faster decline, its success rate 0.000); a
    design with no effect, or one that starts at or after the last visit
    (:func:`late_onset_notes`): its power is the type I error."""
    late = late_onset_notes(design)
    if late:
        return late
    if design.effect.value == 0:  # a review: the explorer's headline read "power 0.044"
        rate, what = (
            ("success rate", "a success")
            if design.decision.is_posterior
            else ("power", "a significant result")
        )
        return [
            f"note: the effect is 0 (no difference between the arms): this {rate} is the "
            f"type I error, the chance of {what} when the treatment does nothing"
        ]
    if not design.effect.value < 0 or design.decision.is_posterior or design.trial.sides != 2:
        return []
    return [
        f"note: the effect ({design.effect.value:+g}, {design.effect.kind.value}) is a harm, "
        f"faster decline on active: power {s.power:.3f} counts significance in either "
        f"direction; a trial succeeds only significant and favouring active "
        f"({s.power_favourable:.3f})"
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
