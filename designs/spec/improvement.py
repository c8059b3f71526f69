"""The rule that a fixed effect leaves the randomised patients declining unless the design
says it means improvement (``effect.allow_improvement``): the largest ``effect.value`` each
kind allows, and the refusal beyond it (a bad-input review: 0.8 points/month on a decline of
0.5 ran, power 1.000; a consistency review: under delta-FS screening a 90% slowing of the
candidates' decline, 108% of the admitted patients', ran while 0.918 points/month, the same
shift, was refused)."""

from __future__ import annotations

from designs.spec.follow_up import EffectKind, EffectSource, ImprovementError


def randomised_decline(design) -> tuple[float, bool]:
    """The randomised patients' mean decline (points/month, the size of their mean slope) and
    whether they are screened: the admitted patients' under delta-FS screening (closed form),
    else the population's (``population.slope_mean``)."""
    admitted = design.enrichment.admitted_slope(design.population)
    if admitted is None:
        return abs(design.population.slope_mean), False
    return abs(admitted[0]), True


def improvement_limit(design, kind: EffectKind | str | None = None) -> float:
    """The largest fixed ``effect.value`` of ``kind`` (the design's by default) that leaves the
    randomised patients declining, in the field's unit: points/month for a slope difference
    (their decline); for a proportional slowing, a fraction of the candidates' decline
    (``|population.slope_mean|``), at most 1 and less under screening, whose admitted
    patients decline less than the candidates."""
    kind = EffectKind(kind or design.effect.kind)
    decline, _ = randomised_decline(design)
    if kind is EffectKind.SLOPE_DIFFERENCE:
        return decline
    candidates = abs(design.population.slope_mean)
    return min(1.0, decline / candidates) if candidates > 0.0 else 1.0


def check_improvement(design) -> None:
    """Refuse a fixed effect beyond :func:`improvement_limit` unless
    ``effect.allow_improvement`` (a posterior effect's draws are not refused one by one)."""
    e = design.effect
    if e.source is not EffectSource.FIXED or e.allow_improvement:
        return
    limit = improvement_limit(design)
    if e.value <= limit:
        return
    decline, screened = randomised_decline(design)
    whose = "the admitted patients' mean decline" if screened else "|population.slope_mean|"
    if e.kind is EffectKind.SLOPE_DIFFERENCE:
        what = f"a slope_difference above {whose} = {decline:.6g} points/month"
        shift = e.value
    else:
        shift = e.value * abs(design.population.slope_mean)
        what = (
            f"a proportional_slowing of |population.slope_mean| (+{shift:.6g} points/month) "
            f"above {whose} = {decline:.6g} points/month (at most {limit:.6g})"
        )
    raise ImprovementError(
        f"effect.value = {e.value:g}: {what} turns the active arm's decline into improvement "
        f"(mean slope {shift - decline:+.3g} points/month); set effect.allow_improvement = "
        "true to mean that",
        decline=decline,
        screened=screened,
        limit=limit,
    )
