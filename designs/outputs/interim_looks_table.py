"""The report's table of interim looks (fixed-design frequentist rule): each look's
information, month, boundaries and stopping probabilities, as numbers and as text cells.
The posterior rule's looks are :mod:`designs.outputs.interim_posterior`'s."""

from __future__ import annotations

import math

from designs.outputs.group_sequential import entered, entered_cell, has_futility
from designs.outputs.numbers import rate_se
from designs.outputs.rates import rate_cell
from designs.planning.power import mc_se


def null_trials(s) -> int:
    """Trials of a summary's run under no effect (``trials_h0``; 0 in a summary made before
    it was kept: as many as under the effect)."""
    return s.trials_h0 or s.trials


#: Columns of the looks table: (key, Markdown header, LaTeX group, LaTeX header).
LOOK_COLUMNS = (
    ("look", "look", "", "look"),
    ("information_fraction", "information fraction, planned", "Information", "planned"),
    ("observed_fraction", "observed (mean)", "Information", "observed"),
    ("month", "calendar month", "", "month"),
    ("n_entered", "randomised by then (mean)", "", "randomised"),
    ("efficacy_z", "efficacy boundary z", "Efficacy", "z"),
    ("nominal_p", "nominal p", "Efficacy", "nominal p"),
    ("futility_z", "futility boundary z", "", "futility z"),
    ("p_efficacy_h1", "P(stop, efficacy) effect (MC SE)", "Under the effect", "efficacy"),
    ("p_futility_h1", "P(stop, futility) effect (MC SE)", "Under the effect", "futility"),
    ("p_efficacy_h0", "P(stop, efficacy) no effect (MC SE)", "Under no effect", "efficacy"),
    ("p_futility_h0", "P(stop, futility) no effect (MC SE)", "Under no effect", "futility"),
)


def interim_look_rows(interim) -> list[dict]:
    """One dict of numbers per look (MC SE under no effect: ``sqrt(p (1 - p) / trials)``)."""
    if interim.threshold_z is not None:
        from designs.outputs.interim_posterior import posterior_look_rows

        return posterior_look_rows(interim)
    s = interim.summary
    n0 = null_trials(s) - (s.failed_fits_h0 if interim.design.decision.excludes_failed else 0)
    rows = []
    futility = has_futility(s)
    for k in range(len(s.looks)):
        fz = s.futility_boundaries_z[k]
        rows.append(
            {
                "look": k + 1,
                "information_fraction": s.expected_information_fraction[k],
                "observed_fraction": s.observed_information_fraction[k],
                "month": s.look_months[k],
                "n_entered": entered(s, k),
                "efficacy_z": s.efficacy_boundaries_z[k],
                "nominal_p": s.nominal_p[k],
                "futility_z": math.nan if fz is None else fz,
                "p_efficacy_h1": s.p_stop_efficacy[k],
                "se_efficacy_h1": s.mc_se_stop_efficacy[k],
                "p_futility_h1": s.p_stop_futility[k],
                "se_futility_h1": s.mc_se_stop_futility[k],
                "p_efficacy_h0": s.p_stop_efficacy_h0[k],
                "se_efficacy_h0": mc_se(s.p_stop_efficacy_h0[k], n0),
                "p_futility_h0": s.p_stop_futility_h0[k],
                "se_futility_h0": mc_se(s.p_stop_futility_h0[k], n0),
                "trials_h0": n0,
                # a rule to stop for futility here (not a column): none at the final look, where
                # a trial short of the boundary ends without a rejection (a protocol writer's
                # review read "0.000 (0.000)" there)
                "_futility": futility and k < len(s.looks) - 1,
            }
        )
    return rows


def _look_cells(r: dict) -> list[str]:
    fz = "\u2013" if math.isnan(r["futility_z"]) else f"{r['futility_z']:.3f}"
    # no futility rule: a dash, not "0.000 (0.000)" (a paste-ready review)
    none = "\u2013" if not r.get("_futility", True) else None
    return [
        str(r["look"]),
        f"{r['information_fraction']:.3f}",
        f"{r['observed_fraction']:.3f}",
        f"{r['month']:.1f}",
        entered_cell(r["n_entered"]),
        f"{r['efficacy_z']:.3f}",
        f"{r['nominal_p']:.5f}",
        fz,
        rate_se(r["p_efficacy_h1"], r["se_efficacy_h1"]),
        none or rate_se(r["p_futility_h1"], r["se_futility_h1"]),
        rate_cell(r["p_efficacy_h0"], r["se_efficacy_h0"], r["trials_h0"]),
        none or rate_se(r["p_futility_h0"], r["se_futility_h0"]),
    ]


def _look_columns(interim):
    """The looks table's columns and the function rendering one row as text."""
    if interim.threshold_z is not None:
        from designs.outputs.interim_posterior import POSTERIOR_LOOK_COLUMNS, posterior_look_cells

        return POSTERIOR_LOOK_COLUMNS, posterior_look_cells
    return LOOK_COLUMNS, _look_cells
