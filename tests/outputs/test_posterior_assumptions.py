"""Under the posterior rule the methods text says how n rests on each assumption, as it does
under the frequentist test (a protocol writer's review: only the Bayesian report lacked the
paragraph), from the rule's closed form (:func:`designs.outputs.methods_checks.
_posterior_rule_n`), checked here against independent closed forms."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from designs.analyses.decision import NormalMixture
from designs.outputs.methods_checks import (
    _closed_form_n,
    _posterior_rule_n,
    assumption_sensitivity,
)
from designs.planning import closed_form as cf
from designs.spec import load_design


def _posterior(**fields):
    over = {"decision.rule": "posterior", "trial.sides": 1, "trial.alpha": 0.025}
    return load_design(None).with_overrides({**over, **fields})


def test_a_flat_prior_gives_the_one_sided_tests_n():
    """With a prior so wide it is flat, P(effect > 0 | x) > 0.975 is x / se > 1.96: the
    one-sided test at 0.025 (181.9 and 243.6 per arm on the default design)."""
    design = _posterior()
    flat = NormalMixture.normal(0.0, 1e4)
    frequentist = design.with_overrides({"decision.rule": "frequentist"})
    for target in (0.8, 0.9):
        assert _posterior_rule_n(design, target, flat) == pytest.approx(
            _closed_form_n(frequentist, target), abs=1e-3
        )


@pytest.mark.parametrize("sceptical_sd", [0.05, 0.1, 0.3])
def test_a_sceptical_priors_n_solves_its_own_closed_form(sceptical_sd):
    """A normal prior N(0, s0^2): the posterior is normal and the rule succeeds when x >
    z_T se sqrt(1 + se^2 / s0^2), so power is Phi(delta / se - z_T sqrt(1 + se^2 / s0^2)),
    derived here without the critical-estimate root finding; at the returned n it equals the
    target."""
    design = _posterior(**{"decision.prior": "sceptical", "decision.sceptical_sd": sceptical_sd})
    prior = NormalMixture.normal(0.0, sceptical_sd)
    v_p, v_a = cf.design_slope_variances(design)
    delta = design.effect.slope_shift(design.population.slope_mean)
    z = stats.norm.ppf(design.decision.threshold)

    def power(n_per_arm):
        se = math.sqrt((v_p + v_a) / n_per_arm)
        return stats.norm.cdf(delta / se - z * math.sqrt(1 + se**2 / sceptical_sd**2))

    for target in (0.8, 0.9):
        n = _posterior_rule_n(design, target, prior)
        assert power(n) == pytest.approx(target, abs=1e-9)
    # the sceptical prior asks for more patients than the flat one, the more so the narrower
    assert _posterior_rule_n(design, 0.8, prior) > 181.9


def test_the_paragraph_under_the_posterior_rule():
    design = _posterior(**{"decision.prior": "sceptical", "decision.sceptical_sd": 0.1})
    prior = NormalMixture.normal(0.0, 0.1)
    text = assumption_sensitivity(design, "lmm_slope", 0.8, prior)
    n = math.ceil(_posterior_rule_n(design, 0.8, prior))
    assert text.startswith("**Assumptions behind n.**")
    assert "The closed form of the posterior rule (" in text
    assert f"needs {n} per arm for 80% success probability" in text
    assert "effect 20% slowing / 30% slowing" in text
    assert assumption_sensitivity(design, "lmm_slope", 0.8) == ""  # no prior: nothing
    # not where the closed form does not model the design (informative dropout)
    informative = design.with_overrides({"dropout.informative": 1.0})
    assert assumption_sensitivity(informative, "lmm_slope", 0.8, prior) == ""
