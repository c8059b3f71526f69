"""What a sweep file records of the phase 2 posterior it rests on (a reproducibility audit:
``sweep --assurance`` named no posterior, only the ``--posterior`` path in its command)."""

from __future__ import annotations

import json

import xarray as xr


def test_sweep_with_assurance_names_its_posterior_and_the_code(run, capsys, tmp_path):
    from designs.simulation.numba_cache import software

    out = tmp_path / "assurance.nc"
    code, _, err = run(
        capsys, "sweep", "--n-per-arm", "20", "40", "--trials", "100", "--assurance",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    ds = xr.load_dataset(out, engine="h5netcdf")
    record = json.loads(ds.attrs["phase2_posterior"])
    assert record["data_source"] == "bundled phase2_illustrative.csv"
    assert len(record["data_sha256"]) == 64 and len(record["draws_sha256"]) == 64
    assert record["priors_changed"] == {} and record["converged"] is True
    assert ds.attrs["software"] == software()


def test_sweep_without_a_posterior_records_none(run, capsys, tmp_path):
    out = tmp_path / "plain.nc"
    code, _, err = run(capsys, "sweep", "--n-per-arm", "20", "--trials", "100", "--out", str(out))
    assert code == 0, err
    assert "phase2_posterior" not in xr.load_dataset(out, engine="h5netcdf").attrs
