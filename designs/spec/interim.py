"""Interim analyses of a group-sequential design (``[interim]``).

No ``looks`` (the default): a fixed design, analysed once, every number as before. With
``looks = [0.5, 1.0]`` the trial is analysed when half and all of the final statistical
information has accrued (information fractions), stopping early for efficacy when the z
statistic of the primary analysis crosses a boundary that spends ``trial.alpha`` (with
``trial.sides``) by the ``spending`` function, and optionally for futility (non-binding,
by beta spending). The boundaries come from :mod:`designs.sequential`; the method is in
docs/group_sequential.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from designs.errors import InputError
from designs.sequential import SpendingFunction
from designs.sequential.boundaries import check_fractions
from designs.spec.fields import Kind, spec_field, validate_fields

__all__ = ["MAX_LOOKS", "SEQUENTIAL_ANALYSES", "Futility", "Interim", "Spending"]

#: Most looks a design may have.
MAX_LOOKS = 10
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
    """Futility rule: none, or non-binding beta spending of one family."""

    NONE = "none"
    OBF = "obf"
    POCOCK = "pocock"
    HSD = "hsd"


@dataclass(frozen=True)
class Interim:
    """The looks and boundaries of a group-sequential design (``[interim]``).

    Parameters
    ----------
    looks : tuple of float
        Information fractions of the analyses, strictly increasing in (0, 1], the last 1;
        empty: a fixed design.
    spending : Spending
        Alpha-spending family: obf, pocock, hsd (gamma), power (gamma) or user.
    gamma : float
        Parameter of hsd (in [-10, 5]; -4 resembles O'Brien-Fleming) or power (> 0).
    user_spending : tuple of float
        ``spending = "user"``: cumulative fraction of alpha spent at each look, increasing,
        the last 1.
    futility : Futility
        ``none``, or the beta-spending family of a non-binding futility rule (one-sided
        designs only).
    futility_gamma : float
        Parameter of hsd beta spending.
    futility_beta : float
        Type II error the futility rule spends, in (0, 0.5): the boundaries are derived
        under the drift that gives the design power ``1 - futility_beta``, as rpact does.
    """

    looks: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        dimensionless=True,
        doc="Information fractions of the analyses, increasing, the last 1 (empty: fixed design).",
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
        doc="Non-binding futility by beta spending: none, obf, pocock or hsd.",
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

    section: ClassVar[str] = "interim"

    def __post_init__(self) -> None:
        validate_fields(self)
        if not self.looks:
            return
        if len(self.looks) > MAX_LOOKS:
            raise InputError(f"interim.looks: {len(self.looks)} looks; at most {MAX_LOOKS}")
        check_fractions(self.looks)
        self.alpha_spending()  # checks gamma
        if self.spending is Spending.USER and len(self.user_spending) != len(self.looks):
            raise InputError(
                f"interim.user_spending has {len(self.user_spending)} values; "
                f"interim.looks has {len(self.looks)}: give one per look"
            )
        if self.futility is not Futility.NONE:
            self.beta_spending()

    @property
    def sequential(self) -> bool:
        """True when the design has interim looks (more than one analysis)."""
        return len(self.looks) > 1

    def alpha_spending(self) -> SpendingFunction:
        """The alpha-spending function."""
        return SpendingFunction(self.spending.value, self.gamma, self.user_spending)

    def beta_spending(self) -> SpendingFunction | None:
        """The beta-spending function of the futility rule (None without one)."""
        if self.futility is Futility.NONE:
            return None
        try:
            return SpendingFunction(self.futility.value, self.futility_gamma)
        except InputError as exc:
            raise InputError(str(exc).replace("interim.gamma", "interim.futility_gamma")) from None

    def describe(self) -> str:
        """One short line, e.g. ``2 looks at information 0.5, 1; obf spending``."""
        if not self.sequential:
            return "no interim analysis"
        text = (
            f"{len(self.looks)} looks at information {', '.join(f'{t:g}' for t in self.looks)}; "
            f"{self.alpha_spending().label()} alpha spending"
        )
        if self.futility is not Futility.NONE:
            text += (
                f"; non-binding futility ({self.beta_spending().label()} beta spending, "
                f"beta {self.futility_beta:g})"
            )
        return text
