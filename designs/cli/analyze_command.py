"""``simulate.py analyze``: the trial's analysis on one's own long-format CSV, at the end or
at one of the design's interim looks (``--look``)."""

from __future__ import annotations

import math

from designs.cli.data_commands import decision_prior_from_args
from designs.cli.interim_options import add_analysis_look, add_look_decision, looks_value
from designs.cli.options import (
    add_analysis,
    add_command,
    add_decision,
    add_design,
    add_interim,
    add_json,
    add_posterior,
    design_from_args,
    finite,
    print_json,
    warn,
)
from designs.errors import InputError
from designs.program import program_name

__all__ = ["add_analyze", "cmd_analyze"]

#: The options that belong to ``--look`` (refused without it: they would be ignored).
_LOOK_ONLY = (
    ("looks", "--looks"),
    ("look_months", "--look-months"),
    ("look_completed", "--look-completed"),
    ("spending", "--spending"),
    ("futility", "--futility"),
    ("information_max", "--information-max"),
    ("thresholds", "--thresholds"),
    ("futility_predictive", "--futility-predictive"),
)


def add_analyze(sub) -> None:
    p = add_command(sub, "analyze", "the trial analysis on your own long-format CSV", cmd_analyze)
    add_json(p)  # no --seed: the analysis draws no random numbers (it was accepted, unread)
    p.add_argument(
        "--data",
        required=True,
        help="long-format CSV, one row per visit: patient (any id), arm (0/1, placebo/control or "
        "active/treatment), month (from randomisation; < 0 for lead-in visits), alsfrs_r "
        "(points, 0-48); "
        "joint_rank also needs status (completed/dropout/death) and exit_month (months, "
        "within follow-up); slope_change_lead_in needs lead-in visits; lines starting with # "
        "above the header are comments",
    )
    add_analysis(p, several=False)
    p.add_argument(
        "--alpha",
        type=finite,
        help="significance level, in (0, 1): the decision and the (1 - alpha) interval "
        "(default: the design's trial.alpha, 0.05 in the default design)",
    )
    p.add_argument(
        "--sides",
        type=int,
        choices=(1, 2),
        help="two-sided, or one-sided favouring active (then the interval is the one-sided "
        "lower bound) (default: the design's trial.sides, 2 in the default design)",
    )
    p.add_argument(
        "--df-method",
        choices=("satterthwaite", "kenward-roger"),
        default=None,
        help="lmm_slope only: Satterthwaite df (default) or Kenward-Roger adjusted SE and df",
    )
    p.add_argument(
        "--last-month",
        type=finite,
        metavar="M",
        help="the last scheduled visit, months: for ancova_change (default: the month most "
        "patients' records end at; completers have visits at exactly month 0 and M) and "
        "joint_rank (default: the file's last visit month; completers are followed to M, "
        "e.g. a data cut before anyone reached the last visit)",
    )
    p.add_argument(
        "--continuous-scores",
        action="store_true",
        help="accept any finite score, fractions of a point and beyond 0-48 (a trial "
        "simulated with population.integer_scores = false, neither rounded nor clipped); by "
        "default a score must be whole points in 0-48",
    )
    # the posterior rule on the data, as the design judges its simulated trials (its prior
    # may need the design: unit information, the transport of phase 2)
    add_design(p, sizes=False)
    add_decision(p)
    add_posterior(p)
    # at an interim look: which look, the earlier looks' SEs, the design's looks and rule
    add_analysis_look(p)
    add_interim(p)
    add_look_decision(p)


def cmd_analyze(args) -> int:
    from designs.analyses.data_file import arm_labels, read_trial_csv, visit_months
    from designs.analyses.registry import analyze
    from designs.outputs.analysis_text import result_text

    at_look = args.look is not None
    _check_look_options(args, at_look)
    # at a look the design's analysis is the one analysed (its planned information is I_max)
    design = design_from_args(args, analysis_field=at_look)
    analysis = args.analysis or design.trial.analysis.value
    if args.last_month is not None:  # the analysis given or the design's (a reread)
        if analysis not in ("ancova_change", "joint_rank"):
            raise InputError("--last-month: only with --analysis ancova_change or joint_rank")
        from designs.analyses.registry import MONTHS_PLAUSIBLE

        if not 0 < args.last_month <= MONTHS_PLAUSIBLE:  # 5000 passed (a diff review)
            raise InputError(
                f"--last-month {args.last_month:g}: must be > 0 and at most "
                f"{MONTHS_PLAUSIBLE:g} (months)"
            )
    if design.decision.is_posterior:
        from designs.planning.decision_rule import check_analyses

        check_analyses((analysis,))
    earlier_se = []
    if args.earlier_se:
        earlier_se = looks_value(args.earlier_se, "--earlier-se", "SEs, e.g. 0.0845728")
    earlier_df = []
    if args.earlier_df:
        earlier_df = looks_value(args.earlier_df, "--earlier-df", "df, e.g. 70.97")
    if at_look:
        from designs.planning.interim_look import check_look

        check_look(design, analysis, args.look, earlier_se, earlier_df)
    prior = decision_prior_from_args(design, args)  # None under the frequentist rule
    data = read_trial_csv(args.data, "--data", whole_scores=not args.continuous_scores)
    out = analyze(
        data,
        analysis,
        alpha=design.trial.alpha if args.alpha is None else args.alpha,
        sides=design.trial.sides if args.sides is None else args.sides,
        df_method=args.df_method,
        last_month=args.last_month,
        whole_scores=not args.continuous_scores,
    ).to_dict()
    out["visit_months"] = visit_months(data)
    out["columns_not_read"] = _columns_not_read(data)
    # ancova_change's warning names those it leaves out, by arm; at a look the patients
    # recruited late have not reached the cut's last month: null there, as when none left
    out["leaving"] = None
    if analysis != "ancova_change" and not at_look:
        from designs.analyses.data_file import leavers

        # how the analysis treats them (a missing-data review: the command used on the real
        # trial never stated its missing-data assumption)
        left = leavers(data, args.last_month)  # joint_rank's end of follow-up, if given
        if left is not None:
            from designs.analyses.registry import get

            entry = get(analysis)
            left["leaving_strategy"] = entry.dropout_short
            left["death_strategy"] = entry.death_short
        out["leaving"] = left
    out["arm_labels"] = arm_labels(data)
    if out["analysis"] == "joint_rank":
        from designs.outputs.analysis_text import JOINT_RANK_CI_NOTE

        out["ci_note"] = JOINT_RANK_CI_NOTE
    if prior is not None:
        from designs.planning.decision_rule import posterior_decision, rule_record

        post = posterior_decision(design, prior, out["estimate"], out["se"])
        # at a look its own threshold decides (interim_look), but the prior and the posterior
        # mixture are the same record (a Bayesian review: a look gave neither)
        out.update(post if not at_look else {"posterior_components": post["posterior_components"]})
        out["decision_rule"] = rule_record(design, prior)
        if not at_look:
            out["warnings"] = [*out["warnings"], *_success_on_the_prior(design, out)]
    if not at_look:
        out["warnings"] = [*out["warnings"], *_fixed_test_of_a_design_with_looks(design)]
    if at_look:
        from designs.planning.interim_look import decision_at_look

        out["interim_look"] = decision_at_look(
            design, out, args.look, earlier_se, args.information_max, prior, earlier_df
        )
        month = out["interim_look"]["planned_month"]
        out["warnings"] = [
            *out["warnings"],
            *_rows_after_look(data, args.look, month),
            *_size_against_design(data, design, out["interim_look"]),
        ]
        # the fixed-sample test does not decide at a look (a DSMB review: "significant":
        # true stood beside the look's "final: no rejection")
        out["significant"] = None
        out["ci_adjusted_for_looks"] = False
        if prior is not None:  # the keys a script reads without --look (a Bayesian review)
            look = out["interim_look"]
            out["posterior_probability"] = look["probability"]
            out["threshold"] = look["threshold"]
            out["posterior_success"] = None  # the look's decision decides: interim_look
    warn(f"warning: {line}" for line in out["warnings"])
    if unread := out["columns_not_read"]:
        # a covariate review: site, delta_fs and age columns were left without a word, and a
        # baseline given as a column (no month-0 rows) was not taken as the baseline
        warn(
            [
                f"note: --data's column{'s' if len(unread) > 1 else ''} {', '.join(unread)} "
                f"{'are' if len(unread) > 1 else 'is'} not read: the analyses take patient, "
                "arm, month and alsfrs_r (and status, exit_month) and adjust for no other "
                "covariate (docs/conventions.md#analyses)"
            ]
        )
    warn(_sidecar_note(args, out))
    if args.json:
        print_json(out, record=True)
        return 0
    print(result_text(analysis, args.data, out, at_look=at_look))
    if at_look:
        from designs.outputs.interim_look_text import interim_look_text

        if prior is not None:
            from designs.outputs.console import prior_text

            print("\n".join([prior_text(design, prior), *_posterior_lines(design, prior, out)]))
        print(interim_look_text(design, out["interim_look"]))
    elif prior is not None:
        print(_posterior_rule_text(design, prior, out))
    return 0


def _rows_after_look(data, look: int, month: float) -> list[str]:
    """A file with ``calendar_month`` (as ``trial --out`` writes it) holding rows after the
    look's planned ``month``: ``analyze --look`` analyses every row given (a Bayesian looks
    review: the whole trial's file at look 1 read 1.07 of the planned maximum information and
    "stop for efficacy", where the rows up to the look's month gave "continue")."""
    if "calendar_month" not in data.columns:
        return []
    import pandas as pd

    calendar = pd.to_numeric(data["calendar_month"], errors="coerce")
    late = int((calendar > month + 1e-6).sum())
    if not late:
        return []
    return [
        f"{late:,} rows have calendar_month after look {look}'s planned month {month:.1f}; "
        "--look analyses every row given, so cut the data at the look's data cut-off first "
        f"(for the planned month: the rows with calendar_month <= {month:.10g})"
    ]


#: How many times its planned fraction (or the reverse) a look spending by its observed
#: information may hold before the output asks whether the planned maximum is the trial's:
#: the DMC review's wrong size gave 0.85 at a planned 0.33 (2.6 times). Small trials' own
#: information varies widely (a docs review: 1.5 times was passed by chance in 15-30% of
#: the trials of 20-30 per arm simulated from the design itself).
FAR_FROM_PLAN = 2.0


#: How far (a fraction of the expected number) the patients in a look's data may be from the
#: number the design expects randomised by the look's month before the output asks whether
#: the design's size is the trial's (beyond 4 binomial SDs of chance as well).
OFF_ENROLMENT = 0.25


def _fixed_test_of_a_design_with_looks(design) -> list[str]:
    """A word when a design with interim looks under the frequentist rule is analysed
    without ``--look``: the fixed-sample test at ``trial.alpha`` is not its final analysis
    (a DSMB review: z 2.02 read "significant: yes" where the final look's boundary was
    2.22)."""
    if not design.interim.sequential or design.decision.is_posterior:
        return []
    k = design.interim.n_looks  # looks given as fractions, months or completions (a review)
    earlier = (  # none by plan: the planned fractions stand for them (a diff review)
        ""
        if design.interim.information.value == "planned"
        else " --earlier-se with the earlier looks' SEs"
    )
    return [
        f"the design plans {k} analyses (interim looks): this is the fixed-sample test at "
        f"alpha {design.trial.alpha:g}, not the trial's group-sequential analysis, whose "
        f"boundaries spend the alpha over the looks; analyse look K with --look K (the final "
        f"analysis: --look {k}{earlier})"
    ]


def _size_against_design(data, design, look: dict) -> list[str]:
    """Where the planned maximum information is the design's, a word when the data do not
    look like the design's trial (a DMC statistician's review: a file of 117 patients judged
    at look 1 with a design of 80 read 0.85 of I_max against a planned 0.33 and spent 0.030
    of alpha, without a word): more patients than the design randomises, or (spending by the
    observed information) a look more than :data:`FAR_FROM_PLAN` times off its planned
    fraction."""
    if look.get("rule") != "frequentist" or look.get("information_max_source") != "the design":
        return []  # (no rule where the analysis gave no estimate: "no decision")
    patients, n_total = int(data["patient"].nunique()), design.trial.n_total
    fix = (
        "give the trial's size (--set trial.n_per_arm=N, or trial.n_total) or the charter's "
        "--information-max"
    )
    if patients > n_total:
        return [
            f"the data hold {patients:,} patients, more than the {n_total:,} the design "
            f"randomises: the planned maximum information is the design's at {n_total:,} "
            f"patients, so every boundary rests on it; {fix}"
        ]
    fraction, planned = look["information_fraction"], look["planned_fraction"]
    expected = look["planned_randomised"]
    # the number randomised by the look's month varies by chance like a binomial count
    spread = 4.0 * math.sqrt(expected * max(1.0 - expected / n_total, 0.0))
    if abs(patients - expected) > max(OFF_ENROLMENT * expected, spread):
        # a DSMB review: a charter's design of 100 per arm beside a trial of 154 per arm
        # read 0.78 of I_max at look 1 (a boundary of 2.29 where the trial's is 2.94)
        return [
            f"the data hold {patients:,} patients where the design expects "
            f"{expected:.1f} randomised by look {look['look']}'s planned month "
            f"{look['planned_month']:.1f}, and the look holds {fraction:.3f} of the planned "
            f"maximum information where the plan has {planned:.3f}: if the trial's size is "
            f"not the design's {n_total:,} (every boundary rests on the design's planned "
            f"maximum), {fix}; if its accrual ran off plan, the boundary is at the information "
            "the look holds"
        ]
    far = max(fraction / planned, planned / fraction) > FAR_FROM_PLAN  # fraction > 0: SE > 0
    if look.get("spending_information") != "planned" and far:
        return [
            f"look {look['look']} holds {fraction:.3f} of the planned maximum information where "
            f"the plan has {planned:.3f}: the boundary is at the information it holds, as "
            "spending by the observed information means, but a look this far from plan may "
            f"mean the design's maximum (at {n_total:,} patients) is not the trial's (a small "
            f"trial's information also varies by chance); if so, {fix}"
        ]
    return []


#: The columns `analyze` reads (calendar_month at a look, where it checks the rows' months);
#: every other is named as not read, `trial --out`'s delta_fs and entry_month too (a diff
#: review: delta_fs, a covariate, went unsaid).
_KNOWN_COLUMNS = frozenset(
    {"patient", "arm", "month", "alsfrs_r", "status", "exit_month", "calendar_month"}
)


def _columns_not_read(data) -> list[str]:
    """The columns of ``--data`` that no analysis reads, as given (the tool's own trial file
    has none)."""
    return [str(c) for c in data.columns if str(c) not in _KNOWN_COLUMNS]


def _sidecar_note(args, out: dict) -> list[str]:
    """A note when ``--data`` is a simulated trial whose sidecar records a design with
    another level or sides than those this analysis judged by (an own-design review: a
    trial simulated one-sided at 0.025 was judged "at alpha 0.05, two-sided", by the default
    design, without a word). Under the posterior rule the level does not decide: no note."""
    import tomllib

    from designs.outputs.trial_csv import read_sidecar, sidecar_path

    meta = read_sidecar(sidecar_path(args.data)) or {}
    try:
        recorded = tomllib.loads(meta.get("design", ""))
    except (tomllib.TOMLDecodeError, TypeError):
        return []
    trial, rule = recorded.get("trial", {}), recorded.get("decision", {}).get("rule")
    alpha, sides = trial.get("alpha"), trial.get("sides")
    if alpha is None or sides is None or rule == "posterior" or out.get("alpha") is None:
        return []
    if (alpha, sides) == (out["alpha"], out["sides"]):
        return []
    sided = {1: "one-sided", 2: "two-sided"}
    chosen = args.alpha is not None or args.sides is not None
    how = (
        "give that design with --design, or --set trial.alpha and trial.sides"
        if args.look is not None  # --alpha and --sides are refused at a look
        else "give that design with --design (or --alpha and --sides)"
    )
    return [
        f"note: {args.data} was simulated from a design at alpha {alpha:g} "
        f"{sided.get(sides, sides)} (its sidecar {sidecar_path(args.data).name}); this analysis "
        f"judged it at alpha {out['alpha']:g} {sided.get(out['sides'], out['sides'])}"
        + (", as asked" if chosen else f": {how}")
    ]


def _check_look_options(args, at_look: bool) -> None:
    """Refuse the options of ``--look`` without it (they would be ignored), and the test's
    ``--alpha`` and ``--sides`` with it (a look spends the design's ``trial.alpha``)."""
    if at_look:
        if args.df_method == "kenward-roger":  # the looks' simulation uses Satterthwaite
            raise InputError(
                "--df-method kenward-roger with --look: the looks are judged as the "
                "simulation judges them, by Satterthwaite's df and the REML SE"
            )
        for name, flag in (("alpha", "--alpha"), ("sides", "--sides")):
            if getattr(args, name) is not None:
                raise InputError(
                    f"{flag} with --look: a look's boundary spends the design's trial.{name}; "
                    f"set it with --set trial.{name}=..."
                )
        return
    if args.earlier_se:
        raise InputError("--earlier-se: only with --look K (the analysis at an interim look)")
    if args.earlier_df:
        raise InputError("--earlier-df: only with --look K (the analysis at an interim look)")
    for name, flag in _LOOK_ONLY:
        if getattr(args, name, None) is not None:
            raise InputError(f"{flag}: only with --look K (the analysis at an interim look)")


def _success_on_the_prior(design, out: dict) -> list[str]:
    """A warning when the posterior rule succeeds where the one-sided test of the same
    estimate at the design's one-sided level does not (a Bayesian review: success at 0.975
    under a borrowing prior, p = 0.049 one-sided, and no word, where ``power`` warns that
    this threshold's type I error is 0.049 at that n)."""
    p, level = out["p_value"], design.trial.alpha / design.trial.sides
    # under a prior that borrows nothing a success beside a test just short of the level is
    # the normal likelihood against the test's t (a diff review: "rests on the prior" there)
    if not out.get("posterior_success") or p is None or not design.decision.borrows:
        return []
    one_sided = p if out["sides"] == 1 else (p / 2 if out["estimate"] > 0 else 1 - p / 2)
    if one_sided <= level:
        return []
    return [
        f"the posterior rule succeeds where the one-sided test of the same estimate does not "
        f"(p = {one_sided:.4g} > {level:g}): the success rests on the prior, and the rule "
        f"holds the type I error at {level:g} only at a threshold calibrated for this trial's "
        f"n and prior ({program_name()} calibrate; for a protocol the upper end of its interval)"
    ]


def _posterior_rule_text(design, prior, out: dict) -> str:
    """``analyze``'s lines on the posterior rule: its prior, P(effect > margin | data) and
    the decision at the design's threshold."""
    from designs.outputs.console import prior_text
    from designs.spec.decision import threshold_text

    margin, p = design.decision.margin, out["posterior_probability"]
    final = " (the final look's)" if design.interim.sequential else ""
    rule = f"P(effect > {margin:g} | data)"
    if p is None:
        verdict = f"posterior rule: {rule} not computed: the analysis gave no estimate"
    else:
        verdict = (
            f"posterior rule: {rule} = {p:.4f} (the estimate and SE as a normal likelihood); "
            f"{'success' if out['posterior_success'] else 'no success'} at threshold "
            f"{threshold_text(out['threshold'])}{final}"
        )
    return "\n".join([prior_text(design, prior), *_posterior_lines(design, prior, out), verdict])


def _posterior_lines(design, prior, out: dict) -> list[str]:
    """The posterior mixture of the effect, and under a borrowing prior its robust
    component's weight against the prior's (a regulatory statistician's review: the weights,
    the standard check of prior-data conflict, were not printed)."""
    from designs.outputs.console import mixture_text

    parts = out.get("posterior_components")
    if not parts:
        return []
    mixture = mixture_text((c["weight"], c["mean"], c["sd"]) for c in parts)
    conflict = ""
    if design.decision.borrows and design.decision.prior_weight < 1:
        # the robust component is the last (weight 1 has none: phase 2 alone; a review read
        # a phase 2 component's weight as the robust one's)
        now, before = parts[-1]["weight"], prior.weights[-1]
        conflict = (
            f"; the robust component's weight {now:.3f} against {before:.3f} in the prior ("
            + (
                "weight moved to it: the data conflict with phase 2, which is borrowed less"
                if now > before
                else "no weight moved to it"
            )
            + "; Schmidli et al. 2014)"
        )
    return [f"posterior of the effect (points/month): {mixture}{conflict}"]
