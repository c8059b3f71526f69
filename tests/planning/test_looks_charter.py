"""What a DSMB charter needs from a design with interim looks (a DSMB statistician's review):
the type I error with non-binding futility ignored, the level the design claims (only the
error with futility followed was shown, and the LIBERAL flag judged it, hiding 0.0294 behind
0.0280); the planned maximum information and the boundaries on the estimate's scale; the
effect beta-spending futility boundaries are derived under."""

import math
from dataclasses import replace

import numpy as np
import pytest

from designs.outputs.group_sequential import (
    group_sequential_text,
    level_type_i,
    sequential_type_i_flag,
)
from designs.planning.group_sequential import group_sequential_power, planned_boundaries
from designs.planning.look_times import look_times
from designs.sequential import crossing_probabilities
from designs.spec import load_design

BASE = {"trial.sides": 1, "trial.alpha": 0.025, "trial.n_per_arm": 40,
        "interim.looks": [0.5, 1.0]}  # fmt: skip


def test_with_futility_ignored_the_error_is_the_design_without_futility_on_the_same_trials():
    """Exact: ignoring a non-binding futility rule leaves the efficacy boundaries as they are,
    so the same null trials (same seed) reject exactly as the design without futility does;
    and following it can only stop some of those rejections (never add one)."""
    base = load_design().with_overrides(BASE)
    without = group_sequential_power(base, 3000, 8)
    for futility in ("obf", "pocock"):
        s = group_sequential_power(base.with_overrides({"interim.futility": futility}), 3000, 8)
        assert s.type_i_error_nonbinding == without.type_i_error
        assert s.mc_se_type_i_error_nonbinding == without.mc_se_type_i_error
        assert s.type_i_error <= s.type_i_error_nonbinding
        assert sum(s.p_stop_futility_h0) > 0.3  # the rule acts: the two differ in general
    assert without.type_i_error_nonbinding == without.type_i_error  # nothing to ignore


def test_text_gives_both_errors_and_the_flag_judges_the_one_with_futility_ignored():
    design = load_design().with_overrides({**BASE, "interim.futility": "obf"})
    s = group_sequential_power(design, 2000, 8)
    text = group_sequential_text(design, s)
    assert "with futility ignored (non-binding: the level the design claims) " in text
    assert level_type_i(s) == (s.type_i_error_nonbinding, s.mc_se_type_i_error_nonbinding)
    # a summary whose error with futility ignored is far above alpha, while the error with
    # futility followed is at alpha: flagged, and said to be the non-binding one
    high = replace(s, type_i_error=0.025, type_i_error_nonbinding=0.05)
    flag = sequential_type_i_flag(high)
    assert flag.startswith("with futility ignored (non-binding), LIBERAL")
    low = replace(s, type_i_error=0.05, type_i_error_nonbinding=0.025)
    assert sequential_type_i_flag(low) == ""
    # without futility the text is as before: one error
    plain = group_sequential_power(design.with_overrides({"interim.futility": "none"}), 500, 8)
    assert "futility ignored" not in group_sequential_text(design, plain)
    assert np.isfinite(plain.type_i_error_nonbinding)


def test_boundaries_on_the_estimates_scale_are_z_times_the_planned_se():
    design = load_design().with_overrides({**BASE, "interim.futility": "obf"})
    s = group_sequential_power(design, 500, 8)
    times = look_times(design)
    assert s.information_max == times.information_max
    se = 1 / np.sqrt(np.asarray(s.expected_information_fraction) * s.information_max)
    np.testing.assert_allclose(
        s.efficacy_boundaries_estimate, np.multiply(s.efficacy_boundaries_z, se), rtol=1e-15
    )
    interim = slice(0, -1)  # no futility boundary at the final look (rpact's convention)
    np.testing.assert_allclose(
        s.futility_boundaries_estimate[interim],
        np.multiply(s.futility_boundaries_z[interim], se[interim]),
        rtol=1e-15,
    )
    assert s.futility_boundaries_z[-1] is None and s.futility_boundaries_estimate[-1] is None
    text = group_sequential_text(design, s)
    assert f"planned maximum information {s.information_max:.1f} (points/month)^-2" in text
    assert f"efficacy {s.efficacy_boundaries_estimate[0]:.3f}, " in text
    # an HTA review: what a trial stopped at look 1 reports, beside the design's effect
    first, truth = s.efficacy_boundaries_estimate[0], s.true_effect
    assert truth == pytest.approx(0.125) and first > truth
    assert (
        f"(look 1: about {first:.3f} points/month at its planned information, "
        f"{first / truth:.2f} times the design's effect of {truth:.3f}; each trial's boundary "
        "moves with its own), so the naive estimate of a trial stopped early overstates"
    ) in text


def test_no_early_stop_line_without_an_interim_boundary_or_an_effect():
    from types import SimpleNamespace

    from designs.outputs.group_sequential import early_stop_lines

    (line,) = early_stop_lines(
        SimpleNamespace(efficacy_boundaries_estimate=[0.379, 0.178], true_effect=0.255)
    )
    assert "(look 1: about 0.379 points/month at its planned information, 1.49 times the " in line
    later = SimpleNamespace(efficacy_boundaries_estimate=[None, 0.3, 0.2], true_effect=0.1)
    assert (
        "(look 2: about 0.300 points/month at its planned information, 3.00 times"
        in (early_stop_lines(later)[0])
    )
    for bounds, truth in (([0.2], 0.1), ([None, 0.2], 0.1), ([0.379, 0.178], 0.0)):
        s = SimpleNamespace(efficacy_boundaries_estimate=bounds, true_effect=truth)
        assert early_stop_lines(s) == [], (bounds, truth)


@pytest.mark.parametrize("n", [40, 150])
def test_futility_effect_is_the_one_with_power_one_minus_beta_on_the_canonical_scale(n):
    """Independent of the root search that found it: on the canonical joint distribution,
    at the drift futility_effect x sqrt(I_max), the design with its futility boundaries
    followed has power 1 - futility_beta (0.8) to 1e-6. Below the n the design needs (40
    per arm) that effect is larger than the design's; the text says both."""
    design = load_design().with_overrides({**BASE, "trial.n_per_arm": n, "interim.futility": "obf"})
    s = group_sequential_power(design, 300, 8)
    planned = planned_boundaries(design)
    drift = s.futility_effect * math.sqrt(s.information_max)
    up, _ = crossing_probabilities(planned.fractions, planned.efficacy_z, drift, planned.futility_z)
    assert up.sum() == pytest.approx(1 - design.interim.futility_beta, abs=1e-6)
    if n == 40:
        assert s.futility_effect > 1.5 * s.true_effect
    assert f"derived under an effect of {s.futility_effect:+.3f}" in group_sequential_text(
        design, s
    )
    none = group_sequential_power(design.with_overrides({"interim.futility": "none"}), 300, 8)
    assert none.futility_effect is None


def test_sample_size_and_sweep_carry_the_error_with_futility_ignored():
    """A diff review: `sample-size --looks` and `sweep` with futility gave only the error
    with futility followed. The sweep's cell and the design without futility on the same
    seed give the same error, trial for trial."""
    from designs.planning.sweep.interim import evaluate_interim_cell

    design = load_design().with_overrides({**BASE, "interim.futility": "obf"})
    cell = evaluate_interim_cell(design, 400, 8, ("lmm_slope",))["lmm_slope"]
    without = group_sequential_power(design.with_overrides({"interim.futility": "none"}), 400, 8)
    assert cell["type_i_error_nonbinding"] == without.type_i_error
    assert cell["type_i_error"] <= cell["type_i_error_nonbinding"]


def test_the_sample_size_notes_give_the_error_with_futility_ignored():
    from types import SimpleNamespace

    from designs.outputs.sample_size_gs_table import _nonbinding_rows_note

    row = SimpleNamespace(futility="obf", type_i_error=0.010, type_i_error_nonbinding=0.012,
                          mc_se_type_i_error_nonbinding=0.0049)  # fmt: skip
    (line,) = _nonbinding_rows_note(row)
    assert "Type I error with futility ignored" in line and "0.0120 (MC SE 0.0049)" in line
    assert _nonbinding_rows_note(SimpleNamespace(**{**vars(row), "futility": "none"})) == []


def test_the_posterior_rule_at_looks_gives_its_error_with_predictive_futility_ignored():
    """The same for the posterior rule's predictive futility: with it ignored, the null
    trials succeed exactly as those of the design without futility (same seed); the text,
    the sweep's cell and the warning of `power --looks` use that error."""
    from designs.outputs.decision_looks import posterior_looks_text
    from designs.outputs.level_warnings import posterior_looks_warnings
    from designs.planning.decision_looks import posterior_looks_power
    from designs.planning.sweep.interim import evaluate_interim_cell

    rule = {"decision.rule": "posterior", "decision.prior": "vague"}
    design = load_design().with_overrides({**BASE, **rule, "decision.futility_predictive": 0.2})
    s = posterior_looks_power(design, 2000, 8)
    without = posterior_looks_power(
        design.with_overrides({"decision.futility_predictive": 0.0}), 2000, 8
    )
    assert s.type_i_error_nonbinding == without.type_i_error
    assert s.type_i_error <= s.type_i_error_nonbinding
    assert sum(s.p_stop_futility_h0) > 0.2  # the rule acts under no effect
    assert without.type_i_error_nonbinding == without.type_i_error
    text = posterior_looks_text(design, s)
    assert "with futility ignored (non-binding: the level the design claims)" in text
    # with the level it is judged against (a multiplicity review: the rate stood alone)
    assert "type I error (success with no effect) " in text
    assert " against the one-sided level 0.025" in text
    # the patients randomised by each look, which the table's legend explains (a diff
    # review: the legend named a column this table lacked)
    assert "  month  randomised  threshold" in text
    first = next(line for line in text.splitlines() if line.startswith("   1  "))
    assert f"{s.n_entered_by_look[0]:10.1f}" in first
    from designs.planning.decision_rule import decision_prior

    cell = evaluate_interim_cell(design, 2000, 8, ("lmm_slope",), prior=decision_prior(design))
    assert cell["lmm_slope"]["type_i_error_nonbinding"] == s.type_i_error_nonbinding
    high = replace(s, type_i_error=0.025, type_i_error_nonbinding=0.06)
    (warning,) = posterior_looks_warnings(design, high)
    assert "above the one-sided level 0.025" in warning and "futility ignored" in warning
    low = replace(s, type_i_error=0.06, type_i_error_nonbinding=0.025)
    assert posterior_looks_warnings(design, low) == []
