"""What a sweep file records of the phase 2 posterior it rests on (a reproducibility audit:
``sweep --assurance`` named no posterior, only the ``--posterior`` path in its command)."""

from __future__ import annotations

import json

import xarray as xr


def test_sweep_with_assurance_names_its_posterior_and_the_code(run, capsys, tmp_path):
    from designs.simulation.numba_cache import software

    out = tmp_path / "assurance.nc"
    code, _, err = run(
        capsys, "sweep", "--n-per-arm", "20", "40", "--trials", "100", "--assurance",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    ds = xr.load_dataset(out, engine="h5netcdf")
    record = json.loads(ds.attrs["phase2_posterior"])
    assert record["data_source"] == "bundled phase2_illustrative.csv"
    assert len(record["data_sha256"]) == 64 and len(record["draws_sha256"]) == 64
    assert record["priors_changed"] == {} and record["converged"] is True
    assert ds.attrs["software"] == software()


def test_sweep_without_a_posterior_records_none(run, capsys, tmp_path):
    out = tmp_path / "plain.nc"
    code, _, err = run(capsys, "sweep", "--n-per-arm", "20", "--trials", "100", "--out", str(out))
    assert code == 0, err
    assert "phase2_posterior" not in xr.load_dataset(out, engine="h5netcdf").attrs


def test_each_result_in_json_records_its_software_and_command(
    run, capsys, tmp_path, fake_posterior
):
    """power, sample-size, assurance, calibrate and analyze results kept on their own say
    how they were made (a reproducibility audit: they named neither): the release with the
    source hash, and the command as typed, on the result or on each of its rows."""
    posterior = tmp_path / "post.nc"
    fake_posterior().to_netcdf(posterior, engine="h5netcdf")
    trial = tmp_path / "trial.csv"
    assert run(capsys, "trial", "--out", str(trial), "--n-per-arm", "30")[0] == 0
    small = ["--trials", "40", "--n-per-arm", "30"]
    commands = [
        ["power", *small],
        ["power", *small, "--analysis", "lmm_slope", "ols_slope_ttest"],  # a row each
        ["power", *small, "--looks", "0.5,1"],
        ["sample-size", "--trials", "40", "--refine-trials", "0", "--sizes", "30", "60"],
        ["assurance", *small, "--posterior", str(posterior)],
        ["calibrate", "--trials", "400", "--n-per-arm", "30"],
        ["analyze", "--data", str(trial)],
    ]
    for argv in commands:
        code, out, err = run(capsys, *argv, "--json")
        assert code == 0, (argv, err)
        obj = json.loads(out)
        for row in obj if isinstance(obj, list) else [obj]:
            assert row["software"].startswith("als-trial-sim "), argv
            assert ", source " in row["software"]
            assert row["command"].startswith(f"python simulate.py {argv[0]} "), argv
            assert "--json" in row["command"] and argv[-1] in row["command"]


def test_a_borrowing_prior_names_the_posterior_it_borrows_from(run, capsys, tmp_path):
    """A Bayesian review: the README promised that every output resting on a posterior names
    its data and the SHA-256 of its draws; `power`, `calibrate` and `analyze` under a
    borrowing prior named neither (their calibrated thresholds move with the MCMC sample)."""
    rule = ["--decision", "posterior", "--prior", "robust", "--prior-weight", "0.5"]
    small = ["--n-per-arm", "20", "--trials", "60"]
    data = tmp_path / "t.csv"
    assert run(capsys, "trial", "--n-per-arm", "20", "--out", str(data))[0] == 0
    commands = {
        "power": ["power", *small, *rule],
        "calibrate": ["calibrate", *small, "--trials", "400", *rule],
        "analyze": ["analyze", "--data", str(data), *rule],
    }
    for name, argv in commands.items():
        code, out, err = run(capsys, *argv, "--json")
        assert code == 0, (name, err)
        record = json.loads(out)["posterior"]
        assert record["data_source"] == "bundled phase2_illustrative.csv", name
        assert len(record["draws_sha256"]) == 64, name
        code, text, err = run(capsys, *argv)
        assert code == 0, (name, err)
        line = "phase 2 posterior the prior borrows from: fitted to bundled phase2_illustrative"
        assert line in text and f"draws SHA-256 {record['draws_sha256'][:12]}" in text, name
    # assurance, with and without looks, names it by the same mechanism (print_json)
    for looks in ([], ["--looks", "0.5,1"]):
        code, out, err = run(capsys, "assurance", *small, *looks, "--json")
        assert code == 0, err
        record = json.loads(out)["posterior"]
        assert record["data_source"] == "bundled phase2_illustrative.csv"
        assert len(record["draws_sha256"]) == 64
    # a prior that borrows nothing reads no posterior and names none
    code, out, _ = run(capsys, "power", *small, "--decision", "posterior", "--json")
    assert code == 0 and "posterior" not in json.loads(out)


def test_a_robust_prior_at_unit_information_says_its_sd_moves_with_the_design(
    run, capsys, tmp_path, fake_posterior
):
    """A Bayesian review: a sensitivity run with slope SD 0.5 moved the robust component's
    SD from 0.602 to 0.811 (unit information of the design) and the type I error with it,
    without a word; a protocol's prior is one value. At weight 0 the prior in use is the
    vague one, with no robust component to speak of (a diff review: the line was printed
    beside "1.000 x N(+0.000, 10.000^2)")."""
    path = tmp_path / "posterior.nc"
    fake_posterior().to_netcdf(path, engine="h5netcdf")
    small = ["power", "--n-per-arm", "20", "--trials", "40", "--decision", "posterior"]
    robust = [*small, "--prior", "robust", "--prior-weight", "0.5", "--posterior", str(path)]
    code, text, _ = run(capsys, *robust, "--set", "population.slope_sd=0.5")
    assert code == 0
    assert "robust component N(0, 0.811^2): unit information of this design" in text
    assert "--set decision.robust_sd=VALUE" in text
    code, text, _ = run(capsys, *robust, "--set", "decision.robust_sd=0.602")
    assert code == 0 and "robust component" not in text  # stated: nothing moves
    code, text, _ = run(capsys, *small)
    assert code == 0 and "robust component" not in text  # the vague prior has none
    code, text, _ = run(capsys, *small, "--prior", "robust", "--prior-weight", "0")
    assert code == 0 and "robust component" not in text  # weight 0: the vague prior


def test_the_recorded_command_is_the_one_that_started_the_tool(tmp_path, repo_root):
    """An installation review: after a pip install only ``als-trial-sim`` runs, yet every
    recorded command (JSON, report README, rerun advice) and ``--help`` said ``python
    simulate.py``. Run from another folder, each way records itself."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    script = shutil.which("als-trial-sim", path=str(Path(sys.executable).parent))
    assert script, "the als-trial-sim script is installed beside the Python of the tests"
    argv = ["power", "--n-per-arm", "10", "--trials", "20", "--json"]
    ways = {
        "als-trial-sim power": [script],
        "python simulate.py power": [sys.executable, str(repo_root / "simulate.py")],
    }
    for recorded, start in ways.items():
        out = subprocess.run(
            [*start, *argv], capture_output=True, text=True, cwd=tmp_path, check=True
        )
        (row,) = (
            json.loads(out.stdout)
            if out.stdout.lstrip().startswith("[")
            else [json.loads(out.stdout)]
        )
        assert row["command"] == f"{recorded} --n-per-arm 10 --trials 20 --json", start
        version = subprocess.run(
            [*start, "--version"], capture_output=True, text=True, cwd=tmp_path, check=True
        )
        assert version.stdout.startswith(recorded.split(" power")[0].split()[-1]), start


def test_advice_names_the_program_that_ran(tmp_path, repo_root):
    """An installation review: advice such as "use simulate.py assurance --looks" was
    printed when ``als-trial-sim`` ran, where ``simulate.py`` does not exist. The same bad
    input started each way names the program that ran."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    script = shutil.which("als-trial-sim", path=str(Path(sys.executable).parent))
    argv = ["power", "--looks", "0.5,1", "--set", "effect.source=posterior", "--trials", "20"]
    ways = {"als-trial-sim": [script], "simulate.py": [sys.executable, "simulate.py"]}
    for name, start in ways.items():
        cwd = tmp_path if name == "als-trial-sim" else repo_root
        out = subprocess.run([*start, *argv], capture_output=True, text=True, cwd=cwd)
        assert out.returncode == 2, out.stderr
        assert f"posterior use {name} assurance --looks" in out.stderr, (name, out.stderr)


def test_no_advice_string_hard_codes_the_checkout_program(repo_root):
    """Every string the tool prints or writes that names a command takes the program's name
    from :func:`progression.program.program_name` (``als-trial-sim`` after a pip install;
    the phase 2 model's "refit with ... fit" too, a diff review): string constants other
    than docstrings may not say ``simulate.py <command>``."""
    import ast
    import re

    pattern = re.compile(r"simulate\.py [a-z]")
    found = []
    files = [*(repo_root / "designs").rglob("*.py"), *(repo_root / "progression").rglob("*.py")]
    for path in sorted(files):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and pattern.search(node.value)
            ):
                found.append(f"{path.relative_to(repo_root)}:{node.lineno}")
    assert not found, found


def test_an_undecodable_argument_is_recorded_as_its_utf8_text():
    """A European data manager's review: under LC_ALL=C PYTHONUTF8=0 a path with "Ü"
    reached Python as surrogate escapes, and writing the command into the trial's JSON
    failed with UnicodeEncodeError (nothing written)."""
    from designs.cli.provenance import command_args, record_command

    escaped = "Studie \udcc3\udc9c/t.csv"  # the bytes of "Ü" held as surrogates
    try:
        record_command(["trial", "--out", escaped])
        assert command_args() == ["trial", "--out", "Studie Ü/t.csv"]
    finally:
        record_command(None)
