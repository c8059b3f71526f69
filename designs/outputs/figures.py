"""PNG plots for reports: power curve, assurance curve, posterior of the treatment effect.

Each plot is readable without the text: a title, axes with units, a legend, and a footer with
the seed, trials and version. Figures are drawn without pyplot (no display, no change to
the backend of a notebook that imports this module).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from designs import __version__

Z95 = 1.959963984540054


def _footer(fig, text: str) -> None:
    fig.text(0.01, 0.01, text, fontsize=7, color="0.35", ha="left", va="bottom")


def power_curve_png(ds, path, *, targets=(0.8, 0.9), analysis=None, effect_label=None) -> Path:
    """Power (favourable) against patients per arm, one line per effect, 95% MC bands.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep (:func:`designs.planning.sweep.run_sweep`) with dims ``n_per_arm`` (or ``n_total``),
        ``effect`` and ``analysis``.
    path : path
        PNG file to write.
    targets : sequence of float
        Target powers, drawn as horizontal lines.
    """
    size_dim = "n_per_arm" if "n_per_arm" in ds.dims else "n_total"
    analysis = analysis or str(ds.analysis.values[0])
    sub = ds.sel(analysis=analysis)
    fig = Figure(figsize=(7.5, 5), dpi=120)
    ax = fig.subplots()
    n = sub[size_dim].values
    units = ds["effect"].attrs.get("units", "")
    for eff in sub.effect.values:
        cell = sub.sel(effect=eff)
        p = cell.power_favourable.values
        se = cell.mc_se_favourable.values
        label = f"{100 * eff:g}% slowing" if "fraction" in units else f"{eff:g} {units}"
        (line,) = ax.plot(n, p, marker="o", ms=3, label=label)
        ax.fill_between(
            n,
            np.clip(p - Z95 * se, 0, 1),
            np.clip(p + Z95 * se, 0, 1),
            alpha=0.2,
            color=line.get_color(),
        )
    for t in targets:
        ax.axhline(t, color="0.3", ls="--", lw=1)
        ax.text(n.min(), t + 0.01, f"target {t:.0%}", fontsize=8, color="0.3")
    ax.set_ylim(0, 1)
    ax.set_xlabel(
        "patients randomised per arm" if size_dim == "n_per_arm" else "patients randomised in total"
    )
    ax.set_ylabel("power (significant and favouring active)")
    ax.set_title(f"Power against sample size ({analysis}); bands: 95% Monte Carlo interval")
    ax.legend(title=effect_label or "true effect", loc="lower right")
    ax.grid(alpha=0.3)
    _footer(
        fig,
        f"{ds.attrs.get('trials_per_cell')} simulated trials per point, seed "
        f"{ds.attrs.get('seed')}, als-trial-sim {__version__}",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    return Path(path)


def assurance_curve_png(curves: dict, path, *, targets=(0.8, 0.9), seed=None) -> Path:
    """Assurance against patients per arm, one line per transport, 95% MC bands.

    Parameters
    ----------
    curves : dict
        ``{transport: [AssuranceResult, ...]}`` at increasing sizes.
    """
    fig = Figure(figsize=(7.5, 5), dpi=120)
    ax = fig.subplots()
    trials = None
    for transport, rows in curves.items():
        n = np.array([r.n_per_arm if r.n_per_arm is not None else r.n_total for r in rows])
        a = np.array([r.assurance for r in rows])
        se = np.array([r.mc_se for r in rows])
        (line,) = ax.plot(n, a, marker="o", ms=3, label=f"assurance ({transport} transport)")
        ax.fill_between(n, a - Z95 * se, a + Z95 * se, alpha=0.2, color=line.get_color())
        if transport == "proportional":
            pm = np.array([r.power_at_median for r in rows])
            ax.plot(
                n, pm, ls=":", color=line.get_color(), label="power at the posterior-median effect"
            )
            ax.axhline(
                rows[0].p_effect_positive,
                color="0.5",
                ls="-.",
                lw=1,
                label=f"P(true effect > 0) = {rows[0].p_effect_positive:.2f}",
            )
        trials = rows[0].trials
    for t in targets:
        ax.axhline(t, color="0.3", ls="--", lw=1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("patients randomised per arm")
    ax.set_ylabel("probability of a significant favourable result")
    ax.set_title("Assurance over the phase 2 posterior (uncontrolled before/after data)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    _footer(fig, f"{trials} simulated trials per point, seed {seed}, als-trial-sim {__version__}")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    return Path(path)


def posterior_effect_png(draws: dict, path, *, design_effect=None, seed=None) -> Path:
    """Histograms of the posterior of the treatment effect, both transports.

    Parameters
    ----------
    draws : dict
        ``{"proportional": fractions of |slope|, "absolute": points/month}``.
    design_effect : float, optional
        The design's fixed proportional effect, marked for comparison.
    """
    fig = Figure(figsize=(10, 4.5), dpi=120)
    axes = fig.subplots(1, 2)
    specs = (
        ("proportional", "slowing of decline (% of the mean pre-dose slope)", 100.0),
        ("absolute", "change of slope (ALSFRS-R points/month)", 1.0),
    )
    for ax, (key, xlabel, scale) in zip(axes, specs, strict=True):
        d = np.asarray(draws[key]) * scale
        ax.hist(d, bins=60, color="tab:blue", alpha=0.7)
        ax.axvline(0, color="k", lw=1)
        ax.axvline(np.mean(d), color="tab:red", ls="--", label=f"mean {np.mean(d):.3g}")
        lo, hi = np.quantile(d, [0.05, 0.95])
        ax.axvspan(
            lo, hi, color="tab:orange", alpha=0.12, label=f"90% interval {lo:.3g} to {hi:.3g}"
        )
        if key == "proportional" and design_effect is not None:
            ax.axvline(
                100 * design_effect,
                color="tab:green",
                ls=":",
                label=f"design's fixed effect {100 * design_effect:g}%",
            )
        lo_x, hi_x = np.quantile(d, [0.002, 0.998])
        pad = 0.05 * (hi_x - lo_x)
        ax.set_xlim(min(lo_x, 0) - pad, hi_x + pad)  # far tails beyond 99.6% are cut
        ax.set_xlabel(xlabel + "; positive = benefit")
        ax.set_ylabel("posterior draws")
        ax.set_title(
            f"{key} transport: P(effect > 0) = {np.mean(d > 0):.2f} "
            "(this reconstruction and priors)"
        )
        ax.legend(fontsize=8)
    fig.suptitle(
        "Posterior of the treatment effect on slope (phase 2: 5 patients, uncontrolled "
        "before/after, illustrative data)",
        fontsize=10,
    )
    _footer(
        fig,
        f"{len(draws['proportional'])} posterior draws, fit seed {seed}, "
        f"als-trial-sim {__version__}",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    fig.savefig(path)
    return Path(path)
