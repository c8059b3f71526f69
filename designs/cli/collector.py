"""Python's cyclic garbage collector during a command's start (start-up time, issue 19).

Starting a command imports NumPy, Numba, SciPy and our modules, then Numba fills its typing
tables on loading the first cached kernel: some 150,000 objects that live as long as the
process, and hardly any garbage. With the collector's default settings the young
generations are collected every 700 allocations and the whole heap is scanned once or twice
as it grows: 0.2-0.26 s of CPU time of a ``power --trials 100 --n-per-arm 20`` (about 1 s in
all) and of a warm main job (measured with ``gc.callbacks``; docs/performance.md, "command
start").

A program (``python simulate.py``, or the ``als-trial-sim`` script, which imports
:mod:`simulate`) therefore switches the collector off while it imports the command line,
then calls :func:`settle`: what was imported is frozen out of the collector's scans
(``gc.freeze``) and the youngest generation is collected every :data:`YOUNG_THRESHOLD`
allocations instead of 700; the collector stays on, so a long run (a fit, a sweep, the
explorer) frees its garbage cycles as before. Nothing computed depends on when garbage is
collected: the same seed gives the same numbers. A test or a script that imports
:mod:`simulate` keeps its own collector settings.
"""

from __future__ import annotations

import gc

#: Allocations (less deallocations) between collections of the youngest generation (CPython's
#: default is 700); the older generations keep CPython's factors (10 and 10).
YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Freeze the objects allocated so far out of the collector's scans, collect the youngest
    generation every :data:`YOUNG_THRESHOLD` allocations, and switch the collector on."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    gc.enable()
