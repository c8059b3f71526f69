"""The text of assurance: the ``assurance`` command's lines, the main job's assurance table
and note, and what proportional transport did with draws without phase 2 decline."""

from __future__ import annotations

from designs import __version__
from designs.outputs.console import P_EFFECT_NOTE, phase2_caveat
from designs.outputs.numbers import probability_text
from designs.outputs.rates import rate_cell, rate_text
from progression.population import MIN_PHASE2_DECLINE


def undefined_draws_note(undefined: int, total: int) -> str:
    """What proportional transport did with draws whose phase 2 patients did not decline."""
    if not undefined:
        return ""
    return (
        f"Posterior draws without phase 2 decline (mean pre-dose slope above "
        f"-{MIN_PHASE2_DECLINE:g} points/month): {undefined} of {total}; proportional transport "
        "carries such a draw over as a fraction of the posterior-median decline."
    )


def assurance_text(
    design,
    results,
    *,
    natural_history_from_posterior: bool,
    undefined_draws: int = 0,
    illustrative: bool = True,
    attrs=None,
) -> str:
    """The lines of ``assurance``: one per transport, then the run and its caveat.

    ``attrs``: the posterior file's attributes; its provenance
    (:func:`designs.outputs.posterior_source.posterior_source`) is said after its draws,
    and what the fit says of itself (convergence, a prior-data conflict:
    :func:`~designs.outputs.posterior_source.fit_cautions`) after the caveat.

    With ``natural_history_from_posterior`` (``--natural-history posterior``) each trial takes
    its population and its effect from one posterior draw, and the effect is that draw's own
    delta (points/month) under either transport
    (:func:`designs.planning.assurance.assurance_from_draws`); the lines say so instead of
    converting a fraction of the design's or the posterior's decline.
    """
    from designs.planning.assurance import DRAWN_EFFECT, transported_decline_words

    # an assurance review: the design's fixed effect, which assurance does not simulate, was
    # printed at the head of its lines
    lines = [design.describe(effect=DRAWN_EFFECT)]
    if natural_history_from_posterior:
        lines.append(
            "population and effect of each trial: drawn jointly from one phase 2 posterior "
            "draw (baseline mean and SD, slope mean and SD; effect = that draw's "
            "delta, points/month), not the design's population above; the measurement noise "
            f"stays the design's (residual SD {design.population.residual_sd:g} points: the "
            "trial's raters, not "
            + ("the reconstructed phase 2 records'" if illustrative else "the phase 2 raters'")
            + "); a fraction "
            "of a draw's own decline is its delta, so both transports simulate the same trials; "
            "the spread of the effect between patients stays the design's effect.sd (the "
            "posterior's slope_change_sd is set by its prior: five patients hardly inform it)"
        )
    # under the posterior rule the rule's success probability, as the figures say
    word = "success probability" if design.decision.is_posterior else "power"
    # with populations drawn from the posterior, the median effect's power is averaged over
    # them (a review: not the power in the median population)
    over = "; averaged over the drawn populations" if natural_history_from_posterior else ""
    for r in results:
        q = r.power_quantiles
        if natural_history_from_posterior:
            median = f"{r.posterior_median_points:+.3f} points/month, the median of delta"
        elif r.transport == "proportional":
            # a percentage, as the design's effect is given (a plain-language review:
            # "+0.397 fraction of the design's mean decline" where a 40% slowing was meant)
            median = (
                f"a slowing by {100 * r.posterior_median_draw:.1f}% of "
                f"{transported_decline_words(design)} = "
                f"{r.posterior_median_points:+.3f} points/month"
            )
        else:  # absolute: the draw is in points/month already
            median = f"{r.posterior_median_points:+.3f} points/month"
        # no success (or all): the one-sided bound, not an SE of 0 (an assurance review)
        rate = rate_text(r.assurance, r.mc_se, counted_trials(design, r), 3)
        lines.append(
            f"{r.transport}: assurance {rate}; {word} at the "
            f"posterior-median effect ({median}{over}) {median_power_text(r)}; "
            f"P(effect > 0) {r.p_effect_positive:.2f} (this posterior); {word} over the "
            "posterior: median "
            f"{q[0.5]:.2f}, 5-95% {q[0.05]:.2f}-{q[0.95]:.2f}, P(power >= 0.8) "
            f"{r.p_power_at_least_80:.2f}"
        )
    from designs.outputs.posterior_source import fit_cautions, posterior_source

    source = posterior_source(attrs) if attrs is not None else ""
    cautions = fit_cautions(attrs) if attrs is not None else ""
    main = results[0]
    lines.append(
        f"{main.trials} trials per transport, seed {main.seed}, {main.analysis}, failed fits "
        f"{main.failed_fits}; {main.posterior_draws} posterior draws"
        + (f", {source}" if source else "")
        + ". "
        f"{phase2_caveat(illustrative)}" + (f" {cautions}" if cautions else "")
    )
    # with the posterior's population a draw without decline keeps its own delta
    note = (
        ""
        if natural_history_from_posterior
        else undefined_draws_note(undefined_draws, main.posterior_draws)
    )
    return "\n".join([*lines, note] if note else lines)


def main_job_assurance_text(rows, assurance, *, trials: int, seed: int) -> str:
    """The main job's assurance table (one row per target power) and its provenance line.

    Parameters
    ----------
    rows : list of designs.planning.sample_size.SampleSizeRow
    assurance : list of dict
        Per row: transport -> AssuranceResult
        (:func:`designs.planning.main_job.assurance_at_sizes`).
    """
    lines = [
        "| target power | n per arm | n total | assurance, proportional (MC SE) | "
        "assurance, absolute (MC SE) | power at posterior-median effect (proportional) | "
        "P(effect > 0) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row, by_transport in zip(rows, assurance, strict=True):
        prop, absl = by_transport["proportional"], by_transport["absolute"]
        size = str(row.n_per_arm) if row.n_per_arm is not None else "-"
        lines.append(
            f"| {row.target_power:.0%} | {size} | {row.n_total} | "
            f"{_cell(prop)} | {_cell(absl)} | "
            f"{median_power_text(prop, cell=True)} | {prop.p_effect_positive:.2f} |"
        )
    draws = assurance[0]["proportional"].posterior_draws
    lines.append(
        f"\n{trials} trials per size and transport, seed {seed}, {draws} posterior draws, "
        f"als-trial-sim {__version__}. {P_EFFECT_NOTE}"
    )
    return "\n".join(lines)


def median_power_text(r, cell: bool = False) -> str:
    """The power at the posterior-median effect (:func:`probability_text`); where every trial
    (or none) succeeded, with its one-sided 95% bound instead of an SE of 0: '1.000 (all of
    1,000 trials; one-sided 95% lower bound 0.997)', in a table '1.000 (≥ 0.997)'."""
    from designs.outputs.rates import bound_cell, rate_edge, rate_text

    trials = getattr(r, "power_at_median_trials", 0)
    if rate_edge(r.power_at_median, trials) is None:
        return probability_text(r.power_at_median)
    if cell:
        return f"{r.power_at_median:.3f} ({bound_cell(r.power_at_median, trials, 3)})"
    return rate_text(r.power_at_median, 0.0, trials, 3)


def main_job_note(design) -> str:
    """What the main job's numbers assume."""
    return (
        f"Note: n assumes the design's fixed effect ({design.effect.value:g} "
        f"{design.effect.kind.value}), dropout as in the design ({design.gone_text()}, "
        "already simulated, so n is not inflated again) and "
        f"the {design.trial.analysis.value} test; "
        "assurance assumes the phase 2 effect carries over, but it comes from an uncontrolled "
        "before/after comparison in 5 patients whose data here are an illustrative "
        "reconstruction."
    )


def counted_trials(design, r) -> int:
    """The trials an assurance counted: all of them, or without the failed fits under
    ``decision.failed_fits = "exclude"``."""
    return r.trials - (r.failed_fits if design.decision.excludes_failed else 0)


def _cell(r) -> str:
    """An assurance table cell of the main job (the bundled design, a failed fit a failure):
    ``0.787 (0.0080)``, or with no success its one-sided bound."""
    return rate_cell(r.assurance, r.mc_se, r.trials, 3)
