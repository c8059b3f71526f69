"""PyMC's sampler messages ("Initializing NUTS", "Sampling: [...]") kept out of the way.

On import PyMC sets its logger to INFO and adds a stderr handler unless the logger already
has one, so a level set beforehand is undone. A stderr handler of level WARNING given first
is kept: PyMC's INFO lines are then dropped and its warnings (divergences, ...) still shown.
Used by the command line (unless ``--verbose``) and the notebooks.
"""

from __future__ import annotations

import logging
import sys


def quiet_pymc() -> None:
    """Hide PyMC's INFO lines, keep its warnings; safe to call more than once."""
    logger = logging.getLogger("pymc")
    if not any(getattr(h, "als_trial_sim", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.als_trial_sim = True
        logger.addHandler(handler)
    for h in logger.handlers:  # PyMC's own handler, if it was imported first
        if not getattr(h, "als_trial_sim", False):
            h.setLevel(logging.WARNING)
