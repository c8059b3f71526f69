"""Sample size by simulation, with Monte Carlo error in mind.

For each target power the smallest number randomised whose ``power_favourable`` (rejections
in favour of active) reaches the target. The search:

1. simulates a grid of sizes around a closed-form starting bracket, every size with the same
   seed: common random numbers (the first n patients of each arm are the same people at every
   n), so the power curve is smooth and the differences between sizes are not noise;
2. fits a smooth monotone curve, a binomial probit regression
   ``Phi^-1(power) = b0 + b1 sqrt(n)`` (the normal-approximation shape:
   ``power = Phi(delta sqrt(n / (2 v)) - z)``), by maximum likelihood, then refits it for
   each target on the sizes within 1.5 times of where it crosses the target (simulating a
   few sizes there if the grid has fewer than 3): where power is not linear in ``sqrt(n)``
   on the probit scale (a sceptical prior, an analysis far less efficient than the grid's
   bracket) a line over the whole grid bends through the middle
   (:func:`designs.planning.power_curve.target_fits`);
3. inverts each target's curve, and gives the 95% Monte Carlo interval of that estimate of n
   from a bootstrap over simulated trials (simulation error only, not uncertainty about the
   true n); resampling whole trials keeps the correlation between sizes that common random
   numbers create, which a binomial standard error would ignore;
4. simulates the rounded-up n once more and reports its power with its Monte Carlo error and
   the expected completers.

With ``refine_trials`` a second stage adds that many trials at the size near each crossing
before step 2, and steps 2-4 use both stages (:mod:`designs.planning.refine`).

Sizes: ``n_per_arm`` with 1:1 allocation, else ``n_total``; the simulation already loses the
dropouts (n is not inflated again); successes use the oracle's control variate where exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from designs import __version__
from designs.analyses import registry
from designs.errors import InputError
from designs.planning.power_curve import (  # noqa: F401  (re-exported for callers)
    LOCAL_FACTOR,
    MIN_LOCAL_SIZES,
    PowerCurve,
    bootstrap_sizes,
    curve_power,
    design_at,
    fit_probit_curve,
    invert_curve,
    probit_fit,
    simulate_curve,
    size_name,
)
from designs.planning.progress import expect
from designs.planning.size_limit import max_size
from designs.simulation.seeds import DEFAULT_SEED, SALT_SAMPLE_SIZE_CONFIRMATION, secondary_seed

#: What ``n_low``/``n_high`` are (also the ``n_interval`` key of :meth:`SampleSizeRow.to_dict`).
N_INTERVAL = (
    "n_low-n_high: the 95% Monte Carlo interval of the estimate of n (bootstrap over the "
    "simulated trials): simulation error only, not uncertainty about the true n, which rests "
    "on the assumed effect, variances and dropout"
)
BOOTSTRAP = 300


def min_size(design) -> int:
    """Smallest size a search simulates: 3 per arm (1:1), else 3 in the smaller arm (>= 6)."""
    if design.trial.allocation.equal:
        return 3
    frac = design.trial.allocation.active_fraction
    return max(6, math.ceil(3 / min(frac, 1 - frac)))


def closed_form_size(design, target: float) -> float | None:
    """Closed-form size for ``target`` (continuous, MCAR, GLS slope): a starting bracket only.

    Returns None when no formula applies (no benefit, or ``ancova_change`` on degenerate
    variances).
    """
    from designs.planning import closed_form as cf

    delta = design.effect.slope_shift(design.population.slope_mean)
    if not delta > 0:
        return None
    try:
        v_p, v_a = cf.design_slope_variances(design)
    except (InputError, np.linalg.LinAlgError):
        return None
    alloc = design.trial.allocation
    n_tot = cf.n_total_slope(
        delta,
        0.5 * (v_p + v_a),
        alpha=design.trial.alpha,
        power=target,
        sides=design.trial.sides,
        allocation=(alloc.placebo, alloc.active),
    )
    return n_tot / 2 if alloc.equal else n_tot


# --------------------------------------------------------------------------- the search


@dataclass(frozen=True)
class SampleSizeRow:
    """The sample size for one target power.

    Sizes are patients randomised; ``n_low``/``n_high`` the 95% Monte Carlo (bootstrap over
    simulated trials) interval of the estimate of the size (per arm with 1:1 allocation, total
    otherwise): simulation error only, not uncertainty about the true n; ``power`` and
    ``mc_se`` the simulated ``power_favourable`` at the chosen size; ``expected_completers``
    the mean number with the last scheduled visit (both arms), for information only;
    ``screened_per_enrolled`` the candidates screened per patient randomised (1 without
    enrichment).

    ``trials``: the trials behind ``power`` and ``confirmed_power``; ``grid_trials``: the
    trials per size of the first stage (the same as ``trials`` in a one-stage search);
    ``refine_trials``: the trials of the second stage at the sizes near each n, 0 when the
    search had one stage (:mod:`designs.planning.refine`; then ``trials`` equals it). Only
    ``refine_trials`` tells the two apart when both stages had as many trials.

    ``power`` is simulated with the same trials as the curve, so it does not confirm n
    independently; ``fitted_power`` is the fitted curve at n (n is where the curve crosses the
    target, so it is at or just above it); ``confirmed_power`` and ``confirmed_mc_se`` come
    from ``trials`` fresh trials at n (another random stream, salt
    ``SALT_SAMPLE_SIZE_CONFIRMATION``): the independent check.

    Under the posterior rule (``decision.rule = "posterior"``) ``type_i_error`` and
    ``mc_se_type_i_error`` are the rule's success rate at n on the fresh trials' patients
    with no effect (NaN under the frequentist test, whose level is alpha by construction):
    a threshold or a borrowing prior that is not calibrated at n can hold the trial far
    above its level, which the search for n alone would not show.
    """

    target_power: float
    size_name: str
    n: int
    n_estimate: float
    n_low: int
    n_high: int
    n_placebo: int
    n_active: int
    n_total: int
    power: float
    mc_se: float
    fitted_power: float
    confirmed_power: float
    confirmed_mc_se: float
    expected_completers: float
    screened_per_enrolled: float
    failed_fits: int
    reached: bool
    analysis: str
    effect_points_per_month: float
    alpha: float
    sides: int
    trials: int
    seed: int
    version: str
    grid_trials: int = 0
    refine_trials: int = 0
    type_i_error: float = math.nan
    mc_se_type_i_error: float = math.nan
    #: The fresh null trials the type I error is over (0 under the frequentist test).
    type_i_trials: int = 0

    @property
    def n_per_arm(self) -> int | None:
        """Patients per arm with 1:1 allocation, else None."""
        return self.n if self.size_name == "n_per_arm" else None

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary."""
        out = asdict(self)
        if self.size_name == "n_per_arm":
            out["n_per_arm"] = self.n
        out["n_interval"] = N_INTERVAL
        return out


@dataclass(frozen=True)
class SampleSizeResult:
    """Rows (one per target) and the simulated power curve they came from."""

    rows: tuple[SampleSizeRow, ...]
    curve: PowerCurve
    coef: tuple[float, float]
    design_toml: str
    analysis: str
    trials: int
    seed: int
    stages: object = None
    #: Each target's (b0, b1), refitted near its crossing (every size's fit is ``coef``).
    target_coefs: tuple = ()
    #: The smallest and largest size each target's curve was refitted on (None: every size).
    target_spans: tuple = ()

    @property
    def refine_trials(self) -> int:
        """Trials of the second stage at the sizes near each n; 0 after a one-stage search
        (:class:`designs.planning.refine.Stages` holds them)."""
        return 0 if self.stages is None else int(self.stages.near.favourable.shape[1])


def _initial_sizes(design, targets: Sequence[float], points: int) -> list[int]:
    lo_t = max(0.3, min(targets) - 0.3)
    hi_t = min(0.985, max(targets) + 0.06)
    lo = closed_form_size(design, lo_t)
    hi = closed_form_size(design, hi_t)
    if lo is None or hi is None:
        lo, hi = 20.0, 400.0
    # the search stays within max_size(): a closed form far above it starts just below it
    lo = min(max(min_size(design), 0.8 * lo), max_size() / 4)
    hi = min(max_size(), max(1.25 * hi, lo + points))
    return _unique_sizes(np.geomspace(lo, hi, points))


def _unique_sizes(values) -> list[int]:
    return sorted({round(v) for v in values})


def grow_curve(design, targets, simulate, grid, *, extend: bool = True, progress=None):
    """Simulate the power curve at ``grid`` (``simulate(sizes) -> PowerCurve``, one seed) and,
    when ``extend``, add sizes (at most 4 times) until every target lies inside the grid."""
    curve = simulate(grid)
    if not extend:
        return curve
    trials = curve.favourable.shape[1]
    for _ in range(4):  # extend the grid until every target lies inside it
        b0, b1 = curve.fit()
        need = [invert_curve(b0, b1, t) for t in targets]
        lo, hi = int(curve.sizes.min()), int(curve.sizes.max())
        more = []
        if max(need) > hi and hi < max_size():
            top = min(
                max_size(), max(1.6 * hi, 1.15 * max(need) if math.isfinite(max(need)) else 0)
            )
            more += _unique_sizes(np.geomspace(hi * 1.15, top, 3))
        if min(need) < lo and lo > min_size(design):
            bottom = max(min_size(design), 0.85 * min(need), lo / 2)
            more += _unique_sizes(np.geomspace(bottom, lo / 1.1, 2))
        more = [s for s in more if s not in set(curve.sizes.tolist())]
        if not more:
            break
        expect(progress, len(more) * trials)
        curve = curve.extend(simulate(more))
    more = _near_sizes(design, curve, targets)
    if more:  # too few sizes near a crossing for its local refit: simulate some there
        expect(progress, len(more) * trials)
        curve = curve.extend(simulate(more))
    return curve


def _near_sizes(design, curve, targets) -> list[int]:
    """Sizes to add where fewer than :data:`MIN_LOCAL_SIZES` lie within
    :data:`LOCAL_FACTOR` of a target's crossing (the grid is bracketed by the GLS slope's
    closed form, so an analysis far less efficient, e.g. ``ols_slope_ttest`` with n for 90%
    near 780 per arm, found one or two sizes there and kept the global fit, 12 high)."""
    fits, windows = curve.target_fits(targets)
    have = set(curve.sizes.tolist())
    more = set()
    for (b0, b1), window, t in zip(fits, windows, targets, strict=True):
        n_hat = invert_curve(b0, b1, t)
        near = (curve.sizes >= n_hat / LOCAL_FACTOR) & (curve.sizes <= n_hat * LOCAL_FACTOR)
        if window is not None or near.all() or not math.isfinite(n_hat):
            continue
        if np.unique(curve.sizes[near]).size >= MIN_LOCAL_SIZES:
            continue  # enough sizes, too few outcomes at them: more sizes would not help
        if not curve.sizes.min() <= n_hat <= curve.sizes.max():
            continue  # not reached inside the grid: the extension above gave up
        for v in _unique_sizes(np.geomspace(n_hat / 1.3, n_hat * 1.3, MIN_LOCAL_SIZES)):
            if min_size(design) <= v <= max_size() and v not in have:
                more.add(v)
    return sorted(more)


def chosen_size(design, n_hat: float, max_size: int) -> tuple[int, bool]:
    """The whole n for a fitted crossing ``n_hat`` (rounded up, at least the smallest
    analysable size), and whether the target was reached within the sizes simulated (else
    the largest size, ``max_size``)."""
    reached = math.isfinite(n_hat) and n_hat <= max_size * 1.05
    n = max(min_size(design), math.ceil(n_hat - 1e-9)) if reached else max_size
    return n, reached


def bootstrap_interval(values: np.ndarray) -> tuple[float, float]:
    """The 95% interval of bootstrap values by order statistics (no interpolation: a
    resample that never reaches the target is inf)."""
    lo = float(np.quantile(values, 0.025, method="lower"))
    hi = float(np.quantile(values, 0.975, method="higher"))
    return lo, hi


def n_limits(lo_q: float, hi_q: float, max_size: int) -> tuple[int, int]:
    """Whole limits of the interval of n; -1 where not known (an upper limit above every
    size simulated is "not reached")."""
    n_low = math.floor(lo_q) if math.isfinite(lo_q) else -1
    n_high = math.ceil(hi_q) if math.isfinite(hi_q) and hi_q <= max_size else -1
    return n_low, n_high


def find_sample_size(
    design,
    targets: Sequence[float] = (0.8, 0.9),
    trials: int = 2000,
    seed: int = DEFAULT_SEED,
    analysis: str | None = None,
    *,
    points: int = 8,
    sizes: Sequence[int] | None = None,
    bootstrap: int = BOOTSTRAP,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    prior=None,
    refine_trials: int = 0,
    fresh_seed: int | None = None,
    control: bool = True,
) -> SampleSizeResult:
    """Smallest size whose ``power_favourable`` reaches each target power.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        Fixed effect; its ``n_per_arm``/``n_total`` is ignored (searched).
    targets : sequence of float
        Target powers, each in (0, 1).
    trials : int
        Simulated trials per size.
    seed : int
        Non-negative seed (the same at every size: common random numbers).
    analysis : str, optional
        Default: the design's.
    points : int
        Sizes simulated initially (more are added if a target lies outside them).
    sizes : sequence of int, optional
        Simulate exactly these sizes (no automatic bracket).
    bootstrap : int
        Bootstrap resamples of trials for the interval of n.
    refine_trials : int
        0: one stage (``trials`` per size). Otherwise a second stage of ``refine_trials``
        trials at the sizes near each crossing (:mod:`designs.planning.refine`); the power
        at n on the same trials and on fresh trials then has ``refine_trials`` trials.
    fresh_seed : int, optional
        Seed of the fresh trials at each n (default: derived from ``seed`` with
        ``SALT_SAMPLE_SIZE_CONFIRMATION``); a search run again after its check missed takes
        another, so that its check is independent of the first.
    prior : designs.analyses.decision.NormalMixture, optional
        Under ``decision.rule = "posterior"`` the power is the rule's success probability
        (``P(effect > margin | data) > threshold``) and ``prior`` the prior of the effect
        (default :func:`designs.planning.decision_rule.decision_prior`; needed for a robust
        prior that borrows from phase 2).
    control : bool
        Count successes with the oracle's control variate where it pays; False: plain shares.

    Returns
    -------
    SampleSizeResult
    """
    targets = tuple(float(t) for t in targets)
    if not targets:
        raise InputError("target_power: give at least one target")
    for t in targets:
        if not 0 < t < 1:
            raise InputError(f"target_power = {t:g}: must be in (0, 1)")
    if int(trials) < 10:
        raise InputError(f"trials = {trials}: at least 10 are needed to fit a power curve")
    from designs.planning.refine import check_refine_trials
    from designs.spec import EffectSource

    check_refine_trials(refine_trials, design)

    if design.effect.source is not EffectSource.FIXED:
        raise InputError("effect.source = 'posterior': sample size needs a fixed effect")
    analysis = analysis or str(design.trial.analysis)
    registry.get(analysis)  # an unknown name is bad input listing the allowed ones
    delta = design.effect.slope_shift(design.population.slope_mean)
    if not delta > 0:
        raise InputError(
            f"effect.value = {design.effect.value:g}: sample size needs a beneficial effect (> 0)"
        )
    kw = {"threads": threads, "progress": progress, "prior": prior, "control": control}
    # the fresh trials at each n, and under the posterior rule the same patients with no
    # effect (its type I error at n)
    fresh_runs = 2 if design.decision.is_posterior else 1
    grid = _unique_sizes(sizes) if sizes is not None else _initial_sizes(design, targets, points)
    if len(grid) < 2:
        raise InputError("sizes: give at least two different sizes")
    if refine_trials:  # the curve; the second stage and the power at n announce themselves
        expect(progress, len(grid) * trials)
    else:  # the curve, then each n twice (three times under the posterior rule)
        expect(progress, (len(grid) + (1 + fresh_runs) * len(targets)) * trials)
    simulate = lambda sz: simulate_curve(design, sz, trials, seed, analysis, **kw)  # noqa: E731
    curve = grow_curve(design, targets, simulate, grid, extend=sizes is None, progress=progress)
    max_size = int(curve.sizes.max())
    stages = None
    if refine_trials:
        from designs.planning import refine

        near = lambda sz: refine.simulate_near(  # noqa: E731
            design, sz, int(refine_trials), seed, int(trials), analysis, **kw
        )
        stages = refine.refine(
            curve,
            targets,
            lambda n_hat: chosen_size(design, n_hat, max_size),
            near,
            int(refine_trials),
            progress=progress,
        )
    if stages is None:
        at_n = int(trials)  # the trials of the power at n (same trials and fresh)
        if refine_trials:  # no target reached in the first stage: one stage after all
            expect(progress, (1 + fresh_runs) * len(targets) * at_n)
        fits, windows = curve.target_fits(targets)
        fitted_sizes = curve.sizes
        boot = bootstrap_sizes(curve, targets, trials, seed, bootstrap)
    else:
        at_n = int(refine_trials)
        expect(progress, fresh_runs * len(targets) * at_n)  # the fresh trials at each n
        fits, windows = stages.target_fits(targets)
        fitted_sizes = stages.counts()[0]
        boot = stages.bootstrap(targets, seed, bootstrap)
    rows = []
    from designs.planning.power import power as simulate_power

    for j, target in enumerate(targets):
        b0, b1 = fits[j]  # the target's curve, refitted near its crossing
        n_hat = invert_curve(b0, b1, target)
        n, reached = chosen_size(design, n_hat, max_size)
        n_low, n_high = n_limits(*bootstrap_interval(boot[:, j]), max_size)
        d = design_at(design, n)
        if stages is None:
            s = simulate_power(d, trials, seed, (analysis,), **kw)[analysis]
        elif n in stages.summaries:  # the second block at n: the curve's own column
            s = stages.summaries[n]
        else:
            expect(progress, at_n)
            s = near([n])[1][n]
        fresh = simulate_power(
            d,
            at_n,
            secondary_seed(seed, SALT_SAMPLE_SIZE_CONFIRMATION)
            if fresh_seed is None
            else fresh_seed,
            (analysis,),
            type1=fresh_runs == 2,
            **kw,
        )[analysis]
        rows.append(
            SampleSizeRow(
                target_power=target,
                size_name=size_name(design),
                n=n,
                n_estimate=float(n_hat),
                n_low=n_low,
                n_high=n_high,
                n_placebo=d.trial.n_placebo,
                n_active=d.trial.n_active,
                n_total=d.trial.n_total,
                power=s.power_favourable,
                mc_se=s.mc_se_favourable,
                fitted_power=float(curve_power(b0, b1, [n])[0]),
                confirmed_power=fresh.power_favourable,
                confirmed_mc_se=fresh.mc_se_favourable,
                expected_completers=s.completers_placebo + s.completers_active,
                screened_per_enrolled=s.screened_per_enrolled,
                failed_fits=s.failed_fits,
                reached=bool(reached),
                analysis=analysis,
                effect_points_per_month=float(delta),
                alpha=design.trial.alpha,
                sides=design.trial.sides,
                trials=at_n,
                seed=int(seed),
                version=__version__,
                grid_trials=int(trials),
                refine_trials=0 if stages is None else at_n,
                type_i_error=fresh.type1,
                mc_se_type_i_error=fresh.type1_mc_se,
                type_i_trials=fresh.type1_trials,
            )
        )
    return SampleSizeResult(
        rows=tuple(rows),
        curve=curve,
        coef=(curve.fit() if stages is None else stages.fit()),
        target_coefs=tuple(fits),
        target_spans=tuple(
            None if w is None else (int(fitted_sizes[w].min()), int(fitted_sizes[w].max()))
            for w in windows
        ),
        design_toml=design.to_toml(),
        analysis=analysis,
        trials=int(trials),
        seed=int(seed),
        stages=stages,
    )
