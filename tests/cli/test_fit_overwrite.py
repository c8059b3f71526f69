"""`fit` does not replace a posterior fitted to other data without --force (a review: a
plain `fit` replaced the posterior of the user's own data at the default --out, with no
word); it says how to plan with the file it wrote."""

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
        f"error: --out {out}: holds a posterior fitted to other data (clinic/phase2_own.csv); "
        "give another --out, or --force to replace it"
    )
    assert out.read_bytes() == before
