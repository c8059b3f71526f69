"""Conditional power at an interim look of ``analyze --look``: as the design's cp rule
defines it, against the trial's own final boundary, and for information where no rule reads
it, each with the effect it assumes (points/month)."""

from __future__ import annotations

import math


def own_final_boundary(design, info, k: int, k_count: int, i_max: float) -> float:
    """This trial's final efficacy boundary (z) if its later interim looks come at their
    planned fractions of ``I_max`` times this look's observed / planned information (looks
    are set in calendar time: a trial ahead of its plan stays ahead; a diff review found a
    look already overtaken dropped, as if it would spend nothing) and the final look at
    ``I_max``: the alpha its looks so far spent at their observed information is gone, the
    final look spends what is left. A later look that would hold ``I_max`` is the final."""
    from designs.planning.look_times import look_times
    from designs.sequential.at_information import boundaries_at_information

    t, interim = design.trial, design.interim
    fractions = look_times(design).fractions
    ahead_by = info[k] / (fractions[k] * i_max)
    ahead = [f * i_max * ahead_by for f in fractions[k + 1 : -1]]
    ahead = [x for x in ahead if info[k] < x < i_max]
    infos = [*(float(x) for x in info[: k + 1]), *ahead, i_max]
    bounds, _, _ = boundaries_at_information(
        infos, i_max, t.alpha, interim.alpha_spending(), t.sides, max(k_count, len(infos)), True
    )
    return float(bounds[-1])


def conditional_power_at_look(
    design,
    planned,
    z: float,
    fraction: float,
    i_max: float,
    final_z: float | None = None,
    under: str | None = None,
) -> float:
    """The conditional power at this look's observed fraction of ``I_max``, as the design's
    cp rule defines it (the planned final boundary, or ``final_z``; ``under`` the trend or
    the design's effect, by default the rule's ``interim.futility_cp_under``). The
    simulation decides by the planned z boundary of the look; this is what the rule means
    at the information observed (a DSMB review: 0.19 on the boundary, not 0.10)."""
    from designs.sequential.conditional_power import conditional_power

    if final_z is None:
        final_z = float(planned.efficacy_z[-1])  # the planned boundaries (planned_boundaries)
    drift = None
    if _under(design, under) == "design":
        from designs.planning.group_sequential import design_drift

        drift = design_drift(design, i_max)
    return float(conditional_power(z, fraction, final_z, drift))


def conditional_powers(design, z: float, se: float, fraction: float, i_max: float) -> dict:
    """The conditional power of crossing the planned final efficacy boundary (favouring
    active) at this look's ``fraction`` of ``I_max``, under the current trend and under the
    design's effect, each with the effect it assumes (points/month), for a design whose
    futility rule is not conditional power."""
    from designs.planning.group_sequential import planned_boundaries

    planned = planned_boundaries(design)
    return {
        under: {
            "power": conditional_power_at_look(design, planned, z, fraction, i_max, under=under),
            "effect": cp_effect(design, z, se, i_max, under=under),
        }
        for under in ("trend", "design")
    }


def cp_effect(design, z: float, se: float, i_max: float, under: str | None = None) -> float:
    """The effect (points/month) the conditional power assumes for the rest of the trial
    (``under`` as :func:`conditional_power_at_look`): the current trend, ``z`` times this
    look's SE (the estimate the t statistic carried to the z scale gives), or the design's
    (the estimand's true value, time course included:
    :func:`designs.planning.group_sequential.design_drift` over ``sqrt(I_max)``)."""
    if _under(design, under) == "design":
        from designs.planning.group_sequential import design_drift

        return design_drift(design, i_max) / math.sqrt(i_max)
    return z * se


def _under(design, under: str | None) -> str:
    """``under``, or the design's cp rule's (``"trend"`` or ``"design"``)."""
    return design.interim.futility_cp_under.value if under is None else under
