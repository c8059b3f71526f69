"""Reading part of a posterior file quickly: the root attributes and the groups asked for.

A posterior file (:func:`progression.model.save_posterior`, netCDF-4 through h5netcdf) holds
eight groups; planning reads two of them (``posterior``, whose draws it simulates from and
whose checksum it verifies, and ``sample_stats`` for the convergence check). Opening the whole
file with xarray decodes every group, and xarray's decoding imports Dask (0.4-0.8 s on a warm
main job, more than the reading). :func:`read_groups` reads the named groups with h5netcdf and
builds the same :class:`xarray.DataTree` xarray would build for them, for the encodings this
tool writes: floating-point variables with a ``_FillValue``, integers, booleans (``int8`` with
``dtype = "bool"``) and strings as dimension coordinates. Anything else in a group (scale
factors, times, non-dimension coordinates, ...) makes that group be read by xarray itself, so
the result never depends on which path read it.

Also here, because they read a file: the checksum of a posterior's draws and the test of
whether a file is a posterior of this tool.
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
#: Variable attributes the fast path does not decode (the group is then read by xarray).
_CF_SPECIAL = frozenset(
    {"scale_factor", "add_offset", "_Unsigned", "missing_value", "calendar", "coordinates"}
)


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
    except (OSError, ValueError, KeyError, RuntimeError, TypeError):
        return False


def read_groups(path: str | Path, groups: Sequence[str]) -> xr.DataTree:
    """The root attributes and the groups ``groups`` of a netCDF-4 file, fully in memory.

    Groups the file lacks are left out (as in the whole file). Raises what h5py or h5netcdf
    raise for an unreadable file (``OSError``, ``ValueError``, ``KeyError``, ...).
    """
    import h5netcdf
    import xarray as xr

    parts: dict[str, xr.Dataset] = {}
    with h5netcdf.File(path, "r") as f:
        root = _attrs(f.attrs)
        for name in groups:
            if name not in f.groups:
                continue
            group = f.groups[name]
            dataset = _dataset(group)
            parts[name] = dataset if dataset is not None else _xarray_group(path, name)
    return xr.DataTree.from_dict({"/": xr.Dataset(attrs=root), **parts})


def _attrs(attrs) -> dict:
    return {k: v for k, v in attrs.items()}


def _xarray_group(path, name: str) -> xr.Dataset:
    """One group read and decoded by xarray (the general path)."""
    import xarray as xr

    with xr.open_dataset(path, group=name, engine="h5netcdf") as ds:
        return ds.load().copy()


def _dataset(group) -> xr.Dataset | None:
    """The group as xarray would decode it, or None when it uses an encoding not handled."""
    import xarray as xr
    from xarray.core.indexes import PandasIndex

    if "coordinates" in group.attrs:
        return None
    variables, index_vars, indexes = {}, {}, {}
    for name, var in group.variables.items():
        decoded = _variable(var)
        if decoded is None:
            return None
        if decoded.dims == (name,):  # a dimension coordinate: its index, as xarray builds it
            import pandas as pd

            values = decoded.values
            index = PandasIndex(pd.Index(values), name, coord_dtype=values.dtype)
            indexes[name] = index
            created = index.create_variables({name: decoded})
            index_vars.update(created)
        else:
            variables[name] = decoded
    coords = xr.Coordinates(index_vars, indexes=indexes)
    return xr.Dataset(variables, coords=coords, attrs=_attrs(group.attrs))


def _variable(var) -> xr.Variable | None:
    """One variable decoded like xarray's CF decoding, or None when not handled here."""
    import xarray as xr

    attrs = _attrs(var.attrs)
    if _CF_SPECIAL & attrs.keys() or " since " in str(attrs.get("units", "")):
        return None
    data = var[...]
    fill = attrs.pop("_FillValue", None)
    kind = data.dtype.kind
    if attrs.get("dtype") == "bool" and kind == "i" and fill is None:
        del attrs["dtype"]
        data = data.astype(bool)
    elif kind == "f":
        if fill is not None and not np.isnan(fill):
            data = np.where(data == fill, np.nan, data)
    elif kind == "O":
        if fill is not None or not all(isinstance(v, bytes | str) for v in data.flat):
            return None
        text = [v.decode("utf-8") if isinstance(v, bytes) else v for v in data.flat]
        data = np.array(text, dtype=str).reshape(data.shape)
    elif kind not in "iu" or fill is not None or "dtype" in attrs:
        return None
    return xr.Variable(var.dimensions, data, attrs, fastpath=True)
