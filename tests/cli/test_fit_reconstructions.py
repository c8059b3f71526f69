"""``simulate.py fit --reconstructions K``: bounds, and refusal with other data."""

import pytest

from progression.records import BUNDLED_PHASE2


@pytest.mark.parametrize("k", ["0", "41", "many"])
def test_reconstructions_out_of_range(k, tmp_path, capsys, run):
    code, _, err = run(capsys, "fit", "--reconstructions", k, "--out", str(tmp_path / "p.nc"))
    assert code == 2 and "--reconstructions" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_reconstructions_refused_with_other_data(tmp_path, capsys, run):
    data = tmp_path / "mine.csv"
    data.write_bytes(BUNDLED_PHASE2.read_bytes())
    out = tmp_path / "p.nc"
    code, _, err = run(
        capsys, "fit", "--reconstructions", "2", "--data", str(data), "--out", str(out)
    )
    assert code == 2 and "--reconstructions" in err and "Traceback" not in err
    assert not out.exists()
