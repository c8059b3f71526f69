"""The bundled phase 2 records, loaded once for the progression tests; damaged copies of a
posterior file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
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


def _damaged_copies(original: Path, count: int, seed: int) -> Iterator[Path]:
    """``count`` copies of ``original``, each with 64 random bytes written at one of ``count``
    places spread over the file (start to end), written next to it."""
    raw = original.read_bytes()
    rng = np.random.default_rng(seed)
    for k, offset in enumerate(np.linspace(0, len(raw) - 64, count).astype(int)):
        damaged = bytearray(raw)
        damaged[offset : offset + 64] = rng.bytes(64)
        path = original.with_name(f"d{k}.nc")
        path.write_bytes(bytes(damaged))
        yield path


@pytest.fixture(scope="session")
def damaged_copies() -> Callable[[Path, int, int], Iterator[Path]]:
    """``damaged_copies(original, count, seed)``: the damaged files the load tests refuse or
    read unchanged (the whole read and the view alike)."""
    return _damaged_copies
