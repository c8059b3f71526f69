"""Everything a report shows, computed: sample size, operating characteristics, realism
sensitivity, the power sweep behind the power curve and, with a posterior, assurance.

:func:`plan_report` does all the simulation; :func:`designs.outputs.report.write_report`
only renders the :class:`ReportPlan` it returns into a folder.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import xarray as xr

from designs.analyses import registry
from designs.errors import InputError
from designs.planning.assurance import (
    RUNS_PER_ASSURANCE,
    TRANSPORTS,
    AssuranceResult,
    assurance_curve,
)
from designs.planning.operating import (
    effects_in_range,
    frequentist_twin,
    nominal_type_i_error,
    oc_effects,
    operating_characteristics,
    realism_null_runs,
    realism_null_trials,
    realism_scenarios,
    realism_sensitivity,
    type_i_trials,
)
from designs.planning.posterior import posterior_draws
from designs.planning.progress import expect
from designs.planning.sample_size import SampleSizeResult, find_sample_size
from designs.planning.sweep import run_sweep
from designs.simulation.seeds import DEFAULT_SEED
from progression.population import undefined_proportional_draws

#: Analyses always compared in the realism sensitivity, beside the design's own.
REALISM_ANALYSES = ("lmm_slope", "joint_rank")


@dataclass(frozen=True)
class ReportPlan:
    """The computed content of a report.

    Attributes
    ----------
    design : designs.spec.TrialDesign
        The (input) design; the chosen size is in ``sample_size.rows``.
    sample_size : SampleSizeResult
        n for each target power.
    operating : dict
        Operating characteristics at the first target's n
        (:func:`designs.planning.operating.operating_characteristics`).
    realism : list of dict
        Power and bias under each realism scenario at that n.
    realism_n : int
        The size of the realism rows.
    power_sweep : xarray.Dataset
        Power over sizes spanning the answers and three effects around the design's.
    analyses_sweep : xarray.Dataset
        Power at the same sizes and the design's effect for the design's analysis and every
        other analysis the design allows, on the same simulated trials.
    targets : tuple of float
        Target powers.
    trials, seed : int
        Simulated trials per point and the seed of every simulation.
    posterior_effect : dict or None
        Posterior draws of the effect by transport (``proportional``: fraction of
        ``|slope_mean|``; ``absolute``: points/month); None without a posterior.
    assurance_curves : dict or None
        Transport -> list of :class:`AssuranceResult` over ``assurance_sizes``.
    assurance_sizes : list of int
    assurance : dict or None
        n of each target row -> transport -> :class:`AssuranceResult`.
    posterior_attrs : dict or None
        Provenance attributes of the posterior (seed, data hash, model version).
    undefined_draws : int
        Posterior draws without a phase 2 decline, carried over by proportional transport as
        a fraction of the posterior-median decline.
    interim : designs.planning.report_interim.InterimPlan or None
        A design with ``[interim]`` looks: the group-sequential design beside the fixed one
        (``design`` is then the same design without looks, which every other table is about).
    closed_form : tuple of (sizes, power) or None
        Closed-form power (continuous scores, GLS slope, z test) at the sizes of the
        sample-size search; None when the analysis is not a slope analysis or no formula
        applies.
    """

    design: object
    sample_size: SampleSizeResult
    operating: dict
    realism: list
    realism_n: int
    power_sweep: xr.Dataset
    targets: tuple
    trials: int
    seed: int
    posterior_effect: dict | None = None
    assurance_curves: dict | None = None
    assurance_sizes: list | None = None
    assurance: dict[int, dict[str, AssuranceResult]] | None = None
    posterior_attrs: dict | None = None
    undefined_draws: int = 0
    closed_form: tuple | None = None
    analyses_sweep: xr.Dataset | None = None
    prior_weight_sweep: xr.Dataset | None = None
    #: The same rule calibrated to the one-sided level at each weight, and its power there
    #: (:class:`designs.planning.borrowing.CalibratedBorrowing`).
    prior_weight_calibrated: object | None = None
    interim: object | None = None  # designs.planning.report_interim.InterimPlan

    @property
    def analysis(self) -> str:
        """The analysis every table and figure is about."""
        return self.sample_size.analysis


def _sweep_sizes(result: SampleSizeResult, block: int = 1) -> list[int]:
    """Ten sizes from a quarter of the largest answer to 1.4 times it; sizes in total are
    multiples of the allocation's ``block`` (an own-design review: at 1:2 the curve's 98
    patients were 33 + 65, not in the ratio its label gave)."""
    n_hi = max(r.n for r in result.rows)
    if result.rows[0].size_name == "n_per_arm":
        return sorted({max(3, round(v)) for v in np.linspace(0.25 * n_hi, 1.4 * n_hi, 10)})
    floor = block * math.ceil(6 / block)
    grid = np.linspace(0.25 * n_hi, 1.4 * n_hi, 10) / block
    return sorted({max(floor, block * round(v)) for v in grid})


def _rule_allows(design, analysis: str) -> bool:
    """The posterior rule needs an estimate in points/month (the prior's units)."""
    return not design.decision.is_posterior or registry.get(analysis).units == "points/month"


def compared_analyses(design, analysis: str) -> tuple[str, ...]:
    """The design's analysis first, then every other analysis the design allows (those that
    need a lead-in only with one; under the posterior rule, those in points/month)."""
    allowed = [
        a
        for a in registry.ANALYSIS_NAMES
        if (design.trial.lead_in_months or not registry.get(a).needs_lead_in)
        and _rule_allows(design, a)
    ]
    return tuple(dict.fromkeys((analysis, *allowed)))


def closed_form_reference(design, result: SampleSizeResult, analysis: str) -> tuple | None:
    """Closed-form power at the sizes of the search, where the closed form models the design
    as ``analysis`` tests it (:func:`designs.planning.closed_form.closed_form_models`, the
    rule of the methods text's check); under the posterior rule the frequentist z test's,
    which the figure labels a comparison. None elsewhere."""
    from designs.planning import closed_form as cf
    from designs.planning.power_curve import design_at

    frequentist = design.with_overrides({"decision.rule": "frequentist"})
    if not cf.closed_form_models(frequentist, analysis):
        return None
    sizes = np.sort(result.curve.sizes)
    try:
        power = [cf.design_power(design_at(design, int(m)), favourable_only=True) for m in sizes]
    except (InputError, np.linalg.LinAlgError):
        return None
    return sizes, np.asarray(power)


#: Weights of the phase 2 posterior shown in the report (power and type I error against w).
PRIOR_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _borrowing_design(design, analysis: str):
    """``design`` under the posterior rule with a robust prior (its threshold and margin)."""
    return design.with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "trial.analysis": analysis}
    )


def check_borrowing_section(design, analysis: str) -> None:
    """Refuse, before anything is simulated, a report whose prior-weight section cannot be
    built: its robust prior needs the unit-information SD (a review: a frequentist design
    with residual_sd 0 failed after the whole search, up to 5 minutes, naming
    decision.robust_sd, a field of a rule the design does not use)."""
    from designs.planning.decision_rule import robust_component_sd

    if registry.get(analysis).units != "points/month":
        return
    try:
        robust_component_sd(_borrowing_design(design, analysis))
    except InputError as exc:
        raise InputError(
            f"report: the section on borrowing from phase 2 (the posterior rule with a robust "
            f"prior, against its weight) cannot be built: {exc}; or leave assurance and that "
            "section out with --no-assurance"
        ) from None


def borrowing_sweep(
    design, n: int, idata, trials: int, seed: int, analysis: str, progress=None
) -> tuple:
    """The posterior rule against the weight of phase 2, at ``n``: its power and type I error
    at the design's threshold (a sweep over ``prior_weight``), and at each weight the
    threshold calibrated to the one-sided level with the power there
    (:func:`designs.planning.borrowing.calibrated_borrowing`, on the same trials under the
    effect). ``progress`` hears of the calibration's trials.

    The design's rule becomes the posterior rule with a robust prior (the design's threshold
    and margin); ``(None, None)`` when the analysis has no estimate in points/month.
    """
    from designs.analyses import registry
    from designs.planning.borrowing import calibrated_borrowing
    from designs.planning.decision_rule import phase2_effect_prior
    from designs.planning.power_curve import design_at

    if registry.get(analysis).units != "points/month":
        return None, None
    d = _borrowing_design(design_at(design, n), analysis)
    phase2 = phase2_effect_prior(d, idata)
    sweep = run_sweep(
        d, {"prior_weight": list(PRIOR_WEIGHTS)}, trials, seed, (analysis,), phase2_prior=phase2
    )
    calibrated = calibrated_borrowing(d, phase2, PRIOR_WEIGHTS, trials, seed, progress=progress)
    return sweep, calibrated


def effect_grid(design) -> list[float]:
    """The power sweep's effects: 0.75, 1 and 1.25 times the design's, those within the
    effect's range (:func:`designs.planning.operating.effects_in_range`)."""
    grid = [round(f * design.effect.value, 6) for f in (0.75, 1.0, 1.25)]
    return effects_in_range(design, grid)


def assurance_trials(trials: int) -> int:
    """Trials of the report's assurance at each size: at least the main job's
    (:data:`~designs.planning.main_job.MAIN_ASSURANCE_TRIALS`), so that a report on the main
    job's design and seed gives the main job's assurance (a grant writer's review read 0.800
    in the report beside the main job's 0.794, the same quantity at 2,000 and 4,000 trials),
    at every size of the curve alike (more trials at n alone made the curve jump there)."""
    from designs.planning.main_job import MAIN_ASSURANCE_TRIALS

    return max(trials, MAIN_ASSURANCE_TRIALS)


def plan_report(
    design,
    *,
    trials: int = 2000,
    seed: int = DEFAULT_SEED,
    targets: Sequence[float] = (0.8, 0.9),
    idata=None,
    analysis: str | None = None,
    progress: Callable[[int], None] | None = None,
    refine_trials: int = 0,
) -> ReportPlan:
    """Simulate everything a report shows.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        Fixed-effect design, with or without ``[interim]`` looks.
    trials : int
        Simulated trials per point.
    seed : int
        Seed of every simulation (common random numbers across them).
    targets : sequence of float
        Target powers; the operating characteristics are at the first target's n.
    idata : xarray.DataTree, optional
        Phase 2 posterior; without it, no assurance (and no robust prior that borrows).
    analysis : str, optional
        Analysis name (default: the design's).
    progress : callable, optional
        Called with the number of trials finished.
    refine_trials : int
        0: the sample-size search has one stage (``trials`` per size). Otherwise a second
        stage of ``refine_trials`` trials at the sizes near each n
        (:func:`designs.planning.sample_size.find_sample_size`; with interim looks, of the
        fixed design's search that n max is scaled from). Every other simulation of the
        report keeps ``trials`` per point.
    """
    from designs.planning.refine import check_refine_trials

    targets = tuple(targets)
    check_refine_trials(refine_trials, design)
    if idata is not None:  # on the fixed design, as the section runs (its looks left out)
        from designs.planning.report_interim import fixed_design

        fixed = fixed_design(design) if design.interim.sequential else design
        check_borrowing_section(fixed, analysis or str(design.trial.analysis))
    phase2 = prior = None  # the posterior rule's prior (every simulation below uses it)
    if design.decision.is_posterior:
        from designs.planning.decision_rule import decision_prior, phase2_effect_prior

        if design.decision.borrows and idata is not None:
            phase2 = phase2_effect_prior(design, idata)
        prior = decision_prior(design, phase2=phase2)  # refuses borrowing without phase 2
    # operating characteristics (power, type I error, 8 effects) and the realism scenarios
    null_trials = type_i_trials(nominal_type_i_error(design), trials)
    runs = 1 + len(oc_effects(design)) + len(realism_scenarios(design))
    if frequentist_twin(design) is not None:  # the one-sided test beside the rule
        runs, null_trials = runs + len(oc_effects(design)), 2 * null_trials
    null_trials += realism_null_runs(design) * realism_null_trials(design, trials)
    expect(progress, runs * trials + null_trials)
    interim = None
    if design.interim.sequential:  # the interim design beside the fixed one
        from designs.planning.report_interim import fixed_design, plan_interim

        if analysis is not None:
            design = design.with_overrides({"trial.analysis": analysis})
        interim = plan_interim(
            design,
            targets,
            trials,
            seed,
            progress=progress,
            prior=prior,
            refine_trials=refine_trials,
        )
        result = interim.sample_size.fixed
        design = fixed_design(design)  # every other table is about the fixed design
    else:
        result = find_sample_size(
            design,
            targets,
            trials,
            seed,
            analysis,
            progress=progress,
            prior=prior,
            refine_trials=refine_trials,
        )
    analysis = result.analysis
    from designs.planning.report_interim import refuse_unreached

    refuse_unreached(result.rows)
    chosen = result.rows[0]
    sizes = _sweep_sizes(result, design.trial.allocation.block)
    # every other size of the power curve, its last (a review: the assurance bands stopped at
    # 312 per arm where the power line ran on to 343) and each n found; each size is simulated
    # on its own with the same seed, so adding one leaves the others' numbers as they were
    a_sizes = sorted(set(sizes[::2] + sizes[-1:] + [r.n for r in result.rows]))
    others = compared_analyses(design, analysis)[1:]
    a_trials = assurance_trials(trials)
    assurance_runs = 0 if idata is None else len(TRANSPORTS) * len(a_sizes) * RUNS_PER_ASSURANCE
    # the power sweep (sizes x 3 effects), the other analyses (sizes), assurance
    expect(progress, len(sizes) * (3 + bool(others)) * trials + assurance_runs * a_trials)
    oc = operating_characteristics(
        design, chosen.n, trials, seed, analysis, progress=progress, prior=prior
    )
    if prior is not None:  # the posterior rule's threshold and prior, in the JSON file too
        from designs.planning.decision_rule import rule_record

        oc = {**oc, "decision_rule": rule_record(design, prior)}
    if interim is not None:
        interim = replace(
            interim,
            fixed_type_i_error=oc["type_i_error"],
            fixed_type_i_mc_se=oc["type_i_error_mc_se"],
            fixed_type_i_trials=oc["type_i_trials"],
        )
    compared = tuple(
        a for a in dict.fromkeys((analysis, *REALISM_ANALYSES)) if _rule_allows(design, a)
    )
    realism = realism_sensitivity(
        design, chosen.n, trials, seed, compared, progress=progress, prior=prior
    )
    effects = effect_grid(design)
    tick = None if progress is None else (lambda cells: progress(cells * trials))
    sweep = run_sweep(
        design,
        {chosen.size_name: sizes, "effect": effects},
        trials,
        seed,
        (analysis,),
        progress=tick,
        phase2_prior=phase2,
    )
    # the other analyses at the design's effect only; the same seed gives the same simulated
    # trials in every cell (common random numbers), so they are compared on the same trials
    own = sweep.sel(effect=[round(design.effect.value, 6)])
    analyses = (
        own
        if not others
        else xr.concat(
            [
                own,
                run_sweep(
                    design,
                    {chosen.size_name: sizes, "effect": [round(design.effect.value, 6)]},
                    trials,
                    seed,
                    others,
                    progress=tick,
                    phase2_prior=phase2,
                ),
            ],
            dim="analysis",
            data_vars="all",  # xarray's default until 2025 (explicit: no FutureWarning)
            coords="different",
            compat="equals",
            join="exact",
        )
    )
    analyses.attrs["analyses"] = ",".join(str(a) for a in analyses.analysis.values)
    plan = dict(
        design=design,
        sample_size=result,
        operating=oc,
        realism=realism,
        realism_n=chosen.n,
        power_sweep=sweep,
        analyses_sweep=analyses,
        targets=targets,
        trials=trials,
        seed=seed,
        closed_form=closed_form_reference(design, result, analysis),
        interim=interim,
    )
    if idata is None:
        return ReportPlan(**plan)
    draws = {tr: posterior_draws(idata, tr) for tr in TRANSPORTS}
    curves = {
        tr: assurance_curve(
            design, draws[tr], a_sizes, a_trials, seed, analysis, tr, progress=progress,
            prior=prior,
        )
        for tr in draws
    }  # fmt: skip
    assurance = {r.n: {tr: curves[tr][a_sizes.index(r.n)] for tr in curves} for r in result.rows}
    plan["prior_weight_sweep"], plan["prior_weight_calibrated"] = borrowing_sweep(
        design, chosen.n, idata, trials, seed, analysis, progress
    )
    if interim is not None:  # the interim design's assurance at n max beside the fixed one's
        from designs.planning.report_interim import with_assurance

        plan["interim"] = with_assurance(
            plan["interim"],
            draws,
            assurance[chosen.n],
            a_trials,  # as many as the fixed design's beside it
            seed,
            prior=prior,
            progress=progress,
        )
    return ReportPlan(
        **plan,
        posterior_effect=draws,
        assurance_curves=curves,
        assurance_sizes=a_sizes,
        assurance=assurance,
        posterior_attrs=dict(idata.attrs),
        undefined_draws=undefined_proportional_draws(idata),
    )
