"""The fit subcommand: the phase 2 progression model fitted to the bundled or the user's data,
the posterior written to a file (:mod:`progression.model`), and ``--reconstructions``'
refits on alternative reconstructions of the bundled data."""

from __future__ import annotations

import contextlib
import shlex
import sys

from designs.cli.options import add_command, add_force, add_seed_json, print_json, whole
from designs.cli.progress import progress_bar
from designs.errors import InputError


def add_fit(sub) -> None:
    p = add_command(
        sub, "fit", "fit the progression model to phase 2 data, write the posterior", cmd_fit
    )
    add_seed_json(p)
    p.add_argument(
        "--data",
        metavar="CSV",
        help="long-format ALSFRS-R records (default: the bundled, illustrative phase 2 set)",
    )
    p.add_argument(
        "--out", metavar="FILE.nc", default="results/phase2_posterior.nc", help="posterior file"
    )
    p.add_argument("--draws", type=whole(100, 100_000), default=1000, help="draws per chain")
    p.add_argument("--tune", type=whole(100, 100_000), default=1000, help="tuning steps")
    p.add_argument("--chains", type=whole(1, 64), default=4, help="chains")
    p.add_argument(
        "--sampler",
        choices=("pymc", "nutpie"),
        default="nutpie",
        help="NUTS implementation: nutpie's (default, about a third of PyMC's CPU) or PyMC's; "
        "recorded in the posterior file",
    )
    p.add_argument(
        "--prior",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change one hyperparameter of the model's priors (repeatable; set for the CL2020 "
        "population: progression/priors.py), e.g. --prior pre_slope_mean=-1.0 --prior "
        "pre_slope_mean_sd=0.3 for faster-declining patients; recorded in the posterior file",
    )
    p.add_argument(
        "--reconstructions",
        type=whole(1, 40),
        metavar="K",
        help="also refit on K alternative reconstructions of the bundled data (seeds 20231129 "
        "on) and report the range of P(delta > 0), delta's mean and assurance; each is a refit",
    )
    add_force(p)


def cmd_fit(args) -> int:
    from designs.atomic import check_writable
    from progression.diagnostics import fit_summary, format_fit_report, population_summary
    from progression.model import fit, is_posterior_file, save_posterior
    from progression.priors import priors_from_assignments
    from progression.records import BUNDLED_PHASE2, load_phase2

    priors = priors_from_assignments(args.prior)
    if args.reconstructions and args.data:
        raise InputError("--reconstructions: only with the bundled reconstruction (drop --data)")
    if not str(args.out).lower().endswith((".nc", ".nc4")):  # as sweep (a reliability review)
        raise InputError(
            f"--out {args.out}: a posterior is a netCDF file; give a name ending in .nc"
        )
    try:
        data = load_phase2(args.data)
    except InputError as exc:  # named by its option, as analyze names it (a scripting review)
        if args.data and str(exc).startswith(str(args.data)):
            raise InputError(f"--data {exc}") from None
        raise
    _refuse_other_datas_posterior(args, data)
    out = check_writable(
        args.out,
        "--out",
        inputs=[("--data", args.data or BUNDLED_PHASE2)],
        is_earlier_output=is_posterior_file,
        what="posterior written by this tool",
        force=args.force,
    )
    from designs.analyses.data_file import visit_months

    # the months read, so that days or weeks show, as analyze shows them (a review of one's
    # own records: a file in weeks fitted without a word, the effect halved)
    visits = visit_months(data.frame)
    if not args.json:
        print(
            f"fitting {data.source} ({'ILLUSTRATIVE reconstruction, ' if data.illustrative else ''}"
            f"{visits['patients']} patients, {visits['visits']} visits at months "
            f"{visits['first']:g} to {visits['last']:g}, {visits['distinct']} distinct): "
            f"{args.chains} chains x {args.draws} draws; a first run compiles the model (can "
            "take a minute or two)",
            file=sys.stderr,
        )
    warnings = list(data.warnings)
    if args.data and data.illustrative:
        # a review of one's own records: pasted under the bundled file's comment lines, they
        # were called a reconstruction in every report, with no word of why
        warnings.append(
            f"{args.data} is marked as an illustrative reconstruction by its "
            f"{data.illustrative_mark} (as the bundled file is), so the outputs will call it "
            "one: delete that mark if these are real records"
        )
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    # the sampler's progress goes where the other progress bars go, to stderr, so that
    # `fit > report.txt` keeps the report alone (a review found the progress table in it)
    with contextlib.redirect_stdout(sys.stderr):
        idata = fit(
            data,
            priors=priors,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            seed=args.seed,
            # the sampler's table only on a terminal: in a log it was box drawings and
            # 80-space lines (a bad-input review)
            progressbar=not args.json and sys.stderr.isatty(),
            nuts_sampler=args.sampler,
        )
    _keep_prior_conflict(idata)
    table = population_summary(idata)  # R-hat, ESS and HDIs: computed once, used thrice
    summary = fit_summary(idata, table)
    replaces = out.exists()  # `fit` said "written" when it replaced a posterior (a review)
    save_posterior(idata, out, summary)
    from progression.convergence import gates_met
    from progression.posterior_file import CHECKSUM_ATTR

    summary["posterior_path"] = str(out)
    summary["data_source"] = data.source
    summary["visit_months"] = visits
    summary["data_warnings"] = warnings
    summary["converged"] = gates_met(summary)  # the gates the report's texts are judged by
    # what an auditor compares (the file's timestamps differ between runs, the draws do not)
    summary["posterior_sha256"] = str(idata.attrs[CHECKSUM_ATTR])
    if not args.json:
        print(format_fit_report(idata, table=table))
        print(
            f"posterior written to {out}{', replacing the earlier one there' if replaces else ''}"
            f" (draws SHA-256 {summary['posterior_sha256']}, data "
            f"SHA-256 {idata.attrs['data_sha256']}); plan with it by --posterior "
            f"{shlex.quote(str(out))} "
            "(assurance, report, and a robust prior that borrows from it; without it they use "
            "the bundled data's fit)"
        )
    if args.reconstructions:
        summary["reconstructions"] = _fit_reconstructions(args, summary, idata, priors)
    if args.json:
        print_json(summary, record=True)
    return 0


def _keep_prior_conflict(idata) -> None:
    """Keep the fit report's PRIOR-DATA CONFLICT note in the posterior file's attributes
    (``prior_data_conflict``), or its milder PRIOR-DATA GAP note (``prior_data_gap``: a
    diff review, a script reading the first would take a gap for a conflict), so that the
    reports and assurance built on it say it too (a review: it was printed by ``fit``
    alone)."""
    from progression.diagnostics import patient_table
    from progression.sensitivity import prior_conflict_note

    note = prior_conflict_note(idata, patient_table(idata))
    if note:
        key = "prior_data_gap" if note.startswith("PRIOR-DATA GAP") else "prior_data_conflict"
        idata.attrs[key] = note


def _refuse_other_datas_posterior(args, data) -> None:
    """Refuse, without ``--force``, to replace a posterior fitted to other data (a review:
    a plain ``fit`` replaced the posterior of the user's own data at the default ``--out``,
    with no word)."""
    from pathlib import Path

    from progression.posterior_file import root_attribute

    if args.force or not Path(args.out).is_file():
        return
    earlier = root_attribute(args.out, "data_sha256")
    if earlier is None or earlier == data.sha256:
        return
    source = root_attribute(args.out, "data_source") or "other data"
    raise InputError(
        f"--out {args.out}: holds a posterior fitted to other data ({source}; its SHA-256 "
        "differs from this file's); give another --out, or --force to replace it"
    )


def _fit_reconstructions(args, bundled: dict, bundled_idata, priors) -> dict:
    """``fit --reconstructions K``: refits on K alternative cohorts (with the fit's priors),
    printed or returned."""
    from designs.planning.posterior import DEFAULT_CACHE
    from designs.planning.reconstructions import AssuranceByCohort
    from designs.spec import load_design
    from progression.reconstructions import (
        BUNDLED_SEED,
        format_spread,
        reconstruction_spread,
        spread_summary,
    )

    design = load_design("default")
    assurance = AssuranceByCohort(design, seed=args.seed)
    assurance(BUNDLED_SEED, bundled_idata)
    bundled = {**bundled, "assurance": assurance.results[BUNDLED_SEED].assurance}
    if not args.json:
        print(
            f"\nrefitting on {args.reconstructions} alternative reconstructions ({args.chains} "
            f"chains x {args.draws} draws each, fits cached in {DEFAULT_CACHE})",
            file=sys.stderr,
        )
    with progress_bar(args.reconstructions, "refit", not args.json) as bar:
        table = reconstruction_spread(
            args.reconstructions,
            priors=priors,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            seed=args.seed,
            cache_dir=DEFAULT_CACHE,
            progress=bar.update,
            sampler=args.sampler,
            keep=assurance,
        )
    table["assurance"] = assurance.column(table.index)
    a_note = (
        f"assurance: {design.describe()}, with the effect drawn from each posterior instead of "
        f"the design's (proportional transport); {assurance.trials} trials per cohort, seed "
        f"{args.seed}"
    )
    if not args.json:
        print("\n" + format_spread(table, bundled) + "\n" + a_note)
    out = spread_summary(table)
    out["bundled_assurance"] = bundled["assurance"]
    out["assurance_range"] = [float(table["assurance"].min()), float(table["assurance"].max())]
    out["assurance_design"] = a_note
    out["cohorts"] = table.reset_index().to_dict(orient="records")
    return out
