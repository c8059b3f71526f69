"""The report's interim part (designs.planning.report_interim) reads the trials the n max
search simulated at n max instead of simulating them again: beyond the search's it simulates
only the run under no effect for the type I error, and its numbers and each trial's z (or
estimate / SE) at the looks are those of a fresh simulation of the design at n max with the
same seed."""

from __future__ import annotations

import numpy as np
import pytest

from designs.planning.power_curve import design_at
from designs.planning.report_interim import plan_interim
from designs.spec import load_design

SEED = 5
TRIALS = 40  # plumbing: the same trials or not; the statistics are tested elsewhere


class Counter:
    """A progress callback that counts the trials announced and those simulated."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def expect(self, more: int) -> None:
        self.total += more

    def update(self, n: int) -> None:
        self.done += n


def _design(rule: str):
    looks = {"effect.value": 0.4, "trial.sides": 1, "trial.alpha": 0.025}
    looks["interim.looks"] = [0.5, 1.0]
    if rule == "posterior":
        looks |= {"decision.rule": "posterior", "decision.thresholds": [0.999, 0.98]}
    return load_design().with_overrides(looks)


def _search(design, progress):
    if design.decision.is_posterior:
        from designs.planning.sample_size_posterior_looks import (
            find_posterior_looks_sample_size,
        )

        return find_posterior_looks_sample_size(design, (0.8,), TRIALS, SEED, progress=progress)
    from designs.planning.sample_size_gs import find_group_sequential_sample_size

    return find_group_sequential_sample_size(design, (0.8,), TRIALS, SEED, progress=progress)


def _z_afresh(design, n_max):
    """Each trial's z at each look under the effect and no effect, simulated at n max anew."""
    from designs.planning.group_sequential import simulate_outcome
    from designs.simulation.inputs import simulation_inputs

    d = design_at(design, n_max)
    if d.decision.is_posterior:
        from designs.analyses import results as R
        from designs.planning.decision_looks import posterior_looks_simulated

        _, res1, res0 = posterior_looks_simulated(d, TRIALS, SEED)
        out = []
        for res in (res1, res0):
            with np.errstate(invalid="ignore", divide="ignore"):
                z = res.results[:, :, R.ESTIMATE] / res.results[:, :, R.SE]
            out.append(np.where(res.failed(), np.nan, z))
        return out
    shift = simulation_inputs(d).effect_shift
    return [simulate_outcome(d, TRIALS, SEED, s)[1].z for s in (shift, 0.0)]


@pytest.mark.parametrize("rule", ["frequentist", "posterior"])
def test_the_interim_plan_simulates_only_the_null_run_beyond_its_search(rule):
    design = _design(rule)
    search = Counter()
    found = _search(design, search.update)
    plan = Counter()
    interim = plan_interim(design, (0.8,), TRIALS, SEED, progress=plan.update)
    # beyond the search (which it no longer simulates twice more at n max, 2 x TRIALS):
    # only the run under no effect at n max with enough trials for the type I error's MC SE
    # (10,834 at the one-sided 0.025)
    assert plan.done == search.done + 10_834 and search.done > 0
    assert plan.total == plan.done  # and announced no trial it does not simulate
    assert interim.row == found.rows[0]
    z_h1, z_h0 = _z_afresh(design, interim.row.n_max)
    np.testing.assert_array_equal(interim.z_h1, z_h1)  # the same trials, the same process
    np.testing.assert_array_equal(interim.z_h0, z_h0)
