"""Assurance on each alternative reconstruction of the phase 2 data (``fit --reconstructions``).

:func:`progression.reconstructions.reconstruction_spread` refits the phase 2 model on
alternative cohorts; this module adds, for each refit, the assurance of one design with
proportional transport. Every cohort uses the same simulation seed (common random numbers),
so differences between cohorts come from their posteriors, not from simulation noise.
"""

from __future__ import annotations

from designs.planning.assurance import assurance_from_draws
from designs.planning.posterior import posterior_draws

RECONSTRUCTION_ASSURANCE_TRIALS = 2000  # per cohort; MC SE <= 0.011


class AssuranceByCohort:
    """A ``keep`` callback for :func:`progression.reconstructions.reconstruction_spread`.

    Parameters
    ----------
    design : designs.spec.TrialDesign
        The design whose assurance is computed (its own size; its fixed effect is not used).
    trials, seed : int
        Simulated trials per cohort and their seed (the same for every cohort).
    """

    def __init__(self, design, trials: int = RECONSTRUCTION_ASSURANCE_TRIALS, seed: int = 0):
        self.design, self.trials, self.seed = design, int(trials), int(seed)
        self.results = {}

    def __call__(self, rec_seed: int, idata) -> None:
        draws = posterior_draws(idata, "proportional")
        self.results[rec_seed] = assurance_from_draws(
            self.design, draws, self.trials, self.seed, None, "proportional"
        )

    def column(self, seeds) -> list[float]:
        """Assurance of each cohort, in the order of ``seeds``."""
        return [self.results[s].assurance for s in seeds]
