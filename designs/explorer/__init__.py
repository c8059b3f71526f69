"""The design explorer: a local web page (Shiny for Python) over the planning library.

The page computes nothing the library cannot: its controls become a validated
:class:`designs.spec.TrialDesign` (:mod:`designs.explorer.controls`), the numbers come from
:mod:`designs.planning` (:mod:`designs.explorer.compute`, cached by design and seed), and
the tables, figures and files from :mod:`designs.outputs` (:mod:`designs.explorer.downloads`),
so a download is byte for byte what the command line writes. ``simulate.py explore`` starts
it (:mod:`designs.explorer.app`).
"""
