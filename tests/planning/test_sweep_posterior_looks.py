"""Sweeps over interim plans under the posterior rule (issue 17): each cell equals the same
design run alone (posterior_looks_power, or the fixed power at the final threshold), the
sweep resumes to the same file, and alpha spending is refused."""

from __future__ import annotations

import pytest
import xarray as xr

from designs.errors import InputError
from designs.planning.decision_looks import posterior_looks_power
from designs.planning.power import power
from designs.planning.sweep import cells_folder, run_sweep
from designs.spec import load_design

SEED = 21
TRIALS = 60  # plumbing: each cell is compared exactly with the same design run alone
GRID = {"looks": ["fixed", "0.5,1"], "effect": [0.3, 0.5]}


@pytest.fixture(scope="module")
def design():
    return load_design().with_overrides(
        {
            "trial.n_per_arm": 40,
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "decision.rule": "posterior",
            "decision.prior": "sceptical",
            "decision.futility_predictive": 0.1,
            "interim.looks": [0.5, 1.0],
        }
    )


@pytest.fixture(scope="module")
def swept(design):
    return run_sweep(design, GRID, TRIALS, SEED)


def test_each_cell_is_the_posterior_rule_alone(design, swept):
    assert list(swept.looks.values) == ["fixed", "0.5,1"]
    for effect in (0.3, 0.5):
        d = design.with_overrides({"effect.value": effect})
        s = posterior_looks_power(d, TRIALS, SEED)
        cell = swept.sel(looks="0.5,1", effect=effect, analysis="lmm_slope")
        assert float(cell.rejection_rate) == s.power
        assert float(cell.type_i_error) == float(cell.type1) == s.type_i_error
        assert float(cell.expected_n_total_h0) == pytest.approx(s.expected_n_total_h0, rel=1e-12)
        stop = sum(s.p_stop_efficacy[:-1]) + sum(s.p_stop_futility[:-1])
        assert float(cell.p_stop_interim) == pytest.approx(stop, abs=1e-12)
        # the fixed plan: one analysis at the final threshold, no futility rule
        fixed_design = d.with_overrides({"interim.looks": [], "decision.futility_predictive": 0.0})
        alone = power(fixed_design, TRIALS, SEED, type1=True)["lmm_slope"]
        fixed = swept.sel(looks="fixed", effect=effect, analysis="lmm_slope")
        assert float(fixed.rejection_rate) == alone.power
        assert float(fixed.type_i_error) == float(fixed.type1) == alone.type1
        assert float(fixed.expected_n_total) == 80


def test_resumes_to_identical_file(design, swept, tmp_path):
    out = tmp_path / "plans.nc"

    class Stop:
        seen = 0

        def __call__(self, n):
            Stop.seen += n
            if Stop.seen >= 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, out_path=out, progress=Stop())
    assert len(list(cells_folder(out).glob("*.json"))) == 3
    run_sweep(design, GRID, TRIALS, SEED, out_path=out)
    on_disk = xr.load_dataset(out, engine="h5netcdf")
    xr.testing.assert_equal(on_disk.drop_attrs(), swept.drop_attrs())


def test_spending_is_refused_under_the_posterior_rule(design):
    with pytest.raises(InputError, match="--spending"):
        run_sweep(design, {"spending": ["obf", "pocock"]}, 10, SEED)


def test_command_line_sweep_over_looks_with_thresholds(tmp_path, capsys):
    """--thresholds and --futility-predictive with a --looks grid: the plans with looks take
    them, the fixed plan is judged at the final threshold (its design would refuse them)."""
    import simulate

    out = tmp_path / "plans.nc"
    argv = ["sweep", "--looks", "fixed", "0.5,1", "--decision", "posterior"]
    argv += ["--thresholds", "0.995,0.98", "--futility-predictive", "0.1"]
    argv += ["--n-per-arm", "30", "--trials", "10", "--seed", "3", "--out", str(out)]
    assert simulate.main([*argv, "--set", "trial.sides=1", "--json"]) == 0
    ds = xr.load_dataset(out, engine="h5netcdf")
    assert dict(ds.sizes) == {"n_per_arm": 1, "looks": 2, "analysis": 1}
    assert {"type1", "type_i_error", "expected_n_total_h0"} <= set(ds.data_vars)
    capsys.readouterr()
