"""Phase 2 records (progression.records): the bundled reconstruction agrees with every
published fact; the loader refuses bad input with one line naming row and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from designs.errors import InputError
from progression.records import (
    BUNDLED_PHASE2,
    UNCHANGED_TOLERANCE,
    Phase2Data,
    from_frame,
    load_phase2,
    per_patient_slopes,
)


@pytest.fixture(scope="module")
def bundled(phase2) -> Phase2Data:
    """The bundled records (the ``phase2`` fixture of tests/progression/conftest.py)."""
    return phase2


@pytest.fixture(scope="module")
def slopes(bundled) -> pd.DataFrame:
    return per_patient_slopes(bundled)


# --- published facts (docs/references.md#the-cl2020-phase-2-trial) ---------------------------


def test_five_patients_and_illustrative_label(bundled):
    assert bundled.n_patients == 5
    assert bundled.illustrative is True
    assert "ILLUSTRATIVE" in BUNDLED_PHASE2.read_text().splitlines()[0]
    assert len(bundled.sha256) == 64


def test_baseline_mean_and_sd(slopes):
    base = slopes["baseline"]
    assert round(base.mean(), 1) == 40.6
    assert round(base.std(ddof=1), 1) == 2.6


def test_mean_slopes_before_and_after(slopes):
    assert round(slopes["pre_slope"].mean(), 2) == -0.47
    assert round(slopes["post_slope"].mean(), 2) == -0.25


def test_three_slowed_one_sped_up_one_unchanged(slopes):
    counts = slopes["direction"].value_counts().to_dict()
    assert counts == {"slowed": 3, "sped up": 1, "unchanged": 1}
    unchanged = slopes.loc[slopes["direction"] == "unchanged", "change"]
    assert (unchanged.abs() <= UNCHANGED_TOLERANCE).all()


def test_change_not_significant(slopes):
    p = stats.ttest_rel(slopes["post_slope"], slopes["pre_slope"]).pvalue
    assert p > 0.05


def test_integer_scores_in_range_and_schedule(bundled):
    df = bundled.frame
    assert df["alsfrs_r"].dtype == np.int64
    assert df["alsfrs_r"].between(0, 48).all()
    for _, g in df.groupby("patient"):
        m = g["month"].to_numpy()
        assert (m == 0).sum() == 1
        assert (m < 0).sum() == 3 and (m > 0).sum() == 12
        assert m.min() > -3.5 and m.max() < 12.5


def test_reconstruction_script_reproduces_the_file():
    script = BUNDLED_PHASE2.parent / "reconstruct_phase2.py"
    out = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_optional_columns_are_kept(bundled):
    assert "onset_months" in bundled.frame.columns


# --- loader validation ---------------------------------------------------------------------

GOOD = "patient,month,alsfrs_r\nA,-2,40\nA,0,39\nA,1,39\nA,2,38\nB,-1,44\nB,0,44\nB,3,42\nB,6,41\n"


def _write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_good_file_loads(tmp_path):
    d = load_phase2(_write(tmp_path, GOOD))
    assert d.n_patients == 2 and not d.illustrative
    assert list(d.frame.columns) == ["patient", "month", "alsfrs_r"]


def test_illustrative_comment_is_read(tmp_path):
    d = load_phase2(_write(tmp_path, "# ILLUSTRATIVE test data\n" + GOOD))
    assert d.illustrative


def test_review_of_the_phase_2_input(tmp_path):
    """Patient ids are text ('01' and '1' were read as one patient); a comment that mentions
    'not illustrative' is not the mark; one patient, or months that are days, are refused
    with one line."""
    two = GOOD.replace("A,", "01,").replace("B,", "1,")
    d = load_phase2(_write(tmp_path, two))
    assert d.n_patients == 2 and set(d.frame["patient"]) == {"01", "1"}
    real = load_phase2(_write(tmp_path, "# real patient records, not illustrative\n" + GOOD))
    assert not real.illustrative
    one = "patient,month,alsfrs_r\nA,-2,40\nA,0,39\nA,1,39\nA,2,38\n"
    with pytest.raises(InputError, match="1 patient; the model's between-patient spreads"):
        load_phase2(_write(tmp_path, one))
    days = GOOD.replace("B,6,41", "B,300,41")
    with pytest.raises(InputError, match="likely days given as months") as info:
        load_phase2(_write(tmp_path, days))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("alsfrs_r", "score"), "missing column 'alsfrs_r'"),
        (GOOD.replace("A,1,39", "A,1,49"), "row 3 (line 4), column 'alsfrs_r': 49 is outside"),
        (
            GOOD.replace("A,1,39", "A,1,40.5"),
            "row 3 (line 4), column 'alsfrs_r': 40.5 is not a whole",
        ),
        (GOOD.replace("A,1,39", "A,1,-1"), "column 'alsfrs_r': -1 is outside"),
        (GOOD.replace("A,1,39", "A,1,x"), "row 3 (line 4), column 'alsfrs_r'"),
        (GOOD.replace("A,1,39", "A,,39"), "row 3 (line 4), column 'month'"),
        (GOOD.replace("A,1,39", "A,0,39"), "row 3 (line 4), columns 'patient','month': duplicate"),
        (GOOD.replace("A,-2,40\n", "A,3,40\n"), "patient 'A' has 1 visit(s) up to and including"),
        (GOOD.replace("B,6,41", "B,-3,41"), "patient 'B' has 1 visit(s) after month 0"),
        ("", "cannot read file"),
        ('patient,month,alsfrs_r\n"A,0,40\n', "cannot read as CSV"),
        ("patient,month,alsfrs_r\n", "no data rows"),
    ],
    ids=[
        "missing-column",
        "score-49",
        "score-40.5",
        "score-negative",
        "score-text",
        "month-missing",
        "duplicate-row",
        "too-few-pre",
        "too-few-post",
        "empty-file",
        "unparseable",
        "header-only",
    ],
)
def test_loader_refuses_bad_input(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_phase2(path)
    msg = str(info.value)
    assert expected in msg
    assert "\n" not in msg
    assert str(path) in msg


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="cannot read file"):
        load_phase2(tmp_path / "absent.csv")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(InputError, match="cannot read"):
        load_phase2(binary)
    with pytest.raises(InputError, match="cannot read file"):
        load_phase2(tmp_path)  # a directory


def test_from_frame_does_not_modify_input():
    raw = pd.read_csv(__import__("io").StringIO(GOOD))
    before = raw.copy()
    d = from_frame(raw.iloc[::-1])
    pd.testing.assert_frame_equal(raw, before)
    assert d.frame["patient"].tolist() == sorted(d.frame["patient"].tolist())


@pytest.mark.parametrize(
    ("sep", "decimal", "pad"),
    [(";", ",", ""), (";", ".", ""), ("\t", ".", ""), (";", ",", " "), (",", ".", " ")],
    ids=["semicolon-comma", "semicolon", "tab", "semicolon-spaced", "comma-spaced"],
)
def test_semicolon_and_tab_files_read_as_the_comma_file(bundled, tmp_path, sep, decimal, pad):
    """As `analyze --data` reads them (a review: `fit --data` refused a semicolon file with
    "missing column 'patient'" that `analyze` read; a European data manager's review: and
    a header "patient ;month ;alsfrs_r", which `analyze` read): the same records, to the
    last bit."""
    frame = bundled.frame[["patient", "month", "alsfrs_r"]]
    lines = [sep.join(f"{name}{pad}" for name in frame.columns)]
    for row in frame.itertuples(index=False):
        month = repr(float(row.month)).replace(".", decimal)
        lines.append(sep.join([str(row.patient), month, str(int(row.alsfrs_r))]))
    path = tmp_path / "own.csv"
    path.write_text("\n".join(lines) + "\n")
    read = load_phase2(path).frame[["patient", "month", "alsfrs_r"]]
    pd.testing.assert_frame_equal(
        read.reset_index(drop=True), frame.reset_index(drop=True), check_dtype=False
    )


def test_scores_that_never_change_are_refused(tmp_path):
    """A bad-input review: a file in which every score is 40 was fitted (residual SD 0, R-hat
    2.3) and written as a posterior to plan with; ``analyze`` refused the same data."""
    import re

    constant = re.sub(r"(?m)^([A-Z]),(-?\d+),\d+$", r"\1,\2,40", GOOD)
    assert constant != GOOD and set(constant.splitlines()[1:]) != set(GOOD.splitlines()[1:])
    with pytest.raises(InputError, match="no patient's score changes over their visits"):
        load_phase2(_write(tmp_path, constant))
    # each patient held at a score of their own (a diff review): refused too
    own = GOOD.replace("A,0,39", "A,0,40").replace("A,1,39", "A,1,40").replace("A,2,38", "A,2,40")
    own = own.replace("B,3,42", "B,3,44").replace("B,6,41", "B,6,44")
    with pytest.raises(InputError, match="no patient's score changes over their visits"):
        load_phase2(_write(tmp_path, own))


def test_the_same_line_rules_as_analyze(tmp_path):
    """``fit --data`` reads a file's lines as ``analyze --data`` does (progression/csv_lines.py;
    a data manager's review of ``analyze``, then of ``fit``): blank lines among the comments
    and rows of separators alone are skipped, a title above the header is named as such (it
    was blamed on line 2's field count), and a row below a blank line is given its own line
    (it was counted one line early)."""
    good = load_phase2(_write(tmp_path, GOOD)).frame
    for text in (
        "# exported 2026-12-01\n\n# site 3\n" + GOOD,
        GOOD.replace("A,1,39\n", "A,1,39\n,,\n;;\n"),
        GOOD.replace("A,1,39\n", "A,1,39\n\n"),
    ):
        pd.testing.assert_frame_equal(load_phase2(_write(tmp_path, text)).frame, good)
    assert load_phase2(_write(tmp_path, "# site 3\n\n# ILLUSTRATIVE data\n" + GOOD)).illustrative
    with pytest.raises(InputError) as info:
        load_phase2(_write(tmp_path, "Study X, ALSFRS-R listing\n" + GOOD))
    assert "the header (patient, month, alsfrs_r) is on line 2, not the first" in str(info.value)
    with pytest.raises(InputError) as info:
        load_phase2(_write(tmp_path, GOOD.replace("A,1,39\n", "\nA,1,49\n")))
    assert "row 3 (line 5), column 'alsfrs_r': 49 is outside" in str(info.value)
    with pytest.raises(InputError) as info:
        load_phase2(_write(tmp_path, "# a\n\n" + GOOD.replace("A,1,39\n", "A,1,39,7\n")))
    assert "line 6: 4 fields, the header 3" in str(info.value)


def test_fit_and_analyze_refuse_a_bad_file_with_the_same_words(tmp_path):
    """One reader's rules for both (progression/csv_lines.header_and_rows): the same title
    row and the same short row are refused in the same words, on the same file line."""
    from designs.analyses.data_file import read_trial_csv

    trial = "patient,arm,month,alsfrs_r\n1,0,0,40\n1,0,1,39\n2,1,0,41\n2,1,1,41\n"
    for text, expected in (
        ("Study X listing\n", "is on line 2, not the first"),
        ("# a\n\n", "line 5: 2 fields, the header"),
    ):
        fit_text = text + (GOOD if "Study" in text else GOOD.replace("A,0,39", "A,0"))
        own = text + (trial if "Study" in text else trial.replace("1,0,1,39", "1,0"))
        with pytest.raises(InputError, match=expected):
            load_phase2(_write(tmp_path, fit_text))
        with pytest.raises(InputError, match=expected):
            read_trial_csv(_write(tmp_path, own, "trial.csv"))


def _bundled_rows() -> tuple[list[str], list[list[str]]]:
    lines = BUNDLED_PHASE2.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#") or ln.startswith("patient")]
    rows = [ln.split(",") for ln in lines if ln and ln[0] == "P"]
    return [h for h in head if not h.startswith("#")], rows


def _own(tmp_path: Path, rows: list[list[str]], name: str) -> Path:
    head, _ = _bundled_rows()
    return _write(tmp_path, "\n".join([*head, *(",".join(r) for r in rows)]) + "\n", name)


def test_typing_errors_that_each_value_allows_are_refused_or_said(tmp_path):
    """A review of one's own records: a month typed in days (91 for month 3), a file in
    weeks and a score with a dropped digit (3 for 32) each passed `fit` without a word and
    moved P(delta > 0) from 0.91 to 0.96, the effect by half, and to 0.58."""
    _, rows = _bundled_rows()
    assert load_phase2(_own(tmp_path, rows, "same.csv")).warnings == ()
    assert load_phase2().warnings == ()  # the bundled file, its comment lines too
    # one month in days: a gap no phase 2 schedule has
    days = [list(r) for r in rows]
    i = next(k for k, r in enumerate(days) if r[0] == "P3" and 2.5 < float(r[1]) < 3.5)
    days[i][1] = "91"
    with pytest.raises(InputError) as info:
        load_phase2(_own(tmp_path, days, "days.csv"))
    text = str(info.value)
    assert "patient 'P3' has visits at months" in text and "and 91, " in text
    assert "likely one month given in days" in text and "\n" not in text
    # a whole file in weeks: said, fitted as given
    weeks = [[r[0], f"{float(r[1]) * 52 / 12:.2f}", *r[2:]] for r in rows]
    (line,) = load_phase2(_own(tmp_path, weeks, "weeks.csv")).warnings
    assert "months given in weeks (months = weeks x 12/52)?" in line
    # a dropped digit: far from both neighbours
    spike = [list(r) for r in rows]
    j = next(k for k, r in enumerate(spike) if r[0] == "P2" and 7 < float(r[1]) < 9)
    neighbours = (spike[j - 1][2], spike[j + 1][2])
    spike[j][2] = "3"
    (line,) = load_phase2(_own(tmp_path, spike, "spike.csv")).warnings
    assert line.startswith(f"patient 'P2': 3 points at month {float(spike[j][1]):g}, between ")
    assert f"{neighbours[0]} (month" in line and f"and {neighbours[1]} (month" in line
    assert line.endswith("a typing error? It is fitted as given")
    # the last visit too, which weighs most in the post-dose slope (a diff review)
    last = [list(r) for r in rows]
    k = max(n for n, r in enumerate(last) if r[0] == "P2")
    last[k][2] = "3"
    (line,) = load_phase2(_own(tmp_path, last, "last.csv")).warnings
    assert line.startswith(f"patient 'P2': 3 points at month {float(last[k][1]):g}, the last visit")
    first = [list(r) for r in rows]
    f0 = min(n for n, r in enumerate(first) if r[0] == "P4")
    first[f0][2] = "4"
    (line,) = load_phase2(_own(tmp_path, first, "first.csv")).warnings
    assert "the first visit" in line and line.startswith("patient 'P4': 4 points")


def test_what_marks_records_illustrative_is_named(tmp_path):
    """A review of one's own records: pasted under the bundled file's comment lines they were
    called a reconstruction throughout; the loader now says which line marked them."""
    d = load_phase2(_write(tmp_path, "# note: real records\n# ILLUSTRATIVE copy\n" + GOOD))
    assert d.illustrative and d.illustrative_mark == "line 2"
    assert load_phase2().illustrative_mark == "line 1"
    assert load_phase2(_write(tmp_path, GOOD, "plain.csv")).illustrative_mark == ""


def test_a_spaced_header_keeps_numeric_looking_ids_as_text(tmp_path):
    """A diff review: with "patient ,month ,alsfrs_r " the names were stripped after
    reading, so the ids were read as numbers ("01" and "1" one patient) and the reader
    crashed on them."""
    rows = [(pid, m, 40 - m // 3 - k) for k, pid in enumerate(("01", "1")) for m in (-3, 0, 3, 6)]
    text = "patient ,month ,alsfrs_r \n" + "".join(f"{p},{m},{s}\n" for p, m, s in rows)
    path = tmp_path / "spaced.csv"
    path.write_text(text)
    frame = load_phase2(path).frame
    assert sorted(frame["patient"].unique()) == ["01", "1"]
    assert len(frame) == 8
