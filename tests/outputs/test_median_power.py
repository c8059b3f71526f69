"""The power at the posterior-median effect where every simulated trial succeeded: "1.000"
with an SE of 0 read as a certainty (a regulatory review: the operating characteristics
give "(≥ 0.994)" in such a case). Its one-sided 95% lower bound is given instead."""

from __future__ import annotations

from types import SimpleNamespace

from designs.outputs.assurance_text import median_power_text


def test_all_trials_give_the_bound_not_an_se_of_zero():
    every = SimpleNamespace(power_at_median=1.0, power_at_median_trials=1000)
    # the exact one-sided 95% (Clopper-Pearson) lower bound after 1000 of 1000: 0.05^(1/1000)
    bound = 0.05 ** (1 / 1000)  # 0.99700...
    assert f"{bound:.4f}" == "0.9970"
    assert median_power_text(every) == (
        "1.000 (all of 1,000 trials; one-sided 95% lower bound 0.997)"
    )
    assert median_power_text(every, cell=True) == "1.000 (≥ 0.997)"
    none = SimpleNamespace(power_at_median=0.0, power_at_median_trials=200)
    assert median_power_text(none, cell=True) == "0.000 (≤ 0.015)"  # 1 - 0.05^(1/200) = 0.0149
    # otherwise as before: three decimals, "> 0.999" short of 1
    assert median_power_text(
        SimpleNamespace(power_at_median=0.9995, power_at_median_trials=4000)
    ) == ("> 0.999")
    assert median_power_text(
        SimpleNamespace(power_at_median=0.903, power_at_median_trials=1000)
    ) == ("0.903")
    # a result without the count (an older record): as before
    assert median_power_text(SimpleNamespace(power_at_median=1.0)) == "1.000"
