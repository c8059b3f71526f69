"""The bundled phase 2 records, loaded once for the progression tests."""

from __future__ import annotations

import pytest

from progression.records import load_phase2


@pytest.fixture(scope="session")
def phase2():
    """The bundled, illustrative phase 2 records (progression/data)."""
    return load_phase2()
