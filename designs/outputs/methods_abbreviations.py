"""The methods text's abbreviations, spelled out once in a paragraph of their own (a
paste-ready review: "MC SE" came four paragraphs before "Monte Carlo", and REML, NEALS and
delta-FS were never written out, which a protocol's reviewer rejects)."""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "abbreviations_text"]

#: Each abbreviation the methods texts may use, and what it stands for.
ABBREVIATIONS = {
    "ALS": "amyotrophic lateral sclerosis",
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
    "MC SE": "Monte Carlo standard error",
    "NEALS": "Northeast ALS Consortium",
    "OLS": "ordinary least squares",
    "PRO-ACT": "Pooled Resource Open-Access ALS Clinical Trials database",
    "REML": "restricted maximum likelihood",
    "SD": "standard deviation",
    "SE": "standard error",
}


def _used(abbreviation: str, text: str) -> bool:
    """Whether ``abbreviation`` stands as a word of ``text`` ("SE" not in "MC SE" alone,
    "ALS" not in "ALSFRS-R")."""
    pattern = rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])"
    if abbreviation == "SE":  # "MC SE" is its own abbreviation
        pattern = r"(?<!MC )(?<![\w-])SE(?![\w-])"
    return re.search(pattern, text) is not None


def abbreviations_text(text: str) -> list[str]:
    """The paragraph spelling out every abbreviation of :data:`ABBREVIATIONS` that ``text``
    uses, in alphabetical order, with a blank line after (nothing when it uses none)."""
    used = sorted((a for a in ABBREVIATIONS if _used(a, text)), key=str.casefold)
    if not used:
        return []
    return ["**Abbreviations.** " + "; ".join(f"{a}, {ABBREVIATIONS[a]}" for a in used) + ".", ""]
