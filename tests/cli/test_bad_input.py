"""Bad input on the command line: exit status 2, one line naming the field, nothing written.

One table of cases, run in-process through ``simulate.main`` (fast), plus a subprocess check
that a real run prints no traceback.
"""

import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "invalid.toml").write_text("[trial\nn_per_arm = 3\n")
    (d / "latin1.toml").write_bytes("[trial]\nname = 'caf\xe9'\n".encode("latin-1"))
    (d / "unknown_key.toml").write_text("[population]\nslop_mean = -1.0\n")
    (d / "negative_sd.toml").write_text("[population]\nslope_sd = -0.3\n")
    (d / "twice.csv").write_text("patient ,arm,month,alsfrs_r,patient\n1,0,0,40,1\n")
    (d / "kind_only.toml").write_text('[effect]\nkind = "slope_difference"\n')
    (d / "arm_drug.csv").write_text("patient,arm,month,alsfrs_r\n1,drug,0,40\n1,drug,1,39\n")
    (d / "nan.toml").write_text("[population]\nresidual_sd = nan\n")
    (d / "unequal.toml").write_text(
        "[trial]\nallocation = { placebo = 1, active = 2 }\nn_total = 90\n"
    )
    (d / "empty.csv").write_text("")
    (d / "far_month.csv").write_text(
        "patient,arm,month,alsfrs_r\n1,0,0,40\n1,0,1e300,39\n2,1,0,40\n2,1,1,39\n"
    )
    (d / "no_arm.csv").write_text("patient,month,alsfrs_r\n1,0,40\n1,1,39\n")
    (d / "arm2.csv").write_text(
        "patient,arm,month,alsfrs_r\n1,2,0,40\n1,2,1,39\n2,0,0,40\n2,0,1,39\n"
    )
    (d / "nan_score.csv").write_text(
        "patient,arm,month,alsfrs_r\n1,1,0,40\n1,1,1,\n2,0,0,40\n2,0,1,39\n"
    )
    (d / "latin1.csv").write_bytes("patient,arm,month,alsfrs_r\n\xe9,1,0,40\n".encode("latin-1"))
    (d / "a_folder").mkdir()
    (d / "notes.txt").write_text("my notes, not an output of this tool\n")
    (d / "README.md").write_text("# My project\nIt uses als-trial-sim for planning.\n")
    (d / "old_report").mkdir()
    (d / "old_report" / "methods.md").write_text("# My own methods notes\n")
    import os
    import shutil

    from progression.records import BUNDLED_PHASE2

    shutil.copy(BUNDLED_PHASE2, d / "phase2.csv")
    os.mkfifo(d / "fifo")
    (d / "not_netcdf.nc").write_text("hello")
    import numpy as np
    import xarray as xr

    post = xr.Dataset({"delta": (("chain", "draw"), np.zeros((1, 10)))})
    old = xr.DataTree.from_dict({"posterior": post})
    old.attrs = {"model_version": "old", "data_sha256": "0", "seed": 1, "illustrative_data": 1}
    old.to_netcdf(d / "old_model.nc", engine="h5netcdf")
    other = xr.DataTree.from_dict({"posterior": post})
    other.to_netcdf(d / "not_ours.nc", engine="h5netcdf")
    # reliability review: inputs that ended in tracebacks or ran silently
    from progression.model import MODEL_VERSION

    (d / "deep.toml").write_text("[trial]\nname = " + "[" * 100_000 + "]" * 100_000 + "\n")
    (d / "huge_name.toml").write_text(f"[trial]\nname = '{'x' * 1_000_000}'\n")
    ours = {"model_version": MODEL_VERSION, "data_sha256": "0", "seed": 1, "illustrative_data": 1}
    slope = (("chain", "draw"), np.full((1, 10), -1.0))
    for name, delta in (
        ("no_delta", None),
        ("text_delta", (("chain", "draw"), np.full((1, 10), "a"))),
        ("zero_draws", (("chain", "draw"), np.zeros((1, 0)))),
    ):
        body = {"pre_slope_mean": slope if name != "zero_draws" else delta}
        if delta is not None:
            body["delta"] = delta
        tree = xr.DataTree.from_dict({"posterior": xr.Dataset(body)})
        tree.attrs = ours
        tree.to_netcdf(d / f"{name}.nc", engine="h5netcdf")
    (d / "taken.nc.cells").write_text("a file where the sweep keeps its cells\n")
    head = "patient,arm,month,alsfrs_r\n"
    rows = "1,1,0,40\n1,1,1,39\n2,0,0,40\n2,0,1,39\n3,1,0,41\n3,1,1,40\n4,0,0,40\n4,0,1,38\n"
    for name, score in (("score49", "49"), ("score_neg", "-1"), ("score_half", "3.5")):
        (d / f"{name}.csv").write_text(head + rows + f"4,0,2,{score}\n")
    (d / "both_arms.csv").write_text(head + rows + "1,0,2,38\n")
    return d


#: How ``--refine-trials`` states its range.
REFINE_RANGE = "must be 0 (one stage) or a whole number of trials from 10 to 10,000,000"

CASES = [
    # (arguments, a word the error line must contain)
    (["power", "--trials", "0"], "--trials"),
    (["power", "--trials", "-5"], "--trials"),
    (["power", "--trials", "many"], "--trials"),
    (["power", "--trials", "1000000000000"], "--trials"),
    (["power", "--n-per-arm", "1"], "--n-per-arm"),
    (["power", "--n-per-arm", "2.5"], "--n-per-arm"),
    (["power", "--effect", "nan"], "--effect"),
    (["power", "--effect", "inf"], "--effect"),
    (["power", "--seed", "-1"], "--seed"),
    (["power", "--threads", "0"], "--threads"),
    (["power", "--threads", "256"], "--threads"),
    (["power", "--analysis", "anova"], "--analysis"),
    (["power", "--n-per-arm", "10", "--n-total", "20"], "--n-total"),
    (["power", "--design", "no_such_design"], "no_such_design"),
    (["power", "--design", "{d}/invalid.toml"], "invalid.toml"),
    (["power", "--design", "{d}/latin1.toml"], "latin1.toml"),
    (["power", "--design", "{d}/unknown_key.toml"], "slop_mean"),
    (["power", "--design", "{d}/negative_sd.toml"], "slope_sd"),
    (["power", "--design", "{d}/nan.toml"], "residual_sd"),
    (["power", "--design", "{d}/unequal.toml", "--n-per-arm", "40"], "n_per_arm"),
    (["power", "--design", "{d}/missing.toml"], "missing.toml"),
    (["trial", "--out", "{d}/a_folder"], "--out"),
    (["trial", "--out", "/proc/no_such_dir/trial.csv"], "--out"),
    (["trial", "--n-per-arm", "0", "--out", "{d}/never.csv"], "--n-per-arm"),
    # delta-FS of 40+ points/month: the design check refuses a range that admits nobody
    (["trial", "--set", "enrichment.delta_fs_min=40", "--out", "{d}/never.csv"], "delta_fs_min"),
    # losing 25+ points in a 3-month lead-in: allowed, but screening cannot fill the arm,
    # so no partial trial is written (it used to be)
    (
        [
            "trial",
            "--design",
            "lead_in",
            "--n-per-arm",
            "5",
            "--out",
            "{d}/never.csv",
            "--set",
            "enrichment.lead_in_decline_min=25",
        ],
        "screening admitted fewer than 5",
    ),
    (["analyze", "--data", "{d}/nothing_here.csv"], "--data"),
    (["analyze", "--data", "{d}/empty.csv"], "--data"),
    (["analyze", "--data", "{d}/latin1.csv"], "latin1.csv"),
    (["analyze", "--data", "{d}/no_arm.csv"], "arm"),
    (["analyze", "--data", "{d}/arm2.csv"], "arm"),
    (["analyze", "--data", "{d}/nan_score.csv"], "alsfrs_r"),
    (["analyze", "--data", "{d}/arm2.csv", "--alpha", "1.5"], "--alpha"),
    (["no-such-command"], "no-such-command"),
    (["assurance", "--posterior", "{d}/missing.nc"], "--posterior"),
    (["assurance", "--posterior", "{d}/not_netcdf.nc"], "--posterior"),
    (["assurance", "--posterior", "{d}/not_ours.nc"], "not a posterior written by this tool"),
    (["assurance", "--posterior", "{d}/old_model.nc"], "model version"),
    (["power", "--set", "population.slope_sd=-1"], "slope_sd"),
    (["power", "--set", "nonsense"], "--set"),
    (["sweep", "--n-per-arm", "10:5:1", "--out", "{d}/never.nc"], "--n-per-arm"),
    (["sweep", "--n-per-arm", "10:50:0", "--out", "{d}/never.nc"], "--n-per-arm"),
    (["sweep", "--informative", "99", "--out", "{d}/never.nc"], "--informative"),
    (["sweep", "--slope-sd", "-0.1", "--out", "{d}/never.nc"], "--slope-sd"),
    (["sample-size", "--target-power", "1.5"], "--target-power"),
    (["sample-size", "--refine-trials", "5", "--sizes", "20", "40"], "--refine-trials"),
    (["sample-size", "--refine-trials", "-1"], "--refine-trials"),
    # with looks it is the second stage of the fixed search n max is scaled from
    (["sample-size", "--looks", "0.5,1", "--refine-trials", "5"], "--refine-trials"),
    # --refine-trials: one line naming the flag and its range (0, or 10 to MAX_TRIALS)
    (["sample-size", "--refine-trials", "5"], f"--refine-trials: '5': {REFINE_RANGE}"),
    (["sample-size", "--refine-trials", "1e9"], f"--refine-trials: '1e9': {REFINE_RANGE}"),
    (
        ["sample-size", "--refine-trials", "10000001", "--figure", "{d}/never.png"],
        f"--refine-trials: '10000001': {REFINE_RANGE}",
    ),
    (
        ["report", "--refine-trials", "5", "--out", "{d}/never_report"],
        f"--refine-trials: '5': {REFINE_RANGE}",
    ),
    (
        ["report", "--refine-trials", "-3", "--out", "{d}/never_report"],
        f"--refine-trials: '-3': {REFINE_RANGE}",
    ),
    (
        ["report", "--looks", "0.5,1", "--refine-trials", "5", "--out", "{d}/never_report"],
        f"--refine-trials: '5': {REFINE_RANGE}",
    ),
    # a group-sequential sample size (issue 16): bad looks, a table format it does not write,
    # an analysis that cannot be analysed at the looks
    (["sample-size", "--looks", "0.7,0.5", "--trials", "10"], "interim.looks"),
    (["sample-size", "--looks", "0.5,1", "--spending", "hsd:99"], "interim.gamma"),
    (
        ["sample-size", "--looks", "0.5,1", "--sizes", "20", "30", "--format", "latex"],
        "--format",
    ),
    (["sample-size", "--looks", "0.5,1", "--analysis", "ancova_change"], "interim.looks"),
    (["report", "--looks", "0.5,0.4,1", "--out", "{d}/never_report"], "interim.looks"),
    (["sweep", "--looks", "0.5,x", "--out", "{d}/never.nc"], "--looks '0.5,x'"),
    # a CLI review: `--looks 0.5 1` is one plan in power, two in sweep; 0.5 alone was refused
    # as "interim.looks = [0.5]: must end at 1", not naming the sweep's grammar
    (["sweep", "--looks", "0.5", "1", "--out", "{d}/never.nc"], "each word is one interim plan"),
    # percentages in a sweep's effect grid: all or none, and a proportional slowing only
    (["sweep", "--effect", "20%,0.3", "--out", "{d}/never.nc"], "every value as a percentage"),
    (
        ["sweep", "--effect", "20%", "--set", "effect.kind=slope_difference", "--out", "{d}/x.nc"],
        "--effect 20%: a percentage needs effect.kind = proportional_slowing",
    ),
    (
        ["sweep", "--looks", "fixed", "0.5,1", "--spending", "wang", "--out", "{d}/never.nc"],
        "--spending",
    ),
    (
        ["sweep", "--looks", "fixed", "0.5,1", "--analysis", "ancova_change", "--out", "{d}/n.nc"],
        "--analysis ancova_change",
    ),
    (
        ["report", "--looks", "0.5,1", "--analysis", "ancova_change", "--out", "{d}/never_r"],
        "interim.looks",
    ),
    (["fit", "--data", "{d}/arm2.csv", "--out", "{d}/never.nc"], "arm2.csv"),
    # no abbreviations: --futility was read as --futility-predictive (a diff review)
    (["sweep", "--futility", "obf", "--n-per-arm", "50", "--out", "{d}/n.nc"], "--futility"),
    (["power", "--trial", "100"], "--trial"),
    # outputs never destroy inputs or other files (reliability review)
    (["fit", "--data", "{d}/phase2.csv", "--out", "{d}/phase2.csv"], "ending in .nc"),
    (["fit", "--data", "{d}/phase2.csv", "--out", "{d}/not_ours.nc"], "--force"),
    (["trial", "--design", "{d}/negative_sd.toml", "--out", "{d}/negative_sd.toml"], "--out"),
    (["trial", "--design", "{d}/unequal.toml", "--out", "{d}/unequal.toml"], "--design"),
    (["trial", "--out", "{d}/notes.txt"], "--force"),
    (["trial", "--out", "{d}/README.md"], "--force"),  # mentions the tool, but is no output
    (["sample-size", "--sizes", "20", "--trials", "20", "--out", "{d}/README.md"], "--force"),
    (["trial", "--design", "default", "--out", "{lib}/default.toml", "--force"], "--design"),
    (["report", "--out", "{d}/old_report"], "--force"),
    (["trial", "--out", "{d}/fifo"], "not a regular file"),
    (["sample-size", "--sizes", "20", "--trials", "20", "--out", "{d}/notes.txt"], "--force"),
    (["sweep", "--n-per-arm", "20", "--out", "{d}/notes.txt"], "ending in .nc"),
    (["sweep", "--n-per-arm", "20", "--out", "{d}/new_sweep.txt"], "ending in .nc"),
    (["sweep", "--n-per-arm", "20", "--out", "{d}/not_ours.nc"], "--force"),
    (
        [
            "sweep",
            "--n-per-arm",
            "20",
            "--posterior",
            "{d}/old_model.nc",
            "--out",
            "{d}/old_model.nc",
        ],
        "--posterior",
    ),
    # named by its option, as analyze names it (a scripting review)
    (["fit", "--data", "{d}/nothing_here.csv"], "--data {d}/nothing_here.csv: cannot read file"),
    # reliability review: tracebacks instead of one line
    (["power", "--design", "{d}/deep.toml"], "at most 32"),
    (["power", "--set", "trial.name=" + "[" * 100_000 + "]" * 100_000], "at most 32"),
    (["power", "--n-per-arm", "100000000"], "at most 10,000,000"),
    (["power", "--n-per-arm", str(2**63 - 1)], "at most 10,000,000"),
    (["power", "--n-per-arm", "1" + "0" * 22], "at most 10,000,000"),
    (["trial", "--index", "1" + "0" * 23, "--out", "{d}/never.csv"], "9,223,372,036,854,775,807"),
    (["assurance", "--posterior", "{d}/no_delta.nc"], "'delta' is missing"),
    (["assurance", "--posterior", "{d}/text_delta.nc"], "not numbers"),
    (["assurance", "--posterior", "{d}/zero_draws.nc"], "0 draws"),
    (
        [
            "sweep",
            "--n-per-arm",
            "20",
            "--assurance",
            "--posterior",
            "{d}/no_delta.nc",
            "--out",
            "{d}/never.nc",
        ],
        "'delta' is missing",
    ),
    (
        [
            "sweep",
            "--n-per-arm",
            "20",
            "--assurance",
            "--posterior",
            "{d}/zero_draws.nc",
            "--out",
            "{d}/never.nc",
        ],
        "0 draws",
    ),
    (["trial", "--out", "/proc/trial.csv"], "--out"),
    # "(No such file or directory)" of a folder that exists (a pipeline author's review)
    (["report", "--out", "/proc/x"], "files cannot be created on its file system"),
    (["trial", "--out", "{d}/" + "x" * 300 + ".csv"], "at most"),
    (["sweep", "--n-per-arm", "20", "--out", "{d}/taken.nc"], "not a folder"),
    (["power", "--seed", str(2**63)], "9,223,372,036,854,775,807"),
    (["sweep", "--n-per-arm", "20", "--seed", str(2**63), "--out", "{d}/never.nc"], "--seed"),
    (["fit", "--seed", str(2**63), "--out", "{d}/never.nc"], "--seed"),
    # reliability review: accepted silently, or ran to a meaningless number
    (["power", "--n-per-arm", "10000000"], "patient-visits"),
    # the size the user gave is the one named, with its own limit
    (["power", "--n-total", "1000000"], "trial.n_total = 1,000,000"),
    (["power", "--n-total", "1000000"], "n_total <= 769,230"),
    (["power", "--n-per-arm", "1000000"], "n_per_arm <= 384,615"),
    (
        [
            "power",
            "--set",
            "trial.lead_in_months=12",
            "--set",
            "trial.lead_in_visit_interval_months=0.0001",
        ],
        "visits per patient",
    ),
    (["power", "--set", "effect.value=1e300"], "effect.value"),
    (["power", "--set", "population.slope_mean=-1e300"], "population.slope_mean"),
    (["power", "--set", "trial.visits_months=[0, 0.001]"], "[1, 120] months"),
    (["power", "--set", "trial.lead_in_months=24"], "longer than the trial"),
    (["power", "--design", "{d}/huge_name.toml"], "at most 200"),
    (["sweep", "--duration", "10000", "--out", "{d}/never.nc"], "--duration"),
    (["power", "--set", "dropout.death_monthly_hazard=1000"], "death_monthly_hazard"),
    (["power", "--set", "population.residual_sd=1e200"], "residual_sd"),
    (  # a diff review: the looks' information crashed with LinAlgError's traceback
        [
            "power",
            "--looks",
            "0.5,1",
            "--set",
            "population.residual_sd=0",
            "--set",
            "population.integer_scores=false",
        ],
        "singular",
    ),
    (["power", "--trials", "20", "--set", "dropout.monthly_hazard=9"], "failed in all 20"),
    (["power", "--set", "trial.n_per_arm=50\n[dropout]\nmonthly_hazard=0.5"], "one TOML value"),
    (
        [
            "sample-size",
            "--sizes",
            "20",
            "30",
            "--trials",
            "10",
            "--analysis",
            "slope_change_lead_in",
            "--out",
            "{d}/NEW/DIR/x.md",
        ],
        "lead_in",
    ),
    (["fit", "--data", "{d}/fifo", "--out", "{d}/never.nc"], "not a regular file"),
    # analyze refuses impossible scores as fit does (one rule), at the file's line
    (["analyze", "--data", "{d}/score49.csv"], "line 10, column 'alsfrs_r': 49 is outside 0-48"),
    (["analyze", "--data", "{d}/score_neg.csv"], "-1 is outside 0-48"),
    (["analyze", "--data", "{d}/score_half.csv"], "3.5 is not a whole number"),
    (["analyze", "--data", "{d}/arm2.csv"], "at line 2"),  # the file's line, not row 0
    (["analyze", "--data", "{d}/both_arms.csv"], "patient '1' appears in both arms"),
    # group-sequential designs ([interim], --looks, --spending, --futility)
    (["power", "--looks", "0.5,0.4,1"], "interim.looks = [0.5, 0.4, 1]: must be strictly"),
    (["power", "--looks", "0.5", "1.2"], "interim.looks = [0.5, 1.2]: must lie in (0, 1]"),
    (["power", "--looks", "0", "1"], "interim.looks = [0, 1]: must lie in (0, 1]"),
    (["power", "--looks", "0.5,0.9"], "must end at 1"),
    (["power", "--looks", "0.5,x"], "--looks 0.5,x: 'x' is not a number"),
    (["power", "--looks", "0.5,1", "--spending", "hsd:9"], "interim.gamma = 9: must be in"),
    (["power", "--looks", "0.5,1", "--spending", "hsd"], "--spending 'hsd': give hsd:GAMMA"),
    (["power", "--looks", "0.5,1", "--spending", "obf:2"], "--spending 'obf:2'"),
    (["power", "--looks", "0.5,1", "--spending", "wang"], "--spending 'wang': must be one of"),
    (["power", "--looks", "0.5,1", "--analysis", "ancova_change"], "interim.looks: trial.analysis"),
    (["power", "--looks", "0.5,1", "--futility", "obf"], "interim.futility = 'obf': needs a one"),
    (
        ["power", "--looks", "0.5,1", "--futility", "hsd:-20", "--set", "trial.sides=1"],
        "interim.futility_gamma = -20",
    ),
    (
        ["power", "--set", "interim.looks=[0.5, 1]", "--set", "interim.futility_beta=0.6"],
        "futility_beta",
    ),
    # fields read only by another setting, refused instead of ignored (independent review)
    (
        ["power", "--looks", "0.5,1", "--set", "interim.user_spending=[0.2,1]"],
        "interim.user_spending = [0.2, 1]: read only with interim.spending = 'user' "
        "(spending is 'obf')",
    ),
    (
        ["power", "--looks", "0.5,1", "--set", "interim.gamma=-2"],
        "interim.gamma = -2: read only with interim.spending = 'hsd' or 'power'",
    ),
    (
        ["power", "--looks", "0.5,1", "--futility", "cp:0.2", "--set", "interim.futility_beta=0.1"],
        "interim.futility_beta = 0.1: read only with interim.futility = 'obf', 'pocock' or 'hsd'",
    ),
    (
        ["power", "--prior", "robust", "--prior-weight", "0.5", "--threshold", "0.99"],
        "--prior robust: decision.prior is read only with decision.rule = 'posterior' (the rule "
        "is 'frequentist')",
    ),
    (["power", "--prior-weight", "0.5"], "--prior-weight 0.5: decision.prior_weight is read"),
    (["power", "--threshold", "0.99"], "--threshold 0.99: decision.threshold is read only"),
    (  # a Bayesian review: --threshold was ignored beside --thresholds
        [
            "power",
            "--looks",
            "0.5,1",
            "--decision",
            "posterior",
            "--thresholds",
            "0.99,0.98",
            "--threshold",
            "0.9",
        ],
        "--threshold: this design's looks are judged by decision.thresholds",
    ),
    (  # a diff review: nor beside the design's own per-look thresholds
        [
            "power",
            "--looks",
            "0.5,1",
            "--decision",
            "posterior",
            "--set",
            "decision.thresholds=[0.995,0.98]",
            "--threshold",
            "0.5",
        ],
        "judged by decision.thresholds",
    ),
    (["sample-size", "--set", "decision.margin=0.05"], "--set decision.margin=0.05: decision."),
    (["power", "--decision", "frequentist", "--set", "decision.vague_sd=5"], "vague_sd is read"),
    (
        ["sweep", "--n-per-arm", "50", "--prior", "sceptical", "--out", "{d}/never.nc"],
        "--prior sceptical: decision.prior is read only",
    ),
    (
        ["report", "--no-assurance", "--threshold", "0.99", "--out", "{d}/never"],
        "--threshold 0.99: decision.threshold is read only",
    ),
    # interim options on a design without looks would be ignored
    (["power", "--spending", "pocock"], "--spending pocock: this design has no interim looks"),
    (["sample-size", "--futility", "obf"], "--futility obf: this design has no interim looks"),
    (
        ["report", "--no-assurance", "--set", 'interim.spending="pocock"', "--out", "{d}/never"],
        "--set interim.spending: this design has no interim looks",
    ),
    (["analyze", "--data", "{d}/x.csv", "--earlier-df", "30"], "--earlier-df: only with --look K"),
    (
        [
            "analyze",
            "--data",
            "{d}/x.csv",
            "--look",
            "2",
            "--looks",
            "0.5,1",
            "--earlier-se",
            "0.1",
            "--earlier-df",
            "30",
            "40",
        ],
        "--earlier-df: look 2 needs the df of each earlier look (1 value, as analyze printed "
        "them), got 2",
    ),
    (
        [
            "analyze",
            "--data",
            "{d}/x.csv",
            "--look",
            "2",
            "--looks",
            "0.5,1",
            "--earlier-se",
            "0.1",
            "--earlier-df",
            "0",
        ],
        "--earlier-df 0: each must be finite and > 0",
    ),
    (
        [
            "analyze",
            "--data",
            "{d}/x.csv",
            "--look",
            "2",
            "--looks",
            "0.5,1",
            "--decision",
            "posterior",
            "--earlier-df",
            "30",
        ],
        "--earlier-df: the posterior rule judges each look on its own data",
    ),
    (  # a sweep's --looks grid takes its own dimensions (--set reached no cell)
        [
            "sweep",
            "--looks",
            "0.5,1",
            "--set",
            'interim.information="planned"',
            "--out",
            "{d}/n.nc",
        ],
        "--set interim.information: this design has no interim looks, so it would be ignored; "
        "give it to every plan with --information",
    ),
    (
        ["sweep", "--looks", "fixed", "--information", "planned", "--out", "{d}/n.nc"],
        "--information: no cell has interim looks, so the information alpha spending reads would "
        "be ignored",
    ),
    (
        ["sweep", "--looks", "0.5,1", "--information", "plan", "--out", "{d}/n.nc"],
        "--information 'plan': must be one of observed, planned",
    ),
    (
        ["sweep", "--n-per-arm", "30", "--analysis", "slope_change_lead_in", "--out", "{d}/n.nc"],
        "--analysis slope_change_lead_in: needs trial.lead_in_months > 0",
    ),
    (
        ["sweep", "--decision", "posterior", "--prior-weight", "0:1:0.5", "--out", "{d}/n.nc"],
        "a grid of prior weights needs the posterior rule with the robust prior",
    ),
    (
        ["power", "--decision", "posterior", "--prior-weight", "0.5"],
        "--prior-weight 0.5: decision.prior_weight is read only with decision.prior = 'robust'",
    ),
    (["sample-size", "--n-per-arm", "50"], "--n-per-arm 50: sample-size finds n itself"),
    # a command-line review: accepted and ignored (report wrote "n_per_arm = 50" into its
    # design.toml, every number the same)
    # a stress review: the message named effect.value = 0.25, which was fine
    (["sample-size", "--set", "population.slope_mean=0"], "population.slope_mean = 0: a 25%"),
    (["sample-size", "--n-total", "300"], "--n-total 300: sample-size finds n itself (--sizes"),
    (["report", "--n-per-arm", "50", "--out", "{d}/r"], "--n-per-arm 50: report finds n itself"),
    (["designs", "--set", "trial.n_per_ar=3"], "designs list: takes no --set"),
    (["designs", "list", "default"], "designs list: takes no design name"),
    (
        ["sample-size", "--out", "{d}/x.png", "--figure", "{d}/x.png"],
        "x.png: is also --out",
    ),
    (
        ["calibrate", "--prior", "vague", "--prior-weight", "0.5"],
        "--prior-weight 0.5: decision.prior_weight is read only with decision.prior = 'robust'",
    ),
    # calibrate: too few null trials (10 gave a threshold of 0.94 with an MC SE of 0.002
    # where 0.977 is right), and options it would ignore
    (["calibrate", "--trials", "399"], "needs at least 400 trials under no effect"),
    (["calibrate", "--trials", "999", "--target", "0.01"], "needs at least 1,000 trials"),
    (["calibrate", "--looks", "0.5,1", "--trials", "100"], "needs at least 400 trials"),
    (["calibrate", "--effect", "0.5"], "--effect: calibrate simulates every trial with no"),
    (["calibrate", "--decision", "frequentist"], "--decision frequentist: calibrate finds"),
    # --posterior where nothing reads it (a missing file was accepted in silence)
    (["power", "--posterior", "{d}/none.nc"], "read only by the posterior rule's robust prior"),
    (["sample-size", "--posterior", "{d}/none.nc"], "--posterior"),
    (["calibrate", "--posterior", "{d}/none.nc"], "with a weight above 0"),
    (["report", "--no-assurance", "--posterior", "{d}/none.nc", "--out", "{d}/r"], "drop one"),
    (
        [
            "sweep",
            "--n-per-arm",
            "30,40",
            "--decision",
            "posterior",
            "--posterior",
            "{d}/none.nc",
            "--out",
            "{d}/s.nc",
        ],
        "read here only for --assurance",
    ),
    (["analyze", "--data", "{d}/none.csv", "--seed", "3"], "unrecognized arguments: --seed"),
    # a mistyped option, command, choice, section or key names the one probably meant: the
    # options of the subcommand given, not the top level's
    (["power", "--n-per-am", "20"], "--n-per-am 20 (did you mean '--n-per-arm'?)"),
    (["sample-size", "--target-powr", "0.8"], "(did you mean '--target-power'?)"),
    (["powr"], "(did you mean 'power'?)"),
    (["power", "--analysis", "lmm_slop"], "(did you mean 'lmm_slope'?)"),
    (["power", "--set", "trial.n_per_am=20"], "unknown key (did you mean 'n_per_arm'?)"),
    (["power", "--set", "trail.n_per_arm=20"], "trail: unknown section (did you mean 'trial'?)"),
    (["power", "--design", "proact_lead"], "unknown name (did you mean 'proact_lead_in'?)"),
    (["sample-size", "--format", "md", "--out", "{d}/t.csv"], "is a csv file by its suffix"),
    (["sample-size", "--out", "{d}/ss.xlsx"], "a sample-size table is text; give a file ending"),
    (["power", "--set", "n_per_arm=150"], "section.key=value (did you mean 'trial.n_per_arm'?)"),
    (["sample-size", "--target-power", "80x%"], "'80x%': must be a finite number or percentage"),
    (["sample-size", "--target-power", "180%"], "--target-power 1.8: must be in (0, 1)"),
    (["sample-size", "--looks", "0.5", "1", "--out", "{d}/t.tex"], "no latex table with --looks"),
    (
        ["power", "--set", 'effect.kind="proportional_slowng"'],
        "(did you mean 'proportional_slowing'?)",
    ),
    (["power", "--looks", "0.5,1", "--posterior", "{d}/none.nc"], "read only by the posterior"),
    (["calibrate", "--set", "effect.value=0.3"], "--set effect.value: calibrate simulates"),
    # the effect drawn from phase 2 where the fixed effect is simulated (a review)
    (["power", "--set", 'effect.source="posterior"'], "set effect.source = 'fixed'"),
    (["trial", "--set", 'effect.source="posterior"', "--out", "{d}/t.csv"], "assurance"),
    # injection: control characters in names
    (["power", "--set", 'trial.name="x\\u001b[2Jy"'], "control character"),
    (["power", "--set", 'trial.name="a\\nb"'], "control character"),
    (["power", "--set", 'sources.decline="Smith \\u202e5202"'], "control character"),
    # a reliability review: an empty name printed design lines starting ": 100 per arm"
    (["power", "--set", 'trial.name=""'], "trial.name: empty; give 1 to"),
    # a fuzz review: an analysis or target given twice counted every trial twice (MC SE
    # sqrt(2) too small); a new effect.kind read the value underneath in the old unit; prior
    # SDs that over- or underflow when squared gave a power of 0; a lost number in the looks
    (["power", "--analysis", "lmm_slope", "lmm_slope"], "lmm_slope is given twice"),
    (["sweep", "--analysis", "ols_slope_ttest", "ols_slope_ttest", "--out", "{d}/s.nc"], "twice"),
    (["sample-size", "--target-power", "0.8", "0.8"], "--target-power 0.8: given twice"),
    (["power", "--set", 'effect.kind="slope_difference"'], "without effect.value: the value"),
    (["power", "--design", "{d}/kind_only.toml"], "give effect.value in points/month too"),
    (
        ["power", "--decision", "posterior", "--set", "decision.vague_sd=1e200"],
        "decision.vague_sd = 1e+200: must be in [1e-06, 1e+06] (points/month)",
    ),
    (
        ["power", "--decision", "posterior", "--set", "decision.sceptical_sd=1e-160"],
        "must be in [1e-06, 1e+06]",
    ),
    (
        [
            *("power", "--decision", "posterior", "--prior", "robust", "--prior-weight", "0.5"),
            *("--set", "decision.robust_sd=1e-160"),
        ],
        "decision.robust_sd = 1e-160: must be 0 (unit information) or in [1e-06, 1e+06]",
    ),
    (["power", "--looks", "0.5,,1"], "--looks 0.5,,1: an empty item between commas"),
    (["analyze", "--data", "{d}/twice.csv"], "column 'patient' appears twice in the header"),
    (["sample-size", "--sizes", "1", "2"], "--sizes 1: must be >= 3 (patients per arm)"),
    (["assurance", "--posterior", "{d}/a_folder"], "a_folder: a folder, not a file"),
    (["analyze", "--data", "{d}/arm_drug.csv"], "placebo/control or active/treatment/treated"),
    (["power", "--set", "effect.wane_months=12"], "read only when the effect wanes"),
    (["power", "--set", "interim.looks=2"], "interim.looks = 2: must be a list of numbers"),
    # a decline typed as a positive rate (a statistician's review: it ran, "25% slowing" of
    # an improving population, n = 1015)
    (
        ["sample-size", "--set", "population.slope_mean=0.95"],
        "population.slope_mean = 0.95: must be <= 0 (points/month; decline is negative: a "
        "loss of 0.95 points/month is written -0.95)",
    ),
    # a Bayesian review: an unbounded margin crashed the futility rule at looks with a
    # traceback (1e300); a margin no null trial can pass made calibrate give threshold 0.0
    (
        [
            *("power", "--decision", "posterior", "--looks", "0.5,1"),
            *("--futility-predictive", "0.5", "--set", "decision.margin=1e300"),
        ],
        "decision.margin = 1e+300: must be in [-10, 10] (points/month)",
    ),
    (
        ["calibrate", "--trials", "400", "--threads", "1", "--set", "decision.margin=1"],
        "decision.margin = 1: with no effect P(effect > 1 | data) is 0 to double precision",
    ),
    # ... and calibrate --looks --thresholds first sent the user to add --decision posterior,
    # only for the next run to refuse --thresholds
    (
        ["calibrate", "--looks", "0.5,1", "--thresholds", "0.99", "0.98", "--trials", "400"],
        "--thresholds: calibrate finds one threshold common to every look; drop --thresholds",
    ),
    # a reliability review: report --out '' wrote the report into the current folder,
    # sample-size --out '' wrote nothing without a word, --out res/ wrote a file "res"
    (["report", "--no-assurance", "--out", ""], "--out: empty; give a path"),
    (["sample-size", "--out", ""], "--out: empty; give a path"),
    (["sample-size", "--out", "{d}/res/"], "res/: names a folder (ends in /); give a file name"),
    (["trial", "--out", "-"], "--out -: standard output is not used; give a file name"),
    (["analyze", "--data", "-"], "--data -: standard input is not used; give a file name"),
    (["trial", "--out", "{d}/res/"], "res/: names a folder (ends in /); give a file name"),
    (["sample-size", "--figure", "{d}/fig.png/"], "fig.png/: names a folder (ends in /)"),
    (["analyze", "--data", ""], "--data: empty; give a path"),
    (["analyze", "--data", "{d}/far_month.csv"], "column 'month' = 1e+300 at line 3: beyond"),
    (["fit", "--out", "{d}/f.txt"], "f.txt: a posterior is a netCDF file; give a name ending in"),
    # ... and --set silently won over the option for the same field, in either order, and a
    # key given twice in --set took its last value (a TOML file refuses a key twice)
    (
        ["power", "--n-per-arm", "50", "--set", "trial.n_per_arm=60"],
        "--n-per-arm and --set trial.n_per_arm: both set trial.n_per_arm; give one",
    ),
    (["power", "--set", "effect.value=0.2", "--effect", "0.3"], "--effect and --set effect."),
    (
        [
            *("power", "--decision", "posterior", "--threshold", "0.99"),
            "--set",
            "decision.threshold=0.98",
        ],
        "--threshold and --set decision.threshold",
    ),
    (["power", "--set", "trial.n_per_arm=60", "--set", "trial.n_per_arm=70"], "given twice"),
    # ... and an accrual of 1e-300 patients/month ran, printing look months of 300 digits
    (
        ["power", "--looks", "0.5,1", "--set", "trial.accrual_per_month=1e-300"],
        "trial.accrual_per_month = 1e-300: must be in [0.1, 1e+06] (patients/month)",
    ),
    (
        [
            *("power", "--set", "accrual.ramp_rate_per_month=[1e-300]"),
            *("--set", "accrual.ramp_until_month=[3]"),
        ],
        "accrual.ramp_rate_per_month = [1e-300]: must be rates in [0.1, 1e6] patients/month",
    ),
    # the design explorer: a port outside 1-65535 is refused before anything starts
    (["explore", "--port", "0", "--no-browser"], "--port"),
    (["explore", "--port", "70000", "--no-browser"], "--port"),
]


@pytest.mark.parametrize(("argv", "word"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_exits_2_with_one_line(argv, word, files, capsys, run):
    before = set(files.rglob("*"))
    from designs.spec import LIBRARY_DIR

    argv = [a.replace("{d}", str(files)).replace("{lib}", str(LIBRARY_DIR)) for a in argv]
    word = word.replace("{d}", str(files))
    code, _, err = run(capsys, *argv)
    err = err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert word in err, err
    assert "Traceback" not in err
    assert set(files.rglob("*")) == before  # nothing written, not even a temporary file


def test_no_traceback_in_a_real_process(tmp_path, run_cli):
    out = run_cli("power", "--design", str(tmp_path / "x.toml"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


@pytest.mark.parametrize("threads", ["0", "-2"])
def test_numba_threads_below_one_is_one_line_not_numbas_traceback(repo_root, threads):
    """A bad-input review: NUMBA_NUM_THREADS=0 ended in a 19-line traceback from Numba's
    import, exit 1."""
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, str(repo_root / "simulate.py"), "power", "--trials", "100"],
        capture_output=True,
        text=True,
        cwd=repo_root,
        env={**os.environ, "NUMBA_NUM_THREADS": threads},
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith(f"error: NUMBA_NUM_THREADS = {threads}: must be a whole number")
    assert out.stderr.count("\n") == 1 and out.stdout == ""


def test_numba_threads_below_one_is_refused_by_the_script_under_another_name(tmp_path):
    """An installation review: started through a link (or a cluster's wrapper) with another
    name, the ``als-trial-sim`` script met NUMBA_NUM_THREADS=0 with Numba's traceback."""
    import os
    import shutil
    import subprocess

    script = shutil.which("als-trial-sim", path=str(Path(sys.executable).parent))
    assert script, "the als-trial-sim script is installed beside the Python of the tests"
    (tmp_path / "ats").symlink_to(script)
    out = subprocess.run(
        [str(tmp_path / "ats"), "designs"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NUMBA_NUM_THREADS": "0"},
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error: NUMBA_NUM_THREADS = 0: must be a whole number")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--trials", "5"], "simulate.py: --trials is an option of a subcommand: give it after"),
        (["--seed=3"], "simulate.py: --seed is an option of a subcommand"),
        (["--trials", "5", "power"], "simulate.py: --trials is an option of power: give it after"),
        (
            ["--workers", "2"],
            "simulate.py: --workers is an option of a subcommand: give it after "
            "one, e.g. simulate.py sweep --workers",
        ),
        # a mistyped subcommand keeps its suggestion (a diff review)
        (["powr", "--trials", "5"], "simulate.py: argument COMMAND: invalid choice: 'powr'"),
        (["--no-such-option"], "simulate.py: unrecognized arguments: --no-such-option"),
        (
            ["power", "--effect", "-inf"],
            "simulate.py power: argument --effect: '-inf': must be a finite",
        ),
        (["power", "--trials", "-nan"], "simulate.py power: argument --trials: '-nan': must be"),
    ],
)
def test_an_option_without_its_subcommand_and_minus_inf_are_named(run, capsys, argv, says):
    """A bad-input review: `simulate.py --trials 5` read "argument COMMAND: invalid choice:
    '5'", and `--effect -inf` "expected one argument" (-inf taken for an option)."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {says}") and len(err.strip().splitlines()) == 1, err


def test_refine_trials_refusals_are_the_librarys(tmp_path, capsys, run):
    """``--refine-trials`` is refused by the library's one check (the error naming the option
    for ``refine_trials``); the range argparse refuses first says what the library says."""
    from designs.cli.options import flag_message
    from designs.cli.refine_options import MIN_REFINE_TRIALS
    from designs.errors import InputError
    from designs.planning import refine
    from designs.spec import load_design

    assert MIN_REFINE_TRIALS == refine.MIN_REFINE_TRIALS
    # with interim looks a second stage is the fixed search's, which n max is scaled from
    looks = load_design().with_overrides({"interim.looks": [0.5, 1.0]})
    refine.check_refine_trials(100, looks)
    assert refine.default_refine_trials(2000, looks) == refine.default_refine_trials(
        2000, load_design()
    )
    with pytest.raises(InputError) as library:
        refine.check_refine_trials(5, load_design())
    code, _, err = run(capsys, "sample-size", "--refine-trials", "5")
    said = "--refine-trials 5: must be 0 (one stage) or a whole number of trials, at least 10"
    assert flag_message(str(library.value)) == said
    assert code == 2 and "must be 0 (one stage) or a whole number of trials" in err


def test_target_power_at_or_below_alpha_is_refused(run, capsys):
    """A bad-input review: ``sample-size --target-power 0.04`` answered n = 3 (interval 0-3):
    a test reaches such a power with no effect at all."""
    for command in ("sample-size", "report"):
        extra = ["--out", "never_written"] if command == "report" else []
        code, out, err = run(capsys, command, "--target-power", "0.04", *extra)
        assert code == 2 and out == ""
        assert err.strip() == (
            "error: --target-power 0.04: must be above the design's alpha 0.05 (a test comes "
            "near such a power with no effect at all); e.g. 0.8"
        )


def test_look_months_far_beyond_any_trial_are_refused(run, capsys):
    code, _, err = run(capsys, "power", "--look-months", "18", "1e12", "--trials", "100")
    assert code == 2
    assert "must be at most 1200 months (100 years)" in err and len(err.strip().splitlines()) == 1


def test_a_family_parameter_example_is_valid_for_its_family(run, capsys):
    code, _, err = run(capsys, "power", "--looks", "0.5,1", "--spending", "power:nan")
    assert code == 2 and "give power:GAMMA, e.g. power:2" in err


def test_a_design_whose_fits_all_fail_is_refused_by_the_search(run, capsys, tmp_path):
    """A bad-input review: with nearly everyone dead by month 1 ``power`` refused the design,
    while ``sample-size`` searched up to 50,000 per arm and ``report`` ran for minutes."""
    deadly = ("--set", "dropout.death_monthly_hazard=10", "--trials", "100")
    for command in ("sample-size", "report"):
        extra = ["--no-assurance", "--out", str(tmp_path / "r")] if command == "report" else []
        code, out, err = run(capsys, command, *deadly, *extra)
        assert (
            code == 2
            and out == ""
            and "fit failed in all 100 simulated trials at every size" in err
        )
    assert not (tmp_path / "r").exists()


def test_a_dangling_link_as_out_is_called_a_link(capsys, run, tmp_path):
    """A security review: `trial --out` on a link to nowhere was refused as "not a regular
    file (a device, FIFO or socket ...)"; it is named a link, with its target."""
    link = tmp_path / "dangling.csv"
    link.symlink_to(tmp_path / "no" / "x.csv")
    code, stdout, err = run(capsys, "trial", "--out", str(link))
    assert code == 2 and stdout == ""
    assert err.strip() == (
        f"error: --out {link}: is a link to {tmp_path / 'no' / 'x.csv'}, which does not exist; "
        "give another file name"
    )
    assert link.is_symlink() and not (tmp_path / "no").exists()
