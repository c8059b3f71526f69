"""``analyze``: the decision and interval at the given --alpha and --sides, the df method
named in the text, and bad data files that say what is wrong with them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats


@pytest.fixture(scope="module")
def trial_csv(tmp_path_factory):
    import simulate

    path = tmp_path_factory.mktemp("analyze") / "trial.csv"
    assert simulate.main(["trial", "--n-per-arm", "12", "--out", str(path)]) == 0
    return path


def _json(run, capsys, *args):
    code, out, err = run(capsys, "analyze", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_alpha_sets_the_decision_and_the_interval_level(run, capsys, trial_csv):
    data = ("--data", str(trial_csv))
    base = _json(run, capsys, *data)
    p = base["p_value"]
    above = _json(run, capsys, *data, "--alpha", f"{min(2 * p, 0.9):.6g}")
    below = _json(run, capsys, *data, "--alpha", f"{p / 2:.6g}")
    assert above["significant"] is True and below["significant"] is False
    for res in (base, above, below):
        half = stats.t.ppf(1 - res["alpha"] / 2, res["df"]) * res["se"]
        assert res["ci_level"] == pytest.approx(1 - res["alpha"])
        assert res["ci_low"] == pytest.approx(res["estimate"] - half, rel=1e-12)
        assert res["ci_high"] == pytest.approx(res["estimate"] + half, rel=1e-12)
        # the 95% fields keep their meaning whatever alpha is
        assert res["ci95_low"] == pytest.approx(base["ci95_low"], rel=1e-15)
    code, out, _ = run(capsys, "analyze", *data, "--alpha", "0.1")
    assert code == 0 and "90% CI" in out and "95% CI" not in out
    assert "significant at alpha 0.1, two-sided:" in out


def test_one_sided_gives_the_lower_bound_in_the_direction_of_benefit(run, capsys, trial_csv):
    data = ("--data", str(trial_csv))
    res = _json(run, capsys, *data, "--sides", "1", "--alpha", "0.1")
    t = stats.t.ppf(0.9, res["df"])
    assert res["ci_low"] == pytest.approx(res["estimate"] - t * res["se"], rel=1e-12)
    assert res["ci_high"] is None
    assert res["significant"] == (res["ci_low"] > 0) == (res["p_value"] < 0.1)
    code, out, _ = run(capsys, "analyze", *data, "--sides", "1")
    assert code == 0
    assert "95% bound  >= " in out and "one-sided" in out and "CI" not in out
    assert "significant at alpha 0.05, one-sided (favouring active):" in out


def test_kenward_roger_is_named_in_the_text(run, capsys, trial_csv):
    code, out, _ = run(capsys, "analyze", "--data", str(trial_csv), "--df-method", "kenward-roger")
    assert code == 0
    assert "Kenward-Roger" in out.splitlines()[0]
    code, out, _ = run(capsys, "analyze", "--data", str(trial_csv))
    assert "df_method  satterthwaite" in out


def test_ancova_with_few_completers_warns_on_one_line(run, capsys, tmp_path):
    rng = np.random.default_rng(1)
    rows = ["patient,arm,month,alsfrs_r"]
    for p in range(14):
        last, base = (12 if p < 6 else 6), rng.integers(35, 45)  # 6 of 14 reach month 12
        rows += [f"{p},{p % 2},{t},{base - t + rng.integers(0, 4)}" for t in range(last + 1)]
    path = tmp_path / "few.csv"
    path.write_text("\n".join(rows) + "\n")
    args = ("analyze", "--data", str(path), "--analysis", "ancova_change")
    code, out, err = run(capsys, *args, "--last-month", "12", "--json")
    assert code == 0
    warned = [line for line in err.splitlines() if "ancova_change" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: ancova_change: only 6 of 14")
    assert json.loads(out)["warnings"] == [warned[0].removeprefix("warning: ")]
    code, out, err = run(capsys, *args)  # default: month 6, where most records end
    assert code == 0 and "month 0 to month 6" in out
    # ... said, since 6 patients go on to month 12 (a review: heavy attrition moved it early)
    # (a first run also notes that it compiled the kernels: only the warnings here)
    assert [line for line in err.splitlines() if line.startswith("warning:")] == [
        "warning: ancova_change: the last visit taken is month 6, the most common last "
        "visit (8 of 14 patients); 6 have visits after it (up to month 12): give "
        "--last-month with the last scheduled visit if it is later"
    ]
    # an edge-design review: with months off the schedule the most common last visit can
    # be month 0 for a few patients; the refusal says how few ("most" said otherwise)
    jittered = tmp_path / "jittered.csv"
    lines = ["patient,arm,month,alsfrs_r"]
    for p in range(20):
        months = [0.0] if p < 2 else [0.0, 1.0 + 0.01 * p, 12.0 + 0.01 * p]
        lines += [f"{p},{p % 2},{t},{40 - int(t)}" for t in months]
    jittered.write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, "analyze", "--data", str(jittered), "--analysis", "ancova_change")
    assert code == 2 and "the most common last visit is month 0, for 2 of 20 patients" in err


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (("--last-month", "12"), "--last-month: only with --analysis ancova_change or joint_rank"),
        (
            ("--analysis", "ancova_change", "--last-month", "0"),
            "--last-month 0: must be > 0 and at most 120 (months)",
        ),
        (  # a diff review: 5000 months passed
            ("--analysis", "joint_rank", "--last-month", "5000"),
            "--last-month 5000: must be > 0 and at most 120 (months)",
        ),
        (  # the end of follow-up cannot come before a visit the file holds
            ("--analysis", "joint_rank", "--last-month", "6"),
            "last_month (--last-month) 6.0: must be a number of months no earlier than the "
            "file's last visit, month 12 (the end of follow-up)",
        ),
        (  # a diff review: --last-month made --df-method pass unread
            ("--analysis", "ancova_change", "--last-month", "12", "--df-method", "kenward-roger"),
            "--df-method: only lmm_slope offers a choice, not 'ancova_change'",
        ),
    ],
)
def test_last_month_refused_where_it_means_nothing(run, capsys, trial_csv, extra, says):
    code, out, err = run(capsys, "analyze", "--data", str(trial_csv), *extra)
    assert code == 2 and out == "" and err.strip() == f"error: {says}"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(
    run, capsys, trial_csv, tmp_path, sep, result_of
):
    import pandas as pd

    frame = pd.read_csv(trial_csv)
    path = tmp_path / "sep.csv"
    # a semicolon file from a spreadsheet in a decimal-comma locale: months 0,5 ... 12,5
    frame.assign(month=frame["month"] + 0.5 * (frame["month"] > 0)).to_csv(
        path, sep=sep, decimal="," if sep == ";" else ".", index=False
    )
    comma = tmp_path / "comma.csv"
    frame.assign(month=frame["month"] + 0.5 * (frame["month"] > 0)).to_csv(comma, index=False)
    assert result_of(_json(run, capsys, "--data", str(path))) == result_of(
        _json(run, capsys, "--data", str(comma))
    )


def _scores(path, score):
    rows = ["patient,arm,month,alsfrs_r"]
    rows += [f"{p},{p % 2},{t},{score(p, t)}" for p in range(8) for t in range(4)]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("score", "analysis", "says"),
    [
        (lambda p, t: 40, "lmm_slope", "every score is 40; the scores do not vary"),
        (lambda p, t: 40, "ancova_change", "every score is 40; the scores do not vary"),
        (lambda p, t: 40 - p, "ols_slope_ttest", "no patient's score changes between visits"),
        # every patient loses exactly 1 point a month: slopes without spread (said so: a
        # numerics review found "the fit is degenerate" where the scores did vary)
        (
            lambda p, t: 40 - p - t,
            "ols_slope_ttest",
            "on 4 placebo and 4 active patients (every patient's slope is the same within each "
            "arm, placebo -1 and active -1 points/month: the t-test's standard error is 0)",
        ),
    ],
)
def test_scores_that_do_not_vary_are_named(run, capsys, tmp_path, score, analysis, says):
    path = _scores(tmp_path / "s.csv", score)
    code, out, err = run(capsys, "analyze", "--data", path, "--analysis", analysis)
    assert code == 2 and out == "" and says in err and err.count("\n") == 1
    assert "each arm needs at least 2" not in err


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        # a missed visit exported as an empty score: the row goes (a review of one's records)
        ("", "missing (empty or NA); a visit not made has no row: delete it"),
        ("NA", "missing (empty or NA); a visit not made has no row: delete it"),
        ("inf", "inf is not a finite number"),
    ],
)
def test_fit_names_a_missing_score_like_analyze(run, capsys, tmp_path, cell, says):
    """``fit --data`` (progression.records): the column and line, not ``np.float64(nan)``."""
    path = tmp_path / "phase2.csv"
    path.write_text(f"patient,month,alsfrs_r\n1,-1,40\n1,0,40\n1,1,{cell}\n1,2,38\n")
    code, out, err = run(capsys, "fit", "--data", str(path), "--out", str(tmp_path / "p.nc"))
    assert code == 2 and out == "" and not (tmp_path / "p.nc").exists()
    # named by its option (a scripting review)
    assert err == f"error: --data {path}: row 3 (line 4), column 'alsfrs_r': {says}\n"


@pytest.mark.parametrize(
    ("argv", "prior_sd"),
    [
        (("--decision", "posterior"), 10.0),  # the vague prior N(0, 10^2)
        (("--decision", "posterior", "--prior", "sceptical"), 0.076),
        (("--decision", "posterior", "--set", "decision.margin=0.05"), 10.0),
    ],
)
def test_the_posterior_rule_on_the_data_matches_the_conjugate_normal(
    argv, prior_sd, run, capsys, trial_csv
):
    """A Bayesian review: the protocol's Bayesian final analysis could not be run on real
    data. ``analyze --decision posterior`` applies the design's rule to the estimate and SE;
    under one normal prior N(0, s^2) the posterior is normal in closed form."""
    res = _json(run, capsys, "--data", str(trial_csv), *argv)
    est, se = res["estimate"], res["se"]
    var = 1 / (1 / prior_sd**2 + 1 / se**2)
    margin = res["decision_rule"]["margin"]
    expected = stats.norm.sf(margin, var * est / se**2, np.sqrt(var))
    assert res["posterior_probability"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert res["posterior_success"] == (expected > res["threshold"] == 0.975)
    code, out, _ = run(capsys, "analyze", "--data", str(trial_csv), *argv)
    assert code == 0
    assert f"posterior rule: P(effect > {margin:g} | data) = {expected:.4f}" in out


def test_the_robust_prior_on_the_data_matches_quadrature(
    run, capsys, trial_csv, tmp_path, fake_posterior
):
    """The robust prior borrowing from a phase 2 posterior: P(effect > 0 | data) against a
    quadrature of prior x likelihood over the prior's components as the JSON states them."""
    from scipy import integrate

    path = tmp_path / "posterior.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    argv = ("--decision", "posterior", "--prior", "robust", "--prior-weight", "0.5")
    res = _json(run, capsys, "--data", str(trial_csv), *argv, "--posterior", str(path))
    parts = res["decision_rule"]["prior_components"]

    def joint(t):
        prior = sum(c["weight"] * stats.norm.pdf(t, c["mean"], c["sd"]) for c in parts)
        return prior * stats.norm.pdf(res["estimate"], t, res["se"])

    lo, hi = res["estimate"] - 12 * res["se"], res["estimate"] + 12 * res["se"]
    above = integrate.quad(joint, 0.0, hi, limit=200)[0]
    below = integrate.quad(joint, lo, 0.0, limit=200)[0]
    assert res["posterior_probability"] == pytest.approx(above / (above + below), rel=1e-7)
    assert res["decision_rule"]["effective_sample_size"]["phase2"] > 0
    # the posterior's components by quadrature too: each one's share of the evidence
    post = res["posterior_components"]
    assert len(post) == len(parts)
    for c, q in zip(post, parts, strict=True):
        share = integrate.quad(
            lambda t, q=q: (
                q["weight"]
                * stats.norm.pdf(t, q["mean"], q["sd"])
                * stats.norm.pdf(res["estimate"], t, res["se"])
            ),
            lo,
            hi,
            limit=200,
        )[0] / (above + below)
        assert c["weight"] == pytest.approx(share, rel=1e-6)
    code, out, _ = run(capsys, "analyze", "--data", str(trial_csv), *argv, "--posterior", str(path))
    assert code == 0
    robust = post[-1]["weight"]
    assert f"the robust component's weight {robust:.3f} against 0.500 in the prior" in out
    # weight 1: phase 2 alone, no robust component to read (a review: a phase 2
    # component's weight was read as the robust one's)
    whole = [a if a != "0.5" else "1" for a in argv]
    code, out, _ = run(
        capsys, "analyze", "--data", str(trial_csv), *whole, "--posterior", str(path)
    )
    assert code == 0 and "posterior of the effect" in out and "robust component" not in out


def test_the_frequentist_analysis_is_unchanged_and_the_rule_needs_points_per_month(
    run, capsys, trial_csv
):
    res = _json(run, capsys, "--data", str(trial_csv))
    assert "posterior_probability" not in res and "decision_rule" not in res
    code, out, err = run(
        capsys, "analyze", "--data", str(trial_csv), "--analysis", "joint_rank",
        "--decision", "posterior",
    )  # fmt: skip
    assert code == 2 and out == "" and "needs an estimate and standard error in points/month" in err


def test_the_designs_analysis_is_the_default_and_takes_last_month(run, capsys, trial_csv):
    """``--analysis`` defaults to the design's ``trial.analysis`` (the twenty-seventh sitting),
    so a design analysed by ancova_change takes ``--last-month`` without naming it."""
    data = ("--data", str(trial_csv), "--json")
    code, out, err = run(capsys, "analyze", *data, "--set", 'trial.analysis="ancova_change"')
    assert code == 0, err
    import json

    res = json.loads(out)
    assert res["units"] == "points"  # ancova_change's (change to the last visit)
    code, out, err = run(
        capsys, "analyze", *data, "--set", 'trial.analysis="ancova_change"', "--last-month", "12"
    )
    assert code == 0, err
    assert json.loads(out)["estimate"] == res["estimate"]  # 12 is the month most records end at


def test_a_simulated_trial_judged_at_another_level_than_its_design_is_said(run, capsys, tmp_path):
    """An own-design review: a trial simulated one-sided at 0.025 was judged at the default
    design's 0.05 two-sided without a word, though its sidecar records its design."""
    data = tmp_path / "t.csv"
    one_sided = ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    code, _, _ = run(capsys, "trial", "--n-per-arm", "15", *one_sided, "--out", str(data))
    assert code == 0
    code, _, err = run(capsys, "analyze", "--data", str(data))
    assert code == 0
    assert "was simulated from a design at alpha 0.025 one-sided" in err
    assert "judged it at alpha 0.05 two-sided" in err
    for same in (["--alpha", "0.025", "--sides", "1"], one_sided):
        code, _, err = run(capsys, "analyze", "--data", str(data), *same)
        assert code == 0 and "was simulated from" not in err
    # another level asked for: said without advice (a diff review)
    code, _, err = run(capsys, "analyze", "--data", str(data), "--alpha", "0.01")
    assert code == 0 and "judged it at alpha 0.01 two-sided, as asked" in err
    # at a look, where --alpha and --sides are refused, the advice is --design or --set
    code, _, err = run(capsys, "analyze", "--data", str(data), "--look", "1", "--looks", "0.5,1")
    assert code == 0 and "--set trial.alpha and trial.sides" in err
    # a posterior-rule design's level does not decide it: no note
    posterior = tmp_path / "p.csv"
    rule = ["--set", 'decision.rule="posterior"']
    code, _, _ = run(capsys, "trial", "--n-per-arm", "15", *rule, "--out", str(posterior))
    code, _, err = run(capsys, "analyze", "--data", str(posterior), "--alpha", "0.01")
    assert code == 0 and "was simulated from" not in err


def test_visit_windows_do_not_read_as_leaving(run, capsys, trial_csv, tmp_path):
    """A diff review: visits moved within +-0.45 months of a monthly schedule counted 13
    completers as leavers (their last visit at 11.6 against a latest of 12.4). The counts
    are those of the same trial on its scheduled months."""
    import pandas as pd

    data = pd.read_csv(trial_csv)
    rng = np.random.default_rng(8)
    shift = np.where(data["month"] > 0, rng.uniform(-0.45, 0.45, len(data)), 0.0)
    moved = tmp_path / "windows.csv"
    data.assign(month=(data["month"] + shift).round(2)).to_csv(moved, index=False)
    on = _json(run, capsys, "--data", str(trial_csv))["leaving"]
    off = _json(run, capsys, "--data", str(moved))["leaving"]
    assert on["placebo_left"] + on["active_left"] > 0
    assert (off["placebo_left"], off["active_left"]) == (on["placebo_left"], on["active_left"])


def test_the_end_of_follow_up_given_is_the_leaving_lines(run, capsys, trial_csv):
    """A diff review: with joint_rank's --last-month the line still counted against the
    file's last visit month."""
    default = _json(run, capsys, "--data", str(trial_csv), "--analysis", "joint_rank")
    later = _json(
        run, capsys, "--data", str(trial_csv), "--analysis", "joint_rank", "--last-month", "14"
    )
    assert default["leaving"]["end_given"] is False and later["leaving"]["end_given"] is True
    assert later["leaving"]["last_month"] == 14.0
    # followed to month 12 of 14: every patient's record ends before the end given
    n = later["n_placebo"], later["n_active"]
    assert (later["leaving"]["placebo_left"], later["leaving"]["active_left"]) == n


def test_the_patients_who_left_and_the_analysis_strategy_are_said(run, capsys, tmp_path):
    """A missing-data review: the command used on the real trial never said how many
    patients left, nor what the analysis assumes of them. Counted here by hand: placebo
    patient 1 stops at month 6, active patients 5 and 7 at months 3 and 9, of 4 + 4."""
    rng = np.random.default_rng(5)
    ends = {1: 6, 5: 3, 7: 9}
    rows = ["patient,arm,month,alsfrs_r"]
    for p in range(8):
        base = int(rng.integers(36, 44))
        for t in range(ends.get(p, 12) + 1):
            rows.append(f"{p},{int(p >= 4)},{t},{base - t // 2 - int(rng.integers(0, 2))}")
    path = tmp_path / "left.csv"
    path.write_text("\n".join(rows) + "\n")
    got = _json(run, capsys, "--data", str(path))
    assert got["leaving"] == {
        "last_month": 12.0, "end_given": False, "placebo": 4, "placebo_left": 1, "active": 4,
        "active_left": 2, "placebo_died": None, "active_died": None,
        "leaving_strategy": "missing at random", "death_strategy": "hypothetical",
    }  # fmt: skip
    code, out, _ = run(capsys, "analyze", "--data", str(path), "--analysis", "ols_slope_ttest")
    assert code == 0
    (line,) = [ln for ln in out.splitlines() if ln.startswith("  leaving")]
    assert "1 of 4 placebo and 2 of 4 active patients' records end a visit or more before " in line
    assert "month 12 (the file's last)" in line
    assert "ols_slope_ttest's strategy for leaving alive: while observed, for death: while " in line
    assert "missing not at random (e.g. a tipping point) is not run here" in line
    # nobody left: no line, and null in the JSON
    whole = tmp_path / "whole.csv"
    keep = [r for r in rows[1:] if int(r.split(",")[0]) not in ends]
    whole.write_text("\n".join([rows[0], *keep]) + "\n")
    assert _json(run, capsys, "--data", str(whole))["leaving"] is None
    # visit months around the schedule (11.8, 12.2) are not leaving (a diff review: 58 of
    # 60 read as gone where 65 of 120 had completed)
    jitter = tmp_path / "jitter.csv"
    moved = [rows[0]]
    for k, r in enumerate(rows[1:]):
        p, a, t, y = r.split(",")
        shift = (-0.2, 0.0, 0.2)[k % 3] if int(t) > 0 else 0.0
        moved.append(f"{p},{a},{int(t) + shift:g},{y}")
    jitter.write_text("\n".join(moved) + "\n")
    left = _json(run, capsys, "--data", str(jitter))["leaving"]
    assert (left["placebo_left"], left["active_left"]) == (1, 2)
    # ancova_change names those it leaves out in its warning: no 'leaving' there
    assert _json(run, capsys, "--data", str(path), "--analysis", "ancova_change")["leaving"] is None


def test_the_leaving_line_tells_deaths_from_dropouts(run, capsys, tmp_path):
    """A survival review: 23 deaths and 19 dropouts read as 42 "leaving", though the file's
    status column tells them apart. Counted by hand: placebo patient 1 died after month 6;
    active patient 5 dropped out after month 3 and patient 7 died after month 9; patient 6's
    status is given on its first row only (the others empty)."""
    rows = ["patient,arm,month,alsfrs_r,status,exit_month"]
    ends = {1: (6, "death"), 5: (3, "dropout"), 7: (9, "death")}
    for p in range(8):
        end, status = ends.get(p, (12, "completed"))
        for t in range(end + 1):
            given = "" if p == 6 and t > 0 else status
            exit_month = f"{end + 0.5:g}" if status != "completed" else ""
            rows.append(f"{p},{int(p >= 4)},{t},{40 - t // 2},{given},{exit_month}")
    path = tmp_path / "status.csv"
    path.write_text("\n".join(rows) + "\n")
    for analysis in ("lmm_slope", "joint_rank"):
        got = _json(run, capsys, "--data", str(path), "--analysis", analysis)["leaving"]
        assert (got["placebo_left"], got["active_left"]) == (1, 2)
        assert (got["placebo_died"], got["active_died"]) == (1, 1)
    code, out, _ = run(capsys, "analyze", "--data", str(path))
    assert code == 0
    assert "(the file's last; of them 1 placebo and 1 active died, as column status gives)" in out
    # a status the rows do not give one way: no split (joint_rank refuses such a file)
    unclear = tmp_path / "unclear.csv"
    text = path.read_text()
    assert "\n5,1,3,39,dropout," in text
    unclear.write_text(text.replace("\n5,1,3,39,dropout,", "\n5,1,3,39,death,"))
    got = _json(run, capsys, "--data", str(unclear))["leaving"]
    assert got["placebo_died"] is None and got["active_died"] is None
    # labels it does not know: no split either (a diff review: "dead" read as 0 deaths)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(text.replace(",death,", ",dead,"))
    got = _json(run, capsys, "--data", str(unknown))["leaving"]
    assert got["placebo_died"] is None and got["active_died"] is None
