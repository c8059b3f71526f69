"""Sweeps over interim plans (issue 16): the ``looks``, ``spending`` and ``information``
dimensions, each cell equal to the group-sequential (or fixed) design simulated alone, CF
attributes, resuming."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from designs.errors import InputError
from designs.planning.group_sequential import group_sequential_power
from designs.planning.power import power
from designs.planning.sweep import cell_key, cells_folder, run_sweep
from designs.planning.sweep.interim import information_label, looks_label, spending_label
from designs.spec import load_design

SEED = 13
TRIALS = 120  # plumbing: each cell is compared exactly with the same design run alone
GRID = {"looks": ["fixed", "0.5, 1", "0.33,0.67,1"]}


@pytest.fixture(scope="module")
def design():
    return load_design().with_overrides(
        {"effect.value": 0.4, "trial.n_per_arm": 40, "trial.sides": 1, "trial.alpha": 0.025}
    )


@pytest.fixture(scope="module")
def swept(design):
    return run_sweep(design, GRID, TRIALS, SEED)


def test_labels_are_canonical():
    assert looks_label(" 0.50,1.0") == "0.5,1" and looks_label("fixed") == "fixed"
    assert spending_label("HSD:-4.0") == "hsd:-4" and spending_label("obf") == "obf"
    for bad in ("0.5,x", ""):
        with pytest.raises(InputError, match="--looks"):
            looks_label(bad)
    for bad in ("wang", "hsd", "obf:2"):
        with pytest.raises(InputError, match="--spending"):
            spending_label(bad)


def test_each_cell_is_the_design_alone(design, swept):
    assert list(swept.looks.values) == ["fixed", "0.5,1", "0.33,0.67,1"]
    for label, looks in (("0.5,1", [0.5, 1.0]), ("0.33,0.67,1", [0.33, 0.67, 1.0])):
        s = group_sequential_power(design.with_overrides({"interim.looks": looks}), TRIALS, SEED)
        cell = swept.sel(looks=label, analysis="lmm_slope")
        assert float(cell.power_favourable) == s.power_favourable
        assert float(cell.type_i_error) == s.type_i_error
        assert float(cell.expected_n_total) == pytest.approx(s.expected_n_total, rel=1e-12)
        assert float(cell.expected_months_h0) == pytest.approx(s.expected_months_h0, rel=1e-12)
        stop = sum(s.p_stop_efficacy[:-1]) + sum(s.p_stop_futility[:-1])
        assert float(cell.p_stop_interim) == pytest.approx(stop, abs=1e-12)
    fixed = swept.sel(looks="fixed", analysis="lmm_slope")
    alone = power(design, TRIALS, SEED)["lmm_slope"]
    null = power(design.with_overrides({"effect.value": 0.0}), TRIALS, SEED)["lmm_slope"]
    assert float(fixed.power_favourable) == alone.power_favourable
    assert float(fixed.type_i_error) == null.power
    assert float(fixed.expected_n_total) == design.trial.n_total == 80
    assert float(fixed.p_stop_interim) == 0.0


def test_type_i_error_has_its_interval_also_at_zero(design, swept):
    """A sweep review: no rejection among the null trials was stored as 0 with an MC SE of
    0. Each cell's type I error has a Wilson 95% interval: at 0 of n its upper end is the
    closed form z^2 / (n + z^2) (Wilson 1927), elsewhere it holds the rate."""
    z = 1.959963984540054
    for label in swept.looks.values:
        cell = swept.sel(looks=label, analysis="lmm_slope")
        rate, low, high = (
            float(cell[v]) for v in ("type_i_error", "type_i_error_ci_low", "type_i_error_ci_high")
        )
        assert 0.0 <= low <= rate <= high <= 1.0 and high > 0.0, label
    none = run_sweep(design, {"looks": ["0.5,1"]}, 40, 1).sel(analysis="lmm_slope")
    assert float(none.type_i_error.squeeze()) == 0.0  # seed 1: none of 40 null trials
    assert float(none.type_i_error_ci_high.squeeze()) == pytest.approx(z**2 / (40 + z**2), rel=1e-9)
    assert float(none.type_i_error_ci_low.squeeze()) == 0.0


def test_type_i_intervals_are_over_the_rates_own_trials_and_also_for_the_posterior_rule():
    """A diff review: with failed fits left out the fixed cell's interval was taken over all
    trials (a normal interval for 2 of 98 where the looks' cell had Wilson's); and the
    posterior rule's type1 of 0 of 40 was stored as 0 with an MC SE of 0. Wilson's interval
    (Wilson 1927) is computed here from its formula, independently of the code."""
    from designs.planning.power import wilson_interval

    def wilson(k, n, z=1.959963984540054):
        p = k / n
        mid, half = p + z * z / (2 * n), z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
        return (mid - half) / (1 + z * z / n), (mid + half) / (1 + z * z / n)

    small = load_design().with_overrides(
        {
            "trial.n_per_arm": 2,
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "decision.failed_fits": "exclude",
            "dropout.monthly_hazard": 0.1,
        }
    )
    ds = run_sweep(small, {"looks": ["fixed", "0.5,1"]}, 100, 2).sel(analysis="lmm_slope")
    fixed = ds.sel(looks="fixed")
    rate = float(fixed.type_i_error)
    # the rate is a share of the null trials whose fit succeeded (98 at this seed)
    n = next(m for m in range(100, 50, -1) if abs(rate * m - round(rate * m)) < 1e-9)
    assert n < 100 and rate > 0
    low, high = wilson(round(rate * n), n)
    assert float(fixed.type_i_error_ci_low) == pytest.approx(low, rel=1e-9)
    assert float(fixed.type_i_error_ci_high) == pytest.approx(high, rel=1e-9)
    assert (low, high) == pytest.approx(wilson_interval(round(rate * n), n), rel=1e-12)
    for label in ("fixed", "0.5,1"):
        cell = ds.sel(looks=label)
        assert cell.type_i_error_ci_low <= cell.type_i_error <= cell.type_i_error_ci_high
    posterior = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.threshold": 0.995, "trial.n_per_arm": 40}
    )
    ds = run_sweep(posterior, {"effect": [0.1, 0.2]}, 40, 4).sel(analysis="lmm_slope")
    assert float(ds.type1.sel(effect=0.1)) == 0.0  # seed 4: none of 40 null trials
    z = 1.959963984540054
    assert float(ds.type1_ci_high.sel(effect=0.1)) == pytest.approx(z * z / (40 + z * z))


def test_variables_carry_cf_attributes(swept):
    for name in [*swept.data_vars, *swept.coords]:
        attrs = swept[name].attrs
        assert attrs.get("long_name"), name
        if name not in ("analysis", "estimand", "estimate_units"):
            assert "units" in attrs, name
    assert swept.expected_months.attrs["units"] == "months"


def test_cell_key_includes_the_looks_and_the_interim_outputs(design):
    keys = {
        cell_key(design.with_overrides({"interim.looks": looks}), TRIALS, SEED, ["lmm_slope"], **kw)
        for looks, kw in (
            ([], {}),
            ([], {"interim": True}),
            ([0.5, 1.0], {"interim": True}),
            ([0.4, 1.0], {"interim": True}),
        )
    }
    assert len(keys) == 4
    pocock = design.with_overrides({"interim.looks": [0.5, 1.0], "interim.spending": "pocock"})
    assert cell_key(pocock, TRIALS, SEED, ["lmm_slope"], interim=True) not in keys


class _Stop:
    def __init__(self, after):
        self.after, self.seen = after, 0

    def __call__(self, n):
        self.seen += n
        if self.seen >= self.after:
            raise KeyboardInterrupt


def test_interrupted_sweep_resumes_to_identical_file(design, swept, tmp_path, monkeypatch):
    import designs.planning.sweep.run as sweep_module

    out = tmp_path / "looks.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, out_path=out, progress=_Stop(2))
    assert len(list(cells_folder(out).glob("*.json"))) == 2
    computed = []
    real = sweep_module.evaluate_cell

    def counting(*args, **kwargs):
        computed.append(args[0].interim.looks)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "evaluate_cell", counting)
    run_sweep(design, GRID, TRIALS, SEED, out_path=out)
    assert computed == [(0.33, 0.67, 1.0)]  # only the unfinished cell
    on_disk = xr.load_dataset(out, engine="h5netcdf")
    xr.testing.assert_equal(on_disk.drop_attrs(), swept.drop_attrs())


def test_spending_dimension_and_refusals(design):
    ds = run_sweep(
        design.with_overrides({"interim.looks": [0.5, 1.0]}),
        {"spending": ["obf", "pocock"]},
        60,
        SEED,
    )
    assert list(ds.spending.values) == ["obf", "pocock"]
    assert float(ds.type_i_error.sel(spending="pocock").item()) >= 0.0
    with pytest.raises(InputError, match="--analysis ancova_change"):
        run_sweep(design, GRID, 10, SEED, ("lmm_slope", "ancova_change"))
    with pytest.raises(InputError, match=r"interim\.looks"):
        run_sweep(design, {"looks": ["0.5,0.4,1"]}, 10, SEED)


def test_information_dimension_each_cell_is_the_design_alone(design):
    """``--information observed planned``: the boundaries at each trial's observed
    information or the planned ones (``interim.information``); a sweep over looks could not
    set it (its --set interim.* reached no cell)."""
    base = design.with_overrides({"interim.looks": [0.33, 0.67, 1.0], "interim.spending": "hsd"})
    ds = run_sweep(base, {"information": ["Planned ", "observed"]}, 200, SEED)
    assert list(ds.information.values) == ["planned", "observed"]
    assert "interim.information" in ds.information.attrs["long_name"]
    for label in ("planned", "observed"):
        alone = group_sequential_power(
            base.with_overrides({"interim.information": label}), 200, SEED
        )
        cell = ds.sel(information=label, analysis="lmm_slope")
        assert float(cell.power_favourable) == alone.power_favourable
        assert float(cell.type_i_error) == alone.type_i_error
    # the two differ in some trial's decision (else the dimension would not be doing anything)
    rows = [ds.sel(information=v, analysis="lmm_slope") for v in ("planned", "observed")]
    assert any(float(rows[0][v]) != float(rows[1][v]) for v in ("rejection_rate", "type_i_error"))
    with pytest.raises(InputError, match="--information 'charter': must be one of observed"):
        information_label("charter")
    with pytest.raises(InputError, match="--information: no cell has interim looks"):
        run_sweep(design, {"information": ["planned"]}, 10, SEED)
    posterior = base.with_overrides({"decision.rule": "posterior", "interim.spending": "obf"})
    with pytest.raises(
        InputError, match="--information: the information alpha spending reads belongs to the freq"
    ):
        run_sweep(posterior, {"information": ["planned"]}, 10, SEED)


def test_command_line_sweep_over_looks_at_the_planned_information(tmp_path, capsys):
    """The command line's ``--looks`` grid with ``--information planned`` (the base design
    has no looks, so ``--set interim.information`` is refused there)."""
    import simulate

    out = tmp_path / "planned.nc"
    argv = ["sweep", "--looks", "fixed", "0.5,1", "--information", "planned"]
    argv += ["--n-per-arm", "30", "--trials", "20", "--seed", "3", "--out", str(out)]
    assert simulate.main(argv) == 0
    ds = xr.load_dataset(out, engine="h5netcdf")
    assert dict(ds.sizes) == {"n_per_arm": 1, "looks": 2, "information": 1, "analysis": 1}
    assert "information planned" in capsys.readouterr().out


def test_command_line_sweep_over_looks(tmp_path, capsys):
    import simulate

    out = tmp_path / "plans.nc"
    argv = ["sweep", "--looks", "fixed", "0.5,1", "--spending", "obf", "hsd:-4"]
    argv += ["--n-per-arm", "30", "--trials", "20", "--seed", "3", "--out", str(out)]
    assert simulate.main([*argv, "--set", "trial.sides=1", "--json"]) == 0
    ds = xr.load_dataset(out, engine="h5netcdf")
    assert dict(ds.sizes) == {"n_per_arm": 1, "looks": 2, "spending": 2, "analysis": 1}
    assert {"type_i_error", "expected_n_total", "expected_months"} <= set(ds.data_vars)
    capsys.readouterr()


def test_looks_in_months_are_checked_for_every_cell_before_any_is_simulated(tmp_path):
    """Looks at months 20 and 40: at 150 per arm accrual alone lasts longer than 40 months.
    The sweep is refused before the 100-per-arm cell is simulated and stored."""
    d = load_design().with_overrides(
        {"interim.look_months": [20.0, 40.0], "trial.sides": 1, "trial.alpha": 0.025}
    )
    out = tmp_path / "months.nc"
    with pytest.raises(InputError, match="month 40"):
        run_sweep(d, {"n_per_arm": [100, 150]}, 10, SEED, out_path=out)
    assert not list(cells_folder(out).glob("*.json"))
    assert not out.exists()


def test_cells_of_one_design_are_simulated_once(design, tmp_path, monkeypatch):
    """The fixed plan does not read ``information``: its two cells are one design, simulated
    once (twice before), and both hold its numbers; progress and the cells kept count both."""
    import designs.planning.sweep.run as S  # run_sweep looks evaluate_cell up here

    simulated = []
    evaluate = S.evaluate_cell

    def counted(d, *args, **kwargs):
        simulated.append(d.interim.looks)
        return evaluate(d, *args, **kwargs)

    monkeypatch.setattr(S, "evaluate_cell", counted)
    grid = {"looks": ["fixed", "0.5,1"], "information": ["observed", "planned"]}
    ticks, counts = [], {}
    ds = run_sweep(
        design, grid, 60, SEED, out_path=tmp_path / "i.nc", progress=ticks.append, counts=counts
    )
    assert sorted(map(len, simulated)) == [0, 2, 2]  # fixed once, each looks plan once
    assert sum(ticks) == 4 and counts["cells_reused"] == 0
    fixed = ds.sel(looks="fixed", analysis="lmm_slope")
    xr.testing.assert_identical(
        fixed.sel(information="observed", drop=True), fixed.sel(information="planned", drop=True)
    )
    ticks.clear()
    again = run_sweep(design, grid, 60, SEED, progress=ticks.append, counts=counts)
    xr.testing.assert_identical(again.drop_attrs(), ds.drop_attrs())
    assert sum(ticks) == 4


def test_a_time_course_is_in_every_cells_true_effect(design):
    """A time-course review: the fixed cell's true effect was the course's (half the shift
    for a 6-month delay on monthly visits to 12), the cell with looks the full shift."""
    delayed = design.with_overrides({"effect.onset_delay_months": 6.0})
    ds = run_sweep(delayed, {"looks": ["fixed", "0.5,1"]}, 20, SEED)
    full = delayed.effect.value * abs(delayed.population.slope_mean)
    truth = ds.true_effect.sel(analysis="lmm_slope").values  # the fixed cell: a mean of trials
    np.testing.assert_allclose(truth, full / 2, rtol=1e-12)
