"""Maximum sample size of a group-sequential design, by simulation.

For each target power the smallest maximum size (``n_per_arm`` with 1:1 allocation, else
``n_total``: the patients randomised if the trial runs to its final look) whose overall power
in favour of active under the design's effect reaches the target. The search is that of
:mod:`designs.planning.sample_size` with the group-sequential success per trial (efficacy at
any look, estimate favouring active, :func:`designs.planning.group_sequential.decide`):

1. the same design without ``[interim]`` is searched as ``sample-size`` searches it (the
   *reference*: :func:`designs.planning.sample_size.find_sample_size`, with the control
   variate and, unless ``refine_trials`` is 0, a second stage), and its first stage's trials,
   counted with plain shares, are the fixed curve of the inflation factor (the sizes, fits
   and n of the fixed search with ``control=False``: :func:`plain_partner`);
2. the group-sequential power is simulated at the fixed curve's sizes (extended until
   every target lies inside them) with the same seed, so trial i is the same patients in
   both searches and at every size (common random numbers; the looks only add entry months);
3. the same probit curve ``Phi^-1(power) = b0 + b1 sqrt(n)`` is fitted and inverted;
4. one bootstrap over simulated trials resamples both curves together and gives the 95%
   Monte Carlo interval of the inflation factor (the ratio of the two fitted, unrounded
   sizes; the curves carry the same trials' noise, so their ratio is precise);
5. n max is the inflation factor times the reference's n, so that the fixed n a report
   gives beside the interim design is the one ``sample-size`` and ``report`` give without
   looks (a statistician's review: the plain fixed curve's own n, less precise, gave 381
   where they gave 388, and an n max of 382 whose power was 0.78). Its 95% interval adds the
   two intervals' log half-widths in quadrature (their errors are nearly independent: the
   ratio's noise is what the two plain curves do not share, the reference's mostly its
   second stage and what the control variate leaves); simulation error only;
6. the rounded-up n max is simulated once more under the effect and under no effect (same
   seed, so no independent check as in the fixed search): its power, its type I error and
   the expected patients randomised under each. Trials whose decision rests on a failed fit
   are left out of the rates, as in :mod:`designs.planning.group_sequential`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields

import numpy as np

from designs import __version__
from designs.planning.group_sequential import group_sequential_simulated, simulate_outcome
from designs.planning.operating import fixed_calendar_months
from designs.planning.power_curve import (
    PowerCurve,
    curve_at_sizes,
    curve_power,
    design_at,
    invert_curve,
    simulate_curve,
    size_name,
)
from designs.planning.progress import expect
from designs.planning.sample_size import (
    BOOTSTRAP,
    bootstrap_interval,
    bootstrap_sizes,
    chosen_size,
    find_sample_size,
    n_limits,
)
from designs.planning.size_grid import first_grid, grow_curve, size_step
from designs.simulation.inputs import simulation_inputs
from designs.simulation.seeds import DEFAULT_SEED
from designs.spec.interim import NO_LOOKS

__all__ = ["GroupSequentialSampleSizeRow", "find_group_sequential_sample_size"]


@dataclass(frozen=True)
class GroupSequentialSampleSizeRow:
    """The maximum sample size of a group-sequential design for one target power.

    ``n_max`` is per arm with 1:1 allocation, in total otherwise (``size_name``);
    ``n_total_max`` the patients randomised if the trial reaches its final look;
    ``expected_n_total_h1``/``_h0`` the mean patients randomised by the look where the trial
    stopped, under the design's effect and under no effect; ``power``/``mc_se`` the
    simulated overall power in favour of active at ``n_max``; ``type_i_error`` that of the
    whole design at ``n_max``. ``n_fixed`` is the fixed search's n for the same target (same
    design without ``[interim]``) and ``inflation`` = ``n_estimate / n_fixed_estimate`` with
    its 95% Monte Carlo interval ``inflation_low``-``inflation_high`` (paired bootstrap);
    ``n_estimate`` is the inflation times ``n_fixed_estimate`` (:func:`search_max_sizes`).
    ``fitted_power`` is the group-sequential curve's own fit at ``n_max``: n max scales the
    fixed design's n rather than this curve's crossing, so it may read a little below the
    target (0.783 in one run at 80%) where ``power``, simulated at n max, does not.
    ``trials``: per size; ``refine_trials``: the fixed search's second stage (0: none).
    """

    target_power: float
    size_name: str
    n_max: int
    n_estimate: float
    n_low: int
    n_high: int
    n_total_max: int
    power: float
    mc_se: float
    fitted_power: float
    expected_n_total_h1: float
    expected_n_total_h0: float
    type_i_error: float
    mc_se_type_i_error: float
    n_fixed: int
    n_fixed_estimate: float
    inflation: float
    inflation_low: float
    inflation_high: float
    failed_fits: int
    reached: bool
    analysis: str
    looks: list
    spending: str
    futility: str
    alpha: float
    sides: int
    trials: int
    refine_trials: int
    seed: int
    version: str
    #: The type I error with the (non-binding) futility boundaries ignored, at n max: the
    #: level the design claims (:class:`~designs.planning.group_sequential.
    #: GroupSequentialSummary`); ``type_i_error`` when there is no futility.
    type_i_error_nonbinding: float = float("nan")
    mc_se_type_i_error_nonbinding: float = float("nan")
    #: Mean calendar months to the look where each trial stopped, under the effect and under
    #: no effect, the months to the final look at n max, and the fixed design's at n fixed
    #: (an rpact user's review: power and report gave them, sample-size did not).
    expected_months_h1: float = float("nan")
    expected_months_h0: float = float("nan")
    fixed_months: float = float("nan")
    fixed_design_months: float = float("nan")
    #: The null trials the type I error is over (failed fits left out under "exclude").
    counted_h0: int = 0
    #: Where the trials met the boundaries (``interim.information``).
    information: str = "observed"

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary (:func:`~designs.planning.sample_size.row_json`)."""
        from designs.planning.sample_size import row_json

        return row_json(asdict(self))


@dataclass(frozen=True)
class GroupSequentialSampleSizeResult:
    """Rows (one per target), the group-sequential curve and the fixed search behind them.

    ``first_row_runs``: the trials simulated at the first row's ``n_max`` (step 6),
    ``(h1, h0)``, each ``(LookResults, Outcome)`` of :func:`~designs.planning.
    group_sequential.simulate_outcome` under the effect and under no effect: the report's
    figure reads them instead of simulating them again (only the first row's are kept: at
    most about two rows' trials are in memory at once, while a later row is simulated)."""

    rows: tuple[GroupSequentialSampleSizeRow, ...]
    curve: PowerCurve
    coef: tuple[float, float]
    fixed: object  # designs.planning.sample_size.SampleSizeResult
    trials: int
    seed: int
    first_row_runs: tuple | None = None


def simulate_gs_curve(
    design,
    sizes: Sequence[int],
    trials: int,
    seed: int,
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PowerCurve:
    """Group-sequential power in favour of active at each size
    (:func:`designs.planning.power_curve.curve_at_sizes`)."""

    def outcome(d):
        shift = simulation_inputs(d).effect_shift
        _, out = simulate_outcome(d, trials, seed, shift, threads=threads, progress=progress)
        return out.favourable, out.failed

    return curve_at_sizes(design, sizes, trials, outcome)


@dataclass(frozen=True)
class MaxSize:
    """One target's maximum size found by :func:`search_max_sizes`: the fields every row of
    a maximum-size search shares (as :class:`GroupSequentialSampleSizeRow` names them), and
    ``design`` at ``n_max``. ``reached``: this search's and the fixed search's."""

    target_power: float
    size_name: str
    n_max: int
    n_estimate: float
    n_low: int
    n_high: int
    n_total_max: int
    fitted_power: float
    n_fixed: int
    n_fixed_estimate: float
    inflation: float
    inflation_low: float
    inflation_high: float
    reached: bool
    design: object

    def row_fields(self) -> dict:
        """The fields of a row (all but ``design``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "design"}


def search_max_sizes(
    design,
    fixed_design,
    targets: tuple[float, ...],
    trials: int,
    seed: int,
    simulate: Callable[[Sequence[int]], PowerCurve],
    *,
    points: int,
    sizes: Sequence[int] | None,
    bootstrap: int,
    progress: Callable[[int], None] | None,
    refine_trials: int = 0,
    **fixed_kw,
):
    """Steps 1-5 of the module's search: the fixed design's own search (the reference, with
    ``fixed_kw``, e.g. threads, prior; ``refine_trials``: its second stage, 0 for none, as
    :func:`~designs.planning.sample_size.find_sample_size` takes it; the command line's
    default is :func:`designs.planning.refine.default_refine_trials`) and its plain curve,
    ``simulate``'s curve at that curve's sizes (extended until every target lies inside), the
    probit fit and its inversion, the paired bootstrap, and n max from the inflation and the
    reference's n.

    Returns ``(curve, (b0, b1), reference, [MaxSize per target])``: ``reference`` is the
    fixed design's own search.
    """

    # (1) the fixed design as sample-size runs it (control variate, second stage): the n
    # that n max scales (it also validates targets, trials, effect and analysis)
    reference = find_sample_size(
        fixed_design,
        targets,
        trials,
        seed,
        sizes=sizes,
        points=points,
        bootstrap=bootstrap,
        progress=progress,
        refine_trials=refine_trials,
        **fixed_kw,
    )
    # (2) with plain shares on the same trials, the group-sequential curve's partner for the
    # inflation: the inflation's interval rests on the two curves carrying the same trials'
    # noise (common random numbers), which the control variate would take out of one only
    fixed = plain_partner(
        fixed_design,
        targets,
        trials,
        reference.curve,
        lambda sz: simulate_curve(fixed_design, sz, trials, seed, control=False, **fixed_kw),
        points=points,
        sizes=sizes,
        progress=progress,
    )
    grid = [int(s) for s in fixed.curve.sizes]
    expect(progress, (len(grid) + 2 * len(targets)) * trials)
    curve = grow_curve(design, targets, simulate, grid, extend=sizes is None, progress=progress)
    fits, _ = curve.target_fits(targets)  # each target refitted near its crossing
    boot = bootstrap_sizes([curve, fixed.curve], targets, trials, seed, bootstrap)
    max_size = max(int(curve.sizes.max()), int(np.max(reference.curve.sizes)))
    found = []
    for j, target in enumerate(targets):
        b0, b1 = fits[j]
        ref = reference.rows[j]
        inflation = float(invert_curve(b0, b1, target) / fixed.n_estimates[j])
        n_hat = inflation * ref.n_estimate
        n, reached = chosen_size(design, n_hat, max_size)
        if not (fixed.reached[j] and ref.reached):  # no fixed n to scale: the largest size
            n, reached = max_size, False  # (as the warning says), not a scaled guess
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = boot[:, 0, j] / boot[:, 1, j]
        r_lo, r_hi = bootstrap_interval(np.where(np.isfinite(ratio), ratio, np.inf))
        n_low, n_high = n_limits(
            *scaled_interval(
                n_hat, (inflation, r_lo, r_hi), (ref.n_estimate, ref.n_low, ref.n_high)
            ),
            max_size,
            size_step(design),
        )
        d = design_at(design, n)
        found.append(
            MaxSize(
                target_power=target,
                size_name=size_name(design),
                n_max=n,
                n_estimate=float(n_hat),
                n_low=n_low,
                n_high=n_high,
                n_total_max=d.trial.n_total,
                fitted_power=float(curve_power(b0, b1, [n])[0]),
                n_fixed=ref.n,
                n_fixed_estimate=ref.n_estimate,
                inflation=inflation,
                inflation_low=r_lo,
                inflation_high=r_hi,
                reached=bool(reached and fixed.reached[j] and ref.reached),
                design=d,
            )
        )
    return curve, curve.fit(), reference, found


@dataclass(frozen=True)
class PlainPartner:
    """The fixed design's power curve counted with plain shares (``values`` None), and each
    target's fitted n (unrounded) and whether the curve reached it, as the fixed search
    with ``control=False`` finds them (:func:`plain_partner`)."""

    curve: PowerCurve
    n_estimates: tuple[float, ...]
    reached: tuple[bool, ...]


def plain_partner(
    fixed_design,
    targets: tuple[float, ...],
    trials: int,
    first_stage: PowerCurve,
    simulate_plain: Callable[[Sequence[int]], PowerCurve],
    *,
    points: int,
    sizes: Sequence[int] | None,
    progress: Callable[[int], None] | None,
) -> PlainPartner:
    """The plain curve of :func:`~designs.planning.sample_size.find_sample_size` with
    ``control=False`` (the same first sizes, extension and fits), taken from the reference
    search's first stage ``first_stage`` at every size it simulated: the same seed gives the
    same trials there, and the oracle behind its control variate only adds a column to
    them (the analyses' numbers do not change), so their plain successes are those the plain
    search would simulate. A size the plain curve's own extension asks for that the
    reference's did not (their fits differ a little) is simulated by ``simulate_plain``. The
    plain search's power at n, fresh trials and bootstrap are not needed here (on the
    defaults, 24,000 of a ``sample-size --looks 0.5,1`` run's 112,000 trials were that
    search's: docs/performance.md)."""
    have = {int(s): i for i, s in enumerate(first_stage.sizes)}

    def simulate(sz: Sequence[int]) -> PowerCurve:
        known = [have[int(s)] for s in sz if int(s) in have]
        curve = PowerCurve(
            first_stage.size_name,
            first_stage.sizes[known],
            first_stage.favourable[known],
            first_stage.ok[known],
            first_stage.failed_fits[known],
        )
        missing = [int(s) for s in sz if int(s) not in have]
        if missing:
            expect(progress, len(missing) * trials)
            curve = curve.extend(simulate_plain(missing))
        return curve

    grid = first_grid(fixed_design, targets, points, sizes)
    curve = grow_curve(fixed_design, targets, simulate, grid, extend=sizes is None)
    fits, _ = curve.target_fits(targets)
    n_hat = [invert_curve(b0, b1, t) for (b0, b1), t in zip(fits, targets, strict=True)]
    largest = int(curve.sizes.max())
    return PlainPartner(
        curve,
        tuple(float(n) for n in n_hat),
        tuple(chosen_size(fixed_design, n, largest)[1] for n in n_hat),
    )


def scaled_interval(
    n_hat: float, ratio: tuple[float, float, float], reference: tuple[float, float, float]
) -> tuple[float, float]:
    """The 95% interval of ``n_hat = ratio x reference`` from each factor's estimate and
    interval ``(estimate, low, high)``: the log distances of each side added in quadrature
    (independent errors). A side that is not known (a limit not finite or not positive, -1
    for a size) is ``-inf`` (low) or ``inf`` (high), as :func:`n_limits` reads them."""

    def side(a: float, b: float) -> float:
        ok = all(np.isfinite(x) and x > 0 for x in (a, b))
        return abs(np.log(a / b)) if ok else np.inf

    r, r_lo, r_hi = ratio
    f, f_lo, f_hi = reference
    down, up = np.hypot(side(r, r_lo), side(f, f_lo)), np.hypot(side(r_hi, r), side(f_hi, f))
    lo = n_hat * np.exp(-down) if np.isfinite(down) and np.isfinite(n_hat) else -np.inf
    hi = n_hat * np.exp(up) if np.isfinite(up) and np.isfinite(n_hat) else np.inf
    return float(lo), float(hi)


def find_group_sequential_sample_size(
    design,
    targets: Sequence[float] = (0.8, 0.9),
    trials: int = 2000,
    seed: int = DEFAULT_SEED,
    *,
    points: int = 8,
    sizes: Sequence[int] | None = None,
    bootstrap: int = BOOTSTRAP,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    prior=None,
    refine_trials: int = 0,
) -> GroupSequentialSampleSizeResult:
    """Smallest maximum size whose group-sequential ``power_favourable`` reaches each target.

    Parameters are those of :func:`designs.planning.sample_size.find_sample_size`; the
    design must have ``[interim]`` looks and its own analysis is used; ``refine_trials`` is
    the second stage of the fixed design's own search (step 5; 0: one stage). Under
    ``decision.rule = "posterior"`` the search is
    :func:`designs.planning.sample_size_posterior_looks.find_posterior_looks_sample_size`
    (``prior``: the rule's prior; unused under the frequentist rule).
    """
    from designs.errors import InputError

    if not design.interim.sequential:
        raise InputError("interim.looks: the design has no interim looks")
    if design.decision.is_posterior:
        from designs.planning.sample_size_posterior_looks import find_posterior_looks_sample_size

        return find_posterior_looks_sample_size(
            design,
            targets,
            trials,
            seed,
            prior=prior,
            points=points,
            sizes=sizes,
            bootstrap=bootstrap,
            threads=threads,
            progress=progress,
            refine_trials=refine_trials,
        )
    targets = tuple(float(t) for t in targets)
    if design.interim.looks_as == "look_months":
        raise InputError(
            "interim.look_months: the sample-size search changes the length of accrual; give "
            "the looks as information fractions (looks) or look_completed"
        )
    kw, fixed_at = {"threads": threads, "progress": progress}, design.with_overrides(NO_LOOKS)
    curve, coef, fixed, found = search_max_sizes(
        design,
        fixed_at,
        targets,
        trials,
        seed,
        lambda sz: simulate_gs_curve(design, sz, trials, seed, **kw),
        points=points,
        sizes=sizes,
        bootstrap=bootstrap,
        progress=progress,
        refine_trials=refine_trials,
        threads=threads,
    )
    rows, first_row_runs = [], None
    for m in found:  # keeping the first row's simulated trials
        s, h1, h0 = group_sequential_simulated(m.design, trials, seed, **kw)
        first_row_runs = first_row_runs or (h1, h0)
        rows.append(
            GroupSequentialSampleSizeRow(
                **m.row_fields(),
                power=s.power_favourable,
                mc_se=s.mc_se_favourable,
                expected_n_total_h1=s.expected_n_total,
                expected_n_total_h0=s.expected_n_total_h0,
                expected_months_h1=s.expected_months,
                expected_months_h0=s.expected_months_h0,
                fixed_months=s.fixed_months,
                fixed_design_months=fixed_calendar_months(fixed_at, m.n_fixed),
                counted_h0=int(s.counted_h0),
                type_i_error=s.type_i_error,
                mc_se_type_i_error=s.mc_se_type_i_error,
                type_i_error_nonbinding=s.type_i_error_nonbinding,
                mc_se_type_i_error_nonbinding=s.mc_se_type_i_error_nonbinding,
                failed_fits=s.failed_fits,
                analysis=s.analysis,
                looks=[float(x) for x in s.looks],
                spending=s.spending,
                futility=s.futility,
                information=s.information,
                alpha=s.alpha,
                sides=s.sides,
                trials=int(trials),
                refine_trials=int(refine_trials),
                seed=int(seed),
                version=__version__,
            )
        )
    return GroupSequentialSampleSizeResult(
        rows=tuple(rows),
        curve=curve,
        coef=coef,
        fixed=fixed,
        trials=int(trials),
        seed=seed,
        first_row_runs=first_row_runs,
    )
