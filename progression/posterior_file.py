"""A posterior file: the checksum of its draws, whether it is one of ours, and reading some
of its groups with xarray.

A posterior file (:func:`progression.model.save_posterior`, netCDF-4 through h5netcdf) holds
eight groups; planning reads two of them (``posterior``, whose draws it simulates from and
whose checksum it verifies, and ``sample_stats`` for the convergence check), with h5py alone
(:mod:`progression.posterior_view`). :func:`read_groups` reads named groups with xarray (the
other groups are not decoded): the view's path for encodings it does not decode.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # xarray is imported where a DataTree is built (start-up time)
    import xarray as xr

    from progression.posterior_view import PosteriorView

#: Attribute holding :func:`posterior_checksum` of the file's draws.
CHECKSUM_ATTR = "posterior_sha256"


def posterior_checksum(idata: xr.DataTree | PosteriorView) -> str:
    """SHA-256 of the ``posterior`` group's draws (names, dtypes, shapes and bytes, in name
    order), written by :func:`progression.model.save_posterior` and checked on loading (of a
    tree or of a :class:`~progression.posterior_view.PosteriorView`)."""
    digest = hashlib.sha256()
    post = idata["posterior"]
    for name in sorted(post.data_vars):
        values = np.ascontiguousarray(post[name].values)
        digest.update(f"{name}|{values.dtype.str}|{values.shape}|".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def is_posterior_file(path: str | Path, required: Sequence[str]) -> bool:
    """True when ``path`` is a netCDF file whose root has every attribute in ``required``."""
    import h5netcdf

    try:
        with h5netcdf.File(path, "r") as f:
            return all(attr in f.attrs for attr in required)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError):
        # h5netcdf reports some damaged files as AttributeError (as load_posterior knows)
        return False


def root_attribute(path: str | Path, name: str) -> str | None:
    """The root attribute ``name`` of a netCDF file, as text (None when the file or the
    attribute cannot be read)."""
    import h5netcdf

    try:
        with h5netcdf.File(path, "r") as f:
            value = f.attrs.get(name)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError):
        return None
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def read_groups(path: str | Path, groups: Sequence[str]) -> xr.DataTree:
    """The root attributes and the groups ``groups`` of a netCDF-4 file, read and decoded by
    xarray, fully in memory; the other groups are not read. The general path behind
    :func:`progression.posterior_view.read_view`, for encodings the view does not decode.

    Groups the file lacks are left out (as in the whole file). Raises what h5py or h5netcdf
    raise for an unreadable file (``OSError``, ``ValueError``, ``KeyError``, ...).
    """
    import h5netcdf
    import xarray as xr

    with h5netcdf.File(path, "r") as f:
        present = [name for name in groups if name in f.groups]
    with xr.open_dataset(path, engine="h5netcdf") as root:
        attrs = dict(root.attrs)
    parts = {name: _xarray_group(path, name) for name in present}
    return xr.DataTree.from_dict({"/": xr.Dataset(attrs=attrs), **parts})


def _xarray_group(path, name: str) -> xr.Dataset:
    """One group read and decoded by xarray."""
    import xarray as xr

    with xr.open_dataset(path, group=name, engine="h5netcdf") as ds:
        return ds.load().copy()
