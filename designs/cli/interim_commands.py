"""The command line's group-sequential branches that do not fit the planning commands' module:
``sample-size`` and ``assurance`` of a design with ``[interim]`` looks (and the posterior
rule's two assurance cases, which ``assurance`` gives with or without looks)."""

from __future__ import annotations

from designs.cli.options import print_json, warn, write_table
from designs.cli.progress import progress_bar
from designs.errors import InputError


def posterior_rule_cases(design, args, idata, transport, history, progress) -> dict:
    """``assurance`` under the posterior rule, with or without looks: the optimistic and
    sceptical analysis priors on the same trials
    (:func:`designs.planning.decision_rule.posterior_rule_assurance`)."""
    from designs.planning.decision_rule import posterior_rule_assurance

    return posterior_rule_assurance(
        design,
        idata,
        args.trials,
        args.seed,
        transport=transport,
        natural_history=history,
        threads=args.threads,
        progress=progress,
    )


def assurance_group_sequential(design, args, idata, order, history, prior=None) -> int:
    """``assurance`` of a design with interim looks: success at any look over the posterior;
    under the posterior rule (``prior``: its analysis prior), the optimistic and sceptical
    cases beside it, as without looks."""
    from designs.outputs.group_sequential import (
        group_sequential_assurance_text,
        posterior_rule_cases_text,
    )
    from designs.planning.assurance_gs import group_sequential_assurance
    from designs.planning.posterior import posterior_draws

    cases = None
    with progress_bar((2 + 2 * (prior is not None)) * args.trials, "trial", not args.json) as bar:
        results = [
            group_sequential_assurance(
                design,
                posterior_draws(idata, tr),
                args.trials,
                args.seed,
                tr,
                prior=prior,
                natural_history=history,
                threads=args.threads,
                progress=bar.update,
            )
            for tr in order
        ]
        if prior is not None:
            cases = posterior_rule_cases(design, args, idata, order[0], history, bar.update)
    other = results[1].to_dict() if len(results) > 1 else None  # see transport_order
    out = {**results[0].to_dict(), "other_transport": other}
    if args.json:
        if cases is not None:
            out["posterior_rule"] = {k: v.to_dict() for k, v in cases.items()}
        print_json(out, record=True)
    else:
        from designs.planning.assurance import DRAWN_EFFECT

        print(design.describe(effect=DRAWN_EFFECT))  # not the fixed effect (a diff review)
        print(group_sequential_assurance_text(results, idata.attrs))
        if cases is not None:
            print(posterior_rule_cases_text(cases))
    return 0


def sample_size_group_sequential(design, args, sizes) -> int:
    """``sample-size`` of a design with interim looks: n max, expected n, inflation."""
    from designs.outputs.sample_size_gs_table import group_sequential_sample_size_table
    from designs.planning.sample_size_gs import find_group_sequential_sample_size

    if args.format not in ("md", "csv"):
        given = f"--out {args.out}" if args.format_from_out else f"--format {args.format}"
        raise InputError(f"{given}: no {args.format} table with --looks; give md or csv")
    if args.analysis and args.analysis != str(design.trial.analysis):
        design = design.with_overrides({"trial.analysis": args.analysis})
    from designs.cli.data_commands import decision_prior_from_args

    prior = decision_prior_from_args(design, args)  # None under the frequentist rule
    with progress_bar(0, "trial", not args.json) as bar:
        result = find_group_sequential_sample_size(
            design,
            args.target_power,
            args.trials,
            args.seed,
            sizes=sizes,
            threads=args.threads,
            progress=bar.update,
            prior=prior,
            refine_trials=args.refine_trials,
        )
    table = group_sequential_sample_size_table(result, design, args.format)
    cautions = _looks_size_cautions(result, design)
    if args.out:  # a Markdown file carries its cautions, as without looks
        from designs.outputs.report_cautions import with_cautions

        md = args.format == "md"
        write_table(args.out, with_cautions(table, cautions) if md else table, args.format)
    if args.json:
        from designs.cli.planning_commands import size_rows_json
        from designs.planning.decision_rule import rule_record

        # each row as the fixed search gives it, the posterior rule's prior beside it
        print_json(size_rows_json(result.rows, design, rule_record(design, prior)), record=True)
    else:
        print(table, end="")
    warn(cautions)
    return 0


def _looks_size_cautions(result, design) -> list[str]:
    """The group-sequential search's warnings and notes, as stderr gives them and a
    Markdown ``--out`` file carries them."""
    from designs.outputs.effect_notes import informative_exits_notes
    from designs.outputs.level_warnings import (
        group_sequential_type_i_warnings,
        lenient_alpha_notes,
    )
    from designs.outputs.small_arm import no_slope_variance_note, small_n_notes

    analysis = design.trial.analysis.value
    return [
        *group_sequential_type_i_warnings(result.rows),
        *informative_exits_notes(design, analysis),  # as without looks
        *small_n_notes(result.rows, design),  # at n max (a diff review: without looks only)
        *filter(None, [no_slope_variance_note(design, [analysis])]),
        *lenient_alpha_notes(design),  # as without looks (a multiplicity review)
        *(
            f"warning: target power {r.target_power:g} not reached at the largest size "
            f"simulated ({r.size_name} {r.n_max:,}); give larger --sizes"
            for r in result.rows
            if not r.reached
        ),
    ]
