"""The second stage of a sample-size search: more trials where power crosses the targets.

The first stage (:func:`designs.planning.sample_size.find_sample_size`) simulates a grid of
sizes with ``trials`` trials each (trials ``0 .. trials - 1``). Most of those trials sit at
sizes far from where power crosses a target, and carry little information on that crossing.
The second stage simulates a second block of ``refine_trials`` trials (the next trial
indices, same seed: common random numbers between its sizes, independent of the first
block) at the size each first-stage estimate rounds up to, and fits the probit curve to both
stages (binomial likelihood: sizes with unequal trials weigh by their trials), each target's
refitted on the sizes of both stages near its crossing
(:func:`designs.planning.power_curve.target_fits`). The power at
the chosen n on the same trials is that of the second block at n: the curve's own column
when n is one of its sizes, else simulated once more (and not fitted).

On the default design (50 seeds: 101-120 and 201-230; 2,000 trials per size, then 8,000)
the estimate of n for 80% power has a Monte Carlo SD of 1.5 patients per arm (2.3 for 90%;
each +- 10%; bootstrap SD 1.8 and 2.35), unbiased against n = 183.6 and 245.4 (from 40,000
trials per size; mean error +0.2 +- 0.2 and +0.2 +- 0.3), its 95% interval covering them in
50 and 48 of the 50 runs. One stage of 8,000 trials per size, which simulates about 1.45
times as many patients, gave SD 1.7 and 2.45 (40 seeds: 101-120 and 201-220), a mean error
of +0.6 +- 0.3 and +0.8 +- 0.4, and intervals a little narrow (bootstrap SD 1.6 and 2.3;
covering in 35 and 36 of 40). Neither simulating the second block also at the refitted n
nor down-weighting the first block (whose sizes share their trials) narrowed the SD beyond
noise on the second set of seeds.

With the control variate (:mod:`designs.planning.control_variate`: blocks of 500 trials or
more, ``lmm_slope`` or ``lmm_slope_kr``, a design where it is exact) each trial counts its
success minus its control's correction, and the fits and the bootstrap take those sums: on
the default design with 2,000 + 8,000 trials the SD of n fell to 0.5 and 0.8 patients per
arm (20 seeds, 1001-1020), unbiased against the 184.4 and 246.4 that 100,000 trials per size
give (mean error -0.2 +- 0.1 and -0.2 +- 0.2).

The 95% Monte Carlo interval of n comes from a stratified bootstrap: each resample draws
trials with replacement within each block, so each block keeps its size and the correlation
between sizes (common random numbers) within it.

The figures above are of the global fit. With each target refitted near its crossing, 10
seeds (1001-1010) gave SD 2.0 and 2.6, mean errors +1.7 (SE 0.6) and 0.0 (SE 0.8) against
182.9 and 245.1 (an independent review's 40,000-60,000 trials per size), and intervals
covering in 8 and 10 of 10; under the posterior rule with a sceptical prior, where the
global fit put n for 90% 3.3 low and covered in 7 of 10 (80%: 4 of 10), +1.9 (SE 0.7) and
-0.6 (SE 0.8), covering in 8 and 10 of 10.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from designs.errors import InputError
from designs.planning.power import PowerSummary, summarise
from designs.planning.power_curve import (
    RESAMPLES_AT_ONCE,
    PowerCurve,
    fit_probit_curve,
    invert_curve,
    invert_curves,
    resample_fits,
    resample_weights,
    simulate_curve,
    target_fits,
)
from designs.planning.progress import expect
from designs.simulation.seeds import SALT_SAMPLE_SIZE_BOOTSTRAP, secondary_rng

#: The fewest trials of a second stage (a power curve needs at least 10 per size).
MIN_REFINE_TRIALS = 10


#: Second-stage trials per first-stage trial when a command is not told
#: (:func:`default_refine_trials`): the main job's 8,000 after 2,000.
DEFAULT_REFINE_RATIO = 4
#: The most trials of a second stage that is not asked for: its bootstrap holds 64
#: resampling weights per trial (8 bytes each: 51 MB at 100,000 trials, 2 GB at 4 million),
#: and from 25,000 trials per size the first stage alone pins n to a patient or two.
DEFAULT_REFINE_MAX = 100_000


def default_refine_trials(trials: int, design, sizes_given: bool = False) -> int:
    """The second stage ``sample-size`` and ``report`` run when ``--refine-trials`` is not
    given: :data:`DEFAULT_REFINE_RATIO` times the first stage's ``trials`` per size (at most
    :data:`DEFAULT_REFINE_MAX`), so that on the same design and seed they print the main
    job's n (with interim looks, the fixed design's search that n max is scaled from,
    :mod:`designs.planning.sample_size_gs`); none (0) when the sizes are given (``--sizes``:
    exactly those sizes are simulated)."""
    if sizes_given:
        return 0
    return min(DEFAULT_REFINE_RATIO * int(trials), DEFAULT_REFINE_MAX)


def check_refine_trials(refine_trials: int, design) -> None:
    """Refuse a second stage of ``refine_trials`` trials that cannot be run: neither 0 (one
    stage) nor at least :data:`MIN_REFINE_TRIALS` (with interim looks it is the second stage
    of the fixed design's search, :mod:`designs.planning.sample_size_gs`).

    The one check of the library (:func:`~designs.planning.sample_size.find_sample_size`,
    :func:`~designs.planning.report_plan.plan_report`) and the command line, whose errors
    name ``--refine-trials`` for ``refine_trials``.
    """
    if int(refine_trials) != 0 and int(refine_trials) < MIN_REFINE_TRIALS:
        raise InputError(
            f"refine_trials = {refine_trials}: must be 0 (one stage) or a whole number of "
            f"trials, at least {MIN_REFINE_TRIALS}"
        )


@dataclass(frozen=True)
class Stages:
    """The two blocks of a two-stage search: ``grid`` (first block, every size of the first
    stage) and ``near`` (second block, sizes near the crossings), and the power summary of
    the second block at each of its sizes."""

    grid: PowerCurve
    near: PowerCurve
    summaries: dict

    def counts(self, weights: tuple | None = None):
        """Sizes, successes and trials of both blocks; ``weights``: (first, second) block's
        bootstrap multiplicities per trial, or (resamples, trials) of them each."""
        w1, w2 = (None, None) if weights is None else weights
        k1, m1 = self.grid.counts(w1)
        k2, m2 = self.near.counts(w2)
        sizes = np.concatenate([self.grid.sizes, self.near.sizes])
        return sizes, np.concatenate([k1, k2], axis=-1), np.concatenate([m1, m2], axis=-1)

    def fit(self) -> tuple[float, float]:
        """One probit curve over both blocks (see :meth:`counts`)."""
        return fit_probit_curve(*self.counts())

    def target_fits(self, targets):
        """Each target's curve over both blocks, refitted near its crossing
        (:func:`designs.planning.power_curve.target_fits`); the bootstrap's resamples are
        fitted together (:meth:`bootstrap`)."""
        return target_fits(*self.counts(), targets)

    def bootstrap(self, targets, seed: int, bootstrap: int) -> np.ndarray:
        """``(bootstrap, len(targets))`` crossings under resamples of trials within each
        block (stratified), each target refitted on the point estimate's sizes and starting
        at its curve."""
        rng = secondary_rng(seed, SALT_SAMPLE_SIZE_BOOTSTRAP)
        t1, t2 = self.grid.favourable.shape[1], self.near.favourable.shape[1]
        fits, windows = self.target_fits(targets)
        out = np.empty((bootstrap, len(targets)))
        for first in range(0, bootstrap, RESAMPLES_AT_ONCE):
            count = min(RESAMPLES_AT_ONCE, bootstrap - first)
            sizes, k, m = self.counts(tuple(resample_weights(rng, [t1, t2], count)))
            out[first : first + count] = invert_curves(
                resample_fits(sizes, k, m, targets, windows, fits), targets
            )
        return out


def simulate_near(
    design,
    sizes: Sequence[int],
    trials: int,
    seed: int,
    first_trial: int,
    analysis: str,
    *,
    prior=None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    control: bool = True,
) -> tuple[PowerCurve, dict[int, PowerSummary]]:
    """The second block (trials ``first_trial ..``) at ``sizes``: its curve, and the power
    summary at each size (the same trials, as :func:`designs.planning.power.power` gives)."""
    runs: dict = {}
    curve = simulate_curve(
        design,
        sizes,
        trials,
        seed,
        analysis,
        prior=prior,
        threads=threads,
        progress=progress,
        first_trial=first_trial,
        runs=runs,
        control=control,
    )
    rule = design.decision
    alpha, sides = design.trial.alpha, design.trial.sides
    summaries = {
        size: summarise(
            res,
            analysis,
            alpha,
            sides,
            rule.failed_fits.value,
            success=success if rule.is_posterior else None,
            decision=rule.rule.value,
            critical=critical,
        )
        for size, (res, success, critical) in runs.items()
    }
    return curve, summaries


def refine(
    grid: PowerCurve,
    targets: Sequence[float],
    chosen: Callable[[float], tuple[int, bool]],
    simulate: Callable[[list[int]], tuple[PowerCurve, dict]],
    trials: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> Stages | None:
    """The second stage after the first stage's curve ``grid``.

    ``chosen(n_hat) -> (n, reached)`` rounds a crossing up to a whole size;
    ``simulate(sizes) -> (curve, summaries)`` simulates the second block (``trials`` trials)
    there (:func:`simulate_near`). Returns None when no target was reached in the first stage
    (the search then stays one-stage).
    """
    sizes = _to_simulate(grid.target_fits(targets)[0], targets, chosen)
    if not sizes:
        return None
    expect(progress, len(sizes) * trials)
    near, summaries = simulate(sizes)
    return Stages(grid, near, summaries)


def _to_simulate(fits, targets, chosen) -> list[int]:
    """Rounded-up crossings of the targets reached by their curves ``fits``."""
    out = set()
    for coef, t in zip(fits, targets, strict=True):
        n_hat = invert_curve(*coef, t)
        n, reached = chosen(n_hat)
        if reached and math.isfinite(n_hat):
            out.add(n)
    return sorted(out)
