"""Where a design's own values come from (``[sources]``), for the methods text.

A protocol has to say where each number the sample size rests on comes from. The library
designs' values are matched with their published sources in
:mod:`designs.outputs.methods_inputs`; any other value is called an assumption there. A
design file that takes a value from a publication the library does not know cites it here,
one line of text per input::

    [population]
    slope_sd = 0.6
    [sources]
    slope_sd = "SD of slopes in our registry's placebo-like cohort (Smith et al. 2025, Table 2)"

A source is for the values it was written for. A later layer (a design file read on top, a
``--set`` override, a change on the explorer's page) that changes one of the input's fields
(:data:`INPUT_FIELDS`) without giving the source again drops it, so a changed value is never
credited with the old value's source (:func:`stale_sources`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from designs.spec.fields import Kind, check_printable, spec_field, validate_fields

__all__ = ["INPUT_FIELDS", "MAX_SOURCE_LENGTH", "Sources", "stale_sources"]

#: Longest source text, in characters (one sentence with its citation).
MAX_SOURCE_LENGTH = 400

#: Each input a source can be given for, and the design fields (``section.key``) whose
#: values it is for; changing any of them drops the source. Accrual's source is for the
#: steady rate and the ramp-up; attrition's for the share of patients gone, which the dropout
#: schedule and the death hazard give together (the library's all-cause schedule has its
#: deaths split off it; a design's own schedule has them on top), deaths' for the hazard.
INPUT_FIELDS: dict[str, tuple[str, ...]] = {
    "baseline": ("population.baseline_mean", "population.baseline_sd"),
    "decline": ("population.slope_mean",),
    "slope_sd": ("population.slope_sd",),
    "residual_sd": ("population.residual_sd",),
    "correlation": ("population.baseline_slope_corr",),
    "effect": ("effect.kind", "effect.value"),
    "delta_fs": ("population.delta_fs_mean", "population.delta_fs_sd"),
    "delta_fs_corr": ("population.delta_fs_slope_corr",),
    "accrual": (
        "trial.accrual_per_month",
        "accrual.ramp_rate_per_month",
        "accrual.ramp_until_month",
    ),
    # the library's schedule is all-cause with the deaths split off it: the death hazard
    # changes the share gone (designs.outputs.methods_dropout.published_attrition)
    "attrition": ("dropout.cumulative", "dropout.monthly_hazard", "dropout.death_monthly_hazard"),
    "deaths": ("dropout.death_monthly_hazard",),
}


def _source_field(what: str) -> Any:
    return spec_field("", kind=Kind.TEXT, doc=f"Where {what} comes from (a citation).")


@dataclass(frozen=True)
class Sources:
    """Where the design's own values come from (``[sources]``): one line of text per input,
    printable, at most :data:`MAX_SOURCE_LENGTH` characters; empty (the default) means none
    given. The methods text prints a given source in place of the library's match or of
    "an assumption" (:mod:`designs.outputs.methods_inputs`; attrition and deaths in the
    dropout paragraph, :mod:`designs.outputs.methods_dropout`)."""

    baseline: str = _source_field("the baseline ALSFRS-R mean and SD (points)")
    decline: str = _source_field("the mean decline (points/month)")
    slope_sd: str = _source_field("the SD of true slopes (points/month)")
    residual_sd: str = _source_field("the residual SD (points)")
    correlation: str = _source_field("the correlation of true baselines and slopes")
    effect: str = _source_field("the fixed treatment effect")
    delta_fs: str = _source_field("the delta-FS mean and SD (points/month)")
    delta_fs_corr: str = _source_field("the correlation of log delta-FS with decline")
    accrual: str = _source_field("the accrual rate and ramp-up (patients/month)")
    attrition: str = _source_field("the dropout schedule and so the share of patients gone")
    deaths: str = _source_field("the death hazard (per month)")

    section: ClassVar[str] = "sources"

    def __post_init__(self) -> None:
        validate_fields(self)
        for f in fields(self):
            check_printable(f"sources.{f.name}", getattr(self, f.name), MAX_SOURCE_LENGTH)

    @property
    def given(self) -> dict[str, str]:
        """The sources given, by input (blank ones left out)."""
        return {f.name: text for f in fields(self) if (text := getattr(self, f.name)).strip()}

    def clause(self, name: str) -> str | None:
        """The source of input ``name`` to stand inside a sentence (None if not given): its
        one final full stop left out, unless it ends an abbreviation ("et al.")."""
        text = self.given.get(name)
        if text is None:
            return None
        text = text.strip()
        words = text.lower().split()
        if text.endswith(".") and not text.endswith("..") and words[-1] not in _ABBREVIATIONS:
            return text[:-1]
        return text


#: Words that end in a full stop of their own (a source's last word is kept whole).
_ABBREVIATIONS = frozenset(
    {"al.", "etc.", "e.g.", "i.e.", "comm.", "ed.", "eds.", "vol.", "no.", "p.", "pp.", "suppl."}
)


def _plain(value: Any) -> Any:
    """A tuple as a list (an enum is a StrEnum, equal to its TOML word already)."""
    return list(value) if isinstance(value, tuple) else value


def stale_sources(
    below: Mapping[str, Mapping],
    merged: Mapping[str, Mapping],
    layer: Mapping[str, Mapping],
    default: Callable[[str, str], Any],
) -> list[str]:
    """The inputs whose source, given beneath, is stale once ``layer`` is read on top: one
    of the input's fields (:data:`INPUT_FIELDS`) has another value in ``merged`` than in
    ``below`` (whether the layer named it or it was reset with a field the layer named, as
    ``dropout.cumulative`` is with ``dropout.monthly_hazard``), and the layer gives no source
    for it.

    Parameters
    ----------
    below, merged, layer : Mapping
        The sections beneath, the sections after the merge and the layer read on top.
    default : callable
        ``default(section, key)``: the value of a field a mapping leaves out (``to_dict``
        leaves out ``[accrual]`` without a ramp).
    """

    def value(sections: Mapping[str, Mapping], field: str) -> Any:
        sec, key = field.split(".")
        body = sections.get(sec, {})
        return _plain(body[key] if key in body else default(sec, key))

    given = layer.get("sources", {})
    had = below.get("sources", {})
    return [
        name
        for name, dotted in INPUT_FIELDS.items()
        if had.get(name) and name not in given
        if any(value(merged, f) != value(below, f) for f in dotted)
    ]
