"""The ``[interim]`` options of the command line: the looks (``--looks``, ``--look-months``,
``--look-completed``), ``--spending`` and ``--futility``, and the fields they set."""

from __future__ import annotations

import math

from designs.errors import InputError

__all__ = [
    "LOOK_OPTIONS",
    "add_analysis_look",
    "add_interim",
    "add_look_decision",
    "base_looks_for_grid",
    "interim_overrides",
    "looks_value",
    "refuse_interim_without_looks",
    "refuse_looks_twice",
]


def add_interim(p) -> None:
    """``--looks`` (``--look-months``, ``--look-completed``), ``--spending``, ``--futility``:
    the ``[interim]`` section from the command
    line (each overrides the design's field)."""
    p.add_argument(
        "--looks",
        nargs="+",
        metavar="T",
        help="interim.looks: information fractions of the analyses, increasing, the last 1, "
        "e.g. 0.5,1 or 0.5 1 (default: the design's; none: a fixed design)",
    )
    p.add_argument(
        "--look-months",
        nargs="+",
        metavar="M",
        help="interim.look_months: calendar months of the analyses from the start of recruitment, "
        "increasing, the last after the last patient's last visit, e.g. 18,37 (instead of "
        "--looks)",
    )
    p.add_argument(
        "--look-completed",
        nargs="+",
        metavar="C",
        help="interim.look_completed: fraction of patients past their last scheduled visit "
        "at each analysis, increasing, the last 1, e.g. 0.5,1 (instead of --looks)",
    )
    p.add_argument(
        "--spending",
        metavar="FAMILY",
        help="interim.spending: obf (Lan-DeMets O'Brien-Fleming type), pocock, hsd:GAMMA "
        "(Hwang-Shih-DeCani) or power:GAMMA (default: the design's)",
    )
    p.add_argument(
        "--futility",
        metavar="FAMILY",
        help="interim.futility: none, non-binding futility by beta spending obf, pocock "
        "or hsd:GAMMA, or cp:THRESHOLD (conditional power below THRESHOLD, under the current "
        "trend; interim.futility_cp_under = design for the design effect) (one-sided "
        "designs; default: the design's)",
    )


def add_analysis_look(p) -> None:
    """``analyze``'s ``--look``, ``--earlier-se``, ``--earlier-df`` and ``--information-max``:
    the data as one
    look of the design's interim looks (with :func:`add_interim` and :func:`add_look_decision`
    for the looks and their rule)."""
    from designs.cli.options import finite, whole
    from designs.spec.interim import MAX_LOOKS

    p.add_argument(
        "--look",
        type=whole(1, MAX_LOOKS),
        metavar="K",
        help="judge the data as look K of the design's interim looks (1 = the first; the last "
        "is the final analysis) by the design's rule: the efficacy boundary at the "
        "information observed (1/SE^2 of this and the earlier looks; the planned boundary "
        "under interim.information = planned), the planned futility boundary; give the "
        "looks with --looks (or the design's [interim])",
    )
    p.add_argument(
        "--earlier-se",
        nargs="+",
        metavar="SE",
        help="with --look K under the frequentist rule: the SE of each of the K - 1 earlier "
        "looks' estimates, points/month, as analyze printed them there (6 digits), e.g. "
        "0.0845728 (their information sets the alpha they spent and the correlation of the "
        "looks; not given under interim.information = planned, whose boundaries and "
        "stagewise inference read the plan's fractions, nor under the posterior rule, which "
        "judges each look on its own data)",
    )
    p.add_argument(
        "--earlier-df",
        nargs="+",
        metavar="DF",
        help="with --look K under the frequentist rule: the df of each of the K - 1 earlier "
        "looks' tests, as analyze printed them there; read by the median-unbiased estimate "
        "where the trial stops, which carries the earlier boundaries to the t scale the "
        "decisions were made on (without them it reads them on the z scale, exact at large "
        "df: the estimate runs a little low in small trials)",
    )
    p.add_argument(
        "--information-max",
        type=finite,
        metavar="I",
        help="with --look: the planned maximum information, (points/month)^-2, as the "
        "charter fixed it (default: the design's at its size, as power --looks prints it)",
    )


def add_look_decision(p) -> None:
    """``--thresholds`` and ``--futility-predictive``: the posterior rule at interim looks
    (``decision.thresholds``, ``decision.futility_predictive``)."""
    p.add_argument(
        "--thresholds",
        nargs="+",
        metavar="T",
        help="decision.thresholds: with interim looks and the posterior rule, the threshold of "
        "each look, each in (0, 1), e.g. 0.995,0.98 (default: --threshold at every look)",
    )
    p.add_argument(
        "--futility-predictive",
        metavar="P",
        help="decision.futility_predictive in [0, 1): with interim looks and the posterior "
        "rule, stop at an interim look when the predictive probability of final success is "
        "below P (0: no futility rule; default: the design's)",
    )


def base_looks_for_grid(args) -> list[str]:
    """``--set`` items for a sweep over ``--looks`` plans given ``--thresholds`` or
    ``--futility-predictive``: the base design takes the first plan with looks, so those
    fields (which need looks) are checked; every cell then sets its own looks (the fixed plan
    drops them: :func:`designs.planning.sweep.design.cell_design`)."""
    from designs.planning.sweep.interim import looks_label

    given = any(getattr(args, k, None) is not None for k in ("thresholds", "futility_predictive"))
    plans = [looks_label(t) for t in (getattr(args, "looks_grid", None) or ())]
    plans = [p for p in plans if p != "fixed"]
    return [f"interim.looks=[{plans[0]}]"] if given and plans else []


def _look_decision_overrides(args) -> dict:
    """The ``[decision]`` fields of ``--thresholds`` and ``--futility-predictive``."""
    out = {}
    tokens = getattr(args, "thresholds", None)
    if tokens is not None:
        values = looks_value(tokens, "--thresholds", "one threshold per look, e.g. 0.995,0.98")
        if not all(0.0 < v < 1.0 for v in values):
            raise InputError(f"--thresholds {' '.join(tokens)}: each must be in (0, 1)")
        out["decision.thresholds"] = values
    text = getattr(args, "futility_predictive", None)
    if text is not None:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 0.0 <= value < 1.0:  # NaN fails too
            raise InputError(f"--futility-predictive {text}: must be a number in [0, 1)")
        out["decision.futility_predictive"] = value
    return out


def looks_value(tokens, flag: str = "--looks", example: str = "information fractions, e.g. 0.5,1"):
    """``--looks 0.5,1`` or ``--looks 0.5 1`` as a list of numbers (an empty item between
    commas is refused: "0.5,,1" has lost a number)."""
    from designs.spec.fields import has_empty_item

    text = " ".join(tokens)  # "0.5, 1" is two words to the shell: no item is empty
    if has_empty_item(text):
        raise InputError(f"{flag} {text}: an empty item between commas; give {example}")
    parts = [x for token in tokens for x in token.replace(",", " ").split()]
    out = []
    for x in parts:
        try:
            value = float(x)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(f"{flag} {' '.join(tokens)}: {x!r} is not a number")
        out.append(value)
    if not out:
        raise InputError(f"{flag}: give {example}")
    return out


#: The options that give the looks, the field each sets, and what they take.
LOOK_OPTIONS = {
    "looks": ("--looks", "interim.looks", "information fractions, e.g. 0.5,1"),
    "look_months": ("--look-months", "interim.look_months", "calendar months, e.g. 18,37"),
    "look_completed": (
        "--look-completed",
        "interim.look_completed",
        "fractions of patients completed, e.g. 0.5,1",
    ),
}


def _family(flag: str, text: str, allowed: tuple[str, ...], with_gamma: tuple[str, ...]):
    """``obf`` or ``hsd:-4`` as (family, gamma or None)."""
    name, sep, gamma = text.strip().partition(":")
    if name not in allowed:
        raise InputError(f"{flag} {text!r}: must be one of {', '.join(allowed)}")
    if name in with_gamma:
        try:
            value = float(gamma) if sep else None
        except ValueError:
            value = math.nan
        if value is None or not math.isfinite(value):
            # each example valid for its family (a review: power:-4 was suggested, and refused)
            what, example = {"cp": ("THRESHOLD", "0.1"), "power": ("GAMMA", "2")}.get(
                name, ("GAMMA", "-4")
            )
            raise InputError(f"{flag} {text!r}: give {name}:{what}, e.g. {name}:{example}")
        return name, value
    if sep:
        raise InputError(f"{flag} {text!r}: {name} takes no parameter")
    return name, None


def interim_overrides(args) -> dict:
    """The ``[interim]`` fields set by ``--looks`` (or ``--look-months``,
    ``--look-completed``), ``--spending`` and ``--futility``. ``--spending`` and ``--futility``
    replace the family and its parameters: the fields the new family does not read go back
    to their defaults (a ``--set`` given with them still sets, and is refused if unread)."""
    from designs.spec.interim import unread_defaults

    out = {}
    given = [name for name in LOOK_OPTIONS if getattr(args, name, None) is not None]
    if len(given) > 1:
        flags = " and ".join(LOOK_OPTIONS[name][0] for name in given)
        raise InputError(f"{LOOK_OPTIONS[given[1]][0]}: give the looks one way, not {flags}")
    for name in given:
        flag, dotted, example = LOOK_OPTIONS[name]
        tokens = getattr(args, name)
        if name == "looks" and [t.lower() for t in tokens] == ["none"]:  # a fixed design
            from designs.spec.interim import NO_LOOKS

            out.update(NO_LOOKS)
            continue
        out[dotted] = looks_value(tokens, flag, example)
    if getattr(args, "spending", None) is not None:
        name, gamma = _family(
            "--spending", args.spending, ("obf", "pocock", "hsd", "power"), ("hsd", "power")
        )
        out["interim.spending"] = name
        out.update(unread_defaults("spending", name))
        if gamma is not None:
            out["interim.gamma"] = gamma
    if getattr(args, "futility", None) is not None:
        name, gamma = _family(
            "--futility", args.futility, ("none", "obf", "pocock", "hsd", "cp"), ("hsd", "cp")
        )
        out["interim.futility"] = name
        out.update(unread_defaults("futility", name))
        if gamma is not None:
            out["interim.futility_cp" if name == "cp" else "interim.futility_gamma"] = gamma
    out.update(_look_decision_overrides(args))
    return out


def refuse_looks_twice(args, given) -> None:
    """``--looks`` (``none`` too), ``--look-months`` or ``--look-completed`` with ``--set
    interim.looks``, ``look_months`` or ``look_completed``: the looks given twice, where
    ``--set`` would win without a word (``--looks none --set interim.look_months=[18,37]``
    kept the looks). Refused."""
    from designs.spec.interim import NO_LOOKS

    flags = [LOOK_OPTIONS[n][0] for n in LOOK_OPTIONS if getattr(args, n, None) is not None]
    fields = [key for key in given if key in NO_LOOKS]
    if flags and fields:
        raise InputError(
            f"{flags[0]} and --set {fields[0]}: give the looks one way, not both "
            "(the option, or --set)"
        )


def refuse_interim_without_looks(args, given) -> None:
    """``--spending``, ``--futility`` and ``--set interim.*`` typed for a design without
    interim looks would be ignored: refuse them (a design file's own ``[interim]`` fields are
    kept, as for switching looks on later). A sweep's ``--looks`` grid gives each cell its
    looks, not the base design: its ``--set interim.*`` would reach no cell either."""
    from designs.spec.interim import NO_LOOKS  # the fields that give the looks

    sweep = getattr(args, "looks_grid", None) is not None
    add = (
        "the --looks grid's plans carry no [interim] fields: give them with --set "
        "interim.looks=[...] on the base design"
        if sweep
        else "add --looks (or --look-months, --look-completed)"
    )
    for flag, name in (("--spending", "spending"), ("--futility", "futility")):
        value = getattr(args, name, None)
        if isinstance(value, str):
            raise InputError(
                f"{flag} {value}: this design has no interim looks, so it would be ignored; {add}"
            )
    # a sweep's own dimensions reach every plan of its --looks grid
    dimension = {"interim.spending": "--spending", "interim.information": "--information"}
    for key in given:
        if key.startswith("interim.") and key not in NO_LOOKS:
            hint = (
                f"give it to every plan with {dimension[key]}"
                if sweep and key in dimension
                else add
            )
            raise InputError(
                f"--set {key}: this design has no interim looks, so it would be ignored; {hint}"
            )
