"""A write that runs out of room ends in one OSError naming the file, never in a crash.

On a full disk h5py, writing a netCDF file itself, raised the error and then crashed the
interpreter at exit (exit 139, "Can't decrement id ref count"; issue 21). A full disk is
simulated without root by a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored): writes beyond
it fail with EFBIG exactly where a full disk fails with ENOSPC, and h5py crashed the same way.
One subprocess (its imports take about 9 s) writes a posterior (fit, the assurance cache) and a
dataset (sweep, report).
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path

    import numpy as np
    import xarray as xr

    from designs.atomic import atomic_path, write_netcdf
    from progression import model

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
    draws = np.random.default_rng(0).normal(size=(4, 20_000))  # 640 kB, over the limit
    posterior = xr.Dataset({"delta": (("chain", "draw"), draws)})
    folder = Path(sys.argv[1])
    try:
        model.save_posterior(xr.DataTree.from_dict({"posterior": posterior}), folder / "p.nc")
    except OSError as exc:
        print(f"OSError {exc.errno} {exc.filename}")
    try:
        with atomic_path(folder / "s.nc") as tmp:  # as the sweep writes its file
            write_netcdf(posterior, tmp)
    except OSError as exc:
        print(f"OSError {exc.errno} {exc.filename}")
    """
)


def test_a_netcdf_write_beyond_the_room_left_is_an_oserror_not_a_crash(tmp_path, repo_root):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])  # was -11 (SIGSEGV)
    assert "Traceback" not in done.stderr
    # EFBIG, naming the file the user asked for, not the temporary file
    assert done.stdout.splitlines() == [
        f"OSError 27 {tmp_path / 'p.nc'}",
        f"OSError 27 {tmp_path / 's.nc'}",
    ]
    assert list(tmp_path.iterdir()) == []  # nothing left behind
