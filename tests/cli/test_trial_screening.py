"""``simulate.py trial`` on designs that screen candidates: each admitted patient's delta-FS
in the CSV, and the candidates screened per arm in the sidecar (a review: neither was
exported, so a screened trial could not be re-analysed on its admission score)."""

import csv
import json

import pytest


def _trial(tmp_path, run, capsys, *args):
    out = tmp_path / "trial.csv"
    code, _, err = run(
        capsys, "trial", "--seed", "3", "--n-per-arm", "40", "--out", str(out), *args
    )
    assert code == 0, err
    rows = list(csv.DictReader(out.read_text().splitlines()))
    return rows, json.loads((tmp_path / "trial.csv.json").read_text())


def test_delta_fs_screened_trial_exports_each_patients_admission_rate(tmp_path, run, capsys):
    rows, side = _trial(tmp_path, run, capsys, "--design", "proact_enriched_dfs")
    assert "delta_fs" in side["columns"] and "delta_fs" in rows[0]
    by_patient = {}
    for r in rows:  # one value per patient, on each of the patient's visits
        by_patient.setdefault(r["patient"], set()).add(float(r["delta_fs"]))
    assert len(by_patient) == 80 and all(len(v) == 1 for v in by_patient.values())
    rates = [v.pop() for v in by_patient.values()]
    # admitted: 0 <= delta-FS < 1.1 (the design's delta_fs_max); the candidates' log-normal
    # (mean 0.91, SD 0.53) puts about 27% above 1.1, so a column that were not the admitted
    # rate would break this in all but about 0.73**80 = 1e-11 of trials
    assert all(0 < x < 1.1 for x in rates)
    screened = side["candidates_screened"]
    assert set(screened) == {"placebo", "active"}
    assert screened["placebo"] >= 40 and screened["active"] >= 40
    # about 1 / 0.73 = 1.37 candidates per patient; 80 or more screened per arm would be 1e-9
    assert screened["placebo"] + screened["active"] < 160


@pytest.mark.parametrize("design", ["default", "proact_lead_in"])
def test_unscreened_trial_has_no_delta_fs_and_no_screening_count(design, tmp_path, run, capsys):
    rows, side = _trial(tmp_path, run, capsys, "--design", design)
    assert "delta_fs" not in rows[0] and "delta_fs" not in side["columns"]
    assert "candidates_screened" not in side


def test_lead_in_screened_trial_counts_candidates_without_delta_fs(tmp_path, run, capsys):
    rows, side = _trial(
        tmp_path, run, capsys, "--design", "proact_lead_in",
        "--set", "enrichment.lead_in_decline_min=1",
    )  # fmt: skip
    assert "delta_fs" not in rows[0]
    screened = side["candidates_screened"]
    assert screened["placebo"] > 40 and screened["active"] > 40  # some lose < 1 point
    for p in {r["patient"] for r in rows}:  # every admitted patient lost >= 1 point in lead-in
        visits = {float(r["month"]): float(r["alsfrs_r"]) for r in rows if r["patient"] == p}
        assert visits[-3.0] - visits[0.0] >= 1


def test_analyze_reads_a_screened_trial(tmp_path, run, capsys):
    _trial(tmp_path, run, capsys, "--design", "proact_enriched_dfs")
    code, out, err = run(capsys, "analyze", "--data", str(tmp_path / "trial.csv"))
    assert code == 0, err
    assert "estimate" in out
