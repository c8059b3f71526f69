"""Notes that say what is true, in the effect's units: ``power``'s note on joint_rank in a
tiny trial (at 2 per arm no trial can reject: a numerics review read "liberal this small"
over a power of 0.000; the smallest two-sided p of its rank-sum normal approximation is
0.121; at 3-4 per arm it is liberal), and a harm said as the effect was set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from designs.analyses.registry import analyze
from designs.analyses.small_rank_sum import least_rank_p
from designs.outputs.console import power_notes
from designs.planning.power import power
from designs.spec import load_design


def _apart(n: int) -> pd.DataFrame:
    """``n`` patients per arm, every active patient declining less than every placebo one,
    all followed to month 12: the arms' joint-rank scores wholly apart."""
    rows = []
    for i in range(2 * n):
        arm = int(i >= n)
        slope = -1.0 - 0.01 * i if arm == 0 else -0.1 - 0.01 * i
        for t in (0.0, 6.0, 12.0):
            rows.append((i, arm, t, 40.0 + slope * t, "completed", np.nan))
    return pd.DataFrame(
        rows, columns=["patient", "arm", "month", "alsfrs_r", "status", "exit_month"]
    )


@pytest.mark.parametrize("n", [2, 3, 4])
def test_the_smallest_p_is_the_analysis_own(n):
    fit = analyze(_apart(n), "joint_rank", whole_scores=False)
    assert fit.p_value == pytest.approx(least_rank_p(n, n, 2), rel=1e-12)
    # analyze says what power says (a CAFS review: "significant: yes" at p 0.0495, 3 v 3,
    # where the exact test's smallest p is 0.10, without a word)
    (warned,) = [w for w in fit.warnings if "smaller arm" in w]
    assert warned.startswith(f"{n} patients in the smaller arm: joint_rank")
    assert ("cannot reject" in warned) == (n == 2)
    # the interval stays within the estimate's range, -0.5 to 0.5 (it gave 0.001 to 0.999)
    assert -0.5 <= fit.ci_low <= fit.estimate <= fit.ci_high <= 0.5
    assert fit.ci_high == 0.5 and fit.estimate == 0.5
    five = analyze(_apart(5), "joint_rank", whole_scores=False)
    assert not [w for w in five.warnings if "smaller arm" in w]


def test_at_two_per_arm_the_note_says_it_cannot_reject():
    design = load_design().with_overrides({"trial.n_per_arm": 2})
    out = power(design, 40, 3, ("lmm_slope", "joint_rank"), require_fits=False)
    assert out["joint_rank"].power == 0.0  # no trial can reject
    notes = [n for n in power_notes(design, list(out.values())) if "arm: joint_rank" in n]
    assert notes == [
        "note: 2 patients in the smaller arm: joint_rank cannot reject at alpha 0.05 "
        "(2-sided): its smallest possible p-value, the arms' scores wholly apart, is 0.121 "
        "(normal approximation of its rank statistic)"
    ]
    three = design.with_overrides({"trial.n_per_arm": 3})
    out = power(three, 40, 3, ("lmm_slope", "joint_rank"), require_fits=False)
    notes = power_notes(three, list(out.values()))
    (note,) = [n for n in notes if "joint_rank" in n and "survival" not in n]
    assert "liberal this small" in note
