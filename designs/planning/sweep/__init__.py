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
- :mod:`~designs.planning.sweep.dataset`: the dataset's variables, assembly and loading.

The names below are re-exported here. Code looks them up in the module that defines it, so a
test that replaces one (``monkeypatch``) patches that module where it is used, e.g.
``designs.planning.sweep.run.evaluate_cell`` or ``designs.planning.sweep.run.CONNECT_TIMEOUT``.
"""

from designs.planning.sweep.cells import cell_key, evaluate_cell
from designs.planning.sweep.dataset import (
    ASSURANCE_VARIABLES,
    DIM_ATTRS,
    TYPE1_VARIABLES,
    VARIABLES,
    is_sweep_file,
    load_sweep,
)
from designs.planning.sweep.design import cell_design, retime_cumulative, retime_visits
from designs.planning.sweep.grid import (
    DIMS,
    MAX_CELLS,
    OPTIONS,
    parse_grid,
    parse_grid_tokens,
)
from designs.planning.sweep.run import CONNECT_TIMEOUT, cells_folder, run_sweep

__all__ = [
    "ASSURANCE_VARIABLES",
    "CONNECT_TIMEOUT",
    "DIMS",
    "DIM_ATTRS",
    "MAX_CELLS",
    "OPTIONS",
    "TYPE1_VARIABLES",
    "VARIABLES",
    "cell_design",
    "cell_key",
    "cells_folder",
    "evaluate_cell",
    "is_sweep_file",
    "load_sweep",
    "parse_grid",
    "parse_grid_tokens",
    "retime_cumulative",
    "retime_visits",
    "run_sweep",
]
