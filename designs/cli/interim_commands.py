"""The command line's group-sequential branches that do not fit the planning commands' module:
``assurance`` of a design with ``[interim]`` looks."""

from __future__ import annotations

from designs.cli.options import print_json, progress_bar


def assurance_group_sequential(design, args, idata, order, history) -> int:
    """``assurance`` of a design with interim looks: success at any look over the posterior."""
    from designs.outputs.group_sequential import group_sequential_assurance_text
    from designs.planning.assurance_gs import group_sequential_assurance
    from designs.planning.posterior import posterior_draws

    with progress_bar(2 * args.trials, "trial", not args.json) as bar:
        results = [
            group_sequential_assurance(
                design,
                posterior_draws(idata, tr),
                args.trials,
                args.seed,
                tr,
                natural_history=history,
                threads=args.threads,
                progress=bar.update,
            )
            for tr in order
        ]
    if args.json:
        print_json({**results[0].to_dict(), "other_transport": results[1].to_dict()})
    else:
        print(design.describe())
        print(group_sequential_assurance_text(results))
    return 0
