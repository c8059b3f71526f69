"""What a sweep prints under its one-line summary: each cell's power, which estimator its
cells took, what ``--dropout`` means on a design whose follow-up does not end at month 12,
and what ``--duration`` beyond the dropout schedule loses. Text only."""

from __future__ import annotations


def dropout_axis_notes(design, grid: dict) -> list[str]:
    """A note when ``--dropout`` (gone by month 12) sweeps a design whose follow-up ends at
    another month (an own-design review: 0.45 on an 18-month design was read as 45% gone by
    its end, where it is 59%): what each value means at the last visit."""
    import math

    from designs.planning.sweep.design import hazard_for_gone_by_12

    if "dropout_12m" not in grid:
        return []
    # each follow-up the grid has (a visit-schedule review: with --duration too, 0.3 by
    # month 12 was 51% by month 24 without a word)
    ends = [float(x) for x in grid.get("duration_months", [design.trial.duration_months])]
    ends = [end for end in ends if end != 12]
    if not ends:
        return []

    def at(end: float) -> str:  # the cells' own hazard, carried to the last visit
        return ", ".join(
            f"{x:g} -> {-math.expm1(-hazard_for_gone_by_12(float(x)) * end):.1%}"
            for x in grid["dropout_12m"]
        )

    if "duration_months" not in grid:
        where = f"this design's follow-up ends at month {ends[0]:g}, where that is {at(ends[0])}"
    else:
        where = "at the end of a follow-up of " + "; ".join(
            f"{end:g} months that is {at(end)}" for end in ends
        )
    return [
        "note: --dropout is the fraction gone by month 12 (a constant hazard, deaths apart); "
        f"{where} gone"
    ]


def estimator_notes(counts: dict) -> list[str]:
    """A note when ``--estimator auto`` took the plain share in every cell because the
    control variate holds in some cells only (informative exits, interim looks): a cell then
    differs from `power` on the same design within its Monte Carlo error (a sweep review:
    mixing the two estimators made a comparison 3.7 times noisier with more trials)."""
    if not counts.get("plain_in_every_cell"):
        return []
    return [
        "note: the control variate holds in some cells of this grid only (not with "
        "informative exits or interim looks: docs/conventions.md#power), so every cell's "
        "power is the plain share of its trials, paired across cells on common trials; "
        "`power` on one of the other cells takes the control variate and differs within "
        "its Monte Carlo error"
    ]


def duration_axis_notes(design, grid: dict) -> list[str]:
    """A note when ``--duration`` runs past the last month of the design's ``cumulative``
    dropout schedule (an own-design review: `sweep --duration 24` continued the schedule's
    last hazard without a word): how much each longer follow-up then loses."""
    import math

    from designs.spec.attrition_schedule import (
        PREDICTED_GONE_BY_18,
        is_published,
        published_schedule,
        retime_cumulative,
    )

    d = design.dropout
    if "duration_months" not in grid or "dropout_12m" in grid or not d.cumulative:
        return []
    old = [float(x) for x in design.trial.visits]
    longer = [float(x) for x in grid["duration_months"] if float(x) > old[-1]]
    if not longer:
        return []
    carried = {x: retime_cumulative(d, old, [0.0, x])[-1] for x in longer}  # once each
    gone = ", ".join(f"{x:g} months -> {g:.1%}" for x, g in carried.items())
    published = is_published(d) and old == published_schedule()[1]
    with_deaths = ", ".join(
        f"{x:g} months -> {1.0 - (1.0 - g) * math.exp(-d.death_monthly_hazard * x):.1%}"
        for x, g in carried.items()
    )
    # the published prediction beside the carry (a visit-schedule review: 49.9% with deaths
    # at 18 months where van Eijk et al. 2025 predict 55.6% for trials of 18 months)
    meta = (
        f"; with deaths {with_deaths}, where van Eijk et al. (2025), whose 6- and 12-month "
        f"predictions the schedule takes, predict {PREDICTED_GONE_BY_18:.1%} gone for trials "
        "of 18 months (a "
        "prediction for trials of that length, not the curve within one trial; to plan on it, "
        "give dropout.cumulative in a design file)"
        if published
        else ""
    )
    return [
        f"note: the design's dropout schedule ends at month {old[-1]:g}; beyond it its last "
        f"interval's hazard (months {old[-2]:g}-{old[-1]:g}) continues: {gone} gone (deaths "
        f"apart){meta}; --dropout sets a constant hazard instead"
    ]


#: Cells a sweep prints (the file holds every cell).
PRINTED_CELLS = 30


def sweep_table_lines(ds, design) -> list[str]:
    """The swept power, one line per cell (its coordinates, the rate and its MC SE), at most
    :data:`PRINTED_CELLS` of them (a newcomer's review: a sweep printed no number, only the
    file it wrote). A rate of 0 or 1 gets its one-sided bound over the trials it counted
    (under ``decision.failed_fits = "exclude"`` those whose fit succeeded)."""
    import math

    from designs.outputs.rates import rate_cell

    posterior, exclude = design.decision.is_posterior, design.decision.excludes_failed
    t = design.trial
    sided = "two-sided" if t.sides == 2 else "one-sided"
    # the test beside the rate (a multiplicity review: "power favouring active ... effect 0:
    # 0.017" with no alpha, a one-sided rate near alpha / 2 only the file's attributes said)
    rate = (
        "success of the posterior rule"
        if posterior
        else f"power favouring active at alpha {t.alpha:g} {sided} (at effect 0 the type I "
        f"error in favour of active, level {t.alpha / t.sides:g})"
    )
    dims = list(ds["power_favourable"].dims)
    trials = int(ds.attrs.get("trials_per_cell", 0))
    columns = ["power_favourable", "mc_se_favourable", "failed_fits"]
    # with --assurance each cell's assurance too (a review of one's own records: it was in
    # the file only)
    assured = "assurance" in ds.data_vars
    columns += ["assurance", "assurance_mc_se"] if assured else []
    frame = ds[columns].to_dataframe().reset_index()
    also = ", then assurance over the phase 2 posterior" if assured else ""
    lines = [
        f"{rate}{also}, by cell; in brackets the MC SE (a rate of 0 or 1: its one-sided 95% bound):"
    ]
    for _, row in frame.head(PRINTED_CELLS).iterrows():
        where = ", ".join(f"{d} {_coordinate(row[d], ds, d)}" for d in dims)
        p, se = float(row["power_favourable"]), float(row["mc_se_favourable"])
        counted = trials - int(row["failed_fits"]) if exclude else trials
        shown = "n/a" if math.isnan(p) else rate_cell(p, se, counted, 3)
        if assured and not math.isnan(a := float(row["assurance"])):
            shown += f"; assurance {a:.3f} (MC SE {float(row['assurance_mc_se']):.2g})"
        lines.append(f"  {where}: {shown}")
    if len(frame) > PRINTED_CELLS:
        lines.append(f"  ... {len(frame) - PRINTED_CELLS} more cells in the file")
    return lines


def _coordinate(value, ds=None, dim: str = "") -> str:
    """A cell's coordinate as the command line gives it: 50, 0.2, lmm_slope; an effect with
    its unit, 20% or +0.1 points/month (an effect-translation review: "effect 0.2" read as
    either)."""
    if dim == "effect" and ds is not None:
        if "fraction" in ds["effect"].attrs.get("units", ""):
            return f"{100 * float(value):g}%"
        return f"{float(value):+g} points/month"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def allocation_notes(design, totals) -> list[str]:
    """``power``'s note for each total of the grid that does not split in the allocation's
    ratio (a sweep review: --n-total 101 at 1:2 ran 34 + 67 without a word)."""
    from designs.outputs.effect_notes import allocation_note

    return [
        note
        for total in totals
        for note in allocation_note(design.with_overrides({"trial.n_total": int(total)}))
    ]
