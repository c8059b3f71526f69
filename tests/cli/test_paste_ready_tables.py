"""Tables as they are pasted (a paste-ready review): a Markdown ``sample-size --out`` file
carries the warnings and notes under its numbers, as the report's sample_size.md does (the
.tex kept the fresh-trial check's warning in its notes, the .md lost every caution), and a
CSV or LaTeX table on stdout is the table alone (under the posterior rule the prior's line
followed it: pandas read the numbers as strings and LaTeX stopped at its ``^2``)."""

from __future__ import annotations

import csv
import io

import pytest

NOTE = "Note: a one-sided test at alpha 0.05 rejects in favour of active 2 times as often"
LENIENT = ("--set", "trial.sides=1", "--set", "trial.alpha=0.05")
SEARCH = ("sample-size", "--trials", "60", "--refine-trials", "0")


@pytest.mark.parametrize("looks", [(), ("--looks", "0.5,1")])
def test_a_markdown_file_carries_its_cautions(run, capsys, tmp_path, looks):
    md, table = tmp_path / "n.md", tmp_path / "n.csv"
    code, stdout, err = run(capsys, *SEARCH, *looks, *LENIENT, "--out", str(md))
    assert code == 0, err
    text = md.read_text()
    assert stdout in text  # the table as printed, then its cautions
    assert f"> **{NOTE}" in text.split(stdout, 1)[1]
    assert NOTE.lower() in err.lower()  # and on stderr, as before
    code, _, err = run(capsys, *SEARCH, *looks, *LENIENT, "--out", str(table))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(table.read_text())))
    assert len({len(r) for r in rows}) == 1 and "alpha 0.05" not in table.read_text()


def test_a_table_without_cautions_is_the_table_alone():
    from designs.outputs.report_cautions import with_cautions

    table = "| n |\n|---|\n| 10 |\n"
    assert with_cautions(table, []) == table
    both = with_cautions(table, ["warning: one", "note: two"])
    assert both == table + "\n> **Warning: one**\n>\n> **Note: two**\n"


@pytest.mark.parametrize("fmt", ["csv", "latex"])
def test_the_posterior_rules_table_on_stdout_is_the_table_alone(run, capsys, fmt):
    code, stdout, err = run(capsys, *SEARCH, "--decision", "posterior", "--format", fmt)
    assert code == 0, err
    assert "prior of the effect" in err and "prior of the effect" not in stdout
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(stdout)))
        assert len({len(r) for r in rows}) == 1 and rows[0][0] == "target_power"
        float(rows[1][0])  # numbers, not text
    else:
        assert stdout.rstrip().endswith("\\end{table}") and "^2" not in stdout


def test_the_posterior_rules_markdown_keeps_its_prior(run, capsys):
    code, stdout, _ = run(capsys, *SEARCH, "--decision", "posterior")
    assert code == 0
    assert "prior of the effect" in stdout


def test_the_csv_names_the_design_and_its_effect(run, capsys, tmp_path):
    """A grant writer's review: a row of sample_size.csv said 0.125 points/month for an
    effect acting from month 3, and nothing told two designs' files apart. An earlier
    file's header (without the two columns) is still this tool's table to replace."""
    from designs.outputs.sample_size_csv import csv_header
    from designs.outputs.tables import csv_headers, is_sample_size_table

    late = ("--set", "effect.onset_delay_months=3", "--set", "trial.name=Late, CL2020")
    code, out, err = run(capsys, *SEARCH, *late, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["design"] for r in rows} == {"Late, CL2020"}
    assert {r["effect"] for r in rows} == {
        "25% slowing of decline (+0.125 points/month), acting from month 3"
    }
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(",".join(csv_header(True, earlier=True)) + "\n")
    assert ",".join(csv_header(True, earlier=True)) in csv_headers()
    assert is_sample_size_table(earlier)


def test_the_looks_csv_names_the_design_and_its_effect_too(run, capsys):
    """A diff review: the group-sequential CSV had no design or effect column; its cells are
    now written by the csv module, as the effect's words hold commas."""
    from designs.outputs.sample_size_gs_table import gs_csv_header
    from designs.outputs.tables import csv_headers

    argv = ("sample-size", "--looks", "0.5,1", "--spending", "obf", "--trials", "60")
    argv += ("--sizes", "60,120,240", "--target-power", "0.8", "--format", "csv")
    code, out, err = run(capsys, *argv, "--set", "effect.onset_delay_months=3")
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["design"] == "CL2020 double-blind follow-up"
    assert row["effect"] == "25% slowing of decline (+0.125 points/month), acting from month 3"
    assert ",".join(gs_csv_header(True, earlier=True)) in csv_headers()  # an earlier file
