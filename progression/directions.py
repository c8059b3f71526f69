"""How many phase 2 patients slowed, by the raw lines, the publication and the model, and
why the model's count differs (the joined line at month 0). Text only."""

from __future__ import annotations

import pandas as pd
import xarray as xr

from progression.records import (
    PUBLISHED_DIRECTIONS,
    UNCHANGED_TOLERANCE,
    classify_change,
    joined_line_fit,
)


def _counts(directions) -> str:
    n = pd.Series(list(directions)).value_counts()
    return ", ".join(f"{int(n.get(d, 0))} {d}" for d in ("slowed", "unchanged", "sped up"))


def direction_note(
    table: pd.DataFrame, illustrative: bool = True, idata: xr.DataTree | None = None
) -> str:
    """How many patients slowed: raw, published and model; and why the model differs.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`patient_table`.
    illustrative : bool
        The records are the bundled reconstruction of the CL2020 phase 2 trial, so the
        published counts (Yamashita et al. 2023) apply to them.
    idata : xarray.DataTree, optional
        The posterior ``table`` came from. When given, the note fits each reclassified
        patient's visits alone with the model's joined line
        (:func:`progression.records.joined_line_fit`) and gives the standard errors of its
        pre-dose slope (points/month) at the posterior mean residual SD (points).
    """
    lines = [f"Raw least squares: {_counts(table['raw_direction'])}."]
    if illustrative:
        published = ", ".join(f"{n} {d}" for d, n in PUBLISHED_DIRECTIONS.items())
        lines.append(
            f"Published (Yamashita et al. 2023, Cell Transplant 32:9636897231214370): "
            f"{published} (counts only; which patient is which was not published)."
        )
    lines.append(f"Model (posterior mean change): {_counts(table['model_direction'])}.")
    moved = table[table["raw_direction"] != table["model_direction"]]
    if len(moved):
        examples = "; ".join(
            f"{p}: raw change {r['raw_change']:+.3f}, model {r['slope_change_mean']:+.3f} "
            "points/month, "
            f"P(change > +{UNCHANGED_TOLERANCE:g}) {r['p_slowed']:.2f}"
            for p, r in moved.iterrows()
        )
        text = (
            f"The model reclassifies {examples}. The raw lines before and "
            "after the first dose are fitted separately, each with its own intercept; the "
            "model's two lines meet at month 0 (one level at the first dose). Where a "
            "patient's lead-in scores sit above or below the start of its post-dose line, the "
            "joined line turns that step into a pre-dose slope, and so into a change of slope."
        )
        if idata is not None:
            text += " " + _joined_line_evidence(idata, moved["slope_change_mean"].to_dict())
        observed = "The raw changes and the published counts are what was observed."
        text += (
            " Which reading is right (a step in level around the first dose, or a decline before "
            "it) a few lead-in visits cannot tell; per-patient P(change > "
            f"+{UNCHANGED_TOLERANCE:g}) rests on the joined line as much as on the patient. "
            + (observed if illustrative else "The raw changes are what was observed.")
        )
        lines.append(text)
    return "\n".join(lines)


def _joined_line_evidence(idata: xr.DataTree, moved: dict) -> str:
    """Each reclassified patient's least-squares fit of the joined line alone (no pooling,
    no prior) and the standard errors of its pre-dose slope, from the data and the
    posterior mean residual SD; ``moved``: patient -> the model's mean change of slope.
    The join is named as the cause only where the joined line alone has the model's sign
    (a review: on other data it had the opposite sign, and the text still blamed the join)."""
    from progression.diagnostics import _posterior, _records

    pid, month, score, patients = _records(idata)
    sigma = float(_posterior(idata)["residual_sd"].values.mean())
    fits = {
        p: joined_line_fit(month[pid == i], score[pid == i], sigma)
        for i, p in enumerate(patients)
        if p in moved
    }
    alone = "; ".join(
        f"{p}: pre-dose slope {f['pre_slope']:+.3f}, change {f['change']:+.3f}"
        for p, f in fits.items()
    )
    se = "; ".join(
        f"{p}: {f['pre_slope_se']:.2f} on the joined line, {f['lead_in_se']:.2f} on a "
        "separate lead-in line"
        for p, f in fits.items()
    )
    # where the joined line alone lands in the model's direction (slowed, unchanged, sped
    # up: the 0.05 band), the join explains the reclassification; elsewhere pooling does
    other = [
        p for p, f in fits.items() if classify_change(f["change"]) != classify_change(moved[p])
    ]
    cause = (
        "The cause is the join, not the prior on the population pre-dose slope."
        if not other
        else f"For {', '.join(other)} the joined line alone does not reach the model's "
        "direction: there the model's change comes from pooling toward the population and "
        "from the priors, not from the join alone."
    )
    return (
        f"Fitted alone by least squares with the model's joined line (no pooling, no prior): "
        f"{alone} points/month; the model then pulls that change toward the population's. "
        f"{cause} Standard error of the pre-dose slope at the posterior mean residual SD "
        f"({sigma:.2f} points): {se} (points/month)."
    )
