"""The posterior rule and assurance at interim looks on the page: the numbers are those the
command line prints as JSON for the same design and seed, and the views show them."""

from __future__ import annotations

import json
import re

import pytest

from designs.explorer import compute, views
from designs.explorer.server import Request
from designs.spec import load_design

N = 20  # patients per arm: small trials, quick fits
SEED = 9
TRIALS = 40


@pytest.fixture(scope="module")
def base():
    return load_design()


def _numbers(obj):
    """JSON's view of a summary (undefined numbers as null), as ``print_json`` writes it."""
    from designs.cli.options import json_ready

    return json.loads(json.dumps(json_ready(obj)))


def test_the_posterior_rule_at_looks_is_the_command_lines(base, cli):
    """``power --looks 0.5,1 --decision posterior --json``: every number of the page's
    summary (success probability, per-look stopping, expected n and months, thresholds) is
    the command line's, and the headline and looks table show them."""
    design = base.with_overrides(
        {
            "trial.n_per_arm": N,
            "decision.rule": "posterior",
            "decision.threshold": 0.95,
            "interim.looks": [0.5, 1.0],
        }
    )
    view = compute.power_view(design, SEED, TRIALS)
    argv = ["power", "--set", f"trial.n_per_arm={N}", "--looks", "0.5,1"]
    argv += ["--decision", "posterior", "--threshold", "0.95"]
    out = json.loads(cli(*argv, "--seed", str(SEED), "--trials", str(TRIALS), "--json"))
    assert out["rule"] == "posterior" and out["thresholds"] == [0.95, 0.95]
    assert _numbers(view.sequential.to_dict()) == out

    req = Request("default", base, design, SEED, TRIALS)
    head = str(views.power_html(req, view))
    assert f'data-power="{out["power"]!r}"' in head
    assert "success probability of the posterior rule with 2 looks (thresholds 0.95, 0.95)" in head
    table = str(views.interim_html(req, view))
    assert 'id="looks-table"' in table and "alpha spending" not in table
    for k in range(2):
        assert f"{out['p_stop_efficacy'][k]:.3f} ({out['mc_se_stop_efficacy'][k]:.3f})" in table
        assert f"<td>{out['thresholds'][k]:.4f}</td>" in table
    assert f'data-expected-n="{out["expected_n_total"]!r}"' in table
    assert f'data-expected-months="{out["expected_months"]!r}"' in table
    assert re.search(r"success if P\(effect &gt; 0 \| data up to the look\)", table)
