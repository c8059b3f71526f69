"""Monte Carlo SE of assurance over autocorrelated MCMC draws (designs.planning.assurance_mcse).

A cheap stand-in replaces the engine: draws ``theta`` from a stationary AR(1) chain with
N(mu, 1) margin and lag-1 autocorrelation ``rho``; power ``p(theta) = Phi(theta)``, so the true
posterior expectation of power is ``Phi(mu / sqrt(2))`` in closed form; each trial succeeds
with probability ``p`` of its draw, draws assigned as ``draw_indices`` assigns them. Over
``R`` seeded replications the root-mean-square error of the assurance against the closed
form is compared with the root-mean-square SE the function reports.

Tolerances (on the log of a ratio of root-mean-squares): the RMS error over R replications
has relative SE ``sqrt(1 / (2 R))`` (errors close to normal); the RMS of the reported SE has
relative SE ``CV(se^2) / (2 sqrt(R))``, with ``CV(se^2)`` measured in each run. 4 of these SEs
combined, plus the reported SE's own departure in each setting (DEPARTURE): batch means with
batches of about 45-63 draws are biased down under autocorrelation (relative bias of the
variance about ``2 sum_k k rho^k / (b tau)`` = 2 (3.75) / (45 (4)) = 4% at rho = 0.6 on the
power's own scale, less on the successes'), and for independent draws the SE, max(batch
means, binomial), lies above the binomial one. Measured with R = 100,000 replications
(``R = 100_000`` in this module, then ``replicate(rho, draws, trials, seed)`` at seeds 21,
23 for the in-order and independent settings below, 80 s; the draws spread evenly over the
trials since the assurance review of the thirty-third sitting, thinned (4,000 draws, 2,000
trials) and repeated (1,000 draws, 2,000 trials) at seeds 22 and 24): log(RMS error / RMS
SE) +0.0150 (in order), +0.0018 (thinned), +0.0216 (repeated) and -0.0422 (independent), SE
0.0023 each; DEPARTURE is |that| + 3 SE. The binomial SE of independent draws
is exact: log(RMS error / RMS binomial SE) -0.0017 (SE 0.0022), so no departure is allowed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtr

from designs.planning.assurance import assurance_from_draws, draw_indices
from designs.planning.assurance_gs import group_sequential_assurance
from designs.planning.assurance_mcse import assurance_mc_error, batch_count
from designs.planning.power import mc_se, wilson_interval
from designs.spec import load_design

MU = 0.3
R = 1000
TRUTH = float(ndtr(MU / math.sqrt(2.0)))  # E[Phi(theta)], theta ~ N(MU, 1)


def ar1_chains(rho: float, draws: int, reps: int, rng) -> np.ndarray:
    """``reps`` stationary AR(1) chains of ``draws`` with N(MU, 1) margin, lag-1 corr rho."""
    theta = np.empty((reps, draws))
    theta[:, 0] = rng.standard_normal(reps)
    innovation = math.sqrt(1.0 - rho * rho) * rng.standard_normal((reps, draws))
    for t in range(1, draws):
        theta[:, t] = rho * theta[:, t - 1] + innovation[:, t]
    return theta + MU


def replicate(rho: float, draws: int, trials: int, seed: int):
    """RMS error against the truth, RMS reported SE, RMS binomial SE, CV of the SE^2, and
    the SEs themselves."""
    rng = np.random.default_rng(seed)
    theta = ar1_chains(rho, draws, R, rng)
    err, se, binomial = np.empty(R), np.empty(R), np.empty(R)
    for r in range(R):
        idx = draw_indices(draws, trials)
        success = rng.random(trials) < ndtr(theta[r, idx])
        a = success.mean()
        se[r] = assurance_mc_error(success, idx, draws)[0]
        err[r], binomial[r] = a - TRUTH, mc_se(a, trials)
    rms = math.sqrt(np.mean(err**2))
    cv = float(np.std(se**2) / np.mean(se**2))
    return rms, math.sqrt(np.mean(se**2)), math.sqrt(np.mean(binomial**2)), cv, se, binomial


DEPARTURE = {"in-order": 0.022, "thinned": 0.0087, "repeated": 0.0285, "independent": 0.049}


def tolerance(cv: float, departure: float) -> float:
    return 4.0 * math.sqrt(1.0 / (2 * R) + cv * cv / (4 * R)) + departure


@pytest.mark.parametrize(
    ("draws", "trials", "setting"),
    [(2000, 2000, "in-order"), (4000, 2000, "thinned"), (1000, 2000, "repeated")],
    ids=["in-order", "thinned", "repeated"],
)
def test_autocorrelated_draws_the_se_matches_the_error_and_binomial_is_too_small(
    draws, trials, setting
):
    rms, se, binomial, cv, _, _ = replicate(0.6, draws, trials, seed=11)
    assert abs(math.log(rms / se)) <= tolerance(cv, DEPARTURE[setting]), (rms, se)
    # the binomial SE is measurably too small (same RMS-error SE, 4 of them)
    assert math.log(rms / binomial) > 4.0 * math.sqrt(1.0 / (2 * R)), (rms, binomial)


def test_independent_draws_the_se_is_the_binomial_one_within_mc_error():
    draws = trials = 2000
    rms, se, binomial, cv, ses, bins = replicate(0.0, draws, trials, seed=12)
    assert abs(math.log(rms / se)) <= tolerance(cv, DEPARTURE["independent"]), (rms, se)
    assert abs(math.log(rms / binomial)) <= tolerance(0.0, 0.0), (rms, binomial)
    assert np.all(ses >= bins)  # never below the binomial SE
    # the SE is max(batch means, binomial): batch means over B batches has relative SD about
    # 1 / sqrt(2 (B - 1)), so the max is above the binomial by 0.4 of that on average
    # (E max(0, Z) = 0.399); 4 SEs of the mean ratio over R replications on top
    sd = 1.0 / math.sqrt(2 * (batch_count(draws) - 1))
    assert np.mean(ses / bins) <= 1.0 + 0.4 * sd + 4.0 * sd / math.sqrt(R)


def test_wilson_interval_widens_with_the_effective_trials():
    rng = np.random.default_rng(3)
    theta = ar1_chains(0.9, 900, 1, rng)[0]
    success = rng.random(900) < ndtr(theta)
    idx = np.arange(900)
    se, (low, high), n_eff = assurance_mc_error(success, idx, 900)
    a = success.mean()
    assert se > mc_se(a, 900) and n_eff == pytest.approx(a * (1 - a) / se**2)
    # the Wilson half-width is close to 1.96 SE when n_eff is in the hundreds
    assert (high - low) / 2 == pytest.approx(1.959964 * se, rel=0.05)
    # draws all equal: no posterior-sampling error, the binomial SE and its Wilson interval
    assert assurance_mc_error(success, idx, 900, constant_draws=True)[2] == 900


@pytest.fixture(scope="module")
def chain():
    """One strongly autocorrelated chain of proportional effect draws (fractions)."""
    rng = np.random.default_rng(2026)
    return 0.3 + 0.3 * (ar1_chains(0.97, 400, 1, rng)[0] - MU)


def test_assurance_from_draws_reports_the_batch_means_se(chain):
    design = load_design().with_overrides({"trial.n_per_arm": 30})
    res = assurance_from_draws(design, chain, chain.size, 7, at_median=False)
    # a chain this autocorrelated (integrated time about 65 draws) moves the assurance far
    # more than trials drawn independently would: the SE is well above the binomial one
    assert res.mc_se > 1.5 * mc_se(res.assurance, res.trials)
    # and the Wilson interval, computed with the effective trials, is wider by as much
    low, high = wilson_interval(round(res.assurance * res.trials), res.trials)
    assert res.ci95[1] - res.ci95[0] > 1.4 * (high - low)


def test_group_sequential_assurance_reports_the_batch_means_se(chain):
    design = load_design().with_overrides(
        {"trial.n_per_arm": 30, "interim.looks": [0.5, 1.0], "trial.sides": 1}
    )
    res = group_sequential_assurance(design, chain, chain.size, 7)
    assert res.mc_se > 1.5 * mc_se(res.assurance, res.trials)
