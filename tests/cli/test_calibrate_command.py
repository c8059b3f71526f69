"""`simulate.py calibrate`: the posterior rule's threshold from null trials."""

import json


def test_calibrate_json_and_robust_prior(tmp_path, fake_posterior, capsys, run):
    path = tmp_path / "posterior.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    args = ["calibrate", "--trials", "400", "--n-per-arm", "30", "--json"]
    code, out, _ = run(
        capsys, *args, "--prior", "robust", "--prior-weight", "1", "--posterior", str(path)
    )
    assert code == 0
    cal = json.loads(out)
    assert 0 < cal["threshold"] < 1 and cal["mc_se"] > 0
    assert cal["prior"] == "robust" and cal["prior_weight"] == 1.0
    assert cal["type1_calibrated"] <= cal["target"] == 0.025
    code, _, err = run(capsys, *args, "--target", "1.5")
    assert code == 2 and "--target" in err
