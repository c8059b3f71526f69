"""Every type I error run simulates no effect for any patient (the sharp null), also when the
design spreads its benefit over patients (``effect.sd > 0``).

A review found the spread kept at a mean of 0: a treatment helping some patients and harming
others widens the active arm's slopes, and under unequal allocation the analyses, which pool
the arms' variances, reject far from their level (lmm_slope 0.11 at 3:1, 0.018 at 1:3; alpha
0.05, effect.sd 0.5, 20,000 trials). The type I errors of `power`, `calibrate`, the report and
the looks were simulated that way.
"""

import pytest

from designs.planning.decision_looks import calibrate_looks, posterior_looks_power
from designs.planning.decision_rule import calibrate
from designs.planning.group_sequential import group_sequential_power
from designs.planning.operating import operating_characteristics
from designs.planning.power import null_design, power
from designs.spec import load_design

SEED = 4321


def _spread(**more):
    """3:1 placebo to active, 80 in total, the benefit spread with SD 0.5 points/month."""
    return load_design("default").with_overrides(
        {
            "trial.n_total": 80,
            "trial.allocation.placebo": 3,
            "trial.allocation.active": 1,
            "effect.sd": 0.5,
            **more,
        }
    )


def test_the_null_design_changes_no_patient():
    d = _spread()
    null = null_design(d)
    assert null.effect.value == 0.0 and null.effect.sd == 0.0
    kept = null_design(d, keep_value=True)
    assert kept.effect.value == d.effect.value and kept.effect.sd == 0.0
    plain = load_design("default")
    assert null_design(plain, keep_value=True) is plain


def test_posterior_rule_type_i_error_is_the_sharp_nulls():
    """``power(..., type1=True)`` equals, bit for bit, the rule's success rate on the design
    with neither a mean effect nor a spread (same seed: the same trials)."""
    d = _spread(**{"decision.rule": "posterior", "decision.threshold": 0.975})
    s = power(d, 400, SEED, ("lmm_slope",), type1=True)["lmm_slope"]
    sharp = d.with_overrides({"effect.value": 0.0, "effect.sd": 0.0})
    assert s.type1 == power(sharp, 400, SEED, ("lmm_slope",))["lmm_slope"].power
    assert s.type1_trials == 400


def test_the_sharp_null_holds_the_level_at_unequal_allocation():
    """4,000 null trials at 3:1 with the spread in the design: the posterior rule (vague
    prior, threshold 0.975, one-sided 0.025) within 3 MC SE of 0.025 (MC SE
    sqrt(0.025 x 0.975 / 4000) = 0.0025). Keeping the spread (the old null) gives about
    0.058, 13 MC SE away."""
    d = _spread(**{"decision.rule": "posterior", "decision.threshold": 0.975})
    s = power(d, 4000, SEED, ("lmm_slope",), type1=True)["lmm_slope"]
    assert abs(s.type1 - 0.025) < 3 * 0.0025


def test_calibration_and_the_looks_ignore_the_spread():
    """calibrate, calibrate --looks, the looks' type I error and the report's operating
    characteristics simulate only the null: a design with a spread of benefit gives the same
    numbers as the same design without one."""
    post = {"decision.rule": "posterior", "decision.threshold": 0.975}
    with_sd, without = _spread(**post), _spread(**post, **{"effect.sd": 0.0})
    assert calibrate(with_sd, 400, SEED).threshold == calibrate(without, 400, SEED).threshold
    looks = {**post, "interim.looks": [0.5, 1.0]}
    a, b = _spread(**looks), _spread(**looks, **{"effect.sd": 0.0})
    assert calibrate_looks(a, 400, SEED).threshold == calibrate_looks(b, 400, SEED).threshold
    assert (
        posterior_looks_power(a, 200, SEED).type_i_error
        == posterior_looks_power(b, 200, SEED).type_i_error
    )
    gs = {"interim.looks": [0.5, 1.0]}
    a, b = _spread(**gs), _spread(**gs, **{"effect.sd": 0.0})
    assert (
        group_sequential_power(a, 200, SEED).type_i_error
        == group_sequential_power(b, 200, SEED).type_i_error
    )


@pytest.mark.slow
def test_the_reports_type_i_error_ignores_the_spread():
    a, b = _spread(), _spread(**{"effect.sd": 0.0})
    oc_a = operating_characteristics(a, 80, 200, SEED)
    oc_b = operating_characteristics(b, 80, 200, SEED)
    assert oc_a["type_i_error"] == oc_b["type_i_error"]


def test_power_says_a_spread_benefit_at_unequal_allocation_miscalibrates_the_test(capsys):
    import simulate

    args = ["power", "--n-total", "80", "--trials", "50", "--set", "effect.sd=0.5"]
    assert simulate.main([*args, "--set", "trial.allocation.placebo=3"]) == 0
    out = capsys.readouterr().out
    assert "note: effect.sd = 0.5 spreads the benefit" in out
    assert "Type I errors are simulated with no effect for any patient." in out
    assert simulate.main(args) == 0  # 1:1: the pooled variance is harmless
    assert "spreads the benefit" not in capsys.readouterr().out
