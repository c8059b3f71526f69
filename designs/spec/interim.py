"""Interim analyses of a group-sequential design (``[interim]``).

No ``looks`` (the default): a fixed design, analysed once, every number as before. With
``looks = [0.5, 1.0]`` the trial is analysed when half and all of the final statistical
information has accrued (information fractions), stopping early for efficacy when the z
statistic of the primary analysis crosses a boundary that spends ``trial.alpha`` (with
``trial.sides``) by the ``spending`` function, and optionally for futility (non-binding,
by beta spending). The looks may be given instead as calendar months (``look_months``) or
as the fraction of patients past their last scheduled visit (``look_completed``): exactly
one of the three; alpha is then spent by the expected information fraction at each look's
month. The boundaries come from :mod:`designs.sequential`; the method is in
docs/group_sequential.md.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from designs.errors import InputError
from designs.sequential import SpendingFunction
from designs.sequential.boundaries import check_fractions
from designs.spec.fields import Kind, spec_field, validate_fields

__all__ = [
    "LOOK_WAYS",
    "MAX_LOOKS",
    "SEQUENTIAL_ANALYSES",
    "CpUnder",
    "Futility",
    "Information",
    "Interim",
    "Spending",
    "unread_defaults",
]

#: Most looks a design may have.
MAX_LOOKS = 10
#: Latest calendar month a look may be given at (from the start of recruitment).
MAX_LOOK_MONTH = 1200.0
#: Analyses that can be run at each look (a slope and its standard error on the data then).
SEQUENTIAL_ANALYSES = ("lmm_slope", "ols_slope_ttest")


class Spending(StrEnum):
    """Alpha-spending families (:mod:`designs.sequential.spending`)."""

    OBF = "obf"  # Lan-DeMets O'Brien-Fleming type
    POCOCK = "pocock"  # Lan-DeMets Pocock type
    HSD = "hsd"  # Hwang-Shih-DeCani, parameter gamma
    POWER = "power"  # Kim-DeMets power family, parameter gamma
    USER = "user"  # cumulative fractions in user_spending


class Futility(StrEnum):
    """Futility rule: none, non-binding beta spending of one family, or conditional power."""

    NONE = "none"
    OBF = "obf"
    POCOCK = "pocock"
    HSD = "hsd"
    CP = "cp"  # conditional power below futility_cp (designs.sequential.conditional_power)


class Information(StrEnum):
    """The information the alpha spending reads at each look."""

    OBSERVED = "observed"  # each trial's own 1 / SE^2 (information-based monitoring)
    PLANNED = "planned"  # the design's planned fraction: the same boundaries for every trial


class CpUnder(StrEnum):
    """What the conditional power assumes about the effect after the look."""

    TREND = "trend"  # the estimate so far
    DESIGN = "design"  # the design's effect


#: The ways to give the looks (fields of ``[interim]``); exactly one may be set.
LOOK_WAYS = ("looks", "look_months", "look_completed")
#: Overrides that remove every way of giving looks: the same design analysed once, at the end.
NO_LOOKS = {f"interim.{way}": [] for way in LOOK_WAYS}


#: Fields read only under some values of another field: field -> (that field, the values).
#: Any other value than the field's default is refused while the field is not read.
READ_ONLY_WITH = {
    "gamma": ("spending", (Spending.HSD, Spending.POWER)),
    "user_spending": ("spending", (Spending.USER,)),
    "futility_gamma": ("futility", (Futility.HSD,)),
    "futility_beta": ("futility", (Futility.OBF, Futility.POCOCK, Futility.HSD)),
    "futility_cp": ("futility", (Futility.CP,)),
    "futility_cp_under": ("futility", (Futility.CP,)),
}


def _shown(value) -> str:
    """A field's value as a message shows it: ``-2``, ``[0.2, 1]``, ``'design'``."""
    if isinstance(value, tuple | list):
        return "[" + ", ".join(f"{float(x):g}" for x in value) + "]"
    if isinstance(value, StrEnum):
        return repr(value.value)
    return f"{value:g}" if isinstance(value, float) else repr(value)


def _default(name: str):
    f = next(f for f in dataclasses.fields(Interim) if f.name == name)
    return f.default if f.default_factory is dataclasses.MISSING else f.default_factory()


def unread_defaults(setting: str, value: str) -> dict:
    """Overrides putting back to their defaults the fields that ``interim.<setting> = value``
    does not read: an option that replaces the spending or futility family replaces its
    parameters too (``--spending obf`` on a design with ``hsd`` and ``gamma = -2``)."""
    out = {}
    for name, (field, values) in READ_ONLY_WITH.items():
        if field == setting and value not in {v.value for v in values}:
            default = _default(name)
            out[f"interim.{name}"] = getattr(default, "value", default)
            if isinstance(default, tuple):
                out[f"interim.{name}"] = list(default)
    return out


def check_look_months(months) -> None:
    """Calendar months of the looks: finite, > 0, strictly increasing (the last is checked
    against the end of follow-up when the looks are planned)."""
    t = [float(x) for x in months]
    shown = f"interim.look_months = [{', '.join(f'{x:g}' for x in t)}]"
    if not all(math.isfinite(x) and x > 0 for x in t):
        raise InputError(f"{shown}: must be months > 0")
    if max(t) > MAX_LOOK_MONTH:  # a review: 1e12 ran, "expected months 915000000001.5"
        raise InputError(f"{shown}: must be at most {MAX_LOOK_MONTH:g} months (100 years)")
    if len(t) == 1:  # one month alone would silently be the fixed design's analysis
        raise InputError(f"{shown}: give at least two looks (interims, then the final analysis)")
    if any(b <= a for a, b in itertools.pairwise(t)):
        raise InputError(f"{shown}: must be strictly increasing")


@dataclass(frozen=True)
class Interim:
    """The looks and boundaries of a group-sequential design (``[interim]``).

    Parameters
    ----------
    looks : tuple of float
        Information fractions of the analyses, strictly increasing in (0, 1], the last 1;
        empty: a fixed design.
    look_months : tuple of float
        Instead of ``looks``: calendar months of the analyses from the start of recruitment, > 0,
        strictly increasing, the last at or after the last patient's last visit (checked
        when the looks are planned, :func:`designs.planning.look_times.look_times`).
    look_completed : tuple of float
        Instead of ``looks``: fraction of the patients past their last scheduled visit at
        each analysis (by the expected accrual), increasing in (0, 1], the last 1.
    spending : Spending
        Alpha-spending family: obf, pocock, hsd (gamma), power (gamma) or user.
    gamma : float
        Parameter of hsd (in [-10, 5]; -4 resembles O'Brien-Fleming) or power (> 0).
    user_spending : tuple of float
        ``spending = "user"``: cumulative fraction of alpha spent at each look, increasing,
        the last 1.
    futility : Futility
        ``none``, the beta-spending family of a non-binding futility rule, or ``cp``:
        non-binding, stop when the conditional power of rejecting at the final look is
        below ``futility_cp`` (one-sided designs only).
    futility_gamma : float
        Parameter of hsd beta spending.
    futility_beta : float
        Type II error the futility rule spends, in (0, 0.5): the boundaries are derived
        under the drift that gives the design power ``1 - futility_beta``, as rpact does.
    futility_cp : float
        ``futility = "cp"``: the conditional-power threshold, in (0, 1).
    futility_cp_under : CpUnder
        ``trend`` (the current estimate carried forward) or ``design`` (the design's
        effect, at the planned information).
    information : Information
        The information fractions the alpha spending reads: ``observed`` (each trial's own
        ``1 / SE^2`` at the look over the planned maximum; a look holding the maximum is the
        final analysis) or ``planned`` (the design's planned fractions: every trial meets
        the planned boundaries, as a charter's table gives them). See
        docs/group_sequential.md.
    """

    looks: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        dimensionless=True,
        doc="Information fractions of the analyses, increasing, the last 1 (empty: fixed design).",
    )
    look_months: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        unit="months",
        doc="Calendar months of the analyses from the start of recruitment, increasing, the "
        "last after the last patient's last visit (instead of looks).",
    )
    look_completed: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        dimensionless=True,
        doc="Fraction of patients past their last scheduled visit at each analysis, "
        "increasing, the last 1 (instead of looks).",
    )
    spending: Spending = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        Spending.OBF,
        kind=Kind.CHOICE,
        choices=Spending,
        doc="Alpha spending: obf, pocock, hsd (gamma), power (gamma) or user.",
    )
    gamma: float = spec_field(
        -4.0, dimensionless=True, doc="Parameter of hsd ([-10, 5]) or power (> 0) spending."
    )
    user_spending: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        dimensionless=True,
        doc="Cumulative fraction of alpha spent at each look (spending = user).",
    )
    futility: Futility = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        Futility.NONE,
        kind=Kind.CHOICE,
        choices=Futility,
        doc="Non-binding futility: none, beta spending obf, pocock or hsd, or cp "
        "(conditional power).",
    )
    futility_gamma: float = spec_field(
        -2.0, dimensionless=True, doc="Parameter of hsd beta spending ([-10, 5])."
    )
    futility_beta: float = spec_field(
        0.2,
        lo=0,
        hi=0.5,
        lo_open=True,
        hi_open=True,
        dimensionless=True,
        doc="Type II error spent by the futility rule.",
    )

    futility_cp: float = spec_field(
        0.1,
        lo=0,
        hi=1,
        lo_open=True,
        hi_open=True,
        dimensionless=True,
        doc="futility = cp: stop when the conditional power is below this.",
    )
    futility_cp_under: CpUnder = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        CpUnder.TREND,
        kind=Kind.CHOICE,
        choices=CpUnder,
        doc="futility = cp: conditional power under the current trend or the design effect.",
    )
    information: Information = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        Information.OBSERVED,
        kind=Kind.CHOICE,
        choices=Information,
        doc="Information fractions the alpha spending reads: observed (each trial's 1/SE^2) "
        "or planned (the planned boundaries for every trial).",
    )

    section: ClassVar[str] = "interim"

    def __post_init__(self) -> None:
        validate_fields(self)
        self._check_read()
        given = [name for name in LOOK_WAYS if getattr(self, name)]
        if len(given) > 1:
            raise InputError(
                f"interim.{given[1]}: give the looks one way (interim.looks, look_months or "
                f"look_completed), not {' and '.join(given)}"
            )
        if not given:
            return
        field = given[0]
        n_looks = len(getattr(self, field))
        if n_looks > MAX_LOOKS:
            raise InputError(f"interim.{field}: {n_looks} looks; at most {MAX_LOOKS}")
        if field == "look_months":
            check_look_months(self.look_months)
        else:
            check_fractions(getattr(self, field), f"interim.{field}")
        self.alpha_spending()  # checks gamma
        if self.spending is Spending.USER and len(self.user_spending) != n_looks:
            raise InputError(
                f"interim.user_spending has {len(self.user_spending)} values; "
                f"interim.{field} has {n_looks}: give one per look"
            )
        if self.futility is not Futility.NONE:
            self.beta_spending()

    def _check_read(self) -> None:
        """A field given a value other than its default is refused while the setting that
        reads it is not in effect (``gamma`` with ``spending = "obf"``): it would be ignored."""
        for name, (field, values) in READ_ONLY_WITH.items():
            value, setting = getattr(self, name), getattr(self, field)
            if setting in values or value == _default(name):
                continue
            allowed = [repr(v.value) for v in values]
            needs = allowed[0] if len(allowed) == 1 else ", ".join(allowed[:-1])
            needs += f" or {allowed[-1]}" if len(allowed) > 1 else ""
            raise InputError(
                f"interim.{name} = {_shown(value)}: read only with interim.{field} = {needs} "
                f"({field} is {setting.value!r}): it would be ignored"
            )

    @property
    def looks_as(self) -> str:
        """How the looks are given: the field name (``looks``: information fractions,
        ``look_months`` or ``look_completed``), or ``""`` without looks."""
        return next((name for name in LOOK_WAYS if getattr(self, name)), "")

    @property
    def n_looks(self) -> int:
        """Number of analyses (0 without looks)."""
        return len(getattr(self, self.looks_as)) if self.looks_as else 0

    @property
    def sequential(self) -> bool:
        """True when the design has interim looks (more than one analysis)."""
        return self.n_looks > 1

    def alpha_spending(self) -> SpendingFunction:
        """The alpha-spending function."""
        return SpendingFunction(self.spending.value, self.gamma, self.user_spending)

    def beta_spending(self) -> SpendingFunction | None:
        """The beta-spending function of the futility rule (None without one, or with the
        conditional-power rule)."""
        if self.futility in (Futility.NONE, Futility.CP):
            return None
        try:
            return SpendingFunction(self.futility.value, self.futility_gamma)
        except InputError as exc:
            raise InputError(str(exc).replace("interim.gamma", "interim.futility_gamma")) from None

    def futility_words(self) -> str:
        """The futility rule in words (``""`` without one), as :meth:`describe` gives it:
        ``non-binding futility by ... beta spending, beta 0.2``."""
        if self.futility is Futility.CP:
            under = {"trend": "current trend", "design": "design effect"}
            return (
                f"non-binding futility (conditional power under the "
                f"{under[self.futility_cp_under.value]} < {self.futility_cp:g})"
            )
        if self.futility is Futility.NONE:
            return ""
        return (
            f"non-binding futility by {self.beta_spending().words()} beta spending, "
            f"beta {self.futility_beta:g}"
        )

    def describe(self) -> str:
        """One short line, e.g. ``2 looks at information 0.5, 1; O'Brien-Fleming-type (obf)
        alpha spending``."""
        if not self.sequential:
            return "no interim analysis"
        where = {
            "looks": "information",
            "look_months": "months",
            "look_completed": "fraction of patients completed",
        }[self.looks_as]
        values = ", ".join(f"{t:g}" for t in getattr(self, self.looks_as))
        text = (
            f"{self.n_looks} looks at {where} {values}; "
            f"{self.alpha_spending().words()} alpha spending"
        )
        if self.futility is not Futility.NONE:
            text += f"; {self.futility_words()}"
        if self.information is Information.PLANNED:
            text += "; boundaries at the planned information"
        return text
