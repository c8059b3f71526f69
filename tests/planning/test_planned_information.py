"""``interim.information = "planned"``: every simulated trial meets the planned boundaries
(the design's planned information fractions), instead of spending alpha by its own observed
information ``1 / SE^2`` (the default, ``"observed"``).

Why it exists (docs/group_sequential.md): spending by each trial's estimated information put
a 4-look two-sided Hwang-Shih-DeCani (-4) design at 150 per arm at a type I error of 0.0532
(MC SE 0.0007, 100,000 null trials) where the same trials against the planned boundaries
gave 0.0516."""

from __future__ import annotations

import numpy as np
import pytest

from designs.errors import InputError
from designs.planning.group_sequential import (
    group_sequential_power,
    planned_boundaries,
    simulate_outcome,
)
from designs.planning.look_times import look_times
from designs.sequential import SpendingFunction
from designs.simulation.inputs import simulation_inputs
from designs.spec import load_design

LOOKS = {"interim.looks": [0.3333, 0.6667, 1.0], "interim.spending": "hsd"}


def _design(**more):
    return load_design().with_overrides({**LOOKS, "trial.n_per_arm": 60, **more})


def test_every_trial_meets_the_planned_boundaries_at_its_first_crossing():
    """Against a straightforward loop over the trials: the planned boundaries in every row,
    the first look whose |z| reaches its boundary stops the trial, the same z as spending by
    the observed information (only the boundaries differ)."""
    design = _design(**{"interim.information": "planned"})
    shift = simulation_inputs(design).effect_shift
    res, out = simulate_outcome(design, 300, 5, shift)
    _, out_observed = simulate_outcome(_design(), 300, 5, shift)
    np.testing.assert_array_equal(out.z, out_observed.z)
    b = np.asarray(planned_boundaries(design).efficacy_z)
    np.testing.assert_array_equal(out.bounds, np.broadcast_to(b, out.bounds.shape))
    for i in range(out.z.shape[0]):
        crossed = [k for k in range(b.size) if abs(out.z[i, k]) >= b[k]]
        assert out.look[i] == (crossed[0] if crossed else b.size - 1)
        assert out.efficacy[i] == bool(crossed)
    assert 0 < out.efficacy.sum() < out.z.shape[0]  # both kinds of trial were checked
    # the observed information is still what the summary reports
    info = 1.0 / res.results[:, :, 1] ** 2
    assert np.nanmean(out.information) == pytest.approx(np.nanmean(info), rel=1e-12)


@pytest.mark.slow  # about 10 s: 4,000 trials under the effect and 4,000 under none
def test_the_interim_stops_under_no_effect_at_the_alpha_its_plan_spends():
    """One-sided 0.025, Pocock-type spending, looks at 0.5 and 1, continuous scores, no
    dropout: under no effect the interim look stops with the probability the spending
    function gives at 0.5, alpha log(1 + (e - 1) 0.5) = 0.01550 (Lan & DeMets 1983), within
    3 MC SE (sqrt(p (1 - p) / 4,000) = 0.0020)."""
    design = load_design().with_overrides(
        {
            "interim.looks": [0.5, 1.0],
            "interim.spending": "pocock",
            "interim.information": "planned",
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "population.integer_scores": False,
            "dropout.cumulative": [],
            "dropout.death_monthly_hazard": 0.0,
        }
    )
    s = group_sequential_power(design, 4000, 11)
    want = 0.025 * np.log(1 + (np.e - 1) * 0.5)
    assert SpendingFunction("pocock").spent(np.array([0.5]), 0.025)[0] == pytest.approx(want)
    se = np.sqrt(want * (1 - want) / 4000)
    assert abs(s.p_stop_efficacy_h0[0] - want) < 3 * se, (s.p_stop_efficacy_h0[0], want)
    assert s.information == "planned" and s.to_dict()["information"] == "planned"
    assert s.p_stop_information == [0.0, 0.0]  # no look ends a trial by its information


def test_describe_and_the_refusals():
    d = _design(**{"interim.information": "planned"})
    assert d.interim.describe().endswith("; boundaries at the planned information")
    assert not _design().interim.describe().endswith("planned information")
    with pytest.raises(InputError, match=r"interim\.information = 'plan': must be one of"):
        _design(**{"interim.information": "plan"})
    with pytest.raises(InputError, match="read by alpha spending only"):
        _design(**{"interim.information": "planned", "decision.rule": "posterior"})
    assert look_times(d).fractions.tolist() == look_times(_design()).fractions.tolist()


def test_the_outputs_say_which_boundaries_the_trials_met():
    """The looks table's note, the precision note and the boundaries' line: under the
    planned information no sentence says the boundaries move with each trial's information
    (a first version's line on the estimate scale still did)."""
    from designs.outputs.group_sequential import group_sequential_text
    from designs.outputs.look_notes import (
        boundary_columns,
        monitoring_text,
        type_i_precision_note,
    )

    texts = {}
    for information in ("observed", "planned"):
        design = _design(**{"interim.information": information})
        s = group_sequential_power(design, 100, 3)
        assert s.information == information
        texts[information] = (
            boundary_columns(s),
            type_i_precision_note(s),
            group_sequential_text(design, s),
            monitoring_text(s),  # the report's methods paragraph
        )
    columns, precision, whole, methods = texts["planned"]
    assert methods.startswith("met these planned boundaries") and "observed" not in methods
    assert "I_max" in methods and "reached I_max" not in methods
    assert "every trial meets these planned boundaries" in columns
    assert "the test at an early look" in precision
    assert "information it observed" not in whole and "observed information" not in whole
    columns, precision, whole, methods = texts["observed"]
    assert methods.startswith("spent alpha by the information it observed (1/SE^2): ")
    assert "spends alpha by the information it observed" in columns
    assert "spending by each trial's observed information" in precision
    assert "each trial's boundaries move with the information it observed" in whole


def test_the_report_looks_csv_names_the_information_of_its_boundaries():
    """The report's ``interim_looks.csv`` had no word of which boundaries its trials met (the
    design line and the methods paragraph said it): a last column ``information``."""
    from types import SimpleNamespace

    from designs.outputs.interim_csv import interim_looks_csv

    for information in ("observed", "planned"):
        design = _design(**{"interim.information": information})
        s = group_sequential_power(design, 100, 3)
        interim = SimpleNamespace(summary=s, design=design, threshold_z=None)
        lines = interim_looks_csv(interim).splitlines()
        assert lines[0].split(",")[-1] == "information" and len(lines) == 1 + len(s.looks)
        assert {line.split(",")[-1] for line in lines[1:]} == {information}


def test_the_futility_clause_is_its_own_under_either_information():
    """The report's methods paragraph takes the futility rule from ``futility_words``: it
    took describe()'s last clause, which under the planned information is no longer the
    futility rule (a review: "with boundaries at the planned information, followed in the
    simulation")."""
    for futility, words in (
        ("obf", "non-binding futility by O'Brien-Fleming-type (obf) beta spending, beta 0.2"),
        ("cp", "non-binding futility (conditional power under the current trend < 0.1)"),
        ("none", ""),
    ):
        for information in ("observed", "planned"):
            d = _design(
                **{
                    "interim.futility": futility,
                    "interim.information": information,
                    "trial.sides": 1,
                }
            )
            assert d.interim.futility_words() == words
            if words:
                assert f"; {words}" in d.interim.describe()


def test_trial_says_its_boundaries_are_the_planned_ones(capsys, tmp_path):
    import simulate

    argv = ["trial", "--out", str(tmp_path / "t.csv"), "--looks", "0.5,1", "--index", "2"]
    assert simulate.main([*argv, "--set", 'interim.information="planned"']) == 0
    out = capsys.readouterr().out
    assert "(boundaries: the planned ones, interim.information = planned" in out
    assert "exit probability" not in out
    assert simulate.main([*argv, "--force"]) == 0
    assert "exit probability" in capsys.readouterr().out


def test_a_liberal_flag_names_the_cause_that_applies():
    """A type I error far above alpha: by plan the flag names the test at the early looks,
    not spending by each trial's observed information (a diff review)."""
    from dataclasses import replace

    from designs.outputs.group_sequential import sequential_type_i_flag

    for information, cause in (
        ("observed", "alpha spent by each trial's observed information"),
        ("planned", "(the analysis's test on the early looks' data:"),
    ):
        s = group_sequential_power(_design(**{"interim.information": information}), 100, 3)
        flag = sequential_type_i_flag(
            replace(s, type_i_error=0.3, type_i_error_nonbinding=0.3, counted_h0=2000)
        )
        assert flag.startswith("LIBERAL") and cause in flag, flag


def test_stopping_under_the_effect_is_the_canonical_distributions_at_the_planned_bounds():
    """Continuous scores, no dropout, one-sided 0.025, O'Brien-Fleming type at 0.5 and 1,
    the planned boundaries: the stopping probabilities per look under a slope difference of
    0.16 points/month are those of the canonical joint normal (scipy's bivariate normal,
    written out here: P(Z_1 >= b_1), P(Z_1 < b_1, Z_2 >= b_2), correlation sqrt(I_1 / I_2),
    means drift x sqrt(I_k / I_2)), at the information the trials observed (its mean 1/SE^2
    per look), within 3 MC SE (sqrt(p (1 - p) / 3,000) <= 0.0092)."""
    from scipy import stats

    trials = 3000
    design = load_design().with_overrides(
        {
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "trial.n_per_arm": 100,
            "population.integer_scores": False,
            "dropout.cumulative": [],
            "dropout.death_monthly_hazard": 0.0,
            "effect.kind": "slope_difference",
            "effect.value": 0.16,
            "interim.looks": [0.5, 1.0],
            "interim.information": "planned",
        }
    )
    s = group_sequential_power(design, trials, 99)
    b = np.asarray(planned_boundaries(design).efficacy_z)
    info = np.asarray(s.observed_information_fraction) * look_times(design).information_max
    t = info / info[-1]
    mean = 0.16 * np.sqrt(info[-1]) * np.sqrt(t)
    first = stats.norm.sf(b[0] - mean[0])
    r = np.sqrt(t[0])
    below_then_above = stats.norm.cdf(b[0] - mean[0]) - stats.multivariate_normal(
        mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]]
    ).cdf([b[0] - mean[0], b[1] - mean[1]])
    for sim, exact in zip(s.p_stop_efficacy, (first, below_then_above), strict=True):
        assert abs(sim - exact) <= 3 * np.sqrt(exact * (1 - exact) / trials), (sim, exact)
    assert 0.05 < first < below_then_above  # both looks carry weight


def test_analyze_looks_stagewise_p_value_agrees_with_the_decision_of_every_trial():
    """A stagewise review: under the planned information the stagewise p-value read the looks'
    observed information while the boundaries are the plan's, and disagreed with the decision
    in 9 of 1,988 trials (3 looks, 20 per arm; a rejection with p 0.0267 > 0.025), and an
    interim look holding less information than the one before crashed it (NaN, a traceback).
    Every simulated trial judged by ``decision_at_look`` at the look where it stopped: the
    decision is the simulation's, and p <= the alpha spent exactly when it rejects."""
    from designs.analyses import results as R
    from designs.planning.interim_look import decision_at_look

    design = load_design().with_overrides(
        {**LOOKS, "interim.spending": "obf", "trial.n_per_arm": 20, "trial.sides": 1,
         "trial.alpha": 0.025, "interim.information": "planned", "effect.value": 0.5}
    )  # fmt: skip
    res, out = simulate_outcome(design, 400, 5, simulation_inputs(design).effect_shift)
    info = 1.0 / res.results[:, :, R.SE] ** 2
    falling = np.isfinite(info).all(axis=1) & (np.diff(info, axis=1) < 0).any(axis=1)
    assert falling.any()  # trials whose information fell between looks are among them
    for i in range(400):
        k = int(out.look[i])
        row = res.results[i, k]
        result = {"estimate": row[R.ESTIMATE], "se": row[R.SE], "df": row[R.DF],
                  "statistic": row[R.ESTIMATE] / row[R.SE]}  # fmt: skip
        look = decision_at_look(design, result, k + 1, [])
        rejected = bool(out.efficacy[i])
        assert (look["decision"] == "efficacy") == rejected, i
        assert (look["p_value_stagewise"] <= look["alpha_spent"][-1]) == rejected, i
        assert np.isfinite(look["median_unbiased_estimate"]), i


def test_a_liberal_type_i_error_is_not_also_called_too_imprecise_to_show(monkeypatch):
    """A type I error review: `power --looks` printed "LIBERAL ..." and then the note that its
    null trials were too few to show an excess: the note is left out once the flag fired."""
    from designs.outputs import group_sequential as text

    design = _design()
    s = group_sequential_power(design, 100, 3)
    assert "too few to show an excess" in text.group_sequential_text(design, s)
    monkeypatch.setattr(text, "sequential_type_i_flag", lambda s: "LIBERAL (0.058, 3.4 MC SE)")
    whole = text.group_sequential_text(design, s)
    assert "type I error: LIBERAL" in whole and "too few to show an excess" not in whole
