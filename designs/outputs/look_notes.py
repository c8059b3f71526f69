"""Notes under a group-sequential design's operating characteristics on when its looks come:
a final look long after the data are complete, and looks at other information fractions than
planned. Text only."""

from __future__ import annotations


def late_final_look_note(design, last_month: float) -> str:
    """A note when the final look comes more than a month after the last patient's last
    visit (an independent review: `--look-months 18,100` compared 99.2 expected months with
    "100.0 without interim analyses", where the data are complete at month 37)."""
    from designs.planning.operating import calendar_length

    end = calendar_length(design)["calendar_months"]  # no lead-in with looks
    if last_month <= end + 1.0:
        return ""
    return (
        f"note: the final look, month {last_month:.1f}, comes {last_month - end:.1f} months "
        f"after the last patient's last visit (month {end:.1f}), when every patient's data "
        f"are in: the same final analysis at month {end:.1f} would end the trial sooner"
    )


#: How far the simulated trials' mean final information fraction may be from 1 without a note.
INFORMATION_GAP = 0.05


def information_gap_note(design, final_fraction: float) -> str:
    """A note when the simulated trials observe, at the final look, an information more than
    :data:`INFORMATION_GAP` away from the planned maximum (an own-design review: 1.138 on an
    18-month design with a 1 point/month decline, where the 0-48 scale's floor held many
    scores; 1.008 with continuous scores): the looks then come at other information
    fractions than planned. Alpha is still spent by the information observed."""
    if not abs(final_fraction - 1.0) > INFORMATION_GAP:
        return ""
    more = final_fraction > 1.0
    cause = (
        "the floor and ceiling of the 0-48 scale with integer scores (a score held at 0 or 48 "
        "varies less than the model says)"
        if design.population.integer_scores and more
        else "some of what the design simulates (dropout, scores, the effect's spread)"
    )
    return (
        f"note: at the final look the simulated trials observed on average {final_fraction:.3f} "
        f"of the planned maximum information, so each look comes "
        f"{'later' if more else 'earlier'} in information than planned: the plan's I_max (the "
        f"expected information of the design's mixed model) leaves out {cause}. Each trial "
        "spends alpha by the information it observed, so the type I error holds; a charter may "
        "take I_max from simulated trials instead (analyze --look --information-max)"
    )
