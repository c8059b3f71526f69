"""The ``simulate.py`` commands that reproduce what the page shows.

The design on the page is the chosen library design (or an uploaded TOML file) with some
fields changed; the commands name the same design and give every changed field as
``--set section.key=VALUE`` (a TOML value that reads back to the same number), so the
command line builds the identical design (checked here: :func:`set_options` refuses to
return options that would not). Nothing of the command line is imported: the explorer sits
beside it, and the tests run these commands and compare their output with the page's.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any

from designs.spec.interim import NO_LOOKS

#: Overrides that replace another field of the same section (``with_overrides``): the one
#: that is set wins, so only it is given.
_EXCLUSIVE = {
    ("trial", "n_per_arm"): ("trial", "n_total"),
    ("trial", "n_total"): ("trial", "n_per_arm"),
    ("dropout", "monthly_hazard"): ("dropout", "cumulative"),
    ("dropout", "cumulative"): ("dropout", "monthly_hazard"),
}


def toml_value(value: Any) -> str:
    """``value`` as one TOML value on one line (numbers keep every digit: ``repr``)."""
    return json.dumps(value, allow_nan=False)


def _changed_fields(base, design) -> dict[str, Any]:
    """Dotted fields of ``design`` that differ from ``base`` (allocation as its two keys); of
    two fields that replace each other, only the one ``design`` uses."""
    old, new = base.to_dict(), design.to_dict()
    # a section the design leaves out that the base has (``[interim]`` once the looks are
    # removed) is compared field by field too: left out, the options kept the base's looks
    # and did not rebuild the design (a ValueError instead of the commands)
    for sec in old:
        if not new.get(sec):
            new[sec] = _section_defaults(design, sec)
    out: dict[str, Any] = {}
    for sec, body in new.items():
        # a section the base's file leaves out (``[interim]`` of a fixed design) holds the
        # defaults: only fields moved away from them are given
        before_sec = old.get(sec) or _section_defaults(base, sec)
        for key, value in body.items():
            before = before_sec.get(key)
            if value == before:
                continue
            if isinstance(value, dict):
                out.update(
                    {f"{sec}.{key}.{k}": v for k, v in value.items() if (before or {}).get(k) != v}
                )
            else:
                out[f"{sec}.{key}"] = value
    for (sec, key), (_, other) in _EXCLUSIVE.items():
        both = f"{sec}.{key}" in out and f"{sec}.{other}" in out
        if both and not new[sec].get(key):
            del out[f"{sec}.{key}"]
    # a source dropped (its value changed on the page) is dropped again by the rebuild
    # (designs.spec.sources.stale_sources): giving it as "" would only lengthen the command
    out = {k: v for k, v in out.items() if not (k.startswith("sources.") and not v)}
    if "effect.kind" in out:  # a kind needs its value in the same layer (spec.layers), even
        out["effect.value"] = new["effect"]["value"]  # one equal to the base's number
    if not design.interim.sequential:  # without looks the command line reads (and takes)
        # only the fields that give them; the spending and futility fields would be refused
        out = {k: v for k, v in out.items() if not k.startswith("interim.") or k in NO_LOOKS}
    return out


def _section_defaults(base, sec: str) -> dict[str, Any]:
    """The fields of ``base``'s section ``sec`` as ``to_dict`` writes them (TOML types)."""
    import dataclasses
    import enum

    def plain(x):
        if isinstance(x, enum.Enum):
            return x.value
        if isinstance(x, tuple):
            return [plain(v) for v in x]
        return x

    obj = getattr(base, sec, None)
    if obj is None or not dataclasses.is_dataclass(obj):
        return {}
    return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def set_options(base, design) -> list[str]:
    """``--set`` options that turn ``base`` into ``design``.

    Raises
    ------
    ValueError
        If applying them to ``base`` would not give ``design`` exactly (a bug, never bad
        input).
    """
    fields = _changed_fields(base, design)
    # allocation first: the sizes are checked against it
    order = sorted(fields, key=lambda k: (not k.startswith("trial.allocation"), k))
    rebuilt = base.with_overrides({k: fields[k] for k in order}) if fields else base
    if rebuilt.to_dict() != design.to_dict():
        raise ValueError("the --set options do not rebuild the page's design")
    out = []
    for k in order:
        out += ["--set", f"{k}={toml_value(fields[k])}"]
    return out


def _design_option(design_ref: str | None) -> list[str]:
    return [] if design_ref in (None, "default") else ["--design", design_ref]


def power_args(
    design_ref, base, design, *, seed: int, trials: int, analyses: Sequence[str]
) -> list[str]:
    """Arguments of ``simulate.py power`` for the power view (with interim looks, the
    group-sequential power of the design's own analysis: the command line takes one).

    ``--analysis`` names the design's own analysis first, which sets ``trial.analysis`` on
    the command line, so that field is not given as ``--set`` too (a review: with another
    primary analysis chosen the command gave both, and the command line refuses that)."""
    primary = str(design.trial.analysis)
    if design.interim.sequential:
        analyses = [primary]
    analyses = [primary, *(str(a) for a in analyses if str(a) != primary)]
    options = set_options(base, design)
    pairs = [options[i : i + 2] for i in range(0, len(options), 2)]
    return [
        "power",
        *_design_option(design_ref),
        *(x for pair in pairs if not pair[1].startswith("trial.analysis=") for x in pair),
        "--seed",
        str(seed),
        "--trials",
        str(trials),
        "--analysis",
        *analyses,
    ]


def sample_size_args(
    design_ref, base, design, *, seed: int, trials: int, fmt: str | None = None
) -> list[str]:
    """Arguments of ``simulate.py sample-size`` for the sample-size view (targets 80%, 90%,
    the command line's default): one stage, as the page searches (``--refine-trials 0``; the
    command line's default adds a second stage to the fixed search, with interim looks the
    one n max is scaled from)."""
    args = [
        "sample-size",
        *_design_option(design_ref),
        *set_options(base, design),
        "--seed",
        str(seed),
        "--trials",
        str(trials),
    ]
    return args + ["--refine-trials", "0"] + (["--format", fmt] if fmt else [])


def assurance_args(design_ref, base, design, *, seed: int, trials: int) -> list[str]:
    """Arguments of ``simulate.py assurance`` for the page's assurance at the design's size
    (both transports, as the page shows them). The fixed effect's fields are left out unless
    the design reads them (a conditional-power futility rule): assurance draws the effect
    and refuses them (its first line then shows the design's own effect; the numbers are
    the page's)."""
    from designs.spec.fixed_effect import FIXED_EFFECT_FIELDS, reads_fixed_effect

    options = set_options(base, design)
    pairs = [options[i : i + 2] for i in range(0, len(options), 2)]
    if not reads_fixed_effect(design):
        pairs = [p for p in pairs if p[1].split("=", 1)[0] not in FIXED_EFFECT_FIELDS]
    run = ["--seed", str(seed), "--trials", str(trials)]
    return ["assurance", *_design_option(design_ref), *(x for p in pairs for x in p), *run]


def report_args(design_ref, base, design, *, seed: int, trials: int) -> list[str]:
    """Arguments of ``simulate.py report`` for the page's report folder (zip): one stage, as
    the page searches; without assurance, add ``--no-assurance``."""
    run = ["--seed", str(seed), "--trials", str(trials), "--refine-trials", "0", "--out", "report"]
    return ["report", *_design_option(design_ref), *set_options(base, design), *run]


def design_args(design_ref, base, design) -> list[str]:
    """Arguments of ``simulate.py designs show`` (the design's TOML)."""
    return ["designs", "show", design_ref or "default", *set_options(base, design)]


def command_text(args: Sequence[str]) -> str:
    """One shell line, as the command line records its own commands."""
    from designs.program import program_words

    return shlex.join([*program_words(), *args])


def commands_file(
    design_ref, base, design, *, seed: int, trials: int, analyses, uploaded: bool = False
) -> str:
    """The commands that reproduce the view: power, sample size, the design's TOML, assurance
    and the report folder. For an
    uploaded design (``uploaded``) the file the commands name is the one that was uploaded,
    which the page does not hold: a comment says so and how to use the downloaded
    design.toml instead."""
    from designs.program import started_as_script

    # the checkout's folder holds simulate.py; the installed script runs anywhere
    where = "" if started_as_script() else " (run from the project folder)"
    lines = [f"# Reproduce the explorer's view{where}."]
    if uploaded:
        # a file's name may hold a line break, which would end the comment and run the rest
        # as a command (a security review): one line, the rest escaped
        shown = str(design_ref).encode("unicode_escape").decode("ascii")
        lines += [
            f"# {shown} is the design file uploaded to the page: put a copy of it in the",
            "# project folder, or give --design design.toml (the page's 'Design (TOML)'",
            "# download, which already holds the changes) without the --set options.",
        ]
    lines += [
        command_text(
            power_args(design_ref, base, design, seed=seed, trials=trials, analyses=analyses)
        ),
        command_text(sample_size_args(design_ref, base, design, seed=seed, trials=trials)),
        command_text(design_args(design_ref, base, design)),
        # (a non-programmer's review: neither could be reproduced from the commands shown;
        # an explorer review: the comment said so to the page's reader)
        "# the Assurance button; the report download (--no-assurance without the assurance)",
        command_text(assurance_args(design_ref, base, design, seed=seed, trials=trials)),
        command_text(report_args(design_ref, base, design, seed=seed, trials=trials)),
    ]
    return "\n".join(lines) + "\n"
