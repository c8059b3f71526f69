"""The sample-size figure (designs.outputs.figures.sample_size_png) after a one- and a
two-stage search: every simulated point the fitted curve uses is drawn, each stage with its
own marker, binomial 95% bars and legend entry."""

from __future__ import annotations

import matplotlib.colors
import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from designs import load_design
from designs.outputs import figures
from designs.outputs.plotting import Z95
from designs.planning.sample_size import find_sample_size

SEED = 4
GRID_TRIALS, REFINE_TRIALS = 300, 600


@pytest.fixture(scope="module")
def searches():
    design = load_design()
    one = find_sample_size(design, (0.8, 0.9), GRID_TRIALS, SEED)
    two = find_sample_size(design, (0.8, 0.9), GRID_TRIALS, SEED, refine_trials=REFINE_TRIALS)
    return design, one, two


def _drawn(result, design, monkeypatch, tmp_path):
    """The Axes ``sample_size_png`` draws (its figure caught before it is saved)."""
    caught = []
    monkeypatch.setattr(figures, "save", lambda fig, path, formats=(): caught.append(fig))
    figures.sample_size_png(result, tmp_path / "search.png", design=design)
    (fig,) = caught
    (ax,) = fig.axes
    return ax


def _points(ax, prefix):
    """The error-bar series whose legend label starts with ``prefix``: (x, y, half-widths of
    the bars, marker)."""
    (bars,) = [c for c in ax.containers if str(c.get_label()).startswith(prefix)]
    line, _, (cols,) = bars.lines
    segments = np.array(cols.get_segments())  # one vertical bar per point: (x, lo), (x, hi)
    half = (segments[:, 1, 1] - segments[:, 0, 1]) / 2
    return np.asarray(line.get_xdata()), np.asarray(line.get_ydata()), half, line.get_marker()


def test_a_two_stage_search_draws_both_stages(searches, monkeypatch, tmp_path):
    design, _, result = searches
    stages = result.stages
    assert stages is not None and result.refine_trials == REFINE_TRIALS
    ax = _drawn(result, design, monkeypatch, tmp_path)
    x1, y1, h1, m1 = _points(ax, "first stage")
    x2, y2, h2, m2 = _points(ax, "second stage")
    # as many points as sizes in each stage, at those sizes, with each stage's own power
    assert len(x1) == len(stages.grid.sizes) and len(x2) == len(stages.near.sizes)
    assert np.array_equal(x1, stages.grid.sizes) and np.array_equal(x2, stages.near.sizes)
    assert np.allclose(y1, stages.grid.power) and np.allclose(y2, stages.near.power)
    # bars: the 95% Monte Carlo interval of each stage's own trials (600 trials: narrower),
    # with the control variate the SD of the trials' corrected outcomes over sqrt(trials)
    assert np.allclose(h1, Z95 * stages.grid.mc_se) and np.allclose(h2, Z95 * stages.near.mc_se)
    assert stages.near.estimator == "control variate"
    assert np.allclose(h2, Z95 * stages.near.values.std(axis=1) / np.sqrt(REFINE_TRIALS))
    assert m1 != m2  # the stages are told apart
    labels = [str(c.get_label()) for c in ax.containers] + [ln.get_label() for ln in ax.lines]
    assert any(f"{GRID_TRIALS} trials per size" in t for t in labels if "first stage" in t)
    assert any(f"{REFINE_TRIALS} more trials" in t for t in labels if "second stage" in t)
    assert any("fitted to every size of both stages" in t for t in labels)
    assert "two stages" in ax.get_title()
    # the fitted curve spans every size simulated, in either stage
    (curve,) = [ln for ln in ax.lines if "fitted to every size of both" in ln.get_label()]
    every = np.concatenate([stages.grid.sizes, stages.near.sizes])
    assert curve.get_xdata().min() == every.min() and curve.get_xdata().max() == every.max()


def test_a_one_stage_search_draws_one(searches, monkeypatch, tmp_path):
    design, result, _ = searches
    assert result.stages is None
    ax = _drawn(result, design, monkeypatch, tmp_path)
    labels = [str(c.get_label()) for c in ax.containers]
    assert not [t for t in labels if "stage" in t]
    (bars,) = [c for c in ax.containers if str(c.get_label()).startswith("simulated power")]
    assert np.array_equal(bars.lines[0].get_xdata(), result.curve.sizes)
    assert f"({GRID_TRIALS} trials per size" in str(bars.get_label())


def test_the_points_are_the_rules_success_probability_under_the_posterior_rule():
    """Review of the session's figures: under the posterior rule the sample-size figure's
    points are the rule's success probability, not 'power' (the axis already said so)."""
    from types import SimpleNamespace

    from designs.outputs.figures import _stage_labels
    from designs.spec import load_design

    one = SimpleNamespace(stages=None, trials=200)
    two = SimpleNamespace(stages=object(), trials=200)
    rule = load_design().with_overrides({"decision.rule": "posterior"})
    assert _stage_labels(one, rule)[1].startswith("simulated success probability (200")
    assert "first stage: simulated success probability" in _stage_labels(two, rule)[1]
    assert _stage_labels(one, load_design())[1].startswith("simulated power (200")


def test_each_n_and_its_interval_reach_down_to_the_size_axis(searches, monkeypatch, tmp_path):
    """n's Monte Carlo interval is a band from ``n_low`` to ``n_high`` under the target line,
    down to power 0, in the colour of n's square (on the line it was hidden under the
    second stage's markers)."""
    design, _, result = searches
    ax = _drawn(result, design, monkeypatch, tmp_path)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]  # fill_between
    for row in result.rows:
        assert row.reached and row.n_low >= 0 and row.n_high >= 0
        (square,) = [
            ln for ln in ax.lines if ln.get_label().startswith(f"{row.target_power:.0%}: n")
        ]
        colour = square.get_color()
        assert f"MC interval of n {row.n_low}\u2013{row.n_high}" in square.get_label()
        assert (square.get_xdata()[0], square.get_ydata()[0]) == (row.n, row.target_power)
        extents = [
            b.get_paths()[0].get_extents()
            for b in bands
            if np.allclose(b.get_facecolor()[0][:3], matplotlib.colors.to_rgb(colour))
        ]
        (box,) = extents
        assert (box.x0, box.x1) == pytest.approx((row.n_low, row.n_high))
        assert (box.y0, box.y1) == pytest.approx((0.0, row.target_power))


def _contrast_on_white(colour) -> float:
    """WCAG 2 contrast ratio of ``colour`` against white."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    lum = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (lum + 0.05)


def test_every_legend_entry_is_told_apart_without_colour(searches, monkeypatch, tmp_path):
    """An accessibility review: the 80% and 90% targets were matplotlib's green and red with
    the same square marker and solid line (a colour distance of 7.3 under deuteranopia), and
    the second stage's orange diamonds 2.5:1 against white. Each legend entry now differs
    from every other by its marker, line style or fill (not by colour alone), every colour
    is at 3:1 or more against white (WCAG 1.4.11), and the two targets' intervals of n are
    hatched differently."""
    design, _, result = searches
    ax = _drawn(result, design, monkeypatch, tmp_path)
    handles, labels = ax.get_legend_handles_labels()
    signatures = []
    for handle in handles:
        line = handle.lines[0] if hasattr(handle, "lines") else handle  # an errorbar's points
        hollow = line.get_markerfacecolor() in ("white", "w", (1.0, 1.0, 1.0, 1.0))
        signatures.append((line.get_marker(), line.get_linestyle(), hollow))
        assert _contrast_on_white(matplotlib.colors.to_rgb(line.get_color())) >= 3, labels
    assert len(set(signatures)) == len(signatures), list(zip(labels, signatures, strict=True))
    assert any(label.startswith("80%: n = ") for label in labels)
    assert any(label.startswith("90%: n = ") for label in labels)
    shaded = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_zorder() == 1]
    assert len(shaded) == 2 and shaded[0].get_hatch() != shaded[1].get_hatch()


def test_the_legend_covers_nothing_drawn(searches, monkeypatch, tmp_path):
    """An accessibility review: the legend, inside the axes at the lower right, covered the
    lower part of the targets' intervals of n (shaded down to the size axis). It is now under
    the axes and their size label, clear of the cautions and the footer, and inside the
    figure, for a one- and a two-stage search."""
    from tests.outputs.legend_check import assert_legend_clear

    design, one, two = searches
    for result in (one, two):
        assert_legend_clear(_drawn(result, design, monkeypatch, tmp_path))
