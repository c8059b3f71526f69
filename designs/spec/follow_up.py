"""After randomisation: the treatment ``[effect]`` and loss to follow-up (``[dropout]``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np

from designs.errors import InputError
from designs.spec.fields import Kind, show, spec_field, validate_fields
from designs.spec.patients import MAX_SLOPE
from progression.transport import Transport

#: Largest dropout or death hazard, per month: at 10 per month all but 0.005% are gone
#: within the first month, so nothing larger describes a trial.
MAX_HAZARD = 10.0
#: Months over which a waning effect falls to nothing, unless the design says otherwise.
WANE_MONTHS = 6.0

__all__ = ["Dropout", "Effect", "EffectKind", "EffectSource", "ImprovementError", "Transport"]


class ImprovementError(InputError):
    """A fixed effect that turns the randomised patients' decline into improvement, refused
    unless ``effect.allow_improvement``; ``limit`` is the largest ``effect.value`` allowed (in
    its unit), ``decline`` the randomised patients' mean decline (points/month; None when not
    computed: a proportional slowing above 1) and ``screened`` whether they are the ones
    admitted by delta-FS screening, so that the explorer can say it in its boxes' units (its
    page has no allow_improvement; :mod:`designs.spec.improvement`)."""

    def __init__(
        self, message: str, limit: float, decline: float | None = None, screened: bool = False
    ):
        super().__init__(message)
        self.limit, self.decline, self.screened = limit, decline, screened


class EffectKind(StrEnum):
    """How ``effect.value`` is read."""

    SLOPE_DIFFERENCE = "slope_difference"  # points/month added to each treated slope
    PROPORTIONAL_SLOWING = "proportional_slowing"  # fraction of |slope_mean| added


class EffectSource(StrEnum):
    """Where the effect comes from."""

    FIXED = "fixed"  # effect.value as given
    POSTERIOR = "posterior"  # one phase 2 posterior draw per simulated trial


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
        How a posterior draw is carried over (used only with ``source = "posterior"``):
        :class:`progression.population.Transport`, ``proportional`` (``delta / |mu_b|``
        applied as ``proportional_slowing``) or ``absolute`` (``delta`` applied as
        ``slope_difference``).
    allow_improvement : bool
        A ``proportional_slowing`` above 1, or a fixed ``slope_difference`` above
        ``|population.slope_mean|``, turns the treated patients' decline into improvement; it
        is refused unless this is ``true`` (so ``25`` meant as 25% is not run as a 2500%
        slowing).
    onset_delay_months, ramp_months : float
        Time course of the effect (:meth:`course`): no effect for ``onset_delay_months``
        after randomisation, then a linear rise to the full effect over ``ramp_months``;
        months, >= 0 (0 and 0: full effect from randomisation, as without a time course).
    wane_after_months, wane_months : float
        Waning: from ``wane_after_months`` after randomisation the effect on the slope falls
        linearly to nothing over ``wane_months`` (months, > 0); ``wane_after_months = 0``
        means no waning. Points already gained are kept: the treated patients then decline
        at the natural rate again.
    """

    kind: EffectKind = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        kind=Kind.CHOICE, choices=EffectKind, doc="How effect.value is read."
    )
    value: float = spec_field(
        unit_by=(
            "kind",
            {
                EffectKind.SLOPE_DIFFERENCE: "points/month",
                EffectKind.PROPORTIONAL_SLOWING: "fraction of |slope_mean|",
            },
        ),
        lo=-MAX_SLOPE,
        hi=MAX_SLOPE,
        doc="Slope change of treated patients (positive = slower decline).",
    )
    sd: float = spec_field(
        0.0, lo=0, hi=MAX_SLOPE, unit="points/month", doc="Between-patient SD of the benefit."
    )
    source: EffectSource = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        EffectSource.FIXED,
        kind=Kind.CHOICE,
        choices=EffectSource,
        doc="fixed (effect.value) or posterior (one phase 2 draw per trial).",
    )
    transport: Transport = spec_field(  # noqa: RUF009 (returns a dataclasses.field)
        Transport.PROPORTIONAL,
        kind=Kind.CHOICE,
        choices=Transport,
        doc="How a phase 2 posterior draw becomes this population's effect.",
    )

    allow_improvement: bool = spec_field(
        False,
        kind=Kind.BOOL,
        doc="Allow an effect above the decline (treated patients then improve).",
    )

    onset_delay_months: float = spec_field(
        0.0, lo=0, hi=120, unit="months", doc="No effect for this long after randomisation."
    )
    ramp_months: float = spec_field(
        0.0, lo=0, hi=120, unit="months", doc="Linear rise to the full effect after the delay."
    )
    wane_after_months: float = spec_field(
        0.0,
        lo=0,
        hi=240,
        unit="months",
        doc="Effect starts to wane this long after randomisation (0: never).",
    )
    wane_months: float = spec_field(
        WANE_MONTHS,
        lo=0,
        lo_open=True,
        hi=240,
        unit="months",
        doc="Linear fall of the effect to nothing.",
    )

    section: ClassVar[str] = "effect"

    def __post_init__(self) -> None:
        # Before the field bounds, whose message would not say why: 25 meant as 25%.
        if (
            str(self.kind) == EffectKind.PROPORTIONAL_SLOWING.value
            and isinstance(self.value, int | float)
            and not isinstance(self.value, bool)
            and self.value > 1
            and self.allow_improvement is not True
        ):
            raise ImprovementError(
                f"effect.value = {self.value:g}: a proportional_slowing must be <= 1 (a fraction "
                "of |slope_mean|; 0.25 or 25% is a 25% slowing; above 1 the decline turns into "
                "improvement: set effect.allow_improvement = true to mean that)",
                limit=1.0,
            )
        validate_fields(self)
        if self.wane_after_months == 0 and self.wane_months != WANE_MONTHS:
            raise InputError(  # as the other fields a setting does not read (a review)
                f"effect.wane_months = {self.wane_months:g}: read only when the effect wanes; "
                "set effect.wane_after_months > 0 too (0: no waning)"
            )
        full_from = self.onset_delay_months + self.ramp_months
        if self.wane_after_months > 0 and self.wane_after_months < full_from:
            raise InputError(
                f"effect.wane_after_months = {self.wane_after_months:g}: must be 0 (no waning) "
                f"or >= onset_delay_months + ramp_months = {full_from:g} months"
            )

    @property
    def has_time_course(self) -> bool:
        """Whether the effect is delayed, ramped or waning (else full from randomisation)."""
        return self.onset_delay_months > 0 or self.ramp_months > 0 or self.wane_after_months > 0

    def bends_within(self, last_month: float) -> bool:
        """Whether the time course bends the difference between arms before ``last_month``
        (months from randomisation): a delay or a ramp that starts before it, or waning that
        does (waning after the last visit, or an onset after it, is never seen: a time-course
        review read "not a straight line" and "1 of the full shift" under waning from month
        30 of a 12-month trial)."""
        return self.onset_delay_months < last_month and not self.full_within(last_month)

    def full_within(self, last_month: float) -> bool:
        """Whether the effect is full from randomisation to ``last_month`` (no delay or ramp;
        waning, if any, from ``last_month`` on): what a closed form with a constant shift
        models (a diff review: an onset after the last visit, no effect at all, was given
        the closed-form power of the full shift)."""
        return (
            self.onset_delay_months == 0
            and self.ramp_months == 0
            and (self.wane_after_months == 0 or self.wane_after_months >= last_month)
        )

    def course_text(self) -> str:
        """The time course in words ('' without one), e.g. 'acting from month 3, full by
        month 6, waning from month 18 to none by month 30' (months from randomisation)."""
        d, r = self.onset_delay_months, self.ramp_months
        parts = []
        if r > 0:
            parts.append(f"acting from month {d:g}, full by month {d + r:g}")
        elif d > 0:
            parts.append(f"acting from month {d:g}")
        if self.wane_after_months > 0:
            end = self.wane_after_months + self.wane_months
            parts.append(f"waning from month {self.wane_after_months:g} to none by month {end:g}")
        return ", ".join(parts)

    def intensity(self, months) -> np.ndarray:
        """Fraction of the full effect on the slope at each time (months from randomisation)."""
        t = np.asarray(months, dtype=np.float64)
        d, r = self.onset_delay_months, self.ramp_months
        w = np.where(t < d, 0.0, 1.0)
        if r > 0:
            w = np.where((t >= d) & (t < d + r), (t - d) / r, w)
        if self.wane_after_months > 0:
            w = np.where(
                t > self.wane_after_months,
                np.clip(1.0 - (t - self.wane_after_months) / self.wane_months, 0.0, 1.0),
                w,
            )
        return w

    def course(self, months) -> np.ndarray:
        """Months of full effect accumulated by each time: ``integral_0^t intensity(u) du``.

        The treated patients' mean trajectory gains ``slope_shift * course(t)`` points over
        the placebo arm's (``t`` without a time course, 0 before randomisation). In closed
        form: the ramp contributes ``(t - d)^2 / (2 r)`` during it and ``r / 2 + (t - d - r)``
        after; waning from ``W`` over ``L`` months takes away ``(t - W)^2 / (2 L)`` during it
        and ``L / 2 + (t - W - L)`` after.
        """
        t = np.asarray(months, dtype=np.float64)
        if not self.has_time_course:
            return np.maximum(t, 0.0)
        d, r = self.onset_delay_months, self.ramp_months
        since = np.maximum(t - d, 0.0)
        if r > 0:
            gained = np.where(since < r, since**2 / (2.0 * r), r / 2.0 + (since - r))
        else:
            gained = since
        if self.wane_after_months > 0:
            length = self.wane_months
            fading = np.maximum(t - self.wane_after_months, 0.0)
            lost = np.where(
                fading < length, fading**2 / (2.0 * length), length / 2.0 + (fading - length)
            )
            gained = gained - lost
        return gained

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
        Dropout by each scheduled visit were no one to die (one per visit; first 0;
        non-decreasing; < 1; deaths are ``death_monthly_hazard``'s, competing), read as a
        piecewise-constant hazard between visits; empty for none.
    informative : float
        Log-hazard per point/month of decline faster than ``slope_mean`` (0 = MCAR), in
        [-20, 20]: a patient's dropout hazard is multiplied by
        ``exp(informative * (slope_mean - s_i))``, ``s_i`` the patient's own slope on
        treatment; the base hazard is then scaled so that the placebo arm's marginal fraction
        gone by the last visit stays the nominal one among the patients randomised: under
        delta-FS screening over the admitted patients' slopes (in closed form). Under lead-in
        screening, which has no closed form, the scaling is over the candidates screened, so
        the admitted patients' rate then differs from the nominal one (the power output
        reports the rates actually simulated).
    death_monthly_hazard : float
        Constant death hazard, per month, >= 0 (on top of dropout).
    death_informative : float
        Like ``informative``, for the death hazard (log-hazard per point/month of decline
        faster than ``slope_mean``); the placebo arm's marginal death rate by the last visit
        stays the nominal one (among the patients randomised, as for ``informative``).

    Notes
    -----
    Rules between fields, checked after every field: ``cumulative`` starts at 0, is
    non-decreasing and stays in [0, 1); ``monthly_hazard`` and ``cumulative`` are not both
    given. One ``cumulative`` value per visit is checked by the design.
    """

    monthly_hazard: float = spec_field(
        0.0, lo=0, hi=MAX_HAZARD, unit="per month", doc="Constant MCAR dropout hazard."
    )
    cumulative: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        unit="fraction dropped out by each visit were no one to die (deaths apart)",
        doc="Dropout by each scheduled visit, deaths apart (piecewise-constant hazard; "
        "empty = none).",
    )
    informative: float = spec_field(
        0.0,
        lo=-20,
        hi=20,
        unit="log-hazard per point/month",
        doc="Dropout log-hazard per point/month of decline faster than slope_mean (0 = MCAR).",
    )
    death_monthly_hazard: float = spec_field(
        0.0,
        lo=0,
        hi=MAX_HAZARD,
        unit="per month",
        doc="Constant death hazard (on top of dropout).",
    )
    death_informative: float = spec_field(
        0.0,
        lo=-20,
        hi=20,
        unit="log-hazard per point/month",
        doc="Death log-hazard per point/month of decline faster than slope_mean.",
    )

    section: ClassVar[str] = "dropout"

    def __post_init__(self) -> None:
        raw = validate_fields(self)
        cum = self.cumulative
        if cum and (
            cum[0] != 0.0
            or any(b < a for a, b in itertools.pairwise(cum))
            or not all(0.0 <= c < 1.0 for c in cum)
        ):
            raise InputError(
                f"dropout.cumulative = {show(raw['cumulative'])}: must start at 0, be "
                "non-decreasing and stay in [0, 1) (fraction gone by each visit)"
            )
        if cum and self.monthly_hazard > 0:
            raise InputError(
                f"dropout.monthly_hazard = {self.monthly_hazard!r}: not allowed together with "
                "dropout.cumulative; give one of them"
            )

    @property
    def has_other_exits(self) -> bool:
        """Whether anyone leaves other than by death: a dropout hazard or schedule above 0."""
        return self.monthly_hazard > 0 or any(c > 0 for c in self.cumulative)

    @property
    def acting_informative(self) -> tuple[float, float]:
        """The (dropout, death) informative coefficients that act, per point/month: each is
        0 where there are no exits of its kind (no dropout schedule, no death hazard), since
        it then moves nobody (a missing-data review: 'Also simulated: informative death 4'
        was said of a design in which nobody died)."""
        return (
            self.informative if self.has_other_exits else 0.0,
            self.death_informative if self.death_monthly_hazard > 0 else 0.0,
        )

    @property
    def exits_informative(self) -> bool:
        """Whether who leaves depends on the patient's own decline: informative dropout with a
        dropout schedule, or informative death with a death hazard (the data are then missing
        not at random). An informative setting without exits to act on leaves nobody."""
        return bool(self._informative_exits())

    def _informative_exits(self) -> list[tuple[str, float]]:
        """(verb, coefficient) of each exit whose hazard depends on the decline and that
        has exits to act on: dropout with a schedule ('leave'), death with a hazard ('die')."""
        acting = zip(("leave", "die"), self.acting_informative, strict=True)
        return [(verb, coef) for verb, coef in acting if coef != 0]

    @property
    def informative_verbs(self) -> tuple[str, ...]:
        """``'leave'`` and/or ``'die'``: the exits whose hazard depends on the decline and
        that have exits to act on."""
        return tuple(verb for verb, _ in self._informative_exits())

    @property
    def informative_text(self) -> str:
        """Who leaves more often, by the sign of each informative coefficient that has exits
        to act on ('faster decliners leave more often; slower decliners die more often'); ''
        when exits are missing at random (a realism review: the texts said "faster
        decliners" also for a negative coefficient)."""
        return "; ".join(
            f"{'faster' if coef > 0 else 'slower'} decliners {verb} more often"
            for verb, coef in self._informative_exits()
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
