"""What borrowing from phase 2 buys once the type I error is held: at each weight of the
robust prior, the posterior rule's threshold calibrated to the one-sided level on simulated
trials with no effect, and the rule's power at that threshold.

The report's borrowing section (:func:`designs.planning.report_plan.borrowing_sweep`) gives
the rule's power and type I error at the design's own threshold against the weight ``w`` of
the phase 2 posterior: both rise with ``w``. Held at a type I error of ``alpha / sides``, a
prior can change which trials succeed but not, when a uniformly most powerful test exists
(a normal estimate with known SE), raise the power above that test's (Kopp-Schneider,
Calderazzo & Wiesenfarth 2020). With REML's estimated SEs the test is only nearly that, so
the calibrated powers are simulated here, not assumed.

The prior enters only after the engine: every weight is judged on the same simulated
trials (one run under the design's effect, one with no effect), so the differences between
weights are paired. Monte Carlo SEs come from a bootstrap over both sets of trials, which
carries the threshold's own error (an order statistic of the null trials) into the power.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from designs.analyses.decision import NormalMixture
from designs.errors import InputError
from designs.planning.decision_rule import (
    MIN_NULL_EXCEEDANCES,
    calibration_from_tails,
    decision_prior,
    tail_probabilities,
    trial_chunks,
)
from designs.planning.operating import type_i_trials
from designs.planning.power import null_design
from designs.planning.progress import expect

__all__ = [
    "CalibratedBorrowing",
    "calibrated_borrowing",
    "calibrated_rates",
    "from_tails",
    "null_trials",
]

#: Bootstrap resamples of the null and effect trials behind each MC SE: the SE of an SE
#: from B resamples is about SE / sqrt(2 B), 3% at 500; from seed to seed the bootstrap SE
#: itself moved by about 12% (a diff review, 100 seeds). For the power it matched the spread
#: over those seeds (0.0084 against 0.0090); for the gain over weight 0 it was about 1.4
#: times that spread: conservative, so a gain beyond 3 of its SEs is beyond 3 true ones.
BOOTSTRAP = 500


@dataclass(frozen=True)
class CalibratedBorrowing:
    """The posterior rule held at a type I error ``target`` at each weight of phase 2.

    Arrays run over ``weights``. ``threshold``: success when ``P(effect > margin | data)``
    exceeds it, calibrated on ``null_trials`` trials with no effect (MC SE
    ``threshold_mc_se``, from the order statistic's distribution-free interval); ``power``:
    the share of the ``trials`` trials under the design's effect that succeed at it (MC SE
    ``power_mc_se``, bootstrap over both sets of trials); ``gain``: ``power`` minus the
    power at the first weight (0: the vague prior), paired on the same trials (MC SE
    ``gain_mc_se``). NaN where the threshold could not be calibrated (``note`` says why).
    """

    weights: np.ndarray
    target: float
    threshold: np.ndarray
    threshold_mc_se: np.ndarray
    power: np.ndarray
    power_mc_se: np.ndarray
    gain: np.ndarray
    gain_mc_se: np.ndarray
    trials: int
    null_trials: int
    failed_fits: int
    null_failed_fits: int
    seed: int
    note: str = ""
    #: The rule's type I error at the design's own threshold, per weight, on the same null
    #: trials (``type1_trials`` of them counted: failed fits count as failures to reject
    #: unless the design excludes them), with its binomial MC SE: the prior-weight table's
    #: type I error, on the calibration's trials rather than the sweep's few (a Bayesian
    #: review: 0.0365 on 500 trials beside 0.0448 on 10,834 in the same report).
    type1: np.ndarray | None = None
    type1_mc_se: np.ndarray | None = None
    type1_trials: int = 0


def null_trials(target: float, trials: int) -> int:
    """Null trials a calibration at ``target`` runs: enough for a type I error's MC SE of
    0.0015 at ``target`` (:func:`designs.planning.operating.type_i_trials`: 10,834 at
    0.025) and for :data:`~designs.planning.decision_rule.MIN_NULL_EXCEEDANCES` trials
    beyond the threshold, and never fewer than ``trials``."""
    return max(type_i_trials(target, trials), math.ceil(MIN_NULL_EXCEEDANCES / target - 1e-9))


def calibrated_rates(
    effect_tails: np.ndarray, cutoffs: np.ndarray, exclude: bool = False
) -> np.ndarray:
    """Share of each weight's trials whose ``P(effect <= margin | data)`` is below its
    cutoff (success): over every trial, a failed fit (NaN) a failure, or with ``exclude``
    (``decision.failed_fits = "exclude"``) over the fits that succeeded, as :func:`power`
    counts them (a diff review: the failed fits were left out under both settings).
    ``effect_tails``: ``(weights, trials)``; ``cutoffs``: ``(weights,)``."""
    ok = np.isfinite(effect_tails)
    hits = np.sum((effect_tails < cutoffs[:, None]) & ok, axis=1)
    fits = ok.sum(axis=1)
    counted = fits if exclude else np.full(ok.shape[0], ok.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):  # no fit: NaN, not a power of 0
        return np.where(fits > 0, hits / np.maximum(counted, 1), np.nan)


def _bootstrap(
    null_tails, effect_tails, target: float, seed: int, resamples: int, exclude: bool = False
):
    """Bootstrap replicates ``(resamples, weights)`` of the calibrated power: both sets of
    trials resampled, the cutoff recomputed as in
    :func:`~designs.planning.decision_rule.calibration_from_tails` (the ``floor(target x
    counted)``-th smallest null tail of the fits that succeeded, ``counted`` every trial or,
    with ``exclude``, the fits that succeeded)."""
    rng = np.random.default_rng([seed, 0xB0])
    n0, n1 = null_tails.shape[1], effect_tails.shape[1]
    out = np.empty((resamples, null_tails.shape[0]))
    for b in range(resamples):
        q = null_tails[:, rng.integers(0, n0, n0)]
        e = effect_tails[:, rng.integers(0, n1, n1)]
        cut = np.empty(q.shape[0])
        for i, row in enumerate(q):
            counted = row.size
            row = row[np.isfinite(row)]
            k = math.floor(target * (row.size if exclude else counted))
            cut[i] = np.partition(row, k)[k] if k < row.size else 1.0
        out[b] = calibrated_rates(e, cut, exclude)
    return out


def calibrated_borrowing(
    design,
    phase2: NormalMixture,
    weights: Sequence[float],
    trials: int,
    seed: int,
    *,
    progress: Callable[[int], None] | None = None,
    resamples: int = BOOTSTRAP,
) -> CalibratedBorrowing:
    """The posterior rule of ``design`` (a robust prior on ``phase2``) calibrated at each
    weight to the one-sided level ``alpha / sides``, and its power there.

    ``design``: under the posterior rule with a robust prior, at its size and fixed effect
    (the report's borrowing design). :func:`null_trials` trials with no effect and as many
    under the effect (the same seed: the first ``trials`` of each are the borrowing
    sweep's), so that the power's MC SE is close to the sweep's with its control variate.
    """
    analysis = str(design.trial.analysis)
    target = design.trial.alpha / design.trial.sides
    n0 = null_trials(target, trials)
    expect(progress, 2 * n0)
    margin = design.decision.margin
    runs = {
        "effect": list(trial_chunks(design, n0, seed, analysis, progress=progress)),
        "null": list(trial_chunks(null_design(design), n0, seed, analysis, progress=progress)),
    }
    designs_w = [design.with_overrides({"decision.prior_weight": float(w)}) for w in weights]
    priors = [decision_prior(d, phase2=phase2) for d in designs_w]
    tails = {
        key: np.array([np.concatenate([tail_probabilities(r, analysis, p, margin) for r in res])
                       for p in priors])
        for key, res in runs.items()
    }  # fmt: skip
    return from_tails(designs_w, tails["null"], tails["effect"], seed, resamples)


def from_tails(
    designs_w, null_tails: np.ndarray, effect_tails: np.ndarray, seed: int, resamples: int
) -> CalibratedBorrowing:
    """The calibration at each weight from each trial's ``P(effect <= margin | data)``.

    ``designs_w``: the design at each weight (its ``decision.prior_weight``; the first is
    the reference of the gains); ``null_tails``, ``effect_tails``: ``(weights, trials)``, NaN
    where the fit failed; ``seed`` seeds the bootstrap of :data:`BOOTSTRAP`-like
    ``resamples`` resamples.
    """
    d0 = designs_w[0]
    target = d0.trial.alpha / d0.trial.sides
    n0 = null_tails.shape[1]
    weights = np.array([d.decision.prior_weight for d in designs_w], dtype=float)
    thresholds = np.full(weights.size, np.nan)
    threshold_se = np.full(weights.size, np.nan)
    cutoffs = np.full(weights.size, np.nan)
    notes = []
    for i, d in enumerate(designs_w):
        try:
            cal = calibration_from_tails(d, null_tails[i], target, n0, seed)
        except InputError as exc:
            notes.append(f"weight {weights[i]:g}: {exc}")
            continue
        thresholds[i], threshold_se[i] = cal.threshold, cal.mc_se
        cutoffs[i] = 1.0 - cal.threshold  # the rule as applied: tail < 1 - threshold
    power = calibrated_rates(effect_tails, cutoffs, d0.decision.excludes_failed)
    power[np.isnan(cutoffs)] = np.nan
    type1, type1_trials = _type1_at_threshold(d0, null_tails)
    boot = _bootstrap(
        null_tails, effect_tails, target, seed, resamples, d0.decision.excludes_failed
    )
    gain = power - power[0]
    return CalibratedBorrowing(
        weights=weights,
        target=target,
        threshold=thresholds,
        threshold_mc_se=threshold_se,
        power=power,
        power_mc_se=np.where(np.isnan(cutoffs), np.nan, boot.std(axis=0, ddof=1)),
        gain=gain,
        gain_mc_se=np.where(np.isnan(gain), np.nan, (boot - boot[:, :1]).std(axis=0, ddof=1)),
        trials=effect_tails.shape[1],
        null_trials=n0,
        failed_fits=int(np.isnan(effect_tails[0]).sum()),
        null_failed_fits=int(np.isnan(null_tails[0]).sum()),
        seed=seed,
        note="; ".join(notes),
        type1=type1,
        type1_mc_se=np.sqrt(type1 * (1.0 - type1) / max(type1_trials, 1)),
        type1_trials=type1_trials,
    )


def _type1_at_threshold(design, null_tails: np.ndarray) -> tuple[np.ndarray, int]:
    """Per weight, the share of the null trials whose ``P(effect <= margin | data)`` is below
    ``1 - threshold`` (the rule as the simulated trials apply it), over all of them (a
    failed fit is a failure to reject) or, under ``decision.failed_fits = "exclude"``, over
    those fitted; and that count."""
    ok = np.isfinite(null_tails)
    hits = np.sum((null_tails < 1.0 - design.decision.threshold) & ok, axis=1)
    counted = int(ok[0].sum()) if design.decision.excludes_failed else null_tails.shape[1]
    return hits / max(counted, 1), counted
