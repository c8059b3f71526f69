"""The methods text's abbreviations, spelled out once in a paragraph of their own (a
paste-ready review: "MC SE" came four paragraphs before "Monte Carlo", and REML, NEALS and
delta-FS were never written out, which a protocol's reviewer rejects)."""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "abbreviations_text"]

#: Each abbreviation the methods texts may use, and what it stands for.
ABBREVIATIONS = {
    "ALS": "amyotrophic lateral sclerosis",
    "ALS FTD": "the journal Amyotrophic Lateral Sclerosis and Frontotemporal Degeneration",
    "ALSFRS": "ALS Functional Rating Scale, the original (10 items, total 0-40 points)",
    "ALSFRS-R": "revised ALS Functional Rating Scale (12 items scored 0-4, total 0-48 points)",
    "ANCOVA": "analysis of covariance",
    "CAFS": "Combined Assessment of Function and Survival",
    "CI": "confidence interval",
    "delta-FS": "(48 - ALSFRS-R at enrolment) / months since symptom onset, points/month",
    "DMC": "data monitoring committee",
    "ESS": "effective sample size",
    "GLS": "generalised least squares",
    "ICH": "International Council for Harmonisation",
    "JaCALS": "Japanese Consortium for Amyotrophic Lateral Sclerosis Research",
    "MC SE": "Monte Carlo standard error",
    "NEALS": "Northeast ALS Consortium",
    "OLS": "ordinary least squares",
    "PRO-ACT": "Pooled Resource Open-Access ALS Clinical Trials database",
    "REML": "restricted maximum likelihood",
    "SD": "standard deviation",
    "SE": "standard error",
}


def _pattern(abbreviation: str) -> str:
    """``abbreviation`` as a word of its own: not inside another word ("ALS" in
    "ALSFRS-R", "SD" in "SDs")."""
    return rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])"


def abbreviations_text(text: str) -> list[str]:
    """The paragraph spelling out every abbreviation of :data:`ABBREVIATIONS` that ``text``
    uses, in alphabetical order, with a blank line after (nothing when it uses none)."""
    used = []
    # the longer first, each then taken out of the text: "SE" in "MC SE" and "ALS" in "ALS
    # FTD" are parts of those, not abbreviations used on their own
    for abbreviation in sorted(ABBREVIATIONS, key=len, reverse=True):
        text, found = re.subn(_pattern(abbreviation), " ", text)
        if found:
            used.append(abbreviation)
    used.sort(key=str.casefold)
    if not used:
        return []
    return ["**Abbreviations.** " + "; ".join(f"{a}, {ABBREVIATIONS[a]}" for a in used) + ".", ""]
