"""The bundled phase 2 records, loaded once for the progression tests."""

from __future__ import annotations

import pytest

from progression import model
from progression.records import load_phase2

#: Seed of the shared default fit.
SEED = 20240101


@pytest.fixture(scope="session")
def phase2():
    """The bundled, illustrative phase 2 records (progression/data)."""
    return load_phase2()


@pytest.fixture(scope="session")
def posterior(phase2):
    """The default fit (nutpie's NUTS, 4 chains x 1000 draws after 1000 tuning steps) on the
    bundled data, shared by the model and sampler tests."""
    return model.fit(phase2, seed=SEED, progressbar=False)
