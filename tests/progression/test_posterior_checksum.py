"""A posterior file damaged or edited after writing is refused, not used silently."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from progression import model
from progression.errors import InputError


def test_intact_file_loads_and_carries_its_checksum(fake_posterior, tmp_path):
    path = model.save_posterior(fake_posterior(), tmp_path / "p.nc")
    loaded = model.load_posterior(path)
    assert loaded.attrs[model.CHECKSUM_ATTR] == model.posterior_checksum(loaded)


def test_edited_draws_are_refused(fake_posterior, tmp_path):
    # The review's case: some delta draws overwritten. Rewriting the file with 11 draws
    # changed (keeping the recorded checksum) must be refused on loading.
    path = model.save_posterior(fake_posterior(), tmp_path / "p.nc")
    with xr.open_datatree(path, engine="h5netcdf") as tree:
        edited = tree.load().copy()
    delta = edited["posterior"]["delta"].values.copy()
    delta.reshape(-1)[:11] = 5.0
    post = edited["posterior"].to_dataset()
    post["delta"] = (("chain", "draw"), delta)
    edited["posterior"] = post
    edited.to_netcdf(tmp_path / "edited.nc", engine="h5netcdf")
    with pytest.raises(InputError, match="checksum"):
        model.load_posterior(tmp_path / "edited.nc")


def test_edited_draws_with_the_checksum_deleted_are_refused(fake_posterior, tmp_path):
    """An auditor's review: a draw edited and the checksum attribute deleted loaded without
    a word (files without one were taken as written before checksums)."""
    path = model.save_posterior(fake_posterior(), tmp_path / "p.nc")
    with xr.open_datatree(path, engine="h5netcdf") as tree:
        edited = tree.load().copy()
    del edited.attrs[model.CHECKSUM_ATTR]
    edited.to_netcdf(tmp_path / "no_checksum.nc", engine="h5netcdf")
    with pytest.raises(InputError, match=r"no checksum of its draws \(attribute 'posterior_sha"):
        model.load_posterior(tmp_path / "no_checksum.nc")


def test_random_bytes_in_the_file_never_load_silently(fake_posterior, damaged_copies, tmp_path):
    # 64 random bytes at several places: either the file is unreadable or the checksum fails;
    # it may load only if the bytes fell outside the draws (then the draws are unchanged).
    original = model.save_posterior(fake_posterior(), tmp_path / "p.nc")
    reference = model.load_posterior(original)["posterior"]["delta"].values
    for path in damaged_copies(original, 12, 7):
        try:
            got = model.load_posterior(path)
        except InputError:
            continue
        np.testing.assert_array_equal(got["posterior"]["delta"].values, reference)
