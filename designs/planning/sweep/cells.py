"""Evaluating one cell: simulate its design, summarise each analysis, name its file.

Cells are pure functions of (cell design, trials, seed, analyses[, assurance draws]), so a
cell gives the same numbers on a thread here or on any Dask worker.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence

import numpy as np

from designs import __version__

_KERNEL_LOCK = threading.Lock()  # one Numba parallel launch at a time per process


def evaluate_cell(
    design,
    trials: int,
    seed: int,
    analyses: Sequence[str],
    assurance_draws: np.ndarray | None = None,
    transport: str = "proportional",
) -> dict:
    """Simulate one design and summarise each analysis as plain JSON-ready numbers.

    With ``assurance_draws`` (posterior effect draws in the ``transport``'s units), each
    analysis also gets ``assurance`` and ``assurance_mc_se``
    (:func:`designs.planning.assurance.assurance_from_draws`, same seed).

    Returns
    -------
    dict
        ``{analysis: {rejection_rate, power_favourable, rejection_rate_mc_se,
        mc_se_favourable, rejection_rate_ci_low, rejection_rate_ci_high, mean_estimate,
        true_effect, failed_fits, completers, dropped_out[, assurance,
        assurance_mc_se]}}``.
    """
    from designs.planning.power import power

    with _KERNEL_LOCK:
        out = power(design, trials, seed, analyses, require_fits=False)
        assured = {}
        if assurance_draws is not None:
            from designs.planning.assurance import assurance_from_draws

            for a in analyses:
                assured[a] = assurance_from_draws(
                    design, assurance_draws, trials, seed, a, transport
                )
    cells = {}
    for name, s in out.items():
        cells[name] = {
            "rejection_rate": s.power,
            "power_favourable": s.power_favourable,
            "rejection_rate_mc_se": s.mc_se,
            "mc_se_favourable": s.mc_se_favourable,
            "rejection_rate_ci_low": s.ci95[0],
            "rejection_rate_ci_high": s.ci95[1],
            "mean_estimate": s.mean_estimate,
            "true_effect": s.true_effect,
            "failed_fits": s.failed_fits,
            "completers": s.completers_placebo + s.completers_active,
            "dropped_out": (s.dropout_placebo * s.n_placebo + s.dropout_active * s.n_active)
            / (s.n_placebo + s.n_active),
        }
        if name in assured:
            cells[name]["assurance"] = assured[name].assurance
            cells[name]["assurance_mc_se"] = assured[name].mc_se
    return cells


def _cell_task(
    design_dict: dict,
    trials: int,
    seed: int,
    analyses: tuple[str, ...],
    assurance_draws=None,
    transport: str = "proportional",
) -> dict:
    """Dask task: rebuild the design from plain data and evaluate it."""
    from designs.spec import TrialDesign

    return evaluate_cell(
        TrialDesign.from_dict(design_dict), trials, seed, analyses, assurance_draws, transport
    )


def cell_key(
    design, trials: int, seed: int, analyses: Sequence[str], assurance: str | None = None
) -> str:
    """Hash naming one cell's file: (cell design, trials, seed, analyses, version[, a hash
    of the assurance draws and transport])."""
    fields = {
        "design": design.to_dict(),
        "trials": int(trials),
        "seed": int(seed),
        "analyses": list(analyses),
        "version": __version__,
    }
    if assurance is not None:
        fields["assurance"] = assurance
    text = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
