"""Report figures built on the phase 2 posterior: assurance against the size beside power at
the fixed effect, and the posterior of the treatment effect. Each is written as a vector PDF
and a 300-dpi PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from designs import __version__
from designs.outputs.console import phase2_words
from designs.outputs.plotting import (
    Z95,
    footer,
    lay_out,
    new_figure,
    past_the_edge,
    posterior_rule_short,
    save,
    scope_prefix,
    size_axis_label,
)

#: The interval level of every interval the report draws (Monte Carlo and posterior).
LEVEL = 0.95

_TRANSPORT_STYLE = {  # colour and band of each transport, told apart in grey print too
    "proportional": {"color": "C0", "hatch": None, "alpha": 0.22, "marker": "o", "ls": "-"},
    "absolute": {"color": "C1", "hatch": "////", "alpha": 0.0, "marker": "s", "ls": "--"},
}


def assurance_axis_label(design=None) -> str:
    """The y axis of the assurance figure: what counts as a success under the design's rule."""
    if design is None or not design.decision.is_posterior:
        return "probability of a significant favourable result"
    return f"probability of success\n({posterior_rule_short(design, sep=',\n')})"


def success_word(design=None) -> str:
    """'power' under the frequentist test, 'success probability' under the posterior rule
    (it is not a test's power), for the assurance figure's labels."""
    return "success probability" if design is not None and design.decision.is_posterior else "power"


def assurance_curve_png(
    curves: dict,
    path,
    *,
    targets=(0.8, 0.9),
    seed=None,
    fixed=None,
    chosen=None,
    design=None,
    illustrative: bool = True,
    fixed_trials: int | None = None,
) -> Path:
    """Assurance against the size, one line per transport with its 95% Monte Carlo band,
    beside power at the design's fixed effect.

    Parameters
    ----------
    curves : dict
        ``{transport: [AssuranceResult, ...]}`` at increasing sizes.
    fixed : (sizes, power, mc_se, label), optional
        Power at the design's fixed effect (the comparison that is the message).
    chosen : sequence of (target, n), optional
        The sizes chosen for the fixed effect, marked as vertical lines.
    design : designs.spec.TrialDesign, optional
        Its decision rule names the success on the y axis (default: the frequentist test).
    illustrative : bool
        The posterior is the bundled reconstruction's (else the user's own data: the title
        says so, a review).
    fixed_trials : int, optional
        Trials per point of ``fixed``, when they are not the assurance's (the footer says so).

    Returns
    -------
    pathlib.Path
        The PNG written (a PDF of the same name beside it).
    """
    fig, ax = new_figure(7.5, 6.4)
    trials, size_dim, word = None, "n_per_arm", success_word(design)
    if fixed is not None:
        n, p, se, label = fixed
        ax.plot(n, p, color="k", lw=2, label=label)
        ax.fill_between(
            n, np.clip(p - Z95 * se, 0, 1), np.clip(p + Z95 * se, 0, 1), color="k", alpha=0.12, lw=0
        )
    for transport, rows in curves.items():
        style = _TRANSPORT_STYLE.get(
            transport, {"color": "C2", "hatch": None, "alpha": 0.2, "marker": "^", "ls": "-"}
        )
        size_dim = "n_per_arm" if rows[0].n_per_arm is not None else "n_total"
        n = np.array([r.n_per_arm if r.n_per_arm is not None else r.n_total for r in rows])
        a = np.array([r.assurance for r in rows])
        se = np.array([r.mc_se for r in rows])
        c = style["color"]
        # a line style each too: the two assurance lines differed by colour alone (a review)
        ax.plot(n, a, color=c, lw=2, ls=style["ls"], label=f"assurance, {transport} transport")
        lo, hi = np.clip(a - Z95 * se, 0, 1), np.clip(a + Z95 * se, 0, 1)
        if style["hatch"]:  # an outlined, hatched band: the filled one stays visible under it
            ax.fill_between(n, lo, hi, facecolor="none", edgecolor=c, hatch=style["hatch"], lw=0)
        else:
            ax.fill_between(n, lo, hi, color=c, alpha=style["alpha"], lw=0)
        ax.plot(
            n,
            [r.power_at_median for r in rows],
            color=c,
            ls=":",
            lw=1.5,
            # a marker each: the two dotted lines differed by colour alone (a review)
            marker=style["marker"],
            markersize=4,
            label=f"{word} at the posterior-median effect ({transport})",
        )
        trials = rows[0].trials
    first = next(iter(curves.values()))[0]
    ax.axhline(
        first.p_effect_positive,
        color="C3",
        ls="-.",
        lw=1.2,
        label=f"P(true effect > 0) = {first.p_effect_positive:.2f}: about the ceiling of assurance",
    )
    x0 = ax.get_xlim()[0]
    for t in targets:
        ax.axhline(t, color="0.3", ls="--", lw=0.8)
        # below the line: P(true effect > 0) is often drawn just above a target
        ax.text(x0, t - 0.012, f" {t:.0%}", fontsize=8, color="0.3", va="top")
    for target, m in chosen or ():
        ax.axvline(m, color="0.5", ls=":", lw=0.8)
        ax.text(m, 0.02, f" n for {target:.0%}\n at the fixed effect", fontsize=7, color="0.3")
    ax.set_ylim(0, 1)
    ax.set_xlabel(size_axis_label(size_dim, design))
    ax.set_ylabel(assurance_axis_label(design))
    heading = ax.set_title(
        scope_prefix() + f"Assurance over the phase 2 posterior beside {word} at the fixed effect\n"
        f"phase 2: {phase2_words(illustrative)}; bands: 95% Monte Carlo interval",
        fontsize=9,
    )
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=7.5)
    ax.grid(alpha=0.3)
    counted = f"{trials} simulated trials per point"
    if fixed is not None and fixed_trials is not None and fixed_trials != trials:
        counted = f"assurance: {counted}; {word} at the fixed effect: {fixed_trials}"
    footer(fig, f"{counted}, seed {seed}, als-trial-sim {__version__}")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    if past_the_edge(fig, legend):  # the posterior rule's longer labels in two columns ran
        # past the figure's right edge (a report review): one column then
        legend.remove()
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, fontsize=7.5)
        fig.tight_layout(rect=(0, 0.03, 1, 1))
    lay_out(fig, (0, 0.03, 1, 1), heading)
    return save(fig, path)


def _fmt(x: float, percent: bool) -> str:
    return f"{x:.0f}%" if percent else f"{x:+.3f}"


def posterior_effect_png(
    draws: dict,
    path,
    *,
    design_effect=None,
    seed=None,
    design_effect_points=None,
    illustrative: bool = True,
    decline_words: str = "",
) -> Path:
    """Histograms of the posterior of the treatment effect, both transports, with the median,
    the central 95% interval and the design's fixed effect.

    Parameters
    ----------
    draws : dict
        ``{"proportional": fractions of |slope|, "absolute": points/month}``.
    design_effect : float, optional
        The design's fixed proportional effect (fraction), marked on the proportional panel.
    design_effect_points : float, optional
        The same effect in points/month, marked on the absolute panel.
    decline_words : str, optional
        Of which decline ``design_effect`` is a fraction, for its legend (under screening,
        the admitted patients': it then differs from the design line's share).
    """
    fig, axes = new_figure(10, 4.6, ncols=2)
    specs = (
        ("proportional", "slowing of decline (% of the mean pre-dose slope)", 100.0, True),
        ("absolute", "change of slope (ALSFRS-R points/month)", 1.0, False),
    )
    marks = {"proportional": design_effect, "absolute": design_effect_points}
    tail = (1 - LEVEL) / 2
    for ax, (key, xlabel, scale, pct) in zip(axes, specs, strict=True):
        d = np.asarray(draws[key]) * scale
        lo_x, hi_x = np.quantile(d, [0.002, 0.998])
        pad = 0.05 * (hi_x - lo_x)
        shown = (min(lo_x, 0) - pad, hi_x + pad)  # far tails beyond 99.6% are cut
        # 60 bins over the range shown, not over every draw (a figures review: the far tails
        # made one panel's bars 15 points wide against 4 in the other)
        counts, _, _ = ax.hist(d, bins=np.linspace(*shown, 61), color="tab:blue", alpha=0.7)
        ax.set_ylim(0, 1.35 * float(np.max(counts)))  # the top quarter free for the legend
        ax.axvline(0, color="k", lw=1)
        # the median, as the methods text and the assurance table give it (a grant review:
        # the figure's mean, 38%, beside the text's median, 40%)
        middle = float(np.median(d))
        ax.axvline(middle, color="tab:red", ls="--", label=f"median {_fmt(middle, pct)}")
        lo, hi = np.quantile(d, [tail, 1 - tail])
        ax.axvspan(
            lo,
            hi,
            color="tab:orange",
            alpha=0.12,
            label=f"{LEVEL:.0%} interval {_fmt(lo, pct)} to {_fmt(hi, pct)}",
        )
        if marks[key] is not None:
            ax.axvline(
                scale * marks[key],
                color="tab:green",
                ls=":",
                lw=2,
                label=f"design's fixed effect {_fmt(scale * marks[key], pct)}"
                + (f" ({decline_words})" if pct and decline_words else ""),
            )
        ax.set_xlim(*shown)
        ax.set_xlabel(xlabel + "; positive = benefit")
        ax.set_ylabel("posterior draws")
        ax.set_title(f"{key} transport: P(effect > 0) = {np.mean(d > 0):.2f}", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
    heading = fig.suptitle(
        f"Posterior of the treatment effect on slope (phase 2: {phase2_words(illustrative)})\n"
        "P(effect > 0): under "
        + ("this reconstruction and its priors" if illustrative else "these data and priors"),
        fontsize=10,
    )
    footer(
        fig,
        f"{len(draws['proportional'])} posterior draws, fit seed {seed}; interval: central "
        # the axes stop short of the far tails (a figures review: cut without a word)
        f"{LEVEL:.0%} of the draws; axes: the central 99.6% (the far tails cut); "
        f"als-trial-sim {__version__}",
    )
    lay_out(fig, (0, 0.03, 1, 1), heading)
    return save(fig, path)
