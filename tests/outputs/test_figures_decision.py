"""The report's borrowing section: power and type I error against the weight of phase 2."""

import numpy as np
import pytest

from designs.outputs.figures_decision import prior_weight_figure, prior_weight_table
from designs.planning.report_plan import PRIOR_WEIGHTS, borrowing_sweep
from designs.spec import load_design


@pytest.fixture(scope="module")
def section(fake_posterior):
    """The report's sweep and calibration at 30 per arm on the fake posterior (delta ~
    N(0.15, 0.1))."""
    return borrowing_sweep(load_design(), 30, fake_posterior(), 400, 3, "lmm_slope")


@pytest.fixture(scope="module")
def sweep(section):
    return section[0]


@pytest.fixture(scope="module")
def calibrated(section):
    return section[1]


def test_borrowing_sweep_runs_the_robust_rule_at_each_weight(sweep):
    assert tuple(sweep.prior_weight.values) == PRIOR_WEIGHTS
    assert sweep.attrs["decision"] == "posterior"
    t1 = sweep.type1.sel(analysis="lmm_slope").values
    # Borrowing a phase 2 benefit raises the type I error (truth zero): monotone here since
    # the same null trials are judged at every weight and the prior only moves up with w.
    assert np.all(np.diff(t1) >= 0) and t1[-1] > t1[0]


def test_table_states_each_weight_with_its_numbers(sweep):
    md = prior_weight_table(sweep, 0.025)
    cell = sweep.sel(analysis="lmm_slope")
    # the rule's success probability: the sweep's rejection_rate and power_favourable agree
    np.testing.assert_array_equal(cell.rejection_rate, cell.power_favourable)
    for i, w in enumerate(PRIOR_WEIGHTS):
        assert f"| {w:g} | {float(cell.power_favourable[i]):.3f} (" in md
        assert f"{float(cell.type1[i]):.4f} (" in md
    assert "prior-data conflict" in md and "0.025" in md
    csv = prior_weight_table(sweep, 0.025, fmt="csv").splitlines()
    assert csv[0] == "prior_weight,power,mc_se,type1,type1_mc_se" and len(csv) == 6
    assert float(csv[-1].split(",")[3]) == pytest.approx(float(cell.type1[-1]), rel=1e-5)


def test_figure_is_written_as_png_and_pdf(sweep, tmp_path):
    png = prior_weight_figure(sweep, tmp_path / "prior_weight.png", 0.025)
    assert png.stat().st_size > 10_000 and png.with_suffix(".pdf").stat().st_size > 1_000


def test_table_csv_and_figure_state_n_threshold_margin_and_robust_sd(sweep, monkeypatch, tmp_path):
    """The borrowing section states what it was run at (independent review): n, threshold,
    margin and the robust component's SD, in the note, as CSV columns and in the figure."""
    from designs.outputs import figures_decision
    from designs.planning.decision_rule import robust_component_sd
    from designs.planning.power_curve import design_at

    design = design_at(load_design(), 30)
    sd = robust_component_sd(design)
    md = prior_weight_table(sweep, 0.025, design=design)
    note = f"30 per arm, threshold 0.975, margin 0 points/month, robust component N(0, {sd:.3g}^2)"
    assert note in md
    csv = prior_weight_table(sweep, 0.025, fmt="csv", design=design).splitlines()
    head = csv[0].split(",")
    assert head == [
        "prior_weight", "power", "mc_se", "type1", "type1_mc_se",
        "n_per_arm", "threshold", "margin", "robust_sd",
    ]  # fmt: skip
    for line in csv[1:]:
        row = dict(zip(head, line.split(","), strict=True))
        assert row["n_per_arm"] == "30" and float(row["threshold"]) == 0.975
        assert float(row["margin"]) == 0 and float(row["robust_sd"]) == pytest.approx(sd, 1e-5)
    caught = []
    monkeypatch.setattr(figures_decision, "save", lambda fig, path: caught.append(fig))
    prior_weight_figure(sweep, tmp_path / "w.png", 0.025, design=design)
    assert note in caught[0]._suptitle.get_text()
    # weight 0 is another prior, the vague one; in a report with looks the figure is the
    # fixed design's, as the others say (a figures review)
    assert "(weight 0: the vague prior N(0, 10^2) points/month instead)" in " ".join(
        caught[0]._suptitle.get_text().split()
    )
    # the design's own vague prior (a third diff review: 10 was typed in)
    from designs.outputs.figures import TARGET_STYLES
    from designs.outputs.figures_decision import settings_text

    vague = design.with_overrides({"decision.vague_sd": 3.0})
    assert "(weight 0: the vague prior N(0, 3^2) points/month instead)" in settings_text(vague)
    # the third target's line is dash-dot-dot, as the caption says: dash, gap, then two dots
    assert len(TARGET_STYLES[2]["ls"][1]) == 6
    from designs.outputs.scope import figure_scope

    with figure_scope("Fixed design, without the interim looks"):
        prior_weight_figure(sweep, tmp_path / "w.png", 0.025, design=design)
    assert caught[1]._suptitle.get_text().startswith("Fixed design, without the interim looks\n")


def test_a_type_i_error_of_zero_is_bounded_in_the_note(sweep):
    """A review: "0.0000 (0.0000)" from 300 null trials read as exact; the note gives the
    one-sided 95% upper bound (about 3 / trials, the rule of three) in the cells and says so."""
    zero = sweep.copy()
    zero["type1"] = zero["type1"] * 0.0
    md = prior_weight_table(zero, 0.025)
    assert "its one-sided 95% upper bound instead, 0.0075 (about 3 / 400" in md
    assert "| 0.0000 (≤ 0.0075) |" in md
    # about 10 of 400 null trials succeed at weight 0; none would be a 4e-5 chance
    assert float(sweep.type1.min()) > 0
    assert "upper bound" not in prior_weight_table(sweep, 0.025)


def test_a_type_i_error_of_zero_has_its_bound_as_the_bar(sweep, tmp_path, monkeypatch):
    """A diff review: a type I error of 0 drew a bar of zero width beside a table cell that
    gives its bound; the bar reaches the one-sided 95% upper bound (0.0075 at 400 trials)."""
    from designs.outputs import figures_decision

    zero = sweep.copy()
    zero["type1"] = zero["type1"] * 0.0
    zero["type1_mc_se"] = zero["type1_mc_se"] * 0.0
    caught = []
    monkeypatch.setattr(figures_decision, "save", lambda fig, path: caught.append(fig))
    prior_weight_figure(zero, tmp_path / "w.png", 0.025)
    ax = caught[0].axes[1]
    tops = [seg[1][1] for c in ax.collections for seg in c.get_segments()]
    assert tops and max(tops) == pytest.approx(1 - 0.05 ** (1 / 400))


def test_calibrated_columns_give_each_weights_threshold_power_and_gain(sweep, calibrated):
    """The regulatory review's ask: the power at a threshold calibrated per weight, beside
    the power at the design's threshold, in the table, the CSV and the note."""
    assert calibrated.null_trials == calibrated.trials == 10_834  # type I MC SE 0.0015
    np.testing.assert_array_equal(calibrated.weights, PRIOR_WEIGHTS)
    md = prior_weight_table(sweep, 0.025, calibrated=calibrated)
    assert "| threshold for type I error 0.025 (MC SE) | power at it (MC SE) |" in md
    for i, w in enumerate(PRIOR_WEIGHTS):
        row = next(line for line in md.splitlines() if line.startswith(f"| {w:g} |"))
        assert f"| {calibrated.threshold[i]:.4f} (" in row
        assert f"| {calibrated.power[i]:.3f} (" in row
    assert "0 (paired: the same trials)" in md
    assert "10,834 simulated trials with no effect" in md and "Kopp-Schneider" in md
    csv = prior_weight_table(sweep, 0.025, fmt="csv", calibrated=calibrated).splitlines()
    head = csv[0].split(",")
    assert head[5:] == [
        "calibrated_threshold", "calibrated_threshold_mc_se", "calibrated_power",
        "calibrated_power_mc_se", "calibrated_gain", "calibrated_gain_mc_se",
    ]  # fmt: skip
    last = dict(zip(head, csv[-1].split(","), strict=True))
    assert float(last["calibrated_gain"]) == pytest.approx(calibrated.gain[-1], abs=1e-6)
    # the borrowing threshold rises with the weight: the prior says benefit
    assert np.all(np.diff(calibrated.threshold) > 0)


def test_a_gain_beyond_its_mc_error_is_said_and_not_read_as_none(calibrated):
    from dataclasses import replace

    from designs.outputs.figures_decision import calibrated_note

    assert "as Kopp-Schneider" in calibrated_note(calibrated)
    moved = replace(calibrated, gain=calibrated.gain + np.array([0, 0, 0, 0, 0.05]))
    note = calibrated_note(moved)
    assert "more than 3 MC SE at weight 1 (+0." in note and "Kopp-Schneider" not in note


def test_figure_draws_the_calibrated_power_beside_the_designs(sweep, calibrated, tmp_path,
                                                               monkeypatch):  # fmt: skip
    from designs.outputs import figures_decision

    caught = []
    monkeypatch.setattr(figures_decision, "save", lambda fig, path: caught.append(fig))
    prior_weight_figure(sweep, tmp_path / "w.png", 0.025, calibrated=calibrated)
    ax = caught[0].axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "threshold holding type I error 0.025" in labels
    ys = [line.get_ydata() for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert any(np.allclose(y, calibrated.power) for y in ys)
    # a figures review: the footer did not say how either power was estimated, nor why the
    # dashed points sit beside their weights
    footer = " ".join(t.get_text() for t in caught[0].texts)
    assert "drawn 0.015 right of its weight" in footer
    assert sweep.attrs["estimator"] == "plain" and "control variate" not in footer
    controlled = sweep.copy()
    controlled.attrs["estimator"] = "control variate"
    prior_weight_figure(controlled, tmp_path / "w.png", 0.025, calibrated=calibrated)
    footer = " ".join(t.get_text() for t in caught[1].texts)
    assert "power with a control variate (dashed: share)" in footer


def test_the_type_i_errors_are_the_calibrations_null_trials_as_power_counts_them(
    sweep, calibrated, fake_posterior
):
    """A Bayesian review: the report gave three type I errors for one rule, among them the
    prior-weight table's 0.0365 on the sweep's 500 trials beside 0.0448 on 10,834; its w = 0
    row read 0.0278 at 0.975 beside a calibrated threshold of 0.9735 below 0.975. The table
    now counts the calibration's null trials, which the operating characteristics count too
    (same seed, same n; with a control variate there): `power` with the same seed and trials
    gives the same plain share."""
    from designs.planning.decision_rule import decision_prior, phase2_effect_prior
    from designs.planning.power import power
    from designs.planning.power_curve import design_at
    from designs.planning.report_plan import _borrowing_design

    assert calibrated.type1_trials == calibrated.null_trials == 10_834
    d = _borrowing_design(design_at(load_design(), 30), "lmm_slope")
    phase2 = phase2_effect_prior(d, fake_posterior())
    for i in (0, 2):  # the vague prior, and weight 0.5
        dw = d.with_overrides({"decision.prior_weight": PRIOR_WEIGHTS[i]})
        prior = decision_prior(dw, phase2=phase2)
        (s,) = power(dw, 10_834, 3, prior=prior, type1=True, control=False).values()
        assert calibrated.type1[i] == s.type1 and calibrated.type1_mc_se[i] == s.type1_mc_se
    # coherent with the calibration on the same trials: a calibrated threshold below the
    # design's 0.975 passes at most 0.025 of them, so the rate at 0.975 is at most 0.025
    for thr, t1 in zip(calibrated.threshold, calibrated.type1, strict=True):
        assert (t1 <= 0.025) if thr < 0.975 else (t1 >= 0.025 - 1 / 10_834)
    md = prior_weight_table(sweep, 0.025, calibrated=calibrated)
    for i, w in enumerate(PRIOR_WEIGHTS):
        row = next(line for line in md.splitlines() if line.startswith(f"| {w:g} |"))
        assert f"| {calibrated.type1[i]:.4f} (" in row
    assert "Type I error: the share of 10,834 simulated trials with no effect" in md
    assert "400 trials per weight under the effect" in md
