"""The closed-form posterior rule against a full Bayesian fit of the same mixed model in PyMC.

Per trial (3 designs with dropout, each with its own prior of the effect: vague, sceptical,
robust mixture; trials exported as ``simulate.py trial`` writes them), PyMC's
P(effect > 0 | data) must lie within

    4 x MCMC SE + max_z |Phi(z) - T_df(z)|

of the closed form. The MCMC SE is ArviZ's, from the effective sample size of the indicator
(effect > 0), floored at the binomial sqrt(p(1-p)/draws); 4 SE keeps the chance that any of the
3 comparisons (one trial per design, to keep the test near 60 s: compiling the sampler of
each design takes ~15 s) fails by MCMC noise alone below 3 x 6e-5. The second term is the
approximation itself: the closed form fixes the variance components at their REML values (a normal
likelihood), a full posterior integrates over them, which for a flat prior turns the normal
into about a t with the trial's Satterthwaite df; their largest gap bounds that part.

The larger run (tests/data/decision_pymc_check.py, 15 trials per design, seed 2026, 45
trials, 2 x 500 draws) gave a worst absolute difference of 0.038 (vague prior, 40 per arm:
closed form 0.659, PyMC 0.621, MCMC SE 0.017), and no difference above 2.25 MCMC SE;
docs/conventions.md quotes it per design.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from decision_pymc_check import CASES, compare_design, normal_vs_t_gap  # noqa: E402

sys.path.remove(str(DATA))


def test_normal_vs_t_gap_is_the_largest_cdf_difference():
    """The gap shrinks with the df and matches a direct evaluation (scipy)."""
    from scipy import stats

    assert normal_vs_t_gap(200) < normal_vs_t_gap(20) < normal_vs_t_gap(5)
    z = 0.7
    assert normal_vs_t_gap(10) >= abs(stats.norm.cdf(z) - stats.t.cdf(z, 10))


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=["vague", "sceptical", "robust"])
def test_closed_form_matches_pymc(case):
    c = compare_design(case, trials=1, seed=2026, draws=300)
    assert c.pymc.size == 1
    allowed = 4.0 * c.mcse + c.t_gap
    worst = float(np.max(c.difference))
    assert np.all(c.difference <= allowed), (
        f"{case.name}: closed form {c.closed_form}, PyMC {c.pymc} (MCSE {c.mcse}), allowed "
        f"{allowed}; worst |difference| {worst:.4f}"
    )
