"""The text ``simulate.py analyze`` prints of an analysis result on one's own data."""

from __future__ import annotations

__all__ = ["DF_METHOD_NAMES", "DIGITS", "JOINT_RANK_CI_NOTE", "model_text", "result_text"]


#: ``simulate.py analyze``'s header: the reference distribution of lmm_slope's Wald test.
DF_METHOD_NAMES = {
    "satterthwaite": "Satterthwaite df",
    "kenward-roger": "Kenward-Roger SE and df",
    "between-patient fallback": "between-patient df, Satterthwaite undefined",
}


#: Significant digits ``simulate.py analyze`` prints, the p-value's 6 apart (``--json``
#: gives every digit).
DIGITS = 4


#: How joint_rank's interval is made, in the text and in the JSON (``ci_note``: a pipeline
#: author's review found it in the text only).
JOINT_RANK_CI_NOTE = (
    "from the rank-sum variance under no effect: conservative under an effect; kept within "
    "the estimate's range, -0.5 to 0.5"
)


def result_text(analysis: str, source: str, out: dict, at_look: bool = False) -> str:
    """The text ``simulate.py analyze`` prints of a result (:meth:`AnalysisResult.to_dict`)
    of ``analysis`` on the file ``source``: the numbers, the (1 - alpha) interval (or the
    one-sided bound) and the decision at the result's alpha and sides (``at_look``: the
    interval is said to be unadjusted and the fixed-sample decision is left out, the
    look's decision follows)."""
    method = DF_METHOD_NAMES.get(out.get("df_method"), out.get("df_method"))
    named = f"{analysis} ({method})" if method else analysis
    lines = [f"{named} on {source}: {out['estimand']}"]
    keys = ("estimate", "se", "df", "df_method", "statistic", "p_value", "n_placebo", "n_active")
    units = {"estimate": f" {out['units']}", "se": f" {out['units']}"}
    for key in keys:
        value = out[key]
        if value is None:
            continue
        # the p-value keeps 6 digits: at 4, p = 0.049996 read "0.05" beside "significant: yes"
        digits = 6 if key == "p_value" else DIGITS
        # at a look the fixed-sample p-value is not the look's (a DMC review: unmarked
        # where the interval said so); the stagewise one is, where the trial stops
        unadjusted = " (fixed-sample, not adjusted for the looks)" if at_look else ""
        lines.append(
            f"  {key:10s} {value:.{digits}g}{units.get(key, '')}"
            + (unadjusted if key == "p_value" else "")
            if isinstance(value, float)
            else f"  {key:10s} {value}"
        )
    labels = out.get("arm_labels")
    if labels:  # which label became placebo (a data manager's review: nothing said so)
        shown = {arm: ", ".join(repr(x) for x in labels[arm]) or "none" for arm in labels}
        lines.append(
            f"  {'arms':10s} placebo {shown['placebo']}, active {shown['active']} (the labels "
            "of column arm); estimates are active minus placebo"
        )
    months = out.get("visit_months")
    if months:  # so that months given in weeks or days show (a data manager's review)
        lines.append(
            f"  {'visits':10s} months {months['first']:g} to {months['last']:g}, "
            f"{months['distinct']} distinct"
            + (
                f"; the file holds {months['visits']:,} visits of {months['patients']:,} patients"
                if "visits" in months
                else ""
            )
        )
    left = out.get("leaving")
    if left:
        lines.append(
            f"  {'leaving':10s} {left['placebo_left']} of {left['placebo']} placebo and "
            f"{left['active_left']} of {left['active']} active patients' records end a visit "
            f"or more before month {left['last_month']:g} ("
            + ("the end of follow-up given" if left.get("end_given") else "the file's last")
            + (
                f"; of them {left['placebo_died']} placebo and {left['active_died']} active "
                "died, as column status gives"
                if left.get("placebo_died") is not None
                else ""
            )
            + f"); {out['analysis']}'s strategy for "
            f"leaving alive: {left['leaving_strategy']}, for death: {left['death_strategy']}; "
            "a sensitivity analysis for data missing not at random (e.g. a tipping point) is "
            "not run here"
        )
    model = model_text(out)
    if model:
        lines.append(f"  {'model':10s} {model}")
    level = f"{100.0 * out['ci_level']:.6g}%"
    low = f"{out['ci_low']:.{DIGITS}g}"
    naive = " (not adjusted for the looks)" if at_look else ""
    if out.get("analysis") == "joint_rank":  # a CAFS review: the SE is the null one
        naive += f" ({JOINT_RANK_CI_NOTE})"
    if out["sides"] == 2:
        high = f"{out['ci_high']:.{DIGITS}g}"
        lines.append(f"  {level + ' CI':10s} {low} to {high} {out['units']}{naive}")
        sides = "two-sided"
    else:
        lines.append(
            f"  {level + ' bound':10s} >= {low} {out['units']} (one-sided, "
            f"lower: benefit is active minus placebo > 0){naive}"
        )
        sides = "one-sided (favouring active)"
    if at_look:  # the fixed-sample test does not decide at a look
        return "\n".join(lines)
    decision = {True: "yes", False: "no", None: "undefined"}[out["significant"]]
    if out["significant"] and out["sides"] == 2 and out["estimate"] < 0:
        # a review: a significant harm read "yes" like a success
        decision += " (favours placebo: a harm, not a success of the trial)"
    lines.append(f"  significant at alpha {out['alpha']:g}, {sides}: {decision}")
    return "\n".join(lines)


def model_text(out: dict) -> str:
    """The fitted model's variance components, as a reproduction in R compares them (a
    lead-in review, and the diff review after it: the JSON gave them, the text did not):
    ``lmm_slope``'s REML variances (lme4's ``VarCorr``), correlation, -2 REML
    log-likelihood and convergence; ``slope_change_lead_in``'s residual variance,
    unexplained slope variance and lead-in coefficient. '' for other analyses."""
    import math

    cov = out.get("random_effects_cov")
    if cov is not None and out.get("residual_var") is not None:
        (v_a, c), (_, v_s) = cov
        corr = c / math.sqrt(v_a * v_s) if v_a > 0 and v_s > 0 else math.nan
        corr_text = f"{corr:.3f}" if math.isfinite(corr) else "undefined (a variance at 0)"
        converged = {True: "converged", False: "did NOT converge", None: ""}[out.get("converged")]
        criterion = out.get("reml_criterion")
        return (
            f"REML variances: residual {out['residual_var']:.{DIGITS}g} points^2; random "
            f"intercept {v_a:.{DIGITS}g} points^2, slope {v_s:.{DIGITS}g} (points/month)^2, "
            f"correlation {corr_text}"
            + (f"; -2 REML log-likelihood {criterion:.7g}" if criterion is not None else "")
            + (f"; {converged}" if converged else "")
        )
    coefficient = out.get("lead_in_coefficient")
    if coefficient is None:
        return ""
    residual, unexplained = out.get("residual_var"), out.get("slope_var_unexplained")
    if residual is None or not math.isfinite(residual):
        weights = "patients weighted equally (no variance components)"
    else:
        weights = (
            f"residual variance {residual:.{DIGITS}g} points^2, unexplained slope variance "
            f"{unexplained:.{DIGITS}g} (points/month)^2"
        )
    return f"{weights}; lead-in slope coefficient {coefficient:.{DIGITS}g}"
