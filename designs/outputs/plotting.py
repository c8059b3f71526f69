"""What every report figure shares: the footer, the 95% normal quantile, and saving as a
vector PDF beside a 300-dpi PNG. Figures are drawn without pyplot (no display, no change to
the backend of a notebook that imports this module)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

Z95 = 1.959963984540054

#: Resolution of the PNG files (print quality); the PDF beside each is vector.
PNG_DPI = 300


def new_figure(width_in: float, height_in: float, ncols: int = 1):
    """A figure (inches) and its axes, without pyplot."""
    fig = Figure(figsize=(width_in, height_in))
    return fig, fig.subplots(1, ncols)


def footer(fig, text: str) -> None:
    """Provenance (trials, seed, version) in small grey type at the bottom left."""
    fig.text(0.01, 0.01, text, fontsize=7, color="0.35", ha="left", va="bottom")


#: The PDF's metadata without its creation date, so the same figure gives the same bytes
#: (matplotlib writes the time of writing otherwise; the PNG has no date).
PDF_METADATA = {"CreationDate": None}


def save(fig, path, formats=("png", "pdf")) -> Path:
    """Write ``fig`` as ``path`` (PNG, 300 dpi) and the same name with ``.pdf`` (vector);
    the same figure gives the same bytes on every run. ``formats``: which of the two to
    write (the explorer draws the PDF only when it is downloaded).

    Returns the PNG path.
    """
    png = Path(path).with_suffix(".png")
    if "png" in formats:
        fig.savefig(png, dpi=PNG_DPI)
    if "pdf" in formats:
        fig.savefig(png.with_suffix(".pdf"), metadata=PDF_METADATA)
    return png


def percent(x: float) -> str:
    """A fraction as a percentage with no more digits than it needs (0.1875 -> '18.75%')."""
    return f"{100 * x:.4g}%"


#: Plain names of the analyses for legends and titles (the code name follows in brackets).
ANALYSIS_TITLES = {
    "lmm_slope": "mixed model of slopes",
    "lmm_slope_kr": "mixed model of slopes, Kenward-Roger",
    "ols_slope_ttest": "t-test of per-patient slopes",
    "ancova_change": "ANCOVA of change, completers",
    "joint_rank": "joint rank of function and survival",
    "slope_change_lead_in": "slope change from the lead-in",
}


def analysis_title(name: str) -> str:
    """'mixed model of slopes (lmm_slope)'; the code name alone when it has no plain name."""
    plain = ANALYSIS_TITLES.get(name)
    return f"{plain} ({name})" if plain else name


def size_axis_label(size_dim: str) -> str:
    return (
        "patients randomised per arm" if size_dim == "n_per_arm" else "patients randomised in total"
    )


def effect_text(value: float, kind: str, slope_mean: float | None) -> str:
    """'25% slowing (+0.125 points/month)' or '+0.125 points/month'."""
    if kind == "proportional_slowing":
        points = "" if slope_mean is None else f" ({value * abs(slope_mean):+.3f} points/month)"
        return f"{percent(value)} slowing{points}"
    return f"{value:+.3f} points/month"


def effect_label(value: float, ds, design=None, own: bool = False) -> str:
    """Legend text of one effect of a sweep (the design's own effect is marked)."""
    units = ds["effect"].attrs.get("units", "")
    kind = "proportional_slowing" if "fraction" in units else "slope_difference"
    slope = None if design is None else design.population.slope_mean
    return effect_text(value, kind, slope) + (" (design)" if own else "")


def assumptions_line(design, analysis: str, effect: float | None = None) -> str:
    """The design's assumptions in two lines, for a figure's title."""
    if design is None:
        return analysis_title(analysis)
    t, p = design.trial, design.population
    gone = design.dropout.cumulative_at(t.visits, include_death=True)[-1]
    value = design.effect.value if effect is None else effect
    eff = effect_text(value, design.effect.kind.value, p.slope_mean)
    return (
        f"{analysis_title(analysis)}, alpha {t.alpha:g} {'two' if t.sides == 2 else 'one'}-sided; "
        f"{eff}\nmean decline {p.slope_mean:g} points/month (SD of true slopes {p.slope_sd:g}), "
        f"residual SD {p.residual_sd:g} points; {100 * gone:.1f}% gone by month "
        f"{t.duration_months:g}"
    )
