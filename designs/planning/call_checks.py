"""Checks of a library call's arguments (``designs.power``, ``designs.find_sample_size``):
a wrong type is one :class:`~designs.errors.InputError` naming the argument, as the command
line's options are (a pipeline author's review: ``power(design, 100.0, 1)`` raised a bare
TypeError, ``power(design, 100, 1, "lmm_slope")`` "analyses: m is given twice",
``find_sample_size(design, 0.8)`` "not iterable" and ``power("default", ...)`` an
AttributeError)."""

from __future__ import annotations

import numbers

from designs.errors import InputError


def check_design(design) -> None:
    """``design`` must be a :class:`~designs.spec.TrialDesign`."""
    from designs.spec import TrialDesign

    if not isinstance(design, TrialDesign):
        raise InputError(
            f"design: a TrialDesign (designs.load_design('default') or a file's), got "
            f"{type(design).__name__} {design!r:.60}"
        )


def check_trials(trials, name: str = "trials") -> int:
    """``trials`` as an int if it is a whole number >= 1 (an int, not a float or bool)."""
    if isinstance(trials, bool) or not isinstance(trials, numbers.Integral) or trials < 1:
        raise InputError(f"{name} = {trials!r}: must be a whole number >= 1 (an int)")
    return int(trials)


def check_names(analyses, name: str = "analyses") -> None:
    """``analyses``, when given, must be a sequence of names, not one name."""
    if analyses is not None and (isinstance(analyses, str) or not _sequence(analyses)):
        raise InputError(
            f"{name} = {analyses!r}: a sequence of analysis names, e.g. ('lmm_slope',)"
        )


def check_targets(targets) -> None:
    """``targets`` must be a sequence of numbers (target powers), not one number or text."""
    if (
        isinstance(targets, str)
        or not _sequence(targets)
        or not all(isinstance(t, numbers.Real) and not isinstance(t, bool) for t in targets)
    ):
        raise InputError(f"targets = {targets!r}: a sequence of target powers, e.g. (0.8, 0.9)")


def _sequence(value) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True
