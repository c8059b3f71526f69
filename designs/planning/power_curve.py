"""The power curve of a sample-size search: simulated power over sizes with common random
numbers, and the binomial probit fit ``Phi^-1(power) = b0 + b1 sqrt(n)`` that is inverted for
n (:mod:`designs.planning.sample_size`), refitted for each target on the sizes near its
crossing (:func:`target_fits`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from designs.planning.control_critical import control_critical
from designs.planning.control_variate import adjusted_outcomes, critical_value, wanted
from designs.planning.power import check_fixed
from designs.planning.probit import probit_fit, probit_fits
from designs.sequential import normal as norm
from designs.simulation.engine import run_trials
from designs.simulation.inputs import simulation_inputs
from designs.simulation.seeds import SALT_SAMPLE_SIZE_BOOTSTRAP, secondary_rng


def size_name(design) -> str:
    """``n_per_arm`` with 1:1 allocation, ``n_total`` otherwise."""
    return "n_per_arm" if design.trial.allocation.equal else "n_total"


def design_at(design, size: int):
    """The design with ``size`` patients (per arm with 1:1, in total otherwise)."""
    return design.with_overrides({f"trial.{size_name(design)}": int(size)})


# --------------------------------------------------------------------------- the curve


def fit_probit_curve(sizes, successes, trials, start=None) -> tuple[float, float]:
    """Binomial probit fit of power on size: ``Phi^-1(p) = b0 + b1 sqrt(n)``.

    Parameters
    ----------
    sizes : array_like
        Sizes n (patients).
    successes, trials : array_like
        Favourable rejections and trials with a successful fit at each size.
    start : (b0, b1), optional
        Where the fit starts (:func:`probit_fit`).

    Returns
    -------
    (b0, b1) : tuple of float
    """
    return probit_fit(np.sqrt(np.asarray(sizes, dtype=float)), successes, trials, start)


def invert_curves(fits: np.ndarray, targets) -> np.ndarray:
    """:func:`invert_curve` of many curves at once: ``fits`` (..., len(targets), 2) as
    (b0, b1); the same arithmetic element by element."""
    b0, b1 = fits[..., 0], fits[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        root = (norm.ppf(np.asarray(targets, dtype=float)) - b0) / b1
    return np.where(b1 > 0, np.where(root > 0, root * root, 0.0), math.inf)


def invert_curve(b0: float, b1: float, target: float) -> float:
    """Size at which the fitted curve reaches ``target`` (inf if it never does)."""
    if not b1 > 0:
        return math.inf
    root = (norm.ppf(target) - b0) / b1
    return root * root if root > 0 else 0.0


def curve_power(b0: float, b1: float, sizes) -> np.ndarray:
    """Fitted power at ``sizes``."""
    return norm.cdf(b0 + b1 * np.sqrt(np.asarray(sizes, dtype=float)))


#: Each target's curve is refitted on the sizes within this factor of the first estimate of
#: its n. The probit line in sqrt(n) fitted over the whole grid (71-399 per arm on the
#: default design, a 5.6-fold range) misfits where power is not linear in sqrt(n) on the
#: probit scale: under the posterior rule with a sceptical prior (which asks for z above
#: ``z sqrt(1 + c / n)``) it put n for 90% 3.9 per arm low, and with two stages the 95%
#: intervals covered the true n in 4 and 7 of 10 runs; with ``ols_slope_ttest``, whose grid is
#: bracketed for the GLS slope, 12 high (an independent review, 10-20 seeds against 40,000
#: trials per size). Refitted within 1.5 times, the sceptical prior's bias halves (on the
#: exact curve of that shape, tests/planning/test_local_refit.py: +2.9 and -2.7 per arm
#: become +1.5 and +1.3) and its intervals cover (14 and 15 of 15 seeds; 8 and 10 of 10 with
#: two stages); ols_slope_ttest's 90% n is 7 high (1.5 SE); the default design's n keeps its
#: mean and, within 10-25%, its SD (20 seeds).
LOCAL_FACTOR = 1.5
#: The fewest distinct informative sizes in a window for the local refit; with fewer, the
#: global fit.
MIN_LOCAL_SIZES = 3
#: A size informs the slope of a probit fit when it has at least this many successes and as
#: many failures (a diff review: at 100 trials per size the 99% target's window held powers
#: 0.96, 1.00 and 1.00, the fit there was all but separated, and n came out 322 per arm,
#: interval 314-326, where about 426 are needed).
MIN_OUTCOMES = 5


def local_window(sizes, n_hat: float, successes=None, trials=None) -> np.ndarray | None:
    """The sizes within :data:`LOCAL_FACTOR` of ``n_hat`` (a mask over ``sizes``), or None
    (fit on every size) when ``n_hat`` is not a finite positive size, when fewer than
    :data:`MIN_LOCAL_SIZES` distinct sizes within it are informative (with ``successes``
    and ``trials`` per size: at least :data:`MIN_OUTCOMES` successes and failures each), or
    when all sizes lie within it."""
    sizes = np.asarray(sizes, dtype=float)
    if not (math.isfinite(n_hat) and n_hat > 0):
        return None
    mask = (sizes >= n_hat / LOCAL_FACTOR) & (sizes <= n_hat * LOCAL_FACTOR)
    informs = mask.copy()
    if successes is not None:
        k, m = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
        informs &= (k >= MIN_OUTCOMES) & (m - k >= MIN_OUTCOMES)
    if mask.all() or np.unique(sizes[informs]).size < MIN_LOCAL_SIZES:
        return None
    return mask


def target_fits(sizes, successes, trials, targets, windows=None, starts=None):
    """The probit curve of each target: fitted on every size, then refitted on the sizes
    within :data:`LOCAL_FACTOR` of where that fit crosses the target (:func:`local_window`).

    ``windows`` (one mask or None per target) fixes the windows instead: a bootstrap
    resample keeps those of the point estimate, and starts each fit at its curve
    (``starts``, one (b0, b1) per target: Fisher scoring then converges in fewer steps).
    Returns ``([(b0, b1) per target], windows)``.
    """
    sizes = np.asarray(sizes, dtype=float)
    k, m = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    starts = [None] * len(targets) if starts is None else list(starts)
    every = None
    if windows is None:
        every = fit_probit_curve(sizes, k, m)
        windows = [local_window(sizes, invert_curve(*every, t), k, m) for t in targets]
    fits = []
    for w, start in zip(windows, starts, strict=True):
        if w is None:
            every = fit_probit_curve(sizes, k, m, start) if every is None else every
            fits.append(every)
        else:
            fits.append(fit_probit_curve(sizes[w], k[w], m[w], start))
    return fits, windows


def resample_fits(sizes, successes, trials, targets, windows, starts) -> np.ndarray:
    """:func:`target_fits` of many resamples at once, each target on the point estimate's
    window and starting at its curve: ``successes`` and ``trials`` (R, sizes) give
    ``(R, len(targets), 2)`` (:func:`designs.planning.probit.probit_fits`)."""
    x = np.sqrt(np.asarray(sizes, dtype=float))
    k, m = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    out = np.empty((k.shape[0], len(targets), 2))
    every = None
    for j, (w, start) in enumerate(zip(windows, starts, strict=True)):
        if w is None:
            every = probit_fits(x, k, m, start) if every is None else every
            out[:, j] = every
        else:
            out[:, j] = probit_fits(x[w], k[:, w], m[:, w], start)
    return out


#: Bootstrap resamples whose trial weights are held at once (64 x 40,000 trials x 8 bytes:
#: 20 MB in the main job's second search).
RESAMPLES_AT_ONCE = 64


def resample_weights(rng, trials: Sequence[int], count: int) -> list[np.ndarray]:
    """``count`` resamples of each block's trials: per block, (count, trials) multiplicities
    as floats, drawn resample by resample and block by block in that order (as one
    resample at a time drew them)."""
    drawn = [np.empty((count, t)) for t in trials]
    for r in range(count):
        for block, t in enumerate(trials):
            drawn[block][r] = np.bincount(rng.integers(0, t, t), minlength=t)
    return drawn


def bootstrap_sizes(curves, targets, trials: int, seed: int, bootstrap: int) -> np.ndarray:
    """Sizes reaching each target under ``bootstrap`` resamples of the simulated trials.

    ``curves``: one :class:`PowerCurve` or several simulated on the same trials (same seed:
    trial i is the same patients in each); one resample of trial indices serves them all,
    so their correlation is kept. Each target is refitted near its crossing on the sizes the
    point estimate used (:meth:`PowerCurve.target_fits`). Returns ``(bootstrap,
    len(targets))`` for one curve and ``(bootstrap, len(curves), len(targets))`` for several.
    """
    several = isinstance(curves, (list, tuple))
    curves = list(curves) if several else [curves]
    point = [curve.target_fits(targets) for curve in curves]  # (fits, windows) per curve
    rng = secondary_rng(seed, SALT_SAMPLE_SIZE_BOOTSTRAP)
    boot = np.empty((bootstrap, len(curves), len(targets)))
    for first in range(0, bootstrap, RESAMPLES_AT_ONCE):
        count = min(RESAMPLES_AT_ONCE, bootstrap - first)
        (w,) = resample_weights(rng, [trials], count)
        for i, curve in enumerate(curves):
            fits, windows = point[i]
            k, m = curve.counts(w)
            boot[first : first + count, i] = invert_curves(
                resample_fits(curve.sizes, k, m, targets, windows, fits), targets
            )
    return boot if several else boot[:, 0]


# --------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class PowerCurve:
    """Favourable rejections per simulated trial at a grid of sizes (common random numbers).

    Attributes
    ----------
    sizes : int64[K]
        Sizes (``size_name``: per arm with 1:1, total otherwise).
    favourable : bool[K, trials]
        Trial rejected in favour of active.
    ok : bool[K, trials]
        Trial counted in the denominator: every trial when failed fits count as failures
        to reject (``decision.failed_fits = "failure"``, the default), else only trials
        whose fit succeeded.
    failed_fits : int64[K]
    values : float64[K, trials] or None
        With each trial's oracle (:mod:`designs.planning.control_variate`): the trial's
        success minus its control times the size's coefficient, 0 where not counted; the
        successes counted at a size are their sum (same expectation up to O(1/trials),
        smaller variance).
        None: the plain successes.
    """

    size_name: str
    sizes: np.ndarray
    favourable: np.ndarray
    ok: np.ndarray
    failed_fits: np.ndarray
    values: np.ndarray | None = None

    @property
    def estimator(self) -> str:
        """``"plain"`` or ``"control variate"``."""
        return "plain" if self.values is None else "control variate"

    @property
    def power(self) -> np.ndarray:
        """``power_favourable`` at each size."""
        k, m = self.counts()
        return k / np.maximum(m, 1)

    @property
    def mc_se(self) -> np.ndarray:
        """Monte Carlo SE of ``power`` at each size."""
        m = np.maximum(self.ok.sum(1), 1)
        p = self.power
        if self.values is None:
            return np.sqrt(p * (1 - p) / m)
        dev = np.where(self.ok, self.values - p[:, None], 0.0)
        return np.sqrt((dev * dev).sum(1) / m / m)

    def counts(self, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Successes and trials counted at each size; ``weights`` (per trial) are bootstrap
        multiplicities, or (resamples, trials) of them, giving (resamples, sizes) counts
        (plain successes: whole numbers, exact in any order of summation; with the control,
        sums of :attr:`values`)."""
        plain = self.values is None
        success = self.favourable & self.ok if plain else self.values
        if weights is None:
            k, m = success.sum(1), self.ok.sum(1)
        else:
            w = weights.astype(float)
            if w.ndim == 2:  # as floats, so that the product is BLAS's (a bool operand is not)
                k, m = w @ np.asarray(success, dtype=float).T, w @ self.ok.astype(float).T
            else:
                k, m = success @ w, self.ok @ w
        # With the control, a size where nearly every trial succeeds (or fails) can sum past
        # its trials (or below 0): clipped, as a rate is, so that the binomial likelihood of
        # the probit fit keeps its maximum.
        return (k, m) if plain else (np.clip(k, 0.0, m), m)

    def fit(self) -> tuple[float, float]:
        """Probit curve over every size."""
        return fit_probit_curve(self.sizes, *self.counts())

    def target_fits(self, targets, weights: np.ndarray | None = None, windows=None, starts=None):
        """Each target's probit curve, refitted near its crossing (:func:`target_fits`);
        ``weights``, ``windows`` and ``starts`` fit one bootstrap resample alone (the search
        fits them together, :func:`bootstrap_sizes`; this is the reference it is tested
        against)."""
        return target_fits(self.sizes, *self.counts(weights), targets, windows, starts)

    def extend(self, other: PowerCurve) -> PowerCurve:
        """Union of two curves simulated with the same seed and trials."""
        sizes = np.concatenate([self.sizes, other.sizes])
        order = np.argsort(sizes, kind="stable")
        return PowerCurve(
            self.size_name,
            sizes[order],
            np.concatenate([self.favourable, other.favourable])[order],
            np.concatenate([self.ok, other.ok])[order],
            np.concatenate([self.failed_fits, other.failed_fits])[order],
            None
            if self.values is None or other.values is None
            else np.concatenate([self.values, other.values])[order],
        )


def simulate_curve(
    design,
    sizes: Sequence[int],
    trials: int,
    seed: int,
    analysis: str | None = None,
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    prior=None,
    first_trial: int = 0,
    runs: dict | None = None,
    control: bool = True,
) -> PowerCurve:
    """Simulate ``trials`` trials at each size with one seed (common random numbers).

    A success is a significant favourable result under the frequentist rule, and
    ``P(effect > margin | data) > threshold`` under ``decision.rule = "posterior"`` (``prior``:
    the prior of the effect, default :func:`designs.planning.decision_rule.decision_prior`).
    ``first_trial``: the index of the first trial (a later block of the same seed);
    ``runs``: if given, filled with size -> (the size's trial results, success per trial);
    ``control``: count the successes with each trial's oracle as a control variate where it
    is exact and pays (:func:`designs.planning.control_variate.wanted`).
    """
    check_fixed(design, "the power curve, sample size and sweep")
    analysis = analysis or str(design.trial.analysis)
    alpha, sides = design.trial.alpha, design.trial.sides
    rule = design.decision
    if rule.is_posterior:
        from designs.planning import decision_rule

        decision_rule.check_analyses((analysis,))
        prior = decision_rule.decision_prior(design) if prior is None else prior

    def outcome(d):
        inputs = simulation_inputs(d)
        res = run_trials(
            inputs,
            trials,
            seed,
            (analysis,),
            first_trial=first_trial,
            threads=threads,
            progress=progress,
            oracle=control and wanted(inputs.params, (analysis,), trials),
        )
        success = (
            decision_rule.posterior_success(res, analysis, rule, prior)
            if rule.is_posterior
            else res.rejected_favourable(analysis, alpha, sides)
        )
        critical = control_critical(d, prior, trials)
        if runs is not None:
            runs[getattr(d.trial, size_name(design))] = (res, success, critical)
        return success, res.failed(analysis), res.oracle, critical

    return curve_at_sizes(design, sizes, trials, outcome)


def curve_at_sizes(
    design, sizes: Sequence[int], trials: int, outcome: Callable[[object], tuple]
) -> PowerCurve:
    """Success per trial at each size, one seed (common random numbers): ``outcome(d)``
    gives, for the design at one size, (success, failed fit) per trial, and optionally the
    trials' oracle (:attr:`~designs.simulation.engine.TrialResults.oracle`, or None) and the
    control's ``c`` there (:func:`designs.planning.control_critical.control_critical`; default
    the test's critical value); a trial whose
    decision rests on a failed fit is a failure, or out of the denominator under
    ``decision.failed_fits = "exclude"``. Serves the fixed curve above and the searches with
    interim looks (:mod:`designs.planning.sample_size_gs`)."""
    fav, ok, failed, values = [], [], [], []
    test_critical = critical_value(design.trial.alpha, design.trial.sides)
    for size in sizes:
        success, fit_failed, *oracle = outcome(design_at(design, size))
        critical = oracle[1] if len(oracle) > 1 else test_critical
        fav.append(success & ~fit_failed)
        ok.append(~fit_failed if design.decision.excludes_failed else np.ones_like(fit_failed))
        failed.append(int(fit_failed.sum()))
        if oracle and oracle[0] is not None:
            # the control, over every trial; "exclude" with a failed fit keeps the plain
            # successes here (the control's mean over the fits that succeeded need not be 0),
            # and so does an oracle that nearly always (or never) rejects (adjusted_outcomes)
            if ok[-1].all():
                values.append(adjusted_outcomes(fav[-1], *oracle[0].T, critical)[0])
            else:
                values.append(fav[-1].astype(float))
    return PowerCurve(
        size_name(design),
        np.asarray(sizes, dtype=np.int64),
        np.asarray(fav, dtype=bool).reshape(len(sizes), trials),
        np.asarray(ok, dtype=bool).reshape(len(sizes), trials),
        np.asarray(failed, dtype=np.int64),
        np.asarray(values).reshape(len(sizes), trials) if len(values) == len(sizes) else None,
    )
