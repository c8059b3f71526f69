"""Which fields hold a design's fixed effect, whether a design with looks reads it (the
command line refuses them where nothing simulates them, and the explorer leaves them out of
the commands that reproduce such a run: both read this, so neither imports the other), and
whether the effect is the sharp null (power's type I error and the outputs' notes), and the
effect in the units a reader sets it in."""

from __future__ import annotations

#: The ``--set`` fields of the fixed effect.
FIXED_EFFECT_FIELDS = ("effect.value", "effect.kind")


def reads_fixed_effect(design) -> bool:
    """Whether a design with looks reads its fixed effect: a conditional-power futility rule
    under the design's effect (``interim.futility_cp_under = "design"``)."""
    i = design.interim
    return bool(i.sequential and i.futility.value == "cp" and i.futility_cp_under.value == "design")


def is_sharp_null(design) -> bool:
    """No patient's slope changed: a fixed effect of 0 points/month and no spread of it (a
    spread around a mean of 0 helps some patients and harms others:
    :func:`designs.planning.power.null_design`)."""
    e = design.effect
    fixed = e.source.value == "fixed"
    return fixed and e.sd == 0.0 and e.slope_shift(design.population.slope_mean) == 0.0


def effect_words(design) -> str:
    """The fixed effect in the units a reader sets it in: '-5% slowing, -0.025 points/month'
    or '-0.1 points/month' (an explorer review: "(-0.05, proportional_slowing)" beside a box
    that said -5%)."""
    e = design.effect
    points = e.slope_shift(design.population.slope_mean)
    if e.kind.value == "proportional_slowing":
        return f"{100 * e.value:+.4g}% slowing, {points:+.3g} points/month"
    return f"{points:+.3g} points/month"
