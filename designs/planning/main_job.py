"""The main job: the sample size of the default design, and the assurance at those sizes.

The command line runs :func:`designs.planning.sample_size.find_sample_size` with
:data:`MAIN_TARGETS` and :data:`MAIN_TRIALS`, prints the table, then
:func:`assurance_at_sizes`; :func:`designs.outputs.console.main_job_assurance_text` renders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from designs.planning.assurance import (
    TRANSPORTS,
    AssuranceResult,
    assurance_from_draws,
)
from designs.planning.posterior import posterior_draws
from designs.planning.progress import expect
from designs.planning.sample_size import design_at
from designs.simulation.seeds import DEFAULT_SEED

#: Trials per size in the first stage of the sample-size search. At 2,000 in one stage the
#: estimate of n for 80% power on the default design has a Monte Carlo SD of about 3.6
#: patients per arm (4.9 for 90%; 20 seeds, unbiased against n = 183.6 and 245.4 from 40,000
#: trials per size near the targets), and the default seed drew 178 and 233, low by 1.6 and
#: 2.5 SD, which the fresh-trial check flagged (0.767 and 0.871).
MAIN_TRIALS = 2000
#: Trials of the second stage at the size near each n (:mod:`designs.planning.refine`), and
#: of the power at n on the same and on fresh trials. With 2,000 + 8,000 the SD of n is 1.5
#: and 2.3 patients per arm (50 seeds), against 1.7 and 2.45 for one stage of 8,000 trials per
#: size, which simulated 1.45 times as many patients (the figures in that module).
MAIN_REFINE_TRIALS = 8000
#: When a row's check on fresh trials misses its target (:func:`designs.outputs.console.
#: fresh_check_missed`), the main job searches that target again with this many times
#: the trials of both stages (half the Monte Carlo SE), as the warning advises: at the
#: default seed the 90% row reads 241 per arm (fresh power 0.891, MC SE 0.003) where about
#: 246 are needed (100,000 trials at 241: 0.896; an independent review), and 247 after.
MAIN_REFINE_FACTOR = 4
MAIN_ASSURANCE_TRIALS = 4000  # per size and transport
MAIN_TARGETS = (0.8, 0.9)
#: The transport whose power at the posterior-median effect the main job prints (the other
#: transport's is not simulated).
MEDIAN_TRANSPORT = "proportional"


def assurance_at_sizes(
    design,
    sizes: Sequence[int],
    idata,
    *,
    seed: int = DEFAULT_SEED,
    trials: int = MAIN_ASSURANCE_TRIALS,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, AssuranceResult]]:
    """Assurance of ``design`` at each size (the design's size field), by transport; the power
    at the posterior-median effect only for :data:`MEDIAN_TRANSPORT` (the one printed).

    Parameters
    ----------
    design : designs.spec.TrialDesign
    sizes : sequence of int
        Patients per arm (1:1) or in total (unequal allocation), as the sample-size rows.
    idata : progression.posterior_view.PosteriorView or xarray.DataTree
        Phase 2 posterior (:func:`designs.planning.posterior.load_or_fit_posterior`).
    seed, trials : int
        Seed and simulated trials per size and transport.
    """
    draws = {t: posterior_draws(idata, t) for t in TRANSPORTS}
    expect(progress, len(sizes) * (len(TRANSPORTS) + 1) * trials)  # one median run per size
    return [
        {
            t: assurance_from_draws(
                design_at(design, n),
                draws[t],
                trials,
                seed,
                None,
                t,
                progress=progress,
                at_median=t == MEDIAN_TRANSPORT,
            )
            for t in TRANSPORTS
        }
        for n in sizes
    ]
