"""The CAFS joint-rank statistic (designs.analyses.joint_rank) against a slow, straightforward
implementation."""

import math

import numpy as np
import pytest
from scipy import stats

from designs.analyses import results as R
from designs.analyses.joint_rank import joint_rank_test


def slow_cafs(arm, death, followup, m, change):
    """Pairwise comparisons written out, then scipy's Mann-Whitney U with tie correction."""
    n = len(arm)

    def better(i, j):
        if math.isfinite(death[i]) and math.isfinite(death[j]):
            if death[i] != death[j]:
                return 1 if death[i] > death[j] else -1
        elif math.isfinite(death[i]) and followup[j] >= death[i]:  # known alive then
            return -1
        elif math.isfinite(death[j]) and followup[i] >= death[j]:
            return 1
        k = min(m[i], m[j]) - 1
        if k <= 0:
            return 0
        return int(np.sign(change[i][k] - change[j][k]))

    score = np.array([sum(better(i, j) for j in range(n) if j != i) for i in range(n)], float)
    active = score[arm == 1]
    placebo = score[arm == 0]
    res = stats.mannwhitneyu(active, placebo, alternative="two-sided", use_continuity=False,
                             method="asymptotic")  # fmt: skip
    u = res.statistic
    return score, u / (active.size * placebo.size) - 0.5, res.pvalue


def random_trial(rng, n, visits=13):
    arm = np.r_[np.zeros(n // 2, int), np.ones(n - n // 2, int)]
    death = np.where(rng.random(n) < 0.2, rng.uniform(0.5, 12, n), np.inf)
    drop = np.where(rng.random(n) < 0.3, rng.uniform(0.5, 12, n), np.inf)
    exit_ = np.minimum(death, drop)
    followup = np.where(np.isfinite(exit_), exit_, 12.0)
    m = np.array([1 + int(np.sum(np.arange(1, visits) < e)) for e in exit_])
    # integer changes produce many ties, as real ALSFRS-R does
    change = np.cumsum(rng.integers(-2, 2, (n, visits)), axis=1)
    change[:, 0] = 0
    return arm, death, followup, m, change.astype(float)


@pytest.mark.parametrize("seed", range(8))
def test_matches_slow_implementation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 60))
    arm, death, followup, m, change = random_trial(rng, n)
    out = np.full(R.N_RESULT, np.nan)
    score = np.empty(n)
    joint_rank_test(arm, death, followup, m, change, n, score, out)
    ref_score, ref_est, ref_p = slow_cafs(arm, death, followup, m, change)
    np.testing.assert_array_equal(score, ref_score)
    assert out[R.STATUS] == R.STATUS_OK
    assert out[R.ESTIMATE] == pytest.approx(ref_est, abs=1e-12)
    p = 2 * stats.norm.sf(abs(out[R.ESTIMATE] / out[R.SE]))
    assert p == pytest.approx(ref_p, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_matches_slow_implementation_with_whole_month_exits(seed):
    """Real data give exits in whole months, so a death often falls in the month another
    patient left or completed: the slow rule (Gehan's convention: followed to the month of
    the death counts as alive then) decides those pairs as the kernel does."""
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(10, 60))
    arm, death, followup, m, change = random_trial(rng, n)
    death, followup = np.ceil(death), np.ceil(followup)
    m = np.array([1 + int(np.sum(np.arange(1, 13) < e)) for e in np.minimum(death, followup)])
    out = np.full(R.N_RESULT, np.nan)
    score = np.empty(n)
    joint_rank_test(arm, death, followup, m, change, n, score, out)
    ref_score, ref_est, _ = slow_cafs(arm, death, followup, m, change)
    np.testing.assert_array_equal(score, ref_score)
    assert out[R.ESTIMATE] == pytest.approx(ref_est, abs=1e-12)


def test_a_death_loses_to_a_patient_seen_alive_in_its_month():
    """A CAFS review: a completer seen alive at month 2 ranked below a patient who died at
    month 2 (compared on function, a strict 'followed after the death'), and a dropout at
    month 1.5 below a death at month 1.5; the sign of the estimate flipped. By hand (Gehan's
    convention), months 0, 1, 2:
    A placebo, completed, changes -2, -20; B active, died at 2, changes -1, -2;
    C placebo, left alive at 1.5, change -3; D active, died at 1.5, change 0.
    A beats B (B died at 2, A seen then), C (function at month 1) and D; B beats C (C left
    before B died: function at month 1) and D (earlier death); C beats D (seen at 1.5).
    Scores A +3, B +1, C -1, D -3; active above placebo in 1 of 4 pairs: -0.25."""
    import pandas as pd

    from designs.analyses.joint_rank import fit_data

    rows = [
        ("A", 0, 0, 40, "completed", None), ("A", 0, 1, 38, "completed", None),
        ("A", 0, 2, 20, "completed", None),
        ("B", 1, 0, 40, "death", 2.0), ("B", 1, 1, 39, "death", 2.0),
        ("B", 1, 2, 38, "death", 2.0),
        ("C", 0, 0, 40, "dropout", 1.5), ("C", 0, 1, 37, "dropout", 1.5),
        ("D", 1, 0, 40, "death", 1.5), ("D", 1, 1, 40, "death", 1.5),
    ]  # fmt: skip
    cols = ["patient", "arm", "month", "alsfrs_r", "status", "exit_month"]
    result = fit_data(pd.DataFrame(rows, columns=cols))
    assert result.estimate == pytest.approx(-0.25, abs=1e-12)


def test_earlier_death_loses_and_survival_comes_first():
    arm = np.array([0, 1])
    death = np.array([3.0, np.inf])
    followup = np.array([3.0, 12.0])
    m = np.array([4, 13])
    change = np.zeros((2, 13))
    change[0, :4] = [0, 5, 5, 5]  # better function, but died
    change[1, :] = -np.arange(13)
    score = np.empty(2)
    out = np.empty(R.N_RESULT)
    joint_rank_test(arm, death, followup, m, change, 2, score, out)
    assert list(score) == [-1.0, 1.0]


def test_dropout_before_death_falls_back_to_function():
    arm = np.array([0, 1])
    death = np.array([8.0, np.inf])
    followup = np.array([8.0, 5.5])  # the other left alive at 5.5, before the death at 8
    m = np.array([9, 6])
    change = np.zeros((2, 13))
    change[0, :9] = -0.5 * np.arange(9)
    change[1, :6] = -1.0 * np.arange(6)
    score = np.empty(2)
    out = np.empty(R.N_RESULT)
    joint_rank_test(arm, death, followup, m, change, 2, score, out)
    # compared at visit 5 (the last both attended): -2.5 beats -5
    assert list(score) == [1.0, -1.0]
