"""What each column of the sample-size CSV table holds, with its units (a newcomer: a column
``trials`` of 8000 beside ``grid_trials`` of 2000 said nothing of which trials each counts).

The report's README lists them (:func:`columns_markdown`); a test keeps this glossary and
the table's header (:func:`designs.outputs.tables.csv_header`) the same set.
"""

from __future__ import annotations

__all__ = ["SAMPLE_SIZE_COLUMNS", "columns_markdown"]

_SIZE = "per arm with 1:1 allocation, in total otherwise"

#: Column -> what it holds. ``{size}`` columns are ``n_per_arm`` (1:1) or ``n_total``.
SAMPLE_SIZE_COLUMNS = {
    "target_power": "the power sought: the probability of {success}",
    "n_per_arm": "n, patients randomised per arm (1:1 allocation only)",
    "{size}_mc_low": f"lower end of the 95% Monte Carlo interval of n ({_SIZE}); simulation "
    "error only, not uncertainty about the true n; empty where the bootstrap gives no "
    "finite end",
    "{size}_mc_high": "upper end of that interval; empty where it lies above every size "
    "simulated (not reached)",
    "n_placebo": "patients randomised to placebo at n",
    "n_active": "patients randomised to active at n",
    "n_total": "patients randomised in total at n (with unequal allocation, n itself)",
    "power_favourable": "simulated power at n ({success}) on the search's own trials at n "
    "(`trials` of them); not an independent check, see `confirmed_power`",
    "mc_se": "Monte Carlo SE of `power_favourable`",
    "expected_completers": "mean number of patients with the last scheduled visit at n, both "
    "arms (information only: n already counts those lost)",
    "screened_per_enrolled": "candidates screened per patient randomised, simulated (1 "
    "without screening; the tables and texts give delta-FS screening's expectation, 1 / the "
    "share admitted)",
    "failed_fits": "of the `trials` at n behind `power_favourable`, those whose analysis "
    "failed (counted as the design's `decision.failed_fits` says)",
    "reached": "true when n was found within the sizes searched (or by the fitted curve at "
    "most 5% beyond the largest); false: the target lies beyond, and n is the largest size "
    "searched",
    "analysis": "the analysis each trial was judged by (methods.md describes it)",
    "effect_points_per_month": "the design's effect on the mean slope, points/month (positive: "
    "slower decline)",
    "alpha": "alpha of the frequentist test (under the posterior rule, for comparison only)",
    "sides": "1 or 2 sided test",
    "trials": "simulated trials at n behind `power_favourable`, and as many fresh ones behind "
    "`confirmed_power`: in a two-stage search the second stage's number (`refine_trials`), "
    "not the first stage's trials per size (`grid_trials`); in a one-stage search the same "
    "as `grid_trials`",
    "seed": "the seed of every simulation in the table (the same seed gives the same numbers)",
    "version": "als-trial-sim version that wrote the table",
    "fitted_power": "the fitted probit curve of power at n: at or just above the target where "
    "n is its crossing; below it where the target was not reached, above it where n is the "
    "smallest size that can be analysed",
    "confirmed_power": "power at n on `trials` fresh trials (another random stream): the "
    "independent check of n",
    "confirmed_mc_se": "Monte Carlo SE of `confirmed_power`",
    "grid_trials": "simulated trials per size in the search's first stage (all sizes)",
    "refine_trials": "simulated trials added per size in the second stage, at the sizes near "
    "each n; 0 for a one-stage search",
    "type_i_error": "under the posterior rule: its success rate at n with no effect, on fresh "
    "trials; empty under the frequentist test (nominal level `alpha`; the type I error "
    "simulated at n is in operating_characteristics.md)",
    "type_i_error_mc_se": "Monte Carlo SE of `type_i_error`",
    "decision": "the decision rule: 'frequentist test', or the posterior rule with its "
    "threshold, margin and prior",
    "fresh_check_missed": "true when `confirmed_power` is more than 2 Monte Carlo SE below "
    "the target, or 3 above `fitted_power` (n is rounded up, so power at n exceeds the "
    "target by design): n then rests on simulation error; rerun with more trials before "
    "quoting it",
    "design": "the design's name (`trial.name`)",
    "effect": "the design's effect in words, with its time course where it has one (the "
    "effect at full strength, and in points/month)",
}


def columns_markdown(header: list[str], posterior: bool = False) -> list[str]:
    """A Markdown table of the columns in ``header`` (a CSV table's first row), in order;
    ``posterior``: success is the posterior rule's, not a significant result."""
    size = "n_per_arm" if "n_per_arm_mc_low" in header else "n_total"
    success = (
        "success of the posterior rule" if posterior else "a significant result favouring active"
    )
    notes = {
        k.replace("{size}", size): v.replace("{success}", success)
        for k, v in SAMPLE_SIZE_COLUMNS.items()
    }
    lines = ["| column | what it holds |", "|---|---|"]
    lines += [f"| `{c}` | {notes[c]} |" for c in header]
    return lines
