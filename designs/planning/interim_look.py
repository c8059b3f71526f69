"""The decision at one interim look of a real trial, as the design judges its simulated ones.

``simulate.py analyze --data FILE --look K`` analyses the data available at look ``K`` of
the design's looks and applies the design's rule there:

- **frequentist rule**: the Wald statistic carried to the z scale through its t distribution
  (``z = Phi^-1(F_t(estimate / SE; df))``, as in the simulation), against the efficacy
  boundary solved at the information the trial observed (``I = 1 / SE^2`` at this look and
  the earlier ones, :func:`designs.sequential.at_information.boundaries_at_information`),
  alpha spent by ``min(I_k / I_max, 1)``; and, one-sided, against the design's planned
  (non-binding) futility boundary of the look;
- **posterior rule**: ``P(effect > margin | data)`` against the look's threshold and, at an
  interim look, the predictive probability of final success against
  ``decision.futility_predictive``
  (:func:`designs.analyses.decision_predictive.predictive_success`).

``I_max`` is the design's planned final information at its size
(:func:`designs.planning.look_times.look_times`, what ``power --looks`` prints), or the
charter's figure when given. Units: estimates and SEs in points/month, information in
(points/month)^-2.
"""

from __future__ import annotations

import math

import numpy as np

from designs.errors import InputError
from designs.spec.interim import SEQUENTIAL_ANALYSES

__all__ = ["check_look", "decision_at_look", "estimate_at_z", "z_of_t"]


def z_of_t(statistic: float, df: float) -> float:
    """The t statistic carried to the z scale with its sign: ``Phi^-1(F_t(statistic; df))``
    (by the tail beyond ``|statistic|``, as :func:`designs.planning.look_z.
    z_statistics` does for the simulated trials)."""
    from scipy.special import ndtri, stdtr

    z = -float(ndtri(stdtr(df, -abs(statistic))))
    return z if statistic > 0 else -z


def check_look(design, analysis: str, look: int, earlier_se, earlier_df=()) -> int:
    """The number of looks; :class:`InputError` for a look the design cannot judge (before
    the data are read)."""
    interim = design.interim
    if not interim.sequential:
        raise InputError(
            "--look: the design has no interim looks; give them with --looks (e.g. --looks "
            "0.5,1), --look-months or --look-completed, or in the design's [interim]"
        )
    if analysis not in SEQUENTIAL_ANALYSES:
        raise InputError(
            f"--look with --analysis {analysis}: the looks are judged with "
            f"{' or '.join(SEQUENTIAL_ANALYSES)} (the analyses the simulation runs at looks)"
        )
    k_count = interim.n_looks
    if not 1 <= look <= k_count:
        raise InputError(f"--look {look}: must be in 1-{k_count} (the design's looks)")
    if design.decision.is_posterior:  # each look on its own data
        for option, values in (("--earlier-se", earlier_se), ("--earlier-df", earlier_df)):
            if values:
                raise InputError(
                    f"{option}: the posterior rule judges each look on its own data; give no "
                    f"{option}"
                )
        return k_count
    if earlier_df:
        _one_per_earlier_look(earlier_df, look, "--earlier-df", "df", "")
    if _spends_by_plan(design):
        if earlier_se:
            raise InputError(
                "--earlier-se: under interim.information = 'planned' the boundaries and the "
                "stagewise inference read the plan's information fractions, not the earlier "
                "looks' SEs; give no --earlier-se"
            )
        return k_count
    _one_per_earlier_look(earlier_se, look, "--earlier-se", "SE", "points/month")
    return k_count


def _one_per_earlier_look(values, look: int, option: str, what: str, unit: str) -> None:
    """One finite value > 0 per earlier look for ``option`` (``--earlier-se``, SEs in
    points/month; ``--earlier-df``), as ``analyze`` printed them there."""
    if look == 1 and values:
        raise InputError(f"{option}: look 1 has no earlier look; give no {option}")
    units = f", {unit}" if unit else ""
    if len(values) != look - 1:
        count = f"{look - 1} value{'s' if look > 2 else ''}"
        raise InputError(
            f"{option}: look {look} needs the {what} of each earlier look ({count}{units}, as "
            f"analyze printed them), got {len(values)}"
        )
    for v in values:
        if not (math.isfinite(v) and v > 0):
            raise InputError(
                f"{option} {v:g}: each must be finite and > 0" + (f" ({unit})" if unit else "")
            )


def decision_at_look(
    design,
    result: dict,
    look: int,
    earlier_se=(),
    information_max: float | None = None,
    prior=None,
    earlier_df=(),
) -> dict:
    """The decision of ``design``'s rule at look ``look`` (1-based) on an analysis result.

    Parameters
    ----------
    design : Design
        A design with interim looks; its ``trial.analysis`` is the one of ``result`` (its
        planned information is ``I_max``).
    result : dict
        ``analyze``'s result on the data available at the look (estimate, SE, df,
        statistic: :meth:`designs.analyses.data_table.AnalysisResult.to_dict`).
    look : int
        Which look, 1 to the number of looks (the last: the final analysis).
    earlier_se : sequence of float
        The SE (points/month) of each earlier look's estimate.
    information_max : float, optional
        The planned final information; default: the design's at its size.
    prior : NormalMixture, optional
        The effect's prior under the posterior rule.
    earlier_df : sequence of float, optional
        The df of each earlier look's test: the median-unbiased estimate then carries the
        earlier boundaries to the t scale the decisions were made on (default: the z scale).

    Returns
    -------
    dict
        JSON-ready: the look, its information and fraction of ``I_max``, the rule's
        boundaries or probabilities, and ``decision``: ``efficacy``, ``harm`` (two-sided, a
        crossing favouring placebo), ``futility``, ``continue``, ``stopped: information
        reached`` (an interim look holding ``I_max``: the final analysis, no rejection),
        ``final: no rejection`` (or ``final: no success``), or ``no decision`` (the
        analysis gave no estimate); the simulation's labels (``trial --looks``).
    """
    from designs.planning.look_times import look_times
    from designs.sequential.at_information import correlation_information

    k_count = check_look(design, design.trial.analysis.value, look, earlier_se, earlier_df)
    times = look_times(design)
    planned_max = float(times.information_max)
    i_max = planned_max if information_max is None else float(information_max)
    if not (math.isfinite(i_max) and i_max > 0):
        raise InputError(f"--information-max {i_max:g}: must be finite and > 0")
    k = look - 1
    out = {
        "look": look,
        "looks": k_count,
        "planned_fraction": float(times.fractions[k]),
        "planned_month": float(times.months[k]),
        "planned_randomised": float(times.n_entered[k]),
        "next_look": (
            None
            if k == k_count - 1
            else {
                "look": look + 1,
                "planned_fraction": float(times.fractions[k + 1]),
                "planned_month": float(times.months[k + 1]),
            }
        ),
        "information_max": i_max,
        "information_max_source": "the design" if information_max is None else "--information-max",
        "information_max_design": planned_max,
        "earlier_se": [float(s) for s in earlier_se],
        "earlier_df": [float(d) for d in earlier_df],
        "se": float(result["se"]),
        "df": float(result["df"]),
    }
    est, se = result["estimate"], result["se"]
    if not (math.isfinite(est) and math.isfinite(se) and se > 0):
        return {**out, "decision": "no decision", "why": "the analysis gave no estimate"}
    info = np.array([*(1.0 / np.square(earlier_se)), 1.0 / se**2])
    by_plan = _spends_by_plan(design)
    for j in range(len(earlier_se)):  # a look at I_max was the final analysis (frequentist)
        if info[j] >= i_max and not by_plan:
            raise InputError(
                f"--earlier-se: look {j + 1}'s information (1/SE^2 = {info[j]:.5g}) had reached "
                f"the planned maximum {i_max:.5g}, so look {j + 1} was the final analysis and "
                f"there is no look {look}"
            )
    # under the frequentist rule an interim look holding I_max is the final analysis (all
    # the alpha left is spent there); the posterior rule has no such stop
    now = float(info[-1])
    reached = not design.decision.is_posterior and not by_plan and k < k_count - 1
    reached = reached and now >= i_max
    final = k == k_count - 1 or reached
    out.update(
        information=now,
        information_fraction=now / i_max,
        earlier_information=[float(x) for x in info[:-1]],
        final=final,
        information_reached=reached,
    )
    if design.decision.is_posterior:
        posterior = _posterior_at_look(
            design, prior, est, se, k, k_count, final, i_max, out["planned_fraction"]
        )
        return {**out, **posterior}
    # the information the spending reads: this trial's, or the plan's (interim.information)
    spend = times.fractions[: k + 1] * i_max if by_plan else info
    # the stagewise ordering on the correlations the boundaries were solved with: the plan's
    # fractions at this look's information under "planned" (a stagewise review: on the looks'
    # observed information the p-value disagreed with the decision in 0.3-0.5% of trials,
    # and information falling between two earlier looks crashed it)
    if by_plan:
        ordering = times.fractions[: k + 1] / times.fractions[k] * info[-1]
    else:  # a final look below an earlier one's information raised as the kernel raises it
        ordering = correlation_information(info, final)
        out["final_information_raised"] = bool(ordering[-1] != info[-1])
    at_look = _frequentist_at_look(
        design, result, spend, k, k_count, final, i_max, ordering, earlier_df
    )
    return {**out, "spending_information": design.interim.information.value, **at_look}


def _spends_by_plan(design) -> bool:
    """Whether the frequentist rule's spending reads the planned information fractions
    (``interim.information = "planned"``: the planned boundaries, whatever the SEs)."""
    from designs.spec.interim import Information

    return not design.decision.is_posterior and design.interim.information is Information.PLANNED


def estimate_at_z(z: float, se: float, df: float) -> float:
    """The estimate (points/month) whose t statistic on ``df``, carried to the z scale as
    :func:`z_of_t` does, is ``z``: ``SE x t_df^-1(Phi(z))`` (a DSMB review: ``z x SE`` put
    the efficacy boundary at 0.1905 where 0.1950 was needed on 81 df)."""
    from scipy.special import ndtr, stdtrit

    # on the tail beyond z: Phi(z) rounds to 1 above z = 8.3 (an early look's boundary), and
    # the quantile of 1 is inf (a diff review)
    if z >= 0:
        return float(-se * stdtrit(df, ndtr(-z)))
    return float(se * stdtrit(df, ndtr(z)))


def _frequentist_at_look(
    design, result, info, k, k_count, final, i_max, observed_info, earlier_df=()
) -> dict:
    """The frequentist rule at look ``k`` (0-based): ``info``, the information the spending
    reads; ``observed_info``, the information the stagewise inference reads, ending at this
    look's 1/SE^2 (a review found the median-unbiased estimate 0.262 above the estimate
    0.238 at a first look, scaled by the planned SE): the looks' own 1/SE^2 by default, the
    planned fractions at this look's 1/SE^2 under "planned" (the boundaries' correlations)."""
    from designs.planning.group_sequential import planned_boundaries
    from designs.planning.interim_cp import (
        conditional_power_at_look,
        conditional_powers,
        cp_effect,
        own_final_boundary,
    )
    from designs.planning.look_times import look_times
    from designs.planning.trial_looks import finite_or_none
    from designs.sequential.at_information import boundaries_at_information
    from designs.sequential.boundaries import Z_CAP
    from designs.sequential.normal import sf
    from designs.spec.interim import Futility

    t, interim = design.trial, design.interim
    bounds, spent, fractions = boundaries_at_information(
        info, i_max, t.alpha, interim.alpha_spending(), t.sides, k_count, final
    )
    df = result["df"]
    z = z_of_t(result["statistic"], df)
    observed = 1.0 / float(result["se"]) ** 2  # this look's (info: what the spending reads)
    se = 1.0 / math.sqrt(observed)
    c = float(bounds[k])
    has_bound = c < Z_CAP
    crossed = has_bound and (abs(z) if t.sides == 2 else z) >= c
    last = k == k_count - 1
    futility_z = cp = cp_own = own_final = cp_theta = planned_fraction = None
    if not last and t.sides == 1:  # as the simulation: at every interim look, also one
        # holding I_max (it stops there either way; a futility crossing is named so)
        planned = planned_boundaries(design)
        f = float(planned.futility_z[k])
        futility_z = f if math.isfinite(f) else None
        # the fraction the planned futility boundary belongs to (a DSMB review: "planned"
        # did not say that it stays at 0.5 where the look holds 0.65)
        planned_fraction = None if futility_z is None else float(look_times(design).fractions[k])
        if interim.futility is Futility.CP and observed < i_max:
            cp = conditional_power_at_look(design, planned, z, observed / i_max, i_max)
            cp_theta = cp_effect(design, z, se, i_max)
            if not _spends_by_plan(design):  # by plan, its own final boundary is the planned
                own_final = own_final_boundary(design, info, k, k_count, i_max)
                cp_own = conditional_power_at_look(
                    design, planned, z, observed / i_max, i_max, own_final
                )
    informative = None
    if cp is None and not last and observed < i_max:
        # for the DSMB's information where no rule reads it (a DSMB review: with
        # beta-spending futility, the usual set-up, no conditional power was given)
        informative = conditional_powers(design, z, se, observed / i_max, i_max)
    if crossed:  # two-sided: a crossing favouring placebo is a harm, not a success
        decision = "efficacy" if t.sides == 1 or z > 0 else "harm"
    elif futility_z is not None and z <= futility_z:
        decision = "futility"
    elif final and not last:
        decision = "stopped: information reached"
    elif last:
        decision = "final: no rejection"
    else:
        decision = "continue"
    return {
        "rule": "frequentist",
        "alpha": t.alpha,
        "sides": t.sides,
        "spending": interim.alpha_spending().label(),
        "futility": interim.futility.value,
        "z": z,
        "spending_fractions": [float(x) for x in fractions],
        "alpha_spent": [float(x) for x in spent],
        "efficacy_boundaries_z": [finite_or_none(b) if b < Z_CAP else None for b in bounds],
        "efficacy_boundary_z": c if has_bound else None,
        "nominal_p": float(t.sides * sf(c)) if has_bound else None,
        "efficacy_boundary_estimate": estimate_at_z(c, se, df) if has_bound else None,
        "futility_boundary_z": futility_z,
        "futility_boundary_estimate": (
            None if futility_z is None else estimate_at_z(futility_z, se, df)
        ),
        "futility_boundary_fraction": planned_fraction,
        "conditional_power": cp,
        # what it assumes, and the rule's cut-off (a DSMB review: neither was said)
        "conditional_power_under": interim.futility_cp_under.value if cp is not None else None,
        "conditional_power_effect": cp_theta,
        "futility_cp": interim.futility_cp if cp is not None else None,
        # against this trial's own final boundary (a formula audit: 0.5630 at the planned
        # 1.9686 was 0.5496 at the 1.9888 its spending at the observed information leaves)
        "conditional_power_own_final": cp_own,
        # without a cp rule: {"trend"|"design": {"power", "effect"}}, None with one
        "conditional_power_for_information": informative,
        "own_final_boundary_z": own_final,
        **_repeated_ci(result["estimate"], c, se, df, t.sides, has_bound),
        **_stagewise(
            observed_info,
            bounds,
            z,
            result["estimate"] / se,
            t.sides,
            decision,
            earlier_df,
            observed,
        ),
        "decision": decision,
    }


#: The decisions that end the trial at the look, where stagewise inference is defined.
_STOPS = ("efficacy", "harm", "stopped: information reached", "final: no rejection")


def _stagewise(
    info, bounds, z: float, wald: float, sides: int, decision: str, earlier_df=(), observed=None
) -> dict:
    """The stagewise-ordering p-value and median-unbiased estimate (points/month) where the
    trial stops at this look (:mod:`designs.sequential.stagewise`); None elsewhere.

    The p-value reads ``z``, the t statistic carried to the normal scale (exactly N(0, 1)
    under no effect); the estimate reads ``wald``, the estimate over its SE (the t statistic
    itself), whose median under an effect theta is about ``theta sqrt(I)``. The carried z's
    is not: it lies below by about ``(t^3 + t) / (4 df)``. A DMC statistician's review found
    a first-look stop at t 5.2 on 79 df given 0.5225 for an estimate of 0.5651 (rpact
    returns the estimate there); in 20,000 two-look trials of 12 and 24 patients the carried
    z's estimate fell below the true effect in 62.8% of them, the Wald statistic's in 51.8%
    (docs/group_sequential.md). With ``earlier_df`` the earlier looks' boundaries are
    carried to the t scale their decisions were made on, ``t_df^-1(Phi(c))``, which the Wald
    statistics are read against (a stagewise review: without, 2 Pocock looks of 20 per arm
    gave an estimate below the effect in 53.9% of trials, with 51.8%, the final-look
    estimate's own 51.8%). ``observed``: this look's own 1/SE^2 where ``info`` ends at a
    raised one (a final look below an earlier look's information): the estimate, found on
    the raised scale, is carried back to this look's (a docs review: 0.664 for an estimate
    of 0.80 on two nearly identical looks)."""
    if decision not in _STOPS:
        return {"p_value_stagewise": None, "median_unbiased_estimate": None}
    from designs.sequential.stagewise import median_unbiased_estimate, stagewise_tail

    tail = stagewise_tail(info, bounds, z, sides)
    on_t = np.array(bounds, dtype=float)
    if len(earlier_df):
        from designs.sequential.boundaries import Z_CAP

        for j, df in enumerate(earlier_df):  # the boundary's t: estimate_at_z at an SE of 1
            if on_t[j] < Z_CAP:
                on_t[j] = estimate_at_z(on_t[j], 1.0, df)
    estimate = median_unbiased_estimate(info, on_t, wald, sides)
    if observed is not None and info[-1] != observed:
        estimate *= math.sqrt(info[-1] / observed)
    return {
        "p_value_stagewise": tail if sides == 1 else 2.0 * min(tail, 1.0 - tail),
        "median_unbiased_estimate": estimate,
    }


def _repeated_ci(estimate, c, se, df, sides, has_bound) -> dict:
    """The repeated confidence interval of the look (Jennison & Turnbull 2000, ch. 9): the
    estimate minus (and, two-sided, plus) the estimate that reaches the look's efficacy
    boundary, ``SE x t_df^-1(Phi(c_k))``. Taken together over all looks the intervals cover
    the true effect with probability ``1 - alpha`` (one-sided: the lower bound), whenever the
    trial stops, so the DSMB may read it at any look; none where the look has no boundary."""
    if not has_bound:
        return {"repeated_ci_low": None, "repeated_ci_high": None}
    half = estimate_at_z(c, se, df)
    return {
        "repeated_ci_low": estimate - half,
        "repeated_ci_high": estimate + half if sides == 2 else None,
    }


def _posterior_at_look(design, prior, est, se, k, k_count, final, i_max, planned) -> dict:
    from designs.analyses.decision import lower_tail
    from designs.analyses.decision_predictive import (
        critical_estimate,
        predictive_success,
        projected_final,
    )

    d = design.decision
    thresholds = d.look_thresholds(k_count)
    threshold = float(thresholds[-1] if final else thresholds[k])
    tail = float(lower_tail(prior, np.array([est]), np.array([se]), d.margin)[0])
    predictive = i_final = critical = None
    if not final:  # the final information projected from this look's (as the simulation)
        i_final = projected_final([1.0 / se**2], planned, i_max)
        predictive = float(
            predictive_success(prior, [est], [se], i_final, float(thresholds[-1]), d.margin)[0]
        )
        # what the prediction rests on (a Bayesian review: a DSMB saw neither)
        i_final = float(np.asarray(i_final).reshape(-1)[0])
        critical = critical_estimate(prior, i_final**-0.5, float(thresholds[-1]), d.margin)
    if tail < 1.0 - threshold:  # P(effect > margin | data) > threshold, as the simulation
        decision = "efficacy"
    elif final:
        decision = "final: no success"
    elif d.futility_predictive > 0 and predictive < d.futility_predictive:
        decision = "futility"
    else:
        decision = "continue"
    return {
        "rule": "posterior",
        "margin": d.margin,
        "probability": 1.0 - tail,
        "threshold": threshold,
        "predictive_probability": predictive,
        "futility_predictive": d.futility_predictive,
        # the final information the prediction assumes, I_k + (1 - t_k) I_max, and the final
        # estimate above which the final threshold would be passed (None at the final look)
        "projected_final_information": i_final,
        "critical_final_estimate": critical,
        "decision": decision,
    }
