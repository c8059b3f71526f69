"""Assurance of a group-sequential design: success at any look, averaged over the posterior.

Each simulated trial takes its own posterior draw of the effect (as
:func:`designs.planning.assurance.assurance_from_draws`: the same draws, the same assignment
of draws to trials, the same transports), is generated in calendar time and analysed at every
look (:func:`designs.planning.group_sequential.simulate_looks`), and stops at the first
boundary crossed: the alpha-spending boundaries of the frequentist rule
(:func:`designs.planning.group_sequential.decide`), or under ``decision.rule = "posterior"``
the posterior rule's thresholds per look and its optional predictive futility
(:func:`designs.planning.decision_looks.decide_posterior`, with the design's prior or the one
given). Success is efficacy at any look with the estimate favouring active; the
expected number randomised and the expected calendar months are averaged over the same
trials, so over the prior of the effect. The design's natural history is used for every
trial (natural-history draws are not supported with looks).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from designs import __version__
from designs.errors import InputError
from designs.planning.assurance import draw_indices, effect_shift
from designs.planning.assurance_mcse import assurance_mc_error
from designs.planning.group_sequential import simulate_outcome
from designs.planning.look_times import look_times

__all__ = ["GroupSequentialAssurance", "group_sequential_assurance"]


@dataclass(frozen=True)
class GroupSequentialAssurance:
    """Assurance of a group-sequential design over posterior effect draws (JSON by
    ``to_dict``). Rates are over all trials, or over those whose decision did not rest on a
    failed fit under ``decision.failed_fits = "exclude"``; MC SE by batch means over the
    draws (:mod:`designs.planning.assurance_mcse`), never below ``sqrt(p (1 - p) / n)``."""

    assurance: float
    mc_se: float
    ci95: tuple
    trials: int
    failed_fits: int
    seed: int
    analysis: str
    transport: str
    n_total: int
    posterior_draws: int
    p_effect_positive: float
    expected_n_total: float
    expected_months: float
    fixed_months: float
    p_stop_efficacy: list
    p_stop_futility: list
    p_success: list
    looks: list
    look_months: list
    spending: str
    futility: str
    alpha: float
    sides: int
    rule: str = "frequentist"
    prior: str = ""
    thresholds: list | None = None
    futility_predictive: float = 0.0
    version: str = __version__

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ci95"] = list(self.ci95)
        return out


def group_sequential_assurance(
    design,
    draws: np.ndarray,
    trials: int,
    seed: int,
    transport: str = "proportional",
    *,
    prior=None,
    natural_history: dict | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GroupSequentialAssurance:
    """Probability of success at any look of ``design`` (with ``[interim]`` looks), each
    trial with its own posterior draw of the effect, and the expected patients randomised and
    calendar months under that prior.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        With ``[interim]`` looks; its fixed effect is not used.
    draws : float64[D]
        Posterior draws of the effect in the ``transport``'s units (fraction of
        ``|slope_mean|`` for proportional, points/month for absolute).
    trials, seed : int
        Simulated trials (each takes one draw, as in assurance without looks) and seed.
    transport : {"proportional", "absolute"}
    prior : designs.analyses.decision.NormalMixture, optional
        The posterior rule's analysis prior (default: the design's
        :func:`~designs.planning.decision_rule.decision_prior`; a robust prior that borrows
        must be given). Not used by the frequentist rule.
    natural_history : None
        Not supported with looks (refused).
    """
    if not design.interim.sequential:
        raise InputError("interim.looks: the design has no interim looks")
    if natural_history is not None:
        raise InputError(
            "--natural-history posterior: not supported with interim looks (the looks' "
            "months come from the design's own population)"
        )
    if int(trials) < 1:
        raise InputError(f"trials = {trials}: must be a whole number >= 1")
    trials = int(trials)
    raw = np.asarray(draws, dtype=np.float64).reshape(-1)
    idx = draw_indices(raw.size, trials)
    shifts = effect_shift(design, raw, transport)[idx]
    times = look_times(design)
    res, out = simulate_outcome(
        design, trials, seed, shifts, threads=threads, progress=progress, prior=prior
    )
    dec = design.decision
    counted = ~out.failed if design.decision.excludes_failed else np.ones(trials, dtype=bool)
    n = int(counted.sum())
    k = int((out.favourable & counted).sum())
    a = k / n if n else math.nan
    # autocorrelated MCMC draws: batch-means SE (docs/conventions.md#assurance)
    se, ci95, _ = assurance_mc_error(out.favourable, idx, raw.size, counted, np.ptp(raw) == 0)
    rows = np.arange(trials)
    look, k_count = out.look[counted], times.months.size
    interim = design.interim
    return GroupSequentialAssurance(
        assurance=a,
        mc_se=se,
        ci95=ci95,
        trials=trials,
        failed_fits=int(out.failed.sum()),
        seed=int(seed),
        analysis=design.trial.analysis.value,
        transport=transport,
        n_total=design.trial.n_total,
        posterior_draws=int(raw.size),
        p_effect_positive=float(np.mean(raw > 0)),
        expected_n_total=float(res.entered[rows, out.look][counted].mean()),
        expected_months=float(times.months[look].mean()),
        fixed_months=float(times.months[-1]),
        p_stop_efficacy=[
            float(np.mean(out.efficacy[counted] & (look == j))) for j in range(k_count)
        ],
        p_stop_futility=[
            float(np.mean(out.futility[counted] & (look == j))) for j in range(k_count)
        ],
        # success (favourable) by look: they add up to the assurance, where the stops for
        # efficacy count crossings in either direction (a consistency review: 0.544 + 0.280
        # beside an assurance of 0.785)
        p_success=[float(np.mean(out.favourable[counted] & (look == j))) for j in range(k_count)],
        looks=[float(x) for x in times.fractions],
        look_months=[float(x) for x in times.months],
        spending=interim.alpha_spending().label(),
        futility=interim.futility.value,
        alpha=design.trial.alpha,
        sides=design.trial.sides,
        rule=dec.rule.value,
        prior=dec.prior.value if dec.is_posterior else "",
        thresholds=list(dec.look_thresholds(k_count)) if dec.is_posterior else None,
        futility_predictive=dec.futility_predictive if dec.is_posterior else 0.0,
    )
