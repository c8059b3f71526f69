"""How an MC SE and a probability next to 1 are written (designs.outputs.numbers)."""

import pytest

from designs.outputs.numbers import probability_text, se_text


@pytest.mark.parametrize(
    ("se", "text"),
    [
        (0.0015, "0.0015"),  # the control variate's SE at n: printed 0.001 and 0.002 before
        (0.00149, "0.0015"),
        (0.0091, "0.0091"),
        (0.012, "0.012"),
        (0.05, "0.050"),
        (0.5, "0.500"),  # at least three decimals, like the probability beside it
        (0.00996, "0.010"),  # rounding up into the next decade keeps two digits
        (0.000996, "0.0010"),
        (0.0000999, "0.00010"),
        (0.0, "0.000"),
        (1.2e-6, "1.2e-06"),  # not 0.00000, an SE that reads as zero
    ],
)
def test_se_has_two_significant_digits(se, text):
    assert se_text(se) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.9995, "> 0.999"),  # three decimals would say 1.000 of a power below 1
        (0.99949, "0.999"),
        (1.0, "1.000"),
        (0.0, "0.000"),
        (0.0004, "< 0.001"),
        (0.8, "0.800"),
    ],
)
def test_probability_never_rounds_to_certainty(p, text):
    assert probability_text(p) == text


def test_a_rate_beside_its_mc_se():
    """The "p (SE)" cell of a dozen tables and sentences, written in one place."""
    from designs.outputs.numbers import rate_mc_se, rate_se

    assert rate_se(0.79974, 0.00153) == "0.800 (0.0015)"
    assert rate_mc_se(0.0509, 0.00059) == "0.051 (MC SE 0.00059)"
    assert rate_se(0.5, 0.0112) == "0.500 (0.011)"
