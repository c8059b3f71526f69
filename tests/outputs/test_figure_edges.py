"""Titles and footers stay inside the saved figure (a grant review: the enriched design's
title was cut at "points/m" in power_curve.png and sample_size_curve.png, and a footer ran
to the edge of prior_weight.png)."""

from designs.outputs.plotting import PNG_DPI, fit_within, lay_out, new_figure, past_the_edge

LONG = (
    "mean decline -1.02 points/month (SD of true slopes 0.75), residual SD 2 points; 36.4% "
    "gone by month 12, and some more words"
)


def _figure():
    fig, ax = new_figure(7.5, 5.2)
    ax.set_ylabel("success probability\n(P(effect > 0 | data) > 0.975,\nrobust prior)")
    title = ax.set_title("Power against sample size\n" + LONG, fontsize=9)
    return fig, title


def test_a_title_past_the_edge_at_the_pngs_resolution_is_found():
    """The layout at the screen's 100 dpi moves the axes (and its centred title) right of a
    three-line y label; at the PNG's 300 dpi the title reaches past the right edge. The
    check measured a stale extent and found it inside (the base canvas draws nothing)."""
    fig, title = _figure()
    fig.tight_layout()
    assert past_the_edge(fig, title)
    assert fig.get_dpi() != PNG_DPI  # the check leaves the figure's resolution as it was


def test_lay_out_wraps_the_title_between_words_and_keeps_every_word():
    fig, title = _figure()
    lay_out(fig, (0, 0.03, 1, 1), title)
    assert not past_the_edge(fig, title, margin=0.01)
    lines = title.get_text().splitlines()
    assert len(lines) > 2  # the long line was wrapped
    assert " ".join(lines[1:]).split() == LONG.split()  # between words, none lost or broken
    assert lines[0] == "Power against sample size"  # a line that fits is left alone


def test_a_footer_that_fits_is_left_alone_and_a_long_one_wrapped():
    fig, _ = new_figure(7.5, 5.2)
    short = fig.text(0.01, 0.01, "100 simulated trials per point, seed 1", fontsize=7)
    assert not fit_within(fig, short)
    assert short.get_text() == "100 simulated trials per point, seed 1"
    long = fig.text(0.01, 0.01, "als-trial-sim " + LONG * 2, fontsize=7)
    assert fit_within(fig, long)
    assert not past_the_edge(fig, long, margin=0.01)
    assert "als-trial-sim" in long.get_text().split()  # not broken at its hyphens
