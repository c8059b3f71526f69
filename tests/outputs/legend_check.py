"""A figure's legend covers nothing it draws (shared by the figure tests)."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg

from designs.outputs.plotting import PNG_DPI, past_the_edge


def assert_legend_clear(ax) -> None:
    """The legend of ``ax`` lies outside the axes, their ticks and size label, every free
    text of the figure (footer, cautions) and inside the figure, measured as the PNG is
    drawn (300 dpi)."""
    fig = ax.figure
    fig.set_dpi(PNG_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.bbox)  # nothing plotted sits under it
    assert not legend.overlaps(ax.xaxis.get_tightbbox(renderer))  # ticks and size label
    for text in fig.texts:  # the footer (and cautions, when there are some)
        assert not legend.overlaps(text.get_window_extent(renderer)), text.get_text()
    assert not past_the_edge(fig, ax.get_legend())
    assert legend.y0 > 0
