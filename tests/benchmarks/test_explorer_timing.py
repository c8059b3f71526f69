"""The explorer's timing script runs against a real server and page (nothing here asserts a
time: docs/performance.md keeps the figures)."""

from __future__ import annotations

import pytest

from benchmarks import explorer_timing


@pytest.mark.slow  # about 15 s: a server, Chromium, the first load and 8 changes
def test_the_timing_script_times_the_first_load_and_every_change(repo_root, capsys):
    assert explorer_timing.main(["--runs", "1", "--repo", str(repo_root)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:2] == ["run", "change"]
    rows = [line.split() for line in lines[1:]]
    assert [" ".join(r[1:-3]) for r in rows] == ["first load"] + [
        f"{control} -> {value}" for control, value, _ in explorer_timing.CHANGES
    ]
    for row in rows:
        power, everything, cpu = map(float, row[-3:])
        # the power shows no later than every panel; a cached state costs the server little
        assert 0 < power <= everything and cpu >= 0
