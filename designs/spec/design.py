"""The trial design: typed, frozen, validated specifications read from TOML.

A design has four sections, each a frozen dataclass validated on construction:

- :class:`TrialSection` (``[trial]``): sizes, allocation, visits, test and analysis;
- :class:`Population` (``[population]``): untreated (placebo) patients at enrolment;
- :class:`Effect` (``[effect]``): how treatment changes each treated patient's slope;
- :class:`Dropout` (``[dropout]``): monotone loss to follow-up and death;
- :class:`Enrichment` (``[enrichment]``): who is admitted at screening (delta-FS, lead-in decline).

Units: ALSFRS-R points (0-48 scale) and months throughout. Every file is read on top of
``designs/library/default.toml`` (the proposed CL2020 follow-up; each number there cites its
source), so a file names only what it changes. Bad input raises :class:`InputError` with one
line naming the field, the value given and what is allowed.

Two pairs of fields replace each other when a file or an override names one of them:
``trial.n_per_arm`` / ``trial.n_total`` and ``dropout.monthly_hazard`` / ``dropout.cumulative``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import numbers
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from designs.analyses.registry import ANALYSIS_NAMES, REGISTRY
from designs.errors import InputError

__all__ = [
    "LIBRARY_DIR",
    "Allocation",
    "Analysis",
    "Dropout",
    "Effect",
    "EffectKind",
    "EffectSource",
    "Enrichment",
    "Population",
    "Transport",
    "TrialDesign",
    "TrialSection",
    "list_designs",
    "load_design",
]

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "library"
SCORE_MAX = 48.0  # ALSFRS-R maximum total, points


#: Primary analysis of each simulated trial: the names of the analysis registry
#: (:mod:`designs.analyses.registry`, which holds each one's estimand and units).
Analysis = StrEnum("Analysis", {name.upper(): name for name in ANALYSIS_NAMES})
Analysis.__doc__ = "Primary analysis of each simulated trial (the name used in files and CLI)."


class EffectKind(StrEnum):
    """How ``effect.value`` is read."""

    SLOPE_DIFFERENCE = "slope_difference"  # points/month added to each treated slope
    PROPORTIONAL_SLOWING = "proportional_slowing"  # fraction of |slope_mean| added


class EffectSource(StrEnum):
    """Where the effect comes from."""

    FIXED = "fixed"  # effect.value as given
    POSTERIOR = "posterior"  # one phase 2 posterior draw per simulated trial


class Transport(StrEnum):
    """How a phase 2 posterior draw of ``delta`` becomes this population's effect."""

    PROPORTIONAL = "proportional"  # delta / |mu_b| applied as proportional_slowing
    ABSOLUTE = "absolute"  # delta applied as slope_difference


# --------------------------------------------------------------------------- validation helpers


def _show(value: Any) -> str:
    """Render a value for an error message (tuples as TOML-like lists)."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _real(
    where: str,
    value: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    unit: str = "",
) -> float:
    """Check that ``value`` is a finite real number in the stated range; return it as float.

    Ints are accepted for floats; bools, strings, NaN and infinities are not.
    """
    if lo is not None and hi is not None:
        domain = f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    elif lo is not None:
        domain = f"{'>' if lo_open else '>='} {lo:g}"
    elif hi is not None:
        domain = f"{'<' if hi_open else '<='} {hi:g}"
    else:
        domain = ""
    suffix = f" ({unit})" if unit else ""
    if not _is_real(value):
        raise InputError(f"{where} = {_show(value)}: must be a number {domain}".rstrip() + suffix)
    x = float(value)
    if not math.isfinite(x):
        raise InputError(
            f"{where} = {_show(value)}: must be a finite number {domain}".rstrip() + suffix
        )
    too_low = lo is not None and (x <= lo if lo_open else x < lo)
    too_high = hi is not None and (x >= hi if hi_open else x > hi)
    if too_low or too_high:
        raise InputError(f"{where} = {_show(value)}: must be {domain}{suffix}")
    return x


def _integer(where: str, value: Any, *, lo: int, what: str = "") -> int:
    """Check that ``value`` is an integer (not bool, not float) >= ``lo``."""
    suffix = f" ({what})" if what else ""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_):
        raise InputError(f"{where} = {_show(value)}: must be an integer >= {lo}{suffix}")
    if int(value) < lo:
        raise InputError(f"{where} = {_show(value)}: must be >= {lo}{suffix}")
    return int(value)


def _choice(where: str, value: Any, enum: type[StrEnum]) -> StrEnum:
    allowed = ", ".join(m.value for m in enum)
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    raise InputError(f"{where} = {_show(value)}: must be one of {allowed}")


def _bool(where: str, value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise InputError(f"{where} = {_show(value)}: must be true or false")


def _real_tuple(where: str, value: Any, what: str) -> tuple[float, ...]:
    """A list/tuple/array of finite reals as a tuple of floats."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise InputError(f"{where} = {_show(value)}: must be a list of numbers ({what})")
    out = []
    for v in value:
        if not _is_real(v) or not math.isfinite(float(v)):
            raise InputError(
                f"{where} = {_show(tuple(value))}: must be a list of finite numbers ({what})"
            )
        out.append(float(v))
    return tuple(out)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Allocation:
    """Randomisation ratio placebo : active (any positive numbers, e.g. 1 and 2).

    Parameters
    ----------
    placebo, active : float
        Relative weights, both > 0.
    """

    placebo: float = 1.0
    active: float = 1.0

    def __post_init__(self) -> None:
        _set(self, "placebo", _real("trial.allocation.placebo", self.placebo, lo=0, lo_open=True))
        _set(self, "active", _real("trial.allocation.active", self.active, lo=0, lo_open=True))

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
        Patients randomised per month (> 0); gives the calendar length in reports.
    visits_months : tuple of float
        Scheduled visits, months from randomisation; strictly increasing, first 0, >= 2 visits.
    alpha : float
        Significance level, in (0, 1).
    sides : int
        1 or 2 (a one-sided test rejects only in favour of active).
    analysis : Analysis
        Primary analysis of each simulated trial.
    lead_in_months : float
        Months of observation before randomisation (0 = none, the default). Lead-in visits
        are at ``-lead_in_months, ..., -lead_in_visit_interval_months`` (month 0, the
        baseline, closes the lead-in); every patient follows their natural-history slope
        during it, treatment acts only after month 0, and nobody leaves before
        randomisation. The phase 2 had about 3 months (docs/conventions.md#phase-2-model); a 4-month
        lead-in cut n by 44% for a 12-month slope trial (docs/references.md#lead-in-designs).
    lead_in_visit_interval_months : float
        Months between lead-in visits (> 0); ``lead_in_months`` must be a whole multiple.
    """

    name: str
    n_per_arm: int | None = None
    n_total: int | None = None
    allocation: Allocation = field(default_factory=Allocation)
    accrual_per_month: float = 10.0
    visits_months: tuple[float, ...] = ()
    alpha: float = 0.05
    sides: int = 2
    analysis: Analysis = Analysis.LMM_SLOPE
    lead_in_months: float = 0.0
    lead_in_visit_interval_months: float = 1.0

    section: ClassVar[str] = "trial"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InputError(f"trial.name = {_show(self.name)}: must be a string")
        alloc = self.allocation
        if isinstance(alloc, Mapping):
            _check_keys("trial.allocation", alloc, ("placebo", "active"))
            alloc = Allocation(**alloc)
        elif not isinstance(alloc, Allocation):
            raise InputError(
                f"trial.allocation = {_show(alloc)}: must be a table "
                "{ placebo = number > 0, active = number > 0 }"
            )
        _set(self, "allocation", alloc)
        _set(
            self,
            "accrual_per_month",
            _real(
                "trial.accrual_per_month",
                self.accrual_per_month,
                lo=0,
                lo_open=True,
                unit="patients/month",
            ),
        )
        visits = _real_tuple("trial.visits_months", self.visits_months, "months")
        if (
            len(visits) < 2
            or visits[0] != 0.0
            or any(b <= a for a, b in itertools.pairwise(visits))
        ):
            raise InputError(
                f"trial.visits_months = {_show(self.visits_months)}: must be at least 2 "
                "strictly increasing months starting at 0"
            )
        _set(self, "visits_months", visits)
        _set(
            self, "alpha", _real("trial.alpha", self.alpha, lo=0, hi=1, lo_open=True, hi_open=True)
        )
        if (
            not isinstance(self.sides, numbers.Integral)
            or isinstance(self.sides, bool | np.bool_)
            or int(self.sides) not in (1, 2)
        ):
            raise InputError(f"trial.sides = {_show(self.sides)}: must be 1 or 2")
        _set(self, "sides", int(self.sides))
        _set(self, "analysis", _choice("trial.analysis", self.analysis, Analysis))
        lead = _real("trial.lead_in_months", self.lead_in_months, lo=0, hi=60, unit="months")
        step = _real(
            "trial.lead_in_visit_interval_months",
            self.lead_in_visit_interval_months,
            lo=0,
            lo_open=True,
            unit="months",
        )
        if lead > 0 and abs(lead / step - round(lead / step)) > 1e-9:
            raise InputError(
                f"trial.lead_in_months = {_show(self.lead_in_months)}: must be a whole multiple "
                f"of trial.lead_in_visit_interval_months = {step:g}"
            )
        _set(self, "lead_in_months", lead)
        _set(self, "lead_in_visit_interval_months", step)
        self._resolve_sizes()

    def _resolve_sizes(self) -> None:
        n_arm, n_tot, alloc = self.n_per_arm, self.n_total, self.allocation
        if n_arm is not None:
            n_arm = _integer("trial.n_per_arm", n_arm, lo=2, what="patients per arm")
        if n_tot is not None:
            n_tot = _integer("trial.n_total", n_tot, lo=4, what="patients randomised")
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
            _set(self, "n_per_arm", n_arm)
            _set(self, "n_total", 2 * n_arm)
            return
        if n_arm is not None:
            raise InputError(
                f"trial.n_per_arm: not allowed with unequal allocation placebo={alloc.placebo:g}, "
                f"active={alloc.active:g}; give trial.n_total"
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
        _set(self, "n_total", n_tot)

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

    @property
    def lead_in_visits(self) -> np.ndarray:
        """Lead-in visit months before randomisation (negative, increasing; empty if none)."""
        if self.lead_in_months <= 0:
            return np.empty(0)
        k = round(self.lead_in_months / self.lead_in_visit_interval_months)
        return -self.lead_in_visit_interval_months * np.arange(k, 0, -1, dtype=float)


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


@dataclass(frozen=True)
class Population:
    """Untreated (placebo) patients at enrolment (``[population]``).

    Model: ``y_ij = a_i + s_i t_j + e_ij`` with ``(a_i, s_i)`` bivariate normal.

    Parameters
    ----------
    baseline_mean : float
        Mean ALSFRS-R at month 0, points, in [0, 48].
    baseline_sd : float
        Between-patient SD of the true month-0 level, points, >= 0.
    slope_mean : float
        Mean true slope, points/month (negative = decline).
    slope_sd : float
        Between-patient SD of TRUE slopes, points/month, >= 0 (0 allowed). Not the SD of
        observed slopes, which includes measurement noise.
    baseline_slope_corr : float
        Correlation of ``a_i`` and ``s_i``, in [-1, 1].
    residual_sd : float
        Visit-to-visit noise around each patient's line, points, >= 0.
    integer_scores : bool
        Round simulated scores to integers and clip to 0-48 (false: continuous, unbounded).
    delta_fs_mean, delta_fs_sd : float
        Mean and SD of the pre-baseline progression rate
        ``delta-FS = (48 - ALSFRS-R at enrolment) / months since onset``, points/month
        (> 0 and >= 0), log-normal. Trial values: docs/references.md#pre-baseline-progression-rate
        (e.g. PRO-ACT matched controls 0.91 (0.53), masitinib placebo 0.71 (0.69), masitinib
        delta-FS < 1.1 subgroup 0.41 (0.23)). Used only when ``[enrichment]`` screens on it.
    delta_fs_slope_corr : float
        Correlation, in [-1, 1], of ``log delta-FS`` with the patient's rate of decline
        ``-s_i`` (positive: fast before enrolment, fast after). Pre- and post-baseline slopes
        are correlated (Thakore 2018) but the coefficient is not published
        (docs/references.md#pre-baseline-progression-rate): assumed.
    curvature : float
        Nonlinear decline, points/month (0 = linear, the default). Each patient's mean
        trajectory gains a cubic term whose slope is ``curvature`` points/month steeper at
        both ends of the observed window (first lead-in visit or month 0 to the last visit)
        than at its middle: decline fastest early and late (Gordon 2010,
        docs/references.md#nonlinear-decline). The term is zero at month 0 and at the last visit,
        so the mean slope over the randomised period stays ``slope_mean``. Negative values
        give decline fastest mid-window. Size not published: any value is assumed.
    """

    baseline_mean: float
    baseline_sd: float
    slope_mean: float
    slope_sd: float
    baseline_slope_corr: float = 0.0
    residual_sd: float = 2.0
    integer_scores: bool = True
    delta_fs_mean: float = 0.41
    delta_fs_sd: float = 0.23
    delta_fs_slope_corr: float = 0.5
    curvature: float = 0.0

    section: ClassVar[str] = "population"

    def __post_init__(self) -> None:
        p = "population."
        _set(
            self,
            "baseline_mean",
            _real(p + "baseline_mean", self.baseline_mean, lo=0, hi=SCORE_MAX, unit="points"),
        )
        _set(self, "baseline_sd", _real(p + "baseline_sd", self.baseline_sd, lo=0, unit="points"))
        _set(self, "slope_mean", _real(p + "slope_mean", self.slope_mean, unit="points/month"))
        _set(self, "slope_sd", _real(p + "slope_sd", self.slope_sd, lo=0, unit="points/month"))
        _set(
            self,
            "baseline_slope_corr",
            _real(p + "baseline_slope_corr", self.baseline_slope_corr, lo=-1, hi=1),
        )
        _set(self, "residual_sd", _real(p + "residual_sd", self.residual_sd, lo=0, unit="points"))
        _set(self, "integer_scores", _bool(p + "integer_scores", self.integer_scores))
        _set(
            self,
            "delta_fs_mean",
            _real(p + "delta_fs_mean", self.delta_fs_mean, lo=0, lo_open=True, unit="points/month"),
        )
        _set(
            self,
            "delta_fs_sd",
            _real(p + "delta_fs_sd", self.delta_fs_sd, lo=0, unit="points/month"),
        )
        _set(
            self,
            "delta_fs_slope_corr",
            _real(p + "delta_fs_slope_corr", self.delta_fs_slope_corr, lo=-1, hi=1),
        )
        _set(
            self,
            "curvature",
            _real(p + "curvature", self.curvature, lo=-10, hi=10, unit="points/month"),
        )

    @property
    def delta_fs_log_params(self) -> tuple[float, float]:
        """Mean and SD of ``log delta-FS`` matching ``delta_fs_mean`` and ``delta_fs_sd``.

        ``v = log(1 + sd^2 / mean^2)``, ``mu = log(mean) - v / 2``; returns ``(mu, sqrt(v))``.
        """
        v = math.log1p((self.delta_fs_sd / self.delta_fs_mean) ** 2)
        return math.log(self.delta_fs_mean) - 0.5 * v, math.sqrt(v)

    @property
    def random_effects_cov(self) -> np.ndarray:
        """2x2 covariance of (month-0 level, slope).

        Units: points^2, points^2/month and points^2/month^2.
        """
        cov = self.baseline_slope_corr * self.baseline_sd * self.slope_sd
        return np.array([[self.baseline_sd**2, cov], [cov, self.slope_sd**2]])


@dataclass(frozen=True)
class Effect:
    """Treatment effect on each treated patient's slope (``[effect]``).

    Parameters
    ----------
    kind : EffectKind
        ``slope_difference``: ``value`` points/month added to each treated slope;
        ``proportional_slowing``: ``value * |slope_mean|`` added, so the active arm's mean slope
        is ``(1 - value) * slope_mean``.
    value : float
        Points/month (slope_difference) or a fraction (proportional_slowing); finite.
    sd : float
        Between-patient SD of the benefit, points/month, >= 0.
    source : EffectSource
        ``fixed`` (``value``) or ``posterior`` (one phase 2 posterior draw per trial).
    transport : Transport
        How a posterior draw is carried over (used only with ``source = "posterior"``).
    """

    kind: EffectKind
    value: float
    sd: float = 0.0
    source: EffectSource = EffectSource.FIXED
    transport: Transport = Transport.PROPORTIONAL

    section: ClassVar[str] = "effect"

    def __post_init__(self) -> None:
        _set(self, "kind", _choice("effect.kind", self.kind, EffectKind))
        unit = (
            "points/month"
            if self.kind is EffectKind.SLOPE_DIFFERENCE
            else "fraction of |slope_mean|"
        )
        _set(self, "value", _real("effect.value", self.value, unit=unit))
        _set(self, "sd", _real("effect.sd", self.sd, lo=0, unit="points/month"))
        _set(self, "source", _choice("effect.source", self.source, EffectSource))
        _set(self, "transport", _choice("effect.transport", self.transport, Transport))

    def slope_shift(self, slope_mean: float) -> float:
        """Mean change of slope for treated patients, points/month (positive = slower decline).

        Parameters
        ----------
        slope_mean : float
            The population's (placebo) mean slope, points/month.
        """
        if self.kind is EffectKind.SLOPE_DIFFERENCE:
            return self.value
        return self.value * abs(slope_mean)


@dataclass(frozen=True)
class Dropout:
    """Monotone loss to follow-up and death, in continuous time (``[dropout]``).

    Parameters
    ----------
    monthly_hazard : float
        Constant MCAR dropout hazard, per month, >= 0. Not together with ``cumulative``.
    cumulative : tuple of float
        Fraction gone by each scheduled visit (one per visit; first 0; non-decreasing; < 1),
        read as a piecewise-constant hazard between visits; empty for none.
    informative : float
        Log-hazard per point/month of decline faster than ``slope_mean`` (0 = MCAR): a
        patient's dropout hazard is multiplied by ``exp(informative * (slope_mean - s_i))``,
        ``s_i`` the patient's own slope on treatment; the base hazard is then scaled so
        that the placebo arm's marginal fraction gone by the last visit stays the nominal one
        for the population screened. With ``[enrichment]`` the admitted patients' slopes
        differ from the screened population's, so their dropout rate then differs from the
        nominal one (the power output reports the rates actually simulated).
    death_monthly_hazard : float
        Constant death hazard, per month, >= 0 (on top of dropout).
    death_informative : float
        Like ``informative``, for the death hazard (log-hazard per point/month of decline
        faster than ``slope_mean``); the placebo arm's marginal death rate by the last visit
        stays the nominal one (for the population screened, as for ``informative``).
    """

    monthly_hazard: float = 0.0
    cumulative: tuple[float, ...] = ()
    informative: float = 0.0
    death_monthly_hazard: float = 0.0
    death_informative: float = 0.0

    section: ClassVar[str] = "dropout"

    def __post_init__(self) -> None:
        _set(
            self,
            "monthly_hazard",
            _real("dropout.monthly_hazard", self.monthly_hazard, lo=0, unit="per month"),
        )
        cum = _real_tuple("dropout.cumulative", self.cumulative, "fraction gone by each visit")
        if cum and (
            cum[0] != 0.0
            or any(b < a for a, b in itertools.pairwise(cum))
            or not all(0.0 <= c < 1.0 for c in cum)
        ):
            raise InputError(
                f"dropout.cumulative = {_show(self.cumulative)}: must start at 0, be "
                "non-decreasing and stay in [0, 1) (fraction gone by each visit)"
            )
        _set(self, "cumulative", cum)
        if cum and self.monthly_hazard > 0:
            raise InputError(
                f"dropout.monthly_hazard = {self.monthly_hazard!r}: not allowed together with "
                "dropout.cumulative; give one of them"
            )
        _set(
            self,
            "informative",
            _real(
                "dropout.informative",
                self.informative,
                lo=-20,
                hi=20,
                unit="log-hazard per point/month",
            ),
        )
        _set(
            self,
            "death_monthly_hazard",
            _real(
                "dropout.death_monthly_hazard", self.death_monthly_hazard, lo=0, unit="per month"
            ),
        )
        _set(
            self,
            "death_informative",
            _real(
                "dropout.death_informative",
                self.death_informative,
                lo=-20,
                hi=20,
                unit="log-hazard per point/month",
            ),
        )

    def cumulative_at(self, visits: Any, *, include_death: bool = False) -> np.ndarray:
        """Probability of being gone by each visit (MCAR part; ``informative`` ignored).

        Parameters
        ----------
        visits : array_like of float
            Visit times, months. With a ``cumulative`` schedule they must be the trial's visits
            (same length).
        include_death : bool
            Also count death (``death_monthly_hazard``), as an independent competing exit.

        Returns
        -------
        numpy.ndarray
            Fraction gone by each visit, shape (len(visits),).
        """
        t = np.asarray(visits, dtype=float)
        if self.cumulative:
            if t.shape != (len(self.cumulative),):
                raise InputError(
                    f"dropout.cumulative has {len(self.cumulative)} values but {t.size} visits "
                    "were given; give one per visit"
                )
            gone = np.asarray(self.cumulative, dtype=float)
        else:
            gone = -np.expm1(-self.monthly_hazard * t)
        if include_death:
            gone = 1.0 - (1.0 - gone) * np.exp(-self.death_monthly_hazard * t)
        return gone

    def interval_hazards(self, visits: Any) -> np.ndarray:
        """Piecewise-constant dropout hazard on each interval between visits, per month.

        Parameters
        ----------
        visits : array_like of float
            Visit times, months, strictly increasing.

        Returns
        -------
        numpy.ndarray
            Shape (len(visits) - 1,): hazard on (t_k, t_{k+1}], per month.
        """
        t = np.asarray(visits, dtype=float)
        log_surv = np.log1p(-self.cumulative_at(t))
        return -np.diff(log_surv) / np.diff(t)


@dataclass(frozen=True)
class Enrichment:
    """Who is admitted at screening (``[enrichment]``); the defaults admit everyone.

    With enrichment, ``[population]`` describes the candidates screened, and the patients
    randomised are those candidates who pass. Each arm screens its own sequence of
    candidates until ``n`` are admitted; the number screened per patient enrolled is
    reported (its expectation is ``1 / P(admitted)``).

    Parameters
    ----------
    delta_fs_min, delta_fs_max : float
        Admitted range of the pre-baseline rate delta-FS, points/month (0 <= min < max).
        Defaults 0 and 48 (no screening: delta-FS above 48/month needs onset under a month
        before enrolment). Enrichment rules used (docs/references.md#enrichment-rules): masitinib
        phase 3 delta-FS > 0.3; masitinib AB10015 primary population delta-FS < 1.1.
    lead_in_decline_min, lead_in_decline_max : float
        Admitted range of the points lost during the lead-in (score at the first lead-in
        visit minus score at month 0; needs ``trial.lead_in_months > 0``), points. Defaults
        -48 and 48 (no screening). The masitinib phase 3 required >= 1 point lost in a
        12-week run-in; MCI186-19's reported "1-4 points" rule is not confirmed
        (docs/references.md#enrichment-rules).
    """

    delta_fs_min: float = 0.0
    delta_fs_max: float = SCORE_MAX
    lead_in_decline_min: float = -SCORE_MAX
    lead_in_decline_max: float = SCORE_MAX

    section: ClassVar[str] = "enrichment"

    def __post_init__(self) -> None:
        e = "enrichment."
        lo = _real(e + "delta_fs_min", self.delta_fs_min, lo=0, unit="points/month")
        hi = _real(e + "delta_fs_max", self.delta_fs_max, lo=0, unit="points/month")
        if not lo < hi:
            raise InputError(
                f"enrichment.delta_fs_max = {_show(self.delta_fs_max)}: must exceed "
                f"enrichment.delta_fs_min = {lo:g} (points/month)"
            )
        _set(self, "delta_fs_min", lo)
        _set(self, "delta_fs_max", hi)
        lo = _real(
            e + "lead_in_decline_min",
            self.lead_in_decline_min,
            lo=-SCORE_MAX,
            hi=SCORE_MAX,
            unit="points",
        )
        hi = _real(
            e + "lead_in_decline_max",
            self.lead_in_decline_max,
            lo=-SCORE_MAX,
            hi=SCORE_MAX,
            unit="points",
        )
        if not lo <= hi:
            raise InputError(
                f"enrichment.lead_in_decline_max = {_show(self.lead_in_decline_max)}: must be "
                f">= enrichment.lead_in_decline_min = {lo:g} (points)"
            )
        _set(self, "lead_in_decline_min", lo)
        _set(self, "lead_in_decline_max", hi)

    @property
    def screens_delta_fs(self) -> bool:
        """True when the delta-FS range excludes anyone (min > 0 or max < 48)."""
        return self.delta_fs_min > 0.0 or self.delta_fs_max < SCORE_MAX

    @property
    def screens_lead_in(self) -> bool:
        """True when the lead-in decline range excludes anyone."""
        return self.lead_in_decline_min > -SCORE_MAX or self.lead_in_decline_max < SCORE_MAX

    @property
    def active(self) -> bool:
        """True when any screening rule is on."""
        return self.screens_delta_fs or self.screens_lead_in

    def delta_fs_admit_probability(self, population: Population) -> float:
        """P(delta-FS within [min, max]) under the population's log-normal (1 if not screened)."""
        if not self.screens_delta_fs:
            return 1.0
        from scipy.stats import norm

        mu, sd = population.delta_fs_log_params
        if sd == 0.0:
            x = population.delta_fs_mean
            return float(self.delta_fs_min <= x <= self.delta_fs_max)
        a = -math.inf if self.delta_fs_min <= 0 else (math.log(self.delta_fs_min) - mu) / sd
        b = (math.log(self.delta_fs_max) - mu) / sd
        return float(norm.cdf(b) - norm.cdf(a))


#: Smallest admission probability a delta-FS rule may have (1,000 screened per enrolled).
MIN_ADMIT_PROBABILITY = 1e-3

SECTIONS: dict[str, type] = {
    "trial": TrialSection,
    "population": Population,
    "effect": Effect,
    "dropout": Dropout,
    "enrichment": Enrichment,
}
# Fields that replace each other: naming one in a file or override drops the other.
_EXCLUSIVE = {
    ("trial", "n_per_arm"): ("trial", "n_total", None),
    ("trial", "n_total"): ("trial", "n_per_arm", None),
    ("dropout", "monthly_hazard"): ("dropout", "cumulative", []),
    ("dropout", "cumulative"): ("dropout", "monthly_hazard", 0.0),
}


def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _check_keys(where: str, mapping: Mapping, allowed: tuple[str, ...]) -> None:
    for key in mapping:
        if key not in allowed:
            raise InputError(f"{where}.{key}: unknown key; allowed: {', '.join(allowed)}")


def _check_sections(mapping: Any) -> None:
    if not isinstance(mapping, Mapping):
        raise InputError(f"design = {_show(mapping)}: must be a table of sections")
    for sec, body in mapping.items():
        if sec not in SECTIONS:
            raise InputError(f"{sec}: unknown section; allowed: {', '.join(SECTIONS)}")
        if not isinstance(body, Mapping):
            raise InputError(f"{sec} = {_show(body)}: must be a table ([{sec}])")
        _check_keys(sec, body, _field_names(SECTIONS[sec]))


def _merge(base: Mapping, top: Mapping) -> dict:
    """``top`` over ``base`` (two levels), applying the mutually exclusive pairs."""
    _check_sections(top)
    out = {sec: dict(body) for sec, body in base.items()}
    for sec, body in top.items():
        dest = out.setdefault(sec, {})
        for key, value in body.items():
            dest[key] = value
            other = _EXCLUSIVE.get((sec, key))
            if other is not None and other[1] not in body:
                if other[2] is None:
                    dest.pop(other[1], None)
                else:
                    dest[other[1]] = other[2]
    return out


# --------------------------------------------------------------------------- the design


@dataclass(frozen=True)
class TrialDesign:
    """A complete, validated double-blind trial design.

    Parameters
    ----------
    trial : TrialSection
    population : Population
    effect : Effect
    dropout : Dropout
    enrichment : Enrichment
        Screening rules (default: everyone admitted).

    Notes
    -----
    Cross-field rules: a ``dropout.cumulative`` schedule has one value per visit; the
    ``slope_change_lead_in`` analysis and lead-in decline screening need a lead-in; a
    delta-FS rule must admit at least ``MIN_ADMIT_PROBABILITY`` of candidates.
    """

    trial: TrialSection
    population: Population
    effect: Effect
    dropout: Dropout
    enrichment: Enrichment = field(default_factory=Enrichment)

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise InputError(f"{name}: must be a {cls.__name__}")
        n_cum, n_vis = len(self.dropout.cumulative), len(self.trial.visits_months)
        if n_cum and n_cum != n_vis:
            raise InputError(
                f"dropout.cumulative has {n_cum} values but trial.visits_months has {n_vis}; "
                "give one per visit (or use dropout.monthly_hazard)"
            )
        no_lead_in = self.trial.lead_in_months <= 0
        if no_lead_in and REGISTRY[self.trial.analysis].needs_lead_in:
            raise InputError(
                f"trial.analysis = '{self.trial.analysis}': needs trial.lead_in_months > 0"
            )
        if no_lead_in and self.enrichment.screens_lead_in:
            raise InputError(
                "enrichment.lead_in_decline_min/max: screening on lead-in decline needs "
                "trial.lead_in_months > 0"
            )
        p_admit = self.enrichment.delta_fs_admit_probability(self.population)
        if p_admit < MIN_ADMIT_PROBABILITY:
            raise InputError(
                f"enrichment.delta_fs_min/max = [{self.enrichment.delta_fs_min:g}, "
                f"{self.enrichment.delta_fs_max:g}]: admits {p_admit:.2g} of candidates under "
                f"population.delta_fs_mean/sd; must admit >= {MIN_ADMIT_PROBABILITY:g}"
            )

    # ----------------------------------------------------------------- construction

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], *, on_defaults: bool = True) -> TrialDesign:
        """Build a design from nested mappings (as ``tomllib`` returns).

        Parameters
        ----------
        mapping : Mapping
            ``{"trial": {...}, "population": {...}, ...}``; unknown sections or keys are errors.
        on_defaults : bool
            Read ``mapping`` on top of ``default.toml`` (True), or require every field (False).

        Raises
        ------
        InputError
            One line naming the field, its value and what is allowed.
        """
        merged = _merge(_default_mapping() if on_defaults else {}, mapping)
        return cls._build(merged)

    @classmethod
    def _build(cls, merged: Mapping[str, Mapping[str, Any]]) -> TrialDesign:
        _check_sections(merged)
        parts = {}
        for sec, sec_cls in SECTIONS.items():
            body = dict(merged.get(sec, {}))
            for f in dataclasses.fields(sec_cls):
                no_default = (
                    f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                )
                if no_default and f.name not in body:
                    raise InputError(f"{sec}.{f.name}: missing; required")
            try:
                parts[sec] = sec_cls(**body)
            except TypeError as exc:  # pragma: no cover - keys are checked above
                raise InputError(f"{sec}: {exc}") from exc
        return cls(**parts)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Plain nested dict (TOML types: str, int, float, bool, list, dict); ``None`` omitted.

        With 1:1 allocation the size is written as ``n_per_arm``, otherwise as ``n_total``.
        """
        out: dict[str, dict[str, Any]] = {}
        for sec in SECTIONS:
            obj = getattr(self, sec)
            body: dict[str, Any] = {}
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                if isinstance(value, Allocation):
                    value = {"placebo": value.placebo, "active": value.active}
                elif isinstance(value, StrEnum):
                    value = value.value
                elif isinstance(value, tuple):
                    value = list(value)
                body[f.name] = value
            out[sec] = body
        trial = out["trial"]
        if self.trial.allocation.equal:
            trial.pop("n_total")
        else:
            trial.pop("n_per_arm")
        return out

    def to_toml(self) -> str:
        """The design as TOML text; ``from_dict(tomllib.loads(d.to_toml())) == d``."""
        comment = "".join(ch if ch.isprintable() else " " for ch in self.describe())
        lines = [f"# {comment}"]
        for sec, body in self.to_dict().items():
            lines.append("")
            lines.append(f"[{sec}]")
            for key, value in body.items():
                lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    def with_overrides(self, overrides: Mapping[str, Any]) -> TrialDesign:
        """A new validated design with dotted keys replaced.

        Parameters
        ----------
        overrides : Mapping[str, Any]
            ``{"trial.n_per_arm": 50, "effect.value": 0.3, "trial.allocation.active": 2}``.
            Setting ``trial.n_total`` drops ``trial.n_per_arm`` and vice versa; likewise
            ``dropout.monthly_hazard`` and ``dropout.cumulative``.
        """
        top: dict[str, dict[str, Any]] = {}
        for dotted, value in overrides.items():
            parts = str(dotted).split(".")
            if len(parts) < 2 or not all(parts):
                raise InputError(
                    f"{dotted}: override keys are section.key, e.g. trial.n_per_arm; "
                    f"sections: {', '.join(SECTIONS)}"
                )
            sec, key, *rest = parts
            if sec not in SECTIONS:
                raise InputError(f"{sec}: unknown section; allowed: {', '.join(SECTIONS)}")
            body = top.setdefault(sec, {})
            if rest:
                if (sec, key) != ("trial", "allocation") or len(rest) != 1:
                    raise InputError(f"{dotted}: unknown key")
                current = body.get(key)
                if not isinstance(current, dict):
                    a = self.trial.allocation
                    current = {"placebo": a.placebo, "active": a.active}
                current[rest[0]] = value
                _check_keys("trial.allocation", current, ("placebo", "active"))
                body[key] = current
            else:
                body[key] = value
        return self._build(_merge(self.to_dict(), top))

    # ----------------------------------------------------------------- reading

    @property
    def active_slope_mean(self) -> float:
        """Mean slope of the active arm under a fixed effect, points/month."""
        return self.population.slope_mean + self.effect.slope_shift(self.population.slope_mean)

    def describe(self) -> str:
        """One short human line."""
        t, p, e, d = self.trial, self.population, self.effect, self.dropout
        if t.allocation.equal:
            size = f"{t.n_per_arm} per arm"
        else:
            size = f"{t.n_placebo} placebo + {t.n_active} active ({t.allocation.describe()})"
        if e.source is EffectSource.POSTERIOR:
            eff = f"effect from phase 2 posterior ({e.transport.value})"
        elif e.kind is EffectKind.PROPORTIONAL_SLOWING:
            eff = f"{100 * e.value:g}% slowing ({e.slope_shift(p.slope_mean):+.3g} points/month)"
        else:
            eff = f"slope difference {e.value:+.3g} points/month"
        gone = d.cumulative_at(t.visits, include_death=True)[-1]
        extra = ""
        if t.lead_in_months > 0:
            extra += f"; {t.lead_in_months:g}-month lead-in"
        en = self.enrichment
        if en.screens_delta_fs:
            extra += f"; admits delta-FS {en.delta_fs_min:g}-{en.delta_fs_max:g}/month"
        if en.screens_lead_in:
            extra += (
                f"; admits lead-in loss {en.lead_in_decline_min:g} to "
                f"{en.lead_in_decline_max:g} points"
            )
        if p.curvature != 0:
            extra += f"; curvature {p.curvature:g} points/month"
        return (
            f"{t.name}: {size}, {len(t.visits_months)} visits over {t.duration_months:g} months, "
            f"{t.analysis.value}, alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided; "
            f"slope {p.slope_mean:g} (SD {p.slope_sd:g}) points/month; {eff}; "
            f"{100 * gone:.1f}% gone by month {t.duration_months:g}{extra}"
        )


def _toml_string(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # shortest round-tripping repr; finite by validation
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")  # pragma: no cover


# --------------------------------------------------------------------------- files


def _read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file; any problem is an InputError naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"design file '{path}': cannot read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"design file '{path}': not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = " ".join(str(exc).split())
        raise InputError(f"design file '{path}': invalid TOML: {msg}") from exc


@functools.cache
def _default_mapping_cached() -> dict[str, Any]:
    path = LIBRARY_DIR / "default.toml"
    mapping = _read_toml(path)
    try:
        TrialDesign._build(_merge({}, mapping))
    except InputError as exc:
        raise InputError(f"design file '{path}': {exc}") from exc
    return mapping


def _default_mapping() -> dict[str, Any]:
    return {sec: dict(body) for sec, body in _default_mapping_cached().items()}


def list_designs() -> list[str]:
    """Names of the designs in ``designs/library`` (``default`` first)."""
    names = sorted(p.stem for p in LIBRARY_DIR.glob("*.toml"))
    return sorted(names, key=lambda n: n != "default")


def load_design(name_or_path: str | Path | None = None) -> TrialDesign:
    """Load a design by library name or file path, on top of ``default.toml``.

    Parameters
    ----------
    name_or_path : str, Path or None
        None: the default design. A bare name (a str with no path separator, not ending in
        ``.toml``): ``designs/library/NAME.toml``. Anything else: a path to a TOML file.
        An empty file is valid and overrides nothing (it gives the default design).

    Raises
    ------
    InputError
        Unknown library name (the message lists the available ones); unreadable file,
        non-UTF-8 bytes or invalid TOML (naming the file and, for TOML, the position); or an
        invalid field (naming the file and the field).
    """
    if name_or_path is None:
        return TrialDesign.from_dict({})
    if isinstance(name_or_path, str) and _is_bare_name(name_or_path):
        path = LIBRARY_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise InputError(
                f"design '{name_or_path}': unknown name; available: {', '.join(list_designs())} "
                "(or give a path to a .toml file)"
            )
    else:
        path = Path(name_or_path)
    mapping = _read_toml(path)
    try:
        return TrialDesign.from_dict(mapping)
    except InputError as exc:
        raise InputError(f"design file '{path}': {exc}") from exc


def _is_bare_name(s: str) -> bool:
    return bool(s) and "/" not in s and "\\" not in s and not s.endswith(".toml")
