"""What ``power`` prints for the posterior rule at interim looks (rendering only)."""

from __future__ import annotations

from designs.outputs.group_sequential import (
    LOOK_COLUMNS,
    entered,
    expected_text,
    nonbinding_text,
)
from designs.outputs.numbers import rate_mc_se
from designs.outputs.rates import type_i_text
from designs.spec.decision import threshold_text

__all__ = ["posterior_looks_text"]


def posterior_rule_phrase(s) -> str:
    """The rule at the looks in one phrase, for the command line and the explorer.

    ``s``: a :class:`designs.planning.decision_looks.PosteriorLooksSummary`.
    """
    weight = f", weight {s.prior_weight:g}" if s.prior == "robust" else ""
    futility = (
        "stop for futility if the predictive probability of final success < "
        f"{s.futility_predictive:g}"
        if s.futility_predictive > 0
        else "no futility rule"
    )
    thresholds = ", ".join(threshold_text(t) for t in s.thresholds)
    return (
        f"posterior rule at {len(s.looks)} looks: success if P(effect > {s.margin:g} | data "
        f"up to the look) > the look's threshold ({thresholds}); {s.prior} prior{weight}; "
        f"{futility}"
    )


def posterior_looks_text(design, s, prior=None) -> str:
    """The design line, the rule and its prior (``prior``: the rule's prior of the effect,
    written out as ``power`` writes it for a fixed design; a review found it missing here),
    one line per look, and the operating characteristics.

    ``s``: a :class:`designs.planning.decision_looks.PosteriorLooksSummary`.
    """
    from designs.outputs.console import prior_text
    from designs.outputs.prior_notes import margin_note, time_course_prior_notes
    from designs.outputs.tables import type_i_target

    lines = [
        design.describe(),
        f"{s.analysis}: {posterior_rule_phrase(s)}; {s.trials} trials per hypothesis, "
        f"seed {s.seed}",
        *[t for t in (prior_text(design, prior),) if t],
        "look  info(exp)  info(obs)  month  randomised  threshold  P(eff)  P(fut)  P(eff|H0)  "
        "P(fut|H0)",
    ]
    for k in range(len(s.looks)):
        lines.append(
            f"{k + 1:>4}  {s.expected_information_fraction[k]:9.3f}  "
            f"{s.observed_information_fraction[k]:9.3f}  {s.look_months[k]:5.1f}  "
            f"{entered(s, k):10.1f}  "
            f"{s.thresholds[k]:9.4f}  {s.p_stop_efficacy[k]:6.3f}  {s.p_stop_futility[k]:6.3f}  "
            f"{s.p_stop_efficacy_h0[k]:9.4f}  {s.p_stop_futility_h0[k]:9.4f}"
        )
    lines.append(LOOK_COLUMNS)
    lines.append(
        f"success probability {rate_mc_se(s.power, s.mc_se)}; success favouring active "
        f"{s.power_favourable:.3f}; type I error (success with no effect) "
        # against its level, as the fixed design's line says it (a multiplicity review: the
        # rate stood alone under a header of "alpha 0.05 two-sided")
        f"{type_i_text(s)} against the one-sided level {type_i_target(design):g}"
        f"{nonbinding_text(s)}; failed fits {s.failed_fits} (effect), "
        f"{s.failed_fits_h0} (no effect)"
    )
    lines.append(expected_text(s))
    notes = [t for t in (margin_note(s.margin),) if t] + time_course_prior_notes(design, True)
    return "\n".join(lines + notes)
