"""`analyze` on files as exports write them (a data manager's review): a ``#`` line is a
comment only above the header, so that a patient id "#3" or a quoted note's second line
starting with "#" is data, as R's ``read.csv`` reads it (both were dropped, and the estimate
moved without a word); empty rows of separators are skipped; a title above the header, a
decimal comma where points are read, an arm coded TRUE/FALSE and missing scores are refused
with a line that says what to do."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from tests.analyses.test_analyze_inputs import _trial


def _analyze(capsys, path):
    import simulate

    code = simulate.main(["analyze", "--data", str(path), "--json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err.strip()


@pytest.fixture()
def clean(tmp_path, capsys):
    path = tmp_path / "clean.csv"
    frame = _trial()
    frame.to_csv(path, index=False)
    code, result, _ = _analyze(capsys, path)
    assert code == 0
    return frame, result


def _same(a, b):
    """The same patients and result; to 1e-9 relative, as renaming a patient reorders the
    sums (the review's silent cases moved the estimate by 1% to 50%)."""
    counts = all(a[k] == b[k] for k in ("n_placebo", "n_active"))
    keys = ("estimate", "se", "df", "p_value")
    return counts and all(math.isclose(a[k], b[k], rel_tol=1e-9) for k in keys)


def test_hash_lines_below_the_header_are_data(tmp_path, capsys, clean):
    frame, expected = clean
    ids = frame.copy()
    ids["patient"] = [f"#{p}" if p == 3 else str(p) for p in ids.patient]
    ids.to_csv(tmp_path / "ids.csv", index=False)
    code, result, _ = _analyze(capsys, tmp_path / "ids.csv")
    assert code == 0 and _same(result, expected)
    # a note whose second line starts with #: 1 in 5 rows (the review's silent case read
    # 8 + 32 patients of 40)
    notes = frame.copy()
    notes["note"] = ["missed visit\n#2 reason: travel" if i % 5 == 0 else "" for i in notes.index]
    text = "# exported 2024-01-01\n# second comment\n" + notes.to_csv(index=False)
    (tmp_path / "notes.csv").write_text(text)
    code, result, _ = _analyze(capsys, tmp_path / "notes.csv")
    assert code == 0 and _same(result, expected)


def test_empty_rows_of_separators_and_a_quoted_comma_in_a_semicolon_header(tmp_path, capsys, clean):
    frame, expected = clean
    (tmp_path / "excel.csv").write_text(frame.to_csv(index=False) + ",,,,,\n,,,,,\n")
    code, result, _ = _analyze(capsys, tmp_path / "excel.csv")
    assert code == 0 and _same(result, expected)
    semi = frame.assign(visit="v")
    text = semi.to_csv(index=False, sep=";").replace(";visit\n", ';"visit, name"\n', 1)
    (tmp_path / "semi.csv").write_text(text)
    code, result, err = _analyze(capsys, tmp_path / "semi.csv")
    assert code == 0 and _same(result, expected), err


def test_a_title_above_the_header_is_named(tmp_path, capsys, clean):
    """It was read as the header, and the message blamed line 2's field count."""
    frame, _ = clean
    text = "Study CL2020, ALSFRS-R listing\n\n" + frame.to_csv(index=False)
    (tmp_path / "t.csv").write_text(text)
    code, _, err = _analyze(capsys, tmp_path / "t.csv")
    assert code == 2 and len(err.splitlines()) == 1
    assert "the header (patient, arm, month, ...) is on line 3, not the first" in err


def test_decimal_commas_arm_booleans_and_missing_scores_say_what_to_do(tmp_path, capsys, clean):
    frame, _ = clean
    tab = frame.assign(month=frame.month.map(lambda m: f"{m},0"))
    tab.to_csv(tmp_path / "tab.csv", index=False, sep="\t")
    code, _, err = _analyze(capsys, tmp_path / "tab.csv")
    assert code == 2 and "a decimal comma: only a file separated by semicolons" in err
    booleans = frame.assign(arm=frame.arm.map({0: "FALSE", 1: "TRUE"}))
    booleans.to_csv(tmp_path / "tf.csv", index=False)
    code, _, err = _analyze(capsys, tmp_path / "tf.csv")
    assert code == 2 and "column 'arm' must be 0/1, placebo/control" in err
    missing = frame.astype({"alsfrs_r": object})
    missing.loc[[4, 9, 30], "alsfrs_r"] = "NA"
    missing.to_csv(tmp_path / "na.csv", index=False)
    code, _, err = _analyze(capsys, tmp_path / "na.csv")
    assert code == 2 and "in 3 rows, the first at line 6" in err
    assert "delete the rows of visits without a score" in err


def test_joint_rank_refuses_exits_after_follow_up_and_warns_of_short_completers():
    """A data manager's review: exit months in days (105 for 3.5 months), or a death at month
    500 of a 6-month file, were ranked as given, and a completed patient whose visits stop
    at month 3 of 6 counted as followed to the end, each without a word."""
    from designs.analyses.registry import analyze
    from designs.errors import InputError

    frame = _trial()
    whole = analyze(frame, "joint_rank")
    assert not any("marked completed" in w for w in whole.warnings)
    days = frame.copy()
    days.loc[days.status != "completed", "exit_month"] = 105.0
    with pytest.raises(InputError, match=r"left at month 105, after the file's last visit"):
        analyze(days, "joint_rank")
    late = frame.copy()
    late.loc[late.patient == 2, "exit_month"] = 500.0  # patient 2 died (pid % 3 == 2)
    with pytest.raises(InputError, match=r"patient 2 \(death\) left at month 500"):
        analyze(late, "joint_rank")
    # an exit at the last visit month itself is within follow-up
    at_end = frame.copy()
    at_end.loc[at_end.patient == 2, "exit_month"] = 6.0
    assert math.isfinite(analyze(at_end, "joint_rank").estimate)
    short = frame[~((frame.patient == 0) & (frame.month > 3))]
    result = analyze(short, "joint_rank")
    (line,) = [w for w in result.warnings if "marked completed" in w]
    assert line.startswith("1 patient marked completed has no visit at the last month 6")
    assert "(patient 0: last visit at month 3)" in line


def test_joint_rank_takes_the_end_of_follow_up_given_where_nobody_reached_it():
    """A CAFS review: in a file where every patient died or left before the last scheduled
    visit, the file's last visit month was taken as the end of follow-up, the exits after
    it were refused, and --last-month was refused for joint_rank. Given, it is the end of
    follow-up; the scores are the slow pairwise rule's (tests/analyses/test_joint_rank.py)."""
    from designs.analyses.registry import analyze
    from designs.errors import InputError
    from tests.analyses.test_joint_rank import slow_cafs

    frame = _trial()
    left = frame[frame.status != "completed"]  # visits 0-3, exits at month 3.5
    with pytest.raises(InputError, match=r"left at month 3.5, after the file's last visit"):
        analyze(left, "joint_rank")
    got = analyze(left, "joint_rank", last_month=6)
    people = left.groupby("patient", sort=False)
    arm = people["arm"].first().to_numpy()
    death = np.where(people["status"].first() == "death", 3.5, np.inf)
    change = np.stack([g["alsfrs_r"].to_numpy(float) - g["alsfrs_r"].iloc[0] for _, g in people])
    _, estimate, p = slow_cafs(arm, death, np.full(arm.size, 3.5), np.full(arm.size, 4), change)
    assert got.estimate == pytest.approx(estimate, abs=1e-12)
    assert got.p_value == pytest.approx(p, rel=1e-9)
    # the end of follow-up cannot come before a visit the file holds
    with pytest.raises(InputError, match=r"no earlier than the file's last visit, month 3"):
        analyze(left, "joint_rank", last_month=2)
    # on a whole file the file's last month is the default: the same result
    whole = analyze(frame, "joint_rank")
    assert analyze(frame, "joint_rank", last_month=6).estimate == whole.estimate


def test_the_visit_months_read_are_shown_and_a_baseline_before_month_0_is_named(
    tmp_path, capsys, clean
):
    """A data manager's review: months given in weeks (0-48) read as a slope per month a
    quarter of the truth with nothing shown to notice it by; a baseline dated 2 days before
    randomisation (month -0.07) was left out for every patient under a warning that did not
    say these were the baselines."""
    import simulate

    frame, _ = clean
    weeks = frame.assign(month=frame.month * 4)
    weeks.to_csv(tmp_path / "weeks.csv", index=False)
    assert simulate.main(["analyze", "--data", str(tmp_path / "weeks.csv")]) == 0
    visits = f"the file holds {len(frame):,} visits of {frame.patient.nunique()} patients"
    assert f"  visits     months 0 to 24, 7 distinct; {visits}\n" in capsys.readouterr().out
    code, result, _ = _analyze(capsys, tmp_path / "weeks.csv")
    months = result["visit_months"]
    assert code == 0 and (months["first"], months["last"], months["distinct"]) == (0.0, 24.0, 7)
    # and what the file holds, to reconcile with a database (a DMC review)
    assert (months["visits"], months["patients"]) == (len(frame), frame.patient.nunique())
    early = frame.assign(month=frame.month.where(frame.month > 0, -0.07))
    early.to_csv(tmp_path / "early.csv", index=False)
    code, _, err = _analyze(capsys, tmp_path / "early.csv")
    assert code == 0
    assert "24 of 24 patients have visits before month 0 and none at month 0" in err
    # a screening visit before a baseline at month 0 is a lead-in, not a baseline
    screening = pd.concat([frame, frame[frame.month == 0].assign(month=-1.0)])
    screening.to_csv(tmp_path / "screening.csv", index=False)
    code, _, err = _analyze(capsys, tmp_path / "screening.csv")
    assert code == 0 and "visits at months before 0" in err and "none at month 0" not in err


def test_patients_without_a_lead_in_slope_are_named_as_such(tmp_path, capsys):
    """A lead-in review: patients left out of slope_change_lead_in for lack of lead-in
    visits were given only the reason of leaving early."""
    import simulate

    path = tmp_path / "lead_in.csv"
    argv = ["trial", "--design", "lead_in", "--n-per-arm", "10", "--out", str(path)]
    assert simulate.main(argv) == 0
    frame = pd.read_csv(path)
    three = frame.patient.unique()[:3]
    short = frame[~(frame.patient.isin(three) & (frame.month < 0))]
    short.to_csv(tmp_path / "short.csv", index=False)
    capsys.readouterr()
    argv = ["analyze", "--data", str(tmp_path / "short.csv"), "--analysis", "slope_change_lead_in"]
    assert simulate.main(argv) == 0
    err = capsys.readouterr().err
    assert "(3 of them lack the lead-in's 2 visits)" in err


def test_joint_rank_names_a_missed_visit_and_off_schedule_months():
    """A CAFS review: a missed visit and visit months off the nominal ones (visit windows)
    were both refused as "joint_rank needs monotone dropout", the second for the wrong
    reason."""
    from designs.analyses.registry import analyze
    from designs.errors import InputError

    frame = _trial()
    missed = frame[~((frame.patient == 0) & (frame.month == 2))]
    with pytest.raises(InputError, match=r"patient 0 misses the visit at month 2 before their"):
        analyze(missed, "joint_rank")
    one_off = frame.assign(month=frame.month.where(frame.patient != 0, frame.month * 1.05))
    with pytest.raises(InputError, match=r"patient 0 has a visit at month 1\.05, not one of the"):
        analyze(one_off, "joint_rank")
    jitter = np.random.default_rng(1).uniform(-0.2, 0.2, len(frame))
    windows = frame.assign(month=frame.month.where(frame.month == 0, frame.month + jitter))
    with pytest.raises(InputError, match=r"the visit months differ from patient to patient"):
        analyze(windows, "joint_rank")


def test_joint_ranks_interval_says_its_variance_is_the_null_one():
    """A CAFS review: the 95% CI of joint_rank is built from the rank-sum variance under no
    effect (SD of the estimate 0.070 against a mean SE of 0.075 under an effect), unsaid."""
    from designs.analyses.registry import analyze
    from designs.outputs.analysis_text import result_text

    text = result_text("joint_rank", "t.csv", analyze(_trial(), "joint_rank").to_dict())
    assert "probability (from the rank-sum variance under no effect: conservative" in text
    lmm = result_text("lmm_slope", "t.csv", analyze(_trial(), "lmm_slope").to_dict())
    assert "rank-sum" not in lmm


def test_joint_ranks_json_carries_its_intervals_note(tmp_path, capsys):
    """A pipeline author's review: the note on the interval was in the text only."""
    import simulate
    from designs.outputs.analysis_text import JOINT_RANK_CI_NOTE

    path = tmp_path / "t.csv"
    _trial().to_csv(path, index=False)
    for analysis, note in (("joint_rank", JOINT_RANK_CI_NOTE), ("lmm_slope", None)):
        assert (
            simulate.main(["analyze", "--data", str(path), "--analysis", analysis, "--json"]) == 0
        )
        assert json.loads(capsys.readouterr().out).get("ci_note") == note


def test_joint_rank_names_the_patient_with_the_off_schedule_month():
    """A diff review: with patient 5's month 6 moved to 6.5, patient 0 (complete) was named,
    as every patient followed past 6.5 failed before patient 5 did."""
    from designs.analyses.registry import analyze
    from designs.errors import InputError

    frame = _trial()
    completer = frame[frame.status == "completed"].patient.unique()[2]
    odd = frame.assign(
        month=frame.month.where(~((frame.patient == completer) & (frame.month == 5)), 5.5)
    )
    with pytest.raises(InputError, match=rf"patient {completer} has a visit at month 5\.5"):
        analyze(odd, "joint_rank")


def test_blank_lines_among_the_comments_and_a_missing_arm(tmp_path, capsys, clean):
    """A diff review: a blank line between two comment lines above the header was read as
    the end of the comments (the file refused, with advice to start lines with # that did);
    a missing arm was told to delete the visit's row, as a missing score is."""
    frame, expected = clean
    (tmp_path / "c.csv").write_text("# a\n\n# b\n" + frame.to_csv(index=False))
    code, result, err = _analyze(capsys, tmp_path / "c.csv")
    assert code == 0 and _same(result, expected), err
    no_arm = frame.astype({"arm": object})
    no_arm.loc[4, "arm"] = ""
    no_arm.to_csv(tmp_path / "arm.csv", index=False)
    code, _, err = _analyze(capsys, tmp_path / "arm.csv")
    assert code == 2 and "give every row its arm" in err and "delete" not in err


def test_the_arm_labels_read_as_placebo_and_active_are_shown(tmp_path, capsys, clean):
    """A data manager's review: arms coded the other way round gave the same output with the
    sign flipped, and nothing showed which label of the file became placebo."""
    import simulate

    frame, result = clean
    assert result["arm_labels"] == {"placebo": ["0"], "active": ["1"]}
    words = frame.assign(arm=frame.arm.map({0: " Placebo ", 1: "ACTIVE"}))
    words.to_csv(tmp_path / "words.csv", index=False)
    assert simulate.main(["analyze", "--data", str(tmp_path / "words.csv")]) == 0
    line = "  arms       placebo 'Placebo', active 'ACTIVE' (the labels of column arm); "
    assert line + "estimates are active minus placebo\n" in capsys.readouterr().out
    mixed = frame.assign(arm=frame.arm.map({0: "control", 1: "treatment"}))
    mixed.loc[mixed.index[:3], "arm"] = mixed.loc[mixed.index[:3], "arm"].str.upper()
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    code, out, _ = _analyze(capsys, tmp_path / "mixed.csv")
    first = "CONTROL" if frame.arm.iloc[0] == 0 else "TREATMENT"
    assert code == 0 and first in out["arm_labels"]["placebo" if first == "CONTROL" else "active"]
    assert set(out["arm_labels"]["placebo"]) <= {"control", "CONTROL"}


def test_values_that_read_as_missing_value_codes_are_warned_about(tmp_path, capsys, clean):
    """A data manager's review: a month of 99 (a missing-value code) was analysed as a visit,
    shown only as "months 0 to 99"; with --continuous-scores a score of -99 was analysed. Both
    still are, now with a warning; an ordinary file gets none of it."""
    import simulate

    frame, result = clean
    assert not any("missing-value code" in w for w in result["warnings"])
    coded = frame.copy()
    coded.loc[coded.index[-1], "month"] = 99.0
    coded.to_csv(tmp_path / "month99.csv", index=False)
    code, _, err = _analyze(capsys, tmp_path / "month99.csv")
    last = frame.month.drop(frame.index[-1]).max()
    assert code == 0
    assert f"1 visit at month 99, far beyond every other (the others end at month {last:g})" in err
    scores = frame.assign(alsfrs_r=frame.alsfrs_r.astype(float))
    scores.loc[scores.index[:2], "alsfrs_r"] = -99.0
    scores.to_csv(tmp_path / "score99.csv", index=False)
    argv = ["analyze", "--data", str(tmp_path / "score99.csv"), "--continuous-scores"]
    assert simulate.main(argv) == 0
    assert "2 ALSFRS-R scores far outside 0-48 (e.g. -99)" in capsys.readouterr().err


def test_the_text_gives_the_fitted_models_variance_components():
    """A lead-in review and the diff review after it: the JSON gave the mixed model's REML
    variances and the lead-in analysis' variance and coefficient, the text none of them.
    The text's model line repeats the result's own numbers: the correlation is the
    covariance over the product of the SDs (by hand for the made-up values below)."""
    from designs.analyses.registry import analyze
    from designs.outputs.analysis_text import model_text, result_text

    out = analyze(_trial(), "lmm_slope").to_dict()
    (line,) = [x for x in result_text("lmm_slope", "t.csv", out).splitlines() if "model" in x]
    assert line.strip() == f"model      {model_text(out)}"
    made = {
        "random_effects_cov": [[4.0, 0.3], [0.3, 0.09]],
        "residual_var": 3.5,
        "reml_criterion": 1234.5678,
        "converged": False,
    }
    assert model_text(made) == (
        "REML variances: residual 3.5 points^2; random intercept 4 points^2, slope 0.09 "
        "(points/month)^2, correlation 0.500; -2 REML log-likelihood 1234.568; did NOT converge"
    )
    singular = {**made, "random_effects_cov": [[4.0, 0.0], [0.0, 0.0]], "converged": True}
    assert "correlation undefined (a variance at 0); " in model_text(singular)
    lead_in = {"lead_in_coefficient": 0.28, "residual_var": 4.0, "slope_var_unexplained": 0.4}
    assert model_text(lead_in) == (
        "residual variance 4 points^2, unexplained slope variance 0.4 (points/month)^2; "
        "lead-in slope coefficient 0.28"
    )
    equal = {**lead_in, "residual_var": math.nan, "slope_var_unexplained": math.nan}
    assert model_text(equal).startswith("patients weighted equally (no variance components)")
    assert model_text(analyze(_trial(), "ols_slope_ttest").to_dict()) == ""
