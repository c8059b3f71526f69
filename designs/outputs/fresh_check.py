"""The check of a sample-size row on fresh trials: whether the power simulated at n on
trials the search did not see contradicts its n, and the warning that says so."""

from __future__ import annotations

import math

from designs.outputs.numbers import rate_mc_se
from designs.outputs.rerun import rerun_text

#: Monte Carlo SEs between a sample-size row's fresh-trial power and its target that make
#: :func:`fresh_check_warnings` speak: 2 below the target (an underpowered trial, the costly
#: way), 3 above. At the true n the fresh check's own noise alone falls 2 SE below in 2.3% of
#: runs and rises 3 SE above in 0.1%; with the search's error in n added (default design, one
#: stage of 2,000 trials per size: about 0.009 in power, as much as the check's SE) the
#: warning below speaks in about 8% of runs, in the main job's two stages (SD of n 1.5 and 2.3
#: patients per arm: about 0.003 in power, 0.7-0.8 of the SE of its 8,000-trial check) in
#: about 5%: then n is more likely short than not. At 3 SE below, the main job's 90% row at
#: its default seed (241 per arm, about 5 short: fresh power 0.891, 2.6 SE under 0.9) passed
#: without a word (an independent review).
FRESH_CHECK_SES_BELOW = 2.0
FRESH_CHECK_SES_ABOVE = 3.0


def fresh_check_gap(row) -> tuple[float, float, float]:
    """``(gap, ses, reference)`` of a sample-size row's check on fresh trials: below the
    target the gap is measured from the target; above it, from the fitted power at n
    (``reference``), which exceeds the target by up to one step of n since n is rounded up
    (a pipeline author's review: with 20,000 + 80,000 trials per size, n 247 for a crossing
    at 246.4, fitted power 0.9007, fresh 0.9013 with MC SE 0.00035 was called
    "overestimated" for being 3.7 SE above 0.9, and the more trials, the more often). A
    fresh power between the target and the fitted power is no miss either way (gap 0: a
    diff review found 0.83 between 0.8 and a fit of 0.86 called underpowered)."""
    below = row.confirmed_power < row.target_power
    reference = row.target_power if below else max(row.target_power, row.fitted_power)
    ses = FRESH_CHECK_SES_BELOW if below else FRESH_CHECK_SES_ABOVE
    gap = row.confirmed_power - reference
    return (gap if below or gap > 0 else 0.0), ses, reference


def fresh_check_missed(row) -> bool:
    """Whether a sample-size row's power on fresh trials at n is more than
    :data:`FRESH_CHECK_SES_BELOW` Monte Carlo SEs below its target, or
    :data:`FRESH_CHECK_SES_ABOVE` above its fitted power at n (:func:`fresh_check_gap`; a
    target not reached has its own warning: more trials would not help there)."""
    if not row.reached:
        return False
    gap, ses, reference = fresh_check_gap(row)
    if _all_or_none(row):
        # an SE of 0 makes any gap "more than 3 SE" (a file-safety review: all 800 fresh
        # trials significant at a target of 0.999999, which happens with probability 0.9992,
        # was called overestimated): the chance of all (none) at the reference power instead,
        # against the one-sided normal tail of the same SEs
        if gap == 0.0:
            return False
        p = reference if row.confirmed_power == 1.0 else 1.0 - reference
        if p <= 0.0:  # all or none where the reference makes it impossible
            return True
        return row.trials * math.log(p) < math.log(0.5 * math.erfc(ses / math.sqrt(2.0)))
    return abs(gap) > ses * row.confirmed_mc_se


def _all_or_none(row) -> bool:
    """Whether every fresh trial (or none) succeeded: their MC SE is then 0."""
    return row.confirmed_mc_se == 0.0 and row.confirmed_power in (0.0, 1.0)


def fresh_se_clause(row) -> str:
    """'MC SE 0.0031' of a row's power on fresh trials, or 'all of 800 trials' ('none of')
    where their MC SE is 0 (a diff review: the figure's caution and the methods text said
    "MC SE 0.000" where the warning said all of 800)."""
    return se_or_count(row.confirmed_power, row.confirmed_mc_se, row.trials)


def se_or_count(rate: float, se: float, trials: int) -> str:
    """'MC SE 0.0031' of a rate over ``trials``, or 'all of 800 trials' ('none of') where the
    rate counted every trial (or none) and its MC SE is 0."""
    from designs.outputs.numbers import se_text
    from designs.outputs.rates import rate_edge

    if se == 0.0 and (edge := rate_edge(rate, trials)) is not None:
        return f"{edge} of {trials:,} trial{'s' if trials != 1 else ''}"
    return f"MC SE {se_text(se)}"


def fresh_check_field(row) -> dict:
    """``{"fresh_check_missed": bool}`` for a fixed design's sample-size row (its JSON, as its
    CSV has it), nothing for a search with looks (which has no check on fresh trials)."""
    from designs.planning.sample_size import SampleSizeRow

    return {"fresh_check_missed": fresh_check_missed(row)} if isinstance(row, SampleSizeRow) else {}


def fresh_check_warnings(
    rows, design, *, advise: bool = True, command: str = "sample-size", rerun=None
) -> list[str]:
    """One warning per sample-size row whose fresh-trial check missed
    (:func:`fresh_check_missed`): the search's n then rests on simulation error (a run of
    unusually favourable or unfavourable trials at every size, common random numbers), and
    more trials per size are needed before n is quoted; ``advise`` adds the command that
    runs them (the main job runs them itself): ``rerun``, the arguments the search was run
    with, with more trials (:func:`rerun_text`), else the ``command`` (``sample-size``,
    ``report``) with the trials' options alone."""
    out = []
    for r in rows:
        if not fresh_check_missed(r):
            continue
        gap, ses, reference = fresh_check_gap(r)
        way = "underestimated (the trial would be underpowered)" if gap < 0 else "overestimated"
        fitted = "" if reference == r.target_power else " and the fitted power at n"
        where = "below the target" if gap < 0 else f"above the target{fitted}"
        fresh = (
            f"{r.confirmed_power:.3f} ({fresh_se_clause(r)}), less likely than {ses:g} MC SE "
            f"{where}"
            if _all_or_none(r)
            else f"{rate_mc_se(r.confirmed_power, r.confirmed_mc_se)}, more than {ses:g} "
            f"MC SE {where}"
        )
        text = (
            f"warning: target {r.target_power:g}: power on fresh trials at n = {r.n:,} is "
            f"{fresh}: n is likely {way} by simulation error"
        )
        if advise:
            text += (
                f"; rerun with more trials per size (e.g. {rerun_text(r, command, rerun)}) "
                "before quoting it"
            )
        out.append(text)
    return out
