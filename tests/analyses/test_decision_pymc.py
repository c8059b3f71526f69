"""The closed-form posterior rule against a full Bayesian fit of the same mixed model in PyMC.

The reference table ``tests/data/decision_pymc_reference.csv`` holds, per simulated trial, PyMC's
P(effect > margin | data) for the ``lmm_slope`` model with the random effects integrated out
and the same prior on the effect (NUTS by nutpie; versions, date and the command in its first
line; made by ``tests/data/decision_pymc_check.py``), its MCMC SE and effective sample size.
Four designs with dropout, 75 trials each (seed 2026, trials 0-74): the default design with
its published attrition (vague prior, margin 0), informative dropout and deaths (sceptical
prior, margin 0.05), 12 per arm (robust mixture w = 0.5, margin 0.1) and quarterly visits
(robust mixture, margin 0.1). Here the trials are re-simulated by seed, the closed form is
recomputed, and per trial

    |P_closed - P_pymc| <= 4 x MCMC SE + |P_t - P_closed|

The MCMC SE is sqrt(p (1 - p) / ESS) with the ESS of the indicator (effect > margin) over the
4 x 600 kept draws, floored at the binomial SE. 4 SE: if the closed form were exact, MCMC noise
alone would exceed it with probability 6e-5 per trial, about 2% over the 300 comparisons. The
second term is the approximation allowance (``t_likelihood_shift``): the closed form fixes the
variance components at their REML values (a normal likelihood with the REML SE), whereas the
full posterior integrates over them, which turns the normal into about a t with the trial's
Satterthwaite df; P_t is the same prior with that t likelihood. For a vague prior it is about
the CDF gap max_z |Phi(z) - T_df(z)| (below 0.001 at 100 per arm); with the sceptical or
mixture prior it is larger (up to 0.018 at 50 per arm, 0.098 at 12 per arm), because the t's
heavier tails also shift weight between prior and data.

Measured (docs/conventions.md): the tolerance holds on every trial of the three designs with
50-100 per arm (worst |difference| 0.026 default, 0.039 informative dropout, 0.028 quarterly).
At 12 per arm with the robust mixture it does NOT hold on one trial of 75 (trial 25: 0.083
against an allowance of 0.073) and the worst difference is 0.137 (closed 0.115, PyMC 0.252):
the normal approximation is strained there; the test states that limit instead of passing.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designs.analyses.decision import NormalMixture, lower_tail
from designs.simulation.inputs import simulation_inputs

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from decision_pymc_check import (  # noqa: E402
    CASES,
    VAGUE,
    case_design,
    closed_form,
    normal_vs_t_gap,
    t_likelihood_shift,
    trial_fingerprint,
)

sys.path.remove(str(DATA))

BY_KEY = {c.key: c for c in CASES}
MCSE_MULTIPLE = 4.0


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(DATA / "decision_pymc_reference.csv", comment="#")


@pytest.fixture(scope="module")
def recomputed(reference) -> pd.DataFrame:
    """The reference trials re-simulated by seed, with the closed form recomputed."""
    parts = []
    for (key, seed), rows in reference.groupby(["case", "seed"], sort=False):
        case = BY_KEY[key]
        trials = rows["trial"].to_numpy()
        c = closed_form(case, int(trials.max()) + 1, int(seed))
        inputs = simulation_inputs(case_design(case))
        prints = [trial_fingerprint(inputs, int(seed), int(i)) for i in trials]
        parts.append(
            rows.assign(
                n_obs_now=[n for n, _ in prints],
                score_sum_now=[s for _, s in prints],
                estimate_now=c["estimate"][trials],
                se_now=c["se"][trials],
                df_now=c["df"][trials],
                p_closed_now=c["p_closed"][trials],
                t_shift=t_likelihood_shift(
                    case.prior, c["estimate"][trials], c["se"][trials], c["df"][trials], case.margin
                ),
            )
        )
    return pd.concat(parts)


#: Cases where the normal approximation is claimed to hold (Satterthwaite df above 60).
HOLDS = ("default", "informative", "quarterly")
#: The documented limit at 12 per arm (robust prior): worst |difference| measured 0.137.
SMALL_N_LIMIT = 0.15


def allowance(table: pd.DataFrame) -> np.ndarray:
    """4 MCMC SE + the shift of the probability under a t likelihood, per trial."""
    return MCSE_MULTIPLE * table["mcse"].to_numpy() + table["t_shift"].to_numpy()


def test_normal_vs_t_gap_is_the_largest_cdf_difference():
    """The gap shrinks with the df and matches a direct evaluation (scipy)."""
    from scipy import stats

    assert normal_vs_t_gap(200) < normal_vs_t_gap(20) < normal_vs_t_gap(5)
    z = 0.7
    assert normal_vs_t_gap(10) >= abs(stats.norm.cdf(z) - stats.t.cdf(z, 10))


def test_reference_covers_the_planned_cases(reference):
    """At least 4 designs, ~75 trials each, vague/sceptical/robust priors, margins 0 and > 0,
    and probabilities spread over (0, 1) in every case (a check at 0.999 shows nothing)."""
    counts = reference.groupby("case").size()
    assert set(counts.index) == set(BY_KEY) and len(counts) >= 4
    assert counts.min() >= 70 and counts.sum() >= 280
    assert {len(BY_KEY[k].prior.weights) for k in counts.index} == {1, 2}
    assert {BY_KEY[k].margin > 0 for k in counts.index} == {False, True}
    for key, rows in reference.groupby("case"):
        p = rows["p_pymc"]
        assert ((p > 0.1) & (p < 0.9)).mean() >= 0.5, key
    # ESS above ArviZ's 400 where the approximation is claimed to hold; at 12 per arm the
    # mixture posterior is bimodal and NUTS mixes worse (7 trials below 1000, the least 64:
    # its MCSE, 0.036, says so and widens the tolerance accordingly)
    assert (reference.loc[reference["case"].isin(HOLDS), "ess"] > 400).all()
    assert (reference["ess"] > 50).all()


def test_reference_trials_are_the_same_trials(recomputed):
    """Re-simulated by seed, each trial has the same score records (count and sum: integers)
    and the same REML estimate, SE and df to 1e-6 relative: the reference is about THESE
    trials on this CPU too."""
    t = recomputed
    same_data = (t["n_obs"] == t["n_obs_now"]) & (t["score_sum"] == t["score_sum_now"])
    assert same_data.all(), f"different trials re-simulated: {t.loc[~same_data, 'trial'].tolist()}"
    for col in ("estimate", "se", "df"):
        np.testing.assert_allclose(t[f"{col}_now"], t[col], rtol=1e-6, atol=1e-12, err_msg=col)


@pytest.mark.parametrize("key", HOLDS)
def test_closed_form_matches_pymc_within_the_stated_tolerance(recomputed, key):
    t = recomputed.loc[recomputed["case"] == key]
    diff = (t["p_closed_now"] - t["p_pymc"]).abs().to_numpy()
    bad = diff > allowance(t)
    worst = t.assign(d=diff).sort_values("d").iloc[-1]
    assert not bad.any(), (
        f"{bad.sum()} trials outside 4 MCMC SE + t-likelihood shift; worst: case "
        f"{worst['case']} trial {worst['trial']}: closed {worst['p_closed_now']:.4f}, PyMC "
        f"{worst['p_pymc']:.4f} +- {worst['mcse']:.4f}"
    )


def test_small_n_stays_within_its_documented_limit(recomputed):
    """12 per arm, robust mixture prior: the approximation is strained (documented, not
    hidden). The t-likelihood allowance covers all but at most one trial of 75, and no
    difference exceeds the documented 0.15 (measured worst 0.137, MCMC SE 0.016)."""
    t = recomputed.loc[recomputed["case"] == "small"]
    diff = (t["p_closed_now"] - t["p_pymc"]).abs().to_numpy()
    assert (diff > allowance(t)).sum() <= 1
    assert diff.max() <= SMALL_N_LIMIT


@pytest.mark.parametrize(
    "key, wrong",
    [
        # the robust prior's weight mis-applied (0.2 instead of 0.5; at 12 per arm w = 1
        # is too close to w = 0.5 to tell), or the vague component alone
        ("small", NormalMixture.normal(0.12, 0.05).mix(VAGUE, 0.2)),
        ("small", VAGUE),
        ("quarterly", VAGUE),  # w = 0: the phase 2 component dropped
        ("informative", VAGUE),  # the sceptical prior dropped
        ("default", NormalMixture.normal(0.0, 0.076)),  # a sceptical prior instead of vague
    ],
)
def test_the_check_detects_a_misapplied_prior(recomputed, key, wrong):
    """The same tolerance rejects the closed form computed with the wrong prior: the check
    can fail."""
    t = recomputed.loc[recomputed["case"] == key]
    p_wrong = 1.0 - lower_tail(wrong, t["estimate_now"], t["se_now"], BY_KEY[key].margin)
    assert (np.abs(p_wrong - t["p_pymc"].to_numpy()) > allowance(t)).sum() >= 5
