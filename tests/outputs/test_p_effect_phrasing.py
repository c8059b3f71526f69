"""Issue 20: every output that quotes P(effect > 0) says that it depends on the reconstruction
and the priors, and does not print it to three decimals."""

from types import SimpleNamespace

from designs.outputs.assurance_text import assurance_text, main_job_assurance_text
from designs.outputs.console import P_EFFECT_NOTE
from designs.spec import load_design


def _result(transport):
    return SimpleNamespace(
        transport=transport, assurance=0.7, mc_se=0.01, posterior_median_draw=0.4,
        posterior_median_points=0.2, power_at_median=0.9, p_effect_positive=0.9225,
        power_quantiles={0.05: 0.1, 0.5: 0.9, 0.95: 1.0}, p_power_at_least_80=0.6, trials=100,
        seed=1, analysis="lmm_slope", failed_fits=0, posterior_draws=4000,
    )  # fmt: skip


def test_assurance_text_qualifies_p_effect():
    text = assurance_text(
        load_design(),
        [_result("proportional"), _result("absolute")],
        natural_history_from_posterior=False,
    )
    assert "P(effect > 0) 0.92 (this posterior)" in text and "0.922" not in text
    assert P_EFFECT_NOTE in text and "--reconstructions" in P_EFFECT_NOTE
    # the reconstruction's chosen noise is said (a clinician's review: SD 1 point against the
    # trial's 2 made the phase 2 look more informative; refitted at 2, P 0.80 for 0.91)
    assert "measurement noise was chosen at SD 1 point, half the 2 points" in P_EFFECT_NOTE


def test_main_job_table_qualifies_p_effect():
    row = SimpleNamespace(target_power=0.8, n_per_arm=100, n_total=200)
    by_t = {"proportional": _result("proportional"), "absolute": _result("absolute")}
    text = main_job_assurance_text([row], [by_t], trials=100, seed=1)
    assert "| 0.92 |" in text and "0.922" not in text
    assert P_EFFECT_NOTE in text
