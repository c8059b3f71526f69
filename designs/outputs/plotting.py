"""What every report figure shares: the footer, the 95% normal quantile, and saving as a
vector PDF beside a 300-dpi PNG. Figures are drawn without pyplot (no display, no change to
the backend of a notebook that imports this module)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from designs import __version__
from designs.analyses.registry import title
from designs.outputs.scope import scope_prefix

Z95 = 1.959963984540054

#: Resolution of the PNG files (print quality); the PDF beside each is vector.
PNG_DPI = 300


#: Colours of the Okabe-Ito palette (Okabe & Ito 2008, "Color universal design"), told apart
#: by readers with any common colour-vision deficiency; each series also has its own marker
#: and line style, so that neither colour nor greyscale print alone carries it (a figures
#: review: two analyses' curves differed by a colour distance of 7 under deuteranopia). The
#: first five are at 3:1 or more against white (WCAG 1.4.11; an accessibility review: the
#: design's own curve, the second series, was orange at 2.25:1); orange and sky blue last.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
SERIES_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
SERIES_LINES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 2)))


def series_style(k: int) -> dict:
    """Colour, marker and line style of the ``k``-th series of a figure."""
    return {
        "color": SERIES_COLOURS[k % len(SERIES_COLOURS)],
        "marker": SERIES_MARKERS[k % len(SERIES_MARKERS)],
        "ls": SERIES_LINES[k % len(SERIES_LINES)],
    }


def new_figure(width_in: float, height_in: float, ncols: int = 1):
    """A figure (inches) and its axes, without pyplot."""
    fig = Figure(figsize=(width_in, height_in))
    return fig, fig.subplots(1, ncols)


#: Height of one legend line (7.5-8 pt type), inches: a figure whose legend goes under its
#: axes (:func:`legend_below`) grows by one per entry, so that the axes keep their height.
LEGEND_LINE_IN = 0.165


def legend_below(ax, height_in: float, **kwargs):
    """The legend of ``ax`` under the axes and their size label, whatever the axes' height,
    and the figure ``height_in`` inches tall plus a line per entry (an accessibility review:
    inside the axes it covered the sample-size figure's intervals of n; a teaching review:
    "best" put the power figure's over a band). ``kwargs`` go to ``ax.legend``."""
    from matplotlib.transforms import ScaledTranslation

    fig = ax.figure
    # handles long enough for a dash-dot pattern to show (a figures review: the 90% target's
    # dash-dot line looked solid in the legend)
    kwargs.setdefault("handlelength", 3.5)
    legend = ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=ax.transAxes + ScaledTranslation(0, -0.5, fig.dpi_scale_trans),
        **kwargs,
    )
    lines = len(legend.get_texts()) + bool(legend.get_title().get_text())
    fig.set_size_inches(fig.get_figwidth(), height_in + 0.1 + LEGEND_LINE_IN * lines)
    return legend


def footer(fig, text: str) -> None:
    """Provenance (trials, seed, version) in small grey type at the bottom left, wrapped to
    the figure's width (:func:`fit_within`; a review: one was cut at the edge, and a grant
    review found matplotlib's own wrapping cut another by a few letters at 300 dpi)."""
    fit_within(fig, fig.text(0.01, 0.01, text, fontsize=7, color="0.35", ha="left", va="bottom"))


def fit_within(fig, text) -> bool:
    """Wrap the lines of ``text`` (a title, a footer: a matplotlib ``Text``) that reach past
    the figure's left or right edge in the saved PNG, or within 1% of its width of it
    (:func:`past_the_edge`), each at the widest character count that fits (a grant review:
    a design's title line was cut at "points/m", a footer ran to the edge). An axes' title
    moves with the layout: call it after the layout, and lay out again when it wrapped.

    Returns whether the text was wrapped."""
    lines = text.get_text().splitlines()
    width = max((len(line) for line in lines), default=0)
    wrapped = False
    while width > 20 and past_the_edge(fig, text, margin=0.01):
        width -= max(1, width // 20)
        text.set_text("\n".join(_fill(line, width) for line in lines))
        wrapped = True
    return wrapped


def _fill(line: str, width: int) -> str:
    """``line`` wrapped at ``width`` characters between words only ("als-trial-sim" and
    "points/month" are not broken)."""
    import textwrap

    return textwrap.fill(line, width, break_on_hyphens=False, break_long_words=False)


def lay_out(fig, rect, *titles) -> None:
    """``fig.tight_layout(rect=rect)``, then each of ``titles`` wrapped to the figure's width
    where the layout put it past an edge (:func:`fit_within`), and the layout again for the
    lines that adds."""
    fig.tight_layout(rect=rect)
    if [title for title in titles if fit_within(fig, title)]:  # every title, not the first
        fig.tight_layout(rect=rect)


def past_the_edge(fig, artist, margin: float = 0.0) -> bool:
    """Whether ``artist`` (a legend, a text) drawn at the PNG's resolution reaches beyond the
    figure's left or right edge, where the saved file would cut it (text is wider at 300 dpi
    than at the screen's 100: a legend that fitted there was cut in the file), or comes
    within ``margin`` (a fraction of the figure's width) of it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # a real renderer: the base canvas of a figure made without pyplot draws nothing, and an
    # extent then read at 300 dpi was the one of the last layout at 100 (a grant review: a
    # title cut at "points/m" was found inside the figure)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    screen = fig.get_dpi()
    fig.set_dpi(PNG_DPI)
    try:
        canvas.draw()
        box = artist.get_window_extent(canvas.get_renderer())
        room = margin * fig.bbox.width  # a fraction of the figure's width kept clear
        return box.x0 < fig.bbox.x0 + room or box.x1 > fig.bbox.x1 - room
    finally:
        fig.set_dpi(screen)


#: The mark every figure file of this tool carries in its metadata (PNG text chunk
#: ``Source``, PDF ``Creator``): ``--figure`` replaces without ``--force`` only a file that
#: has it, not any matplotlib figure of the user's (:func:`is_tool_figure`).
FIGURE_MARK = f"als-trial-sim {__version__}"
#: The PDF's metadata without its creation date, so the same figure gives the same bytes
#: (matplotlib writes the time of writing otherwise; the PNG has no date).
PDF_METADATA = {"CreationDate": None, "Creator": FIGURE_MARK}
PNG_METADATA = {"Source": FIGURE_MARK}


def save(fig, path, formats=("png", "pdf")) -> Path:
    """Write ``fig`` as ``path`` (PNG, 300 dpi) and the same name with ``.pdf`` (vector);
    the same figure gives the same bytes on every run. ``formats``: which of the two to
    write (the explorer draws the PDF only when it is downloaded).

    Returns the PNG path.
    """
    png = Path(path).with_suffix(".png")
    title = {"Title": heading} if (heading := figure_heading(fig)) else {}
    if "png" in formats:
        fig.savefig(png, dpi=PNG_DPI, metadata=PNG_METADATA | title)
    if "pdf" in formats:
        from matplotlib import rc_context

        # TrueType (Type 42) fonts, not Type 3: journals' checkers reject Type 3 (a figures
        # review); the text stays selectable and the same figure gives the same bytes
        with rc_context({"pdf.fonttype": 42}):
            fig.savefig(png.with_suffix(".pdf"), metadata=PDF_METADATA | title)
    return png


def figure_heading(fig) -> str:
    """The first line of the figure's first title (its subject), for the files' Title
    metadata, which a screen reader or a PDF viewer shows (an accessibility review: the PDFs
    had none); '' for a figure without a title. A heading given as the figure's label
    (``fig.set_label``) comes first, then its suptitle, then its panels' titles (diff reviews:
    a two-panel figure was named by its first panel; the interim figure's suptitle is its
    assumptions line, so it names itself)."""
    for text in (fig.get_label(), fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)):
        for line in text.splitlines():
            if line.strip():
                return line.strip()
    return ""


def percent(x: float) -> str:
    """A fraction as a percentage with no more digits than it needs (0.1875 -> '18.75%')."""
    return f"{100 * x:.4g}%"


def is_tool_figure(data: bytes) -> bool:
    """True when ``data`` is a PNG or PDF written by :func:`save` (its metadata carries
    :data:`FIGURE_MARK`'s name, of any version)."""
    mark = FIGURE_MARK.split()[0].encode()
    if data.startswith(b"\x89PNG"):
        return b"Source\x00" + mark in data[:4096]
    return data.startswith(b"%PDF-") and b"(" + mark in data[-4096:]


def size_axis_label(size_dim: str, design=None) -> str:
    """The size axis: per arm (1:1), or in total with the allocation (placebo:active), so
    that a figure pasted alone keeps it (a review: '1:2' was nowhere on the figures)."""
    if size_dim == "n_per_arm":
        return "patients randomised per arm"
    alloc = None if design is None else design.trial.allocation
    ratio = "" if alloc is None or alloc.equal else f" ({alloc.describe()}, placebo:active)"
    return f"patients randomised in total{ratio}"


def effect_text(value: float, kind: str, slope_mean: float | None, candidates: bool = False) -> str:
    """'25% slowing (+0.125 points/month)' or '+0.125 points/month (25% of the mean
    decline)'; ``candidates``: under screening, where the % is of the candidates' decline,
    not the admitted patients'."""
    of = " of the candidates' decline" if candidates else ""
    if kind == "proportional_slowing":
        points = "" if slope_mean is None else f" ({value * abs(slope_mean):+.3f} points/month)"
        return f"{percent(value)} slowing{of}{points}"
    if slope_mean is None or not slope_mean < 0:
        return f"{value:+.3f} points/month"
    whose = "the candidates' mean decline" if candidates else "the mean decline"
    return f"{value:+.3f} points/month ({percent(value / -slope_mean)} of {whose})"


def effect_label(value: float, ds, design=None, own: bool = False) -> str:
    """Legend text of one effect of a sweep (the design's own effect is marked)."""
    units = ds["effect"].attrs.get("units", "")
    kind = "proportional_slowing" if "fraction" in units else "slope_difference"
    slope = None if design is None else design.population.slope_mean
    screened = design is not None and design.enrichment.active
    return effect_text(value, kind, slope, screened) + (" (design)" if own else "")


def _is_posterior(design) -> bool:
    return design is not None and design.decision.is_posterior


def posterior_rule_short(design, sep: str = ", ") -> str:
    """'P(effect > 0 | data) > 0.975, sceptical prior' (the margin in points/month when it
    is not 0; the robust prior with its weight on phase 2); ``sep`` between the rule and
    its prior (",\n" on a figure's axis, where one line ran past the axes)."""
    from designs.spec.decision import threshold_text

    dec = design.decision
    margin = "0" if dec.margin == 0 else f"{dec.margin:g} points/month"
    prior = f"{dec.prior.value} prior"
    if dec.prior.value == "robust":
        prior += f", weight {dec.prior_weight:g} on phase 2"
    return f"P(effect > {margin} | data) > {threshold_text(dec.threshold)}{sep}{prior}"


def rule_title(design) -> str:
    """The decision rule in a figure's title: 'alpha 0.05 two-sided' for the test, or
    'posterior rule, threshold 0.975, sceptical prior'."""
    t = design.trial
    if not _is_posterior(design):
        return f"alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided"
    from designs.spec.decision import threshold_text

    dec = design.decision
    weight = f" (weight {dec.prior_weight:g})" if dec.prior.value == "robust" else ""
    margin = "" if dec.margin == 0 else f", margin {dec.margin:g} points/month"
    threshold = f"threshold {threshold_text(dec.threshold)}"
    if dec.thresholds and design.interim.sequential:  # one per look: the one threshold is unread
        # (a diff review: the boundaries figure said 0.975 where the looks used 0.999, 0.99)
        threshold = f"thresholds {', '.join(threshold_text(x) for x in dec.thresholds)}"
    return f"posterior rule, {threshold}{margin}, {dec.prior.value} prior{weight}"


#: The y axis of a power figure under the frequentist test.
POWER_AXIS = "power (significant and favouring active)"


def success_axis_label(design) -> str:
    """The y axis of a power figure: what counts as a success under the design's rule
    (three lines under the posterior rule, which is named in full)."""
    if not _is_posterior(design):
        return POWER_AXIS
    # the rule and its prior on lines of their own (a figures review: with a robust
    # prior the one line ran past the axes)
    return f"success probability\n({posterior_rule_short(design, sep=',\n')})"


def assumptions_line(design, analysis: str, effect: float | None = None) -> str:
    """The design's assumptions in two lines (three under the posterior rule), for a
    figure's title; inside :func:`figure_scope`, its line first."""
    return scope_prefix() + _assumptions(design, analysis, effect)


def _assumptions(design, analysis: str, effect: float | None = None) -> str:
    if design is None:
        return title(analysis)
    t, p = design.trial, design.population
    value = design.effect.value if effect is None else effect
    gone = design.gone_text()
    d = design.dropout
    if value != design.effect.value and (d.informative or d.death_informative):
        # the active arm's fraction moves with the effect, which varies across the figure
        gone = (
            f"{100 * design.gone_by_last_visit:.1f}% of placebo patients gone by month "
            f"{t.duration_months:g}"
        )
    eff = effect_text(value, design.effect.kind.value, p.slope_mean, design.enrichment.active)
    if design.effect.has_time_course:  # as the tables' captions say it (a figure of an effect
        # from month 3 read as one full from randomisation)
        eff += f", {design.effect.course_text()}"
    head = f"{title(analysis)}, {rule_title(design)}; {eff}"
    if _is_posterior(design):  # the rule on a line of its own (too long beside the rest)
        head = f"{title(analysis)}; {eff}\n{rule_title(design)}"
    return (
        f"{head}\nmean decline {p.slope_mean:g} points/month (SD of true slopes "
        f"{p.slope_sd:g}), residual SD {p.residual_sd:g} points; {gone}"
    )


def closed_form_label(design) -> str:
    """Legend of the closed-form power of the sample-size figure: the frequentist z test,
    which under the posterior rule is not the trial's rule and is shown for comparison."""
    if not _is_posterior(design):
        return "closed form (continuous scores, GLS slope, z test)"
    return (
        f"frequentist z test at alpha {design.trial.alpha:g} "
        f"{'two' if design.trial.sides == 2 else 'one'}-sided (closed form), for comparison: "
        "not the trial's rule"
    )


def message_figure_bytes(text: str, fmt: str) -> bytes:
    """A small figure that says ``text`` (wrapped), as PNG or PDF bytes: what a figure
    download holds when there is no figure to draw, so that the file still opens (a
    usability review: an 83-byte text file named ``.png`` read as a broken image)."""
    import io
    import textwrap

    fig = Figure(figsize=(6.0, 1.6))
    fig.text(0.5, 0.5, textwrap.fill(text, 70), ha="center", va="center", fontsize=10)
    out = io.BytesIO()
    fig.savefig(
        out, format=fmt, dpi=PNG_DPI / 2, **({"metadata": PDF_METADATA} if fmt == "pdf" else {})
    )
    return out.getvalue()
