"""The planning subcommands of the command line (sample-size, assurance, report, sweep):
formats, JSON keys, bad input (exit 2, one line)."""

from __future__ import annotations

import csv
import io
import json
import math
from types import SimpleNamespace

import pytest
import xarray as xr

from designs import __version__


def test_sample_size_csv(capsys, run, tmp_path):
    argv = ("sample-size", "--format", "csv", "--trials", "200", "--sizes", "100:300:100")
    code, out, _ = run(capsys, *argv, "--seed", "4", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["target_power"] for r in rows] == [0.8, 0.9]
    code, out, _ = run(capsys, *argv, "--seed", "4")
    table = list(csv.DictReader(io.StringIO(out)))
    assert int(table[0]["n_per_arm"]) == rows[0]["n_per_arm"]
    assert table[0]["seed"] == "4" and table[0]["version"] == __version__
    # one stage: the stage columns as in the JSON, refine_trials 0
    for line, row in zip(table, rows, strict=True):
        for key in ("grid_trials", "trials", "refine_trials"):
            assert int(line[key]) == row[key], key
    assert table[0]["refine_trials"] == "0"
    from designs.cli.planning_commands import TABLE_FORMATS, TABLE_SUFFIXES
    from designs.outputs.tables import FORMATS

    assert TABLE_FORMATS == FORMATS and sorted(TABLE_SUFFIXES.values()) == sorted(FORMATS)
    # --out's suffix sets the format when --format is not given (a review: markdown went
    # into table.csv); stdout shows the same table
    argv = ("sample-size", "--trials", "200", "--sizes", "100:300:100", "--seed", "4")
    for suffix, first in ((".csv", "target_power,"), (".tex", "% sample-size table"), (".md", "|")):
        path = tmp_path / f"table{suffix}"
        code, out, _ = run(capsys, *argv, "--out", str(path))
        assert code == 0 and path.read_text(encoding="utf-8") == out
        assert out.startswith(first), suffix


def test_sample_size_with_a_second_stage(capsys, run, tmp_path, result_of):
    """``--refine-trials``: the JSON says how many trials each stage had, the table's note too,
    and n differs from the one-stage search's (more trials near n)."""
    argv = ("sample-size", "--trials", "100", "--target-power", "0.8", "--seed", "4")
    code, out, err = run(capsys, *argv, "--refine-trials", "300", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["grid_trials"], row["trials"], row["refine_trials"]) == (100, 300, 300)
    code, one, _ = run(capsys, *argv, "--refine-trials", "0", "--json")
    (one,) = json.loads(one)
    assert (one["grid_trials"], one["trials"], one["refine_trials"]) == (100, 100, 0)
    # not given: a second stage of 4 times --trials, as the main job's 2,000 + 8,000, with
    # the rows of --refine-trials 400 (and no warning of a second stage not simulated)
    code, auto, err = run(capsys, *argv, "--json")
    code4, four, _ = run(capsys, *argv, "--refine-trials", "400", "--json")
    (auto_row,) = json.loads(auto)
    assert (auto_row["grid_trials"], auto_row["trials"], auto_row["refine_trials"]) == (
        100,
        400,
        400,
    )
    assert (
        code == code4 == 0 and result_of(auto) == result_of(four) and "--refine-trials" not in err
    )
    figure = tmp_path / "search.png"
    code, out, _ = run(capsys, *argv, "--refine-trials", "300", "--figure", str(figure))
    assert "100 simulated trials per size, then 300 more" in out
    assert figure.read_bytes().startswith(b"\x89PNG")  # its content: tests/outputs
    # as many trials in both stages: still two stages, in the JSON and in the table's note
    # (the note read the stages from grid_trials != trials, and called this search one stage)
    code, out, _ = run(capsys, *argv, "--refine-trials", "100", "--json")
    assert [(r["grid_trials"], r["trials"], r["refine_trials"]) for r in json.loads(out)] == [
        (100, 100, 100)
    ]
    code, out, _ = run(capsys, *argv, "--refine-trials", "100")
    assert "100 simulated trials per size, then 100 more" in out
    # no target reached in the first stage: one stage after all, and a warning says so
    few = ("sample-size", "--sizes", "5", "10", "--trials", "50", "--target-power", "0.8")
    code, out, err = run(capsys, *few, "--refine-trials", "50", "--json")
    assert code == 0 and json.loads(out)[0]["refine_trials"] == 0
    assert "--refine-trials 50: no second stage was simulated" in err
    code, out, _ = run(capsys, *argv, "--refine-trials", "300", "--format", "csv")
    (line,) = csv.DictReader(io.StringIO(out))
    assert (line["grid_trials"], line["trials"], line["refine_trials"]) == ("100", "300", "300")
    # equal trials in both stages: the CSV still tells two stages from one
    code, out, _ = run(capsys, *argv, "--refine-trials", "100", "--format", "csv")
    (line,) = csv.DictReader(io.StringIO(out))
    assert (line["grid_trials"], line["trials"], line["refine_trials"]) == ("100", "100", "100")


def test_group_sequential_sample_size_table_and_json(capsys, run):
    """``sample-size --looks 0.5,1 --spending obf``: the table (md, csv) and the JSON keys
    (issue 16); the CSV carries the same n max as the JSON (same seed)."""
    argv = ("sample-size", "--looks", "0.5,1", "--spending", "obf", "--trials", "60")
    argv += ("--sizes", "60,120,240", "--target-power", "0.8", "--seed", "5")
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0
    (row,) = json.loads(out)
    for key in ("n_max", "expected_n_total_h1", "expected_n_total_h0", "inflation"):
        assert isinstance(row[key], (int, float)), key
    assert row["looks"] == [0.5, 1.0] and row["spending"] == "obf"
    assert row["expected_n_total_h1"] <= row["n_total_max"]
    # the expected months, as power --looks and report give them (an rpact user's review)
    assert 0 < row["expected_months_h1"] <= row["fixed_months"]
    assert 0 < row["expected_months_h0"] <= row["fixed_months"]
    # the fixed design's months at its own n beside them (an accrual review: the notes gave
    # the months to the final look at n max as "without interim analyses", 8 months more):
    # accrual of 2 n fixed at 8 a month, then the 12 months of follow-up
    assert row["fixed_design_months"] == pytest.approx(2 * row["n_fixed"] / 8 + 12)
    assert row["fixed_months"] == pytest.approx(2 * row["n_max"] / 8 + 12)  # at n max
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.startswith("| target power | n max per arm |")
    assert (
        f"(the first row {row['fixed_months']:.1f} if it runs to its final look, the fixed "
        f"design {row['fixed_design_months']:.1f} at n fixed {row['n_fixed']} per arm)" in out
    )
    assert "without interim analyses" not in out
    assert "E[n total] H1" in out and "inflation" in out
    assert f"| {row['expected_months_h1']:.1f} | {row['expected_months_h0']:.1f} |" in out
    assert "Futility boundaries:" not in out  # no futility rule
    one_sided = ("--set", "trial.sides=1", "--set", "trial.alpha=0.025", "--futility", "obf")
    code, out, _ = run(capsys, *argv, *one_sided, "--target-power", "0.8", "0.9")
    assert code == 0 and "interim.futility_beta = 0.2 (power 0.8 at its n); a design sized " in out
    assert "--target-power 0.9 --set interim.futility_beta=0.1." in out
    from designs.outputs.numbers import se_text

    assert f"| {row['power']:.3f} | {se_text(row['mc_se'])} |" in out  # the SE as elsewhere
    code, out, _ = run(capsys, *argv, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert int(table[0]["n_max_per_arm"]) == row["n_max"]
    # a type I error of 0 gives its one-sided bound beside its MC SE of 0 (an economist's
    # review), as the JSON does; blank otherwise
    bound = row["type_i_error_one_sided_bound_95"]
    assert table[0]["type_i_error_one_sided_bound_95"] == ("" if bound is None else f"{bound:.4f}")
    assert int(table[0]["n_fixed_per_arm"]) == row["n_fixed"]
    assert float(table[0]["inflation"]) == pytest.approx(row["inflation"])
    # 2:1 in total: the arms beside n max, not the total twice (an own-design review)
    code, out, _ = run(capsys, *argv, "--set", "trial.allocation.active=2", "--json")
    (row,) = json.loads(out)
    # the CSV names n max and n fixed in total (they were "n_max", "n_fixed" either way)
    code, out, _ = run(capsys, *argv, "--set", "trial.allocation.active=2", "--format", "csv")
    (cells,) = list(csv.DictReader(io.StringIO(out)))
    assert int(cells["n_max_total"]) == row["n_max"] == int(cells["n_total_max"])
    assert int(cells["n_fixed_total"]) == row["n_fixed"] and "n_max_per_arm" not in cells
    code, out, _ = run(capsys, *argv, "--set", "trial.allocation.active=2")
    assert code == 0 and "| n max (total) | 95% MC interval | n max placebo + active |" in out
    cells = out.splitlines()[2].split(" | ")
    assert cells[1] == str(row["n_max"])
    placebo, active = (int(x) for x in cells[3].split(" + "))
    assert placebo + active == row["n_max"] and abs(active - 2 * placebo) <= 2


def test_sample_size_writes_out(tmp_path, capsys, run):
    out = tmp_path / "n.tex"
    code, _, _ = run(
        capsys,
        "sample-size",
        "--format",
        "latex",
        "--trials",
        "100",
        "--sizes",
        "100,300",
        "--out",
        str(out),
    )
    assert code == 0 and "\\begin{tabular}" in out.read_text()


@pytest.fixture
def posterior_file(tmp_path, fake_posterior):
    path = tmp_path / "post.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    return path


def test_assurance_json_keys(capsys, posterior_file, run):
    code, out, _ = run(
        capsys,
        "assurance",
        "--posterior",
        str(posterior_file),
        "--n-per-arm",
        "50",
        "--trials",
        "300",
        "--seed",
        "9",
        "--json",
    )
    assert code == 0
    obj = json.loads(out)
    for key in ("assurance", "mc_se", "n_per_arm", "trials", "seed", "analysis", "failed_fits"):
        assert key in obj
    assert obj["n_per_arm"] == 50 and obj["trials"] == 300 and obj["seed"] == 9
    assert obj["transport"] == "proportional"
    assert obj["other_transport"]["transport"] == "absolute"


@pytest.mark.parametrize(
    "args",
    [
        ["sample-size", "--target-power", "1.2"],
        ["sample-size", "--target-power", "0"],
        ["sample-size", "--effect", "0"],
        ["sample-size", "--sizes", "10:5:1"],
        ["sample-size", "--format", "xls"],
        ["assurance", "--posterior", "no/such/file.nc"],
        ["report", "--target-power", "2", "--out", "somewhere"],
        ["sweep", "--n-per-arm", "1:10:0", "--out", "x.nc"],
    ],
)
def test_bad_input_exit_2_one_line(capsys, tmp_path, monkeypatch, args, run):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_posterior_not_ours_refused(capsys, tmp_path, run):
    other = tmp_path / "other.nc"
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(other, engine="h5netcdf")
    code, _, err = run(capsys, "assurance", "--posterior", str(other))
    assert code == 2 and "--posterior" in err


def test_power_with_looks_json(capsys, run):
    code, out, err = run(
        capsys, "power", "--looks", "0.5", "1", "--spending", "pocock", "--trials", "40",
        "--n-per-arm", "30", "--json",
    )  # fmt: skip
    assert code == 0, err
    got = json.loads(out)
    assert len(got["efficacy_boundaries_z"]) == 2
    # rpact 3.3.4, getDesignGroupSequential(kMax = 2, alpha = 0.05, sided = 2, "asP")
    assert got["efficacy_boundaries_z"] == pytest.approx([2.15699922, 2.20097696], abs=1e-4)
    assert 0 < got["expected_n_total"] <= 60
    assert len(got["p_stop_efficacy"]) == 2 and "type_i_error" in got
    code, out, err = run(capsys, "power", "--looks", "0.5,1", "--trials", "20", "--n-per-arm", "30")
    assert code == 0, err
    assert "expected patients randomised" in out and "(obf) alpha spending" in out
    # an rpact user's review: the family in words, the nominal p's sides, no futility z at
    # the final look
    assert "O'Brien-Fleming-type (obf) alpha spending" in out
    assert "nominal p: the efficacy z's p-value, two-sided (rpact's one-sided" in out
    code, out, err = run(
        capsys, "power", "--looks", "0.5,1", "--futility", "obf", "--spending", "power:3",
        "--set", "trial.sides=1", "--set", "trial.alpha=0.025", "--trials", "20",
        "--n-per-arm", "30",
    )  # fmt: skip
    assert code == 0, err
    assert "Kim-DeMets power-family (power:3) alpha spending" in out
    assert "non-binding futility by O'Brien-Fleming-type (obf) beta spending" in out
    assert "p-value, one-sided;" in out
    final = next(line for line in out.splitlines() if line.startswith("   2  "))
    assert final.split()[7] == "-"  # the futility z column


def test_sample_size_figure_is_the_same_bytes_on_every_run(tmp_path, capsys, monkeypatch, run):
    """``sample-size --figure x.pdf``: the same search gives the same bytes on another day
    (matplotlib would date the PDF: SOURCE_DATE_EPOCH moves its clock)."""
    argv = ("sample-size", "--trials", "20", "--sizes", "60,200", "--seed", "2")
    pdfs = []
    for day in ("1000000000", "1700000000"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", day)
        pdf = tmp_path / f"{day}.pdf"
        code, _, err = run(capsys, *argv, "--figure", str(pdf))
        assert code == 0, err
        pdfs.append(pdf.read_bytes())
    assert pdfs[0].startswith(b"%PDF-") and pdfs[0] == pdfs[1]
    # the PNG: tests/explorer/test_compute.py (the page's figure is the command line's)


@pytest.mark.parametrize(
    "args",
    [
        ["sample-size", "--figure", "curve.svg"],
        ["sample-size", "--looks", "0.5,1", "--figure", "curve.png"],
    ],
)
def test_bad_figure_exit_2_one_line_nothing_written(capsys, tmp_path, monkeypatch, args, run):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith("error: --figure")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_picture_not_drawn_here_is_not_replaced_without_force(capsys, tmp_path, run):
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n someone's photograph")
    code, _, err = run(capsys, "sample-size", "--figure", str(photo))
    assert code == 2 and err.startswith("error: --figure") and "--force" in err
    assert photo.read_bytes() == b"\x89PNG\r\n\x1a\n someone's photograph"


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_a_users_own_matplotlib_figure_is_not_replaced_without_force(capsys, tmp_path, run, suffix):
    """Any matplotlib PNG or PDF was taken for an earlier figure of this tool and replaced
    without --force (a user's own plot of the phase 2 data, say). Now only a file carrying
    the tool's mark in its metadata is: the command's own earlier figure."""
    from matplotlib.figure import Figure

    mine = tmp_path / f"my_plot{suffix}"
    fig = Figure()
    fig.subplots().plot([0, 12], [40, 34])
    fig.savefig(mine)
    before = mine.read_bytes()
    argv = ("sample-size", "--sizes", "40", "80", "--trials", "30", "--figure")
    code, _, err = run(capsys, *argv, str(mine))
    assert code == 2 and err.startswith("error: --figure") and "--force" in err
    assert mine.read_bytes() == before
    ours = tmp_path / f"search{suffix}"
    code, _, err = run(capsys, *argv, str(ours))
    assert code == 0 and f"wrote {ours}" in err
    code, _, err = run(capsys, *argv, str(ours))  # its own earlier figure: no --force needed
    assert code == 0 and f"replaced {ours}" in err


@pytest.fixture
def flat_posterior_file(tmp_path, fake_posterior):
    """A posterior whose phase 2 patients did not decline (pre-dose slope about +0.1)."""
    tree = fake_posterior()
    post = tree["posterior"].to_dataset()
    post["pre_slope_mean"] = post["pre_slope_mean"] + 0.6
    tree["posterior"] = xr.DataTree(post)
    from progression.posterior_file import CHECKSUM_ATTR, posterior_checksum

    tree.attrs[CHECKSUM_ATTR] = posterior_checksum(tree)  # its own draws' (else refused)
    path = tmp_path / "flat.nc"
    tree.to_netcdf(path, engine="h5netcdf")
    return path


def test_assurance_without_phase2_decline_gives_absolute_transport_only(
    capsys, flat_posterior_file, run
):
    """A review: ``--transport absolute`` was refused because the proportional transport
    shown beside it is undefined when the phase 2 patients did not decline."""
    argv = ["assurance", "--posterior", str(flat_posterior_file), "--n-per-arm", "30"]
    code, out, err = run(capsys, *argv, "--transport", "absolute", "--trials", "60", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert obj["transport"] == "absolute" and obj["other_transport"] is None
    assert "proportional transport is left out" in err
    code, out, err = run(capsys, *argv, "--trials", "60")  # proportional first: refused
    assert code == 2 and "use --transport absolute" in err and out == ""


@pytest.mark.parametrize(
    "extra",
    [
        ["--effect", "0.5"],
        ["--set", "effect.value=0.3"],
        # a kind alone is refused for its value's unit (layers); with its value, here
        ["--set", "effect.kind=slope_difference", "--set", "effect.value=0.1"],
    ],
)
def test_assurance_refuses_a_fixed_effect_it_would_not_use(capsys, posterior_file, run, extra):
    """A review: ``assurance --effect 0.5`` printed the effect and drew every trial's effect
    from the posterior all the same."""
    code, out, err = run(capsys, "assurance", "--posterior", str(posterior_file), *extra)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "draws each trial's effect" in err


def test_assurance_takes_the_effect_where_a_futility_rule_reads_it(capsys, posterior_file, run):
    """A diff review: a conditional-power futility rule under the design's effect reads the
    fixed effect (P(stop for futility) 0.17 at 25% against 0.02 at 60%), so there
    ``--effect`` is taken, not refused."""
    argv = ["assurance", "--posterior", str(posterior_file), "--looks", "0.5,1"]
    argv += ["--set", "trial.sides=1", "--set", "trial.alpha=0.025", "--futility", "cp:0.2"]
    argv += ["--set", "interim.futility_cp_under=design", "--trials", "60", "--json"]
    stops = []
    for effect in ("0.25", "0.6"):
        code, out, err = run(capsys, *argv, "--effect", effect, "--n-per-arm", "30")
        assert code == 0, err
        stops.append(json.loads(out)["p_stop_futility"][0])
    assert stops[0] != stops[1]  # the same trials, judged against another planned effect


def test_assurance_with_looks_does_not_head_with_the_fixed_effect(capsys, posterior_file, run):
    """A diff review: the fix to assurance's design line reached the fixed design only; with
    looks it still read "25% slowing (+0.125 points/month)", which is not simulated."""
    argv = ["assurance", "--posterior", str(posterior_file), "--looks", "0.5,1"]
    code, out, err = run(capsys, *argv, "--trials", "60", "--n-per-arm", "30")
    assert code == 0, err
    head = out.splitlines()[0]
    assert "effect drawn from the phase 2 posterior" in head and "25% slowing" not in head


def test_assurance_json_names_the_natural_history(capsys, posterior_file, run):
    argv = ["assurance", "--posterior", str(posterior_file), "--n-per-arm", "30"]
    code, out, err = run(capsys, *argv, "--trials", "40", "--json")
    assert code == 0, err
    assert json.loads(out)["natural_history"] == "design"


def test_report_without_phase2_decline_is_refused_naming_what_works(
    capsys, flat_posterior_file, tmp_path, run
):
    out = tmp_path / "report"
    code, _, err = run(capsys, "report", "--posterior", str(flat_posterior_file), "--out", str(out))
    assert code == 2 and "--no-assurance" in err and "--transport absolute" in err
    assert not out.exists()


@pytest.mark.parametrize("command", [["sample-size"], ["report", "--out", "unused"]])
def test_sample_size_and_report_default_to_the_main_jobs_search(command):
    """Not told otherwise, ``sample-size`` and ``report`` search the bundled design with the
    main job's targets, seed and two stages (2,000 + 8,000 trials), so all three print the
    same n (with interim looks, the fixed search n max is scaled from has the same second
    stage); with ``--sizes`` or ``--refine-trials 0`` the search is one stage."""
    from designs.cli.main import build_parser
    from designs.cli.refine_options import asked_refine_trials, check_refine_trials
    from designs.outputs.console import second_stage_warnings
    from designs.planning import main_job as job
    from designs.planning.refine import DEFAULT_REFINE_MAX
    from designs.simulation.seeds import DEFAULT_SEED
    from designs.spec import load_design

    design = load_design()
    args = build_parser().parse_args(command)
    check_refine_trials(args, design)
    assert (args.trials, args.refine_trials, tuple(args.target_power), args.seed) == (
        job.MAIN_TRIALS,
        job.MAIN_REFINE_TRIALS,
        job.MAIN_TARGETS,
        DEFAULT_SEED,
    )
    assert not args.refine_trials_given and asked_refine_trials(args) == 0
    # a default second stage that could not run (no target reached in the first stage) is
    # not warned about; one asked for is
    one_stage = SimpleNamespace(refine_trials=0, trials=2000)
    assert second_stage_warnings(one_stage, asked_refine_trials(args)) == []
    asked = build_parser().parse_args([*command, "--refine-trials", "40"])
    check_refine_trials(asked, design)
    assert asked_refine_trials(asked) == 40
    (line,) = second_stage_warnings(one_stage, asked_refine_trials(asked))
    assert line.startswith("warning: --refine-trials 40: no second stage was simulated")
    # a very large first stage: the default second stage stops at DEFAULT_REFINE_MAX
    big = build_parser().parse_args([*command, "--trials", "1000000"])
    check_refine_trials(big, design)
    assert big.refine_trials == DEFAULT_REFINE_MAX
    (commands,) = build_parser()._subparsers._group_actions  # --help says the same cap
    assert f"at most {DEFAULT_REFINE_MAX}," in commands.choices[command[0]].format_help()
    looks = design.with_overrides({"interim.looks": [0.5, 1.0]})
    args = build_parser().parse_args(command)
    check_refine_trials(args, looks)
    assert args.refine_trials == job.MAIN_REFINE_TRIALS
    for which in (looks, design):
        args = build_parser().parse_args([*command, "--refine-trials", "0"])
        check_refine_trials(args, which)
        assert args.refine_trials == 0
    if command[0] == "sample-size":
        args = build_parser().parse_args([*command, "--sizes", "100", "200"])
        check_refine_trials(args, design)
        assert args.refine_trials == 0


def test_a_ctrl_c_while_the_figure_is_drawn_leaves_the_table_as_it_was(
    capsys, tmp_path, monkeypatch, run
):
    """A reliability review: ``sample-size --out t.md --figure f.png`` wrote the table, then
    drew the figure; a Ctrl-C in between left the new table beside the old figure, with "no
    file is half-written". Both are now renamed into place together, after the drawing."""
    import designs.outputs.figures as figures

    table, figure = tmp_path / "t.md", tmp_path / "f.png"
    argv = ("sample-size", "--trials", "20", "--sizes", "60,200", "--out", str(table))
    argv += ("--figure", str(figure))
    code, _, err = run(capsys, *argv, "--seed", "1")
    assert code == 0, err
    assert "wrote " in err and "(the table, md)" in err and "(the search's figure)" in err
    before = table.read_bytes(), figure.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "sample_size_figure_bytes", interrupted)
    code, _, _ = run(capsys, *argv, "--seed", "2")
    assert code == 130
    assert (table.read_bytes(), figure.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "t.md"]  # no temporary


def test_a_sweep_over_informative_dropout_takes_the_plain_share_and_says_so(run, capsys, tmp_path):
    """At informative dropout 0 `power` takes the control variate, elsewhere the plain share
    (a realism review read the estimators' noise as a loss of power; a sweep review found
    the mixed cells' differences 3.7 times noisier): the sweep takes the plain share in
    every cell and says so; a grid without informative dropout says nothing; the fixed plan
    beside looks likewise; with --estimator plain there is nothing to say."""
    note = "the control variate holds in some cells of this grid only"
    argv = ["sweep", "--n-per-arm", "60", "--trials", "500", "--informative", "0", "1.5"]
    code, out, err = run(capsys, *argv, "--json", "--out", str(tmp_path / "a.nc"))
    assert code == 0 and note in err and json.loads(out)["estimator"] == "plain"
    argv = ["sweep", "--n-per-arm", "60", "400", "--effect", "0.5", "--trials", "500"]
    code, out, err = run(capsys, *argv, "--json", "--out", str(tmp_path / "b.nc"))
    assert code == 0 and "control variate" not in err
    assert json.loads(out)["estimator"] == "control variate"
    argv = ["sweep", "--looks", "fixed", "0.5,1", "--n-per-arm", "60", "--trials", "500"]
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "c.nc"))
    assert code == 0 and note in err
    code, out, err = run(
        capsys, *argv, "--estimator", "plain", "--json", "--out", str(tmp_path / "d.nc")
    )
    assert code == 0 and "control variate" not in err
    assert json.loads(out)["estimator"] == "plain"


def test_sample_size_under_informative_exits_says_the_estimate_can_be_biased(run, capsys):
    """A realism review: n for ancova_change at informative dropout 2, with no word of the
    estimate's bias that power reports; a design with exits at random says nothing."""
    argv = ["sample-size", "--trials", "200", "--refine-trials", "0", "--sizes", "100", "300"]
    code, _, err = run(capsys, *argv, "--set", "dropout.informative=2")
    assert code == 0, err
    assert "note: exits depend on the decline here (faster decliners leave more often)" in err
    code, _, err = run(capsys, *argv)
    assert code == 0 and "exits depend" not in err
    # with looks too (a diff review: only the fixed search said it)
    code, _, err = run(capsys, *argv, "--looks", "0.5,1", "--set", "dropout.informative=2")
    assert code == 0 and "note: exits depend on the decline here" in err


def test_a_sweep_grid_option_given_twice_adds_up_and_repeated_labels_count_once(
    run, capsys, tmp_path
):
    """A sweep review: `--effect 0.2 --effect 0.3` swept 0.3 alone, and `--looks fixed fixed`
    printed "2 cells" for one; now both options' values are swept, and the count is of the
    distinct cells the file holds."""
    base = ["sweep", "--n-per-arm", "60", "--trials", "20", "--json"]
    code, out, _ = run(
        capsys, *base, "--effect", "0.2", "--effect", "0.3", "--out", str(tmp_path / "a.nc")
    )
    assert code == 0 and json.loads(out)["dims"]["effect"] == 2
    assert json.loads(out)["cells"] == 2
    one_sided = ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    argv = [*base, *one_sided, "--looks", "fixed", "fixed", "0.5,1", "0.50,1.0", "--looks", "0.5,1"]
    code, out, _ = run(capsys, *argv, "--out", str(tmp_path / "b.nc"))
    assert code == 0 and json.loads(out)["dims"]["looks"] == 2 and json.loads(out)["cells"] == 2


def test_a_sweep_effect_grid_may_be_in_percent_as_power_takes_one(run, capsys, tmp_path):
    """A command-line review: `power --effect 20%` ran where `sweep --effect 20%` was refused
    ("'20%' is not a number"). A grid of percentages is the grid of their fractions: the
    same cells, to the byte, as the same grid in fractions."""
    from designs.cli.effect_options import percent_grid

    assert percent_grid(["20%:30%:5%"], "--effect") == (0.2, 0.25, 0.3)
    assert percent_grid(["12.5%,25%", "-10%"], "--effect") == (0.125, 0.25, -0.1)
    base = ["sweep", "--n-per-arm", "40", "--trials", "30", "--json"]
    code, _, _ = run(capsys, *base, "--effect", "20%,30%", "--out", str(tmp_path / "p.nc"))
    assert code == 0
    code, _, _ = run(capsys, *base, "--effect", "0.2", "0.3", "--out", str(tmp_path / "f.nc"))
    assert code == 0
    import xarray as xr

    with xr.open_dataset(tmp_path / "p.nc") as a, xr.open_dataset(tmp_path / "f.nc") as b:
        assert list(a["effect"].values) == [0.2, 0.3]
        xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    # --dropout too (a sweep review: "40%" was refused there)
    code, _, _ = run(capsys, *base, "--dropout", "20%,40%", "--out", str(tmp_path / "d.nc"))
    assert code == 0
    code, _, _ = run(capsys, *base, "--dropout", "0.2,0.4", "--out", str(tmp_path / "e.nc"))
    assert code == 0
    with xr.open_dataset(tmp_path / "d.nc") as a, xr.open_dataset(tmp_path / "e.nc") as b:
        xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())


def test_sample_size_json_says_whether_the_fresh_check_missed(capsys, run):
    """A pipeline author's review: a missed check on fresh trials was on stderr and in the
    CSV only; the JSON rows now carry ``fresh_check_missed`` as the CSV does (seed 6 at 200
    trials per size misses for 80%: 0.785, MC SE 0.0047)."""
    argv = ("sample-size", "--trials", "200", "--seed", "6")
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["fresh_check_missed"] for r in rows] == [True, False]
    assert "warning: target 0.8: power on fresh trials" in err
    code, out, _ = run(capsys, *argv, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [t["fresh_check_missed"] for t in table] == ["true", "false"]


def test_a_dropout_sweep_on_an_18_month_design_says_what_it_means_at_the_end(run, capsys, tmp_path):
    """An own-design review: --dropout is the fraction gone by month 12; on an 18-month
    design 0.45 was read as 45% gone by its end. A note gives each value at the last visit:
    a constant hazard, so 1 - (1 - D)^(18/12)."""
    argv = ["sweep", "--dropout", "0.3", "0.45", "--n-per-arm", "20", "--trials", "20"]
    argv += ["--set", "dropout.cumulative=[]", "--set", "dropout.monthly_hazard=0.02"]
    argv += ["--set", "trial.visits_months=[0, 3, 6, 9, 12, 15, 18]"]
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "d.nc"))
    assert code == 0
    assert "follow-up ends at month 18, where that is 0.3 -> 41.4%, 0.45 -> 59.2% gone" in err
    code, _, err = run(capsys, *argv[:-2], "--out", str(tmp_path / "e.nc"))  # 12 months
    assert code == 0 and "--dropout is the fraction gone by month 12" not in err


def test_a_duration_sweep_past_the_dropout_schedule_says_how_much_is_lost(run, capsys, tmp_path):
    """An own-design review: `sweep --duration 24` continued the schedule's last hazard
    without a word. The note gives 24 months' loss: the cumulative hazard at month 12 plus
    12 months of the hazard between months 11 and 12 (computed here from the schedule)."""
    import math

    from designs.spec import load_design

    cum = load_design().dropout.cumulative
    h11, h12 = -math.log1p(-cum[11]), -math.log1p(-cum[12])
    gone24 = -math.expm1(-(h12 + 12 * (h12 - h11)))
    argv = ["sweep", "--duration", "12", "24", "--n-per-arm", "20", "--trials", "20"]
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "d.nc"))
    assert code == 0 and f"24 months -> {gone24:.1%} gone (deaths apart)" in err
    code, _, err = run(capsys, *argv[:3], *argv[4:], "--out", str(tmp_path / "e.nc"))
    assert code == 0 and "dropout schedule ends" not in err  # 12 months only


def test_a_sweep_prints_each_cells_power(run, capsys, tmp_path):
    """A newcomer's review: a sweep printed only the file it wrote. Each cell's power
    favouring active is printed with its MC SE, the numbers of the file."""
    from designs import load_sweep

    out = tmp_path / "s.nc"
    argv = ["sweep", "--n-per-arm", "20", "40", "--effect", "20%", "30%", "--trials", "30"]
    code, text, _ = run(capsys, *argv, "--out", str(out))
    assert code == 0
    ds = load_sweep(out)
    cell = ds.sel(n_per_arm=40, effect=0.3, analysis="lmm_slope")
    p, se = float(cell["power_favourable"]), float(cell["mc_se_favourable"])
    line = next(x for x in text.splitlines() if "n_per_arm 40, effect 30%," in x)
    from designs.outputs.numbers import se_text

    assert 0 < p < 1  # 30 trials at 40 per arm: about 0.3, neither none nor all
    assert line.endswith(f": {p:.3f} ({se_text(se)})")
    # with the test it is of (a multiplicity review: no alpha beside the rates)
    assert (
        "power favouring active at alpha 0.05 two-sided (at effect 0 the type I error in favour "
        "of active, level 0.025), by cell; in brackets the MC SE" in text
    )
    # the cells are those simulated: the analysis is no axis of them (a review: "4 cells
    # (n_per_arm 2, effect 2, analysis 2)" and 8 rows)
    assert "4 cells (n_per_arm 2, effect 2), 30 trials each" in text
    code, text, _ = run(capsys, *argv, "--analysis", "lmm_slope", "ols_slope_ttest", "--out",
                        str(out.with_name("two.nc")))  # fmt: skip
    assert code == 0
    assert "4 cells (n_per_arm 2, effect 2; 2 analyses of each cell's trials)" in text


def test_a_looks_tables_type_i_error_of_zero_gives_its_bound(capsys, run):
    """A docs review: `sample-size --looks` printed "0.0000 | 0.000" where no null trial
    rejected; the MC SE cell now gives the exact one-sided bound, as elsewhere."""
    argv = ("sample-size", "--looks", "0.5,1", "--spending", "obf", "--set", "trial.sides=1")
    argv += ("--set", "trial.alpha=0.025", "--trials", "200", "--refine-trials", "0")
    code, out, _ = run(capsys, *argv, "--seed", "7", "--json")
    rows = json.loads(out)
    zero = [r for r in rows if r["type_i_error"] == 0.0]
    assert code == 0 and zero, rows  # seed 7: the 80% row's 200 null trials reject none
    code, out, _ = run(capsys, *argv, "--seed", "7")
    bound = 1 - 0.05 ** (1 / (zero[0]["counted_h0"] or zero[0]["trials"]))
    assert f"| 0.0000 | ≤ {math.ceil(bound * 1e4) / 1e4:.4f} |" in out


def test_power_gives_the_calendar_length_in_text_and_json(run, capsys):
    """An economist's review: power gave no calendar length (the report did); a lead-in
    review: the lead-in's months showed only in the report. 100 per arm at 8 a month: 25
    months of accrual, then 12 of follow-up (and 3 of lead-in first in lead_in.toml)."""
    import json

    code, out, _ = run(capsys, "power", "--trials", "20", "--n-per-arm", "100")
    assert code == 0
    assert (
        "Calendar length 37.0 months = 25.0 months of accrual at 8 patients randomised a month "
        "+ 12 months of follow-up." in out
    )
    code, out, _ = run(capsys, "power", "--trials", "20", "--design", "lead_in", "--json")
    row = json.loads(out)
    n = row["n_placebo"] + row["n_active"]
    assert row["accrual_months"] == n / 8 and row["lead_in_months"] == 3
    assert row["calendar_months"] == 3 + n / 8 + 12
    # a ramp-up: 2/month for 6 months and 4/month for 6 (36 patients), then 8/month for the
    # other 164 of 200: 32.5 months, said with the ramp (a diff review: "at 8 patients/month")
    from designs.outputs.calendar import calendar_text
    from designs.spec import load_design

    ramp = {"accrual.ramp_rate_per_month": [2, 4], "accrual.ramp_until_month": [6, 12]}
    assert calendar_text(load_design().with_overrides(ramp)) == (
        "Calendar length 44.5 months = 32.5 months of accrual (2/month to month 6, 4/month to "
        "month 12, then 8/month, patients randomised) + 12 months of follow-up. (Accrual at "
        "exactly that rate: with patients arriving at random at it, it ends within about "
        "±3.5 months of that, 95%.)"
    )
    # 10 patients within the ramp: 6 by month 3, 4 more at 5/month, done at month 3.8
    inside = {**ramp, "trial.n_per_arm": 5, "accrual.ramp_rate_per_month": [2, 5]}
    inside["accrual.ramp_until_month"] = [3, 6]
    assert calendar_text(load_design().with_overrides(inside)) == (
        "Calendar length 15.8 months = 3.8 months of accrual (2/month to month 3, 5/month to "
        "month 3.8, patients randomised) + 12 months of follow-up. (Accrual at exactly that "
        "rate: with patients arriving at random at it, it ends within about ±1.2 months of "
        "that, 95%.)"
    )
    # beyond 10 years, in years with the rate to change (a scale review: 5012.0 months said
    # as if it were a plan): 2 x 2000 / 8 = 500 months of accrual + 12 = 512 = 42.7 years
    assert calendar_text(load_design().with_overrides({"trial.n_per_arm": 2000})).endswith(
        "95%.) That is 42.7 years: recruiting faster (trial.accrual_per_month, now 8) would "
        "shorten it."
    )
    assert "years" not in calendar_text(load_design().with_overrides({"trial.n_per_arm": 400}))


def test_a_power_of_all_or_none_of_the_trials_has_no_mc_se(run, capsys):
    """A scale review: 20 of 20 significant trials printed "MC SE 0.000" as if the power
    were exact; the line now says all of 20 and gives the interval (Wilson: 20 of 20 ->
    0.839, by hand: the lower root of (p - 1)^2 = z^2 p (1 - p) / 20 at z = 1.96)."""
    code, out, _ = run(capsys, "power", "--n-per-arm", "1000", "--trials", "20")
    assert code == 0
    line = out.splitlines()[1]
    assert "power 1.000 (all of 20 trials: no MC SE, 95% MC interval 0.839-1.000)" in line
    assert "MC SE 0.000" not in out
    code, out, _ = run(capsys, "power", "--n-per-arm", "60", "--trials", "40")
    assert code == 0 and "power 0." in out and "(MC SE 0.0" in out.splitlines()[1]
