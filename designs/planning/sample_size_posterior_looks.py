"""Maximum sample size of a design judged by the posterior rule at interim looks.

The search of :mod:`designs.planning.sample_size_gs` with the posterior rule's success per
trial (``P(effect > margin | data up to look k) > T_k`` at any look, the first stop ending the
trial, the non-binding predictive-probability futility rule followed;
:func:`designs.planning.decision_looks.decide_posterior`):

1. the same design without ``[interim]``, judged by the posterior rule at the final look's
   threshold ``T_K`` (no futility), is searched first as ``sample-size`` searches it (the
   reference); its first stage's trials with plain shares are the fixed curve of the
   inflation factor (:func:`designs.planning.sample_size_gs.plain_partner`);
2. the rule's success at looks is simulated at the fixed curve's sizes (extended until every
   target lies inside them), same seed (common random numbers);
3. the probit curve ``Phi^-1(success) = b0 + b1 sqrt(n)`` is fitted and inverted;
4. one paired bootstrap over simulated trials gives the 95% Monte Carlo interval of the
   inflation (the ratio of the two curves' crossings on the same trials);
5. n max is the inflation times the reference design's n from its own search (control
   variate where it pays and, unless ``refine_trials`` is 0, a second stage), with an
   interval that combines the two (:func:`designs.planning.sample_size_gs.scaled_interval`);
6. the rounded-up n max is simulated under the effect and under no effect (same seed): the
   success probability, the type I error (success at any look with no effect) and the
   expected patients randomised under each.

The thresholds are the design's (``decision.thresholds`` or ``decision.threshold`` at every
look), NOT re-calibrated at each n: the type I error at n max is reported so the user can see
whether they still hold it (``simulate.py calibrate --looks`` at the chosen n does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from designs import __version__
from designs.errors import InputError
from designs.planning.decision_looks import posterior_looks_simulated
from designs.planning.decision_rule import decision_prior
from designs.planning.operating import fixed_calendar_months
from designs.planning.power_curve import PowerCurve, curve_at_sizes
from designs.planning.sample_size import BOOTSTRAP
from designs.planning.sample_size_gs import search_max_sizes
from designs.simulation.inputs import simulation_inputs
from designs.simulation.seeds import DEFAULT_SEED
from designs.spec.interim import NO_LOOKS

__all__ = [
    "PosteriorLooksSampleSizeRow",
    "find_posterior_looks_sample_size",
    "fixed_reference_design",
    "simulate_posterior_looks_curve",
]


@dataclass(frozen=True)
class PosteriorLooksSampleSizeRow:
    """The maximum sample size of a posterior-rule design with looks, for one target power.

    Fields as :class:`designs.planning.sample_size_gs.GroupSequentialSampleSizeRow`, with
    ``power`` the rule's success probability at any look under the design's effect and
    ``type_i_error`` its success probability under no effect, both at ``n_max`` with the
    thresholds as given (``thresholds_recalibrated`` is False: they are not re-calibrated
    per n). ``n_fixed`` comes from the same design without looks, judged at the final
    threshold.
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
    p_stop_efficacy: list
    p_stop_futility: list
    p_stop_futility_h0: list
    n_fixed: int
    n_fixed_estimate: float
    inflation: float
    inflation_low: float
    inflation_high: float
    failed_fits: int
    reached: bool
    analysis: str
    looks: list
    rule: str
    prior: str
    prior_weight: float
    margin: float
    thresholds: list
    thresholds_recalibrated: bool
    futility_predictive: float
    alpha: float
    sides: int
    trials: int
    refine_trials: int
    seed: int
    version: str
    expected_months_h1: float = float("nan")
    expected_months_h0: float = float("nan")
    fixed_months: float = float("nan")
    fixed_design_months: float = float("nan")  # the fixed reference design at its n fixed
    #: The null trials the type I error is over (failed fits left out under "exclude").
    counted_h0: int = 0

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary (:func:`~designs.planning.sample_size.row_json`)."""
        from designs.planning.sample_size import row_json

        return row_json(asdict(self))


@dataclass(frozen=True)
class PosteriorLooksSampleSizeResult:
    """Rows (one per target), the curve and the fixed search behind them."""

    rows: tuple[PosteriorLooksSampleSizeRow, ...]
    curve: PowerCurve
    coef: tuple[float, float]
    fixed: object  # designs.planning.sample_size.SampleSizeResult
    trials: int
    seed: int
    first_row_runs: tuple | None = None  # posterior_looks_simulated at the first n_max


def fixed_reference_design(design):
    """``design`` without looks, judged by the posterior rule at the final look's threshold."""
    final = design.decision.look_thresholds(design.interim.n_looks)[-1]
    return design.with_overrides(
        {
            **NO_LOOKS,
            "decision.thresholds": [],
            "decision.threshold": float(final),
            "decision.futility_predictive": 0.0,
        }
    )


def simulate_posterior_looks_curve(
    design,
    sizes: Sequence[int],
    trials: int,
    seed: int,
    prior,
    *,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PowerCurve:
    """The posterior rule's success at any look at each size, one seed (common random
    numbers; :func:`designs.planning.power_curve.curve_at_sizes`); a trial whose final fit
    failed (and that had not stopped) is a failure, or out of the denominator under
    ``decision.failed_fits = "exclude"``."""
    from designs.planning.group_sequential import simulate_outcome

    def outcome(d):
        shift = float(simulation_inputs(d).effect_shift)
        _, out = simulate_outcome(
            d, trials, seed, shift, threads=threads, progress=progress, prior=prior
        )
        return out.efficacy, out.failed

    return curve_at_sizes(design, sizes, trials, outcome)


def find_posterior_looks_sample_size(
    design,
    targets: Sequence[float] = (0.8, 0.9),
    trials: int = 2000,
    seed: int = DEFAULT_SEED,
    *,
    prior=None,
    points: int = 8,
    sizes: Sequence[int] | None = None,
    bootstrap: int = BOOTSTRAP,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    refine_trials: int = 0,
) -> PosteriorLooksSampleSizeResult:
    """Smallest maximum size whose posterior-rule success at any look reaches each target.

    Parameters are those of :func:`designs.planning.sample_size_gs.
    find_group_sequential_sample_size`; ``prior`` is the rule's prior (default
    :func:`designs.planning.decision_rule.decision_prior`; a robust prior that borrows must
    be given). The design must have ``[interim]`` looks and ``decision.rule = "posterior"``.
    """
    if not design.interim.sequential:
        raise InputError("interim.looks: the design has no interim looks")
    if not design.decision.is_posterior:
        raise InputError("decision.rule: this search is for rule = 'posterior'")
    if design.interim.looks_as == "look_months":
        raise InputError(
            "interim.look_months: the sample-size search changes the length of accrual; give "
            "the looks as information fractions (looks) or look_completed"
        )
    targets = tuple(float(t) for t in targets)
    prior = decision_prior(design) if prior is None else prior
    kw = {"threads": threads, "progress": progress}
    curve, coef, fixed, found = search_max_sizes(
        design,
        fixed_reference_design(design),
        targets,
        trials,
        seed,
        lambda sz: simulate_posterior_looks_curve(design, sz, trials, seed, prior, **kw),
        points=points,
        sizes=sizes,
        bootstrap=bootstrap,
        progress=progress,
        refine_trials=refine_trials,
        threads=threads,
        prior=prior,
    )
    dec = design.decision
    rows, first_row_runs = [], None
    for m in found:
        runs = posterior_looks_simulated(m.design, trials, seed, prior=prior, **kw)
        first_row_runs = first_row_runs or runs  # the report's figure reads them
        s = runs[0]
        rows.append(
            PosteriorLooksSampleSizeRow(
                **m.row_fields(),
                power=s.power,
                mc_se=s.mc_se,
                expected_n_total_h1=s.expected_n_total,
                expected_n_total_h0=s.expected_n_total_h0,
                expected_months_h1=s.expected_months,
                expected_months_h0=s.expected_months_h0,
                fixed_months=s.fixed_months,
                fixed_design_months=fixed_calendar_months(
                    fixed_reference_design(design), m.n_fixed
                ),
                counted_h0=int(s.counted_h0),
                type_i_error=s.type_i_error,
                mc_se_type_i_error=s.mc_se_type_i_error,
                p_stop_efficacy=list(s.p_stop_efficacy),
                p_stop_futility=list(s.p_stop_futility),
                p_stop_futility_h0=list(s.p_stop_futility_h0),
                failed_fits=s.failed_fits,
                analysis=s.analysis,
                looks=[float(x) for x in s.looks],
                rule="posterior",
                prior=s.prior,
                prior_weight=s.prior_weight,
                margin=s.margin,
                thresholds=[float(t) for t in s.thresholds],
                thresholds_recalibrated=False,
                futility_predictive=dec.futility_predictive,
                alpha=design.trial.alpha,
                sides=design.trial.sides,
                trials=int(trials),
                refine_trials=int(refine_trials),
                seed=int(seed),
                version=__version__,
            )
        )
    return PosteriorLooksSampleSizeResult(
        rows=tuple(rows),
        curve=curve,
        coef=coef,
        fixed=fixed,
        trials=int(trials),
        seed=seed,
        first_row_runs=first_row_runs,
    )
