"""Which phase 2 posterior an output rests on, and whether its fit converged, in words.

A review of a report built on the user's own phase 2 posterior: its methods text credited
the CL2020 trial (Yamashita et al. 2023) and no file named the data fitted, and a fit that
missed the convergence targets was reported on stderr only, not in the report's files. The
posterior file's attributes (written by ``simulate.py fit``, :mod:`progression.model`) name
the data and its SHA-256, and keep the convergence figures.
"""

from __future__ import annotations

import json

from designs.program import program_name

__all__ = [
    "changed_priors",
    "conflict_note",
    "convergence_figures",
    "convergence_sentence",
    "fit_cautions",
    "other_product_sentence",
    "posterior_record",
    "posterior_sentences",
    "posterior_source",
]


def changed_priors(attrs) -> dict | None:
    """The phase 2 model's hyperparameters the fit changed from the defaults (``fit
    --prior``), as ``{name: [value, default]}``; ``{}`` for the default priors, None when the
    file does not say (a reproducibility audit: a fit with changed priors was described as
    the default one)."""
    from progression import priors as P

    text = (attrs or {}).get("priors")
    if not text:
        return None
    try:
        priors = P.Priors.from_json(str(text))
    except (ValueError, TypeError):
        return None
    return {k: [v, getattr(P.DEFAULT_PRIORS, k)] for k, v in P.changed_priors(priors).items()}


def draws_sha_text(attrs) -> str:
    """'draws SHA-256 0c1d2e3f4a5b' (the first 12 hex digits of the posterior's checksum of
    its draws), '' when the attributes hold none."""
    from progression.posterior_file import CHECKSUM_ATTR

    sha = (attrs or {}).get(CHECKSUM_ATTR)
    return f"draws SHA-256 {str(sha)[:12]}" if sha else ""


def posterior_source(attrs, brackets: str = "()") -> str:
    """'fitted to mine.csv (data SHA-256 65f493fcd289, 4 chains x 1000 draws, nutpie,
    seed 7, draws SHA-256 0c1d2e3f4a5b)', with the priors changed from the defaults when
    the fit changed any; what the attributes do not say is left out. ``brackets``: the pair
    around the details ("[]" inside a parenthesis)."""

    attrs = attrs or {}
    parts = []
    sha = str(attrs.get("data_sha256", ""))
    if sha:
        parts.append(f"data SHA-256 {sha[:12]}")
    if "chains" in attrs and "draws" in attrs:
        parts.append(f"{int(attrs['chains'])} chains x {int(attrs['draws'])} draws")
    if attrs.get("sampler"):
        parts.append(str(attrs["sampler"]))
    if attrs.get("seed") is not None:
        parts.append(f"seed {int(attrs['seed'])}")
    changed = changed_priors(attrs)
    if changed:
        parts.append(
            "priors changed: "
            + "; ".join(f"{k} = {v:g} (default {d:g})" for k, (v, d) in changed.items())
        )
    if draws := draws_sha_text(attrs):
        parts.append(draws)
    source = str(attrs.get("data_source", "")) or "data not named in the posterior file"
    details = f" {brackets[0]}{', '.join(parts)}{brackets[1]}" if parts else ""
    return f"fitted to {source}{details}"


def convergence_figures(attrs) -> dict | None:
    """The divergences, largest R-hat and smallest bulk ESS kept in the posterior file
    (None when it kept none)."""
    text = (attrs or {}).get("convergence")
    if not text:
        return None
    try:
        figures = json.loads(str(text))
        return {k: figures[k] for k in ("divergences", "max_rhat", "min_ess_bulk")}
    except (ValueError, KeyError, TypeError):
        return None


def convergence_sentence(attrs) -> str:
    """'The fit met the convergence targets (0 divergences, largest R-hat 1.005, smallest
    bulk ESS 1146; targets ...).' or, when it did not, a sentence that says so first."""
    from progression.convergence import gates_met

    figures = convergence_figures(attrs)
    if figures is None:
        return "The posterior file keeps no convergence figures: convergence was not checked."
    numbers = (
        f"{int(figures['divergences'])} divergences, largest R-hat {figures['max_rhat']:.3f}, "
        f"smallest bulk ESS {figures['min_ess_bulk']:.0f}; targets: no divergence, R-hat at "
        "most 1.01, bulk ESS at least 400 for every population parameter"
    )
    if gates_met(figures):
        return f"The fit met the convergence targets ({numbers})."
    return (
        f"NOT CONVERGED: the fit missed the convergence targets ({numbers}), so the assurance "
        f"here is unreliable: fit again with more draws and tuning steps ({program_name()} fit "
        "--draws, --tune)."
    )


def conflict_note(attrs) -> str:
    """The fit's PRIOR-DATA CONFLICT note kept in the posterior file (``fit`` writes it when
    the patients' raw mean pre-dose slope is unlikely under the priors), else its PRIOR-DATA
    GAP note (outside the prior on the population mean only), or ''."""
    attrs = attrs or {}
    return str(attrs.get("prior_data_conflict", "") or attrs.get("prior_data_gap", "") or "")


def fit_cautions(attrs) -> str:
    """What the fit says of itself: :func:`convergence_sentence`, then the PRIOR-DATA
    CONFLICT note when the file keeps one."""
    conflict = conflict_note(attrs)
    return convergence_sentence(attrs) + (f" {conflict}" if conflict else "")


def posterior_sentences(attrs) -> str:
    """'fitted to mine.csv (...). The fit met the convergence targets (...).': where the
    posterior comes from, then :func:`fit_cautions` (the report's README, ``assurance
    --looks``)."""
    return f"{posterior_source(attrs)}. {fit_cautions(attrs)}"


def posterior_record(attrs) -> dict:
    """The posterior's provenance for JSON: its data (source, SHA-256), its draws' SHA-256,
    the priors the fit changed (``{}``: none; None: not kept), the convergence
    figures and whether they meet the targets (None when not kept), the conflict note."""
    from progression.convergence import gates_met
    from progression.posterior_file import CHECKSUM_ATTR

    figures = convergence_figures(attrs)
    attrs = attrs or {}
    return {
        "data_source": str(attrs.get("data_source", "")) or None,
        "data_sha256": str(attrs.get("data_sha256", "")) or None,
        "draws_sha256": str(attrs.get(CHECKSUM_ATTR, "")) or None,
        "priors_changed": changed_priors(attrs),
        "convergence": figures,
        "converged": None if figures is None else gates_met(figures),
        "prior_data_conflict": str(attrs.get("prior_data_conflict", "")) or None,
        "prior_data_gap": str(attrs.get("prior_data_gap", "")) or None,
    }


def other_product_sentence(design, real: bool) -> str:
    """A sentence when the design's treatment is not CL2020's while the effect comes from the
    bundled CL2020 phase 2 (a protocol writer's review: it read as the product's own)."""
    from designs.spec.estimand import Estimand

    if real or design.estimand.treatment == Estimand().treatment:
        return ""
    return (
        " That phase 2 trial tested CL2020, not the treatment compared here: assurance "
        "assumes its effect carries over."
    )
