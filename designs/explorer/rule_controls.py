"""Which controls each decision rule reads: under the test the posterior rule's controls
are hidden and set nothing, under the posterior rule the test's looks controls (the command
line refuses each family's fields under the other rule)."""

from __future__ import annotations

from designs.spec.decision import TO_THE_TEST
from designs.spec.interim import unread_defaults

__all__ = ["POSTERIOR_ONLY", "TEST_LOOKS_ONLY", "TO_THE_POSTERIOR", "read_by_rule"]

#: Controls read only under the posterior rule: under the frequentist rule they are hidden
#: and set nothing (the command line refuses ``--set decision.threshold=...`` there).
POSTERIOR_ONLY = ("prior", "prior_weight", "threshold", "futility_predictive")
#: The test's looks fields at their defaults, the only values the posterior rule accepts
#: (under it those controls are hidden, so they must set nothing: :data:`TEST_LOOKS_ONLY`).
TO_THE_POSTERIOR = {
    "interim.spending": "obf",
    **unread_defaults("spending", "obf"),
    "interim.futility": "none",
    **unread_defaults("futility", "none"),
    "interim.information": "observed",
}
#: Controls of the test's looks, hidden (and setting nothing) under the posterior rule, which
#: the command line refuses them under (it stops by its thresholds).
TEST_LOOKS_ONLY = ("spending", "gamma", "futility", "futility_gamma", "futility_cp", "information")


def read_by_rule(rule: str | None, ids: set[str]) -> tuple[set[str], dict]:
    """The controls ``ids`` less those the decision ``rule`` does not read, and the fields
    the other rule's hidden controls go back to (their defaults)."""
    if rule == "frequentist":
        # the posterior rule's fields at looks back to their defaults too (a diff review: a
        # design with the rule's futility could not be switched to the test, its hidden
        # futility box refused)
        return ids - set(POSTERIOR_ONLY), dict(TO_THE_TEST)
    if rule == "posterior":
        return ids - set(TEST_LOOKS_ONLY), dict(TO_THE_POSTERIOR)
    return ids, {}
