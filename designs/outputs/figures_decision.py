"""The posterior rule against the weight of phase 2 (``prior_weight``): success probability
(power) and type I error on the same trials, as a table and a figure (PDF and 300-dpi PNG).

Both take the dataset of a sweep over ``prior_weight`` (:func:`designs.planning.sweep.run_sweep`
under ``decision.rule = "posterior"``, which holds ``power_favourable`` and ``type1`` with
their MC SE).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from designs import __version__
from designs.outputs.numbers import rate_se
from designs.outputs.plotting import Z95, fit_within, footer, new_figure, save
from designs.outputs.rates import one_sided_bound, rate_cell
from designs.outputs.scope import scope_prefix

__all__ = ["borrowing_settings", "prior_weight_figure", "prior_weight_table", "settings_text"]


#: The sweep's variable behind each column: under the posterior rule the success
#: probability is ``power_favourable`` (the sweep's ``rejection_rate`` is the same number; the
#: sweep named it ``power`` before its variables were renamed).
_VAR = {"power": "power_favourable", "mc_se": "mc_se_favourable"}


def borrowing_settings(design) -> dict:
    """What the borrowing sweep ran at: ``{size_name: n, "threshold", "margin" (points/month),
    "robust_sd" (points/month, the robust component's SD)}`` of ``design`` (at the sweep's n)."""
    from designs.planning.decision_rule import robust_component_sd
    from designs.planning.power_curve import size_name

    name = size_name(design)
    dec = design.decision
    return {
        name: int(getattr(design.trial, name)),
        "threshold": float(dec.threshold),
        "margin": float(dec.margin),
        "robust_sd": robust_component_sd(design),
    }


def settings_text(design) -> str:
    """'220 per arm, threshold 0.975, margin 0 points/month, robust component
    N(0, 0.601^2) points/month'; empty without a design (words, not the field's name: a
    protocol writer's review found "n_per_arm = 148" in a figure's title)."""
    if design is None:
        return ""
    s = borrowing_settings(design)
    name, n = next(iter(s.items()))
    size = f"{n} per arm" if name == "n_per_arm" else f"{n} randomised in total"
    return (
        f"{size}, threshold {s['threshold']:g}, margin {s['margin']:g} points/month, "
        f"robust component N(0, {s['robust_sd']:.3g}^2) points/month (weight 0: the vague "
        f"prior N(0, {design.decision.vague_sd:g}^2) points/month instead)"
    )


def _rows(ds, analysis: str | None):
    a = str(ds.analysis.values[0]) if analysis is None else analysis
    cell = ds.sel(analysis=a)
    w = np.asarray(ds.prior_weight.values, dtype=float)
    return a, w, cell


def _type1(cell, ds, calibrated) -> tuple[np.ndarray, np.ndarray, int]:
    """The type I error at the design's threshold per weight, its MC SE and its null
    trials: the calibration's (many null trials, :class:`~designs.planning.borrowing.
    CalibratedBorrowing`) where given, else the sweep's (a Bayesian review: the table gave
    0.0365 on the sweep's 500 trials beside 0.0448 on 10,834 in the same report)."""
    if calibrated is not None and calibrated.type1 is not None:
        return calibrated.type1, calibrated.type1_mc_se, calibrated.type1_trials
    p = np.asarray(cell["type1"].values, dtype=float)
    se = np.asarray(cell["type1_mc_se"].values, dtype=float)
    return p, se, int(ds.attrs["trials_per_cell"])


#: The calibrated columns of the CSV (:class:`designs.planning.borrowing.CalibratedBorrowing`
#: fields), in order.
CALIBRATED_COLUMNS = {
    "calibrated_threshold": "threshold",
    "calibrated_threshold_mc_se": "threshold_mc_se",
    "calibrated_power": "power",
    "calibrated_power_mc_se": "power_mc_se",
    "calibrated_gain": "gain",
    "calibrated_gain_mc_se": "gain_mc_se",
}


def prior_weight_table(
    ds,
    target: float,
    analysis: str | None = None,
    fmt: str = "md",
    design=None,
    calibrated=None,
) -> str:
    """Power and type I error of the posterior rule at each weight of phase 2.

    ``target``: the one-sided level the type I error is read against (``alpha / sides``).
    ``fmt``: ``md`` (with a note) or ``csv``. ``design``: the design at the sweep's n, whose
    n, threshold, margin and robust component's SD the note states and the CSV carries as
    columns (:func:`borrowing_settings`). ``calibrated``
    (:class:`~designs.planning.borrowing.CalibratedBorrowing` at the sweep's weights): the
    threshold that holds the type I error at ``target`` per weight, the power there and its
    gain over weight 0, as three more columns.
    """
    a, w, cell = _rows(ds, analysis)
    cols = ("power", "mc_se", "type1", "type1_mc_se")
    values = {c: np.asarray(cell[_VAR.get(c, c)].values, dtype=float) for c in cols[:2]}
    if calibrated is not None and not np.array_equal(calibrated.weights, w):
        raise ValueError("calibrated: its weights are not the sweep's")
    values["type1"], values["type1_mc_se"], null_trials = _type1(cell, ds, calibrated)
    if fmt == "csv":
        fixed = {} if design is None else borrowing_settings(design)
        extra = {} if calibrated is None else CALIBRATED_COLUMNS
        lines = [",".join(["prior_weight", *cols, *extra, *fixed])]
        lines += [
            ",".join(
                [
                    f"{w[i]:g}",
                    *(f"{values[c][i]:.6g}" for c in cols),
                    *(f"{getattr(calibrated, f)[i]:.6g}" for f in extra.values()),
                    *(f"{v:.6g}" for v in fixed.values()),
                ]
            )
            for i in range(w.size)
        ]
        return "\n".join(lines) + "\n"
    if fmt != "md":
        raise ValueError(f"format {fmt!r}: allowed md, csv")
    head = "| weight of phase 2 | power (MC SE) | type I error (MC SE) |"
    rule = "|---|---|---|"
    if calibrated is not None:
        head += (
            f" threshold for type I error {target:g} (MC SE) | power at it (MC SE) | "
            "its gain over weight 0 (MC SE) |"
        )
        rule += "---|---|---|"
    lines = [head, rule]
    trials = int(ds.attrs["trials_per_cell"])
    for i in range(w.size):
        lines.append(
            f"| {w[i]:g} | {rate_se(values['power'][i], values['mc_se'][i])} | "
            f"{rate_cell(values['type1'][i], values['type1_mc_se'][i], null_trials)} |"
            + ("" if calibrated is None else _calibrated_cells(calibrated, i))
        )
    at = settings_text(design)
    at = f" At {at}." if at else ""
    note = (
        f"\nPosterior rule ({a}): success when P(effect > margin | data) exceeds the design's "
        f"threshold, with a robust prior: the weight above on the phase 2 posterior of the "
        "effect, the rest on N(0, robust_sd^2) (unit information unless the design sets "
        "decision.robust_sd; weight 0: the vague prior). Type I error: "
        + (
            f"the share of {null_trials:,} simulated trials with no effect for any patient, "
            "the calibration's, the same at every weight (the operating characteristics count "
            "these trials at the design's weight with a control variate)"
            if null_trials != trials
            else "the same simulated trials with no effect (common random numbers)"
        )
        + f", against the one-sided level {target:g}; with "
        "borrowing, the phase 3 truth is then zero while the phase 2 posterior says benefit "
        f"(prior-data conflict).{at} "
        f"{trials} trials per weight under the effect, seed {int(ds.attrs['seed'])}, "
        f"als-trial-sim {__version__}.{_zero_note(values['type1'], null_trials)}"
        + ("" if calibrated is None else " " + calibrated_note(calibrated))
        + "\n"
    )
    return "\n".join(lines) + "\n" + note


def _calibrated_cells(c, i: int) -> str:
    """The calibrated threshold, the power at it and its gain over weight 0, as cells."""
    if not np.isfinite(c.threshold[i]):
        return " not calibrated | - | - |"
    if i == 0:
        gain = "0 (paired: the same trials)"
    elif not np.isfinite(c.gain[i]):  # weight 0 not calibrated, or no fit under the effect
        gain = "-"
    else:
        gain = f"{_signed(c.gain[i])} ({c.gain_mc_se[i]:.4f})"
    power = "-" if not np.isfinite(c.power[i]) else rate_se(c.power[i], c.power_mc_se[i])
    return f" {c.threshold[i]:.4f} ({c.threshold_mc_se[i]:.4f}) | {power} | {gain} |"


def _signed(value: float) -> str:
    """``+0.012``, ``-0.004``; a value that rounds to 0.000 is ``0.000``, with no sign (a
    paste-ready review: one column read "0", "+0.000" and "-0.000")."""
    text = f"{value:+.3f}"
    return "0.000" if text in ("+0.000", "-0.000") else text


def calibrated_note(c) -> str:
    """What the calibrated columns are, how many trials they rest on and what they show."""
    ok = np.isfinite(c.gain[1:])
    beyond = [
        f"{w:g} ({_signed(g)}, MC SE {se:.4f})"
        for w, g, se in zip(c.weights[1:][ok], c.gain[1:][ok], c.gain_mc_se[1:][ok], strict=True)
        if abs(g) > 3.0 * se and g != 0.0
    ]
    if beyond:
        reading = (
            f"Held at {c.target:g}, the power differs from weight 0's by more than 3 MC SE at "
            f"weight {', '.join(beyond)}."
        )
    elif np.any(ok):
        top = float(np.max(np.abs(c.gain[1:][ok])))
        reading = (
            f"Held at {c.target:g}, "
            + (
                "the same trials succeed at every weight"
                if top == 0.0
                else "no weight changes the power by more than 3 MC SE (at most "
                + (f"{top:.3f})" if top >= 0.0005 else "0.0005)")
            )
            + ": borrowing raises the power at the design's threshold by raising the type I "
            "error, as Kopp-Schneider, Calderazzo & Wiesenfarth (2020) showed where a "
            "uniformly most powerful test exists (Kopp-Schneider A, Calderazzo S, "
            "Wiesenfarth M. Power gains by using external information in clinical trials are "
            "typically not possible when requiring strict type I error control. *Biometrical "
            "Journal* 2020;62(2):361-374. doi:10.1002/bimj.201800395)."
        )
    else:
        reading = ""
    failed = ""
    if c.failed_fits or c.null_failed_fits:
        failed = (
            f" Failed fits are left out: {c.failed_fits:,} under the effect and "
            f"{c.null_failed_fits:,} with no effect."
        )
    return (
        f"Threshold for type I error {c.target:g}: at each weight, the threshold that no more "
        f"than {c.target:g} of {c.null_trials:,} simulated trials with no effect pass (seed "
        f"{c.seed}; its MC SE from the order statistic's distribution-free interval); the "
        f"power at it counts the {c.trials:,} trials under the effect that pass it (the "
        "power column's trials and more, without its control variate), and its gain over "
        "weight 0 is paired on those trials; MC SEs by a bootstrap of both sets of trials, which "
        "carries the threshold's error into the power (for the gain it is conservative, about "
        f"1.4 times the spread over independent seeds). {reading}{failed}"
        + (f" Not calibrated: {c.note}." if c.note else "")
    )


def _zero_note(type1, trials: int) -> str:
    """Where no null trial succeeded the binomial MC SE reads 0 (a review: "0.0000 (0.0000)"
    from 300 trials): say what bounds it, the one-sided 95% upper bound (about 3 / trials,
    the rule of three; :mod:`designs.outputs.rates`)."""
    if not np.any(np.asarray(type1) == 0):
        return ""
    return (
        f" A type I error of 0 means no success in {trials:,} null trials: its MC SE of 0 is "
        "the binomial formula's, and the cell gives its one-sided 95% upper bound instead, "
        f"{one_sided_bound(trials):.4f} (about 3 / {trials:,}, the rule of three)."
    )


def _estimator_note(ds, calibrated) -> str:
    """How the power was estimated (a figures review: the figure did not say that its solid
    line's power is corrected by a control variate while the calibrated one's is a share)."""
    if ds.attrs.get("estimator") != "control variate":
        return ""
    return "; power with a control variate" + ("" if calibrated is None else " (dashed: share)")


def prior_weight_figure(
    ds, path, target: float, analysis: str | None = None, design=None, calibrated=None
) -> Path:
    """Power (left) and type I error (right) against the weight of phase 2, each with its
    95% Monte Carlo interval; the type I error panel marks the one-sided level ``target``.
    ``design`` (at the sweep's n): its n, threshold, margin and robust SD in the title.
    ``calibrated``: the power at the threshold that holds the type I error at ``target``
    (:class:`~designs.planning.borrowing.CalibratedBorrowing`) beside it, dashed.

    Returns the PNG written (a PDF of the same name beside it).
    """
    a, w, cell = _rows(ds, analysis)
    trials = int(ds.attrs["trials_per_cell"])
    type1 = _type1(cell, ds, calibrated)
    fig, axes = new_figure(9.0, 4.2, ncols=2)
    for ax, var, title in (
        (axes[0], "power", "power (success probability)"),
        (axes[1], "type1", "type I error (no effect)"),
    ):
        if var == "power":
            p = np.asarray(cell[_VAR["power"]].values, dtype=float)
            se = np.asarray(cell[_VAR["mc_se"]].values, dtype=float)
        else:
            p, se, null_trials = type1
        up = Z95 * se
        if var == "type1":  # none of the null trials succeeded: up to the one-sided bound
            up = np.where(p == 0.0, one_sided_bound(null_trials), up)
            top, any_zero = p + up, bool(np.any(p == 0.0))
        ax.errorbar(w, p, yerr=[Z95 * se, up], marker="o", color="C0" if var == "power" else "C3",
                    capsize=3, lw=2)  # fmt: skip
        ax.set_xlabel("w: weight of the phase 2 posterior")
        ax.set_title(title)
        ax.set_xlim(-0.05, 1.05)
        ax.grid(alpha=0.3)
    axes[1].axhline(target, color="k", ls="--", lw=1, label=f"one-sided level {target:g}")
    if calibrated is not None:
        axes[0].plot([], [], marker="o", color="C0", lw=2, label="at the design's threshold")
        axes[0].errorbar(
            calibrated.weights + 0.015,  # beside the other bars, not on them
            calibrated.power,
            yerr=Z95 * calibrated.power_mc_se,
            marker="s", color="C2", ls="--", capsize=3, lw=1.5,
            label=f"threshold holding type I error {target:g}",
        )  # fmt: skip
        axes[0].legend(loc="lower right", fontsize=8)
    axes[1].set_ylim(0, 1.1 * max(2.5 * target, float(np.nanmax(top))))
    at = settings_text(design)
    top = 0.9
    if at:  # its lines wrapped to the figure's width, then room made for each
        # the fixed design's in a report with looks, as the other figures say (a review)
        heading = fig.suptitle(
            f"{scope_prefix()}Posterior rule with a robust prior\n{at}", fontsize=9
        )
        fit_within(fig, heading)
        top -= 0.06 * heading.get_text().count("\n")
    fig.subplots_adjust(bottom=0.2, wspace=0.3, top=top)
    axes[1].legend(loc="best")
    axes[0].set_ylim(0, 1)
    footer(
        fig,
        f"{a}; posterior rule, robust prior; {trials} trials per weight, seed "
        f"{int(ds.attrs['seed'])}"
        + (
            ""
            if calibrated is None
            else f" (dashed, drawn 0.015 right of its weight: {calibrated.trials:,} under "
            f"the effect, {calibrated.null_trials:,} with none, which the type I errors count)"
        )
        + _estimator_note(ds, calibrated)
        + "; bars: 95% Monte Carlo intervals"
        + (" (a type I error of 0: up to its one-sided 95% bound)" if any_zero else "")
        + "; "
        f"als-trial-sim {__version__}",
    )
    return save(fig, path)
