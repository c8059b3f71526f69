"""Power sweeps over a grid of designs, as one labelled :class:`xarray.Dataset`.

A sweep varies any of: patients per arm (``n_per_arm``, or ``n_total`` with unequal
allocation), the effect (``effect``, in the design's own units: points/month for
``slope_difference``, a fraction of ``|slope_mean|`` for ``proportional_slowing``), the trial
length (``duration_months``: visits keep the design's spacing) and the 12-month dropout
fraction (``dropout_12m``: a constant MCAR hazard ``-ln(1 - D) / 12`` per month) and, under
the posterior rule, the weight of the phase 2 posterior in the robust prior (``prior_weight``;
each cell then also holds ``type1``, its success rate with no effect). Several
analyses are run side by side on the same simulated trials (dim ``analysis``).

Common random numbers: every cell is simulated with the same seed, and the engine's patients
depend only on (seed, trial, arm, patient index), so the same people (and noise) appear in
every cell, prefixes nest across n, and each cell has exactly the power it would have on its
own with that seed.

Resuming: each finished cell is written at once (atomically) into ``OUT.cells/`` as a small
JSON file named by a hash of (cell design, trials, seed, analyses, package version). A rerun of
the same sweep reuses those files; the final netCDF is written atomically from the cell files,
so an interrupted and resumed sweep gives exactly the file an uninterrupted one gives. The
cell folder is removed once the final file is written.

Dask: ``scheduler="tcp://host:8786"`` sends cells to an existing cluster
(``dask.distributed.Client``); ``workers=N`` starts a local cluster. Cells are pure functions
of their inputs, so the result does not depend on where they ran.

Modules, one job each:

- :mod:`~designs.planning.sweep.grid`: dimensions, command-line grids and their checks;
- :mod:`~designs.planning.sweep.design`: one grid cell as a design (visits, dropout retimed);
- :mod:`~designs.planning.sweep.cells`: evaluating one cell and naming its file;
- :mod:`~designs.planning.sweep.run`: running and resuming a sweep, on threads or Dask;
- :mod:`~designs.planning.sweep.cluster`: the Dask client or local cluster, Ctrl-C handled;
- :mod:`~designs.planning.sweep.dataset`: the dataset's variables, assembly and loading.

The names below are re-exported here, each loaded on first use (so a command that only
parses a grid, ``sample-size --sizes``, does not import xarray and pandas with the dataset's
module). Code looks them up in the module that defines it, so a test that replaces one
(``monkeypatch``) patches that module where it is used, e.g.
``designs.planning.sweep.run.evaluate_cell`` or ``designs.planning.sweep.cluster.CONNECT_TIMEOUT``.
"""

from importlib import import_module

#: Public name -> module of this package that defines it.
_PUBLIC = {
    "ASSURANCE_VARIABLES": "dataset",
    "CONNECT_TIMEOUT": "cluster",
    "DIMS": "grid",
    "DIM_ATTRS": "dataset",
    "MAX_CELLS": "grid",
    "OPTIONS": "grid",
    "TYPE1_VARIABLES": "dataset",
    "VARIABLES": "dataset",
    "cell_design": "design",
    "cell_key": "cells",
    "cells_folder": "run",
    "evaluate_cell": "cells",
    "is_sweep_file": "dataset",
    "load_sweep": "dataset",
    "parse_grid": "grid",
    "parse_grid_tokens": "grid",
    "retime_cumulative": "design",
    "retime_visits": "design",
    "run_sweep": "run",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
