"""Power sweeps (designs.planning.sweep): grids, cell designs, common random numbers,
resuming, Dask, command line."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

from designs import __version__
from designs.errors import InputError
from designs.planning.power import power
from designs.planning.sweep import (
    cell_design,
    cells_folder,
    cluster,
    load_sweep,
    parse_grid,
    parse_grid_tokens,
    retime_visits,
    run_sweep,
)
from designs.planning.sweep.dataset import OLD_NAMES
from designs.spec import load_design

SEED = 7
TRIALS = 200  # small: these tests check plumbing and exact equalities, not power values
GRID = {"n_per_arm": [20, 40], "effect": [0.25, 0.5], "dropout_12m": [0.364]}
ANALYSES = ("lmm_slope", "ols_slope_ttest")


@pytest.fixture(scope="module")
def design():
    return load_design()


@pytest.fixture(scope="module")
def reference(design, tmp_path_factory):
    """An uninterrupted sweep, written and loaded back."""
    out = tmp_path_factory.mktemp("ref") / "ref.nc"
    run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out)
    return xr.load_dataset(out, engine="h5netcdf")


# --------------------------------------------------------------------------- grids


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [
        ("50:300:25", True, tuple(range(50, 301, 25))),
        ("50:60:25", True, (50,)),
        ("300:50:-125", True, (300, 175, 50)),
        ("0.1:0.3:0.05", False, (0.1, 0.15, 0.2, 0.25, 0.3)),
        ("0.2, 0.3 0.4", False, (0.2, 0.3, 0.4)),
        ("100,100,50", True, (100, 50)),
    ],
)
def test_parse_grid(text, integer, expected):
    assert parse_grid(text, "--x", integer=integer) == expected


@pytest.mark.parametrize(
    ("text", "integer", "fragment"),
    [
        ("", False, "empty grid"),
        ("10:5:1", True, "empty range"),
        ("0:10:0", True, "step must not be 0"),
        ("1:2", True, "START:STOP:STEP"),
        ("a,b", False, "'a' is not a number"),
        ("1.5,2", True, "whole numbers"),
        ("0:1:1e-9", False, "at most"),
        ("nan", False, "not a number"),
    ],
)
def test_parse_grid_refuses(text, integer, fragment):
    with pytest.raises(InputError, match="--opt") as info:
        parse_grid(text, "--opt", integer=integer)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("tokens", "integer", "text"),
    [
        (["0.15", "0.2", "0.25"], False, "0.15,0.2,0.25"),
        (["0.2,0.3", "0.4"], False, "0.2,0.3,0.4"),
        (["0.2, 0.3", "0.3 0.4"], False, "0.2,0.3,0.4"),
        (["50:300:25"], True, "50:300:25"),
        (["300:50:-125"], True, "300:50:-125"),
        (["100", "100,50"], True, "100,100,50"),
        (["0.2,", "0.3"], False, "0.2,0.3"),  # "--effect 0.2, 0.3" as the shell splits it
    ],
)
def test_parse_grid_tokens_equals_comma_joined_text(tokens, integer, text):
    got = parse_grid_tokens(tokens, "--x", integer=integer)
    assert got == parse_grid(text, "--x", integer=integer)
    assert parse_grid(tokens, "--x", integer=integer) == got  # a list is read as tokens


def test_ranges_given_as_separate_words_are_each_swept():
    """A diff review: ``--n-per-arm 50:100:25 --n-per-arm 150:200:25`` (the option given
    twice: one list of words) was refused though the README says both lists are swept; a
    range with spaces around its colons, given alone, is one range."""
    got = parse_grid_tokens(["50:100:25", "150:200:25", "100"], "--x", integer=True)
    assert got == (50, 75, 100, 150, 175, 200)
    assert (
        parse_grid("0.2 : 0.4 : 0.1", "--x")
        == parse_grid("0.2:0.4:0.1", "--x")
        == (
            0.2,
            0.3,
            0.4,
        )
    )


@pytest.mark.parametrize(
    ("tokens", "integer", "fragment"),
    [
        ([], False, "empty grid"),
        (["0.2", "x"], False, "'x' is not a number"),
        (["50:300:25,400"], True, "a range START:STOP:STEP stands alone"),
        (["50", "", "100"], True, "an empty value"),  # a diff review: dropped silently
        (["100,,200"], True, "an empty value between commas"),  # a sweep review
        (["1.5", "2"], True, "whole numbers"),
    ],
)
def test_parse_grid_tokens_refuses(tokens, integer, fragment):
    with pytest.raises(InputError, match="--opt") as info:
        parse_grid_tokens(tokens, "--opt", integer=integer)
    assert fragment in str(info.value)


def test_grid_of_millions_of_cells_refused(design):
    with pytest.raises(InputError, match="cells"):
        run_sweep(design, {"n_per_arm": range(2, 3000), "effect": [0.1, 0.2, 0.3, 0.4]}, 10, 1)


# --------------------------------------------------------------------------- cells


def test_duration_keeps_spacing_and_retimes_dropout(design):
    assert retime_visits(design.trial.visits, 18).tolist() == list(range(19))
    assert retime_visits(design.trial.visits, 6).tolist() == list(range(7))
    long = cell_design(design, {"duration_months": 18})
    short = cell_design(design, {"duration_months": 6})
    # the schedule is unchanged at the design's own visits ...
    np.testing.assert_allclose(long.dropout.cumulative[:13], design.dropout.cumulative)
    np.testing.assert_allclose(short.dropout.cumulative, design.dropout.cumulative[:7])
    # ... and continues with the last interval's hazard (months 11-12) beyond month 12
    h_last = math.log((1 - design.dropout.cumulative[11]) / (1 - design.dropout.cumulative[12]))
    expected_18 = 1 - (1 - design.dropout.cumulative[12]) * math.exp(-6 * h_last)
    assert long.dropout.cumulative[-1] == pytest.approx(expected_18, rel=1e-12)


def test_dropout_12m_is_a_constant_hazard(design):
    d = cell_design(design, {"dropout_12m": 0.3, "duration_months": 18})
    assert d.dropout.cumulative == ()
    assert d.dropout.cumulative_at([12.0])[0] == pytest.approx(0.3, rel=1e-12)


def test_cell_equals_power_of_that_design_alone(design, reference):
    # common random numbers do not change a cell: each equals its own power run, exactly
    cell = {"n_per_arm": 40, "effect": 0.5, "dropout_12m": 0.364}
    alone = power(cell_design(design, cell), TRIALS, SEED, ANALYSES)
    for a in ANALYSES:
        got = reference.sel(analysis=a, **cell)
        assert float(got.rejection_rate) == alone[a].power
        assert float(got.power_favourable) == alone[a].power_favourable
        assert float(got.mean_estimate) == alone[a].mean_estimate
        assert int(got.failed_fits) == alone[a].failed_fits


def test_dataset_layout_and_provenance(reference):
    ds = reference
    assert tuple(ds.rejection_rate.dims) == ("n_per_arm", "effect", "dropout_12m", "analysis")
    for var in (
        "rejection_rate",
        "power_favourable",
        "rejection_rate_mc_se",
        "rejection_rate_ci_low",
        "rejection_rate_ci_high",
        "mean_estimate",
        "dropped_out",
    ):
        assert var in ds
    assert ds.failed_fits.dtype.kind == "i"
    assert ds.attrs["seed"] == SEED
    assert ds.attrs["trials_per_cell"] == TRIALS
    assert ds.attrs["version"] == __version__
    assert "[trial]" in ds.attrs["design_toml"]
    assert list(ds.estimate_units.values) == ["points/month", "points/month"]
    assert bool((ds.rejection_rate_ci_low <= ds.rejection_rate).all())
    assert bool((ds.rejection_rate <= ds.rejection_rate_ci_high).all())
    # power rises with n under common random numbers (a noisy check would need MC error;
    # at 20 vs 40 per arm with effect 0.5 the gap is far beyond it)
    fav = ds.power_favourable.sel(analysis="lmm_slope", effect=0.5, dropout_12m=0.364)
    assert float(fav.sel(n_per_arm=40)) > float(fav.sel(n_per_arm=20))


def test_variables_say_what_they_are_with_cf_attributes(reference, design):
    """Issue 15: ``power`` was the two-sided rejection rate, also under no effect (a type I
    error); every variable and coordinate carries CF ``long_name`` and ``units``."""
    ds = reference
    assert "power" not in ds and "dropout" not in ds  # the old, misleading names
    for name in [*ds.data_vars, *ds.coords]:
        attrs = ds[name].attrs
        assert attrs.get("long_name"), name
        if name not in ("analysis", "estimand", "estimate_units"):  # text labels have no units
            assert "units" in attrs, name
    assert "type I error where it is 0" in ds.rejection_rate.attrs["comment"]
    assert "all trials" in ds.power_favourable.attrs["comment"]
    # a review: both read "the type I error where it is 0"; the favourable rate is one-sided
    assert "type I error" not in ds.power_favourable.attrs["comment"]
    assert "alpha / 2" in ds.power_favourable.attrs["description"]
    assert "deaths compete" in ds.dropout_12m.attrs["description"]
    # a sweep review: the sentences were xarray's axis labels; the labels are short now
    assert ds.power_favourable.attrs["long_name"] == "rejection rate in favour of active"
    assert ds.dropout_12m.attrs["long_name"] == "dropout by month 12 were no one to die"
    for name in [*ds.data_vars, *ds.coords]:
        assert len(ds[name].attrs["long_name"]) <= 70, name
    assert "decision_rule" not in ds.attrs  # the frequentist rule: alpha and sides
    assert "failures to reject" in ds.failed_fits.attrs["comment"]
    assert ds.rejection_rate.attrs["units"] == "1"


def test_trial_variables_do_not_repeat_along_analysis_and_n_total_is_a_coordinate(
    reference, design
):
    """Issue 15: completers and dropped_out describe the simulated trials (the same for every
    analysis), and the total randomised sits beside n per arm."""
    ds = reference
    for var in ("completers", "dropped_out"):
        assert "analysis" not in ds[var].dims, var
        assert "n_per_arm" in ds[var].dims, var
    assert ds.n_total.dims == ("n_per_arm",)
    expected = [
        design.with_overrides({"trial.n_per_arm": int(n)}).trial.n_total for n in ds.n_per_arm
    ]
    assert ds.n_total.values.tolist() == expected
    assert ds.n_total.attrs["units"] == "patients"


def test_dropped_out_is_labelled_as_what_it_counts(reference):
    """Review finding: dropped_out's long name said 'gone (dropout or death)' while it counts
    dropouts only; the rest of the non-completers died."""
    ds = reference
    assert "deaths not counted" in ds.dropped_out.attrs["description"]
    died = 1.0 - ds.completers / ds.n_total - ds.dropped_out
    assert float(died.min()) >= -1e-12  # completers, dropouts and deaths make up everyone


def test_a_sweep_file_with_the_old_names_still_loads(reference, tmp_path):
    old = reference.rename({new: old for old, new in OLD_NAMES.items()})
    assert "power" in old and "rejection_rate" not in old
    old.to_netcdf(tmp_path / "old.nc", engine="h5netcdf")
    back = load_sweep(tmp_path / "old.nc")
    xr.testing.assert_identical(back.rejection_rate, reference.rejection_rate)
    xr.testing.assert_identical(back.dropped_out, reference.dropped_out)


# --------------------------------------------------------------------------- resuming


class _Stop:
    def __init__(self, after: int):
        self.after, self.seen = after, 0

    def __call__(self, n: int) -> None:
        self.seen += n
        if self.seen >= self.after:
            raise KeyboardInterrupt


def test_interrupted_sweep_resumes_to_identical_file(design, reference, tmp_path, monkeypatch):
    import designs.planning.sweep.run as sweep_module  # run_sweep looks evaluate_cell up here

    out = tmp_path / "sweep.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    assert not out.exists()  # no half-written file
    assert len(list(cells_folder(out).glob("*.json"))) == 2
    computed = []
    real = sweep_module.evaluate_cell

    def counting(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "evaluate_cell", counting)
    seen = []
    run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=seen.append)
    assert sum(seen) == 4  # the bar counts all cells ...
    assert len(computed) == 2  # ... but only the two unfinished ones were simulated
    xr.testing.assert_identical(xr.load_dataset(out, engine="h5netcdf"), reference)
    assert not cells_folder(out).exists()


def test_another_sweeps_interrupted_cells_are_kept_unless_forced(design, reference, tmp_path):
    """A sweep review: an interrupted run's finished cells were removed without a word when
    the same --out was run with other options. They are kept beside the file (counted in
    ``other_cells_kept``), so the interrupted sweep still resumes from them afterwards and
    ends equal to an uninterrupted run; --force discards them."""
    out = tmp_path / "sweep.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    kept = sorted(p.name for p in cells_folder(out).glob("*.json"))
    assert len(kept) == 2
    counts: dict = {}
    run_sweep(design, GRID, TRIALS, SEED + 1, ANALYSES, out, counts=counts)
    assert counts["other_cells_kept"] == 2 and counts["cells_reused"] == 0
    assert sorted(p.name for p in cells_folder(out).glob("*.json")) == kept
    counts = {}
    ds = run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, counts=counts)
    assert counts["cells_reused"] == 2 and "other_cells_kept" not in counts
    xr.testing.assert_identical(ds, reference)
    assert not cells_folder(out).exists()
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    run_sweep(design, GRID, TRIALS, SEED + 1, ANALYSES, out, force=True)
    assert not cells_folder(out).exists()  # --force discarded them


@pytest.mark.slow  # two sweeps in subprocesses: about 25 s
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_process_resumes_to_identical_file(reference, tmp_path, sig, repo_root):
    out = tmp_path / "killed.nc"
    cmd = [
        sys.executable,
        str(repo_root / "simulate.py"),
        "sweep",
        "--n-per-arm",
        "20,40",
        "--effect",
        "0.25,0.5",
        "--dropout",
        "0.364",
        "--analysis",
        *ANALYSES,
        "--trials",
        str(TRIALS),
        "--seed",
        str(SEED),
        "--out",
        str(out),
        "--json",
    ]
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    proc = subprocess.Popen(
        cmd, cwd=repo_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    folder = cells_folder(out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.is_dir() and any(folder.glob("*.json")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate()
    if sig == signal.SIGTERM:  # a clean stop: exit 143 (128 + 15), one line, no traceback
        assert proc.returncode == 143, err
        assert b"Traceback" not in err
    done_before = len(list(folder.glob("*.json")))
    assert not out.exists()  # nothing half-written
    assert not list(tmp_path.glob(".killed.nc.*"))  # no temporary file left behind
    assert done_before >= 1
    rerun = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert '"resumed": true' in rerun.stdout
    assert f'"cells_resumed": {done_before},' in rerun.stdout
    got = xr.load_dataset(out, engine="h5netcdf")
    # the file records the command that made it (rerunning it reproduces the file)
    assert got.attrs.pop("command").startswith("python simulate.py sweep --n-per-arm 20,40")
    xr.testing.assert_identical(got, reference)


def test_changed_inputs_do_not_reuse_cells(design, reference, tmp_path):
    out = tmp_path / "s.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    # another seed: the kept cells belong to seed SEED and must not be used (nor discarded:
    # test_another_sweeps_interrupted_cells_are_kept_unless_forced)
    other = run_sweep(design, GRID, TRIALS, SEED + 1, ANALYSES, out)
    assert other.attrs["seed"] == SEED + 1
    assert not other.rejection_rate.equals(reference.rejection_rate)


def test_cells_and_files_of_other_code_are_not_reused(design, reference, tmp_path, monkeypatch):
    """Review finding: cells and finished files were named by the package version alone
    (0.1.0 for every commit), so after a fix a rerun reused the old code's numbers, whole or
    mixed with new cells. The key now includes a hash of the code."""
    import designs.planning.sweep.cells as cells_module

    out = tmp_path / "s.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    counts = {}
    monkeypatch.setattr(cells_module, "code_version", lambda: "other code")
    ds = run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, counts=counts)
    assert counts["cells_reused"] == 0  # the 2 kept cells are the other code's ...
    assert counts["other_cells_kept"] == 2  # ... and kept for it (a diff review)
    xr.testing.assert_identical(ds.drop_attrs(), reference.drop_attrs())
    monkeypatch.undo()
    counts = {}
    run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, counts=counts)
    # the finished file is the other code's: computed again, from this code's kept cells
    assert counts["cells_reused"] == 2
    counts = {}
    run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, counts=counts)
    assert counts["cells_reused"] == math.prod(len(v) for v in GRID.values())  # reused whole


def test_a_cells_folder_with_other_files_is_refused_not_removed(design, tmp_path):
    """Reproducibility review: ``sweep --out u.nc`` removed an existing ``u.nc.cells/`` with
    the user's files in it (the finished sweep deletes its cells folder)."""
    out = tmp_path / "u.nc"
    folder = cells_folder(out)
    folder.mkdir()
    (folder / "notes.txt").write_text("precious")
    with pytest.raises(InputError, match=r"u\.nc\.cells beside it holds files this tool did not"):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out)
    assert (folder / "notes.txt").read_text() == "precious" and not out.exists()
    (folder / "notes.txt").unlink()
    run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out)  # an empty folder is the sweep's
    assert out.is_file() and not folder.exists()


# --------------------------------------------------------------------------- Dask


def test_local_cluster_threads_equals_local_run(design, reference):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        ds = run_sweep(design, GRID, TRIALS, SEED, ANALYSES, client=client)
    xr.testing.assert_identical(ds, reference)


@pytest.mark.slow
def test_local_cluster_processes_equals_local_run(design, reference, monkeypatch):
    monkeypatch.setattr(cluster, "local_cpus", lambda: 2)  # 2 workers on a 1-CPU machine too
    ds = run_sweep(design, GRID, TRIALS, SEED, ANALYSES, workers=2)
    xr.testing.assert_identical(ds, reference)


def test_more_local_workers_than_cpus_are_refused_before_anything_is_written(design, tmp_path):
    """A bad-input review: 1,000 workers on 2 CPUs were started (about 250 MB each) and the
    machine filled up; SIGTERM waited for them to start."""
    out = tmp_path / "x.nc"
    most = cluster.local_cpus()
    with pytest.raises(InputError, match=rf"^workers = {most + 1}: must be between 1 and {most} "):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, workers=most + 1)
    with pytest.raises(InputError, match=r"^workers = 0: must be between 1"):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, workers=0)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_scheduler_is_bad_input(design, tmp_path, monkeypatch):
    monkeypatch.setattr("designs.planning.sweep.cluster.CONNECT_TIMEOUT", "1s")
    out = tmp_path / "new" / "sub" / "x.nc"  # folders the sweep makes, then must remove
    with pytest.raises(InputError, match="--scheduler"):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, scheduler="tcp://127.0.0.1:9")
    assert not out.exists() and not cells_folder(out).exists()
    assert list(tmp_path.iterdir()) == []  # a review: new/sub/ was left behind


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    "bad",
    [
        ["--n-per-arm", "100:50:10"],
        ["--n-per-arm", "50:100:0"],
        ["--effect", "x"],
        ["--dropout", "1.5"],
        ["--duration", "0"],
        ["--n-per-arm", "2:5000:1", "--effect", "0:1:0.1"],
        [],
    ],
)
def test_cli_bad_grid_exit_2_nothing_written(tmp_path, bad, capsys):
    import simulate

    out = tmp_path / "bad.nc"
    assert simulate.main(["sweep", *bad, "--out", str(out), "--trials", "10"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists() and not cells_folder(out).exists()


def test_load_sweep_refuses_other_files(tmp_path):
    other = tmp_path / "other.nc"
    xr.Dataset({"x": ("a", [1, 2])}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(InputError, match="not a sweep"):
        load_sweep(other)
    (tmp_path / "junk.nc").write_text("hello")
    with pytest.raises(InputError, match="not a netCDF"):
        load_sweep(tmp_path / "junk.nc")


def test_informative_dropout_dimension(design, tmp_path):
    """MCAR against informative dropout on the same patients: each cell equals its own power
    run, and the placebo arm's dropout stays nominal while the active arm's falls (its
    slower decliners leave less)."""
    ds = run_sweep(
        design,
        {"dropout_informative": (0.0, 3.0)},
        TRIALS,
        SEED,
        ("lmm_slope",),
        tmp_path / "mnar.nc",
    )
    assert tuple(ds.rejection_rate.dims) == ("dropout_informative", "analysis")
    alone = power(cell_design(design, {"dropout_informative": 3.0}), TRIALS, SEED, ("lmm_slope",))
    assert (
        float(ds.rejection_rate.sel(dropout_informative=3.0, analysis="lmm_slope"))
        == alone["lmm_slope"].power
    )
    assert alone["lmm_slope"].dropout_active < alone["lmm_slope"].dropout_placebo


def test_slope_sd_dimension(design, tmp_path):
    """A pharmacometrics review: the slope SD, which n grows with about as the slope
    variance, had no grid. Each cell is its own power run on the same patients, the
    design's own SD gives the design's power, and a wider spread costs power."""
    sds = (design.population.slope_sd, 0.5)
    ds = run_sweep(design, {"slope_sd": sds}, TRIALS, SEED, ("lmm_slope",), tmp_path / "s.nc")
    assert tuple(ds.rejection_rate.dims) == ("slope_sd", "analysis")
    assert ds.slope_sd.attrs["units"] == "points/month"
    at = {sd: float(ds.power_favourable.sel(slope_sd=sd, analysis="lmm_slope")) for sd in sds}
    assert at[sds[0]] == power(design, TRIALS, SEED, ("lmm_slope",))["lmm_slope"].power_favourable
    wide = cell_design(design, {"slope_sd": 0.5})
    assert wide.population.slope_sd == 0.5
    assert at[0.5] == power(wide, TRIALS, SEED, ("lmm_slope",))["lmm_slope"].power_favourable
    assert at[0.5] < at[sds[0]]


def test_plain_estimator_estimates_every_cell_alike(design, tmp_path):
    """Over informative 0 and 1.5 (the control variate exact at 0 only) every cell is the
    plain share of its trials, exactly ``power(..., control=False)`` on the same seed, both
    with ``estimator="plain"`` and by default, so the cells are paired on common trials; over
    n alone the default takes the control in every cell and "plain" in none; the file says
    which, and a plain sweep never reuses a controlled sweep's cells (500 trials: the
    control is taken from 500 on)."""
    grid = {"dropout_informative": (0.0, 1.5)}
    plain = run_sweep(design, grid, 500, SEED, ("lmm_slope",), tmp_path / "p.nc", estimator="plain")
    auto = run_sweep(design, grid, 500, SEED, ("lmm_slope",), tmp_path / "a.nc")
    assert plain.attrs["estimator"] == auto.attrs["estimator"] == "plain"
    assert bool(np.isnan(plain.variance_ratio).all())
    assert plain.rejection_rate.equals(auto.rejection_rate)
    for value in grid["dropout_informative"]:
        alone = power(
            cell_design(design, {"dropout_informative": value}),
            500,
            SEED,
            ("lmm_slope",),
            control=False,
        )["lmm_slope"]
        cell = plain.sel(dropout_informative=value, analysis="lmm_slope")
        assert float(cell.rejection_rate) == alone.power
        assert float(cell.rejection_rate_mc_se) == alone.mc_se
    sizes = {"n_per_arm": (40, 50)}
    auto = run_sweep(design, sizes, 500, SEED, ("lmm_slope",), tmp_path / "n.nc")
    plain = run_sweep(
        design, sizes, 500, SEED, ("lmm_slope",), tmp_path / "m.nc", estimator="plain"
    )
    assert (auto.attrs["estimator"], plain.attrs["estimator"]) == ("control variate", "plain")
    alone = power(cell_design(design, {"n_per_arm": 40}), 500, SEED, ("lmm_slope",))["lmm_slope"]
    assert float(auto.rejection_rate.sel(n_per_arm=40, analysis="lmm_slope")) == alone.power
    assert not plain.rejection_rate.equals(auto.rejection_rate)
    with pytest.raises(InputError, match="estimator = 'exact': must be auto or plain"):
        run_sweep(design, grid, 500, SEED, ("lmm_slope",), estimator="exact")


def test_finished_sweep_is_reused_not_recomputed(design, tmp_path, monkeypatch):
    """A second run of the same finished sweep reuses the file (nothing is simulated); a
    changed grid is computed afresh."""
    import designs.planning.sweep.run as S  # run_sweep looks evaluate_cell up here

    out = tmp_path / "done.nc"
    first = run_sweep(design, {"n_per_arm": (20, 30)}, TRIALS, SEED, ANALYSES, out)

    def no_simulation(*args, **kwargs):
        raise AssertionError("a finished cell was simulated again")

    monkeypatch.setattr(S, "evaluate_cell", no_simulation)
    again = run_sweep(design, {"n_per_arm": (20, 30)}, TRIALS, SEED, ANALYSES, out)
    xr.testing.assert_identical(again, first)
    with pytest.raises(AssertionError, match="simulated again"):
        run_sweep(design, {"n_per_arm": (20, 40)}, TRIALS, SEED, ANALYSES, out)


def test_assurance_in_sweep_cells(design, tmp_path):
    """With posterior draws every cell holds assurance: a degenerate posterior (all draws the
    design's effect) gives exactly power_favourable (same seed, same patients); a spread
    posterior gives assurance equal to assurance_from_draws on that cell's design."""
    from designs.planning.assurance import assurance_from_draws

    effect = design.effect.value
    same = run_sweep(
        design,
        {"n_per_arm": (20, 40)},
        TRIALS,
        SEED,
        ("lmm_slope",),
        tmp_path / "a.nc",
        assurance_draws=np.full(50, effect),
    )
    # the same trials: power carries the control variate, assurance is the plain share of
    # trials; they differ by the control's correction, within 4 plain MC SE
    p = same.power_favourable.values
    assert np.all(np.abs(same.assurance.values - p) < 4 * np.sqrt(p * (1 - p) / TRIALS))
    assert same.attrs["assurance_transport"] == "proportional"
    draws = np.linspace(-0.2, 0.8, 50)
    spread = run_sweep(
        design, {"n_per_arm": (20, 40)}, TRIALS, SEED, ("lmm_slope",), assurance_draws=draws
    )
    alone = assurance_from_draws(
        cell_design(design, {"n_per_arm": 40}), draws, TRIALS, SEED, "lmm_slope"
    )
    got = float(spread.assurance.sel(n_per_arm=40, analysis="lmm_slope"))
    assert got == alone.assurance
    assert float(spread.assurance_mc_se.sel(n_per_arm=40, analysis="lmm_slope")) == alone.mc_se


@pytest.mark.parametrize(
    "damage",
    ["edited power", "empty object", "a list", "not JSON"],
)
def test_damaged_cells_are_computed_again(design, reference, tmp_path, monkeypatch, damage):
    """A cell edited by hand (power = 0.999), emptied, a list or garbage must not reach the
    final file nor crash the rerun: its checksum fails and it is simulated again."""
    import json

    import designs.planning.sweep.run as sweep_module

    out = tmp_path / "sweep.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    cells = sorted(cells_folder(out).glob("*.json"))
    assert len(cells) == 2
    sealed = json.loads(cells[0].read_text())
    if damage == "edited power":
        text = cells[0].read_text()
        assert '"power_favourable"' in text
        first = next(iter(sealed["cell"]))  # the cell holds {analysis: {numbers}}
        sealed["cell"][first]["power_favourable"] = 0.999
        assert json.dumps(sealed) != text  # the edit changed the numbers
        cells[0].write_text(json.dumps(sealed))
    else:
        cells[0].write_text({"empty object": "{}", "a list": "[1, 2]", "not JSON": "{x"}[damage])
    computed = []
    real = sweep_module.evaluate_cell

    def counting(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "evaluate_cell", counting)
    run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out)
    assert len(computed) == 3  # the damaged cell again, and the two never finished
    xr.testing.assert_identical(xr.load_dataset(out, engine="h5netcdf"), reference)


def test_a_cell_of_an_earlier_version_is_computed_again(design, reference, tmp_path, monkeypatch):
    """A finished cell written with the old variable names (sealed, so its checksum holds)
    is simulated again instead of crashing the assembly with a KeyError."""
    import json

    import designs.planning.sweep.run as sweep_module

    out = tmp_path / "sweep.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out, progress=_Stop(2))
    first = sorted(cells_folder(out).glob("*.json"))[0]
    cell = json.loads(first.read_text())["cell"]
    renamed = {new: old for old, new in OLD_NAMES.items()}
    old = {a: {renamed.get(k, k): v for k, v in numbers.items()} for a, numbers in cell.items()}
    first.write_text(sweep_module._sealed_cell(json.dumps(old, sort_keys=True)))
    computed = []
    real = sweep_module.evaluate_cell

    def counting(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "evaluate_cell", counting)
    ds = run_sweep(design, GRID, TRIALS, SEED, ANALYSES, out)
    assert len(computed) == 3  # the old cell again, and the two never finished
    xr.testing.assert_identical(ds.rejection_rate, reference.rejection_rate)


def test_a_posterior_rule_sweep_records_its_rule(design, tmp_path):
    """A review: under the posterior rule the file said alpha 0.05 two-sided and "rejection
    rate of the test"; it now carries the rule as JSON and names the success rate."""
    import json

    d = design.with_overrides({"decision.rule": "posterior", "decision.prior": "sceptical"})
    ds = run_sweep(d, {"n_per_arm": [20, 30]}, 30, SEED, ("lmm_slope",))
    rule = json.loads(ds.attrs["decision_rule"])
    assert rule == {
        "margin": 0.0,
        "prior": "sceptical",
        "threshold": 0.975,
        "prior_components": [{"weight": 1.0, "mean": 0.0, "sd": 0.076}],
    }
    for var in ("rejection_rate", "power_favourable"):
        assert ds[var].attrs["long_name"].startswith("success rate of the posterior rule")
        assert "its type I error where it is 0" in ds[var].attrs["comment"]


def test_a_robust_prior_swept_over_its_weight_records_what_each_cell_reads(design, fake_posterior):
    """A diff review: a prior-weight grid recorded the base design's weight 0 (the vague
    prior) and no transport; a duration grid gives each cell its own unit-information SD."""
    import json

    from designs.planning.decision_rule import phase2_effect_prior

    d = design.with_overrides({"decision.rule": "posterior", "decision.prior": "robust"})
    grid = {"prior_weight": [0.0, 0.5], "duration_months": [6.0, 12.0], "n_per_arm": [20]}
    phase2 = phase2_effect_prior(d, fake_posterior())
    ds = run_sweep(d, grid, 10, SEED, ("lmm_slope",), phase2_prior=phase2)
    rule = json.loads(ds.attrs["decision_rule"])
    assert rule["prior_weight"].startswith("per cell") and rule["robust_sd"].startswith("per")
    assert rule["transport"] == "proportional"


def test_spending_without_any_looks_and_a_posterior_effect_are_refused(design, tmp_path):
    """A review: --spending on a design without looks gave a spending dimension of identical
    cells; effect.source = 'posterior' was simulated as the fixed effect."""
    with pytest.raises(InputError, match="no cell has interim looks"):
        run_sweep(design, {"n_per_arm": [20], "spending": ["obf", "pocock"]}, 10, SEED)
    posterior = design.with_overrides({"effect.source": "posterior"})
    out = tmp_path / "new" / "s.nc"  # refused before any folder is made (a diff review)
    with pytest.raises(InputError, match=r"effect\.source = 'posterior'"):
        run_sweep(posterior, {"n_per_arm": [20]}, 10, SEED, ("lmm_slope",), out)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match=r"set effect\.source = 'fixed'"):
        power(posterior, 10, SEED)


def test_cli_n_total_grid_with_unequal_allocation_set_on_the_command_line(tmp_path, capsys):
    """A review: ``--set trial.allocation.active=2 --n-total 91 150`` was refused ("n_per_arm:
    not allowed with unequal allocation") because the base design kept its n_per_arm; the
    same cells as ``power --n-total`` each."""
    import simulate

    out = tmp_path / "nt.nc"
    alloc = ["--set", "trial.allocation.active=2"]
    argv = ["sweep", *alloc, "--n-total", "91", "150", "--trials", "30", "--seed", "4"]
    assert simulate.main([*argv, "--out", str(out)]) == 0
    ds = load_sweep(out)
    assert ds.n_total.values.tolist() == [91, 150]
    d = load_design().with_overrides({"trial.allocation.active": 2, "trial.n_total": 150})
    alone = power(d, 30, 4)["lmm_slope"]
    assert float(ds.power_favourable.sel(n_total=150).squeeze()) == alone.power_favourable


def test_a_posterior_file_alone_is_refused_not_read_as_assurance(capsys, tmp_path):
    """A review: `sweep --posterior FILE` without --assurance added assurance to every cell,
    documented nowhere; it is refused like every option nothing reads."""
    import simulate

    out = tmp_path / "s.nc"
    args = ["sweep", "--n-per-arm", "20", "30", "--trials", "20", "--out", str(out)]
    code = simulate.main([*args, "--posterior", str(tmp_path / "p.nc")])
    assert code == 2 and not out.exists()
    assert "add --assurance or drop it" in capsys.readouterr().err


def test_a_transport_without_assurance_is_refused(capsys, tmp_path):
    """A diff review: `sweep --transport absolute` without --assurance wrote a file with
    neither assurance nor the transport, without a word."""
    import simulate

    out = tmp_path / "s.nc"
    args = ["sweep", "--n-per-arm", "20", "30", "--trials", "20", "--out", str(out)]
    assert simulate.main([*args, "--transport", "absolute"]) == 2 and not out.exists()
    assert "--transport absolute: read only with --assurance" in capsys.readouterr().err


def test_the_estimates_units_are_a_coordinate_that_does_not_hide_a_variables_units(
    reference, tmp_path
):
    """A sweep review: a coordinate named ``units`` made ``ds.power_favourable.units`` read
    it ("points/month") instead of the variable's own units ("1"). It is ``estimate_units``;
    files written before are read with it renamed."""
    ds = reference
    assert "units" not in ds.coords and "estimate_units" in ds.coords
    assert ds.power_favourable.units == "1"
    old = tmp_path / "old.nc"
    ds.rename({"estimate_units": "units"}).to_netcdf(old, engine="h5netcdf")
    again = load_sweep(old)
    assert "units" not in again.coords
    assert again.estimate_units.values.tolist() == ds.estimate_units.values.tolist()


def test_the_duration_note_sets_the_published_18_month_prediction_beside_the_carry(design):
    """A visit-schedule review: `sweep --duration 18` carried the months 11-12 hazard to
    49.9% gone with deaths, where van Eijk et al. (2025) predict 55.6% for trials of 18
    months, and no output said so. By hand: 1 - (1 - 0.461) exp(-0.004 x 18) = 49.9%."""
    from designs.outputs.sweep_notes import duration_axis_notes

    (note,) = duration_axis_notes(design, {"duration_months": [12, 18]})
    h_last = math.log((1 - design.dropout.cumulative[11]) / (1 - design.dropout.cumulative[12]))
    gone = 1 - (1 - design.dropout.cumulative[12]) * math.exp(-6 * h_last)
    with_deaths = 1 - (1 - gone) * math.exp(-design.dropout.death_monthly_hazard * 18)
    assert f"18 months -> {gone:.1%} gone (deaths apart)" in note
    assert f"with deaths 18 months -> {with_deaths:.1%}, where van Eijk et al. (2025)" in note
    assert "predict 55.6% gone for trials of 18 months" in note
    own = design.with_overrides({"dropout.cumulative": [0.0] + [0.02 * k for k in range(1, 13)]})
    (plain,) = duration_axis_notes(own, {"duration_months": [12, 18]})
    assert "van Eijk" not in plain  # a schedule of one's own has no published prediction


def test_the_dropout_note_gives_each_follow_up_of_the_grid(design):
    """A visit-schedule review: with --duration in the grid, --dropout 0.3 (gone by month
    12) was 51% gone by month 24 without a word. By hand, a constant hazard: 1 - 0.7^2 =
    51.0% by month 24, 1 - 0.55^1.5 = 59.2% by month 18."""
    from designs.outputs.sweep_notes import dropout_axis_notes

    (both,) = dropout_axis_notes(design, {"dropout_12m": [0.3], "duration_months": [12, 24]})
    assert both.endswith("at the end of a follow-up of 24 months that is 0.3 -> 51.0% gone")
    eighteen = design.with_overrides(
        {"trial.visits_months": list(range(19)), "dropout.cumulative": []}
    )
    (one,) = dropout_axis_notes(eighteen, {"dropout_12m": [0.45]})
    assert one.endswith(
        "this design's follow-up ends at month 18, where that is 0.45 -> 59.2% gone"
    )
    assert dropout_axis_notes(design, {"dropout_12m": [0.3]}) == []  # month 12 itself
    assert dropout_axis_notes(design, {"dropout_12m": [0.3], "duration_months": [12]}) == []
