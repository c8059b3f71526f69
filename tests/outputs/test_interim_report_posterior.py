"""The report of a design with interim looks under the posterior rule (issue 17): the looks
table gives each look's threshold and the z it implies, the stopping probabilities and the
type I error; the methods paragraph describes the rule; the rest of the report is the fixed
design judged at the final threshold."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from scipy.special import ndtri

from designs.analyses.decision import NormalMixture
from designs.planning.decision_looks import posterior_looks_power
from designs.planning.look_times import look_times
from designs.planning.power_curve import design_at
from designs.planning.report_interim import threshold_z
from designs.spec import load_design

SEED = 5
TRIALS = 40  # plumbing; the statistics of the rule at looks are tested in planning
THRESHOLDS = [0.999, 0.98]


def _design():
    return load_design().with_overrides(
        {
            "effect.value": 0.4,
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "interim.looks": [0.5, 1.0],
            "decision.rule": "posterior",
            "decision.prior": "sceptical",
            "decision.thresholds": THRESHOLDS,
            "decision.futility_predictive": 0.1,
        }
    )


def test_threshold_z_is_the_closed_form_of_a_normal_prior():
    """Prior N(0, tau^2), margin 0: P(effect > 0 | x, se) = Phi(x / se * tau / sqrt(tau^2 +
    se^2)), so the threshold T is crossed at z = ndtri(T) sqrt(tau^2 + se^2) / tau, with se
    = 1 / sqrt(I_k) at the look's planned information (algebra, independent of the code)."""
    design = _design().with_overrides({"trial.n_per_arm": 60, "decision.sceptical_sd": 0.05})
    tau = 0.05
    prior = NormalMixture.normal(0.0, tau)
    times = look_times(design)
    se = 1.0 / np.sqrt(np.asarray(times.fractions) * times.information_max)
    expected = ndtri(np.asarray(THRESHOLDS)) * np.sqrt(tau**2 + se**2) / tau
    assert np.max(np.abs(np.asarray(threshold_z(design, prior)) - expected)) < 1e-8
    assert expected[0] > ndtri(THRESHOLDS[0]) + 0.1  # the sceptical prior matters here


@pytest.mark.slow  # one small report (about 30 s on a loaded 2-core machine)
def test_report_with_looks_under_the_posterior_rule(tmp_path):
    from designs.outputs.report import write_report
    from designs.planning.decision_rule import decision_prior
    from designs.planning.operating import type_i_trials
    from designs.planning.report_plan import plan_report

    design = _design()
    plan = plan_report(design, trials=TRIALS, seed=SEED, targets=(0.8,))
    gs = plan.interim
    assert gs is not None and gs.threshold_z is not None and gs.assurance is None
    assert not plan.design.interim.sequential and plan.design.decision.threshold == 0.98
    assert plan.sample_size is gs.sample_size.fixed
    # the numbers at n max are posterior_looks_power's at that size and seed (same trials);
    # under no effect with enough trials for the type I error's MC SE (a review: 0.036, MC SE
    # 0.008, from the search's 500 trials read as "within the one-sided level 0.025")
    d = design_at(design, gs.row.n_max)
    ref = posterior_looks_power(d, TRIALS, SEED)
    null = type_i_trials(0.025, TRIALS)
    null_run = posterior_looks_power(d, null, SEED)
    ref0 = null_run.to_dict()
    got = gs.summary.to_dict()
    assert got["trials_h0"] == null == 10_834
    for key, value in got.items():
        expected = ref0 if key.endswith("_h0") or "type_i" in key else ref.to_dict()
        assert value == expected[key], key
    prior = decision_prior(design)
    assert gs.threshold_z == threshold_z(design_at(design, gs.row.n_max), prior)
    out = tmp_path / "report"
    names = {f.name for f in write_report(plan, out)}
    assert {"interim.md", "interim.csv", "interim.tex", "interim_boundaries.png"} <= names
    md = (out / "interim.md").read_text()
    assert "threshold P(effect > margin)" in md and "not re-calibrated" in md
    assert f"{gs.threshold_z[0]:.3f}" in md and f"{null_run.type_i_error:.4f}" in md
    first, second = (out / "interim.csv").read_text(), (out / "interim_looks.csv").read_text()
    compared = {r["quantity"]: r for r in csv.DictReader(io.StringIO(first))}
    assert float(compared["power"]["interim"]) == pytest.approx(ref.power, abs=1e-6)
    assert float(compared["type_i_error"]["interim"]) == pytest.approx(
        null_run.type_i_error, abs=1e-6
    )
    looks = list(csv.DictReader(io.StringIO(second)))
    assert [float(r["threshold"]) for r in looks] == THRESHOLDS
    for k, r in enumerate(looks):
        assert float(r["p_futility_h0"]) == pytest.approx(null_run.p_stop_futility_h0[k], abs=1e-6)
    methods = (out / "methods.md").read_text()
    assert "**Interim analyses (Bayesian rule).**" in methods
    assert "Spiegelhalter DJ, Abrams KR, Myles JP (2004)" in methods
    tex = (out / "interim.tex").read_text()
    assert tex.count("\\begin{table}") == 2
