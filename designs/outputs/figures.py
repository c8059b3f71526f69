"""Report figures about a fixed effect: the power curve, the sample-size search, and the
analyses compared on the same simulated trials. Each is written as a vector PDF and a 300-dpi
PNG (:func:`designs.outputs.plotting.save`).

Each plot is readable without the text: a title, the design's assumptions, axes with units,
a legend, and a footer with the seed, trials and version. The figures of the phase 2
posterior (assurance, posterior of the effect) are in :mod:`designs.outputs.figures_posterior`
and re-exported here.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.colors import to_rgb

from designs import __version__
from designs.analyses.registry import title
from designs.outputs.figures_posterior import (  # noqa: F401  (re-exported)
    assurance_curve_png,
    posterior_effect_png,
    success_word,
)
from designs.outputs.plotting import (
    SERIES_LINES,
    Z95,
    assumptions_line,
    closed_form_label,
    effect_label,
    footer,
    is_tool_figure,
    lay_out,
    legend_below,
    new_figure,
    save,
    series_style,
    size_axis_label,
    success_axis_label,
)
from designs.outputs.rates import search_estimator


def _targets(ax, targets, x0, design=None) -> None:
    word = success_word(design)  # 'power', or 'success probability' under the posterior rule
    for t in targets:
        ax.axhline(t, color="0.3", ls="--", lw=0.8)
        ax.text(x0, t + 0.012, f"{t:.0%} {word}", fontsize=8, color="0.3")


def power_curve_png(
    ds,
    path,
    *,
    targets=(0.8, 0.9),
    analysis=None,
    effect_label_title=None,
    chosen=None,
    design=None,
) -> Path:
    """Power (favourable) against the size, one line per effect, 95% Monte Carlo bands.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep (:func:`designs.planning.sweep.run_sweep`) with dims ``n_per_arm`` (or
        ``n_total``), ``effect`` and ``analysis``.
    path : path
        PNG file to write (a PDF of the same name is written beside it).
    targets : sequence of float
        Target powers, drawn as horizontal lines.
    chosen : sequence of (target, n), optional
        The sizes chosen for each target, marked on the design's own effect.
    design : designs.spec.TrialDesign, optional
        Gives the effects in points/month and the assumptions line.

    Returns
    -------
    pathlib.Path
        The PNG written.
    """
    size_dim = "n_per_arm" if "n_per_arm" in ds.dims else "n_total"
    analysis = analysis or str(ds.analysis.values[0])
    sub = ds.sel(analysis=analysis)
    fig, ax = new_figure(7.5, 5.2)
    n = sub[size_dim].values
    for k, eff in enumerate(sub.effect.values):
        cell = sub.sel(effect=eff)
        p, se = cell.power_favourable.values, cell.mc_se_favourable.values
        own = design is not None and np.isclose(eff, design.effect.value)
        # the design's effect solid, the others dashed or dotted (each its own)
        style = series_style(k) | {"ls": "-" if own else SERIES_LINES[1 + k % 6]}
        (line,) = ax.plot(
            n,
            p,
            **style,
            ms=3.5,
            lw=2.4 if own else 1.4,
            zorder=4 if own else 3,
            label=effect_label(float(eff), ds, design, own),
        )
        ax.fill_between(
            n,
            np.clip(p - Z95 * se, 0, 1),
            np.clip(p + Z95 * se, 0, 1),
            alpha=0.18,
            color=line.get_color(),
            lw=0,
        )
    _targets(ax, targets, n.min(), design)
    for target, m in chosen or ():
        ax.plot([m, m], [0, target], color="k", lw=0.8, ls=":")
        ax.plot(m, target, "o", color="k", ms=5, zorder=5)
        ax.annotate(
            f"n = {m} for {target:.0%}",
            (m, target),
            xytext=(6, -14),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_ylim(0, 1)
    ax.set_xlabel(size_axis_label(size_dim, design))
    ax.set_ylabel(success_axis_label(design))
    heading = ax.set_title(
        "Power against sample size; bands: 95% Monte Carlo interval\n"
        + assumptions_line(design, analysis),
        fontsize=9,
    )
    # under the axes: "best" put it over a band (a teaching review), the fixed lower right
    # over a curve in notebook 02 (a figures review)
    legend_below(ax, 5.2, title=effect_label_title or "true effect", fontsize=8)
    ax.grid(alpha=0.3)
    footer(
        fig,
        f"{ds.attrs.get('trials_per_cell')} simulated trials per point, seed "
        f"{ds.attrs.get('seed')}, als-trial-sim {__version__}",
    )
    lay_out(fig, (0, 0.03, 1, 1), heading)
    return save(fig, path)


def sample_size_png(result, path, *, closed_form=None, design=None, formats=("png", "pdf")) -> Path:
    """The sample-size search: simulated power at each size (95% Monte Carlo bars), the
    fitted probit curve that is inverted for n, the closed form, and n for each target with
    the Monte Carlo interval of its estimate. After a two-stage search
    (``result.stages``, :mod:`designs.planning.refine`) the second stage's sizes are drawn
    too, as hollow diamonds with their own 95% Monte Carlo bars (the control variate's where it
    was used): the curve is fitted to both.

    Parameters
    ----------
    result : designs.planning.sample_size.SampleSizeResult
    closed_form : (sizes, power), optional
        Closed-form power (continuous scores, GLS slope, z test) at some sizes.
    design : designs.spec.TrialDesign, optional
        For the assumptions line.
    """
    fig = draw_sample_size_search(result, closed_form=closed_form, design=design)
    return save(fig, path, formats)


#: The sample-size figure's colours: Okabe-Ito (plotting.SERIES_COLOURS), each at 3:1 or more
#: against white (an accessibility review: the targets were matplotlib's green and red, a
#: colour distance of 7 under deuteranopia with the same marker and line, and the second
#: stage's orange 2.5:1).
SEARCH_COLOURS = {"first": "#0072B2", "second": "#CC79A7"}
#: Each target's colour, marker, line style and hatch of its interval of n: told apart
#: without colour.
TARGET_STYLES = (
    {"color": "#009E73", "marker": "s", "ls": "-", "hatch": None},
    {"color": "#D55E00", "marker": "^", "ls": "-.", "hatch": "///"},
    # dash-dot-dot, as the caption says (a diff review: (5, 1, 1, 1) was a tight dash-dot)
    {"color": "#000000", "marker": "v", "ls": (0, (5, 1, 1, 1, 1, 1)), "hatch": "\\\\"},
)


def target_style(k: int) -> dict:
    """Colour, marker, line style and hatch of the ``k``-th target power's n."""
    return TARGET_STYLES[k % len(TARGET_STYLES)]


def _points_word(design) -> str:
    """What the simulated points of a sample-size search are: power, or the posterior rule's
    success probability."""
    if design is not None and design.decision.is_posterior:
        return "simulated success probability"
    return "simulated power"


def _stage_labels(result, design=None) -> tuple[str, str, str]:
    """Legend of the fitted curve and of the simulated points, and the title's first line
    (the points are the rule's success probability under the posterior rule)."""
    what = _points_word(design)
    if result.stages is None:
        return (
            "probit curve in sqrt(n) fitted to every size",
            f"{what} ({result.trials} trials per size, 95% MC interval)",
            "Sample-size search by simulation (common random numbers across sizes)",
        )
    return (
        "probit curve in sqrt(n) fitted to every size of both stages",
        f"first stage: {what}, {result.trials} trials per size (95% MC interval)",
        "Sample-size search by simulation in two stages (common random numbers across sizes)",
    )


def draw_sample_size_search(result, *, closed_form=None, design=None):
    """:func:`sample_size_png`'s figure (a matplotlib ``Figure``), not yet saved."""
    from designs.planning.power_curve import curve_power

    curve, rows, stages = result.curve, result.rows, result.stages
    size_dim = rows[0].size_name
    fig, ax = new_figure(7.5, 5.2)
    every = curve.sizes if stages is None else np.concatenate([curve.sizes, stages.near.sizes])
    grid = np.linspace(every.min(), every.max(), 200)
    fitted, first, heading = _stage_labels(result, design)
    spans = getattr(result, "target_spans", ()) or (None,) * len(rows)
    local = [  # each target's curve where it was refitted (none: every size's fit is used)
        (k, c, span)
        for k, (c, span) in enumerate(zip(getattr(result, "target_coefs", ()), spans, strict=False))
        if span is not None
    ]
    ax.plot(
        grid,
        curve_power(*result.coef, grid),
        color=SEARCH_COLOURS["first"],
        lw=1 if local else 2,
        ls="--" if local else "-",
        alpha=0.6 if local else 1,
        label=fitted,
    )
    for k, c, (lo, hi) in local:  # in its target's colour and line style
        near = np.linspace(lo, hi, 100)
        ax.plot(
            near,
            curve_power(*c, near),
            color=target_style(k)["color"],
            ls=target_style(k)["ls"],
            lw=2.2,
            label=f"{rows[k].target_power:.0%}: refitted on the sizes {lo}-{hi}, inverted for n",
        )
    ax.errorbar(
        curve.sizes,
        curve.power,
        yerr=Z95 * curve.mc_se,
        fmt="o",
        ms=4,
        capsize=3,
        color=SEARCH_COLOURS["first"],
        label=first,
    )
    if stages is not None:  # drawn over the squares, which sit at n on the target lines
        near = stages.near
        ax.errorbar(
            near.sizes,
            near.power,
            yerr=Z95 * near.mc_se,
            fmt="D",
            ms=5,
            mfc="white",
            mew=1.5,
            capsize=4,
            color=SEARCH_COLOURS["second"],
            zorder=6,
            label=f"second stage: {_points_word(design)}, {result.refine_trials} more trials per "
            "size near each n (95% MC interval)",
        )
    if closed_form is not None:
        ax.plot(*closed_form, ls=":", color="k", label=closed_form_label(design))
    _targets(ax, [r.target_power for r in rows], grid.min(), design)
    per = "per arm" if size_dim == "n_per_arm" else "in total"
    for k, r in enumerate(rows):
        style = target_style(k)
        if not r.reached:  # n is the largest size simulated, not a crossing: no interval
            ax.plot(  # the target's marker, hollow
                r.n,
                r.target_power,
                style["marker"],
                ms=7,
                mfc="white",
                mew=1.5,
                color=style["color"],
                zorder=5,
                label=f"{r.target_power:.0%}: not reached within {r.n:,} {per}",
            )
            continue
        hi = r.n_high if r.n_high >= 0 else every.max()
        lo = r.n_low if r.n_low >= 0 else r.n
        # n and its interval dropped to the size axis, where they are read, clear of the
        # curves and the second stage's points on the target line (a review: the interval
        # drawn on the line was hidden under the markers)
        colour = style["color"]
        ax.fill_between(  # each target's interval hatched its own way, not told by colour
            [lo, hi], 0, r.target_power, facecolor=(*to_rgb(colour), 0.2), hatch=style["hatch"],
            edgecolor=colour, lw=0, zorder=1,
        )  # fmt: skip
        ax.plot([r.n, r.n], [0, r.target_power], color=colour, ls=style["ls"], lw=1, zorder=2)
        ax.plot(
            r.n,
            r.target_power,
            style["marker"],
            ms=6,
            color=colour,
            zorder=7,
            label=f"{r.target_power:.0%}: n = {r.n} {per}; shaded down to the axis: MC "
            f"interval of n {lo}\u2013{r.n_high if r.n_high >= 0 else 'not reached'}",
        )
    ax.set_ylim(0, 1)
    ax.set_xlabel(size_axis_label(size_dim, design))
    ax.set_ylabel(success_axis_label(design))
    title_text = ax.set_title(
        heading + "\n" + assumptions_line(design, result.analysis), fontsize=9
    )
    # below the axes, not over the targets' intervals of n shaded down to the size axis (an
    # accessibility review: inside, at the lower right, it hid their lower part)
    legend_below(ax, 5.2, fontsize=7.5)
    ax.grid(alpha=0.3)
    what = (
        "simulation error only, not uncertainty about the true n; power with a control variate"
        if search_estimator(result) == "control variate"
        else "simulation error of the estimate only, not uncertainty about the true n"
    )
    footer(fig, f"MC interval of n: {what}; seed {result.seed}, als-trial-sim {__version__}")
    # one caution per line, wrapped here at a width that fits the figure, and the room below
    # the axes made for every wrapped line (a report review: two long cautions wrapped by
    # matplotlib over 4 lines where room for 2 was made, over the axis label)
    cautions = [
        line
        for caution in _search_cautions(result, design)
        for line in textwrap.wrap(caution, CAUTION_WIDTH, subsequent_indent="    ")
    ]
    if cautions:  # a figures review: the figure showed n with none of the table's warnings
        fig.text(
            0.01, 0.04, "\n".join(cautions), fontsize=7.5, color="#B00000", ha="left",
            va="bottom",
        )  # fmt: skip
    lay_out(fig, (0, 0.03 + 0.026 * len(cautions), 1, 1), title_text)
    return fig


#: Characters of a caution line under the sample-size figure (7.5 pt across its width).
CAUTION_WIDTH = 110


def _search_cautions(result, design) -> list[str]:
    """One short line per warning of the search's table: a fresh-trial check that missed its
    target, and under the posterior rule a type I error at n above the level."""
    from designs.outputs.fresh_check import fresh_check_missed, fresh_se_clause

    lines = []  # the missed checks first, then the type I errors above the level
    for r in result.rows:
        if fresh_check_missed(r):
            way = "below" if r.confirmed_power < r.target_power else "above"
            lines.append(
                f"CAUTION {r.target_power:.0%}: power on fresh trials at n = {r.n} is "
                f"{r.confirmed_power:.3f} ({fresh_se_clause(r)}), {way} the target "
                "beyond its MC error; rerun with more trials"
            )
    if design is not None:
        from designs.outputs.rates import type_i_verdicts

        for r, verdict, level in type_i_verdicts(result.rows, design):
            if verdict == "above":
                lines.append(
                    f"CAUTION {r.target_power:.0%}: posterior rule's type I error at n = "
                    f"{r.n:,} is {r.type_i_error:.4f} (MC SE {r.mc_se_type_i_error:.4f}), above "
                    f"the design's one-sided level {level:g} by more than 2 MC SE"
                )
    return lines


def sample_size_figure_bytes(
    result, *, closed_form=None, design=None, formats=("png", "pdf")
) -> dict[str, bytes]:
    """:func:`sample_size_png` as bytes, ``{"png": ..., "pdf": ...}`` (the ``formats``
    asked for): what ``simulate.py sample-size --figure`` writes and the explorer offers (the
    same bytes on every run)."""
    with tempfile.TemporaryDirectory(prefix="sample-size-figure-") as tmp:
        png = sample_size_png(
            result,
            Path(tmp) / "sample_size_curve.png",
            closed_form=closed_form,
            design=design,
            formats=formats,
        )
        return {f: png.with_suffix(f".{f}").read_bytes() for f in formats}


def is_figure_file(path) -> bool:
    """True when ``path`` is a PNG or PDF this tool drew (an earlier figure of this tool may
    be replaced without ``--force``; another matplotlib figure of the user's may not)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    return is_tool_figure(data)


def _compared_note(design) -> str:
    if design is not None and design.decision.is_posterior:
        return "all under the trial's posterior rule"
    return "only the trial's test is at its alpha"


def analyses_png(ds, path, *, effect, primary, design=None) -> Path:
    """Power of every analysis in the sweep on the same simulated trials, at one effect.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep with dims (size, ``effect``, ``analysis``).
    effect : float
        The effect (a value of the ``effect`` coordinate) to show.
    primary : str
        The trial's own analysis (drawn thicker; the others are for comparison only).
    """
    size_dim = "n_per_arm" if "n_per_arm" in ds.dims else "n_total"
    sub = ds.sel(effect=effect, method="nearest")
    n = sub[size_dim].values
    fig, ax = new_figure(7.5, 5.2)
    own = "analysis" if design is not None and design.decision.is_posterior else "test"
    for k, a in enumerate(sub.analysis.values):
        cell = sub.sel(analysis=a)
        p, se = cell.power_favourable.values, cell.mc_se_favourable.values
        main = str(a) == primary
        style = series_style(k)
        ax.plot(
            n,
            p,
            **style,
            lw=4.0 if main else 1.2,
            ms=5 if main else 3.5,
            # the trial's own thick and underneath, the others thin on top, so that a curve
            # equal to it shows inside it (reviews: it was under Kenward-Roger's; then,
            # on top, Kenward-Roger's was listed but not seen; at 2.4 points against 1.3 a
            # plain-language review still took it for hidden)
            zorder=3 if main else 4,
            label=title(str(a)) + (f": the trial's {own}" if main else ""),
        )
        ax.fill_between(
            n,
            np.clip(p - Z95 * se, 0, 1),
            np.clip(p + Z95 * se, 0, 1),
            color=style["color"],
            alpha=0.15,
            lw=0,
        )
    _targets(ax, (0.8, 0.9), n.min(), design)
    ax.set_ylim(0, 1)
    ax.set_xlabel(size_axis_label(size_dim, design))
    ax.set_ylabel(success_axis_label(design))
    heading = ax.set_title(
        "Analyses compared on the same simulated trials; bands: 95% Monte Carlo interval\n"
        + assumptions_line(design, primary, effect=float(sub.effect)),
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    footer(
        fig,
        f"{_compared_note(design)}; no multiplicity correction; "
        f"{ds.attrs.get('trials_per_cell')} trials per point, seed {ds.attrs.get('seed')}, "
        f"als-trial-sim {__version__}",
    )
    lay_out(fig, (0, 0.03, 1, 1), heading)
    return save(fig, path)
