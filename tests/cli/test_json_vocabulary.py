"""One quantity, one JSON key across commands (a command-line review: the type I error was
``type1`` in ``power --json`` and ``type_i_error`` in ``power --looks`` and ``sample-size``;
expected patients ``expected_n_total`` in one and ``expected_n_total_h1`` in the other)."""

import json

import pytest

SMALL = ["--trials", "60", "--seed", "3"]


@pytest.fixture(scope="module")
def outputs(run_module):
    out = {}
    power = ["power", "--n-per-arm", "30", *SMALL, "--json"]
    out["power"] = run_module(*power, "--decision", "posterior")
    out["power_looks"] = run_module(*power, "--looks", "0.5,1")
    out["power_looks_posterior"] = run_module(
        *power, "--looks", "0.5,1", "--decision", "posterior", "--thresholds", "0.995,0.98"
    )
    search = ["sample-size", *SMALL, "--refine-trials", "0", "--sizes", "40,80", "--json"]
    out["sample_size"] = run_module(*search, "--decision", "posterior")[0]
    return out


@pytest.fixture(scope="module")
def run_module():
    from designs.cli.main import main

    def run(*argv):
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
            assert main(list(argv)) == 0
        return json.loads(buffer.getvalue())

    return run


def test_the_type_i_error_has_one_name_in_every_command(outputs):
    for name, d in outputs.items():
        assert {"type_i_error", "mc_se_type_i_error", "type_i_trials"} <= d.keys(), name
        assert 0.0 <= d["type_i_error"] <= 1.0 and d["type_i_trials"] >= 60, name
    # the older names of `power` stay, with the same values, for scripts written against them
    fixed = outputs["power"]
    assert fixed["type1"] == fixed["type_i_error"]
    assert fixed["type1_mc_se"] == fixed["mc_se_type_i_error"]
    assert fixed["type1_trials"] == fixed["type_i_trials"]


def test_expected_patients_have_the_search_names_in_power_with_looks(outputs):
    for name in ("power_looks", "power_looks_posterior"):
        d = outputs[name]
        assert d["expected_n_total_h1"] == d["expected_n_total"], name
        assert d["expected_months_h1"] == d["expected_months"], name
        assert d["type_i_trials"] == (d["counted_h0"] or d["trials_h0"] or d["trials"]), name
        assert 30 < d["expected_n_total_h1"] <= 60 and "expected_n_total_h0" in d, name


def test_power_at_no_effect_gives_its_rate_as_the_type_i_error(run_module):
    """An independent simulation's review: `power --effect 0 --json` gave `type_i_error`
    null, while the README names it the success rate with no effect. Under the test on the
    sharp null the rejection rate is that type I error; at an effect it stays null; several
    analyses give a list, one an object (README)."""
    power = ["power", "--n-per-arm", "30", *SMALL, "--json"]
    rows = run_module(*power, "--effect", "0", "--analysis", "lmm_slope", "ols_slope_ttest")
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert row["type_i_error"] == row["power"] and row["type_i_trials"] == 60
        assert row["mc_se_type_i_error"] == row["mc_se"]
    one = run_module(*power)
    assert isinstance(one, dict) and one["type_i_error"] is None and one["type_i_trials"] == 0


def test_calibrate_gives_the_type_i_error_by_the_common_name(run_module):
    """The README's names for the type I error, in calibrate's JSON too (beside its older
    type1_calibrated), over the trials counted."""
    cal = run_module("calibrate", "--trials", "400", "--seed", "3", "--n-per-arm", "30", "--json")
    assert cal["type_i_error"] == cal["type1_calibrated"]
    assert cal["mc_se_type_i_error"] == cal["mc_se_calibrated"]
    assert cal["type_i_trials"] == cal["counted_trials"] == 400  # failed fits count (default)
