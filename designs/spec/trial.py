"""The ``[trial]`` section: what is planned (sizes, allocation, visits, test and analysis)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import numpy as np

from designs.analyses.registry import ANALYSIS_NAMES
from designs.errors import InputError
from designs.spec.accrual import MIN_ACCRUAL
from designs.spec.fields import Kind, check_printable, show, spec_field, validate_fields

__all__ = [
    "MAX_ALLOCATION_BLOCK",
    "MAX_DURATION_MONTHS",
    "MAX_NAME_LENGTH",
    "MAX_PATIENT_VISITS",
    "MAX_VISITS_PER_PATIENT",
    "MIN_DURATION_MONTHS",
    "Allocation",
    "Analysis",
    "TrialSection",
]

#: Shortest and longest follow-up a design may have, months: a slope needs at least a
#: month of visits, and ten years is beyond the survival of nearly every ALS patient.
MIN_DURATION_MONTHS, MAX_DURATION_MONTHS = 1.0, 120.0
#: Most scheduled visits per patient, lead-in included (a visit a day for 2.7 years).
MAX_VISITS_PER_PATIENT = 1_000
#: Most patient-visits in one simulated trial (patients randomised x visits per patient):
#: each thread holds about 16 bytes per patient-visit of working memory, so 0.16 GB, and
#: the exported trial of ``simulate.py trial`` 32 bytes per patient-visit.
MAX_PATIENT_VISITS = 10_000_000
#: Longest design name, characters (it heads tables, files and the methods text).
MAX_NAME_LENGTH = 200
#: Largest randomisation block a sample-size search rounds ``n_total`` to (2:1 gives 3, 3:2
#: gives 5); a ratio that needs a longer block (e.g. 10:13) is searched in single patients.
MAX_ALLOCATION_BLOCK = 12

#: Primary analysis of each simulated trial: the names of the analysis registry
#: (:mod:`designs.analyses.registry`, which holds each one's estimand and units).
Analysis = StrEnum("Analysis", {name.upper(): name for name in ANALYSIS_NAMES})
Analysis.__doc__ = "Primary analysis of each simulated trial (the name used in files and CLI)."


@dataclass(frozen=True)
class Allocation:
    """Randomisation ratio placebo : active (any positive numbers, e.g. 1 and 2).

    Parameters
    ----------
    placebo, active : float
        Relative weights, both > 0 (dimensionless).
    """

    placebo: float = spec_field(
        1.0, lo=0, lo_open=True, dimensionless=True, doc="Relative weight of the placebo arm."
    )
    active: float = spec_field(
        1.0, lo=0, lo_open=True, dimensionless=True, doc="Relative weight of the active arm."
    )

    section: ClassVar[str] = "trial.allocation"

    def __post_init__(self) -> None:
        validate_fields(self)

    @property
    def equal(self) -> bool:
        """True for 1:1 allocation (equal weights)."""
        return self.placebo == self.active

    @property
    def active_fraction(self) -> float:
        """Fraction of patients randomised to active, ``active / (placebo + active)``."""
        return self.active / (self.placebo + self.active)

    def describe(self) -> str:
        """``'1:2'`` style text (placebo:active)."""
        return f"{self.placebo:g}:{self.active:g}"

    @property
    def block(self) -> int:
        """Patients in the smallest group that splits exactly in this ratio: 2 for 1:1, 3 for
        1:2, 5 for 2:3 (or 1:1.5); 1 when the ratio needs more than
        :data:`MAX_ALLOCATION_BLOCK` patients (e.g. 10:13) or is not a ratio of whole numbers.
        A sample-size search rounds ``n_total`` up to a multiple of it, so that the arms are
        in the ratio exactly (the sizes a trial randomised in such blocks can reach)."""
        from fractions import Fraction

        ratio = self.active / self.placebo
        frac = Fraction(ratio).limit_denominator(MAX_ALLOCATION_BLOCK)
        if abs(float(frac) - ratio) > 1e-12 * ratio:
            return 1
        size = frac.numerator + frac.denominator
        return size if size <= MAX_ALLOCATION_BLOCK else 1


@dataclass(frozen=True)
class TrialSection:
    """What is planned: sizes, allocation, visits, test and analysis (``[trial]``).

    Parameters
    ----------
    name : str
        Human name of the design.
    n_per_arm : int or None
        Patients randomised per arm; only with equal (1:1) allocation.
    n_total : int or None
        Patients randomised in total. Required with unequal allocation; with 1:1 it must be
        even. After construction ``n_total`` is always set, and ``n_per_arm`` is set exactly
        when allocation is 1:1.
    allocation : Allocation
        Ratio placebo:active.
    accrual_per_month : float
        Patients randomised per month, in [0.1, 1e6]; gives the calendar length in reports.
    visits_months : tuple of float
        Scheduled visits, months from randomisation; strictly increasing, first 0, >= 2 visits.
    alpha : float
        Significance level, in (0, 0.5].
    sides : int
        1 or 2 (a one-sided test rejects only in favour of active).
    analysis : Analysis
        Primary analysis of each simulated trial.
    lead_in_months : float
        Months of observation before randomisation (0 = none, the default). Lead-in visits
        are at ``-lead_in_months, ..., -lead_in_visit_interval_months`` (month 0, the
        baseline, closes the lead-in); every patient follows their natural-history slope
        during it, treatment acts only after month 0, and nobody leaves before
        randomisation. The phase 2 had about 3 months (docs/conventions.md#phase-2-model); a
        4-month lead-in cut n by 44% for a 12-month slope trial
        (docs/references.md#lead-in-designs).
    lead_in_visit_interval_months : float
        Months between lead-in visits (> 0); ``lead_in_months`` must be a whole multiple.

    Notes
    -----
    Rules between fields, checked after every field: visits strictly increasing from 0;
    ``lead_in_months`` a whole multiple of the lead-in interval; the sizes resolved from
    ``n_per_arm`` / ``n_total`` and the allocation.
    """

    name: str = spec_field(kind=Kind.TEXT, doc="Human name of the design.")
    n_per_arm: int | None = spec_field(
        None,
        kind=Kind.INTEGER,
        lo=2,
        unit="patients per arm",
        optional=True,
        doc="Patients randomised per arm (1:1 allocation only).",
    )
    n_total: int | None = spec_field(
        None,
        kind=Kind.INTEGER,
        lo=4,
        unit="patients randomised",
        optional=True,
        doc="Patients randomised in total (required with unequal allocation).",
    )
    allocation: Allocation = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        default_factory=Allocation,
        kind=Kind.TABLE,
        table=Allocation,
        doc="Randomisation ratio placebo:active.",
    )
    accrual_per_month: float = spec_field(
        10.0,
        lo=MIN_ACCRUAL,
        hi=1e6,
        unit="patients/month",
        doc="Patients randomised per month (calendar length in reports).",
    )
    visits_months: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        unit="months",
        doc="Scheduled visits, months from randomisation (first 0, strictly increasing).",
    )
    alpha: float = spec_field(
        0.05,
        lo=0,
        hi=0.5,
        lo_open=True,
        dimensionless=True,
        # an explorer review: 0.6 was accepted (and its power shown as if meaningful); a
        # level above 0.5 rejects more often than not with no effect, one- or two-sided
        doc="Significance level (one-sided: of the favourable tail; two-sided: both tails).",
    )
    sides: int = spec_field(
        2,
        kind=Kind.ONE_OF,
        choices=(1, 2),
        dimensionless=True,
        doc="Sides of the test (one-sided rejects only in favour of active).",
    )
    analysis: Analysis = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        Analysis.LMM_SLOPE,
        kind=Kind.CHOICE,
        choices=Analysis,
        doc="Primary analysis of each simulated trial.",
    )
    lead_in_months: float = spec_field(
        0.0,
        lo=0,
        hi=60,
        unit="months",
        doc="Months of observation before randomisation (0 = none).",
    )
    lead_in_visit_interval_months: float = spec_field(
        1.0,
        lo=0,
        lo_open=True,
        unit="months",
        doc="Months between lead-in visits.",
    )

    section: ClassVar[str] = "trial"

    def __post_init__(self) -> None:
        raw = validate_fields(self)
        visits = self.visits_months
        if (
            len(visits) < 2
            or visits[0] != 0.0
            or any(b <= a for a, b in itertools.pairwise(visits))
        ):
            raise InputError(
                f"trial.visits_months = {show(raw['visits_months'])}: must be at least 2 "
                "strictly increasing months starting at 0"
            )
        duration = visits[-1]
        if not MIN_DURATION_MONTHS <= duration <= MAX_DURATION_MONTHS:
            raise InputError(
                f"trial.visits_months = {show(raw['visits_months'])}: the last visit (the "
                f"trial's length) is at month {duration:g}; must be in "
                f"[{MIN_DURATION_MONTHS:g}, {MAX_DURATION_MONTHS:g}] months"
            )
        lead, step = self.lead_in_months, self.lead_in_visit_interval_months
        if lead > 0 and abs(lead / step - round(lead / step)) > 1e-9:
            raise InputError(
                f"trial.lead_in_months = {show(raw['lead_in_months'])}: must be a whole multiple "
                f"of trial.lead_in_visit_interval_months = {step:g}"
            )
        if lead > duration:
            raise InputError(
                f"trial.lead_in_months = {lead:g}: longer than the trial ({duration:g} months, "
                "the last of trial.visits_months); must be <= the trial's length"
            )
        check_printable("trial.name", self.name, MAX_NAME_LENGTH, required=True)
        given = "n_per_arm" if self.n_per_arm is not None else "n_total"  # before resolving
        self._resolve_sizes()
        self._check_size(given)

    def _check_size(self, field_name: str) -> None:
        """Refuse a trial too large to simulate: the visits per patient and the patient-visits
        are bounded, before any memory is allocated. ``field_name``: the size the design gave
        (``n_per_arm`` or ``n_total``), which the message names."""
        lead_visits = round(self.lead_in_months / self.lead_in_visit_interval_months)
        per_patient = len(self.visits_months) + lead_visits
        if per_patient > MAX_VISITS_PER_PATIENT:
            raise InputError(
                f"trial.visits_months and trial.lead_in_visit_interval_months: {per_patient:,} "
                f"visits per patient (lead-in included); at most {MAX_VISITS_PER_PATIENT:,}"
            )
        total = int(self.n_total) * per_patient
        if total > MAX_PATIENT_VISITS:
            most = MAX_PATIENT_VISITS // per_patient  # patients in all
            if field_name == "n_per_arm":
                most //= 2
            raise InputError(
                f"trial.{field_name} = {getattr(self, field_name):,}: {total:,} patient-visits "
                f"per trial ({per_patient} visits per patient, about {16 * total / 1e9:.2g} GB "
                f"of memory per thread); at most {MAX_PATIENT_VISITS:,}, e.g. {field_name} <= "
                f"{most:,} with these visits"
            )

    def _resolve_sizes(self) -> None:
        n_arm, n_tot, alloc = self.n_per_arm, self.n_total, self.allocation
        if alloc.equal:
            if n_arm is None and n_tot is None:
                raise InputError("trial.n_per_arm: missing; give trial.n_per_arm or trial.n_total")
            if n_tot is not None and n_tot % 2:
                raise InputError(
                    f"trial.n_total = {n_tot}: must be even with 1:1 allocation "
                    "(or give trial.n_per_arm)"
                )
            if n_arm is not None and n_tot is not None and n_tot != 2 * n_arm:
                raise InputError(
                    f"trial.n_total = {n_tot}: disagrees with trial.n_per_arm = {n_arm}; "
                    "give one of them"
                )
            n_arm = n_arm if n_arm is not None else n_tot // 2
            object.__setattr__(self, "n_per_arm", n_arm)
            object.__setattr__(self, "n_total", 2 * n_arm)
            return
        if n_arm is not None:
            raise InputError(
                f"trial.n_per_arm: not allowed with unequal allocation placebo={alloc.placebo:g}, "
                f"active={alloc.active:g}; give trial.n_total, the patients in total "
                "(sample-size and report find it themselves)"
            )
        if n_tot is None:
            raise InputError(
                f"trial.n_total: missing; required with unequal allocation "
                f"placebo={alloc.placebo:g}, active={alloc.active:g}"
            )
        n_act = _round_half_up(n_tot * alloc.active_fraction)
        if n_act < 2 or n_tot - n_act < 2:
            raise InputError(
                f"trial.n_total = {n_tot}: gives {n_tot - n_act} placebo and {n_act} active with "
                f"allocation {alloc.describe()}; each arm needs >= 2"
            )

    @property
    def n_active(self) -> int:
        """Patients randomised to active: ``round(n_total * active / (placebo + active))``.

        Halves round up (towards more active patients).
        """
        if self.allocation.equal:
            return int(self.n_per_arm)
        return _round_half_up(self.n_total * self.allocation.active_fraction)

    @property
    def n_placebo(self) -> int:
        """Patients randomised to placebo: ``n_total - n_active``."""
        return int(self.n_total) - self.n_active

    @property
    def duration_months(self) -> float:
        """Follow-up per patient: the last scheduled visit, months."""
        return self.visits_months[-1]

    @property
    def visits(self) -> np.ndarray:
        """``visits_months`` as a float64 array (months)."""
        return np.asarray(self.visits_months, dtype=float)

    def visits_text(self) -> str:
        """The visits in a sentence: the lead-in's before randomisation, if any, then the
        scheduled ones (months; a grant review: the lead-in's visits were given nowhere)."""
        months = ", ".join(f"{v:g}" for v in self.visits_months)
        lead = self.lead_in_visits
        if lead.size == 0:
            return f"Visits at months {months}."
        before = ", ".join(f"{v:g}" for v in lead)
        return (
            f"Lead-in visits at months {before} ({self.lead_in_months:g} months before "
            f"randomisation; nobody leaves or dies during the lead-in, an assumption, so n "
            f"counts the patients randomised after it), then visits at months {months}."
        )

    @property
    def lead_in_visits(self) -> np.ndarray:
        """Lead-in visit months before randomisation (negative, increasing; empty if none)."""
        if self.lead_in_months <= 0:
            return np.empty(0)
        k = round(self.lead_in_months / self.lead_in_visit_interval_months)
        return -self.lead_in_visit_interval_months * np.arange(k, 0, -1, dtype=float)


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)
