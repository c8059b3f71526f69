"""Maximum sample size of a design judged by the posterior rule at interim looks (issue 17).

Reference: the canonical joint distribution (Jennison & Turnbull 2000, ch. 3 and 19;
:mod:`designs.sequential`, itself checked against rpact). With a vague prior (SD 10
points/month against an SE near 0.05, so the posterior is the likelihood to about 1e-5) the
rule ``P(effect > 0 | data) > T_k`` is ``z_k > ndtri(T_k)``: a group-sequential test with
constant boundaries ``ndtri(T_k)``. The maximum information is then the fixed design's (at the
final threshold) times ``(drift_GS / drift_fixed)^2``. Tolerance: the search's own 95% Monte
Carlo interval of the inflation (a paired bootstrap over the trials of both curves).
"""

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import ndtri
from scipy.stats import norm

from designs.errors import InputError
from designs.planning.sample_size_posterior_looks import (
    find_posterior_looks_sample_size,
    fixed_reference_design,
)
from designs.sequential import crossing_probabilities
from designs.spec import load_design

LOOKS = [0.5, 1.0]
THRESHOLDS = [0.99, 0.98]  # an interim look that matters: it stops 38% of trials at n max
CANONICAL = {
    "trial.sides": 1,
    "trial.alpha": 0.025,
    "population.integer_scores": False,
    "dropout.cumulative": [],
    "dropout.monthly_hazard": 0.0,
    "dropout.death_monthly_hazard": 0.0,
    "dropout.informative": 0.0,
    "dropout.death_informative": 0.0,
    "interim.looks": LOOKS,
    "decision.rule": "posterior",
    "decision.thresholds": THRESHOLDS,
}


def _canonical_inflation(power: float) -> float:
    bounds = ndtri(np.asarray(THRESHOLDS))
    drift = brentq(lambda d: crossing_probabilities(LOOKS, bounds, d)[0].sum() - power, 0.5, 6)
    return (drift / (bounds[-1] + norm.ppf(power))) ** 2


def test_canonical_inflation_is_below_one():
    """The final threshold is the fixed design's and the interim look only adds chances to
    succeed (the thresholds are not re-calibrated): less information is needed."""
    assert 0.95 < _canonical_inflation(0.8) < 0.99


def test_posterior_rule_inflation_matches_the_canonical_distribution():
    """Continuous scores, no dropout, 1,000 trials per size at sizes bracketing n for 0.8
    (about 150 per arm); about 10 s."""
    design = load_design(None).with_overrides(CANONICAL)
    result = find_posterior_looks_sample_size(
        design, (0.8,), 1000, 11, sizes=[100, 130, 160, 200, 250], bootstrap=200
    )
    r = result.rows[0]
    expected = _canonical_inflation(0.8)
    assert r.reached
    assert r.inflation_low <= expected <= r.inflation_high, (r.inflation_low, r.inflation_high)
    assert r.inflation_high - r.inflation_low < 0.05  # the interval is informative
    # the fixed reference is judged at the final threshold, without looks
    fixed = fixed_reference_design(design)
    assert not fixed.interim.sequential and fixed.decision.threshold == THRESHOLDS[-1]
    assert r.thresholds == THRESHOLDS and r.thresholds_recalibrated is False
    # at n max: success near the target: 3 binomial MC SE of 1,000 trials, plus 0.0058 for
    # n max rounded up and the probit fit's error at the target. Measured over seeds 301-400
    # (this call with seed 11 -> each; tests/data/power_at_n_max.py posterior 301 400; 1 s a
    # seed): power - 0.8 has mean -0.0021 (SE 0.0012) and SD 0.0123, the binomial SE's
    # 0.0127 (n max's own MC error adds nothing beyond it); 0.0058 = |mean| + 3 of its SE
    assert abs(r.power - 0.8) <= 3 * np.sqrt(0.8 * 0.2 / 1000) + 0.0058
    assert r.power == pytest.approx(sum(r.p_stop_efficacy), abs=1e-12)
    # the interim look's share: the canonical crossing probability at look 1 for the drift
    # whose total power is the simulated one, within 3 MC SE of a proportion of 1,000 trials
    bounds = ndtri(np.asarray(THRESHOLDS))
    drift = brentq(lambda d: crossing_probabilities(LOOKS, bounds, d)[0].sum() - r.power, 0, 6)
    first = crossing_probabilities(LOOKS, bounds, drift)[0][0]
    assert abs(r.p_stop_efficacy[0] - first) <= 3 * np.sqrt(first * (1 - first) / 1000)
    # type I error at n max: the canonical one of boundaries ndtri(T_k), within 3 MC SE
    alpha = crossing_probabilities(LOOKS, ndtri(np.asarray(THRESHOLDS)), 0.0)[0].sum()
    assert abs(r.type_i_error - alpha) <= 3 * np.sqrt(alpha * (1 - alpha) / 1000)
    assert r.expected_n_total_h1 < r.n_total_max  # stops early under the effect


def test_futility_lowers_expected_n_under_no_effect():
    """A predictive-probability futility rule stops most null trials at the interim: fewer
    patients randomised under no effect than under the effect, and than n max."""
    design = load_design(None).with_overrides(
        {
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "interim.looks": LOOKS,
            "decision.rule": "posterior",
            "decision.futility_predictive": 0.2,
        }
    )
    r = find_posterior_looks_sample_size(
        design, (0.8,), 100, 3, sizes=[80, 160, 320], bootstrap=50
    ).rows[0]
    assert r.futility_predictive == 0.2 and r.p_stop_futility_h0[0] > 0.3
    assert r.expected_n_total_h0 < r.expected_n_total_h1 < r.n_total_max


def test_refuses_the_frequentist_rule_and_look_months():
    design = load_design(None).with_overrides({"interim.looks": LOOKS})
    with pytest.raises(InputError, match=r"decision\.rule"):
        find_posterior_looks_sample_size(design, (0.8,), 20, 1, sizes=[50, 100])
    months = load_design(None).with_overrides(
        {"interim.look_months": [12.0, 40.0], "decision.rule": "posterior"}
    )
    with pytest.raises(InputError, match=r"interim\.look_months"):
        find_posterior_looks_sample_size(months, (0.8,), 20, 1, sizes=[50, 100])


def test_n_max_is_the_ratio_times_the_reference_designs_own_search():
    """Under the posterior rule too, n fixed is the reference design's own search (the same
    call as sample-size's, with its second stage) and n max the ratio times it."""
    import math

    from designs.planning.decision_rule import decision_prior
    from designs.planning.sample_size import find_sample_size

    design = load_design(None).with_overrides({**CANONICAL, "population.integer_scores": True})
    prior = decision_prior(design)
    r = find_posterior_looks_sample_size(design, (0.8,), 200, 3, refine_trials=400).rows[0]
    fixed = find_sample_size(fixed_reference_design(design), (0.8,), 200, 3, prior=prior,
                             refine_trials=400).rows[0]  # fmt: skip
    assert (r.n_fixed, r.n_fixed_estimate) == (fixed.n, fixed.n_estimate)
    assert r.n_estimate == r.inflation * fixed.n_estimate and r.refine_trials == 400
    assert r.n_max == math.ceil(r.n_estimate - 1e-9) and r.reached
