"""The report's figure of an interim design: boundaries and observed z by look (left), and the
cumulative probability of stopping (right), from a
:class:`designs.planning.report_interim.InterimPlan` (PDF and 300-dpi PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from designs import __version__
from designs.outputs.plotting import (
    assumptions_line,
    fit_within,
    footer,
    new_figure,
    save,
)

__all__ = ["interim_figure"]

_H1, _H0 = "C0", "C7"  # under the effect, under no effect


def _violins(ax, x, z, width, colour, side: int) -> None:
    """Half violins of ``z`` (trial x look) at ``x``, to the right (+1) or left (-1)."""
    data = [col[np.isfinite(col)] for col in z.T]
    keep = [k for k, d in enumerate(data) if d.size > 1]
    if not keep:
        return
    parts = ax.violinplot(
        [data[k] for k in keep],
        positions=[x[k] for k in keep],
        widths=width,
        showextrema=False,
    )
    for body in parts["bodies"]:
        verts = body.get_paths()[0].vertices
        centre = np.mean(verts[:, 0])
        clip = np.maximum if side > 0 else np.minimum
        verts[:, 0] = clip(verts[:, 0], centre)
        body.set_facecolor(colour)
        body.set_edgecolor(colour)
        body.set_alpha(0.45)
    for k in keep:  # the median as a half line on the violin's own side
        ax.plot([x[k], x[k] + side * width / 2], [np.median(data[k])] * 2, color=colour, lw=1.5)


def _rule_text(interim) -> str:
    looks = interim.design.interim.describe()
    if interim.threshold_z is None:
        return looks
    s = interim.summary
    shown = ", ".join(f"{x:g}" for x in s.thresholds)
    return f"{looks.split(';')[0]}; posterior rule, thresholds {shown} ({s.prior} prior)"


def interim_figure(interim, path) -> Path:
    """Left: the planned efficacy (and futility) boundaries on the z scale at each look's
    planned information fraction, over the distribution of the simulated trials' z at that
    look (every trial, stopped or not) under the effect (right halves) and under no effect
    (left halves). Right: cumulative probability of having stopped for efficacy (solid) and
    for futility (dashed) by each look, under the effect and under no effect.

    Returns the PNG written (a PDF of the same name beside it).
    """
    s = interim.summary
    t = np.asarray(s.expected_information_fraction, dtype=float)
    k_count = t.size
    width = 0.8 * float(np.min(np.diff(np.concatenate(([0.0], t)))))
    fig, axes = new_figure(9.5, 4.4, ncols=2)
    ax = axes[0]
    _violins(ax, t, interim.z_h1, width, _H1, +1)
    _violins(ax, t, interim.z_h0, width, _H0, -1)
    posterior = interim.threshold_z is not None  # the posterior rule: thresholds as z
    if posterior:
        eff = np.asarray(interim.threshold_z, dtype=float)
        ax.plot(t, eff, "o-", color="C3", lw=2, label="threshold as z (planned information)")
        fut = np.full(k_count, np.nan)  # the predictive-probability rule has no fixed z
        futility_drawn = s.futility_predictive > 0
    else:
        eff = np.asarray(s.efficacy_boundaries_z, dtype=float)
        ax.plot(t, eff, "o-", color="C3", lw=2, label="efficacy boundary")
        if s.sides == 2:
            ax.plot(t, -eff, "o-", color="C3", lw=2)
        fut = np.array([np.nan if z is None else z for z in s.futility_boundaries_z], dtype=float)
        futility_drawn = bool(np.isfinite(fut).any())
    if np.isfinite(fut).any():
        ax.plot(t, fut, "s--", color="C2", lw=2, label="futility boundary")
    ax.plot([], [], color=_H1, lw=6, alpha=0.45, label="z of trials, effect")
    ax.plot([], [], color=_H0, lw=6, alpha=0.45, label="z of trials, no effect")
    ax.axhline(0, color="k", lw=0.5)
    low, high = ax.get_ylim()  # room above the violins for the legend (a review: it hid them)
    ax.set_ylim(low, high + 0.3 * (high - low))
    ax.set_xlim(0, t[-1] + 0.65 * width)
    ax.set_xticks(t, [f"{x:g}\n(month {m:.0f})" for x, m in zip(t, s.look_months, strict=True)])
    ax.set_xlabel("information fraction of the look")
    ax.set_ylabel("z statistic")
    ax.set_title("boundaries and simulated z")
    ax.legend(loc="upper left", fontsize=7)
    ax.grid(alpha=0.3)
    ax = axes[1]
    looks = np.arange(1, k_count + 1)
    for probs, colour, what in (
        ((s.p_stop_efficacy, s.p_stop_futility), _H1, "effect"),
        ((s.p_stop_efficacy_h0, s.p_stop_futility_h0), _H0, "no effect"),
    ):
        ax.plot(looks, np.cumsum(probs[0]), "o-", color=colour, label=f"efficacy, {what}")
        if futility_drawn:
            ax.plot(looks, np.cumsum(probs[1]), "s--", color=colour, label=f"futility, {what}")
    ax.set_xticks(looks)
    ax.set_xlabel("look")
    ax.set_ylabel("probability of having stopped by the look")
    ax.set_ylim(0, 1)
    ax.set_title("cumulative stopping probability")
    ax.legend(loc="best", fontsize=7)  # where the curves are not (futility can rise early)
    ax.grid(alpha=0.3)
    # the design's assumptions over both panels, as on the report's other figures (a
    # figures review: this one alone did not say what effect, decline and dropout it is under)
    # led by what it shows, as the other figures are (a figures review: no heading)
    heading = fig.suptitle(
        "Interim looks: boundaries, the z of every simulated trial (stopped or not) and "
        f"stopping probabilities\n{assumptions_line(interim.design, s.analysis)}",
        fontsize=9,
    )
    fig.set_label("Interim looks: boundaries, simulated z and stopping probabilities")
    fit_within(fig, heading)  # its lines wrapped to the figure's width, then room made
    fig.subplots_adjust(bottom=0.24, wspace=0.28, top=0.86 - 0.045 * heading.get_text().count("\n"))
    footer(
        fig,
        f"{s.analysis}; {_rule_text(interim)}\nn max {s.n_total} randomised; "
        f"{_trials_note(s)}, seed {s.seed}; lines in the violins: medians; "
        f"als-trial-sim {__version__}",
    )
    return save(fig, path)


def _trials_note(s) -> str:
    """The trials behind the figure: the violins show the search's trials under each
    hypothesis; the stopping curve under no effect may rest on more (its type I run)."""
    from designs.outputs.interim_tables import hypothesis_trials_text, null_trials

    text = hypothesis_trials_text(s)
    if null_trials(s) != s.trials:
        text += f" (the violins under no effect: the first {s.trials})"
    return text
