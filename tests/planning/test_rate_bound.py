"""The JSON's one-sided bound of a rate of 0 or 1 (a formula audit read the JSON's type I
error of 0 with its MC SE of 0 alone, where the text gave the bound)."""

import json
from dataclasses import replace

import pytest
from scipy import stats

from designs.planning.rate_bound import edge_bound, one_sided_bound
from designs.planning.sample_size import row_json


@pytest.mark.parametrize("trials", [1, 20, 100, 1_000])
def test_the_edges_bounds_are_clopper_pearsons(trials):
    """Against scipy's beta quantiles (Clopper and Pearson 1934): the upper limit after 0 of
    n is the 0.95 quantile of Beta(1, n), the lower after n of n the 0.05 quantile of
    Beta(n, 1); between the edges, an undefined rate or no trials: none."""
    assert edge_bound(0.0, trials) == pytest.approx(stats.beta.ppf(0.95, 1, trials), rel=1e-12)
    assert edge_bound(1.0, trials) == pytest.approx(stats.beta.ppf(0.05, trials, 1), rel=1e-12)
    assert edge_bound(0.0, trials) == one_sided_bound(trials)
    for rate in (0.5 / trials, 0.3, 1 - 0.5 / trials, float("nan")):
        assert edge_bound(rate, trials) is None
    assert edge_bound(0.0, 0) is None


def test_power_json_gives_the_type_i_errors_bound(capsys):
    """``power --effect 0 --json`` at 40 trials (the test's rejection rate is its type I
    error): its bound where it is 0 or 1, null beside its MC SE otherwise; the power has its
    two-sided 95% interval ``ci95`` (Wilson's) (a diff review: a one-sided power bound beside it
    differed from the interval the text shows)."""
    import simulate

    assert simulate.main(["power", "--effect", "0", "--trials", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["type_i_trials"] == 40
    bound = out["type_i_error_one_sided_bound_95"]
    if out["type_i_error"] in (0.0, 1.0):
        assert bound == edge_bound(out["type_i_error"], 40) and out["mc_se_type_i_error"] == 0
    else:
        assert bound is None and out["mc_se_type_i_error"] > 0
    assert "power_one_sided_bound_95" not in out and len(out["ci95"]) == 2


def test_a_summary_with_no_success_gives_its_bound():
    """A power summary whose type I error is 0 (built from a real one): its bound over its
    own null trials; NaN (no null trials): none."""
    from designs.planning.power import power
    from designs.spec import load_design

    s = power(load_design(), 30, 1, ("lmm_slope",))["lmm_slope"]
    d = replace(s, type1=0.0, type1_trials=50).to_dict()
    assert d["type_i_error_one_sided_bound_95"] == pytest.approx(1 - 0.05 ** (1 / 50))
    every = replace(s, type1=1.0, type1_trials=50).to_dict()
    assert every["type_i_error_one_sided_bound_95"] == pytest.approx(0.05 ** (1 / 50))
    assert s.to_dict()["type_i_error_one_sided_bound_95"] is None  # no null trials: NaN


@pytest.mark.parametrize(
    ("fields", "trials"),
    [
        ({"type_i_trials": 400}, 400),  # the fixed search's fresh null trials
        ({"counted_h0": 380}, 380),  # with looks, failed fits left out
        ({"counted_h0": 0}, 500),  # with looks, all ``trials`` at n max
    ],
)
def test_sample_size_rows_bound_their_type_i_error_over_its_null_trials(fields, trials):
    row = {"n_low": 10, "n_high": 12, "reached": True, "power": 0.8, "mc_se": 0.01}
    row.update({"trials": 500, "type_i_error": 0.0, **fields})
    assert row_json(dict(row))["type_i_error_one_sided_bound_95"] == edge_bound(0.0, trials)
    assert row_json({**row, "type_i_error": 0.02})["type_i_error_one_sided_bound_95"] is None


def test_power_with_looks_json_gives_the_type_i_errors_bound(capsys):
    """``power --looks --json``: the type I error's bound over its null trials, by the
    formula where none of the 30 succeeded, null with an MC SE above 0 otherwise."""
    import simulate

    argv = ["power", "--looks", "0.5,1", "--trials", "30", "--json", "--n-per-arm", "40"]
    assert simulate.main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["type_i_trials"] == 30
    bound = out["type_i_error_one_sided_bound_95"]
    assert bound == edge_bound(out["type_i_error"], 30)
    assert (bound is None) == (out["mc_se_type_i_error"] > 0)
