"""Notes beside the posterior rule's numbers: whether the sceptical prior fits the design's
effect (the prior line and methods.md), and what a margin other than 0 does to the type I
error (:func:`margin_note`).

The sceptical prior's default SD, 0.076 points/month, is the default design's effect over
1.645: it gives that effect 5% prior probability (Spiegelhalter, Freedman & Parmar 1994). A
design with another effect keeps the SD unless told otherwise; :func:`sceptical_note` says
so where the prior is printed.
"""

from __future__ import annotations

__all__ = ["SCEPTICAL_TAIL", "margin_note", "sceptical_note"]


#: The prior probability a sceptical prior conventionally gives the effect the trial is
#: designed to detect (Spiegelhalter, Freedman & Parmar 1994), and how far from it a
#: design's ``sceptical_sd`` may put it before the prior line says so.
SCEPTICAL_TAIL = 0.05
_SCEPTICAL_NOTE_RANGE = (0.04, 0.06)


def sceptical_note(design) -> str:
    """Under the sceptical prior with a fixed effect: the prior probability it gives the
    design's effect, and the SD that would give it 5%, when that probability is outside
    4-6% (a statistician's review: the default SD, 0.076 points/month, is the default
    design's 0.125 / 1.645; on a design with a 0.24 effect it gave that effect 0.1% and the
    posterior rule's power fell to 0.44 with no word why)."""
    from designs.sequential.normal import isf, sf

    d, e = design.decision, design.effect
    if d.prior.value != "sceptical" or e.source.value != "fixed":
        return ""
    shift = e.slope_shift(design.population.slope_mean)
    if shift <= 0:
        return ""
    tail = float(sf(shift / d.sceptical_sd))
    if _SCEPTICAL_NOTE_RANGE[0] <= tail <= _SCEPTICAL_NOTE_RANGE[1]:
        return ""
    return (
        f"; the sceptical prior gives an effect at least as large as the design's "
        f"({shift:+.3g}) a prior probability of {tail:.2%}, where a sceptical prior "
        f"conventionally gives it {SCEPTICAL_TAIL:.0%} "
        f"(decision.sceptical_sd = {shift / float(isf(SCEPTICAL_TAIL)):.3g})"
    )


def margin_note(margin: float) -> str:
    """Under a margin other than 0, the note that the type I error is the rule's success rate
    with no effect, not at the margin, and which way it moves there ('' at margin 0). A
    review: ``calibrate`` said "more often" for a margin below 0 too, where success at the
    margin is less often than with no effect, and ``power`` said nothing."""
    if margin == 0:
        return ""
    more = "more" if margin > 0 else "less"
    return (
        "note: the type I error is the rule's success rate with no effect (effect 0), not at "
        f"the margin: with a true effect of {margin:g} points/month it succeeds {more} often "
        f"(success means P(effect > {margin:g} | data) > threshold)"
    )
