"""`trial --out` of a design with continuous scores reads back in `analyze` with
`--continuous-scores` (a review: refused, "38.9238 is not a whole number of points")."""

import json

import pytest


def test_continuous_scores_round_trip(capsys, run, tmp_path):
    path = tmp_path / "t.csv"
    design = ["--set", "population.integer_scores=false", "--n-per-arm", "30"]
    code, _, _ = run(capsys, "trial", *design, "--out", str(path))
    assert code == 0
    code, _, err = run(capsys, "analyze", "--data", str(path))
    assert code == 2 and "analyze --continuous-scores" in err
    code, out, _ = run(capsys, "analyze", "--data", str(path), "--continuous-scores", "--json")
    assert code == 0
    estimate = json.loads(out)["estimate"]
    # the engine's own analysis of trial 0 (same seed); the CSV keeps 6 decimals of a score
    code, out, _ = run(capsys, "power", *design, "--trials", "1", "--json")
    engine = json.loads(out)
    engine = engine[0] if isinstance(engine, list) else engine
    assert estimate == pytest.approx(engine["mean_estimate"], rel=1e-6)


def test_a_folder_is_named_as_a_folder(capsys, run, tmp_path):
    code, _, err = run(capsys, "analyze", "--data", str(tmp_path))
    assert code == 2 and "a folder, not a file" in err


def test_a_file_with_a_header_alone_is_named(capsys, run, tmp_path):
    """A file-safety review: a header without rows gave "data: no rows", naming no file."""
    for n, text in enumerate(("patient,arm,month,alsfrs_r\n", "patient,arm,month,alsfrs_r\n\n")):
        path = tmp_path / f"header{n}.csv"
        path.write_text(text)
        code, _, err = run(capsys, "analyze", "--data", str(path))
        assert code == 2 and err == f"error: --data {path}: no data rows below the header\n"


def test_a_spreadsheets_code_page_csv_says_how_to_save_it(capsys, run, tmp_path):
    """A portability review: a CSV saved by a spreadsheet in the Windows code page (cp1252)
    was refused as "not UTF-8 text" without saying how to save it; fit says the same."""
    path = tmp_path / "excel.csv"
    path.write_bytes("patient,arm,month,alsfrs_r\nRené,0,0,40\n".encode("cp1252"))
    code, _, err = run(capsys, "analyze", "--data", str(path))
    assert code == 2 and 'not UTF-8 text (from a spreadsheet, save it as "CSV UTF-8")' in err
    code, _, err = run(capsys, "fit", "--data", str(path), "--out", str(tmp_path / "p.nc"))
    assert code == 2 and 'save it as "CSV UTF-8"' in err and not (tmp_path / "p.nc").exists()
