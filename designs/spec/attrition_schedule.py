"""A dropout schedule given per visit (``dropout.cumulative``), read at the months it was
given for: carried to other visits through its hazard (the sweep's ``--duration``, the
explorer's follow-up), and refused where the published schedule would be read at other
months than its own (a visit-schedule review: the default's 13 shares, published for months
0-12, were put at months 0, 2, ..., 24, 39.4% gone by month 24 where the published hazard
carried forward gives 60.5%, and n 153 per arm where it gives 176)."""

from __future__ import annotations

import functools

import numpy as np

from designs.errors import InputError


def retime_cumulative(dropout, old_visits, new_visits) -> list[float]:
    """A ``cumulative`` dropout schedule carried to new visits through its hazard.

    The schedule is read as a piecewise-constant hazard between the old visits
    (docs/conventions.md#dropout-and-death); the last interval's hazard continues beyond them.

    Parameters
    ----------
    dropout : designs.spec.follow_up.Dropout
        The design's dropout (its ``cumulative_at(months)`` gives the fraction gone).
    old_visits, new_visits : sequence of float
        The design's visit months and the retimed ones, months.

    Returns
    -------
    list of float
        Fraction gone by each new visit.
    """
    old = np.asarray(old_visits, dtype=float)
    new = np.asarray(new_visits, dtype=float)
    cum_hazard = -np.log1p(-dropout.cumulative_at(old))
    last_rate = (cum_hazard[-1] - cum_hazard[-2]) / (old[-1] - old[-2])
    inside = np.interp(np.minimum(new, old[-1]), old, cum_hazard)
    h = inside + last_rate * np.maximum(new - old[-1], 0.0)
    gone = -np.expm1(-h)
    gone[0] = 0.0
    return [float(g) for g in np.maximum.accumulate(gone)]


#: van Eijk et al. (2025)'s predicted share gone, deaths included, in trials of 18 months:
#: beside the schedule carried past month 12, which is this tool's assumption.
PREDICTED_GONE_BY_18 = 0.556


@functools.cache
def published_schedule() -> tuple[list[float], list[float]]:
    """The default design's ``dropout.cumulative`` and the visit months it is given for, as
    its file says them (read, not built: building the default design checks it here)."""
    from designs.spec.library import LIBRARY_DIR, read_toml

    default = read_toml(LIBRARY_DIR / "default.toml")
    published = [float(x) for x in default["dropout"]["cumulative"]]
    return published, [float(x) for x in default["trial"]["visits_months"]]


def is_published(dropout) -> bool:
    """Whether ``dropout.cumulative`` is the design library's published schedule."""
    return [float(x) for x in dropout.cumulative] == published_schedule()[0]


def check_published_schedule(dropout, visits) -> None:
    """Refuse the design library's published ``dropout.cumulative`` (one share per visit of
    the default's monthly visits) read at other visit months, naming the schedule carried
    to those visits, which the user can give instead."""
    months = published_schedule()[1]
    visits = [float(x) for x in visits]
    if not is_published(dropout) or visits == months:
        return
    carried = retime_cumulative(dropout, months, visits)  # its shares are the published ones
    shown = ", ".join(f"{x:.4f}" for x in carried)
    # beyond month 12 the carry is the tool's assumption, below the meta-regression's own
    # prediction for longer trials (a diff review: 49.9% with deaths at 18 months, where
    # van Eijk et al. predict 55.6%)
    longer = (
        "; after month 12 the carry is an assumption: van Eijk et al. (2025) predict "
        f"{PREDICTED_GONE_BY_18:.1%} gone, deaths included, for trials of 18 months"
        if visits[-1] > months[-1]
        else ""
    )
    raise InputError(
        "dropout.cumulative: these are the published shares gone by months "
        f"{months[0]:g}-{months[-1]:g} (one per monthly visit), which trial.visits_months = "
        f"[{', '.join(f'{x:g}' for x in visits)}] would put at other months; give "
        f"dropout.cumulative = [{shown}] (the published hazard carried to these visits, the "
        f"months 11-12 hazard after month 12{longer}), your own, or dropout.monthly_hazard "
        "with dropout.cumulative = []"
    )
