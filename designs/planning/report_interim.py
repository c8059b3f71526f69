"""The report's group-sequential part: the interim design beside the fixed one.

For a design with ``[interim]`` looks, :func:`plan_interim` finds the maximum size of the
group-sequential design for each target (:func:`designs.planning.sample_size_gs.
find_group_sequential_sample_size`, whose first step is the fixed search of the same design
without ``[interim]``: the rest of the report uses that fixed search), then keeps the
trials that search simulated at the first target's n max under its effect and under no
effect (the numbers of its row; not simulated again) and each trial's z statistic at every
look for the figure. Nothing here renders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from designs.errors import InputError
from designs.planning.group_sequential import (
    GroupSequentialSummary,
    summarise,
)
from designs.planning.look_times import look_times
from designs.planning.operating import calendar_length
from designs.planning.power_curve import design_at
from designs.planning.progress import expect
from designs.planning.sample_size_gs import find_group_sequential_sample_size
from designs.spec.interim import NO_LOOKS

__all__ = ["InterimPlan", "fixed_design", "plan_interim", "with_assurance"]


@dataclass(frozen=True)
class InterimPlan:
    """The group-sequential design beside the fixed one, at the first target.

    Attributes
    ----------
    design : designs.spec.TrialDesign
        The design with ``[interim]`` looks (the report's input design).
    sample_size : GroupSequentialSampleSizeResult
        n max, expected n and inflation for each target; ``sample_size.fixed`` is the fixed
        search.
    summary : GroupSequentialSummary
        Operating characteristics at the first target's n max (under the effect and no effect).
    z_h1, z_h0 : ndarray, float64[trial, look]
        Each simulated trial's z statistic at every look (whether or not it had stopped
        earlier; NaN where the fit failed), under the effect and under no effect.
    fixed_months : float
        Calendar months of the fixed design at its n (accrual, then the last visit).
    fixed_type_i_error, fixed_type_i_mc_se : float
        Type I error of the fixed design at its n (the operating characteristics).
    fixed_type_i_trials : int
        The null trials behind ``fixed_type_i_error`` (0 before they are simulated).
    assurance : dict or None
        With a phase 2 posterior: transport -> :class:`~designs.planning.assurance_gs.
        GroupSequentialAssurance` of the interim design at n max (success at any look,
        expected patients randomised over the posterior).
    fixed_assurance : dict or None
        Transport -> :class:`~designs.planning.assurance.AssuranceResult` of the fixed design
        at its n (the report's assurance).
    threshold_z : tuple of float or None
        Under the posterior rule (then ``summary`` is a :class:`~designs.planning.
        decision_looks.PosteriorLooksSummary`, ``sample_size`` a posterior-looks search and
        ``z_h1``/``z_h0`` each look's estimate / SE): the z each look's threshold implies at
        the look's planned information (:func:`threshold_z`).
    threshold_type_i : float or None
        Under the posterior rule: the type I error those z give on the canonical joint
        distribution of the looks' z at the planned information, futility ignored
        (:func:`threshold_type_i`): the level the thresholds imply, without Monte Carlo error.
    """

    design: object
    sample_size: object
    summary: GroupSequentialSummary
    z_h1: np.ndarray
    z_h0: np.ndarray
    fixed_months: float
    fixed_type_i_error: float = float("nan")
    fixed_type_i_mc_se: float = float("nan")
    fixed_type_i_trials: int = 0
    assurance: dict | None = None
    fixed_assurance: dict | None = None
    threshold_z: tuple | None = None  # the posterior rule: each look's threshold as z
    threshold_type_i: float | None = None  # ... and the type I error they imply

    @property
    def row(self):
        """The first target's group-sequential sample-size row."""
        return self.sample_size.rows[0]

    @property
    def fixed_row(self):
        """The first target's fixed sample-size row."""
        return self.sample_size.fixed.rows[0]


def fixed_design(design):
    """``design`` without its ``[interim]`` looks: the fixed design it is compared with
    (under the posterior rule, judged at the final look's threshold, no futility rule)."""
    if design.decision.is_posterior:
        from designs.planning.sample_size_posterior_looks import fixed_reference_design

        return fixed_reference_design(design)
    return design.with_overrides(NO_LOOKS)


def threshold_z(design, prior) -> tuple[float, ...]:
    """The z each look's threshold ``T_k`` implies at its planned information ``I_k``: the
    estimate ``c_k`` with ``P(effect > margin | c_k, 1 / sqrt(I_k)) = T_k`` (the rule is
    monotone in the estimate), times ``sqrt(I_k)``. With a vague prior and margin 0 it is
    ``Phi^-1(T_k)``."""
    from designs.analyses.decision_predictive import critical_estimate

    times = look_times(design)
    dec = design.decision
    info = np.asarray(times.fractions, dtype=float) * times.information_max
    thresholds = dec.look_thresholds(info.size)
    return tuple(
        float(critical_estimate(prior, 1.0 / np.sqrt(i), t, dec.margin) * np.sqrt(i))
        for i, t in zip(info, thresholds, strict=True)
    )


def threshold_type_i(design, zs) -> float:
    """The probability that any look's z reaches its threshold's ``zs[k]`` with no effect,
    on the canonical joint distribution at the planned information fractions
    (``corr(Z_j, Z_k) = sqrt(t_j / t_k)``; Jennison & Turnbull 2000, ch. 3), futility
    ignored: the type I error the posterior rule's thresholds imply, as the alpha spent by
    a frequentist design's boundaries (a review: thresholds 0.995 and 0.975 under a vague
    prior, z 2.576 and 1.960, give 0.0273, above 0.025 by construction, where 10,834
    simulated trials read 0.0267, MC SE 0.0015, as not above)."""
    from designs.sequential.boundaries import crossing_probabilities

    up, _ = crossing_probabilities(look_times(design).fractions, zs, 0.0)
    return float(up.sum())


def _null_run(design, trials: int, seed: int, progress, *, prior=None):
    """The design at n max under no effect with enough trials for its type I error's MC SE
    to be at most :data:`designs.planning.operating.TYPE_I_MC_SE` at the nominal level
    (:func:`~designs.planning.operating.type_i_trials`; the same seed, so the search's own
    null trials are its first): ``(LookResults, Outcome)``, or None when ``trials`` already
    are enough. A review: from the search's 500 trials, a type I error of 0.036 (MC SE
    0.008; 0.04 with 10,000) read as "within the one-sided level 0.025", and 1 rejection in
    300 as 0.0033 beside the fixed design's 0.0243 from 10,834 trials."""
    from designs.planning.group_sequential import simulate_outcome
    from designs.planning.operating import nominal_type_i_error, type_i_trials
    from designs.planning.power import null_design

    n0 = type_i_trials(nominal_type_i_error(design), trials)
    if n0 <= trials:
        return None
    expect(progress, n0)
    null = null_design(design, keep_value=True)
    return simulate_outcome(null, n0, seed, 0.0, progress=progress, prior=prior)


def refuse_unreached(rows) -> None:
    """A target the search did not reach within its sizes would have every table at n
    simulated at its largest size (a reliability review: ``report --effect 0.001`` ran for
    over 10 minutes at 50,000 per arm, and a Ctrl-C took 45 s to act, where ``sample-size``
    says "not reached" in seconds): refused after the search, before anything at n."""
    missed = [r for r in rows if not getattr(r, "reached", True)]
    if not missed:
        return
    r = missed[0]
    largest = getattr(r, "n_max", None) or getattr(r, "n", None)
    unit = "per arm" if r.size_name == "n_per_arm" else "in total"
    raise InputError(
        f"report: the target power {100 * r.target_power:g}% is not reached by the search's "
        f"largest size ({largest:,} {unit}); give targets it reaches (--target-power) or a "
        "larger effect (sample-size shows the search and its power there)"
    )


def _plan_posterior(design, targets, trials, seed, prior, progress, refine_trials) -> InterimPlan:
    """:func:`plan_interim` under the posterior rule (assurance: :func:`with_assurance`)."""
    from designs.analyses import results as R
    from designs.planning.decision_rule import decision_prior
    from designs.planning.sample_size_posterior_looks import find_posterior_looks_sample_size

    prior = decision_prior(design) if prior is None else prior  # threshold_z needs it too
    found = find_posterior_looks_sample_size(
        design, targets, trials, seed, prior=prior, progress=progress, refine_trials=refine_trials
    )
    refuse_unreached([*found.fixed.rows, *found.rows])
    d = design_at(design, found.rows[0].n_max)
    summary, res1, res0 = found.first_row_runs  # the search's own trials at n max
    null = _null_run(d, trials, seed, progress, prior=prior)
    if null is not None:
        from designs.planning.decision_looks import with_null_run

        summary = with_null_run(summary, d, *null)
    z = []
    for res in (res1, res0):  # each look's estimate / SE, for the figure
        with np.errstate(invalid="ignore", divide="ignore"):
            zz = res.results[:, :, R.ESTIMATE] / res.results[:, :, R.SE]
        z.append(np.where(res.failed(), np.nan, zz).astype(np.float64))
    months = calendar_length(design_at(fixed_design(design), found.fixed.rows[0].n))
    zs = threshold_z(d, prior)
    return InterimPlan(
        design=design,
        sample_size=found,
        summary=summary,
        z_h1=z[0],
        z_h0=z[1],
        fixed_months=float(months["calendar_months"]),
        threshold_z=zs,
        threshold_type_i=threshold_type_i(d, zs),
    )


def plan_interim(
    design,
    targets: Sequence[float],
    trials: int,
    seed: int,
    *,
    progress: Callable[[int], None] | None = None,
    prior=None,
    refine_trials: int = 0,
) -> InterimPlan:
    """Sample size of the group-sequential ``design`` and its operating characteristics at
    the first target's n max (the fixed type I error is filled in by the report); under the
    posterior rule (``prior``: its prior, default the design's) by the rule at the looks.
    ``refine_trials``: the second stage of the fixed design's own search, which n max is
    scaled from and the rest of the report reads (:mod:`designs.planning.sample_size_gs`)."""
    if design.decision.is_posterior:
        return _plan_posterior(design, targets, trials, seed, prior, progress, refine_trials)
    gs = find_group_sequential_sample_size(
        design, targets, trials, seed, progress=progress, refine_trials=refine_trials
    )
    refuse_unreached([*gs.fixed.rows, *gs.rows])
    d = design_at(design, gs.rows[0].n_max)
    h1, h0 = gs.first_row_runs  # the search's own trials at n max (same seed)
    fixed_n = gs.fixed.rows[0].n
    months = calendar_length(design_at(fixed_design(design), fixed_n))["calendar_months"]
    null = _null_run(d, trials, seed, progress)
    return InterimPlan(
        design=design,
        sample_size=gs,
        summary=summarise(d, trials, seed, h1, h0 if null is None else null),
        z_h1=np.asarray(h1[1].z, dtype=np.float64),
        z_h0=np.asarray(h0[1].z, dtype=np.float64),
        fixed_months=float(months),
    )


def with_assurance(
    interim: InterimPlan,
    draws: dict,
    fixed: dict,
    trials: int,
    seed: int,
    *,
    prior=None,
    progress: Callable[[int], None] | None = None,
) -> InterimPlan:
    """``interim`` with the assurance of the interim design at n max for each transport of
    ``draws`` (transport -> posterior effect draws), beside ``fixed`` (transport ->
    the fixed design's :class:`~designs.planning.assurance.AssuranceResult` at its n).
    ``prior``: the posterior rule's analysis prior (default: the design's; not used by the
    frequentist rule)."""
    from dataclasses import replace

    from designs.planning.assurance_gs import group_sequential_assurance

    d = design_at(interim.design, interim.row.n_max)
    expect(progress, len(draws) * trials)
    result = {
        tr: group_sequential_assurance(d, x, trials, seed, tr, prior=prior, progress=progress)
        for tr, x in draws.items()
    }
    return replace(interim, assurance=result, fixed_assurance=dict(fixed))
