"""What every figure shares (designs.outputs.plotting): the footer stays on the figure."""

from __future__ import annotations

import matplotlib.colors
import numpy as np
from PIL import Image

from designs.outputs.plotting import footer, new_figure, save

LONG = (
    "lmm_slope; 2 looks at information 0.5, 1; obf alpha spending\n"
    "n max 370 randomised; 2000 simulated trials under the effect and 21112 under no effect "
    "(the violins under no effect: the first 2000), seed 20261125; lines in the violins: "
    "medians; als-trial-sim 0.1.0, and a few more words to run past any edge"
)


def _ink_at_right_edge(path) -> int:
    """Dark pixels in the rightmost 0.5% of the bottom tenth (where a footer line ends)."""
    with Image.open(path) as im:
        grey = np.asarray(im.convert("L"))
    rows, cols = grey.shape
    return int((grey[-rows // 10 :, -max(cols // 200, 2) :] < 200).sum())


def test_a_footer_longer_than_the_figure_is_wrapped_not_cut(tmp_path):
    """A grant writer's review: the interim figure's footer ran off at 'als-trial-sim 0.1.'."""
    fig, _ = new_figure(9.5, 4.4, ncols=2)
    fig.subplots_adjust(bottom=0.3)
    footer(fig, LONG)
    wrapped = save(fig, tmp_path / "wrapped.png", formats=("png",))
    assert _ink_at_right_edge(wrapped) == 0
    # the check can fail: the same text without wrapping reaches the edge
    fig, _ = new_figure(9.5, 4.4, ncols=2)
    fig.subplots_adjust(bottom=0.3)
    fig.text(0.01, 0.01, LONG, fontsize=7, color="0.35", ha="left", va="bottom")
    cut = save(fig, tmp_path / "cut.png", formats=("png",))
    assert _ink_at_right_edge(cut) > 0


def test_pdf_embeds_truetype_fonts_not_type3(tmp_path):
    """A figures review: every PDF embedded DejaVu Sans as Type 3, which journals' checkers
    reject; the fonts are TrueType (Type 42) now, and the same figure gives the same bytes."""
    from designs.outputs.plotting import new_figure, save

    fig, ax = new_figure(4, 3)
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("patients randomised per arm")
    save(fig, tmp_path / "f.png")
    first = (tmp_path / "f.pdf").read_bytes()
    assert b"/Type3" not in first and b"/FontFile2" in first
    save(fig, tmp_path / "f.png")
    assert (tmp_path / "f.pdf").read_bytes() == first


def test_posterior_histograms_bin_the_range_they_show(tmp_path, monkeypatch):
    """A figures review: 60 bins over every draw, far tails included, then the axis cut at the
    0.2-99.8% quantiles, made one panel's bars 15 points wide against 4 in the other. The 60
    bins now span the range shown: equal widths of (right - left) / 60 in both panels."""
    import designs.outputs.figures_posterior as F

    seen = []
    monkeypatch.setattr(F, "save", lambda fig, path, *a, **k: seen.append(fig) or path)
    rng = np.random.default_rng(3)
    heavy = rng.standard_t(2, 4000)  # far tails, as a proportional posterior's
    F.posterior_effect_png(
        {"proportional": 0.4 + 0.3 * heavy, "absolute": rng.normal(0.2, 0.15, 4000)},
        tmp_path / "p.png",
    )
    for ax in seen[0].axes[:2]:
        left, right = ax.get_xlim()
        widths = [bar.get_width() for bar in ax.containers[0]]  # the histogram's bars
        assert len(widths) == 60 and np.allclose(widths, (right - left) / 60, rtol=1e-9)


def test_series_differ_by_marker_and_line_style_not_by_colour_alone():
    """A figures review: two analyses' curves differed by a colour distance of 7 under
    deuteranopia, same marker and line style. Every series of a figure (up to 7) has its own
    marker and line style as well as an Okabe-Ito colour."""
    from designs.outputs.plotting import SERIES_COLOURS, series_style

    styles = [series_style(k) for k in range(7)]
    assert len({s["marker"] for s in styles}) == 7
    assert len({str(s["ls"]) for s in styles}) == 7
    assert len({s["color"] for s in styles}) == 7 and styles[0]["color"] == SERIES_COLOURS[0]
    # the first five at 3:1 or more against white (an accessibility review: the second
    # series, often the design's own curve, was orange at 2.25:1)
    from tests.outputs.test_sample_size_figure import _contrast_on_white

    contrasts = [_contrast_on_white(matplotlib.colors.to_rgb(s["color"])) for s in styles]
    assert min(contrasts[:5]) >= 3 and max(contrasts[5:]) < 3, contrasts


def test_figures_in_a_scope_say_it_first():
    """A figures review: a report with looks drew the fixed design's curves without saying
    so. Inside ``figure_scope`` every assumptions line (and the assurance title) starts with
    the scope's line; outside it, nothing is added."""
    from designs.outputs.plotting import assumptions_line
    from designs.outputs.scope import figure_scope, scope_prefix
    from designs.spec import load_design

    design = load_design()
    plain = assumptions_line(design, "lmm_slope")
    with figure_scope("Fixed design, without the interim looks"):
        scoped = assumptions_line(design, "lmm_slope")
        assert scope_prefix() == "Fixed design, without the interim looks\n"
    assert scoped == "Fixed design, without the interim looks\n" + plain
    assert scope_prefix() == "" and assumptions_line(design, "lmm_slope") == plain


def test_the_search_figure_carries_the_tables_cautions():
    """A figures review: the console warned that n was likely underestimated (fresh-trial
    power 0.787 at n = 183), the figure showed n with no word. Each missed fresh check, and
    under the posterior rule each type I error above the level at n, is a red line."""
    import dataclasses

    from designs.outputs.figures import _search_cautions
    from designs.spec import load_design
    from tests.outputs.test_tables import _result, _row

    passed = _row(0.8, 183)
    missed = dataclasses.replace(_row(0.9, 250), confirmed_power=0.893, confirmed_mc_se=0.0033)
    lines = _search_cautions(_result([passed, missed]), load_design())
    assert lines == [
        "CAUTION 90%: power on fresh trials at n = 250 is 0.893 (MC SE 0.0033), below the "
        "target beyond its MC error; rerun with more trials"
    ]
    assert _search_cautions(_result([passed]), load_design()) == []
    # under the posterior rule, a type I error at n above the level by more than 2 MC SE
    rule = load_design().with_overrides({"decision.rule": "posterior"})
    above = dataclasses.replace(
        _row(0.8, 150), type_i_error=0.0633, mc_se_type_i_error=0.0141, type_i_trials=300
    )
    assert _search_cautions(_result([above]), rule) == [
        "CAUTION 80%: posterior rule's type I error at n = 150 is 0.0633 (MC SE 0.0141), above "
        "the design's one-sided level 0.025 by more than 2 MC SE"
    ]


def test_the_rule_in_a_title_names_the_thresholds_of_the_looks():
    """A diff review: with one threshold per look the boundaries figure's heading gave the
    unread single threshold (0.975) while its footer said 0.999, 0.99."""
    from designs.outputs.plotting import rule_title
    from designs.spec import load_design

    over = {"decision.rule": "posterior", "decision.prior": "sceptical", "trial.sides": 1}
    looks = load_design().with_overrides(
        {**over, "interim.looks": [0.5, 1.0], "decision.thresholds": [0.999, 0.99]}
    )
    assert rule_title(looks) == "posterior rule, thresholds 0.999, 0.99, sceptical prior"
    fixed = load_design().with_overrides(over)
    assert rule_title(fixed) == "posterior rule, threshold 0.975, sceptical prior"


def test_the_files_carry_the_figures_title(tmp_path):
    """An accessibility review: the PDFs had no Title, which a screen reader or a PDF viewer
    shows. Both files carry the first line of the figure's title; still the tool's figures."""
    from designs.outputs.plotting import figure_heading, is_tool_figure

    fig, ax = new_figure(4, 3)
    ax.set_title("\nPower against sample size; bands: 95% MC interval\nassumptions line")
    assert figure_heading(fig) == "Power against sample size; bands: 95% MC interval"
    png = save(fig, tmp_path / "f.png")
    pdf = png.with_suffix(".pdf").read_bytes()
    assert b"/Title (Power against sample size; bands: 95% MC interval)" in pdf
    assert Image.open(png).text["Title"] == "Power against sample size; bands: 95% MC interval"
    assert is_tool_figure(pdf) and is_tool_figure(png.read_bytes())
    untitled, _ = new_figure(4, 3)
    assert figure_heading(untitled) == ""
    assert b"/Title" not in save(untitled, tmp_path / "g.png").with_suffix(".pdf").read_bytes()


def test_a_figures_own_heading_names_its_files():
    """A diff review: a two-panel figure was named by its first panel's title."""
    from designs.outputs.plotting import figure_heading

    fig, (left, _) = new_figure(6, 3, ncols=2)
    left.set_title("boundaries and simulated z")
    fig.suptitle("Interim analyses of the design\nsecond line")
    assert figure_heading(fig) == "Interim analyses of the design"


def test_a_figure_that_names_itself_is_named_so():
    """A diff review: the interim figure's suptitle is its assumptions line, which named its
    files; it names itself by its label (figures_interim.py)."""
    from designs.outputs.plotting import figure_heading

    fig, (left, _) = new_figure(6, 3, ncols=2)
    left.set_title("boundaries and simulated z")
    fig.suptitle("mixed model of slopes (lmm_slope), alpha 0.05 two-sided")
    fig.set_label("Interim looks: boundaries, simulated z and stopping probabilities")
    assert (
        figure_heading(fig) == "Interim looks: boundaries, simulated z and stopping probabilities"
    )


def test_a_figures_title_names_the_effects_time_course():
    """A figure of an effect from month 3 read as one full from randomisation: its title
    now gives the time course, as the tables' captions do."""
    from designs import load_design
    from designs.outputs.plotting import assumptions_line

    late = load_design().with_overrides({"effect.onset_delay_months": 3, "effect.ramp_months": 3})
    assert "25% slowing (+0.125 points/month), acting from month 3, full by month 6\n" in (
        assumptions_line(late, "lmm_slope")
    )
    assert "acting from" not in assumptions_line(load_design(), "lmm_slope")
