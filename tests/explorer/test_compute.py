"""The page's computations: the library's own numbers, cached by design and seed, and
cancelled between blocks of trials when a newer change asks for something else."""

from __future__ import annotations

import pytest

from designs.explorer import compute
from designs.explorer.controls import analyses_shown
from designs.planning.power import power
from designs.spec import load_design


@pytest.fixture
def design():
    return load_design().with_overrides({"trial.n_per_arm": 20})


def test_the_power_view_is_the_librarys_power_and_is_cached(design):
    first = compute.power_view(design, 7, 40)
    direct = power(design, 40, 7, analyses_shown(design))
    assert {a: s.power for a, s in first.summaries.items()} == {
        a: s.power for a, s in direct.items()
    }
    # the same design and seed again: the stored result, not a new simulation
    assert compute.power_view(design, 7, 40) is first
    assert compute.power_view(design, 8, 40) is not first


def test_a_cancelled_job_stops_and_stores_nothing(design):
    job = compute.Job()
    job.cancel()
    with pytest.raises(compute.Cancelled):
        compute.power_view(design, 11, 40, job)
    assert not compute.is_cached("power", design, 11, 40)
