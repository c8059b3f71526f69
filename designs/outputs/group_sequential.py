"""What ``power`` prints for a group-sequential design (rendering only)."""

from __future__ import annotations

__all__ = ["group_sequential_text"]


def _z(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def group_sequential_text(design, s) -> str:
    """The design line, one line per look, and the operating characteristics."""
    lines = [design.describe()]
    sided = "one-sided" if s.sides == 1 else "two-sided"
    lines.append(
        f"{s.analysis}: {len(s.looks)} looks, {s.spending} alpha spending ({s.alpha:g} "
        f"{sided}), futility {s.futility}; {s.trials} trials per hypothesis, seed {s.seed}"
    )
    lines.append(
        "look  info(exp)  info(obs)  month  efficacy z  nominal p  futility z  "
        "P(eff)  P(fut)  P(eff|H0)"
    )
    for k in range(len(s.looks)):
        lines.append(
            f"{k + 1:>4}  {s.expected_information_fraction[k]:9.3f}  "
            f"{s.observed_information_fraction[k]:9.3f}  {s.look_months[k]:5.1f}  "
            f"{s.efficacy_boundaries_z[k]:10.3f}  {s.nominal_p[k]:9.5f}  "
            f"{_z(s.futility_boundaries_z[k]):>10}  {s.p_stop_efficacy[k]:6.3f}  "
            f"{s.p_stop_futility[k]:6.3f}  {s.p_stop_efficacy_h0[k]:9.4f}"
        )
    lines.append(
        f"power {s.power:.3f} (MC SE {s.mc_se:.3f}); favourable {s.power_favourable:.3f}; "
        f"type I error of the design {s.type_i_error:.4f} (MC SE {s.mc_se_type_i_error:.4f}); "
        f"failed fits {s.failed_fits} (effect), {s.failed_fits_h0} (no effect)"
    )
    lines.append(
        f"expected patients randomised {s.expected_n_total:.1f} under the effect "
        f"({s.true_effect:+.3f} points/month), {s.expected_n_total_h0:.1f} under no effect, "
        f"of {s.n_total}; expected months {s.expected_months:.1f} and "
        f"{s.expected_months_h0:.1f}, of {s.fixed_months:.1f} without interim analyses"
    )
    return "\n".join(lines)
