"""The posterior rule's options typed while the rule is frequentist, and a prior's options
typed for another prior: refused, not ignored.

``--prior``, ``--prior-weight``, ``--threshold`` and ``--set decision.<field>`` for the fields
only the posterior rule reads (``prior``, ``prior_weight``, ``threshold``, ``margin``,
``vague_sd``, ``sceptical_sd``, ``robust_sd``) change nothing when the design's rule (after
``--decision``) is frequentist. They are refused when the user typed them with a value other
than the field's default. A design file's own fields are not: a design switched from the
posterior rule to the frequentist one (``--decision frequentist``, the explorer) keeps its
prior for when it is switched back, and its files are read as they were written. Under the
posterior rule (and in ``calibrate``, which judges by it) ``prior_weight`` and ``robust_sd``
typed with a prior other than robust, and ``sceptical_sd`` with another than sceptical, are
refused the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from designs.errors import InputError

__all__ = ["POSTERIOR_FIELDS", "PRIOR_FIELDS", "check_posterior_options"]

#: The ``[decision]`` fields read only under the posterior rule, and the option setting each.
POSTERIOR_FIELDS = {
    "prior": "--prior",
    "prior_weight": "--prior-weight",
    "threshold": "--threshold",
    "margin": None,
    "vague_sd": None,
    "sceptical_sd": None,
    "robust_sd": None,
}


#: Fields of ``[decision]`` that one prior alone reads (``vague_sd`` is read by the vague prior
#: and by the robust prior at weight 0).
PRIOR_FIELDS = {"prior_weight": "robust", "robust_sd": "robust", "sceptical_sd": "sceptical"}


def _check_prior_fields(args, design, given: Mapping[str, Any], read: Collection[str]) -> None:
    """Under the posterior rule, refuse a prior's field typed for another prior (e.g.
    ``--prior-weight 0.5`` with the vague prior): it would be ignored."""
    from designs.spec.decision import Decision

    prior = design.decision.prior.value
    defaults = {f.name: f.default for f in dataclasses.fields(Decision)}
    for name, reader in PRIOR_FIELDS.items():
        typed = _typed(args, name, POSTERIOR_FIELDS[name], given)
        if typed is None or name in read or prior == reader:
            continue
        if getattr(design.decision, name) == defaults[name]:  # as under the frequentist rule
            continue
        raise InputError(
            f"{typed}: decision.{name} is read only with decision.prior = '{reader}' (the "
            f"prior is '{prior}'): it would be ignored; add --prior {reader}"
        )


def _typed(args, name: str, flag: str | None, given: Mapping[str, Any]) -> str | None:
    """How the user gave ``decision.<name>``: ``--set decision.x=...`` (applied last) or the
    option with its value; None when neither was typed."""
    if f"decision.{name}" in given:
        return f"--set decision.{name}={given[f'decision.{name}']}"
    value = getattr(args, name, None) if flag else None
    if value is None or isinstance(value, list):  # a sweep's --prior-weight grid: its own check
        return None
    return f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}"


def check_posterior_options(
    args, design, given: Mapping[str, Any], read: Collection[str] = ()
) -> None:
    """Refuse a posterior-rule field the user typed while ``design``'s rule is frequentist,
    and a prior's field typed for another prior (:data:`PRIOR_FIELDS`).

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``prior``, ``prior_weight``, ``threshold``).
    design : designs.spec.TrialDesign
        The design with every option and ``--set`` applied.
    given : Mapping
        The ``--set`` items, ``{"decision.margin": 0.1, ...}``.
    read : collection of str
        Fields the command reads even under the frequentist rule (``calibrate`` switches to
        the posterior rule; ``report`` judges its prior-weight section by the posterior rule).
    """
    from designs.spec.decision import Decision

    judged_by_rule = set(POSTERIOR_FIELDS) <= set(read)  # calibrate: the rule with this prior
    if design.decision.is_posterior or judged_by_rule:
        _check_prior_fields(args, design, given, () if judged_by_rule else read)
        if design.decision.is_posterior:
            return
    defaults = {f.name: f.default for f in dataclasses.fields(Decision)}
    for name, flag in POSTERIOR_FIELDS.items():
        typed = _typed(args, name, flag, given)
        if typed is None or name in read or getattr(design.decision, name) == defaults[name]:
            continue
        raise InputError(
            f"{typed}: decision.{name} is read only with decision.rule = 'posterior' (the rule "
            "is 'frequentist'): it would be ignored; add --decision posterior"
        )
