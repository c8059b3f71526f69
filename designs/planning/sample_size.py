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
from designs.planning.rate_bound import edge_bound
from designs.planning.size_grid import first_grid, grow_curve, min_size, round_up, size_step
from designs.simulation.seeds import DEFAULT_SEED, SALT_SAMPLE_SIZE_CONFIRMATION, secondary_seed

#: What ``n_low``/``n_high`` are (also the ``n_interval`` key of :meth:`SampleSizeRow.to_dict`).
N_INTERVAL = (
    "n_low-n_high: the 95% Monte Carlo interval of the estimate of n (bootstrap over the "
    "simulated trials): simulation error only, not uncertainty about the true n, which rests "
    "on the assumed effect, variances and dropout"
)
BOOTSTRAP = 300


# --------------------------------------------------------------------------- the search


def row_json(out: dict) -> dict:
    """A sample-size row's fields (``asdict``) as JSON gives them: a limit of n that is not
    known (-1, or any limit of a target not reached, whose n is the largest size
    simulated) is None, null in JSON (a command-line review: ``n`` 30 with ``n_low`` 1580
    and ``n_high`` -1 read as numbers); and the searched rate, the power significant and
    favouring active, also under the names ``power`` gives it (a script joining the two
    read sample-size's ``power`` as power's two-sided one)."""
    for key in ("n_low", "n_high"):
        if not out["reached"] or out[key] < 0:
            out[key] = None
    out["power_favourable"], out["mc_se_favourable"] = out["power"], out["mc_se"]
    # a type I error of 0 has an MC SE of 0: its exact one-sided upper bound, over the null
    # trials it counted (with looks: ``counted_h0``, 0 meaning all ``trials`` at n max)
    null_trials = out.get("type_i_trials") or out.get("counted_h0") or out["trials"]
    out["type_i_error_one_sided_bound_95"] = edge_bound(out["type_i_error"], null_trials)
    return out


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
        """Plain JSON-ready dictionary (:func:`row_json`)."""
        out = row_json(asdict(self))
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


def chosen_size(design, n_hat: float, max_size: int) -> tuple[int, bool]:
    """The whole n for a fitted crossing ``n_hat`` (rounded up, to a multiple of the
    allocation's block under unequal allocation, and at least the smallest analysable size),
    and whether the target was reached within the sizes simulated (else the largest size,
    ``max_size``)."""
    reached = math.isfinite(n_hat) and n_hat <= max_size * 1.05
    if not reached:  # the largest size, in whole blocks too (a diff review: 250 = 83 + 167)
        step = size_step(design)
        return max(min_size(design), step * (max_size // step)), False
    return max(min_size(design), round_up(design, n_hat)), True


def bootstrap_interval(values: np.ndarray) -> tuple[float, float]:
    """The 95% interval of bootstrap values by order statistics (no interpolation: a
    resample that never reaches the target is inf)."""
    lo = float(np.quantile(values, 0.025, method="lower"))
    hi = float(np.quantile(values, 0.975, method="higher"))
    return lo, hi


def n_limits(lo_q: float, hi_q: float, max_size: int, step: int = 1) -> tuple[int, int]:
    """Whole limits of the interval of n, multiples of ``step`` (the allocation's block,
    :func:`designs.planning.size_grid.size_step`) outside it; -1 where not known (an upper
    limit above every size simulated is "not reached")."""
    n_low = step * math.floor(lo_q / step) if math.isfinite(lo_q) else -1
    n_high = step * math.ceil(hi_q / step) if math.isfinite(hi_q) and hi_q <= max_size else -1
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
    from designs.planning.call_checks import check_design, check_targets, check_trials

    check_design(design)
    check_targets(targets)
    check_trials(trials)
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
        if design.effect.value > 0:  # a slowing of no decline (a stress review: the message
            # named effect.value, which was fine)
            raise InputError(
                f"population.slope_mean = {design.population.slope_mean:g}: a "
                f"{design.effect.value:.0%} slowing of no decline is no effect; sample size "
                "needs a decline (< 0) to slow"
            )
        from designs.spec.fixed_effect import effect_words  # (an explorer review: in units)

        raise InputError(
            f"effect.value = {design.effect.value:g} ({effect_words(design)}): sample size "
            "needs a beneficial effect (> 0)"
        )
    kw = {"threads": threads, "progress": progress, "prior": prior, "control": control}
    # the fresh trials at each n, and under the posterior rule the same patients with no
    # effect (its type I error at n)
    fresh_runs = 2 if design.decision.is_posterior else 1
    grid = first_grid(design, targets, points, sizes)
    if len(grid) < 2:
        raise InputError("sizes: give at least two different sizes")
    if refine_trials:  # the curve; the second stage and the power at n announce themselves
        expect(progress, len(grid) * trials)
    else:  # the curve, then each n twice (three times under the posterior rule)
        expect(progress, (len(grid) + (1 + fresh_runs) * len(targets)) * trials)

    def simulate(sizes):
        curve = simulate_curve(design, sizes, trials, seed, analysis, **kw)
        if np.all(curve.failed_fits == trials):  # as power refuses it (a bad-input review:
            # sample-size searched up to 50,000 per arm where nearly everyone died)
            from designs.planning.power import all_fits_failed

            sizes_tried = ", ".join(str(int(n)) for n in curve.sizes)
            where = f" at every size tried ({sizes_tried})"
            raise all_fits_failed(analysis, trials, where, design=design)
        return curve

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
        n_low, n_high = n_limits(*bootstrap_interval(boot[:, j]), max_size, size_step(design))
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
