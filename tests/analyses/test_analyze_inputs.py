"""`analyze` on data shapes a review found read silently wrong: a status or exit month given on
some rows only, visits after a patient's exit, visits before month 0, months in days (weeks
cannot be told from months by the last visit), and a significant harm."""

import numpy as np
import pandas as pd
import pytest

from designs.analyses.registry import analyze
from designs.errors import InputError
from designs.outputs.analysis_text import result_text


def _trial(seed=3, n=12, effect=0.2):
    """n patients per arm, monthly visits 0-6, slopes -0.5 (+ ``effect`` active, points/month;
    SD 0.3); every third patient leaves (dropout) or dies
    after their visit at month 3, at month 3.5."""
    rng = np.random.default_rng(seed)
    rows = []
    for pid in range(2 * n):
        arm = pid % 2
        slope = rng.normal(-0.5 + effect * arm, 0.3)
        status = ("completed", "dropout", "death")[pid % 3]
        last = 6 if status == "completed" else 3
        for month in range(last + 1):
            score = round(40 + slope * month + rng.normal(0, 1))
            exit_month = "" if status == "completed" else 3.5
            rows.append((pid, arm, month, score, status, exit_month))
    return pd.DataFrame(
        rows, columns=["patient", "arm", "month", "alsfrs_r", "status", "exit_month"]
    )


def test_a_status_or_exit_month_on_some_rows_only_is_read_or_refused():
    frame = _trial()
    whole = analyze(frame, "joint_rank")
    # the exit month on the last row only, the other rows empty: the same patients
    sparse = frame.copy()
    first = ~sparse.duplicated("patient", keep="last")
    sparse.loc[~first, "exit_month"] = ""
    assert analyze(sparse, "joint_rank").estimate == whole.estimate
    # "completed" on the earlier rows, the true status on the last: refused, not counted
    # as completers (the review: the estimate moved 0.076 -> 0.094 without a word)
    mixed = frame.copy()
    mixed.loc[~first, "status"] = "completed"
    with pytest.raises(InputError, match="patient 1 needs one status"):
        analyze(mixed, "joint_rank")
    two = frame.copy()
    two.loc[(two.patient == 1) & (two.month == 0), "exit_month"] = 2.0
    with pytest.raises(InputError, match="patient 1 has 2 different exit months"):
        analyze(two, "joint_rank")


def test_a_visit_after_the_exit_month_is_refused():
    frame = _trial()
    early = frame.copy()
    early.loc[early.status != "completed", "exit_month"] = 0.1
    with pytest.raises(InputError, match=r"has a visit at month 3 after their exit_month 0\.1"):
        analyze(early, "joint_rank")
    # a completer with an exit before their last visit (a reliability review: ignored)
    completer = frame.copy()
    completer.loc[completer.patient == 0, "exit_month"] = 3.0  # patient 0 completed, to 6
    with pytest.raises(InputError, match=r"patient 0 \(completed\) has exit_month 3 before"):
        analyze(completer, "joint_rank")
    at_end = frame.copy()  # an exit month at the last visit, as some databases fill it
    at_end.loc[at_end.patient == 0, "exit_month"] = 6.0
    assert analyze(at_end, "joint_rank").estimate == analyze(frame, "joint_rank").estimate


def test_visits_before_month_0_are_warned_and_months_in_days_refused():
    frame = _trial(n=25)  # 25 per arm: no small-trial warning beside the months'
    assert analyze(frame, "lmm_slope").warnings == ()
    typo = frame.copy()
    typo.loc[typo.month == 1, "month"] = -1
    (line,) = analyze(typo, "lmm_slope").warnings
    assert line.startswith(f"{(frame.month == 1).sum()} visits at months before 0")
    one = frame.copy()
    one.loc[(one.month == 1) & (one.patient == 0), "month"] = -1
    (line,) = analyze(one, "lmm_slope").warnings  # a DMC review read "1 visits"
    assert line.startswith("1 visit at months before 0") and ") is not used by lmm_slope" in line
    days = frame.copy()
    days["month"] = days["month"] * 30
    # a slope per day is no slope per month: refused, as `fit --data` refuses it (a review)
    with pytest.raises(InputError, match=r"^column 'month': the last visit is at month 180; "):
        analyze(days, "lmm_slope")


def test_a_significant_harm_is_not_read_as_a_success():
    frame = _trial(n=40, effect=0.6)
    frame["arm"] = 1 - frame["arm"]  # the active arm now declines faster
    out = analyze(frame, "lmm_slope").to_dict()
    assert out["significant"] and out["estimate"] < 0
    assert "yes (favours placebo: a harm, not a success of the trial)" in result_text(
        "lmm_slope", "x.csv", out
    )


def test_the_printed_result_carries_units_and_four_digits():
    """A newcomer: `analyze` printed "estimate 0.147991" and "se 0.0932886" without a unit;
    to paste, the estimate and SE carry theirs and every number 4 significant digits
    (--json keeps every digit)."""
    out = analyze(_trial(n=40, effect=0.3), "lmm_slope").to_dict()
    text = result_text("lmm_slope", "x.csv", out)
    assert f"  estimate   {out['estimate']:.4g} points/month" in text
    assert f"  se         {out['se']:.4g} points/month" in text
    assert f"  p_value    {out['p_value']:.6g}" in text  # never rounded onto alpha


def test_joint_rank_needs_two_patients_per_arm_as_the_other_analyses():
    """A review: joint_rank ran with 1 active patient (its rank-sum z test then rests on one
    rank); ols_slope_ttest and ancova_change refuse fewer than 2 per arm."""
    frame = _trial()
    one = frame[(frame.arm == 0) | (frame.patient == 1)]
    with pytest.raises(InputError, match=r"12 placebo and 1 active patients; each arm needs at"):
        analyze(one, "joint_rank")
    two = frame[(frame.arm == 0) | frame.patient.isin([1, 3])]
    assert analyze(two, "joint_rank").n_active == 2


def test_patient_ids_are_text_in_a_csv(tmp_path, capsys):
    """A review: ids "01" and "1" were read as the number 1, one patient in both arms."""
    import simulate

    frame = _trial()
    # placebo patients 1-12, active patients 01-012: as numbers every id is in both arms
    pairs = zip(frame.patient, frame.arm, strict=True)
    frame["patient"] = [f"{'0' * arm}{p // 2 + 1}" for p, arm in pairs]
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    assert simulate.main(["analyze", "--data", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"n_placebo": 12' in out and '"n_active": 12' in out


def test_an_id_with_a_trailing_space_is_the_same_patient_and_numbers_written_two_ways_warn(
    tmp_path,
):
    """A review: "5 " on some rows and "5" on others split one patient in two (ids are text
    since "01" and "1" were merged); "5.0" and "5" are two ids, said in a warning."""
    from designs.analyses.data_file import read_trial_csv

    frame = _trial()
    whole = analyze(frame, "lmm_slope")
    text = frame.astype({"patient": str})
    padded = text.copy()
    padded.loc[padded.month == 0, "patient"] += " "
    padded.to_csv(tmp_path / "padded.csv", index=False)
    same = analyze(read_trial_csv(tmp_path / "padded.csv", "--data"), "lmm_slope")
    assert (same.n_placebo, same.n_active) == (12, 12)
    assert same.estimate == pytest.approx(whole.estimate, rel=1e-9)
    assert same.warnings == whole.warnings
    decimal = text.copy()
    decimal.loc[decimal.month == 0, "patient"] += ".0"
    decimal.to_csv(tmp_path / "decimal.csv", index=False)
    split = analyze(read_trial_csv(tmp_path / "decimal.csv", "--data"), "lmm_slope")
    assert (split.n_placebo, split.n_active) == (24, 24)
    assert any("'0' and '0.0' are the same number written differently" in w for w in split.warnings)


def test_a_missing_column_names_what_was_found():
    """As `fit --data` does (a review: a header 'Patient,Arm,Month,ALSFRS_R' was refused
    without saying what was read)."""
    frame = _trial().rename(columns=str.capitalize)
    with pytest.raises(InputError) as err:
        analyze(frame, "lmm_slope")
    assert str(err.value) == (
        "data: missing column 'patient' (need patient, arm, month, alsfrs_r; found: Patient, "
        "Arm, Month, Alsfrs_r, Status, Exit_month; names are lower case)"
    )


def test_more_fields_than_the_header_is_named_with_its_line(tmp_path):
    """A review: unquoted decimal commas in a comma-separated file gave each row one field
    more than the header; pandas then took the first column as an index and the error named
    the arm column ("must be 0/1, got 3"). Both readers now name the line; an empty extra
    field (a trailing comma) is not data and passes as before."""
    from designs.analyses.data_file import read_trial_csv
    from progression.records import load_phase2

    path = tmp_path / "deccomma.csv"
    path.write_text("# exported\npatient,arm,month,alsfrs_r\n1,0,0,40\n1,0,1,5,39\n")
    with pytest.raises(InputError) as err:
        read_trial_csv(path)
    assert str(err.value) == (
        f"--data {path}: line 4: 5 fields, the header 4; a decimal comma in a "
        "comma-separated file? Quote such numbers, or separate the fields by semicolons"
    )
    phase2 = tmp_path / "phase2.csv"
    phase2.write_text("# mine\npatient,month,alsfrs_r\n1,-1,40\n1,0,39,5\n")
    with pytest.raises(InputError, match=r"phase2\.csv: line 4: 4 fields, the header 3; a "):
        load_phase2(phase2)
    # a separator at the end of the data lines alone: in a comma-separated file it cannot
    # be told from unquoted decimal commas with an empty last column ("0,0,1,4,36," read as
    # month 1, score 4 moved the estimate from 0.131 to -0.006; a data manager's review),
    # which a European data manager's review met analysed with exit 0: refused
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("patient,arm,month,alsfrs_r\n1,0,0,40,\n1,0,1,39,\n")
    with pytest.raises(InputError) as err:
        read_trial_csv(trailing)
    assert str(err.value).startswith(
        f"--data {trailing}: line 2: 5 fields, the header 4, the extra ones empty: a separator "
        "at the end of the data lines, or decimal commas written unquoted (1,5 for 1.5)"
    )
    # with semicolons a decimal comma splits no field: read, and said
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("patient;arm;month;alsfrs_r\n1;0;0;40;\n1;0;1,5;39;\n")
    read = read_trial_csv(semicolons)
    assert list(read["alsfrs_r"]) == [40, 39] and list(read["month"]) == [0.0, 1.5]
    assert read.attrs["read_warnings"] == (
        "2 data lines end with a separator the header does not have: read as an empty last field",
    )
    both = tmp_path / "both.csv"  # the header's own trailing separator: nothing to say
    both.write_text("patient,arm,month,alsfrs_r,\n1,0,0,40,\n1,0,1,39,\n")
    assert "read_warnings" not in read_trial_csv(both).attrs


def test_the_trailing_separator_warning_reaches_analyze(tmp_path):
    """The reader's warning is the analysis's first (analyze prints its warnings)."""
    from designs.analyses.data_file import read_trial_csv

    frame = _trial()[["patient", "arm", "month", "alsfrs_r"]]
    path = tmp_path / "trailing.csv"
    text = frame.to_csv(index=False, sep=";").replace("\n", ";\n")
    path.write_text(text.replace("alsfrs_r;", "alsfrs_r", 1))
    result = analyze(read_trial_csv(path), "lmm_slope")
    assert result.warnings[0].startswith(f"{len(frame)} data lines end with a separator")
    assert result.estimate == analyze(frame, "lmm_slope").estimate  # read as the clean file


@pytest.mark.parametrize("column", ["arm", "month", "alsfrs_r"])
def test_a_column_named_twice_is_refused_before_pandas_renames_it(tmp_path, column):
    """A data manager's review: a second "arm" column (randomised and actual arms, the
    first coded the other way round) was renamed "arm.1" by pandas and the first read: the
    estimate's sign flipped without a word. The names are compared as written."""
    from designs.analyses.data_file import read_trial_csv

    frame = _trial()[["patient", "arm", "month", "alsfrs_r"]]
    path = tmp_path / "twice.csv"
    text = frame.to_csv(index=False).splitlines()
    rows = [f"{line},{line.split(',')[list(frame.columns).index(column)]}" for line in text[1:]]
    path.write_text("\n".join([f"{text[0]},{column}", *rows]) + "\n")
    with pytest.raises(InputError) as err:
        read_trial_csv(path)
    assert str(err.value) == f"--data {path}: column {column!r} appears twice in the header"


def test_fewer_fields_than_the_header_is_named_with_its_line(tmp_path):
    """A bad-input review: a row cut short ('0,0,4,3' for '0,0,4,40,completed,') was read
    as it stood, the missing fields empty, and moved the estimate without a word. Both
    readers now refuse it, naming the line; blank lines are still skipped."""
    from designs.analyses.data_file import read_trial_csv
    from progression.records import load_phase2

    path = tmp_path / "short.csv"
    path.write_text(
        "patient,arm,month,alsfrs_r,status,exit_month\n1,0,0,40,completed,\n\n1,0,1,3\n"
    )
    with pytest.raises(InputError) as err:
        read_trial_csv(path)
    assert str(err.value) == (
        f"--data {path}: line 4: 4 fields, the header 6: a row cut short? Give every column, "
        "leaving a field empty where it is unknown"
    )
    # a trailing separator on the header alone is no field (a diff review: it was refused)
    header_comma = tmp_path / "header_comma.csv"
    header_comma.write_text("patient,arm,month,alsfrs_r,\n1,0,0,40\n1,0,1,39\n")
    assert list(read_trial_csv(header_comma)["alsfrs_r"]) == [40, 39]
    phase2 = tmp_path / "phase2.csv"
    phase2.write_text("patient,month,alsfrs_r\n1,-1,40\n\n1,0\n")
    with pytest.raises(InputError, match=r"phase2\.csv: line 4: 2 fields, the header 3: a row"):
        load_phase2(phase2)


@pytest.mark.parametrize("analysis", ["lmm_slope", "lmm_slope_kr"])
def test_an_arm_without_slopes_is_named(analysis):
    """A DMC statistician's review: every active patient seen at baseline only was refused as
    "the fit is degenerate: check that the scores vary within patients over time"; the
    cause is the arm (one patient with slopes is as few); a fit that succeeds is untouched."""
    data = _trial()[["patient", "arm", "month", "alsfrs_r"]]
    baseline_only = data[(data.arm == 0) | (data.month == 0)]
    with pytest.raises(InputError, match=r"0 of 12 active patients have visits at two or more"):
        analyze(baseline_only, analysis)
    one = data[(data.arm == 0) | (data.month == 0) | (data.patient == 1)]
    try:
        result = analyze(one, analysis)
    except InputError as err:  # a fit that fails with one active slope says so too
        assert "1 of 12 active patients have visits at two or more months" in str(err)
    else:
        assert np.isfinite(result.estimate)
    assert np.isfinite(analyze(data, analysis).estimate)


def test_a_repeated_row_and_two_scores_at_one_visit_are_told_apart():
    """Both are refused, each with what to do (a DMC review: one message for both)."""
    frame = _trial()
    row = frame[(frame.patient == 0) & (frame.month == 4)]
    with pytest.raises(
        InputError, match=r"patient 0 has two visits at month 4 .*the same row twice"
    ):
        analyze(pd.concat([frame, row]), "lmm_slope")
    other = row.assign(alsfrs_r=row.alsfrs_r + 3)
    score = float(row.alsfrs_r.iloc[0])
    with pytest.raises(InputError, match=rf"scores {score:g} and {score + 3:g}: keep the one"):
        analyze(pd.concat([frame, other]), "lmm_slope")


def test_a_small_trial_with_leavers_warns_that_satterthwaite_is_a_little_liberal():
    """A type I error review: lmm_slope's Satterthwaite test rejects 5.3% at 20 per arm with
    attrition (alpha 0.05); `power` noted it below 15 per arm, `analyze` not at all."""
    frame = _trial(n=12)  # every third patient leaves after month 3

    def small(result):
        return [w for w in result.warnings if " in the smaller arm, some with fewer visits" in w]

    (line,) = small(analyze(frame, "lmm_slope"))
    assert line.startswith("12 patients in the smaller arm, some with fewer visits than others")
    assert "--df-method kenward-roger holds the level" in line
    assert small(analyze(frame, "lmm_slope", df_method="kenward-roger")) == []
    assert small(analyze(frame, "lmm_slope_kr")) == []
    complete = frame[frame.status == "completed"]  # nobody leaves: balanced, exact t
    assert small(analyze(complete, "lmm_slope")) == []
    windows = complete.assign(month=complete.month + 0.2 * (complete.patient % 2))
    assert small(analyze(windows, "lmm_slope")) == []  # visit windows are not leaving
    assert small(analyze(_trial(n=25), "lmm_slope")) == []
    one = frame[(frame.arm == 0) | (frame.patient == 1)]  # one active patient (a DMC review)
    (line,) = small(analyze(one, "lmm_slope"))
    assert line.startswith("1 patient in the smaller arm, some with fewer visits")


def test_the_small_trial_warning_quotes_the_rates_near_its_size():
    """A small-sample review: a trial of 3 per arm was told the rates at 10 and 20 per arm
    (5.3-5.5%), where 6.3% holds, and not that Kenward-Roger is conservative there."""
    frame = _trial(n=12)
    (line,) = [w for w in analyze(frame, "lmm_slope").warnings if "smaller arm" in w]
    assert "5.3-5.5% at 10 and 5.3% at 20 per arm" in line and "conservatively" not in line
    tiny = _trial(n=3)
    (line,) = [w for w in analyze(tiny, "lmm_slope").warnings if "smaller arm" in w]
    assert line.startswith("3 patients in the smaller arm")
    assert "about 6% at 2-4 and 5.8% at 5 per arm" in line
    assert line.endswith("conservatively (0.8% at 2, 2.6% at 3, 4.0% at 4 per arm)")


def _lines(slopes, months=(0.0, 3.0, 6.0, 9.0, 12.0), baseline=40.0, noise=0.0, seed=1):
    """Patients whose scores are ``baseline + slope x month`` (+ ``noise`` SD): one patient
    per slope, arm 0 for the first half."""
    rng = np.random.default_rng(seed)
    rows = []
    half = len(slopes) // 2
    for i, slope in enumerate(slopes):
        for t in months:
            rows.append((i, int(i >= half), t, baseline + slope * t + noise * rng.normal()))
    return pd.DataFrame(rows, columns=["patient", "arm", "month", "alsfrs_r"])


def test_a_fit_without_variation_names_what_the_data_lack():
    """A numerics review: "check that the scores vary within patients over time" where they
    did; what was missing was variation of the slopes within arms (the t-test), of the
    baselines (ANCOVA), or about each patient's line (the mixed model)."""
    same = _lines([-0.5] * 4 + [-0.25] * 4)  # the same slope within each arm
    with pytest.raises(InputError, match=r"every patient's slope is the same within each arm, "):
        analyze(same, "ols_slope_ttest", whole_scores=False)
    for analysis in ("lmm_slope", "lmm_slope_kr"):  # exactly on their lines
        lines = _lines([-0.5, -0.4, -0.6, -0.55, -0.2, -0.3, -0.25, -0.35])
        with pytest.raises(InputError, match=r"every patient's scores lie on a straight line"):
            analyze(lines, analysis, whole_scores=False)
    flat = _lines([-0.5, -0.4, -0.6, -0.55, -0.2, -0.3, -0.25, -0.35], noise=0.5)
    flat.loc[flat.month == 0, "alsfrs_r"] = 40.0  # one baseline for all
    with pytest.raises(InputError, match=r"every completer's month-0 score is 40 points"):
        analyze(flat, "ancova_change", whole_scores=False)
    # with variation each fits (the causes are only looked for when a fit fails)
    noisy = _lines([-0.5, -0.4, -0.6, -0.55, -0.2, -0.3, -0.25, -0.35], noise=0.5)
    for analysis in ("ols_slope_ttest", "lmm_slope", "ancova_change"):
        assert np.isfinite(analyze(noisy, analysis, whole_scores=False).estimate)


def test_the_phase2_reader_refuses_a_column_named_twice(tmp_path):
    """`fit --data` reads its header the same way: a second "month" column was renamed by
    pandas and the first read without a word."""
    from progression.records import load_phase2

    path = tmp_path / "phase2.csv"
    path.write_text("patient,month,alsfrs_r,month\n1,-1,40,5\n1,0,39,6\n")
    with pytest.raises(InputError) as err:
        load_phase2(path)
    assert str(err.value) == f"{path}: column 'month' appears twice in the header"


def test_decimal_commas_mixed_with_points_are_named_as_such(tmp_path):
    """A data manager's review: a semicolon file of decimal commas with one "3.8357" was
    refused at its first "0,0" as "only a file separated by semicolons may use them", in a
    file separated by semicolons. Both kinds are named, each with its line."""
    from designs.analyses.data_file import read_trial_csv

    path = tmp_path / "mixed.csv"
    rows = ["1;0;0,0;40", "1;0;1,0;39", "2;1;0,0;41", "2;1;3.8357;40"]
    path.write_text("patient;arm;month;alsfrs_r\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as err:
        analyze(read_trial_csv(path), "lmm_slope")
    assert str(err.value) == (
        "data: column 'month' mixes decimal commas ('0,0' at line 2) and decimal points "
        "('3.8357' at line 5): write every number of the file one way (decimal commas only "
        "in a file separated by semicolons)"
    )
    path.write_text("patient;arm;month;alsfrs_r\n" + "\n".join(rows[:3]) + "\n2;1;3,8;40\n")
    assert list(read_trial_csv(path)["month"]) == [0.0, 1.0, 0.0, 3.8]  # commas alone: read


def test_a_repeated_name_quoted_after_a_space_is_found_and_an_unread_one_left(tmp_path):
    """A diff review: ', "arm"' (quoted after a space) was compared with its quotes on and
    went unnoticed while pandas read the name arm, renamed it arm.1 and used the first; a
    repeated column no analysis reads (two comments) is renamed by pandas, as before."""
    from designs.analyses.data_file import read_trial_csv

    quoted = tmp_path / "quoted.csv"
    quoted.write_text('patient, arm, month, alsfrs_r, "arm"\n1,0,0,40,1\n1,0,1,39,1\n')
    with pytest.raises(InputError) as err:
        read_trial_csv(quoted)
    assert str(err.value) == f"--data {quoted}: column 'arm' appears twice in the header"
    notes = tmp_path / "notes.csv"
    notes.write_text("patient,arm,month,alsfrs_r,comment,comment\n1,0,0,40,a,b\n1,0,1,39,,\n")
    assert list(read_trial_csv(notes)["alsfrs_r"]) == [40, 39]


def test_the_separator_is_the_headers_commonest(tmp_path):
    """A European data manager's review: a semicolon file whose last column is named
    "Kommentar, frei" was read as comma-separated and refused as "a decimal comma in a
    comma-separated file? ... separate the fields by semicolons", which it was."""
    from designs.analyses.data_file import read_trial_csv
    from progression.csv_lines import field_separator

    assert field_separator("patient;arm;month;alsfrs_r;Kommentar, frei") == ";"
    assert field_separator("patient,arm,month;x,alsfrs_r") == ","
    assert field_separator("patient") == ","
    path = tmp_path / "kommentar.csv"
    path.write_text("patient;arm;month;alsfrs_r;Kommentar, frei\n1;0;0;40;\n1;0;1,5;39;gut\n")
    read = read_trial_csv(path)
    assert list(read["month"]) == [0.0, 1.5] and list(read["alsfrs_r"]) == [40, 39]


@pytest.mark.parametrize("date", ["15.01.2024", "2024-01-15", "1/15/2024"])
def test_a_date_in_the_month_column_is_named_as_one(tmp_path, date):
    """A European data manager's review: "15.01.2024" got "must be numeric" with no word of
    what the column holds."""
    from designs.analyses.data_file import read_trial_csv

    path = tmp_path / "dates.csv"
    path.write_text(f"patient;arm;month;alsfrs_r\n1;0;{date};40\n1;0;1;39\n2;1;0;41\n2;1;1;40\n")
    with pytest.raises(InputError) as err:
        analyze(read_trial_csv(path), "lmm_slope")
    assert str(err.value).endswith(
        "(a date: give months since randomisation, (visit date - "
        "randomisation date) in days / 30.44, negative before it)"
    )
    assert "a date" not in _date_free_message(tmp_path)


def _date_free_message(tmp_path) -> str:
    from designs.analyses.data_file import read_trial_csv

    path = tmp_path / "word.csv"
    path.write_text("patient;arm;month;alsfrs_r\n1;0;baseline;40\n1;0;1;39\n")
    try:
        analyze(read_trial_csv(path), "lmm_slope")
    except InputError as exc:
        return str(exc)
    return ""
