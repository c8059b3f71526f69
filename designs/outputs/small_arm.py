"""The note on lmm_slope's Satterthwaite test in small arms with attrition: liberal below
about 25 patients per arm, where lmm_slope_kr (Kenward-Roger) holds the level. ``power``
gave it from the start; ``sample-size``, ``report`` and the explorer's search give it when
the n they find is that small (a regulatory reviewer's review: a report at 16 per arm showed
a type I error of 0.0519 with no word, while ``power`` at the same size named the cause and
the remedy)."""

from __future__ import annotations

from designs.analyses.mixed_model_warnings import KENWARD_ROGER_TINY_ARMS

__all__ = ["no_slope_variance_note", "small_arm_note", "small_n_notes", "two_visit_note"]


#: Why, and the remedy (the rates: designs/analyses/lmm_slope.py, ``SMALL_ARM``; at 2-5
#: per arm, 2026-12-08, pooled over this sitting's runs (10,000 trials each, one seed) and a
#: diff review's (40,000 each, other seeds), MC SE 0.1%: Satterthwaite 6.1%, 6.2%, 6.0% and
#: 5.8% at 2, 3, 4 and 5 per arm; Kenward-Roger 0.8%, 2.6%, 4.0% and 4.6%; a small-sample
#: review found the same on its own seeds, 0.6% and 2.9% at 2 and 3).
LIBERAL = (
    "lmm_slope's Satterthwaite degrees of freedom are liberal below about 25 per arm with "
    "attrition (at alpha 0.05 with the default design's attrition: about 6% at 2-4 per arm, "
    "5.8% at 5, 5.3-5.5% at 10, 5.3% at 20; 5.8% at 15 per arm with 62% gone by month 12); "
    "lmm_slope_kr (Kenward-Roger) holds the level there, conservatively at a few patients per "
    f"arm ({KENWARD_ROGER_TINY_ARMS})"
)


def _applies(design, smallest: int, analyses) -> bool:
    from designs.analyses.lmm_slope import SMALL_ARM

    # under the posterior rule there are no degrees of freedom (a normal likelihood of the
    # estimate and SE), so neither the cause nor the remedy applies (a diff review)
    # with no slope variance the test is conservative instead (a small-sample review read
    # both notes at once): power's boundary note says so
    return (
        smallest < SMALL_ARM
        and "lmm_slope" in analyses
        and design.loses_patients
        and not design.decision.is_posterior
        and design.population.slope_sd > 0
    )


def no_slope_variance_note(design, analyses) -> str:
    """With ``population.slope_sd = 0`` the mixed model's slope variance sits on its boundary
    and its tests are conservative, the more so in small arms: said by ``power`` and by the
    sample-size searches, which said nothing of it (a diff review: 8 per arm found with no
    word; measured 2026-12-08, 10,000 trials each, MC SE 0.11-0.12%, and a diff review's
    3.4% and 1.8% at 8 per arm)."""
    if design.population.slope_sd != 0 or not {"lmm_slope", "lmm_slope_kr"} & set(analyses):
        return ""
    return (
        "note: population.slope_sd = 0 puts the mixed model's slope variance on its "
        "boundary; its tests are then conservative, the more so in small arms (at alpha "
        "0.05 with the default design's attrition: lmm_slope 3.3% at 8 per arm and 3.9% "
        "at 20, lmm_slope_kr 1.7% and 3.2%)."
    )


def two_visit_note(design, analyses) -> str:
    """With two visits from month 0 (no lead-in) the mixed model has as many visits as
    random effects per patient, lme4's refusal rule, and its Satterthwaite test is more
    liberal than with monthly visits: said where ``power`` simulates such a design (a
    small-sample review: ``analyze`` warned on such data, ``power`` did not; measured
    2026-12-08 with 33% gone by month 12, seed 3, 10,000 trials each, MC SE 0.15-0.19%)."""
    mixed = {"lmm_slope", "lmm_slope_kr"} & set(analyses)
    if not mixed or len(design.trial.visits_months) > 2 or design.trial.lead_in_months > 0:
        return ""
    if not design.loses_patients:  # complete data: the test holds its level (a diff review)
        return ""
    return (
        "note: 2 visits per patient: no more than the mixed model's random effects (an "
        "intercept and a slope each), so its residual variance and random-effects covariance "
        "are not separately identifiable (lme4 refuses such a fit); the test of arm x month "
        "stands, but lmm_slope's Satterthwaite test is more liberal than with monthly visits "
        "(two-sided 0.05, 33% gone by the last visit: 6.0% at 10 per arm and 5.7% at 20; "
        "lmm_slope_kr 5.3% and 5.2%)."
    )


def small_arm_note(design, smallest: int, analyses) -> str:
    """The note for ``design`` with ``smallest`` patients in its smaller arm when lmm_slope is
    among ``analyses`` and patients can leave early; '' otherwise."""
    if not _applies(design, smallest, analyses):
        return ""
    return f"note: {smallest} patients in the smaller arm: {LIBERAL}."


def small_n_notes(rows, design) -> list[str]:
    """The note at the smallest n a sample-size search found (its rows), with the analysis
    to search with instead; none when every n is large enough or the search's analysis is
    another."""
    from designs.planning.power_curve import design_at

    analysis = str(design.trial.analysis)

    def size(r) -> int:  # n max with interim looks, the fixed n otherwise
        return r.n_max if hasattr(r, "n_max") else r.n

    reached = sorted((r for r in rows if r.reached), key=size)
    if not reached:
        return []
    row = reached[0]
    n, looks = size(row), hasattr(row, "n_max")
    at = design_at(design, n)
    smallest = min(at.trial.n_placebo, at.trial.n_active)
    if not _applies(at, smallest, (analysis,)):
        return []
    what = "n max" if looks else "n"
    text = (
        f"{n:,} per arm"
        if row.size_name == "n_per_arm"
        else f"{n:,} in total ({smallest:,} in the smaller arm)"
    )
    remedy = (
        # lmm_slope_kr is not analysed at interim looks (a diff review: the advice was refused)
        "lmm_slope_kr is not analysed at interim looks: read the design's type I error at n max"
        if looks
        else "search n with --analysis lmm_slope_kr"
    )
    return [f"note: at {what} = {text}, {LIBERAL}; {remedy}."]
