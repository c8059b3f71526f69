"""``calibrate``: the threshold of the posterior decision rule for a target type I error."""

from __future__ import annotations

from designs.cli.data_commands import decision_prior_from_args
from designs.cli.decision_options import POSTERIOR_FIELDS
from designs.cli.effect_options import NULL_RUN_FIELDS, refuse_fixed_effect
from designs.cli.interim_options import add_look_decision
from designs.cli.options import (
    add_command,
    add_decision,
    add_design,
    add_interim,
    add_posterior,
    add_seed_json,
    add_trials,
    design_from_args,
    finite,
    parse_set,
    print_json,
)
from designs.cli.parser import hide_options
from designs.cli.progress import progress_bar
from designs.errors import InputError
from designs.program import program_name


def add_calibrate(sub) -> None:
    p = add_command(
        sub,
        "calibrate",
        "threshold of the posterior rule whose type I error is at most the target, by "
        "simulating the design with no effect",
        cmd_calibrate,
    )
    add_seed_json(p)
    add_design(p)
    # the least the target needs, said up front (a scripting review: the parser took 300,
    # then "needs at least 400")
    add_trials(
        p,
        20_000,
        what="simulated trials under no effect (default: %(default)s; at least 10 / target: "
        "400 at 0.025)",
    )
    add_decision(p)
    add_interim(p)
    add_look_decision(p)
    hide_options(p, "--effect", "--thresholds")  # refused: no effect; one threshold
    add_posterior(p)
    p.add_argument(
        "--target",
        type=finite,
        help="type I error to reach, in (0, 0.5) (default: the design's trial.alpha / trial.sides)",
    )


def cmd_calibrate(args) -> int:
    from designs.planning.decision_rule import calibrate

    # options calibrate would ignore (a review: both were accepted without a word)
    if args.decision == "frequentist":
        raise InputError(
            "--decision frequentist: calibrate finds the threshold of the posterior rule "
            "(drop --decision)"
        )
    overrides = parse_set(args.set)
    if getattr(args, "thresholds", None) is not None or "decision.thresholds" in overrides:
        # before the rule's own check, which sent a user without --decision posterior to add
        # it, only to meet this refusal next (a Bayesian review)
        named = "--thresholds" if getattr(args, "thresholds", None) else "decision.thresholds"
        raise InputError(
            f"{named}: calibrate finds one threshold common to every look; drop {named}"
        )
    refuse_fixed_effect(
        args,
        overrides,
        "calibrate simulates every trial with no effect for any patient; drop it",
        NULL_RUN_FIELDS,
    )
    # judged by the posterior rule: its fields (--futility-predictive among them) are taken
    # without --decision posterior, as --prior and --threshold were (a docs review: the
    # predictive futility rule was refused as belonging to the posterior rule)
    args.decision = "posterior"
    design = design_from_args(args, posterior_read=POSTERIOR_FIELDS)
    if args.target is not None and not 0 < args.target < 0.5:  # (a review: 0.6 was taken)
        raise InputError(f"--target {args.target:g}: a type I error; must be in (0, 0.5)")
    prior = decision_prior_from_args(design, args)
    with progress_bar(args.trials, "trial", not args.json) as bar:
        cal = calibrate(
            design,
            args.trials,
            args.seed,
            prior=prior,
            target=args.target,
            threads=args.threads,
            progress=bar.update,
        )
    from designs.planning.decision_rule import rule_record

    _low_threshold_warning(cal)
    if args.json:
        # the rule without its threshold, which the calibration replaces (a review read the
        # design's 0.975 beside the calibrated one; it is uncalibrated_threshold), nor, with
        # looks, the looks' thresholds (a Bayesian review: [0.975, 0.975] stood beside the
        # common 0.99482 calibrated for every look)
        replaced = ("threshold", "thresholds")
        rule = {k: v for k, v in rule_record(design, prior).items() if k not in replaced}
        # what the text's first line and its protocol advice say (a pipeline author's
        # review: the JSON had neither the design's size and level nor the threshold to type)
        trial = design.trial
        size = {"n_placebo": trial.n_placebo, "n_active": trial.n_active}
        level = {"alpha": trial.alpha, "sides": trial.sides}
        protocol = {"protocol_threshold": float(threshold_up(cal.ci95[1]))}
        print_json(
            {**cal.to_dict(), **protocol, **size, **level, "decision_rule": rule}, record=True
        )
        return 0
    weight = f", weight {cal.prior_weight:g}" if cal.prior == "robust" else ""
    if design.interim.sequential:
        weight += f"; one threshold for all {design.interim.n_looks} looks"
        if design.decision.futility_predictive > 0:  # a Bayesian review: it was not said
            weight += (
                "; the futility rule (non-binding) ignored, so the type I error holds whether "
                "or not it is followed"
            )
    print(design.describe())
    from designs.outputs.console import prior_text
    from designs.outputs.numbers import se_text
    from designs.outputs.rates import rate_text
    from designs.spec.decision import threshold_text

    analysed = cal.counted_trials  # the type I errors' denominator

    print(prior_text(design, prior))
    print(
        f"calibrated threshold {threshold_text(cal.threshold)} (MC SE {cal.mc_se:.2g}, 95% MC "
        f"interval {threshold_text(cal.ci95[0])}-{threshold_up(cal.ci95[1])}) for type I "
        f"error <= {cal.target:g}: "
        f"success if P(effect > {cal.margin:g} | data) > threshold; {cal.prior} prior{weight}"
    )
    print(
        f"type I error at the calibrated threshold {cal.type1_calibrated:.4g} on these trials "
        f"(MC SE {se_text(cal.mc_se_calibrated)}; at most {cal.target:g} by construction, on fresh "
        "trials it scatters around the target by about this SE, while the protocol's threshold "
        "(the upper end of the interval, below) holds it with about 97.5% Monte Carlo "
        f"confidence: check that on another seed with {_check_command(cal)}); at "
        f"{cal.uncalibrated_threshold:g} "
        f"{rate_text(cal.type1_uncalibrated, cal.mc_se_uncalibrated, analysed)}; "
        f"{cal.trials} null trials (no effect for any patient; {cal.failed_fits} failed fits), "
        f"seed {cal.seed}"
    )
    from designs.outputs.prior_notes import margin_note

    if cal.margin != 0:
        print(margin_note(cal.margin))
    print(
        f"note: the threshold is an estimate; for a protocol, the upper end of its interval, "
        # rounded up, as the command above types it (a diff review: 0.978486 here, 0.978487
        # in the command and the JSON)
        f"{threshold_up(cal.ci95[1])}, holds the type I error at most {cal.target:g} with "
        "about 97.5% Monte Carlo confidence, at some cost in power (or narrow the interval "
        "with more --trials: its width falls as 1/sqrt(trials))"
    )
    return 0


def _low_threshold_warning(cal) -> None:
    """A threshold below 0.5 (stderr): the rule would succeed on a posterior probability of
    an effect above the margin below one half (a review: margins of 0.2-0.6 points/month
    calibrated to 0.088, 4e-7 and 3e-16 without a warning)."""
    import sys

    if cal.threshold < 0.5:
        print(
            f"warning: the calibrated threshold {cal.threshold:.3g} is below 0.5: success would "
            f"need only P(effect > {cal.margin:g} | data) > {cal.threshold:.3g}, so the rule "
            "no longer says that an effect above the margin is likely; this trial cannot "
            f"show an effect above decision.margin = {cal.margin:g} at type I error "
            f"{cal.target:g}: lower the margin or raise n",
            file=sys.stderr,
        )


def _check_command(cal) -> str:
    """The ``power`` command that checks the protocol's threshold (the upper end of the
    calibrated one's interval, rounded up: :func:`threshold_up`) on fresh trials: this rule
    (prior, weight) at the next seed; its type I error line is the check. (A Bayesian
    review: the check typed the point threshold, whose type I error on fresh trials is
    above the level half the time, and `power` then flagged it "ABOVE" and sent the user
    back to `calibrate`.)"""
    weight = f" --prior-weight {cal.prior_weight:g}" if cal.prior == "robust" else ""
    return (
        f"{program_name()} power --decision posterior --prior {cal.prior}{weight} --threshold "
        f"{threshold_up(cal.ci95[1])} --seed {cal.seed + 1} and this command's other options "
        "(its type I error line)"
    )


def threshold_up(threshold: float) -> str:
    """A threshold in (0, 1) as a decimal rounded up to 6 significant digits, or more where
    that would reach 1: the rule typed from it is at least as strict as the calibrated one (a
    review: 0.9943664 was typed as 0.994366) and never 0 (1.2e-10 read 0.000000, which
    ``power`` refuses)."""
    import math

    for places in range(max(6, 5 - math.floor(math.log10(threshold))), 18):
        scale = 10.0**places
        up = math.ceil(threshold * scale) / scale
        if threshold <= up < 1.0 and up > 0.0:
            return f"{up:.{places}f}".rstrip("0")
    return repr(float(threshold))
