"""How much the phase 2 posterior depends on which reconstruction of the five patients is used.

The bundled records are one cohort drawn by :mod:`progression.data.reconstruct_phase2` from a
generative model conditioned on the published summaries (Yamashita et al. 2023, Cell
Transplant 32:9636897231214370; see ``progression/data/PROVENANCE.md``). Any other seed of
that script gives another cohort that agrees with every published fact just as well, and a
different posterior. :func:`reconstruction_spread` refits the model on ``k`` such cohorts,
drawn with fixed seeds (:func:`reconstruction_seeds`), so that the spread of ``P(delta > 0)``
and of the posterior mean of ``delta`` comes from real refits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from progression.data.reconstruct_phase2 import SEED as BUNDLED_SEED
from progression.data.reconstruct_phase2 import draw_cohort
from progression.errors import InputError
from progression.records import Phase2Data, from_frame, per_patient_slopes

MAX_RECONSTRUCTIONS = 40  # each is a full refit (20-45 s with the default sampler settings)


def reconstruction_seeds(k: int) -> list[int]:
    """Seeds of ``k`` alternative reconstructions: the bundled seed + 1, ..., + k.

    The bundled file is the cohort of :data:`BUNDLED_SEED`, so these are all different from it.
    """
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_RECONSTRUCTIONS:
        raise InputError(
            f"--reconstructions {k!r}: must be a whole number in 1-{MAX_RECONSTRUCTIONS} "
            "(each is a full refit)"
        )
    return [BUNDLED_SEED + i for i in range(1, k + 1)]


def reconstructed_cohort(seed: int) -> Phase2Data:
    """The cohort :mod:`progression.data.reconstruct_phase2` draws with ``seed``, validated.

    Marked illustrative; the source names the seed.
    """
    frame = draw_cohort(int(seed))
    return from_frame(frame, source=f"reconstruction seed {seed}", illustrative=True)


def reconstruction_spread(
    k: int,
    *,
    priors=None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    keep: Callable[[int, object], None] | None = None,
    sampler: str | None = None,
) -> pd.DataFrame:
    """Refit the model on ``k`` alternative reconstructions and summarise each posterior.

    Parameters
    ----------
    k : int
        Number of alternative cohorts, 1-:data:`MAX_RECONSTRUCTIONS`.
    priors : progression.priors.Priors, optional
        Default priors when None.
    draws, tune, chains, seed : int
        Sampler settings of every refit (the same fit seed for each cohort).
    cache_dir : path, optional
        When given, fits go through :func:`progression.model.cached_fit` (a rerun reuses
        them); otherwise :func:`progression.model.fit`.
    progress : callable, optional
        Called with 1 after each refit.
    keep : callable, optional
        Called with (reconstruction seed, posterior) after each refit (e.g. for assurance).
    sampler : {"nutpie", "pymc"}, optional
        NUTS implementation of every refit (default: the fit's default; a review: ``fit
        --sampler pymc --reconstructions K`` refitted with nutpie).

    Returns
    -------
    pandas.DataFrame
        Index ``reconstruction_seed``; columns ``fit_seed``, ``p_delta_positive``,
        ``delta_mean``, ``delta_sd`` (points/month), ``pre_slope_mean`` (posterior mean,
        points/month), ``raw_change_mean`` (mean per-patient least-squares change of slope,
        points/month), ``max_rhat``, ``divergences``, ``data_sha256``.
    """
    from progression import samplers
    from progression.diagnostics import fit_summary
    from progression.model import cached_fit, fit

    sampler = samplers.DEFAULT_SAMPLER if sampler is None else sampler
    rows = []
    for rec_seed in reconstruction_seeds(k):
        data = reconstructed_cohort(rec_seed)
        settings = dict(priors=priors, draws=draws, tune=tune, chains=chains, seed=seed)
        if cache_dir is None:
            idata = fit(data, progressbar=False, nuts_sampler=sampler, **settings)
        else:
            idata = cached_fit(data, cache_dir, sampler=sampler, **settings)
        s = fit_summary(idata)
        rows.append(
            {
                "reconstruction_seed": rec_seed,
                "fit_seed": seed,
                "p_delta_positive": s["p_delta_positive"],
                "delta_mean": s["delta_mean"],
                "delta_sd": s["delta_sd"],
                "pre_slope_mean": s["pre_slope_mean"],
                "raw_change_mean": float(per_patient_slopes(data)["change"].mean()),
                "max_rhat": s["max_rhat"],
                "divergences": s["divergences"],
                "data_sha256": data.sha256,
            }
        )
        if keep is not None:
            keep(rec_seed, idata)
        if progress is not None:
            progress(1)
    return pd.DataFrame(rows).set_index("reconstruction_seed")


def spread_summary(table: pd.DataFrame) -> dict:
    """Range (min, max) of ``p_delta_positive`` and ``delta_mean`` over a spread table."""
    return {
        "reconstructions": len(table),
        "p_delta_positive_range": [
            float(table["p_delta_positive"].min()),
            float(table["p_delta_positive"].max()),
        ],
        "delta_mean_range": [float(table["delta_mean"].min()), float(table["delta_mean"].max())],
    }


def format_spread(table: pd.DataFrame, bundled: dict | None = None) -> str:
    """The lines ``fit --reconstructions`` prints: one per cohort, then the ranges.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`reconstruction_spread` (may carry an ``assurance`` column).
    bundled : dict, optional
        :func:`progression.diagnostics.fit_summary` of the bundled fit, shown for reference.
    """
    has_a = "assurance" in table.columns
    head = "seed      P(delta>0)  delta mean  delta SD  raw change  R-hat  div"
    lines = [
        f"Refits on {len(table)} alternative reconstructions (each agrees with every published "
        "fact; points/month):",
        head + ("  assurance" if has_a else ""),
    ]
    for rec_seed, r in table.iterrows():
        line = (
            f"{rec_seed:<9d} {r['p_delta_positive']:10.3f}  {r['delta_mean']:+10.3f}  "
            f"{r['delta_sd']:8.3f}  {r['raw_change_mean']:+10.3f}  {r['max_rhat']:5.3f}  "
            f"{int(r['divergences']):3d}"
        )
        lines.append(line + (f"  {r['assurance']:9.3f}" if has_a else ""))
    s = spread_summary(table)
    (p_lo, p_hi), (d_lo, d_hi) = s["p_delta_positive_range"], s["delta_mean_range"]
    text = (
        f"Across the {len(table)} reconstructions: P(delta > 0) {p_lo:.2f}-{p_hi:.2f}, "
        f"posterior mean of delta {d_lo:+.3f} to {d_hi:+.3f} points/month"
    )
    if has_a:
        text += f", assurance {table['assurance'].min():.2f}-{table['assurance'].max():.2f}"
    if bundled is not None:
        text += (
            f" (bundled reconstruction, seed {BUNDLED_SEED}: P {bundled['p_delta_positive']:.2f}, "
            f"mean {bundled['delta_mean']:+.3f}"
            + (f", assurance {bundled['assurance']:.2f}" if "assurance" in bundled else "")
            + ")"
        )
    lines += [
        text + ".",
        "So P(delta > 0) is known only to about this range from the published summaries: the "
        "data are compatible with benefit, at a probability that depends on the reconstruction "
        "and the priors, in an uncontrolled before/after comparison.",
    ]
    return "\n".join(lines)
