"""The report's borrowing section: power and type I error against the weight of phase 2."""

import numpy as np
import pytest

from designs.outputs.figures_decision import prior_weight_figure, prior_weight_table
from designs.planning.report_plan import PRIOR_WEIGHTS, borrowing_sweep
from designs.spec import load_design


@pytest.fixture(scope="module")
def sweep(fake_posterior):
    """The report's sweep at 30 per arm on the fake posterior (delta ~ N(0.15, 0.1))."""
    return borrowing_sweep(load_design(), 30, fake_posterior(), 400, 3, "lmm_slope")


def test_borrowing_sweep_runs_the_robust_rule_at_each_weight(sweep):
    assert tuple(sweep.prior_weight.values) == PRIOR_WEIGHTS
    assert sweep.attrs["decision"] == "posterior"
    t1 = sweep.type1.sel(analysis="lmm_slope").values
    # Borrowing a phase 2 benefit raises the type I error (truth zero): monotone here since
    # the same null trials are judged at every weight and the prior only moves up with w.
    assert np.all(np.diff(t1) >= 0) and t1[-1] > t1[0]


def test_table_states_each_weight_with_its_numbers(sweep):
    md = prior_weight_table(sweep, 0.025)
    cell = sweep.sel(analysis="lmm_slope")
    # the rule's success probability: the sweep's rejection_rate and power_favourable agree
    np.testing.assert_array_equal(cell.rejection_rate, cell.power_favourable)
    for i, w in enumerate(PRIOR_WEIGHTS):
        assert f"| {w:g} | {float(cell.power_favourable[i]):.3f} (" in md
        assert f"{float(cell.type1[i]):.4f} (" in md
    assert "prior-data conflict" in md and "0.025" in md
    csv = prior_weight_table(sweep, 0.025, fmt="csv").splitlines()
    assert csv[0] == "prior_weight,power,mc_se,type1,type1_mc_se" and len(csv) == 6
    assert float(csv[-1].split(",")[3]) == pytest.approx(float(cell.type1[-1]), rel=1e-5)


def test_figure_is_written_as_png_and_pdf(sweep, tmp_path):
    png = prior_weight_figure(sweep, tmp_path / "prior_weight.png", 0.025)
    assert png.stat().st_size > 10_000 and png.with_suffix(".pdf").stat().st_size > 1_000
