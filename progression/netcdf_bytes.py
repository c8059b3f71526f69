"""netCDF-4 files built in memory, so that only plain Python writes touch the disk.

On a full disk h5py, writing a file itself, raised the error and then crashed the interpreter
at exit (exit 139, "Can't decrement id ref count"): it was left holding a file it could not
close. Built in memory, the file reaches the disk through one ``write`` that fails with an
``OSError`` and nothing else.
"""

from __future__ import annotations


def netcdf_bytes(data) -> bytes:
    """The netCDF-4 (h5netcdf) file of an xarray Dataset or DataTree, as bytes."""
    view = data.to_netcdf(engine="h5netcdf")  # a memoryview of xarray's in-memory buffer
    try:
        return bytes(view)
    finally:
        view.release()  # the buffer may be freed: no export left behind
