"""The simulation of double-blind trials: generator, Numba kernels, engine, Numba cache.

A design becomes flat kernel inputs (:mod:`~designs.simulation.engine`), the kernels simulate
each patient's ALSFRS-R scores, dropout and death and call the analysis kernels of
:mod:`designs.analyses` on every simulated trial.
"""
