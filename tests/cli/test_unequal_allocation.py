"""Unequal allocation at the command line: the commands that search n need no ``--n-total``
(the design's total stands in), and the n they choose splits into the arms exactly."""

from __future__ import annotations

import json


def test_sample_size_needs_no_total_and_splits_the_arms_exactly(capsys, run):
    """A review: `sample-size --set trial.allocation.active=2` was refused until a total was
    typed, which the search then replaced; and its n (413) split 138:275, not 1:2."""
    argv = ["sample-size", "--set", "trial.allocation.active=2", "--trials", "100"]
    code, out, err = run(capsys, *argv, "--sizes", "150", "300", "600", "900", "--json")
    assert code == 0, err
    rows = json.loads(out)
    for row in rows:
        assert row["size_name"] == "n_total" and row["reached"], row
        assert row["n"] % 3 == 0 and row["n_active"] == 2 * row["n_placebo"], row
        assert row["n_low"] % 3 == 0 and row["n_high"] % 3 == 0 and row["n_high"] > 0, row
    # a total typed as well would be replaced by the search: refused, not ignored (a
    # command-line review)
    code, _, err = run(capsys, *argv, "--sizes", "150", "300", "--n-total", "300")
    assert code == 2 and "--n-total 300: sample-size finds n itself" in err
    # the table's notes say why n is a multiple of 3
    code, out, err = run(capsys, *argv, "--sizes", "150", "300", "600", "900")
    assert code == 0, err
    assert "a multiple of 3 so that the arms are 1:2 (placebo:active) exactly" in out
    # n is the total: no second 'total' column repeating it (a review)
    assert "| n total | MC 95% interval of n total | placebo | active | fitted power" in out


def test_the_allocation_is_named_where_a_reader_meets_n_in_total():
    """A review: '(1:2)' without saying which arm is which, and figures whose axis said
    'patients randomised in total' with the allocation nowhere."""
    from designs.outputs.plotting import size_axis_label
    from designs.spec import load_design

    unequal = load_design().with_overrides({"trial.allocation.active": 2, "trial.n_total": 30})
    assert "10 placebo + 20 active (1:2 placebo:active)" in unequal.describe()
    assert size_axis_label("n_total", unequal) == (
        "patients randomised in total (1:2, placebo:active)"
    )
    assert size_axis_label("n_per_arm", load_design()) == "patients randomised per arm"


def test_a_command_that_does_not_search_n_still_needs_the_total(capsys, run):
    code, out, err = run(capsys, "power", "--set", "trial.allocation.active=2", "--trials", "20")
    assert code == 2 and out == ""
    assert "trial.n_per_arm: not allowed with unequal allocation" in err
    assert "give trial.n_total" in err and "find it themselves" in err
    assert "Traceback" not in err


def test_the_methods_text_gives_totals_in_whole_blocks():
    """The closed form's sizes in 'Assumptions behind n' are in the search's steps too, and
    the sample-size paragraph says why n is a multiple of 3."""
    import re

    from designs.outputs.methods import _block_clause
    from designs.outputs.methods_checks import assumption_sensitivity
    from designs.spec import load_design

    unequal = load_design().with_overrides({"trial.allocation.active": 2, "trial.n_total": 300})
    text = assumption_sensitivity(unequal, "lmm_slope", 0.8)
    sizes = [int(re.search(r"needs (\d+) in total", text).group(1))]
    for low, high in re.findall(r"\): (\d+) / (\d+)", text):  # each input down and up
        sizes += [int(low), int(high)]
    assert len(sizes) == 9, text  # n at the design's values and two per moved input
    assert all(n % 3 == 0 for n in sizes), sizes
    assert _block_clause(unequal.trial.allocation) == (
        "; n in total is a multiple of 3, so that the arms are in this ratio exactly"
    )
    assert _block_clause(load_design().trial.allocation) == ""
    odd = unequal.with_overrides({"trial.allocation.active": 1.3})
    assert "rounded" in _block_clause(odd.trial.allocation)


def test_a_design_file_with_unequal_allocation_needs_no_total_either(capsys, run, tmp_path):
    """A diff review: a file with only `allocation = { placebo = 1, active = 2 }` inherited
    the default's n_per_arm and was refused by sample-size, whose message said that it finds
    n itself; `power`, which does not, still asks for the total."""
    path = tmp_path / "u12.toml"
    path.write_text("[trial]\nallocation = { placebo = 1, active = 2 }\n")
    argv = ["--design", str(path), "--trials", "60", "--json"]
    code, out, err = run(capsys, "sample-size", *argv, "--sizes", "150", "300", "600", "900")
    assert code == 0, err
    assert all(r["n"] % 3 == 0 for r in json.loads(out))
    code, out, err = run(capsys, "power", *argv)
    assert code == 2 and "give trial.n_total" in err


def test_every_command_says_when_the_total_does_not_split(capsys, run, tmp_path, fake_posterior):
    """An allocation review: `power` and `sweep` said that 91 at 1:2 runs 30 + 61, not in
    the ratio; `power --looks`, `assurance` and `trial` ran it without a word."""
    posterior = tmp_path / "p.nc"
    fake_posterior().to_netcdf(posterior, engine="h5netcdf")
    split = ["--set", "trial.allocation.active=2", "--n-total", "91"]
    note = "note: n_total = 91 is not a multiple of 3, so the arms (30 placebo + 61 active)"
    commands = {
        "power --looks": ["power", *split, "--looks", "0.5,1", "--trials", "20"],
        "assurance": ["assurance", *split, "--posterior", str(posterior), "--trials", "20"],
        "trial": ["trial", *split, "--out", str(tmp_path / "t.csv")],
    }
    for name, argv in commands.items():
        code, _, err = run(capsys, *argv)
        assert code == 0 and note in err, (name, err)
    code, _, err = run(capsys, "trial", "--set", "trial.allocation.active=2", "--n-total", "90",
                       "--out", str(tmp_path / "u.csv"))  # fmt: skip
    assert code == 0 and "not a multiple" not in err
