"""A rate with no (or every) trial counted: its one-sided 95% bound in place of an MC SE of 0."""

from __future__ import annotations

import pytest
from scipy import stats

from designs.outputs.rates import (
    one_sided_bound,
    rate_cell,
    rate_text,
    too_few_to_show,
    trials_for_level,
    trials_to_show,
)


@pytest.mark.parametrize("trials", [1, 10, 100, 119, 400, 10_000])
def test_the_bound_is_clopper_pearsons(trials):
    """Against scipy: the exact one-sided 95% upper limit after 0 events in n trials is the
    0.95 quantile of Beta(1, n) (Clopper and Pearson 1934), and at that rate 0 events have
    probability 0.05; 3 / n (the rule of three) is its large-n value."""
    bound = one_sided_bound(trials)
    assert bound == pytest.approx(stats.beta.ppf(0.95, 1, trials), rel=1e-12)
    assert stats.binom.pmf(0, trials, bound) == pytest.approx(0.05, rel=1e-12)
    if trials >= 400:
        assert bound == pytest.approx(3 / trials, rel=0.01)


@pytest.mark.parametrize("level", [0.001, 0.025, 0.05, 0.1])
def test_trials_to_show_is_the_fewest_that_can(level):
    n = trials_to_show(level)
    assert one_sided_bound(n) <= level < one_sided_bound(n - 1)
    assert not too_few_to_show(0.0, 0.0, n, level) and too_few_to_show(0.0, 0.0, n - 1, level)


@pytest.mark.parametrize("level", [0.025, 0.05])
def test_too_few_by_the_mc_se(level):
    """Above 0: too few when 2 MC SE exceed half the level; trials_for_level trials at the
    level pass (MC SE sqrt(level (1 - level) / n) <= level / 4)."""
    n = trials_for_level(level)
    se = (level * (1 - level) / n) ** 0.5
    assert not too_few_to_show(level, se, n, level)
    se_fewer = (level * (1 - level) / (n - 10)) ** 0.5
    assert too_few_to_show(level, se_fewer, n - 10, level)
    assert trials_for_level(0.025) == 624 and trials_for_level(0.05) == 304


def test_texts():
    assert rate_text(0.024, 0.0024, 4000) == "0.0240 (MC SE 0.0024)"
    assert rate_text(0.0, 0.0, 100) == (
        "0.0000 (none of 100 trials; one-sided 95% upper bound 0.0296)"
    )
    assert rate_text(1.0, 0.0, 100, digits=3) == (
        "1.000 (all of 100 trials; one-sided 95% lower bound 0.970)"
    )
    assert rate_cell(0.0, 0.0, 400) == "0.0000 (≤ 0.0075)"
    assert rate_cell(0.0312, 0.0087, 400) == "0.0312 (0.0087)"
    # bounds rounded outwards (a sweep review: 1 of 8,000 read "1.000 (≥ 1.000)"; the bound
    # 1 - 0.05^(1/100) = 0.029513 reads 0.0296, not 0.0295)
    assert rate_cell(1.0, 0.0, 8000, 3) == "1.000 (≥ 0.999)"
    assert rate_text(float("nan"), float("nan"), 100) == "nan (MC SE nan)"


def test_the_methods_text_names_the_null_trials_once():
    """A review: the methods text read '0.0000 (none of 400 trials; ...) over 400 trials'."""
    from types import SimpleNamespace

    from designs.outputs.interim_tables import type_i_over_trials

    def summary(rate, se):
        return SimpleNamespace(
            type_i_error=rate, mc_se_type_i_error=se, counted_h0=400, trials_h0=400, trials=200
        )

    assert type_i_over_trials(summary(0.0, 0.0)) == (
        "0.0000 (none of 400 trials; one-sided 95% upper bound 0.0075)"
    )
    assert type_i_over_trials(summary(0.03, 0.0085)) == "0.0300 (MC SE 0.0085) over 400 trials"
