"""Speed benchmarks: the Numba engine against a plain NumPy implementation of the same design."""
