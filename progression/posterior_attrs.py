"""What a posterior file says about itself: units and long names of every variable, and the
patient and month of each observation.

Units follow the model (docs/conventions.md#phase-2-model): scores and levels in ALSFRS-R
points, slopes and ``delta`` in points/month, standardised effects dimensionless. The ``obs``
dimension gets the coordinates ``obs_patient`` (the patient's label) and ``obs_month``
(months from the first dose); ``patient`` and ``month`` are taken, by a dimension and by a
variable of ``constant_data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where used (start-up time of reading a posterior)
    import xarray as xr

#: Variable -> (units, long_name). CF units: "1" for dimensionless.
DESCRIPTIONS = {
    "level_mean": ("points", "population mean ALSFRS-R at the first dose"),
    "level_sd": ("points", "between-patient SD of the level at the first dose"),
    "pre_slope_mean": ("points/month", "population mean slope before the first dose"),
    "pre_slope_sd": ("points/month", "between-patient SD of the slope before the first dose"),
    "delta": ("points/month", "population mean change of slope after the first dose"),
    "slope_change_sd": ("points/month", "between-patient SD of the change of slope"),
    "residual_sd": ("points", "SD of a score around the patient's line"),
    "level_z": ("1", "standardised level of each patient"),
    "pre_slope_z": ("1", "standardised slope before the first dose of each patient"),
    "slope_change_z": ("1", "standardised change of slope of each patient"),
    "level": ("points", "ALSFRS-R of each patient at the first dose"),
    "pre_slope": ("points/month", "slope of each patient before the first dose"),
    "slope_change": ("points/month", "change of slope of each patient after the first dose"),
    "post_slope": ("points/month", "slope of each patient after the first dose"),
    "alsfrs_r": ("points", "ALSFRS-R total score (0-48)"),
    "month": ("months", "months from the first dose (negative: lead-in)"),
    "patient_index": ("1", "position of the observation's patient in the patient coordinate"),
    "observed_score": ("points", "observed ALSFRS-R total score"),
}
LOG_LIKELIHOOD = ("1", "pointwise log-likelihood of each observed score (natural log)")


def describe(idata: xr.DataTree, patients: list[str], month: np.ndarray, index: np.ndarray):
    """Add units, long names and the observations' coordinates to every group, in place."""
    import xarray as xr

    obs_coords = {
        "obs_patient": ("obs", np.asarray(patients, dtype=str)[np.asarray(index)]),
        "obs_month": ("obs", np.asarray(month, dtype=np.float64)),
    }
    for group in list(idata.children):
        ds = idata[group].to_dataset()
        for name in ds.data_vars:
            units, long_name = (
                LOG_LIKELIHOOD
                if group == "log_likelihood"
                else DESCRIPTIONS.get(name, (None, None))
            )
            if units is not None:
                ds[name].attrs.update(units=units, long_name=long_name)
        if "obs" in ds.dims:
            ds = ds.assign_coords(obs_coords)
            ds["obs_patient"].attrs["long_name"] = "patient of the observation"
            ds["obs_month"].attrs.update(units="months", long_name="months from the first dose")
        if "patient" in ds.dims:
            ds["patient"].attrs["long_name"] = "phase 2 patient"
        idata[group] = xr.DataTree(ds)
    return idata
