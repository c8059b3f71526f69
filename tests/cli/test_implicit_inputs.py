"""Inputs a command reads without being named (a fuzz review): the cached phase 2 fit, which
no output may replace; the report's section on borrowing from phase 2, refused before the
search when it cannot be built; an analysis named twice, refused by the library too."""

from __future__ import annotations

import pytest

from designs.atomic import check_writable
from designs.errors import InputError
from designs.planning.power import power
from designs.planning.report_plan import check_borrowing_section, plan_report
from designs.spec import load_design


def test_no_output_replaces_a_cached_phase2_fit(tmp_path, monkeypatch, capsys, run):
    """A review: `sample-size --out <the cached posterior> --force` replaced the posterior
    the command had just read."""
    monkeypatch.setenv("ALS_TRIAL_SIM_CACHE", str(tmp_path / "cache"))
    fits = tmp_path / "cache" / "posterior"
    fits.mkdir(parents=True)
    cached = fits / "phase2_posterior_0123.nc"
    cached.write_bytes(b"a cached fit")
    with pytest.raises(InputError, match="is in the tool's cache of phase 2 fits"):
        check_writable(cached, force=True)
    code, _, err = run(capsys, "sample-size", "--out", str(cached), "--force", "--trials", "20")
    assert code == 2 and "cache of phase 2 fits" in err
    assert cached.read_bytes() == b"a cached fit"
    assert check_writable(tmp_path / "elsewhere.csv") == tmp_path / "elsewhere.csv"


def test_a_report_whose_borrowing_section_cannot_be_built_is_refused_first(fake_posterior):
    """A review: a frequentist design with residual_sd 0 ran the whole search (up to 5
    minutes) before failing on decision.robust_sd, a field of a rule it does not use."""
    design = load_design().with_overrides({"population.residual_sd": 0.0})
    with pytest.raises(InputError, match="the section on borrowing from phase 2"):
        check_borrowing_section(design, "lmm_slope")
    calls = []
    with pytest.raises(InputError, match="--no-assurance"):
        plan_report(design, trials=20, idata=fake_posterior(), progress=calls.append)
    assert calls == []  # refused before any trial was simulated
    check_borrowing_section(load_design(), "lmm_slope")  # the default design's is built
    check_borrowing_section(design, "joint_rank")  # no points/month: no such section


def test_the_library_refuses_an_analysis_named_twice():
    design = load_design().with_overrides({"trial.n_per_arm": 20})
    with pytest.raises(InputError, match="lmm_slope is given twice"):
        power(design, 20, 1, ("lmm_slope", "ols_slope_ttest", "lmm_slope"))


@pytest.mark.parametrize("fmt", ["md", "csv", "latex"])
def test_a_table_written_before_is_replaced_and_the_replacement_is_said(fmt, tmp_path, capsys, run):
    """A review: `sample-size --format csv --out t.csv` refused its own earlier CSV ("not an
    earlier sample-size table") and said nothing about the file it wrote."""
    out = tmp_path / f"table.{fmt}"
    argv = ["sample-size", "--sizes", "40", "80", "--trials", "30", "--format", fmt]
    argv += ["--out", str(out)]
    code, _, err = run(capsys, *argv)
    assert code == 0 and f"wrote {out} (the table, {fmt})" in err
    code, _, err = run(capsys, *argv)  # its own earlier table: replaced without --force
    assert code == 0 and f"replaced {out} (the table, {fmt})" in err
    mine = tmp_path / f"mine.{fmt}"  # (a .csv file takes only --format csv)
    mine.write_text("target,my own numbers\n")
    code, _, err = run(capsys, *argv[:-1], str(mine))
    assert code == 2 and "give --force to replace it" in err
    assert mine.read_text() == "target,my own numbers\n"


def test_a_users_csv_that_only_starts_like_the_table_is_not_replaced(tmp_path, capsys, run):
    """A user's CSV whose header starts with ``target_power,`` (a hand-made list of targets)
    was taken for an earlier table of this tool and replaced without --force. The tool's own
    CSV tables are recognised by their whole header: the fixed design's per arm and in total,
    and the group-sequential one."""
    from designs.outputs.tables import is_sample_size_table

    mine = tmp_path / "targets.csv"
    mine.write_text("target_power,n_per_arm\n0.8,150\n", encoding="utf-8")
    # sizes in multiples of 3, which the 1:2 design below needs too
    argv = ["sample-size", "--sizes", "39", "81", "--trials", "30", "--out", str(mine)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "give --force to replace it" in err
    assert mine.read_text(encoding="utf-8") == "target_power,n_per_arm\n0.8,150\n"
    unequal = tmp_path / "unequal.toml"
    unequal.write_text("[trial]\nallocation = { placebo = 1, active = 2 }\nn_total = 90\n")
    cases = {
        "posterior.csv": ["--decision", "posterior"],
        "posterior_looks.md": ["--decision", "posterior", "--looks", "0.5,1"],
        "looks.md": ["--looks", "0.5,1"],
        "per_arm.csv": [],
        "total.csv": ["--design", str(unequal)],
        "looks.csv": ["--looks", "0.5,1"],
    }
    for name, extra in cases.items():
        path = tmp_path / name
        code, _, err = run(capsys, *argv[:-1], str(path), *extra)
        assert code == 0, err
        assert is_sample_size_table(path), name
        code, _, err = run(capsys, *argv[:-1], str(path), *extra)  # replaced without --force
        assert code == 0 and f"replaced {path}" in err, (name, err)
    # Markdown: the tool's own first line exactly, then the separator; a user's table that
    # starts with the same column is kept
    ours = tmp_path / "ours.md"
    code, _, err = run(capsys, *argv[:-1], str(ours))
    assert code == 0 and is_sample_size_table(ours), err
    notes = tmp_path / "notes.md"
    notes.write_text("| target power | n per arm |\n|---|---|\n| 80% | 150 |\n")
    assert not is_sample_size_table(notes)
    code, _, err = run(capsys, *argv[:-1], str(notes))
    assert code == 2 and "give --force to replace it" in err
