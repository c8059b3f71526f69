"""Conditional-power futility (non-binding): the conditional power against rpact and the
boundaries it gives (the type I error of a design following it:
tests/planning/test_futility_cp.py)."""

import numpy as np
import pytest

from designs.errors import InputError
from designs.sequential import efficacy_boundaries
from designs.sequential.conditional_power import conditional_power, conditional_power_futility
from designs.sequential.spending import SpendingFunction


def test_conditional_power_equals_rpact():
    """rpact 3.3.4 (Debian r-cran-rpact 3.3.4-1):
    d <- getDesignInverseNormal(kMax = 2, alpha = 0.025, sided = 1, typeOfDesign = "asOF",
         informationRates = c(0.5, 1))          # critical values 2.962588043, 1.968595646
    sr <- getStageResults(d, dataInput = getDataset(n = 50, means = 0.2, stDevs = 1),
         normalApproximation = TRUE)
    getConditionalPower(sr, nPlanned = 50, thetaH1 = 0.3, assumedStDev = 1)  # 0.7738298882
    getConditionalPower(sr, nPlanned = 50, thetaH1 = 0.2, assumedStDev = 1)  # 0.5177121862
    (thetaH1 = 0.2 is the current estimate: the current trend). Drift theta sqrt(I_K) with
    I_K = 100: 3 for theta 0.3."""
    z = 0.2 * np.sqrt(50)
    assert conditional_power(z, 0.5, 1.968595646, drift=3.0) == pytest.approx(
        0.7738298882, abs=1e-8
    )
    assert conditional_power(z, 0.5, 1.968595646) == pytest.approx(0.5177121862, abs=1e-8)


@pytest.mark.parametrize("under", ["trend", "design"])
def test_the_futility_boundary_has_the_threshold_conditional_power(under):
    eff = efficacy_boundaries([0.3, 0.6, 1.0], 0.025, SpendingFunction("obf"), 1)
    drift = 2.8 if under == "design" else None
    b = conditional_power_futility(eff, 0.15, under, drift)
    np.testing.assert_array_equal(b.efficacy_z, eff.efficacy_z)  # non-binding
    assert b.futility_z[-1] == eff.efficacy_z[-1]
    for k, t in enumerate(b.fractions[:-1]):
        cp = conditional_power(b.futility_z[k], t, eff.efficacy_z[-1], drift)
        assert cp == pytest.approx(0.15, abs=1e-10)
        assert conditional_power(b.futility_z[k] + 0.1, t, eff.efficacy_z[-1], drift) > 0.15
    with pytest.raises(InputError, match="futility_cp"):
        conditional_power_futility(eff, 1.5, under, drift)
