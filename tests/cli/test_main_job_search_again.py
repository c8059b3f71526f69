"""The main job searches a target again when its check on fresh trials misses (review
finding: the default seed's 90% row read 241 per arm where about 246-247 are needed, and the
job printed only a warning)."""

from __future__ import annotations

import designs.cli.main as cli_main
import designs.outputs.fresh_check as fresh_check
import designs.planning.main_job as job
import designs.simulation.precompile as precompile


def test_a_missed_fresh_check_searches_that_target_again(monkeypatch, capsys, fake_posterior):
    # small trial counts (the flow is what is tested), a fake phase 2 posterior, no compiling
    monkeypatch.setattr(job, "MAIN_TRIALS", 200)
    monkeypatch.setattr(job, "MAIN_REFINE_TRIALS", 400)
    monkeypatch.setattr(job, "MAIN_ASSURANCE_TRIALS", 100)
    monkeypatch.setattr(precompile, "start", lambda: [])
    monkeypatch.setattr(cli_main, "phase2_posterior", lambda path: fake_posterior())
    checked = []

    def first_90_misses(row):  # the first search's 90% row misses its check, nothing else
        checked.append((row.target_power, row.trials))
        return row.target_power == 0.9 and row.trials == 400

    monkeypatch.setattr(fresh_check, "fresh_check_missed", first_90_misses)
    assert cli_main.main([]) == 0
    out = capsys.readouterr().out
    assert "Searching again for 90% power with 4 times the trials (800 per size, then 1600" in out
    tables = out.split("Fixed effect, searched again: these rows replace the ones above")
    assert len(tables) == 2
    second = tables[1].split("Assurance at those sizes")[0]
    again = [line for line in second.splitlines() if line.startswith("| 90% |")]
    assert len(again) == 1 and "| 80% |" not in second
    n_again = int(again[0].split("|")[2])
    # the assurance table uses the new n for 90% (and the first search's for 80%)
    assurance = out.split("Assurance at those sizes")[1]
    row_90 = next(line for line in assurance.splitlines() if line.startswith("| 90% |"))
    assert int(row_90.split("|")[2]) == n_again
    # the second search was checked on its own, with 4 times the refine trials
    assert (0.9, 1600) in checked
    # its notes are not the first table's paragraph again (a newcomer review), only the
    # trials and seed that differ
    assert out.count("Notes: n is the number randomised") == 1
    assert "Notes: as above; 800 simulated trials per size, then 1600 more" in second
