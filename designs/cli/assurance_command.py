"""The assurance subcommand: power averaged over the phase 2 posterior of the effect, by
transport, with or without the posterior's natural history (:mod:`designs.planning.assurance`
simulates, :mod:`designs.outputs.assurance_text` renders)."""

from __future__ import annotations

from designs.cli.effect_options import refuse_fixed_effect
from designs.cli.interim_options import add_look_decision
from designs.cli.options import (
    add_analysis,
    add_command,
    add_decision,
    add_design,
    add_interim,
    add_posterior,
    add_seed_json,
    add_trials,
    design_from_args,
    parse_set,
    phase2_posterior,
    print_json,
    warn,
)
from designs.cli.parser import hide_options
from designs.cli.progress import progress_bar
from designs.errors import InputError
from designs.spec.fixed_effect import reads_fixed_effect


def add_assurance(sub) -> None:
    p = add_command(
        sub, "assurance", "power averaged over the phase 2 posterior of the effect", cmd_assurance
    )
    add_seed_json(p)
    add_design(p)
    hide_options(p, "--effect")  # refused: the effect is drawn from the posterior
    add_posterior(p)
    add_trials(
        p,
        4000,
        what="simulated trials; the posterior draws are spread evenly over them, and the "
        "draws' own error sets a floor on the MC SE (about 0.007 on the bundled fit's 4,000 "
        "draws and the default design): below it, more draws help (fit --draws), not more "
        "trials (default: %(default)s)",
    )
    add_analysis(p, several=False)
    p.add_argument(
        "--transport",
        choices=("proportional", "absolute"),
        default=None,
        help="how a draw becomes this population's effect (default: the design's "
        "effect.transport; the other is shown beside it)",
    )
    p.add_argument(
        "--natural-history",
        choices=("design", "posterior"),
        default="design",
        help="population of each simulated trial: the design's, or drawn jointly with the "
        "effect from the phase 2 posterior (patients recruited like the phase 2 ones; the "
        "measurement noise stays the design's residual_sd)",
    )
    add_decision(p)
    add_interim(p)
    add_look_decision(p)


def transport_order(idata, first: str) -> tuple[str, ...]:
    """The transports to simulate, ``first`` then the other, which is left out when
    proportional transport is undefined for this posterior (its patients did not decline:
    a review found ``--transport absolute`` refused for the proportional one it never
    asked for). ``first = proportional`` is then refused, naming ``--transport absolute``."""
    from progression.population import proportional_defined

    other = "absolute" if first == "proportional" else "proportional"
    if proportional_defined(idata):
        return (first, other)
    if first == "proportional":
        raise InputError(
            "--transport proportional: the phase 2 patients' posterior-median pre-dose slope "
            "is not a decline, so a fraction of it is undefined; use --transport absolute"
        )
    warn(
        [
            "note: proportional transport is left out: the phase 2 patients' posterior-median "
            "pre-dose slope is not a decline, so a fraction of it is undefined"
        ]
    )
    return (first,)


def cmd_assurance(args) -> int:
    from designs.outputs.assurance_text import assurance_text
    from designs.outputs.console import failed_fit_warnings
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.posterior import posterior_draws
    from progression.population import undefined_proportional_draws

    design = design_from_args(args)
    from designs.outputs.effect_notes import allocation_note

    warn(allocation_note(design))  # as power says it (an allocation review: 100 + 201 unsaid)
    if not reads_fixed_effect(design):  # a cp futility rule under the design's effect reads it
        refuse_fixed_effect(
            args,
            parse_set(args.set),
            "assurance draws each trial's effect from the phase 2 posterior, not the design's "
            "fixed effect (use power for a fixed effect; --transport chooses how a draw "
            "carries over)",
        )
    idata = phase2_posterior(args.posterior)
    prior = None
    if design.decision.is_posterior:
        from designs.planning.decision_rule import decision_prior

        prior = decision_prior(design, idata if design.decision.borrows else None)
    first = args.transport or design.effect.transport.value
    order = transport_order(idata, first)
    history = None
    if args.natural_history == "posterior":
        from progression.population import natural_history_draws

        history = natural_history_draws(idata)
    if design.interim.sequential:
        from designs.cli.interim_commands import assurance_group_sequential

        return assurance_group_sequential(design, args, idata, order, history, prior)
    results = []
    with progress_bar(2 * len(order) * args.trials, "trial", not args.json) as bar:
        for transport in order:
            results.append(
                assurance_from_draws(
                    design,
                    posterior_draws(idata, transport),
                    args.trials,
                    args.seed,
                    args.analysis,
                    transport,
                    natural_history=history,
                    threads=args.threads,
                    progress=bar.update,
                    prior=prior,
                )
            )
        cases = None
        if prior is not None:
            from designs.cli.interim_commands import posterior_rule_cases

            cases = posterior_rule_cases(design, args, idata, first, history, bar.update)
    warn(failed_fit_warnings(results, design))
    if args.json:
        out = results[0].to_dict()
        out["other_transport"] = results[1].to_dict() if len(results) > 1 else None
        out["natural_history"] = args.natural_history  # the design's, or drawn from phase 2
        out["posterior_seed"] = idata.attrs.get("seed")
        out["illustrative_data"] = bool(idata.attrs.get("illustrative_data", 1))
        out["undefined_proportional_draws"] = undefined_proportional_draws(idata)
        if cases is not None:
            out["posterior_rule"] = {k: v.to_dict() for k, v in cases.items()}
        print_json(out, record=True)
    else:
        print(
            assurance_text(
                design,
                results,
                natural_history_from_posterior=history is not None,
                undefined_draws=undefined_proportional_draws(idata) if len(order) > 1 else 0,
                illustrative=bool(idata.attrs.get("illustrative_data", 1)),
                attrs=idata.attrs,
            )
        )
        if cases is not None:
            from designs.outputs.group_sequential import posterior_rule_cases_text

            print(posterior_rule_cases_text(cases))
    return 0
