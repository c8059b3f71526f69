"""A simulated trial in the long format real data comes in."""

from __future__ import annotations

import pandas as pd
import pytest


def _frame(data) -> pd.DataFrame:
    """The long format `simulate.py trial` writes (per-patient status and exit month)."""
    pid = data["patient"]
    return pd.DataFrame(
        {
            "patient": pid,
            "arm": data["arm"],
            "month": data["month"],
            "alsfrs_r": data["alsfrs_r"],
            "status": data["status"][pid],
            "exit_month": data["exit_month"][pid],
        }
    )


@pytest.fixture(scope="session")
def trial_frame():
    """``trial_frame(data)``: one trial of ``simulate_one_trial`` as a long-format DataFrame."""
    return _frame
