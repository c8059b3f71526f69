"""A posterior's convergence figures, computed once and kept in its file.

Planning checks the phase 2 posterior on every run (divergences, the worst R-hat and the
smallest bulk ESS of the population parameters). Computing R-hat and ESS needs ArviZ's
statistics (``arviz_stats``, which imports SciPy's ``stats``: about a second of CPU that a
warm main job would spend on every run). :func:`progression.model.save_posterior` therefore
stores the three figures in the file's root attribute :data:`CONVERGENCE_ATTR`, with the
checksum of the draws they were computed from; :func:`convergence` uses them only when that
checksum is the draws' own, and computes them otherwise (a file written before, or draws
changed since). The figures are the same either way: the stored ones are those of
:func:`progression.diagnostics.fit_summary`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # xarray only where the figures are computed (start-up time)
    import xarray as xr

    from progression.posterior_view import PosteriorView

#: Root attribute holding the convergence figures (JSON) and the checksum of their draws.
CONVERGENCE_ATTR = "convergence"
KEYS = ("divergences", "max_rhat", "min_ess_bulk")


def computed(idata: xr.DataTree | PosteriorView) -> dict:
    """The figures computed from the draws (ArviZ; a view is read again by xarray)."""
    from progression.diagnostics import fit_summary
    from progression.posterior_view import PosteriorView

    if isinstance(idata, PosteriorView):
        idata = idata.to_datatree()
    s = fit_summary(idata)
    return {k: s[k] for k in KEYS}


def can_compute(idata: xr.DataTree | PosteriorView) -> bool:
    """Whether the posterior has what :func:`computed` reads (a fit of our model)."""
    from progression.model import POPULATION_PARAMS

    if "sample_stats" not in idata.children or "posterior" not in idata.children:
        return False
    post = idata["posterior"].data_vars
    return "diverging" in idata["sample_stats"].data_vars and all(
        p in post for p in POPULATION_PARAMS
    )


def record(idata: xr.DataTree, checksum: str, summary: dict | None = None) -> None:
    """Store the figures of ``idata`` (whose draws have ``checksum``) in its attributes:
    taken from ``summary`` (:func:`progression.diagnostics.fit_summary` of ``idata``) when
    given, else computed."""
    if can_compute(idata):
        figures = computed(idata) if summary is None else {k: summary[k] for k in KEYS}
        idata.attrs[CONVERGENCE_ATTR] = json.dumps({**figures, "posterior_sha256": checksum})


def convergence(idata: xr.DataTree | PosteriorView) -> dict:
    """``divergences``, ``max_rhat`` and ``min_ess_bulk``: stored ones if they belong to
    these draws, else computed."""
    figures = stored(idata)
    return computed(idata) if figures is None else figures


def stored(idata: xr.DataTree | PosteriorView) -> dict | None:
    """The figures kept in the attributes when they belong to these draws, else None."""
    from progression.posterior_file import posterior_checksum

    text = idata.attrs.get(CONVERGENCE_ATTR)
    if text is None:
        return None
    try:
        figures = json.loads(str(text))
    except ValueError:
        return None
    if (
        isinstance(figures, dict)
        and all(k in figures for k in KEYS)
        and figures.get("posterior_sha256") == posterior_checksum(idata)
    ):
        return {k: figures[k] for k in KEYS}
    return None


def gates_met(summary: dict) -> bool:
    """The fit's convergence gates (:func:`fit_summary`'s figures): no divergence, R-hat at
    most 1.01, bulk ESS at least 400 for every population parameter."""
    return bool(
        summary["divergences"] == 0
        and summary["max_rhat"] <= 1.01
        and summary["min_ess_bulk"] >= 400
    )
