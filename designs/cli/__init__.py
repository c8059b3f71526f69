"""The command line (``simulate.py``, ``als-trial-sim``): the top layer, above outputs."""
