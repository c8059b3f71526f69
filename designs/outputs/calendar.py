"""The trial's calendar length in words: lead-in, accrual and follow-up, months
(:func:`designs.planning.operating.calendar_length`), as ``power`` and the explorer say it."""

from __future__ import annotations


def calendar_text(design, calendar: dict | None = None) -> str:
    """'Calendar length 37.0 months = 25.0 months of accrual at 8 patients/month + 12 months
    of follow-up.' (with a lead-in first where there is one). ``calendar``: the design's
    :func:`~designs.planning.operating.calendar_length` if already computed."""
    if calendar is None:
        from designs.planning.operating import calendar_length

        calendar = calendar_length(design)
    c, t = calendar, design.trial
    lead_in = f"{c['lead_in_months']:g} months of lead-in + " if c.get("lead_in_months") else ""
    rate = accrual_words(design, c["accrual_months"])
    # in years too where it runs long, with the rate to change (a scale review: 20,000 per
    # arm printed "Calendar length 5012.0 months" as if it were a plan)
    years = c["calendar_months"] / 12.0
    long = (
        f" That is {years:.1f} years: recruiting faster (trial.accrual_per_month, now "
        f"{t.accrual_per_month:g}) would shorten it."
        if years > LONG_YEARS
        else ""
    )
    return (
        f"Calendar length {c['calendar_months']:.1f} months = {lead_in}"
        f"{c['accrual_months']:.1f} months of accrual {rate} + {c['follow_up_months']:g} "
        f"months of follow-up.{_arrivals_clause(design, c['accrual_months'])}{long}"
    )


def _arrivals_clause(design, accrual_months: float) -> str:
    """' (Accrual at exactly that rate: with patients arriving at random at it, it ends within
    about ±3.5 months of that, 95%.)': the n-th of Poisson arrivals at rate r comes at a time
    of SD sqrt(n) / r (a Gamma(n, r) time; r the rate where accrual ends), which a timeline
    copied from the fixed figure leaves out (an accrual review)."""
    import math

    n, r = design.trial.n_total, _end_rate(design, accrual_months)
    if n < 1 or not r > 0:
        return ""
    half = 1.959964 * math.sqrt(n) / r
    return (
        " (Accrual at exactly that rate: with patients arriving at random at it, it ends "
        f"within about ±{half:.1f} months of that, 95%.)"
    )


def _end_rate(design, months: float) -> float:
    """The accrual rate (patients randomised a month) when accrual ends, ``months`` in."""
    a, steady = design.accrual, design.trial.accrual_per_month
    if a.ramped:
        for rate, until in zip(a.ramp_rate_per_month, a.ramp_until_month, strict=True):
            if months <= until:
                return float(rate)
    return float(steady)


def accrual_words(design, accrual_months: float) -> str:
    """'at 8 patients randomised a month', or with a ramp-up its pieces then the steady rate
    '(2/month to month 3, 5/month to month 6, then 8/month, patients randomised)' (a diff
    review: "32.5 months at 8 patients/month" for 200 patients; an accrual review: the report
    left the ramp out, and under screening nothing said the rate counts those randomised,
    not those who start screening)."""
    t = design.trial
    if design.accrual.ramped:
        ramp = _ramp_words(design.accrual, t.accrual_per_month, accrual_months)
        return f"({ramp}, patients randomised)"
    return f"at {t.accrual_per_month:g} patients randomised a month"


#: Calendar lengths beyond this many years are said in years, with the accrual rate to change.
LONG_YEARS = 10.0


def _ramp_words(accrual, steady: float, months: float) -> str:
    """The ramp-up's pieces that accrual reaches in ``months``, then the steady rate if it
    goes on past the ramp ('2/month to month 3, 5/month to month 6, then 8/month'; a diff
    review: a trial randomised within the ramp was said to go on at the steady rate)."""
    pieces, start = [], 0.0
    for rate, until in zip(accrual.ramp_rate_per_month, accrual.ramp_until_month, strict=True):
        if start >= months:
            break
        pieces.append(f"{rate:g}/month to month {min(until, months):g}")
        start = until
    if months > start:
        pieces.append(f"then {steady:g}/month")
    return ", ".join(pieces)
