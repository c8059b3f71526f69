"""Subcommands on one design: power, trial, bench, designs (analyze: :mod:`analyze_command`)."""

from __future__ import annotations

from designs.cli.interim_options import add_look_decision
from designs.cli.options import (
    MAX_INDEX,
    MAX_TRIALS,
    add_analysis,
    add_command,
    add_decision,
    add_design,
    add_force,
    add_interim,
    add_posterior,
    add_seed_json,
    add_trials,
    command_line,
    design_from_args,
    design_inputs,
    parse_set,
    phase2_posterior,
    print_json,
    warn,
    whole,
)
from designs.cli.progress import progress_bar
from designs.errors import InputError
from designs.program import program_name


def add_power(sub) -> None:
    p = add_command(sub, "power", "power of one design, with its Monte Carlo error", cmd_power)
    add_seed_json(p)
    add_design(p)
    add_trials(p, 2000)
    add_analysis(p, several=True)
    add_decision(p)
    add_interim(p)
    add_look_decision(p)
    add_posterior(p)


def refuse_unread_posterior(design, args) -> None:
    """``--posterior`` where no prior borrows from phase 2 (a review: a missing file was
    accepted in silence, also by ``power --looks``)."""
    if getattr(args, "posterior", None) and not design.decision.borrows:
        raise InputError(
            f"--posterior {args.posterior}: read only by the posterior rule's robust prior "
            "with a weight above 0 (--decision posterior --prior robust --prior-weight W); "
            "drop it"
        )


def decision_prior_from_args(design, args):
    """The posterior rule's prior (None under the frequentist rule); the phase 2 posterior is
    read (or fitted once) only when the prior borrows from it, and ``--posterior`` is refused
    where it is not (:func:`refuse_unread_posterior`)."""
    refuse_unread_posterior(design, args)
    if not design.decision.is_posterior:
        return None
    from designs.planning.decision_rule import decision_prior

    idata = phase2_posterior(args.posterior) if design.decision.borrows else None
    if idata is not None and not getattr(args, "json", False):  # (JSON: print_json names it)
        from designs.outputs.posterior_source import posterior_source

        # a Bayesian review: the README promised that every output resting on a posterior
        # names its data and draws; power, calibrate and analyze did not
        print(f"phase 2 posterior the prior borrows from: {posterior_source(idata.attrs)}")
    from designs.outputs.prior_notes import robust_sd_note

    if (note := robust_sd_note(design)) and not getattr(args, "json", False):
        print(note)
    return decision_prior(design, idata)


def cmd_power(args) -> int:
    from designs.outputs.console import failed_fit_warnings, power_text
    from designs.planning.power import power

    design = design_from_args(args)
    if design.interim.sequential:
        return _power_group_sequential(design, args)
    analyses = tuple(args.analysis) if args.analysis else (str(design.trial.analysis),)
    prior = decision_prior_from_args(design, args)
    runs = 2 if prior is not None else 1  # the posterior rule: also the same trials, no effect
    with progress_bar(runs * args.trials, "trial", not args.json) as bar:
        out = power(
            design,
            args.trials,
            args.seed,
            analyses,
            threads=args.threads,
            progress=bar.update,
            prior=prior,
            type1=True,
        )
    summaries = list(out.values())
    if args.json:
        from designs.planning.decision_rule import rule_record
        from designs.planning.operating import calendar_length

        rule = rule_record(design, prior)
        more = calendar_length(design) | ({"decision_rule": rule} if rule else {})
        rows = [{**s.to_dict(), **more} for s in summaries]
        print_json(rows[0] if len(rows) == 1 else rows, record=True)
        from designs.outputs.console import power_notes

        # the notes the text gives, on stderr as sample-size gives its own (a scripting
        # review: --json dropped every caution, the small-arm and multiplicity notes too)
        warn(power_notes(design, summaries))
    else:
        print(power_text(design, summaries, prior))
    warn(failed_fit_warnings(summaries, design))
    return 0


def _power_group_sequential(design, args) -> int:
    """``power`` of a design with interim looks: simulated under its effect and no effect."""
    from designs.outputs.group_sequential import group_sequential_text
    from designs.planning.group_sequential import group_sequential_power

    if args.analysis and len(args.analysis) > 1:
        raise InputError("--analysis: give one analysis with interim looks (--looks)")
    refuse_unread_posterior(design, args)
    from designs.outputs.effect_notes import allocation_note

    warn(allocation_note(design))  # as fixed power says it (an allocation review)
    from designs.outputs.level_warnings import lenient_alpha_notes

    warn(lenient_alpha_notes(design))  # as fixed power says it (a multiplicity review)
    if design.decision.is_posterior:
        return _power_posterior_looks(design, args)
    with progress_bar(2 * args.trials, "trial", not args.json) as bar:
        summary = group_sequential_power(
            design, args.trials, args.seed, threads=args.threads, progress=bar.update
        )
    if args.json:
        print_json(summary.to_dict(), record=True)
    else:
        print(group_sequential_text(design, summary))
    return 0


def _power_posterior_looks(design, args) -> int:
    """``power`` of the posterior rule at interim looks (under the effect and no effect)."""
    from designs.outputs.decision_looks import posterior_looks_text
    from designs.planning.decision_looks import posterior_looks_power

    prior = decision_prior_from_args(design, args)
    with progress_bar(2 * args.trials, "trial", not args.json) as bar:
        summary = posterior_looks_power(
            design, args.trials, args.seed, prior=prior, threads=args.threads, progress=bar.update
        )
    if args.json:
        from designs.planning.decision_rule import rule_record

        print_json({**summary.to_dict(), "decision_rule": rule_record(design, prior)}, record=True)
    else:
        print(posterior_looks_text(design, summary, prior))
    from designs.outputs.level_warnings import posterior_looks_warnings

    warn(posterior_looks_warnings(design, summary))
    return 0


def add_trial(sub) -> None:
    p = add_command(sub, "trial", "one simulated trial as a long-format CSV", cmd_trial)
    add_seed_json(p)
    add_design(p)
    p.add_argument(
        "--out",
        required=True,
        help="CSV file to write (plain CSV; seed, version, command and design go to "
        "FILE.csv.json beside it)",
    )
    p.add_argument(
        "--index", type=whole(0, MAX_INDEX), default=0, help="which trial of the seed's run"
    )
    add_interim(p)  # with looks the CSV has each patient's entry month
    add_force(p)


def cmd_trial(args) -> int:
    from designs.atomic import atomic_paths, check_writable
    from designs.outputs import trial_csv as tc
    from designs.simulation.engine import simulate_one_trial
    from designs.simulation.inputs import simulation_inputs

    inputs = design_inputs(args)
    what = f"trial written by `{program_name()} trial`"
    check_writable(
        args.out,
        "--out",
        inputs=inputs,
        is_earlier_output=tc.is_trial_output,
        what=what,
        force=args.force,
    )
    sidecar = tc.sidecar_path(args.out)
    check_writable(
        sidecar,
        "--out",
        inputs=inputs,
        is_earlier_output=tc.is_trial_sidecar,
        what="provenance of a " + what,
        force=args.force,
    )
    design = design_from_args(args)
    from designs.outputs.effect_notes import allocation_note, floor_note

    warn(allocation_note(design))  # as power says it (an allocation review: 30 + 61 unsaid)
    warn(floor_note(design))  # as power says it (a clinimetrics review: 33% at 0, unsaid)
    from designs.planning.power import check_fixed_effect

    check_fixed_effect(design)  # one trial of the fixed effect, not a posterior draw
    trial = simulate_one_trial(simulation_inputs(design), args.seed, args.index)
    entries = None
    if design.interim.sequential:  # the entry months the looks' simulation draws
        from designs.planning.look_times import entry_knots
        from designs.simulation.entries import trial_entry_months

        t = design.trial
        knots = entry_knots(design)
        entries = trial_entry_months(t.n_placebo, t.n_active, args.seed, args.index, knots)
    text = tc.trial_csv_text(
        trial, integer_scores=design.population.integer_scores, entry_month=entries
    )
    from designs.simulation.numba_cache import software

    provenance = {
        "tool": software(),
        "seed": args.seed,
        "trial_index": args.index,
        "command": command_line(),
        "design": design.to_toml(),
        **tc.screening_fields(trial),  # candidates screened per arm, when the design screens
    }
    from designs.planning.trial_looks import looks_left_out, trial_at_looks

    looks, why_not = None, looks_left_out(design)
    if design.interim.sequential and not why_not:
        # each look's analysis and decision (a review: --spending changed nothing here)
        looks = trial_at_looks(design, args.seed, args.index)
        provenance["looks"] = looks
    with atomic_paths([args.out, sidecar]) as (tmp_csv, tmp_json):
        tmp_csv.write_text(text, encoding="utf-8")
        tmp_json.write_text(
            tc.sidecar_text(
                provenance,
                entry_columns=entries is not None,
                delta_fs_column=tc.screens_on_delta_fs(trial),
            ),
            encoding="utf-8",
        )
    patients, rows = len(trial["status"]), len(trial["patient"])
    if args.json:
        out = {"out": str(args.out), "sidecar": str(sidecar), "patients": patients, "rows": rows}
        print_json(out if looks is None else {**out, "looks": looks})
    else:
        print(f"wrote {args.out}: {patients} patients, {rows} visits (provenance in {sidecar})")
        if looks is not None:
            information = design.interim.information.value
            print("\n" + tc.looks_text(looks, design.trial.analysis.value, information))
    if why_not:
        warn([f"note: the looks' decisions are not given: {why_not}"])
    return 0


def add_bench(sub) -> None:
    p = add_command(sub, "bench", "trials per second against plain NumPy and RNG floors", cmd_bench)
    p.add_argument(
        "--trials",
        type=whole(1000, MAX_TRIALS),
        default=50_000,
        help="engine trials per row in each of the 6 rounds",
    )
    p.add_argument(
        "--numpy-trials",
        type=whole(100, 1_000_000),
        default=2_500,
        help="plain NumPy trials in each of the 6 rounds",
    )


def cmd_bench(args) -> int:
    import os

    from benchmarks.bench import ROUNDS, format_rows, machine_text, run_benchmark

    print(
        f"reference design: 100 per arm, 13 monthly visits, integer scores, complete data; "
        f"{os.cpu_count()} cores\n"
        "lmm_slope also on the default design (published attrition) and with informative "
        "dropout and death, and with 3 looks (x fixed: ratio to the complete-data lmm_slope "
        "row; for the oracle and the default design's 3 looks, to the default design's row)\n"
        f"{ROUNDS} rounds, each timing every row once: medians of the per-round ratios, and the "
        "range of the ratio to NumPy"
    )
    rows = run_benchmark(args.trials, args.numpy_trials)
    print(format_rows(rows))
    print(machine_text(args.trials, args.numpy_trials))
    # other processes take the 2-thread engine's cores, not the 1-core NumPy's: say how busy
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    return 0


def add_designs(sub) -> None:
    p = add_command(
        sub, "designs", "list the design library, or show one design's resolved TOML", cmd_designs
    )
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list", help="what to do")
    p.add_argument("name", nargs="?", help="with show: a library name or a TOML file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="with show: override fields first (TOML values)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def cmd_designs(args) -> int:
    from designs.spec import list_designs, load_design

    if args.action == "list":
        if args.name:
            raise InputError(
                f"designs list: takes no design name ({args.name}); designs show {args.name}"
            )
        if args.set:
            raise InputError("designs list: takes no --set; designs show NAME --set ...")
        rows = {name: load_design(name).describe() for name in list_designs()}
        if args.json:
            print_json(rows)
        else:
            width = max(len(n) for n in rows)
            for name, text in rows.items():
                print(f"{name:<{width}}  {text}")
        return 0
    if not args.name:
        raise InputError("designs show: give a design name or TOML file, e.g. default")
    design = load_design(args.name)
    overrides = parse_set(args.set)
    if overrides:
        design = design.with_overrides(overrides)
    if args.json:
        print_json(design.to_dict())
    else:
        from designs.outputs.design_toml import annotated_toml

        print(annotated_toml(design), end="")  # each field's unit and range as a comment
    from designs.outputs.methods_inputs import unread_sources

    warn(f"warning: {line}" for line in unread_sources(design))
    return 0
