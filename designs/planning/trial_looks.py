"""One simulated trial at its interim looks: what each look saw and decided.

``simulate.py trial`` writes one trial's patients; with ``[interim]`` looks it also gives,
per look, the calendar month, the patients randomised by then, the analysis of the data
available then (estimate, SE, z) and the design's decision there: under the frequentist
rule the efficacy boundary at the trial's observed information (or the planned boundary,
``interim.information = "planned"``), under the posterior rule
``P(effect > margin | data)`` against the look's threshold. The trial is the same one the
power and sample-size simulations draw at that index (its patients and entry months depend
on the seed and the index only).
"""

from __future__ import annotations

import math

from designs.analyses import results as R
from designs.planning.look_times import look_times
from designs.simulation.inputs import simulation_inputs


def looks_left_out(design) -> str:
    """Why ``trial`` cannot give the decisions at a design's looks ('' when it can): an
    effect drawn from the phase 2 posterior, or a prior that borrows from it (``trial``
    reads no posterior)."""
    if not design.interim.sequential:
        return ""
    if design.effect.source.value != "fixed":
        return "the effect is drawn from the phase 2 posterior (use power or assurance --looks)"
    if design.decision.borrows:
        return (
            "the robust prior borrows from the phase 2 posterior, which trial does not read "
            "(power --looks --posterior FILE.nc gives the rule's decisions)"
        )
    return ""


def finite_or_none(x) -> float | None:
    """``x`` as a float, or None where it is not finite (JSON's null)."""
    x = float(x)
    return x if math.isfinite(x) else None


def trial_at_looks(design, seed: int, index: int, *, prior=None) -> list[dict]:
    """Per look of ``design`` (with ``[interim]`` looks, a fixed effect), trial ``index`` of
    the seed's run: ``look`` (1-based), ``month`` (calendar months from the start of recruitment),
    ``entered`` (patients randomised), ``estimate`` and ``se`` (the analysis's units), ``z``,
    the rule's ``boundary`` (frequentist: the efficacy boundary on the z scale at the
    trial's observed information, or the planned one under ``interim.information =
    "planned"``; None where the decision needed no boundary) or
    ``probability`` and ``threshold`` (posterior rule), and ``decision`` (``continue``,
    ``efficacy``, ``harm`` (two-sided: the boundary crossed favouring placebo),
    ``futility``, ``final: no rejection`` (posterior rule: ``final: no success``),
    ``stopped: information reached``, or ``(stopped earlier)``); under the
    posterior rule with a futility rule also ``predictive``, the predictive probability of
    final success at each interim look (None at the final). Numbers that could not be
    computed (a failed fit) are None."""
    from designs.planning.group_sequential import simulate_outcome

    times = look_times(design)
    shift = simulation_inputs(design).effect_shift
    res, out = simulate_outcome(design, 1, seed, shift, prior=prior, first_trial=index)
    dec = design.decision
    thresholds = dec.look_thresholds(times.months.size) if dec.is_posterior else None
    stop, last = int(out.look[0]), times.months.size - 1
    rows = []
    for k in range(times.months.size):
        est, se = res.results[0, k, R.ESTIMATE], res.results[0, k, R.SE]
        if k < stop:
            decision = "continue"
        elif k > stop:
            decision = "(stopped earlier)"
        elif out.efficacy[0]:  # two-sided: a crossing favouring placebo is a harm, as
            # analyze --look says (a DSMB review: the trial's table called it efficacy)
            harm = not dec.is_posterior and design.trial.sides == 2 and out.z[0, k] < 0
            decision = "harm" if harm else "efficacy"
        elif out.futility[0]:
            decision = "futility"
        elif k == last:  # the posterior rule's has no rejection (a Bayesian looks review)
            decision = "final: no success" if dec.is_posterior else "final: no rejection"
        else:
            decision = "stopped: information reached"
        row = {
            "look": k + 1,
            "month": float(times.months[k]),
            "entered": int(res.entered[0, k]),
            "estimate": finite_or_none(est),
            "se": finite_or_none(se),
        }
        if dec.is_posterior:
            row["z"] = finite_or_none(est / se) if se > 0 else None
            row["probability"] = finite_or_none(out.probability[0, k])
            row["threshold"] = float(thresholds[k])
            # the predictive probability of final success behind a futility stop (interim
            # looks under a futility rule; a Bayesian looks review: the table gave none)
            if dec.futility_predictive > 0:
                row["predictive"] = finite_or_none(out.predictive[0, k]) if k < last else None
        else:
            row["z"] = finite_or_none(out.z[0, k])
            row["boundary"] = finite_or_none(out.bounds[0, k]) if k <= stop else None
        row["decision"] = decision
        rows.append(row)
    return rows
