"""The text ``simulate.py analyze --look K`` prints of the decision at an interim look
(:func:`designs.planning.interim_look.decision_at_look`)."""

from __future__ import annotations

from designs.outputs.look_notes import INFORMATION_GAP

__all__ = ["interim_look_text"]

_DECISIONS = {
    "efficacy": "stop for efficacy: the look crosses the efficacy boundary",
    "harm": (
        "stop: the look crosses the boundary favouring placebo (a harm, not a success of the trial)"
    ),
    "futility": (
        "the futility boundary is crossed (non-binding: the DSMB may stop for futility or "
        "go on; the efficacy boundaries ignore it, so going on does not raise the type I "
        "error the design has with futility ignored, which power --looks gives)"
    ),
    "stopped: information reached": (
        "final analysis (the look holds the planned maximum information): no rejection"
    ),
    "continue": "continue to the next look",
    "final: no rejection": "final analysis: no rejection",
    "final: no success": "final analysis: no success",
}

#: The posterior rule's futility: a predictive probability, not a boundary (a DSMB review).
_POSTERIOR_FUTILITY = (
    "the predictive probability of final success is below the rule's futility cut-off "
    "(non-binding: the DSMB may stop for futility or go on; going on keeps the type I error "
    "the thresholds have with futility ignored, the one calibrate --looks holds to its "
    "target when they come from it)"
)


def _sides(look: dict) -> str:
    return "one-sided" if look["sides"] == 1 else "two-sided"


def _frequentist_lines(look: dict) -> list[str]:
    spent = look["alpha_spent"]
    by_now = spent[-1] - (spent[-2] if len(spent) > 1 else 0.0)
    fraction = look["spending_fractions"][-1]
    by = (
        "the look's planned share, as user spending gives it"
        if look["spending"] == "user" and fraction < 1
        else f"at information fraction {fraction:.4g}"
    )
    if look.get("spending_information") == "planned" and look["spending"] != "user":
        by = f"at the planned information fraction {fraction:.4g}, interim.information"
    lines = [
        f"  spending         {look['spending']}, {_sides(look)} alpha {look['alpha']:g}: "
        f"{by_now:.4g} at this look, {spent[-1]:.4g} by it ({by})",
        f"  z                {look['z']:.4f} (the t statistic carried to the z scale through "
        "its t distribution)",
    ]
    c = look["efficacy_boundary_z"]
    if c is None:
        lines.append(
            "  efficacy         no boundary: this look spends no alpha (its information is not "
            "above an earlier look's, or the spending function gives nothing here)"
        )
    else:
        z_side = "|z|" if look["sides"] == 2 else "z"
        lines.append(
            f"  efficacy         {z_side} >= {c:.4f} (nominal {_sides(look)} p "
            f"{look['nominal_p']:.4g}), an estimate of {look['efficacy_boundary_estimate']:.4g} "
            "points/month at this look's SE"
        )
    f = look["futility_boundary_z"]
    if f is not None:
        at = look.get("futility_boundary_fraction")
        planned = "" if at is None else f" at information fraction {at:.4g}"
        lines.append(
            f"  futility         z <= {f:.4f} (the design's planned boundary{planned}, "
            f"non-binding), an estimate of {look['futility_boundary_estimate']:.4g} points/month"
        )
    if look.get("conditional_power") is not None:
        effect = f"{look['conditional_power_effect']:.4g} points/month"
        under = (
            f"the design's effect ({effect}, its mean over the follow-up)"
            if look["conditional_power_under"] == "design"
            else f"the current trend ({effect}, this look's z times its SE)"
        )
        lines.append(
            f"  conditional power {look['conditional_power']:.4f} under {under}, at this "
            "look's information against the planned final boundary; the cp rule stops below "
            f"{look['futility_cp']:g} (its meaning; the simulation, and the decision here, use "
            "its planned z boundary above)"
        )
        if look.get("conditional_power_own_final") is not None:
            lines.append(
                f"                   {look['conditional_power_own_final']:.4f} against this "
                f"trial's own final boundary, z >= {look['own_final_boundary_z']:.4f} (the "
                "alpha its looks spent at the information they observed, later looks at "
                "their planned fractions scaled by this look's observed / planned information, "
                "the final at the planned maximum)"
            )
    informative = look.get("conditional_power_for_information")
    if informative is not None:
        trend, design = informative["trend"], informative["design"]
        lines.append(
            f"  conditional power {trend['power']:.4f} under the current trend "
            f"({trend['effect']:.4g} points/month), {design['power']:.4f} under the design's "
            f"effect ({design['effect']:.4g} points/month), at this look's information against "
            "the planned final boundary (for information: no rule of this design reads it)"
        )
    low, high = look["repeated_ci_low"], look["repeated_ci_high"]
    if low is None and c is None:
        lines.append("  repeated CI      none at a look without a boundary (the whole line)")
    if low is not None:
        level = f"{100 * (1 - look['alpha']):g}%" + (", one-sided" if high is None else "")
        shown = f">= {low:.4g}" if high is None else f"{low:.4g} to {high:.4g}"
        lines.append(
            f"  repeated CI      {shown} points/month ({level}; with the other looks' it "
            "covers the effect whenever the trial stops: Jennison & Turnbull 2000, ch. 9)"
        )
    if look.get("p_value_stagewise") is not None:
        lines.append(
            f"  stagewise        p-value {look['p_value_stagewise']:.4g} ({_sides(look)}), "
            f"median-unbiased estimate {look['median_unbiased_estimate']:.4g} points/month "
            "(the trial stops here; stagewise ordering, Jennison & Turnbull 2000, ch. 8)"
            + (
                "; without --earlier-df the estimate reads the earlier boundaries on the z "
                "scale, exact at large df (a little low in small trials)"
                if look["look"] > 1 and not look.get("earlier_df")
                else ""
            )
        )
    earlier = look["efficacy_boundaries_z"][:-1]
    if earlier:
        shown = ", ".join("none" if b is None else f"{b:.4f}" for b in earlier)
        at = "the planned" if look.get("spending_information") == "planned" else "their"
        lines.append(f"  earlier looks    efficacy boundaries at {at} information: {shown}")
    return lines


def _posterior_lines(look: dict) -> list[str]:
    rule = f"P(effect > {look['margin']:g} | data)"
    lines = [
        f"  posterior rule   {rule} = {look['probability']:.4f} against the look's threshold "
        f"{look['threshold']:g}"
    ]
    if look["predictive_probability"] is not None:
        cut = look["futility_predictive"]
        rule_text = f"futility below {cut:g}" if cut > 0 else "no futility rule"
        lines.append(
            f"  predictive       probability of success at the final analysis "
            f"{look['predictive_probability']:.4f} ({rule_text})"
        )
        i_final, c = look.get("projected_final_information"), look.get("critical_final_estimate")
        if i_final is not None and c is not None:  # what the prediction rests on
            lines.append(
                f"                   assuming final information {i_final:.2f} "
                "(points/month)^-2 (this look's plus the planned rest), where success needs a "
                f"final estimate above {c:.4f} points/month"
            )
    return lines


def interim_look_text(design, look: dict) -> str:
    """Lines of the look's information, boundaries (or posterior probabilities) and
    decision, and what to give at the next look."""
    k, k_count = look["look"], look["looks"]
    head = f"interim look {k} of {k_count}" if k < k_count else f"look {k} of {k_count} (final)"
    lines = [
        f"{head}: planned at information fraction {look['planned_fraction']:.4g}, calendar "
        f"month {look['planned_month']:.1f} from the start of recruitment"
    ]
    if look["decision"] == "no decision":
        return "\n".join([*lines, f"  decision         no decision: {look['why']}"])
    source = (
        f"the design's at {design.trial.n_total} patients"
        if look["information_max_source"] == "the design"
        else f"--information-max; the design's is {look['information_max_design']:.5g}"
    )
    lines.append(
        f"  information      1/SE^2 = {look['information']:.5g} (points/month)^-2, "
        f"{look['information_fraction']:.4f} of the planned maximum "
        f"{look['information_max']:.5g} ({source})"
    )
    gap = look["information_fraction"] - look["planned_fraction"]
    if look.get("spending_information") == "planned" and abs(gap) > INFORMATION_GAP:
        lines.append(
            f"  note             this look holds {look['information_fraction']:.3f} of the "
            f"planned maximum where the plan has {look['planned_fraction']:.3f}: the planned "
            "boundaries (interim.information = planned) stay exact if every look is off plan "
            "by the same factor (a variance other than the design's), and assume the planned "
            "correlations of the looks otherwise; spending by the observed information (the "
            "default) would have put this look's boundary at the information it holds"
        )
    if look.get("final_information_raised"):
        top = max(look["earlier_information"])
        lines.append(
            f"  note             this final look holds less information than an earlier one "
            f"({look['information']:.5g} against {top:.5g}): as the simulation does, its "
            "boundary and stagewise inference take it at least 0.01 of it above the earlier "
            "one's (the looks' joint distribution needs increasing information)"
        )
    if look["information_reached"]:
        lines.append(
            "  note             this interim look holds the planned maximum information: it "
            "is the final analysis (all the alpha left is spent here; Mehta & Tsiatis 2001)"
        )
    lines += _posterior_lines(look) if look["rule"] == "posterior" else _frequentist_lines(look)
    decision = _DECISIONS[look["decision"]]
    if look["decision"] == "futility" and look["rule"] == "posterior":
        decision = _POSTERIOR_FUTILITY
    elif look["decision"] == "futility" and look["final"]:  # nothing to go on to (a review)
        decision = (
            "final analysis (the look holds the planned maximum information): no rejection; "
            "z is also at or below the futility boundary"
        )
    if look["decision"] == "efficacy" and look["final"]:
        decision = "final analysis: the efficacy boundary is crossed (a rejection)"
        if look["rule"] == "posterior":
            decision = "final analysis: success (the probability is above the threshold)"
    elif look["decision"] == "efficacy" and look["rule"] == "posterior":
        decision = "stop for efficacy: the probability is above the look's threshold"
    lines.append(f"  decision         {decision}")
    if look["decision"] in ("continue", "futility") and not look["final"]:
        if look["rule"] == "posterior":  # each look on its own data
            lines.append(f"at look {k + 1}: add --look {k + 1}")
        else:  # the df for the median-unbiased estimate where the trial stops; the SEs
            # unless the boundaries are the plan's (its fractions, not the SEs)
            earlier_df = look.get("earlier_df", [])
            df = ",".join(f"{d:.6g}" for d in [*earlier_df, look["df"]])
            dfs = f" --earlier-df {df}" if len(earlier_df) == k - 1 else ""  # all or none
            se = ",".join(f"{s:.6g}" for s in [*look["earlier_se"], look["se"]])
            ses = "" if look.get("spending_information") == "planned" else f" --earlier-se {se}"
            lines.append(f"at look {k + 1}: add --look {k + 1}{ses}{dfs}")
        lines.append(_next_look_line(look))
    return "\n".join(lines)


def _next_look_line(look: dict) -> str:
    """When the next look is planned (a DSMB review: the output gave the next command, not
    the month a DSMB minute needs)."""
    nxt = look["next_look"]
    final = " (final)" if nxt["look"] == look["looks"] else ""
    return (
        f"look {nxt['look']}{final} is planned at information fraction "
        f"{nxt['planned_fraction']:.4g}, calendar month {nxt['planned_month']:.1f} from the "
        "start of recruitment (when the design expects that fraction; the simulated trials "
        "took their looks at these months)"
    )
