"""What the page simulates at most: its patients and its searches (larger designs belong on
the command line)."""

from __future__ import annotations

import math

from designs.errors import InputError
from designs.program import program_name

__all__ = [
    "CLOSED_FORM_MARGIN",
    "PAGE_TARGETS",
    "check_page_search",
    "check_page_size",
    "page_limit",
]

#: The target powers of the page's sample-size search.
PAGE_TARGETS = (0.8, 0.9)


def page_limit(design) -> tuple[int, str]:
    """The largest size the page simulates, in the search's unit: per arm with 1:1
    allocation, in total otherwise (:data:`designs.explorer.controls.MAX_PAGE_PATIENTS`)."""
    from designs.explorer.controls import MAX_PAGE_PATIENTS

    if design.trial.allocation.equal:
        return MAX_PAGE_PATIENTS // 2, "per arm"
    return MAX_PAGE_PATIENTS, "in total"


#: A search is refused outright when the closed form puts its highest target this many
#: times above the page's limit: the simulated n is 0.75-1.8 times the closed form's for
#: most analyses and rules the page offers, about 3.5 times for ols_slope_ttest under
#: dropout (reviews), so such a target is not reached there; nearer, the ceiling stops it.
CLOSED_FORM_MARGIN = 2.0


def check_page_search(design) -> None:
    """Refuse a search whose closed form (:func:`designs.planning.size_grid.closed_form_size`,
    the search's own starting bracket) puts the highest target far above the patients the
    page simulates (:func:`page_limit`; a review found a tiny effect sent the page's search
    towards the command line's 50,000 per arm, for minutes). Nearer the limit the search
    runs under it (:func:`designs.planning.size_limit.ceiling`) and says when a target is
    not reached there."""
    from designs.planning.size_grid import closed_form_size

    limit, unit = page_limit(design)
    n = closed_form_size(design, max(PAGE_TARGETS))
    if n is not None and n > CLOSED_FORM_MARGIN * limit:
        about = f"{math.ceil(n):,}" if n < 1e9 else f"{n:.2g}"  # not 25 digits (a review)
        raise InputError(
            f"sample size: the closed form puts {max(PAGE_TARGETS):.0%} power at about "
            f"{about} patients {unit}, far above the {limit:,} {unit} this page simulates; "
            f"search on the command line ({program_name()} sample-size)"
        )


def check_page_size(design) -> None:
    """Refuse a design larger than the page simulates (:func:`page_limit`), as the patients
    box refuses one typed (a review: an uploaded file was simulated at 30,001 per arm)."""
    limit, unit = page_limit(design)
    field = "n_per_arm" if unit == "per arm" else "n_total"
    size = getattr(design.trial, field)
    if size is not None and size > limit:
        raise InputError(
            f"trial.{field} = {size:,}: the page simulates at most {limit:,} {unit} (a larger "
            f"design belongs on the command line, {program_name()} power)"
        )
