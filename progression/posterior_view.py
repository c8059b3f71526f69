"""The groups of a posterior file that planning reads, read with h5py alone (no xarray).

Planning takes from the phase 2 posterior only NumPy arrays: the effect draws
(:mod:`progression.population`), the checksum of the ``posterior`` group, the root attributes
(the cache key, the stored convergence figures, the fit's seed) and whether ``sample_stats``
is there. Importing xarray for that (with pandas, about 0.5 s) cost more than the reading.
:func:`read_view` reads the groups named into a :class:`PosteriorView`: the root attributes
and each group's variables as NumPy arrays, under the few names of :class:`xarray.DataTree`
that planning uses (``view.attrs``, ``view.children``, ``view["posterior"]["delta"].values``,
``.data_vars``, ``.sizes``), so that the same functions take either.

Values are those xarray decodes (``xr.open_datatree(path, engine="h5netcdf")``), bit for bit,
for the encodings :func:`progression.model.save_posterior` writes: floating-point variables
with a ``_FillValue``, integers, booleans (``int8`` with ``dtype = "bool"``) and strings;
attributes as h5netcdf and xarray present them. A group with anything else (scale factors,
times, non-dimension coordinates, enums, unlimited dimensions, big-endian data, ...) makes
:func:`read_view` return None, and the caller reads the file with xarray
(:meth:`PosteriorView.from_datatree`), so the result never depends on which path read it.
Dimension coordinates (``chain``, ``draw``, ``patient``) are not read: planning uses none.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # only in annotations: this module must not import xarray
    import xarray as xr

#: HDF5 attributes of the netCDF-4 / dimension-scale machinery (h5netcdf hides them).
_HIDDEN_ATTRS = frozenset(
    {
        "REFERENCE_LIST",
        "CLASS",
        "DIMENSION_LIST",
        "NAME",
        "_Netcdf4Dimid",
        "_Netcdf4Coordinates",
        "_nc3_strict",
        "_NCProperties",
    }
)
#: Variable attributes that xarray's CF decoding acts on (not handled here: read by xarray).
_CF_SPECIAL = frozenset(
    {"scale_factor", "add_offset", "_Unsigned", "missing_value", "calendar", "coordinates"}
)
#: Units that xarray may decode as times or time spans (not handled here).
_TIME_UNITS = frozenset(
    {"days", "hours", "minutes", "seconds", "milliseconds", "microseconds", "nanoseconds"}
)


class NotHandled(Exception):
    """The file uses an encoding this reader does not decode (the caller uses xarray)."""


class Variable:
    """One variable: ``values`` (numpy.ndarray), ``dims`` (names) and ``attrs``."""

    __slots__ = ("attrs", "dims", "values")

    def __init__(self, values: np.ndarray, dims: tuple[str, ...], attrs: dict):
        self.values, self.dims, self.attrs = values, dims, attrs

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    @property
    def size(self) -> int:
        return self.values.size

    @property
    def sizes(self) -> dict[str, int]:
        return dict(zip(self.dims, self.values.shape, strict=True))


class Group:
    """One group: ``data_vars`` (name -> :class:`Variable`), ``sizes`` (dimension -> length)
    and ``attrs``; ``group[name]`` is a variable (KeyError when absent)."""

    __slots__ = ("attrs", "data_vars", "sizes")

    def __init__(self, data_vars: dict[str, Variable], sizes: dict[str, int], attrs: dict):
        self.data_vars, self.sizes, self.attrs = data_vars, sizes, attrs

    def __getitem__(self, name: str) -> Variable:
        return self.data_vars[name]

    def __contains__(self, name: object) -> bool:
        return name in self.data_vars


class PosteriorView:
    """Some groups of a posterior, in memory: ``attrs`` (the root attributes, a dict),
    ``children`` (group name -> :class:`Group`) and ``view[group]``.

    Read-only by intent (planning reads it); :meth:`to_datatree` gives the same groups as an
    :class:`xarray.DataTree` for what needs one (ArviZ's diagnostics).
    """

    def __init__(self, attrs: dict, groups: dict[str, Group], source: str | Path | xr.DataTree):
        self.attrs = attrs
        self.children: dict[str, Group] = groups
        self._source = source

    def __getitem__(self, name: str) -> Group:
        return self.children[name]

    def __contains__(self, name: object) -> bool:
        return name in self.children

    def to_datatree(self) -> xr.DataTree:
        """These groups and the root attributes as xarray reads them (from the file again,
        or the tree this view was made from)."""
        if isinstance(self._source, str | Path):
            from progression.errors import InputError
            from progression.posterior_file import read_groups

            try:
                return read_groups(self._source, tuple(self.children))
            except (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError) as exc:
                # the file changed or went away since the view was read, or xarray cannot
                # decode what the view read: the one-line refusal of load_posterior
                raise InputError(
                    f"posterior {self._source}: cannot read as netCDF ({exc})"
                ) from None
        return self._source

    @classmethod
    def from_datatree(cls, tree: xr.DataTree, groups: Sequence[str]) -> PosteriorView:
        """A view of the groups ``groups`` of ``tree`` (those it has), sharing its arrays."""
        parts = {}
        for name in groups:
            if name not in tree.children:
                continue
            node = tree[name]
            data_vars = {
                k: Variable(np.asarray(v.values), tuple(map(str, v.dims)), dict(v.attrs))
                for k, v in node.data_vars.items()
            }
            sizes = {str(k): int(v) for k, v in node.sizes.items()}
            parts[name] = Group(data_vars, sizes, dict(node.attrs))
        return cls(dict(tree.attrs), parts, tree)


def read_view(path: str | Path, groups: Sequence[str]) -> PosteriorView | None:
    """The root attributes and the groups ``groups`` of the netCDF-4 file ``path``, or None
    when a group uses an encoding not handled here (then read it with xarray).

    Groups the file lacks are left out. Raises what h5py raises for an unreadable file
    (``OSError``, ``ValueError``, ``KeyError``, ...).
    """
    import h5py

    with h5py.File(path, "r") as f:
        try:
            attrs = _attrs(f.attrs)
            parts = {}
            for name in groups:
                node = f.get(name)
                if isinstance(node, h5py.Group):
                    parts[name] = _group(f, node)
        except NotHandled:
            return None
    return PosteriorView(attrs, parts, path)


def _group(f, group) -> Group:
    import h5py

    attrs = _attrs(group.attrs)
    if "coordinates" in attrs:
        raise NotHandled("non-dimension coordinates")
    data_vars, sizes = {}, {}
    for name, node in group.items():
        if not isinstance(node, h5py.Dataset):
            continue  # a subgroup: not part of this group's variables
        if node.maxshape != node.shape:
            raise NotHandled("an unlimited dimension")
        if node.attrs.get("CLASS") == b"DIMENSION_SCALE":  # a dimension (and its coordinate)
            dims: tuple[str, ...] = (name,)
        else:
            dims = _dims(f, node)
            data_vars[name] = _variable(node, dims)
        for dim, n in zip(dims, node.shape, strict=True):
            if sizes.setdefault(dim, n) != n:
                raise NotHandled(f"dimension {dim!r} of two lengths")
    return Group(data_vars, sizes, attrs)


def _dims(f, dataset) -> tuple[str, ...]:
    """The dimension names of a variable, from its HDF5 dimension-scale references."""
    if dataset.ndim == 0:
        return ()
    refs = dataset.attrs.get("DIMENSION_LIST")
    if refs is None or len(refs) != dataset.ndim:
        raise NotHandled("a variable without named dimensions")
    names = []
    for axis in refs:
        if len(axis) != 1:
            raise NotHandled("an axis with several dimension scales")
        name = f[axis[0]].name  # None for an object without a path (a damaged file)
        if name is None:
            raise NotHandled("a dimension scale without a name")
        names.append(name.rsplit("/", 1)[-1])
    return tuple(names)


def _variable(dataset, dims: tuple[str, ...]) -> Variable:
    """One variable decoded as xarray's CF decoding does, for the encodings handled."""
    import h5py

    attrs = _attrs(dataset.attrs)
    hidden = [k for k in attrs if k.startswith("_") and k != "_FillValue"]
    units = str(attrs.get("units", ""))
    if hidden or _CF_SPECIAL & attrs.keys() or "since" in units or units in _TIME_UNITS:
        raise NotHandled("an encoding attribute")
    boolean = "dtype" in attrs
    if boolean and not (isinstance(attrs["dtype"], str) and attrs["dtype"] == "bool"):
        raise NotHandled("a dtype attribute other than bool")
    if h5py.check_enum_dtype(dataset.dtype) is not None or dataset.dtype.byteorder == ">":
        raise NotHandled("an enum or big-endian variable")
    data = np.asarray(dataset[...])
    fill = attrs.pop("_FillValue", None)
    kind = data.dtype.kind
    if boolean:  # xarray's booleans: int8 with dtype = "bool"
        if kind != "i" or fill is not None:
            raise NotHandled("a boolean stored otherwise")
        del attrs["dtype"]
        data = data.astype(bool)
    elif kind == "f":
        if fill is not None and not np.isnan(fill):
            data = np.where(data == fill, np.nan, data)
    elif kind == "O":
        if fill is not None or not all(isinstance(v, bytes | str) for v in data.flat):
            raise NotHandled("a variable of objects")
        text = [v.decode("utf-8") if isinstance(v, bytes) else v for v in data.flat]
        data = np.array(text, dtype=str).reshape(data.shape)
    elif kind not in "iu" or fill is not None:
        raise NotHandled(f"a variable of {data.dtype}")
    return Variable(data, dims, attrs)


def _attrs(h5attrs) -> dict:
    """Attributes as xarray's h5netcdf backend presents them (h5netcdf's decoding, then
    bytes decoded as UTF-8 except ``_FillValue`` and ``missing_value``)."""
    out = {}
    for key in h5attrs:
        if key in _HIDDEN_ATTRS:
            continue
        value = _attr(h5attrs, key)
        if key not in ("_FillValue", "missing_value") and isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                raise NotHandled("an attribute that is not UTF-8") from None
        out[key] = value
    return out


def _attr(h5attrs, key: str):
    """One attribute as ``h5netcdf.Attributes`` returns it: fixed-length strings decoded,
    string arrays as lists, one-element arrays as their element."""
    import h5py

    value = h5attrs[key]
    dtype = h5attrs.get_id(key).dtype
    if isinstance(value, h5py.Empty):
        info = h5py.check_string_dtype(value.dtype)
        return b"" if info and info.length == 1 else np.array([], dtype=dtype)
    info = h5py.check_string_dtype(dtype)
    if info is not None:
        if info.length is not None and info.length > 1:
            if np.isscalar(value):
                value = value.decode(info.encoding, "surrogateescape")
            else:
                value = [b.decode(info.encoding, "surrogateescape") for b in value.flat]
        elif not np.isscalar(value):
            value = value.tolist()
    if not np.isscalar(value) and len(value) == 1:
        return value[0]
    return value
