"""The trial design: frozen, validated sections, TOML in and out, the library of designs.

Modules, one job each:

- :mod:`designs.spec.fields`: the field declaration (:func:`~designs.spec.fields.spec_field`:
  kind, bounds, unit, description) and the one loop that validates every declared field;
- :mod:`designs.spec.trial`: ``[trial]`` (:class:`TrialSection`, :class:`Allocation`,
  :class:`Analysis`);
- :mod:`designs.spec.patients`: ``[population]`` and ``[enrichment]`` (who is randomised);
- :mod:`designs.spec.follow_up`: ``[effect]`` and ``[dropout]`` (after randomisation);
- :mod:`designs.spec.sources`: ``[sources]`` (where the design's own values come from);
- :mod:`designs.spec.design`: :class:`TrialDesign` (rules across sections, dicts, overrides,
  TOML out);
- :mod:`designs.spec.library`: TOML files, ``default.toml`` and the library of designs.
"""

from designs.spec.design import TrialDesign
from designs.spec.follow_up import Dropout, Effect, EffectKind, EffectSource, Transport
from designs.spec.library import LIBRARY_DIR, list_designs, load_design
from designs.spec.patients import Enrichment, Population
from designs.spec.trial import Allocation, Analysis, TrialSection

__all__ = [
    "LIBRARY_DIR",
    "Allocation",
    "Analysis",
    "Dropout",
    "Effect",
    "EffectKind",
    "EffectSource",
    "Enrichment",
    "Population",
    "Transport",
    "TrialDesign",
    "TrialSection",
    "list_designs",
    "load_design",
]
