"""Long stages announce their total, so a progress bar shows a percentage and time left."""

from __future__ import annotations

import pytest

from designs import load_design
from designs.planning.progress import expect
from designs.planning.report_plan import plan_report
from designs.planning.sample_size import find_sample_size


class Counter:
    """A progress callback that records what it was told (like the command line's bar)."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def expect(self, more: int) -> None:
        self.total += more

    def update(self, n: int) -> None:
        self.done += n


def test_expect_reaches_only_callbacks_that_listen():
    seen = []
    expect(seen.append, 5)  # a plain callable: left alone, not called
    assert seen == []
    c = Counter()
    expect(c.update, 7)
    assert c.total == 7


def test_sample_size_announces_exactly_the_trials_it_simulates():
    design = load_design("default")
    c = Counter()
    find_sample_size(design, (0.8,), 200, 3, progress=c.update)
    assert c.total == c.done > 0


def test_a_two_stage_search_announces_exactly_the_trials_it_simulates():
    design = load_design("default")
    c = Counter()
    find_sample_size(design, (0.8, 0.9), 100, 3, progress=c.update, refine_trials=150)
    assert c.total == c.done > 0


@pytest.mark.parametrize("refine_trials", [0, 150])
def test_the_posterior_rules_search_announces_its_type_i_runs_too(refine_trials):
    """Under the posterior rule each n is simulated once more with no effect (its type I
    error): one stage and two stages announce exactly what they simulate."""
    design = load_design("default").with_overrides(
        {"decision.rule": "posterior", "decision.prior": "sceptical"}
    )
    c = Counter()
    find_sample_size(
        design, (0.8,), 100, 3, sizes=[60, 200], progress=c.update, refine_trials=refine_trials
    )
    assert c.total == c.done > 0


@pytest.mark.slow  # three whole reports: about 15-40 s
def test_report_announces_exactly_the_trials_it_simulates(fake_posterior):
    design = load_design("default")
    c = Counter()
    plan_report(design, targets=(0.8,), trials=100, seed=3, progress=c.update)
    assert c.total == c.done > 0
    c = Counter()  # with assurance
    plan_report(
        design, targets=(0.8,), trials=100, seed=3, idata=fake_posterior(), progress=c.update
    )
    assert c.total == c.done > 0
    c = Counter()  # the posterior rule: its operating characteristics run the test beside it
    rule = design.with_overrides({"decision.rule": "posterior", "decision.prior": "vague"})
    plan_report(rule, targets=(0.8,), trials=100, seed=3, progress=c.update)
    assert c.total == c.done > 0


def test_main_job_assurance_announces_exactly_the_trials_it_simulates(fake_posterior):
    from designs.planning.main_job import assurance_at_sizes

    design = load_design("default")
    c = Counter()
    assurance_at_sizes(design, [20, 30], fake_posterior(), seed=3, trials=100, progress=c.update)
    # sizes x (transports + one run at the posterior-median effect, printed for one) x trials
    assert c.total == c.done == 2 * 3 * 100
