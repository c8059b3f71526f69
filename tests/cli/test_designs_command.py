"""`simulate.py designs` lists the design library; `designs show NAME` prints the resolved
design (defaults and --set applied) as TOML that loads back to the same design."""

import tomllib

from designs.spec import TrialDesign, list_designs, load_design


def test_list_names_every_library_design(run, capsys):
    code, out, _ = run(capsys, "designs")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list_designs()


def test_show_prints_the_resolved_design_with_overrides(run, capsys):
    code, out, _ = run(capsys, "designs", "show", "lead_in", "--set", "trial.n_per_arm=40")
    assert code == 0
    shown = TrialDesign.from_dict(tomllib.loads(out))
    assert shown == load_design("lead_in").with_overrides({"trial.n_per_arm": 40})


def test_show_without_a_name_is_bad_input(run, capsys):
    code, _, err = run(capsys, "designs", "show")
    assert code == 2 and len(err.strip().splitlines()) == 1
