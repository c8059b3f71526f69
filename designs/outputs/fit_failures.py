"""Why a simulated analysis' fits fail where the cause is the design's, and what to do (one
clause added to the failed-fits warning)."""

from __future__ import annotations

__all__ = ["EXACT_RESIDUAL_SD", "exact_lines_hint"]


#: Residual SD (points) below which continuous scores lie so near each patient's line that
#: a mixed model's residual variance sits at its boundary (a stress review: at 0, 79% of the
#: lmm_slope fits failed and the power read 0.157 where 0.71 is right; at 0.01, 0.707).
EXACT_RESIDUAL_SD = 0.01


def exact_lines_hint(design) -> str:
    """Why fits fail on scores with next to no residual noise, and what to do."""
    p = design.population
    if p.integer_scores or p.residual_sd >= EXACT_RESIDUAL_SD:
        return ""
    return (
        f"; population.residual_sd = {p.residual_sd:g} with continuous scores puts each "
        "patient's scores on a line, where the mixed model's residual variance has no "
        "estimate: give it at least 0.01 points, or integer scores"
    )
