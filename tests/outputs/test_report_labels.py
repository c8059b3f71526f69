"""The report's labels name the decision rule the numbers are under (independent review):
under the posterior rule the figures and the README index say so (no alpha, no "significant"),
the closed-form z test is labelled as the frequentist comparison it is, the posterior figure's
panel titles do not run into each other, and the design files and power_sweep.nc are
described as what they are. Under the frequentist test the labels are as before."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from designs import load_design
from designs.outputs import figures, figures_posterior
from designs.outputs.report_index import (
    chosen_design_header,
    chosen_interim_header,
    input_design_header,
    report_readme,
)

FREQ = "power (significant and favouring active)"
RULE = "P(effect > 0 | data) > 0.975, sceptical prior"


def _posterior():
    return load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "sceptical"}
    )


def _sweep(analyses=("lmm_slope",)):
    n, eff = [50, 100, 150], [0.1, 0.125, 0.15]
    shape = (len(n), len(eff), len(analyses))
    p = np.broadcast_to(np.linspace(0.3, 0.9, 3)[:, None, None], shape).copy()
    dims = ("n_per_arm", "effect", "analysis")
    return xr.Dataset(
        {"power_favourable": (dims, p), "mc_se_favourable": (dims, np.full(shape, 0.02))},
        coords={"n_per_arm": n, "effect": eff, "analysis": list(analyses)},
        attrs={"trials_per_cell": 200, "seed": 1},
    )


def _caught(module, monkeypatch):
    caught = []
    monkeypatch.setattr(module, "save", lambda fig, path, formats=(): caught.append(fig))
    return caught


def _texts(fig) -> str:
    """Every title, axis label, legend entry and free text of ``fig``, joined (a line
    broken after a comma read as one: the axis labels break the rule from its prior)."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return "\n".join(out).replace(",\n", ", ")


def test_posterior_axis_label_stays_within_the_figure(monkeypatch, tmp_path):
    """A figures review: under a robust prior the y label (rule and prior on one line) ran
    past the axes' height into the title; it now breaks before the prior."""
    robust = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    caught = _caught(figures, monkeypatch)
    figures.sample_size_png(_search(robust), tmp_path / "s.png", design=robust)
    figures.power_curve_png(_sweep(), tmp_path / "p.png", design=robust)
    for fig in caught:
        fig.canvas.draw()
        ax = fig.axes[0]
        label, box = ax.yaxis.label.get_window_extent(), ax.get_window_extent()
        assert "robust prior, weight 0.5 on phase 2" in _texts(fig)
        assert box.y0 <= label.y0 and label.y1 <= box.y1 and fig.bbox.x0 <= label.x0


def test_the_power_figures_legend_covers_no_curve_or_band(monkeypatch, tmp_path):
    """A teaching review: the power figure's legend ("best") lay over a curve's band. It is
    under the axes and their size label."""
    from tests.outputs.legend_check import assert_legend_clear

    caught = _caught(figures, monkeypatch)
    figures.power_curve_png(_sweep(), tmp_path / "p.png", design=load_design())
    (fig,) = caught
    assert_legend_clear(fig.axes[0])


@pytest.mark.parametrize("draw", ["power_curve_png", "analyses_png"])
def test_power_figures_name_the_posterior_rule(draw, monkeypatch, tmp_path):
    caught = _caught(figures, monkeypatch)
    design = load_design().with_overrides({"effect.value": 0.125})
    post = _posterior().with_overrides({"effect.value": 0.125})
    for d in (design, post):
        if draw == "power_curve_png":
            figures.power_curve_png(_sweep(), tmp_path / "x.png", design=d)
        else:
            figures.analyses_png(
                _sweep(("lmm_slope", "joint_rank")),
                tmp_path / "x.png",
                effect=0.125,
                primary="lmm_slope",
                design=d,
            )
    freq, bayes = (_texts(f) for f in caught)
    assert FREQ in freq and "alpha 0.05 two-sided" in freq
    assert "significant" not in bayes and "alpha" not in bayes
    assert RULE in bayes and "posterior rule, threshold 0.975" in bayes


def _search(design):
    """A sample-size result the figure can draw (numbers made up)."""
    sizes = np.array([50, 100, 150, 200])
    curve = SimpleNamespace(
        sizes=sizes, power=np.array([0.3, 0.6, 0.8, 0.9]), mc_se=0.03 + 0 * sizes
    )
    row = SimpleNamespace(
        target_power=0.8,
        n=150,
        n_low=140,
        n_high=160,
        size_name="n_per_arm",
        n_total=300,
        reached=True,
        # the figure's cautions read the row's checks (none fires here)
        fitted_power=0.8,
        confirmed_power=0.801,
        confirmed_mc_se=0.004,
        type_i_error=0.024,
        mc_se_type_i_error=0.0015,
        type_i_trials=10_834,
    )
    return SimpleNamespace(
        curve=curve,
        rows=[row],
        stages=None,
        trials=200,
        coef=(-2.0, 0.25),
        seed=1,
        analysis="lmm_slope",
        refine_trials=0,
    )


def test_sample_size_figure_labels_the_z_test_as_a_comparison(monkeypatch, tmp_path):
    caught = _caught(figures, monkeypatch)
    closed = (np.array([50, 100, 150, 200]), np.array([0.4, 0.7, 0.85, 0.95]))
    for d in (load_design(), _posterior()):
        figures.sample_size_png(_search(d), tmp_path / "s.png", closed_form=closed, design=d)
    freq, bayes = (_texts(f) for f in caught)
    assert "closed form (continuous scores, GLS slope, z test)" in freq and FREQ in freq
    assert "frequentist z test at alpha 0.05 two-sided" in bayes and "for comparison" in bayes
    assert "not the trial's rule" in bayes and RULE in bayes and FREQ not in bayes


def test_assurance_figure_names_the_rule(monkeypatch, tmp_path):
    caught = _caught(figures_posterior, monkeypatch)
    rows = [
        SimpleNamespace(
            n_per_arm=n,
            n_total=2 * n,
            assurance=a,
            mc_se=0.02,
            power_at_median=a + 0.1,
            trials=200,
            p_effect_positive=0.9,
        )
        for n, a in ((50, 0.3), (100, 0.5), (150, 0.6))
    ]
    for d in (None, load_design(), _posterior()):
        figures.assurance_curve_png({"proportional": rows}, tmp_path / "a.png", design=d)
    none, freq, bayes = (_texts(f) for f in caught)
    assert "probability of a significant favourable result" in none and none == freq
    assert "significant" not in bayes and RULE in bayes


def test_posterior_effect_panel_titles_do_not_overlap(monkeypatch, tmp_path):
    caught = _caught(figures_posterior, monkeypatch)
    rng = np.random.default_rng(1)
    draws = {"proportional": rng.normal(0.38, 0.3, 4000), "absolute": rng.normal(0.2, 0.15, 4000)}
    figures.posterior_effect_png(draws, tmp_path / "p.png", design_effect=0.25, seed=1)
    (fig,) = caught
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    left, right = (ax.title.get_window_extent(renderer) for ax in fig.axes)
    width = fig.bbox.width
    assert left.x1 < right.x0  # not run into each other
    assert left.x0 >= 0 and right.x1 <= width  # not cut off at the edges
    assert "reconstruction and its priors" in fig._suptitle.get_text()
    # the line is the median, as the methods text gives it (a grant review: the mean)
    for ax, key, scale in zip(fig.axes, ("proportional", "absolute"), (100.0, 1.0), strict=True):
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(x.startswith("median ") for x in labels) and not any(
            x.startswith("mean ") for x in labels
        )
        red = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert red[0].get_xdata()[0] == pytest.approx(scale * np.median(draws[key]), rel=1e-12)


def _plan(design, interim=None):
    row = SimpleNamespace(
        target_power=0.8,
        n=150,
        n_low=141,
        n_high=158,
        n_total=300,
        size_name="n_per_arm",
        n_placebo=150,
        n_active=150,
        reached=True,  # its fresh-trial check passed: no warning in the README
        fitted_power=0.8,
        confirmed_power=0.8,
        confirmed_mc_se=0.009,
        trials=200,
        # under the posterior rule, a type I error at n within the level: no warning either
        type_i_error=0.026,
        mc_se_type_i_error=0.0015,
        type_i_trials=10_834,
    )
    return SimpleNamespace(
        design=design,
        sample_size=SimpleNamespace(rows=[row], refine_trials=0, trials=200),
        posterior_attrs=None,  # the bundled reconstruction's posterior
        analysis="lmm_slope",
        trials=200,
        seed=1,
        assurance={150: {}},
        prior_weight_sweep=None,
        interim=interim,
        operating={"type_i_error": 0.0641},
    )


def test_readme_legends_name_the_rule():
    freq = report_readme(_plan(load_design()))
    bayes = report_readme(_plan(_posterior()))
    assert "Power (significant and favouring active)" in freq
    assert "probability of a significant favourable result" in freq
    assert "closed-form power (continuous scores, GLS slope, z test" in freq
    assert "significant" not in bayes
    assert RULE in bayes and "frequentist z test at alpha 0.05 two-sided" in bayes
    assert "for comparison only" in bayes
    # what successes without benefit add to assurance at most: the rule's type I error,
    # which borrowing raises above alpha (a review: 0.064 beside "the one-sided alpha")
    assert "at most 1 - P times the one-sided alpha" in freq
    assert "one-sided alpha" not in bayes
    assert "1 - P times the rule's type I error, 0.0641 at n_per_arm = 150" in bayes


def test_readme_describes_power_sweep_and_every_realism_scenario():
    text = report_readme(_plan(load_design()))
    sweep = next(line for line in text.splitlines() if "`power_sweep.nc`" in line)
    assert "the simulated power behind the figures" not in sweep
    assert "trial's analysis only" in sweep and "power_curve" in sweep
    realism = next(line for line in text.splitlines() if "`realism_sensitivity.md`" in line)
    assert "starts late" in realism and "wanes" in realism


def test_design_files_of_a_report_with_looks_are_described_as_what_they_are():
    row = SimpleNamespace(
        target_power=0.8, n=150, n_total=300, size_name="n_per_arm", n_placebo=150, n_active=150
    )
    gs_row = SimpleNamespace(
        target_power=0.8,
        size_name="n_per_arm",
        n_max=160,
        n_total_max=320,
        expected_n_total_h1=301.4,
    )
    interim = SimpleNamespace(
        row=gs_row,
        threshold_z=None,
        sample_size=SimpleNamespace(rows=[gs_row]),
        design=load_design().with_overrides({"interim.looks": [0.5, 1.0]}),
    )
    text = report_readme(_plan(load_design(), interim))
    assert "80% power: n max = 160 per arm (320 randomised at most, 301 expected" in text
    fixed = next(line for line in text.splitlines() if "`design_chosen.toml`" in line)
    assert "FIXED design" in fixed and "without its [interim]" in fixed
    assert "`design_chosen_interim.toml`" in text
    assert "FIXED design" in chosen_design_header(row, interim)
    assert "n_per_arm = 160" in chosen_interim_header(interim.row)
    assert "design_chosen_interim.toml" in input_design_header(row, interim)
    assert "FIXED" not in chosen_design_header(row)  # without looks, as before


def test_the_readmes_cautions_come_right_under_its_numbers():
    """A protocol writer's review: an uncalibrated posterior rule's README opened with
    "n = 148 per arm" and gave its "type I error above the level" six lines further on,
    after the command and the posterior's provenance."""
    plan = _plan(_posterior())
    row = plan.sample_size.rows[0]
    row.type_i_error, row.mc_se_type_i_error = 0.047, 0.0020  # 11 MC SE above 0.025
    lines = report_readme(plan, "python simulate.py report --out r").splitlines()
    assert lines[2].startswith("80% power: n = 150 per arm")
    assert lines[4].startswith("> **Warning: target 0.8: the posterior rule's type I error")
    assert lines.index(next(x for x in lines if x.startswith("Made with"))) > 4


def test_the_assurance_legend_stays_inside_the_figure(monkeypatch, tmp_path):
    """A report review: under the posterior rule, with both transports, the legend's two
    columns of longer labels ran past the figure's right edge (cut in the saved file); it
    falls back to one column, inside the figure."""
    from designs.outputs.plotting import past_the_edge

    caught = _caught(figures_posterior, monkeypatch)
    rows = [
        SimpleNamespace(
            n_per_arm=n, n_total=2 * n, assurance=a, mc_se=0.02, power_at_median=a + 0.1,
            trials=200, p_effect_positive=0.91,
        )
        for n, a in ((50, 0.3), (100, 0.5), (150, 0.6))
    ]  # fmt: skip
    fixed = (np.array([50, 100, 150]), np.array([0.4, 0.6, 0.8]), np.full(3, 0.02), "at n")
    robust = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    for d in (load_design(), robust):
        curves = {"proportional": rows, "absolute": rows}
        figures.assurance_curve_png(curves, tmp_path / "a.png", design=d, fixed=fixed)
    for fig in caught:
        (ax,) = fig.axes
        assert not past_the_edge(fig, ax.get_legend())
    assert caught[0].axes[0].get_legend()._ncols == 2  # the test's labels fit in two
    # the two dotted lines at the posterior-median effect differ by marker too, not by
    # colour alone (a review)
    dotted = [ln for ln in caught[0].axes[0].lines if "posterior-median" in ln.get_label()]
    assert len(dotted) == 2 and dotted[0].get_marker() != dotted[1].get_marker()
    # and the two assurance lines by their style (a figures review: both solid)
    solid = [ln for ln in caught[0].axes[0].lines if ln.get_label().startswith("assurance,")]
    assert len(solid) == 2 and solid[0].get_linestyle() != solid[1].get_linestyle()


def test_a_curve_equal_to_the_trials_own_shows_inside_it(monkeypatch, tmp_path):
    """Reviews: Kenward-Roger's curve, equal to lmm_slope's at most sizes, hid the trial's own
    when on top; with the trial's own on top it was listed but not seen. The trial's own is
    drawn thick and underneath, every other curve thinner and on top, so each one shows."""
    caught = _caught(figures, monkeypatch)
    ds = _sweep(("lmm_slope", "lmm_slope_kr", "ols_slope_ttest"))  # equal powers
    design = load_design().with_overrides({"effect.value": 0.125})
    figures.analyses_png(ds, tmp_path / "a.png", effect=0.125, primary="lmm_slope", design=design)
    lines = {ln.get_label(): ln for ln in caught[0].axes[0].lines if "(" in ln.get_label()}
    own = next(ln for label, ln in lines.items() if "the trial's test" in label)
    others = [ln for ln in lines.values() if ln is not own]
    assert len(others) == 2
    for ln in others:
        assert ln.get_zorder() > own.get_zorder() and ln.get_linewidth() < own.get_linewidth()


def test_the_readme_gives_ns_interval_and_says_when_it_is_a_draft():
    """An HTA review: the folder's README opened with "n = 185 per arm" without its Monte
    Carlo interval, and only the console said that 300 trials per point make a draft."""
    from designs.planning.operating import final_run_trials

    plan = _plan(load_design())
    lines = report_readme(plan, "python simulate.py report --out r").splitlines()
    assert lines[2].startswith("80% power: n = 150 per arm (MC interval 141\u2013158 per arm; 300 ")
    draft = [x for x in lines if x.startswith("> **A draft: 200 simulated trials per point.")]
    assert draft and f"`--trials {final_run_trials()}` or more" in draft[0]
    plan.trials = final_run_trials()
    assert not any("A draft" in x for x in report_readme(plan).splitlines())
