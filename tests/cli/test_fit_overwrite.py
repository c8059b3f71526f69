"""`fit`'s file, as a review of bringing one's own data asked: it does not replace a posterior
fitted to other data without --force (a plain `fit` replaced the posterior of the user's own
data at the default --out, with no word), and it keeps the fit report's prior-data conflict
for the reports and assurance built on it."""

from __future__ import annotations


def test_a_posterior_of_other_data_is_kept_unless_forced(run, capsys, tmp_path, fake_posterior):
    from progression.model import save_posterior

    out = tmp_path / "phase2_posterior.nc"
    idata = fake_posterior()
    idata.attrs["data_source"] = "clinic/phase2_own.csv"  # fake_posterior's data_sha256 is "0"
    save_posterior(idata, out)
    before = out.read_bytes()
    code, stdout, err = run(capsys, "fit", "--out", str(out), "--draws", "100", "--tune", "100")
    assert code == 2 and stdout == ""
    assert err.strip() == (
        f"error: --out {out}: holds a posterior fitted to other data (clinic/phase2_own.csv; "
        "its SHA-256 differs from this file's); give another --out, or --force to replace it"
    )
    assert out.read_bytes() == before


def test_fit_keeps_the_prior_data_conflict_in_the_file(monkeypatch):
    """What the fit report says of a conflict between the pre-dose prior and the data is
    kept in the posterior's attributes, which reports and assurance then quote."""
    from types import SimpleNamespace

    import pandas as pd

    from designs.cli import fit_command
    from progression import diagnostics

    idata = SimpleNamespace(attrs={})
    monkeypatch.setattr(
        diagnostics, "patient_table", lambda _: pd.DataFrame({"raw_pre_slope": [-1.6, -1.5]})
    )
    fit_command._keep_prior_conflict(idata)
    # a gap, kept under its own name (a diff review: under "conflict" a script took it for one)
    assert idata.attrs["prior_data_gap"].startswith("PRIOR-DATA GAP: the patients'")
    assert "prior_data_conflict" not in idata.attrs
    calm = SimpleNamespace(attrs={})
    monkeypatch.setattr(
        diagnostics, "patient_table", lambda _: pd.DataFrame({"raw_pre_slope": [-0.5, -0.6]})
    )
    fit_command._keep_prior_conflict(calm)
    assert "prior_data_conflict" not in calm.attrs


def test_fit_gives_the_checksum_of_its_draws(run, capsys, tmp_path):
    """An auditor's review: two fits of one seed differ byte for byte in their files'
    timestamps, and `fit` gave no checksum of the draws to compare instead (its JSON had the
    data's SHA-256 only): now its JSON and text give the draws' SHA-256, the file's own."""
    import json

    from progression.model import CHECKSUM_ATTR, load_posterior

    out = tmp_path / "p.nc"
    argv = ["fit", "--out", str(out), "--draws", "100", "--tune", "100", "--chains", "2"]
    code, stdout, err = run(capsys, *argv, "--json")
    assert code == 0, err
    got = json.loads(stdout)
    sha = got["posterior_sha256"]
    assert sha == load_posterior(out).attrs[CHECKSUM_ATTR] and len(sha) == 64
    # what was read and whether the gates were met, for a script (a review of one's own
    # records: the JSON named neither the data nor the convergence)
    assert got["data_source"] == "bundled phase2_illustrative.csv"
    # the bundled file's first and last months, distinct months and rows, read by hand
    assert got["visit_months"] == {
        "first": -3.22,
        "last": 12.11,
        "distinct": 73,
        "visits": 80,
        "patients": 5,
    }
    assert got["data_warnings"] == []
    gates = got["divergences"] == 0 and got["max_rhat"] <= 1.01 and got["min_ess_bulk"] >= 400
    assert got["converged"] is gates
    # the text says it too, with the data's SHA-256 (the same seed: the same draws)
    code, stdout, err = run(capsys, *argv, "--force")
    assert code == 0, err
    data = load_posterior(out).attrs["data_sha256"]
    assert f"(draws SHA-256 {sha}, data SHA-256 {data})" in stdout
    # it says that it replaced the earlier posterior (it said "written" alone)
    assert f"posterior written to {out}, replacing the earlier one there (draws" in stdout


def test_own_records_marked_illustrative_are_warned_of(run, capsys, tmp_path, monkeypatch):
    """A review of one's own records: pasted under the bundled file's two comment lines they
    were called a reconstruction in every output; `fit` now names the line that marks them
    (before sampling: the fit is stopped here)."""
    from designs.errors import InputError
    from progression import model
    from progression.records import BUNDLED_PHASE2

    own = tmp_path / "own.csv"
    own.write_bytes(BUNDLED_PHASE2.read_bytes())

    def stop(*args, **kwargs):
        raise InputError("stopped before sampling")

    monkeypatch.setattr(model, "fit", stop)
    code, _, err = run(capsys, "fit", "--data", str(own), "--out", str(tmp_path / "p.nc"))
    assert code == 2 and "stopped before sampling" in err
    assert (
        f"warning: {own} is marked as an illustrative reconstruction by its line 1 (as the "
        "bundled file is), so the outputs will call it one: delete that mark if these are "
        "real records"
    ) in err
    code, _, err = run(capsys, "fit", "--out", str(tmp_path / "q.nc"))  # the bundled file
    assert code == 2 and "marked as an illustrative" not in err
