"""Per-patient directions (progression.diagnostics.patient_table, direction_note) on the bundled
records with a made-up posterior (no fit): what ``p_slowed`` counts, and what the note says
about why the model reclassifies a patient (independent review of the phase 2 text)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from progression import diagnostics
from progression.records import UNCHANGED_TOLERANCE, joined_line_fit, per_patient_slopes

#: Posterior mean change of slope per patient (points/month): P2 (flat on its raw lines)
#: comes out "slowed", as in the real fit; the others keep their raw direction.
CHANGE_MEANS = {"P1": -0.10, "P2": 0.37, "P3": 0.40, "P4": 0.30, "P5": 0.25}
RESIDUAL_SD = 0.99  # points, every draw
DRAWS = 4000


@pytest.fixture(scope="module")
def idata(phase2) -> xr.DataTree:
    """The bundled records with normal draws of each patient's slopes around made-up means
    (SD 0.1 points/month, so a visible share of draws falls between 0 and +0.05)."""
    rng = np.random.default_rng(7)
    patients = list(phase2.patients)
    change = np.stack([rng.normal(CHANGE_MEANS[p], 0.1, DRAWS) for p in patients], axis=-1)
    pre = rng.normal(-0.5, 0.1, (DRAWS, len(patients)))
    dims = ("chain", "draw", "patient")
    coords = {"chain": [0], "draw": np.arange(DRAWS), "patient": patients}
    posterior = xr.Dataset(
        {
            "pre_slope": (dims, pre[None]),
            "post_slope": (dims, (pre + change)[None]),
            "slope_change": (dims, change[None]),
            "residual_sd": (("chain", "draw"), np.full((1, DRAWS), RESIDUAL_SD)),
        },
        coords=coords,
    )
    frame = phase2.frame
    index = frame["patient"].map({p: i for i, p in enumerate(patients)}).to_numpy()
    visits = {"obs": np.arange(len(frame))}
    constant = xr.Dataset(
        {"patient_index": ("obs", index), "month": ("obs", frame["month"].to_numpy(float))},
        coords=visits,
    )
    observed = xr.Dataset({"alsfrs_r": ("obs", frame["alsfrs_r"].to_numpy(float))}, coords=visits)
    return xr.DataTree.from_dict(
        {"posterior": posterior, "constant_data": constant, "observed_data": observed}
    )


def test_p_slowed_counts_draws_above_the_unchanged_tolerance(idata):
    """p_slowed is P(slope_change > +0.05), the "slowed" class of classify_change, not
    P(slope_change > 0)."""
    table = diagnostics.patient_table(idata)
    change = idata["posterior"]["slope_change"]
    for p in table.index:
        draws = change.sel(patient=p).values.ravel()
        above = np.count_nonzero(draws > UNCHANGED_TOLERANCE) / draws.size
        assert table.loc[p, "p_slowed"] == pytest.approx(above)
    p1 = change.sel(patient="P1").values.ravel()
    assert (p1 > 0).mean() - (p1 > UNCHANGED_TOLERANCE).mean() > 0.05  # the two differ


def test_joined_line_fit_of_p2(phase2):
    """P2 is flat on its two raw lines but declines before dosing on the model's joined line,
    fitted alone by least squares (no pooling, no prior)."""
    raw = per_patient_slopes(phase2)
    g = phase2.frame[phase2.frame["patient"] == "P2"]
    fit = joined_line_fit(g["month"], g["alsfrs_r"], RESIDUAL_SD)
    assert abs(raw.loc["P2", "change"]) < UNCHANGED_TOLERANCE
    assert fit["pre_slope"] == pytest.approx(-0.569, abs=1e-3)
    assert fit["change"] == pytest.approx(0.535, abs=1e-3)
    lead = g["month"].to_numpy(float)
    lead = lead[lead <= 0] - lead[lead <= 0].mean()
    assert fit["lead_in_se"] == pytest.approx(RESIDUAL_SD / np.sqrt(lead @ lead))
    assert 0.3 < fit["pre_slope_se"] < fit["lead_in_se"] < 0.5  # not 0.7
    twice = joined_line_fit(g["month"], g["alsfrs_r"], 2 * RESIDUAL_SD)
    assert twice["pre_slope_se"] == pytest.approx(2 * fit["pre_slope_se"])


def test_direction_note_names_the_join_not_the_prior(idata, phase2):
    table = diagnostics.patient_table(idata)
    assert list(table.index[table["raw_direction"] != table["model_direction"]]) == ["P2"]
    for note in (diagnostics.direction_note(table), diagnostics.direction_note(table, True, idata)):
        assert "SE about 0.7" not in note and "0.7 points/month" not in note
        assert "natural-history prior" not in note
        assert "meet at month 0" in note and "own intercept" in note
        assert f"P(change > +{UNCHANGED_TOLERANCE:g}) {table.loc['P2', 'p_slowed']:.2f}" in note
    note = diagnostics.direction_note(table, True, idata)
    g = phase2.frame[phase2.frame["patient"] == "P2"]
    fit = joined_line_fit(g["month"], g["alsfrs_r"], RESIDUAL_SD)
    assert f"P2: pre-dose slope {fit['pre_slope']:+.3f}, change {fit['change']:+.3f}" in note
    assert f"P2: {fit['pre_slope_se']:.2f} on the joined line" in note
    assert f"{fit['lead_in_se']:.2f} on a separate lead-in line" in note
    assert f"residual SD ({RESIDUAL_SD:.2f} points)" in note
    assert "not the prior on the population pre-dose slope" in note
