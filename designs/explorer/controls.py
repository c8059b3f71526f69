"""The page's controls and the design they describe.

Each control shows one field of a library design in the field's units (patients, %
slowing or points/month, months, % gone by month 12, ...). The controls start at the chosen
design's own values (:func:`base_values`); only a control moved away from that value
overrides the design (:func:`control_overrides`), and the library validates the result
(:meth:`designs.spec.TrialDesign.with_overrides`), so a bad value gets the library's own
one-line message, shown beside the control that set it (:func:`design_from_values`).

Trial length and dropout by month 12 are changed the way a sweep changes them
(:func:`designs.planning.sweep.design.cell_design`): visits keep their spacing (or take the
interval given) and a ``cumulative`` dropout schedule is carried to the new visits through
its hazard; a new dropout by month 12 is a constant MCAR hazard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from designs.analyses.registry import ANALYSIS_NAMES
from designs.errors import InputError
from designs.explorer.looks_control import looks_text, looks_value
from designs.explorer.rule_controls import read_by_rule
from designs.planning.sweep.design import hazard_for_gone_by_12, retime_visits
from designs.program import program_name
from designs.simulation.seeds import DEFAULT_SEED, MAX_SEED
from designs.spec.attrition_schedule import retime_cumulative
from designs.spec.follow_up import ImprovementError
from designs.spec.interim import NO_LOOKS, unread_defaults
from designs.spec.trial import MAX_DURATION_MONTHS, MAX_VISITS_PER_PATIENT, MIN_DURATION_MONTHS

#: Simulated trials per point when the page opens (about 2 s per update on 2 cores; see
#: docs/explorer.md).
DEFAULT_TRIALS = 500
#: The most trials a page update may ask for (a larger run belongs on the command line).
MAX_PAGE_TRIALS = 20_000
#: The most patients randomised a page update may simulate (half of it per arm with 1:1
#: allocation). A review: n = 30,001 per arm, typed by mistake, held the page (and every
#: other page, behind it) "simulating" for minutes, since a block of trials cannot be cut.
MAX_PAGE_PATIENTS = 10_000

PERCENT = "proportional_slowing"
POINTS = "slope_difference"


@dataclass(frozen=True)
class Control:
    """One control: its input id, label, unit and the design fields it sets."""

    id: str
    label: str
    unit: str
    fields: tuple[str, ...]


CONTROLS: tuple[Control, ...] = (
    Control("n", "Patients", "per arm at 1:1, or in total", ("trial.n_per_arm", "trial.n_total")),
    Control("size_mode", "Patients counted", "", ()),
    Control(
        "allocation", "Allocation", "active patients per placebo patient", ("trial.allocation",)
    ),
    Control("effect_kind", "Effect given as", "", ("effect.kind",)),
    Control("onset", "Effect from month", "after randomisation", ("effect.onset_delay_months",)),
    Control("effect", "Effect", "% slowing or points/month", ("effect.value", "effect.")),
    Control("duration", "Follow-up", "months", ("trial.visits_months",)),
    Control("interval", "Visit interval", "months", ()),
    Control(
        "dropout12",
        "Dropout by month 12",
        "% of patients, MCAR; deaths apart",
        ("dropout.cumulative", "dropout.monthly_hazard"),
    ),
    Control(
        "informative",
        "Informative dropout",
        "log-hazard per point/month; 0 = off",
        ("dropout.informative",),
    ),
    Control("death", "Deaths", "% per month; 0 = off", ("dropout.death",)),
    Control("lead_in", "Lead-in", "months; 0 = none", ("trial.lead_in",)),
    Control("accrual", "Accrual", "patients randomised per month", ("trial.accrual_per_month",)),
    Control(
        "delta_fs_min",
        "Enrichment: admit delta-FS from",
        "points/month; 0 = everyone",
        ("enrichment.",),
    ),
    Control("analysis", "Primary analysis", "", ("trial.analysis",)),
    Control("alpha", "Alpha", "", ("trial.alpha",)),
    Control("sides", "Sides", "", ("trial.sides",)),
    Control("rule", "Decision rule", "", ("decision.rule",)),
    Control("prior", "Prior, posterior rule", "", ("decision.prior",)),
    Control(
        "prior_weight",
        "Weight on phase 2, robust prior",
        "0 = the vague prior, 1 = phase 2 alone",
        ("decision.prior_weight",),
    ),
    Control(
        "futility_predictive",
        "Futility at looks, posterior rule",
        "stop when the predictive probability of final success is below this; 0 = no rule",
        ("decision.futility_predictive",),
    ),
    Control(
        "threshold",
        "Threshold, posterior rule",
        "success when P(effect > margin | data) is above this",
        ("decision.threshold", "decision."),
    ),
    Control(
        "looks",
        "Interim looks",
        "information fractions, e.g. 0.5, 1; or months 18, 37; or completed 0.5, 1; empty = none",
        ("interim.looks", "interim.look_months", "interim.look_completed", "interim.user_spending"),
    ),
    Control("spending", "Alpha spending", "", ("interim.spending",)),
    Control(
        "gamma", "Spending gamma", "hsd: -10 to 5; -4 is like O'Brien-Fleming", ("interim.gamma",)
    ),
    # before "futility": a message about interim.futility_gamma names this one
    Control("futility_gamma", "Futility gamma", "hsd: -10 to 5", ("interim.futility_gamma",)),
    Control(
        "futility_cp",
        "Conditional power threshold",
        "stop when the conditional power is below this; 0 to 1",
        ("interim.futility_cp",),
    ),
    Control(
        "futility",
        "Futility, non-binding",
        "beta spending or conditional power, cp; one-sided tests",
        ("interim.futility", "interim.futility_beta"),
    ),
    Control(
        "information",
        "Boundaries at",
        "interim looks: each trial's own 1/SE^2, or the plan's fractions for all",
        ("interim.information",),
    ),
    Control("seed", "Seed", "", ("seed",)),
    Control("trials", "Simulated trials", "per point", ("trials",)),
)
CONTROL_IDS = tuple(c.id for c in CONTROLS)
#: Controls that are not design fields: the simulation's seed and size.
RUN_CONTROLS = ("seed", "trials")
#: Controls that only make sense together (the sizes depend on the allocation, the effect's
#: value on its kind, the visits on the follow-up and the interval): checked together.
COUPLED = (
    frozenset({"n", "size_mode", "allocation"}),
    # the effect's limit is the screened patients' decline (a diff review: 90% was refused
    # against the design's screening with another delta-FS threshold on the page)
    frozenset({"effect", "effect_kind", "delta_fs_min"}),
    frozenset({"duration", "interval"}),
    # the posterior rule's futility needs the rule and looks
    frozenset({"futility_predictive", "rule", "looks"}),
    # a gamma is read only by the family that takes one (hsd, power): moved with it
    frozenset({"spending", "gamma"}),
    frozenset({"futility", "futility_gamma", "futility_cp"}),
)


class ControlError(InputError):
    """A control's value refused by the page before the design is built, with the control
    it is about (its message names the control, not a hidden field)."""

    def __init__(self, message: str, control: str):
        super().__init__(message)
        self.control = control


def round_control(x: float, digits: int = 6) -> float:
    return float(round(float(x), digits))


def dropout_by_12(design) -> float:
    """Fraction gone (MCAR dropout, deaths apart) by month 12, read as a hazard between
    visits (:func:`designs.spec.attrition_schedule.retime_cumulative`)."""
    d = design.dropout
    if d.cumulative:
        return retime_cumulative(d, design.trial.visits, [0.0, 12.0])[1]
    return float(-math.expm1(-12.0 * d.monthly_hazard))


def base_values(design) -> dict[str, Any]:
    """Each control's value for ``design``, in the control's units."""
    t, e, d = design.trial, design.effect, design.dropout
    visits = np.asarray(t.visits, dtype=float)
    pct = e.kind.value == PERCENT
    return {
        "n": t.n_per_arm if t.allocation.equal else t.n_total,
        "size_mode": "per_arm" if t.allocation.equal else "total",
        "allocation": round_control(t.allocation.active / t.allocation.placebo),
        "effect_kind": e.kind.value,
        "effect": round_control(100 * e.value if pct else e.value),
        "onset": round_control(e.onset_delay_months),
        "duration": round_control(t.duration_months),
        "interval": round_control(visits[-1] - visits[-2]),
        "dropout12": round_control(100 * dropout_by_12(design), 1),
        "informative": round_control(d.informative),
        "death": round_control(100 * d.death_monthly_hazard),
        "lead_in": round_control(t.lead_in_months),
        "accrual": round_control(t.accrual_per_month),
        "delta_fs_min": round_control(design.enrichment.delta_fs_min),
        "analysis": str(t.analysis),
        "alpha": round_control(t.alpha),
        "sides": str(t.sides),
        "rule": design.decision.rule.value,
        "prior": design.decision.prior.value,
        "prior_weight": round_control(design.decision.prior_weight),
        "threshold": round_control(design.decision.threshold),
        "futility_predictive": round_control(design.decision.futility_predictive),
        "looks": looks_text(design.interim),
        "spending": design.interim.spending.value,
        "gamma": round_control(design.interim.gamma),
        "futility_gamma": round_control(design.interim.futility_gamma),
        "futility_cp": round_control(design.interim.futility_cp),
        "futility": design.interim.futility.value,
        "information": design.interim.information.value,
        "seed": DEFAULT_SEED,
        "trials": DEFAULT_TRIALS,
    }


def changed(design, values: Mapping[str, Any]) -> set[str]:
    """Controls whose value differs from ``design``'s own."""
    base = base_values(design)
    return {k for k in CONTROL_IDS if k in values and values[k] != base[k]}


def _number(value) -> float:
    """A control's number; an empty box, or anything but a number (which the page's boxes do
    not send, but a hand-made message may: a review's crashed the session), is NaN, which the
    library refuses with its message."""
    try:
        return math.nan if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return math.nan


def _whole(value):
    """A count as an int when it is whole (the library refuses 12.5 and NaN itself)."""
    x = _number(value)
    return int(x) if math.isfinite(x) and x == int(x) else x


def _visits(design, duration: float, interval: float | None) -> list[float]:
    """Visit months for a trial of ``duration``: the design's spacing kept
    (:func:`retime_visits`) or, with ``interval``, every ``interval`` months and the last at
    ``duration``. The follow-up and the interval are checked against the library's limits
    before any visit is built (a follow-up of 1e9 months or an interval of 1e-9 would
    otherwise build a billion visits before the design refuses them)."""
    if not (math.isfinite(duration) and MIN_DURATION_MONTHS <= duration <= MAX_DURATION_MONTHS):
        raise ControlError(
            f"follow-up = {duration:g} months: must be in [{MIN_DURATION_MONTHS:g}, "
            f"{MAX_DURATION_MONTHS:g}] months",
            "duration",
        )
    if interval is None:
        return [float(v) for v in retime_visits(design.trial.visits, duration)]
    shortest = min_interval(duration)
    if not (math.isfinite(interval) and shortest <= interval <= duration):
        raise ControlError(
            f"visit interval = {interval:g} months: must be in [{shortest:g}, {duration:g}] "
            f"months with {duration:g} months of follow-up (at most "
            f"{MAX_VISITS_PER_PATIENT:,} visits per patient)",
            "interval",
        )
    return even_visits(duration, interval)


def even_visits(duration: float, interval: float) -> list[float]:
    """Visit months every ``interval`` months from month 0, the last at ``duration``."""
    k = math.ceil(duration / interval - 1e-9)
    visits = [float(np.round(i * interval, 10)) for i in range(k)]
    return [*visits, float(duration)]


def min_interval(duration: float) -> float:
    """The shortest visit interval the page takes for ``duration`` months of follow-up: the
    library's most visits per patient (rounded up to 0.001 month)."""
    return math.ceil(1000 * duration / (MAX_VISITS_PER_PATIENT - 1)) / 1000


def _check_allocation(values: Mapping[str, Any]) -> None:
    """Unequal allocation counts the patients in total: say so beside the allocation (the
    library's own line names ``trial.n_total``, a field the page has no control for)."""
    ratio = _number(values["allocation"])
    if values["size_mode"] == "per_arm" and math.isfinite(ratio) and ratio > 0 and ratio != 1:
        raise ControlError(
            f"allocation = {ratio:g} active per placebo patient: unequal allocation counts the "
            "patients in total; choose 'in total' under Patients (or allocation 1)",
            "allocation",
        )


def _dropout_hazard(value) -> float:
    """The constant MCAR hazard for the dropout control (% gone by month 12, in [0, 100))."""
    pct = _number(value)
    if not (math.isfinite(pct) and 0 <= pct < 100):
        raise ControlError(
            f"dropout by month 12 = {pct:g}%: must be in [0, 100) % of patients", "dropout12"
        )
    return hazard_for_gone_by_12(pct / 100)


def _death_hazard(value) -> float:
    """The death hazard per month for the deaths control (% per month, in [0, 100))."""
    pct = _number(value)
    if not (math.isfinite(pct) and 0 <= pct < 100):
        raise ControlError(
            f"deaths = {pct:g}% per month: must be in [0, 100) % per month (a hazard; 100% "
            "per month is 63% dead within a month)",
            "death",
        )
    return pct / 100


def control_overrides(design, values: Mapping[str, Any], ids) -> dict[str, Any]:
    """The design fields set by the controls ``ids`` (their values in ``values``)."""
    over: dict[str, Any] = {}
    ids = set(ids)
    if ids & {"n", "size_mode", "allocation"}:
        _check_allocation(values)
    if ids & {"n", "size_mode"}:
        per_arm = values["size_mode"] == "per_arm"
        key = "trial.n_per_arm" if per_arm else "trial.n_total"
        over[key] = _whole(values["n"])
        limit, unit = (
            (MAX_PAGE_PATIENTS // 2, "per arm") if per_arm else (MAX_PAGE_PATIENTS, "in total")
        )
        if isinstance(over[key], int) and over[key] > limit:
            raise ControlError(
                f"patients = {over[key]:,} {unit}: the page simulates at most {limit:,} {unit} "
                f"(a larger design belongs on the command line, {program_name()} power)",
                "n",
            )
    if "allocation" in ids:
        over["trial.allocation.placebo"] = 1.0
        over["trial.allocation.active"] = _number(values["allocation"])
    if ids & {"effect", "effect_kind"}:
        kind = values["effect_kind"]
        over["effect.kind"] = kind
        from designs.explorer.effect_box import effect_value  # it reads this module's names

        over["effect.value"] = effect_value(design, kind, _number(values["effect"]))
    if ids & {"duration", "interval"}:
        interval = _number(values["interval"]) if "interval" in ids else None
        new = _visits(design, _number(values["duration"]), interval)
        over["trial.visits_months"] = new
        if design.dropout.cumulative and "dropout12" not in ids:
            over["dropout.cumulative"] = retime_cumulative(design.dropout, design.trial.visits, new)
    if "dropout12" in ids:
        # the sweep's rule: a constant MCAR hazard with this fraction gone by month 12
        over["dropout.monthly_hazard"] = _dropout_hazard(values["dropout12"])
    if "informative" in ids:
        over["dropout.informative"] = _number(values["informative"])
    if "death" in ids:
        over["dropout.death_monthly_hazard"] = _death_hazard(values["death"])
    if "onset" in ids:  # a grant writer's review: "what if it acts only from month 3?"
        over["effect.onset_delay_months"] = _number(values["onset"])
    if "lead_in" in ids:
        over["trial.lead_in_months"] = _number(values["lead_in"])
    if "accrual" in ids:
        over["trial.accrual_per_month"] = _number(values["accrual"])
    if "delta_fs_min" in ids:
        over["enrichment.delta_fs_min"] = _number(values["delta_fs_min"])
    for key, dotted in (("analysis", "trial.analysis"), ("rule", "decision.rule")):
        if key in ids:
            over[dotted] = values[key]
    ids, fields = read_by_rule(values.get("rule"), ids)
    over.update(fields)
    if values.get("prior") != "robust":  # the weight is shown, and read, for robust alone
        ids.discard("prior_weight")
    if "prior" in ids:
        over["decision.prior"] = values["prior"]
    if "prior_weight" in ids:
        over["decision.prior_weight"] = _number(values["prior_weight"])
    if "sides" in ids:
        over["trial.sides"] = int(values["sides"])
    if "alpha" in ids:
        over["trial.alpha"] = _number(values["alpha"])
    if "threshold" in ids:
        over["decision.threshold"] = _number(values["threshold"])
    if "futility_predictive" in ids:
        over["decision.futility_predictive"] = _number(values["futility_predictive"])
    if "looks" in ids:
        field, looks = looks_value(values["looks"])
        over.update(NO_LOOKS)  # one way of giving the looks replaces the others
        over[f"interim.{field}"] = looks
    for key in ("spending", "futility"):
        if key in ids:  # a new family replaces the old one's parameters, as --spending does
            over.update(unread_defaults(key, values[key]))
            over[f"interim.{key}"] = values[key]
    for key in ("gamma", "futility_gamma", "futility_cp"):
        if key in ids:
            over[f"interim.{key}"] = _number(values[key])
    if "information" in ids:
        over["interim.information"] = values["information"]
    return over


def check_run(values: Mapping[str, Any]) -> dict[str, str]:
    """Messages for a bad seed or number of trials (the command line's ranges)."""
    errors = {}
    seed, trials = _whole(values.get("seed")), _whole(values.get("trials"))
    if not (isinstance(seed, int) and 0 <= seed <= MAX_SEED):
        errors["seed"] = f"seed = {values.get('seed')}: must be a whole number in [0, {MAX_SEED}]"
    if not (isinstance(trials, int) and 10 <= trials <= MAX_PAGE_TRIALS):
        errors["trials"] = (
            f"trials = {values.get('trials')}: must be a whole number in [10, {MAX_PAGE_TRIALS}] "
            "on this page (more on the command line)"
        )
    return errors


def control_of(message: str) -> str | None:
    """The control whose field a library message names first, or None."""
    head = message.split(" ", 1)[0].split(":", 1)[0]
    for c in CONTROLS:
        if any(head == f or head.startswith(f) for f in c.fields):
            return c.id
    return None


def design_from_values(base, values: Mapping[str, Any]):
    """The design the controls describe, and the library's message for each bad control.

    Returns
    -------
    (TrialDesign or None, dict)
        The validated design (None when a control is bad) and ``{control id: message}``;
        a message that names no control's field is under ``""``.
    """
    from designs.explorer.choices import check_choices  # it reads this module's constants

    errors = check_run(values)
    wrong = check_choices(values)
    if wrong:
        return None, {**errors, **wrong}
    moved = changed(base, values) - set(RUN_CONTROLS)
    for cid in sorted(moved):  # each moved control alone: every bad one gets its message
        ids = next((g & moved for g in COUPLED if cid in g), {cid})
        try:
            base.with_overrides(control_overrides(base, values, ids))
        except ControlError as exc:  # the page's own check: its control
            errors[exc.control] = str(exc)
        except InputError as exc:
            named, message = _refusal(exc, values)
            errors[named if named in ids else cid] = message
    if any(k not in RUN_CONTROLS for k in errors):
        return None, errors
    try:
        design = base.with_overrides(control_overrides(base, values, moved)) if moved else base
    except InputError as exc:  # a rule between fields: beside the control named first
        named, message = _refusal(exc, values)
        errors[getattr(exc, "control", None) or named or ""] = message
        return None, errors
    if design.interim.sequential:  # looks in months are checked against the trial's end
        from designs.planning.look_times import look_times

        try:  # here, not when the job starts (a review: "months 5, 10" simulated first)
            look_times(design)
        except InputError as exc:
            errors[control_of(str(exc)) or "looks"] = str(exc)
            return None, errors
    return (None if errors else design), errors


def _refusal(exc: InputError, values: Mapping[str, Any]) -> tuple[str | None, str]:
    """The control the library's refusal names and its message; an effect that turns the
    decline into improvement is said in the Effect box's unit (the page has no
    allow_improvement; screening moved in the same change can cause it)."""
    if isinstance(exc, ImprovementError):
        from designs.explorer.effect_box import improvement_text

        kind, x = values["effect_kind"], _number(values["effect"])
        limit = exc.limit * (100 if kind == PERCENT else 1)
        return "effect", improvement_text(kind, x, limit, exc.decline, exc.screened)
    return control_of(str(exc)), str(exc)


def analyses_shown(design) -> tuple[str, ...]:
    """Analyses compared on the same trials: the primary first, then those that apply
    (:func:`designs.planning.report_plan.compared_analyses`; the posterior rule judges only
    the slope analyses)."""
    from designs.planning.report_plan import compared_analyses

    names = compared_analyses(design, str(design.trial.analysis))
    if design.decision.is_posterior:
        from designs.analyses import registry

        names = tuple(a for a in names if registry.get(a).units == "points/month")
    return tuple(a for a in names if a in ANALYSIS_NAMES)
