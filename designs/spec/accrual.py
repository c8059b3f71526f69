"""Accrual over calendar time (``[accrual]``): an optional ramp-up before the steady rate.

Without a ramp (the default) patients enter at ``trial.accrual_per_month`` from month 0 until
``n_total`` are randomised. A ramp gives the rate in the first months of accrual, piece by
piece:

    [accrual]
    ramp_rate_per_month = [2, 5]     # patients/month
    ramp_until_month = [3, 6]        # months from the start of recruitment

means 2 patients/month in months 0-3, 5 in months 3-6, then ``trial.accrual_per_month``
until ``n_total`` are in (accrual may end inside the ramp). The expected number randomised
by month ``t`` is the integral of this piecewise-constant rate; each patient's entry month
is drawn independently from the distribution whose cumulative function is that integral
divided by ``n_total`` (the inverse of the piecewise-linear cumulative function at a
uniform draw), so a steady rate gives entries uniform on the accrual period.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from designs.errors import InputError
from designs.spec.fields import Kind, spec_field, validate_fields

__all__ = ["Accrual"]

#: Most pieces of a ramp.
MAX_PIECES = 24
#: The slowest accrual a design may give, patients/month: one patient in ten months (a
#: reliability review: 1e-300 ran, and printed look months of 300 digits).
MIN_ACCRUAL = 0.1


@dataclass(frozen=True)
class Accrual:
    """Optional ramp-up of accrual (``[accrual]``); the steady rate is
    ``trial.accrual_per_month``.

    Parameters
    ----------
    ramp_rate_per_month : tuple of float
        Rate of each piece of the ramp, patients/month, > 0.
    ramp_until_month : tuple of float
        Month (from the start of recruitment) at which each piece ends, strictly increasing, > 0;
        one per rate.
    """

    ramp_rate_per_month: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        unit="patients/month",
        doc="Accrual rate of each piece of the ramp-up (then trial.accrual_per_month).",
    )
    ramp_until_month: tuple[float, ...] = spec_field(
        (),
        kind=Kind.REAL_LIST,
        unit="months",
        doc="Month at which each piece of the ramp-up ends, increasing.",
    )

    section: ClassVar[str] = "accrual"

    def __post_init__(self) -> None:
        validate_fields(self)
        rates, until = self.ramp_rate_per_month, self.ramp_until_month
        if len(rates) != len(until):
            raise InputError(
                f"accrual.ramp_until_month has {len(until)} values; "
                f"accrual.ramp_rate_per_month has {len(rates)}: give one end month per rate"
            )
        if len(rates) > MAX_PIECES:
            raise InputError(f"accrual.ramp_rate_per_month: {len(rates)} pieces; at most 24")
        if not all(math.isfinite(r) and MIN_ACCRUAL <= r <= 1e6 for r in rates):
            raise InputError(
                f"accrual.ramp_rate_per_month = {list(rates)}: must be rates in "
                f"[{MIN_ACCRUAL:g}, 1e6] patients/month"
            )
        if not all(math.isfinite(m) and 0 < m <= 1200 for m in until) or any(
            b <= a for a, b in itertools.pairwise(until)
        ):
            raise InputError(
                f"accrual.ramp_until_month = {list(until)}: must be strictly increasing months "
                "in (0, 1200]"
            )

    @property
    def ramped(self) -> bool:
        """True when the design has a ramp-up."""
        return bool(self.ramp_rate_per_month)

    def knots(self, n_total: int, steady_rate: float) -> tuple[np.ndarray, np.ndarray]:
        """The cumulative accrual as knots of a piecewise-linear function.

        Returns
        -------
        fractions, months : float64 arrays
            ``fractions[j]`` of the ``n_total`` patients are expected to be randomised by
            ``months[j]``; from (0, 0) to (1, accrual months).
        """
        if not self.ramped:
            return np.array([0.0, 1.0]), np.array([0.0, n_total / steady_rate])
        fractions, months = [0.0], [0.0]
        count, start = 0.0, 0.0
        for rate, until in zip(self.ramp_rate_per_month, self.ramp_until_month, strict=True):
            end = count + rate * (until - start)
            if end >= n_total:
                break
            count, start = end, until
            fractions.append(count / n_total)
            months.append(until)
        else:
            rate = steady_rate
        fractions.append(1.0)
        months.append(start + (n_total - count) / rate)
        return np.array(fractions), np.array(months)

    def months(self, n_total: int, steady_rate: float) -> float:
        """Months from the first to the last patient randomised (expected)."""
        return float(self.knots(n_total, steady_rate)[1][-1])

    def describe(self, steady_rate: float) -> str:
        """One line, e.g. ``2/month to month 3, 5/month to month 6, then 8/month``."""
        pieces = [
            f"{r:g}/month to month {m:g}"
            for r, m in zip(self.ramp_rate_per_month, self.ramp_until_month, strict=True)
        ]
        return ", ".join([*pieces, f"then {steady_rate:g}/month"])
