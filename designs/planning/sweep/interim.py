"""Sweeps over interim plans: the ``looks``, ``spending`` and ``information`` dimensions and
the group-sequential cell.

``looks`` takes labels: ``fixed`` (no interim analysis) or the information fractions of the
looks, e.g. ``0.5,1`` or ``0.33,0.67,1``; ``spending`` takes alpha-spending labels as the
command line's ``--spending`` (``obf``, ``pocock``, ``hsd:-4``, ``power:2``);
``information`` takes ``observed`` or ``planned`` (``interim.information``: the boundaries at
each trial's observed information or the planned boundaries for every trial). A sweep with
any of them, or over a design with ``[interim]`` looks, evaluates every cell with
:func:`designs.planning.group_sequential.group_sequential_power` (under the effect and under
no effect, same seed) when the cell has looks, and with the fixed engine when it has none
(then also with no effect, for its type I error), and holds :data:`INTERIM_VARIABLES` beside
the usual ones, so power, expected patients and months and the type I error of every plan
sit in one dataset. The cell's design (and so its file name) includes its looks and
spending. Under the posterior rule (``decision.rule = "posterior"``) a cell with looks is
judged by the rule at its looks (:mod:`designs.planning.decision_looks`) and the fixed plan by
the rule at the final threshold (no futility); ``spending`` and ``information`` are refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from designs.errors import InputError
from designs.spec.interim import Information, unread_defaults

__all__ = [
    "INTERIM_DIMS",
    "INTERIM_VARIABLES",
    "evaluate_interim_cell",
    "information_label",
    "interim_cell_overrides",
    "looks_label",
    "spending_label",
]

#: The sweep dimensions over interim plans (string labels).
INTERIM_DIMS = ("looks", "spending", "information")

#: Variables of a sweep over interim plans: name -> (long_name, units).
INTERIM_VARIABLES = {
    "type_i_error": (
        "type I error of the whole design (same trials and seed, no effect; efficacy at any look)",
        "1",
    ),
    "type_i_error_mc_se": ("Monte Carlo standard error of type_i_error", "1"),
    "type_i_error_ci_low": (
        "95% interval of type_i_error, lower end (Wilson's for a share of trials, so that "
        "none of them rejecting still has an upper end above 0; normal with the control "
        "variate)",
        "1",
    ),
    "type_i_error_ci_high": ("95% interval of type_i_error, upper end (as ci_low)", "1"),
    "type_i_error_nonbinding": (
        "type I error with the non-binding futility rule ignored (the level the design "
        "claims; type_i_error without futility)",
        "1",
    ),
    "expected_n_total": ("expected patients randomised under the cell's effect", "patients"),
    "expected_n_total_h0": ("expected patients randomised under no effect", "patients"),
    "expected_months": ("expected calendar months to the deciding look, cell's effect", "months"),
    "expected_months_h0": ("expected calendar months to the deciding look, no effect", "months"),
    "p_stop_interim": (
        "probability of stopping at an interim look (efficacy or futility), cell's effect",
        "1",
    ),
}

_SPENDING = ("obf", "pocock", "hsd", "power")
_INFORMATION = tuple(x.value for x in Information)


def looks_label(text) -> str:
    """The canonical label of one ``looks`` value: ``fixed`` or ``0.5,1`` (``%g`` numbers)."""
    raw = str(text).strip().lower()
    if raw in ("fixed", "none", "1"):
        return "fixed"
    parts = [p for p in raw.replace(";", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(
            f"--looks {text!r}: give 'fixed' or information fractions, e.g. 0.5,1"
        ) from None
    if not values or not all(math.isfinite(v) for v in values):
        raise InputError(f"--looks {text!r}: give 'fixed' or information fractions, e.g. 0.5,1")
    if values == [1.0]:  # one analysis with all the information: the fixed design
        return "fixed"
    if values[-1] != 1.0:  # `--looks 0.5 1` is one plan in power, two here (a CLI review)
        raise InputError(
            f"--looks {text!r}: each word is one interim plan, its information fractions "
            "joined by commas and ending at 1 (e.g. --looks fixed 0.5,1)"
        )
    return ",".join(f"{v:g}" for v in values)


def looks_values(label: str) -> list[float]:
    """The information fractions of a ``looks`` label (empty for ``fixed``)."""
    return [] if label == "fixed" else [float(x) for x in label.split(",")]


def spending_label(text) -> str:
    """The canonical label of one ``spending`` value (``obf``, ``hsd:-4``, ...)."""
    name, sep, gamma = str(text).strip().lower().partition(":")
    if name not in _SPENDING:
        raise InputError(f"--spending {text!r}: must be one of {', '.join(_SPENDING)}")
    if name in ("hsd", "power"):
        try:
            value = float(gamma) if sep else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(f"--spending {text!r}: give {name}:GAMMA, e.g. {name}:-4")
        return f"{name}:{value:g}"
    if sep:
        raise InputError(f"--spending {text!r}: {name} takes no parameter")
    return name


def information_label(text) -> str:
    """The canonical label of one ``information`` value (``observed`` or ``planned``)."""
    label = str(text).strip().lower()
    if label not in _INFORMATION:
        raise InputError(f"--information {text!r}: must be one of {', '.join(_INFORMATION)}")
    return label


#: Each interim dimension's label function (a value as typed -> its canonical label).
LABELS = {"looks": looks_label, "spending": spending_label, "information": information_label}


def interim_cell_overrides(cell) -> dict:
    """The ``[interim]`` overrides of one cell's ``looks``, ``spending`` and ``information``
    labels."""
    over: dict = {}
    if "looks" in cell:
        over["interim.looks"] = looks_values(str(cell["looks"]))
    if "spending" in cell:
        name, _, gamma = str(cell["spending"]).partition(":")
        over["interim.spending"] = name
        over.update(unread_defaults("spending", name))  # e.g. obf drops the design's gamma
        if gamma:
            over["interim.gamma"] = float(gamma)
    if "information" in cell:
        over["interim.information"] = str(cell["information"])
    return over


def _fixed_cell(
    design, trials: int, seed: int, analyses: Sequence[str], prior=None, control: bool = True
) -> dict:
    """The fixed design's usual variables and, from the same trials with no effect, its type I
    error; it randomises everyone and ends after the last patient's last visit. Under the
    posterior rule (``prior`` given) the type I error is the rule's ``type1``. ``control``
    False: the plain shares of trials, as the looks' cells have them."""
    from designs.planning.operating import calendar_length
    from designs.planning.power import null_design, power
    from designs.planning.sweep.cells import fixed_cell_variables

    if prior is not None:
        out = power(
            design,
            trials,
            seed,
            analyses,
            require_fits=False,
            prior=prior,
            type1=True,
            control=control,
        )
        null = {a: (s.type1, s.type1_mc_se, s.type1_trials) for a, s in out.items()}
    else:
        out = power(design, trials, seed, analyses, require_fits=False, control=control)
        zero = null_design(design)
        h0 = power(zero, trials, seed, analyses, require_fits=False, control=control)
        # the rates' own denominators: trials whose fit succeeded when failures are left out
        # (a diff review: the trials gave a normal interval for 2/98)
        null = {a: (s.power, s.mc_se, s.denominator) for a, s in h0.items()}
    months = calendar_length(design)["calendar_months"]
    cells = {}
    for a, s in out.items():
        cells[a] = fixed_cell_variables(s)
        if prior is not None:
            cells[a].update(
                type1=null[a][0], type1_mc_se=null[a][1], **interval_variables("type1", *null[a])
            )
        cells[a].update(
            type_i_error=null[a][0],  # the test's rejections, as the looks' efficacy
            type_i_error_mc_se=null[a][1],
            **interval_variables("type_i_error", *null[a]),
            type_i_error_nonbinding=null[a][0],  # no futility without looks
            expected_n_total=float(design.trial.n_total),
            expected_n_total_h0=float(design.trial.n_total),
            expected_months=months,
            expected_months_h0=months,
            p_stop_interim=0.0,
        )
    return cells


def _sequential_cell(design, trials: int, seed: int, analyses: Sequence[str], prior=None) -> dict:
    """Each analysis' group-sequential operating characteristics in the sweep's variables
    (under the posterior rule, ``prior`` given, those of
    :func:`designs.planning.decision_looks.posterior_looks_power`, with ``type1`` too).

    ``mean_estimate``, ``completers`` and ``dropped_out`` are left NaN: a trial stopped early
    has neither a final estimate nor a last visit."""
    from designs.planning.decision_looks import posterior_looks_power
    from designs.planning.group_sequential import group_sequential_power
    from designs.planning.power import wilson_interval

    cells = {}
    for a in analyses:
        d = design.with_overrides({"trial.analysis": a})
        if prior is not None:
            s = posterior_looks_power(d, trials, seed, prior=prior)
        else:
            s = group_sequential_power(d, trials, seed)
        counted = trials - (s.failed_fits if design.decision.excludes_failed else 0)
        low, high = wilson_interval(round(s.power * counted), counted)
        cells[a] = {
            "rejection_rate": s.power,
            "power_favourable": s.power_favourable,
            "rejection_rate_mc_se": s.mc_se,
            "mc_se_favourable": s.mc_se_favourable,
            "rejection_rate_ci_low": low,
            "rejection_rate_ci_high": high,
            "variance_ratio": None,
            "mean_estimate": None,
            "true_effect": s.true_effect,
            "failed_fits": s.failed_fits,
            "completers": None,
            "dropped_out": None,
            "type_i_error": s.type_i_error,
            "type_i_error_mc_se": s.mc_se_type_i_error,
            **interval_variables(
                "type_i_error", s.type_i_error, s.mc_se_type_i_error, s.counted_h0
            ),
            "type_i_error_nonbinding": _nonbinding(s, design),
            "expected_n_total": s.expected_n_total,
            "expected_n_total_h0": s.expected_n_total_h0,
            "expected_months": s.expected_months,
            "expected_months_h0": s.expected_months_h0,
            "p_stop_interim": float(sum(s.p_stop_efficacy[:-1]) + sum(s.p_stop_futility[:-1])),
        }
        if prior is not None:
            cells[a].update(
                type1=s.type_i_error,
                type1_mc_se=s.mc_se_type_i_error,
                **interval_variables("type1", s.type_i_error, s.mc_se_type_i_error, s.counted_h0),
            )
    return cells


def interval_variables(name: str, rate: float, mc_se: float, counted: int) -> dict:
    """``{name}_ci_low`` and ``{name}_ci_high``: Wilson's 95% interval where ``rate`` is a
    share of ``counted`` trials, else (the control variate) the normal one, clipped to
    [0, 1]. A sweep review: 0 rejections of 40 null trials were stored as 0 with an MC SE of
    0, where `power` prints the one-sided 95% upper bound 0.0722. ``counted``: the rate's
    own denominator (a looks summary's ``counted_h0``, a fixed run's ``denominator``)."""
    from designs.planning.power import wilson_interval

    hits = rate * counted
    if counted > 0 and math.isfinite(hits) and abs(hits - round(hits)) < 1e-6:
        low, high = wilson_interval(round(hits), counted)
    else:
        low, high = max(0.0, rate - 1.96 * mc_se), min(1.0, rate + 1.96 * mc_se)
    return {f"{name}_ci_low": low, f"{name}_ci_high": high}


def _nonbinding(s, design) -> float:
    """The cell's type I error with futility ignored (the summary's, under either rule; the
    same as with it where there is no futility)."""
    return float(s.type_i_error_nonbinding)


def evaluate_interim_cell(
    design, trials: int, seed: int, analyses: Sequence[str], *, prior=None, control: bool = True
) -> dict:
    """One cell of a sweep over interim plans (see the module's docstring); ``prior``: the
    posterior rule's prior (None under the frequentist rule); ``control`` False: the fixed
    plan's rates as plain shares too (the looks' cells always are)."""
    if design.interim.sequential:
        return _sequential_cell(design, trials, seed, analyses, prior)
    return _fixed_cell(design, trials, seed, analyses, prior, control)
