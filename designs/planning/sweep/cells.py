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
from designs.errors import InputError
from designs.simulation.numba_cache import code_version

_KERNEL_LOCK = threading.Lock()  # one Numba parallel launch at a time per process


def evaluate_cell(
    design,
    trials: int,
    seed: int,
    analyses: Sequence[str],
    assurance_draws: np.ndarray | None = None,
    transport: str = "proportional",
    phase2_prior=None,
    interim: bool = False,
    control: bool = True,
) -> dict:
    """Simulate one design and summarise each analysis as plain JSON-ready numbers.

    ``control`` False estimates every rate as the plain share of trials, also where the
    control variate would be exact (``--estimator plain``: every cell of a grid alike).

    With ``interim`` (a sweep over interim plans, or of a design with ``[interim]`` looks),
    the cell is :func:`designs.planning.sweep.interim.evaluate_interim_cell`'s, with the
    variables of :data:`~designs.planning.sweep.interim.INTERIM_VARIABLES` too (under the
    posterior rule, the rule at the looks, with ``type1`` as well).

    With ``assurance_draws`` (posterior effect draws in the ``transport``'s units), each
    analysis also gets ``assurance`` and ``assurance_mc_se``
    (:func:`designs.planning.assurance.assurance_from_draws`, same seed; under the posterior
    rule each trial is judged with the cell's prior, so with a robust prior the phase 2
    posterior both generates the effects and, with the cell's weight, analyses them).

    Under the posterior rule, ``power`` is the rule's success probability and each analysis
    also gets ``type1`` and ``type1_mc_se``: the same trials (same seed) with no effect.
    ``phase2_prior`` (a :class:`~designs.analyses.decision.NormalMixture`, or its
    ``(weights, means, sds)``) is the phase 2 effect a robust prior borrows from.

    Returns
    -------
    dict
        ``{analysis: {rejection_rate, power_favourable, rejection_rate_mc_se,
        mc_se_favourable, rejection_rate_ci_low, rejection_rate_ci_high, mean_estimate,
        true_effect, failed_fits, completers, dropped_out[, assurance,
        assurance_mc_se]}}``.
    """
    from designs.planning.power import power

    prior = None
    if design.decision.is_posterior:
        from designs.analyses.decision import NormalMixture
        from designs.planning.decision_rule import decision_prior

        if phase2_prior is not None and not isinstance(phase2_prior, NormalMixture):
            phase2_prior = NormalMixture(*(tuple(v) for v in phase2_prior))
        prior = decision_prior(design, phase2=phase2_prior)
    if interim:
        from designs.planning.sweep.interim import evaluate_interim_cell

        if assurance_draws is not None:
            raise InputError(
                "interim.looks: a sweep over interim plans simulates a fixed effect (no "
                "--assurance)"
            )
        with _KERNEL_LOCK:
            return evaluate_interim_cell(
                design, trials, seed, analyses, prior=prior, control=control
            )
    with _KERNEL_LOCK:
        out = power(
            design,
            trials,
            seed,
            analyses,
            require_fits=False,
            prior=prior,
            type1=True,
            control=control,
        )
        assured = {}
        if assurance_draws is not None:
            from designs.planning.assurance import assurance_from_draws

            for a in analyses:
                # the cell's own prior (a robust one borrows from phase2_prior): without it
                # a cell that borrows could not rebuild its prior and was refused
                assured[a] = assurance_from_draws(
                    design, assurance_draws, trials, seed, a, transport, prior=prior
                )
    cells = {}
    for name, s in out.items():
        cells[name] = fixed_cell_variables(s)
        if prior is not None:
            from designs.planning.sweep.interim import interval_variables

            cells[name]["type1"] = s.type1
            cells[name]["type1_mc_se"] = s.type1_mc_se
            # a diff review: 0 of 40 was stored as 0 with an MC SE of 0 here too
            cells[name].update(interval_variables("type1", s.type1, s.type1_mc_se, s.type1_trials))
        if name in assured:
            cells[name]["assurance"] = assured[name].assurance
            cells[name]["assurance_mc_se"] = assured[name].mc_se
    return cells


def fixed_cell_variables(s) -> dict:
    """The sweep's variables of one analysis from its :class:`~designs.planning.power.
    PowerSummary`."""
    return {
        "rejection_rate": s.power,
        "power_favourable": s.power_favourable,
        "rejection_rate_mc_se": s.mc_se,
        "mc_se_favourable": s.mc_se_favourable,
        "rejection_rate_ci_low": s.ci95[0],
        "rejection_rate_ci_high": s.ci95[1],
        "variance_ratio": s.variance_ratio,
        "mean_estimate": s.mean_estimate,
        "true_effect": s.true_effect,
        "failed_fits": s.failed_fits,
        "completers": s.completers_placebo + s.completers_active,
        "dropped_out": (s.dropout_placebo * s.n_placebo + s.dropout_active * s.n_active)
        / (s.n_placebo + s.n_active),
    }


def _cell_task(
    design_dict: dict,
    trials: int,
    seed: int,
    analyses: tuple[str, ...],
    assurance_draws=None,
    transport: str = "proportional",
    phase2_prior=None,
    interim: bool = False,
    control: bool = True,
    code: str | None = None,
) -> dict:
    """Dask task: rebuild the design from plain data and evaluate it. ``code``: the
    submitting command's :func:`~designs.simulation.numba_cache.code_version`; a worker that
    runs other code refuses the cell (a sweep review: a cluster node with another install
    gave other numbers in every cell, cached under this code's key, without a word)."""
    from designs.spec import TrialDesign

    if code is not None and code_version() != code:
        raise InputError(
            f"a Dask worker runs other code of this tool (code {code_version()}, "
            f"this command's {code}); install the same version on every worker (the finished "
            "cells are kept)"
        )
    return evaluate_cell(
        TrialDesign.from_dict(design_dict),
        trials,
        seed,
        analyses,
        assurance_draws,
        transport,
        phase2_prior,
        interim,
        control,
    )


def cell_key(
    design,
    trials: int,
    seed: int,
    analyses: Sequence[str],
    assurance: str | None = None,
    phase2_prior=None,
    interim: bool = False,
    control: bool = True,
) -> str:
    """Hash naming one cell's file: (cell design, trials, seed, analyses, version, the code
    (:func:`designs.simulation.numba_cache.code_version`: cells of other code are never
    reused)[, a hash
    of the assurance draws and transport][, the phase 2 prior a robust prior borrows from][,
    ``interim``: the cell holds the variables of a sweep over interim plans][, ``control``
    False: plain shares only]). The design includes its ``[interim]`` looks and spending
    whenever it has looks."""
    fields = {
        "design": design.to_dict(),
        "trials": int(trials),
        "seed": int(seed),
        "analyses": list(analyses),
        "version": __version__,
        "code": code_version(),
    }
    if assurance is not None:
        fields["assurance"] = assurance
    if interim:
        fields["interim_outputs"] = True
    if not control:
        fields["estimator"] = "plain"
    if phase2_prior is not None:
        fields["phase2_prior"] = [list(map(float, v)) for v in _mixture_lists(phase2_prior)]
    text = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _mixture_lists(prior):
    """``(weights, means, sds)`` of a normal mixture given as one or as the three lists."""
    if hasattr(prior, "weights"):
        return prior.weights, prior.means, prior.sds
    return tuple(prior)
