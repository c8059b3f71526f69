"""The command line answers --help and --version and refuses bad options with exit status 2."""

import re


def test_help_and_version(run_cli):
    from designs import __version__

    assert run_cli("--help").returncode == 0
    out = run_cli("--version")
    assert out.returncode == 0
    assert __version__ in out.stdout


def test_every_subcommands_help_is_written():
    """`sample-size --help` ended in a traceback: its --target-power help said '80%', which
    argparse reads as a format ('%(' ...). Every subcommand's help is formatted here as
    --help formats it."""
    from designs.cli.main import build_parser

    (commands,) = build_parser()._subparsers._group_actions
    assert {"sample-size", "report", "power", "sweep", "assurance"} <= set(commands.choices)
    for name, parser in commands.choices.items():
        assert f"usage: simulate.py {name}" in parser.format_help(), name


def test_help_lists_no_option_the_command_refuses_and_every_default():
    """A command-line review: `assurance --help` and `calibrate --help` listed --effect ("default:
    the design's"), which both always refuse, `calibrate` --thresholds likewise, and
    `sample-size` and `report` --n-per-arm and --n-total (refused now: they were ignored);
    `report --help` sent --refine-trials users to a --sizes it lacks; `trial --help` gave
    --index no default (0 read as "no default")."""
    from designs.cli.main import build_parser

    (commands,) = build_parser()._subparsers._group_actions
    helps = {name: p.format_help() for name, p in commands.choices.items()}
    hidden = {
        "assurance": ("--effect",),
        "calibrate": ("--effect", "--thresholds"),
        "sample-size": ("--n-per-arm", "--n-total"),
        "report": ("--n-per-arm", "--n-total"),
    }
    for name, flags in hidden.items():
        for flag in flags:
            assert f"{flag} " not in helps[name], (name, flag)
    assert "--effect EFFECT" in helps["power"] and "--n-per-arm" in helps["power"]
    flat = {name: " ".join(text.split()) for name, text in helps.items()}  # unwrapped
    assert "--sizes" not in flat["report"] and "one stage with --sizes" in flat["sample-size"]
    assert "--index INDEX which trial of the seed's run (default: 0)" in flat["trial"]


def test_unknown_option_is_one_line_exit_2(run_cli):
    out = run_cli("--no-such-option")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_trial_csv_records_seed_version_and_command_and_reproduces(tmp_path, run_cli):
    """Rerunning the command recorded in the file gives the same file, byte for byte."""
    import json
    import shlex

    from designs import __version__

    out = tmp_path / "trial.csv"
    assert run_cli("trial", "--seed", "5", "--n-per-arm", "8", "--out", str(out)).returncode == 0
    first = out.read_text()
    side = json.loads((tmp_path / "trial.csv.json").read_text())  # provenance beside the CSV
    assert side["seed"] == 5 and __version__ in side["tool"]
    command = shlex.split(side["command"])
    out.unlink()
    assert run_cli(*command[2:]).returncode == 0
    assert out.read_text() == first


def test_one_trial_has_no_sd_and_is_one_trial(run, capsys):
    """With a single trial the SD of the estimates does not exist: 'n/a', not 'nan'."""
    code, out, _ = run(capsys, "power", "--n-per-arm", "10", "--trials", "1")
    assert code == 0
    assert "SD n/a)" in out and "nan" not in out
    assert "; 1 trial, seed" in out
    code, out, _ = run(capsys, "power", "--n-per-arm", "10", "--trials", "2")
    assert code == 0 and "nan" not in out and "; 2 trials, seed" in out
    assert re.search(r"SD \d\.\d{3}\)", out)


def test_a_near_miss_is_suggested_only_when_close(run, capsys):
    from designs.errors import near_miss

    assert near_miss("n_per_am", ["n_total", "n_per_arm"]) == " (did you mean 'n_per_arm'?)"
    assert near_miss("xyz", ["n_total", "n_per_arm"]) == ""
    # options compared without their dashes: --transport is not --trials (0.53 alike)
    assert near_miss("--transport", ["--trials", "--seed"]) == ""
    assert near_miss("--n-per-am", ["--trials", "--n-per-arm"]) == " (did you mean '--n-per-arm'?)"
    code, _, err = run(capsys, "power", "--xyz")
    # the subcommand is named, and where to look (a contributor's review: `sweep --threads 2`
    # named neither)
    assert code == 2 and err.strip() == (
        "error: simulate.py power: unrecognized arguments: --xyz (see simulate.py power --help)"
    )
    # an option of another subcommand is not suggested (--target-power is sample-size's)
    code, _, err = run(capsys, "power", "--target-powr", "0.8")
    assert code == 2 and "did you mean" not in err


def test_a_target_power_may_be_a_percentage():
    """A newcomer review: --target-power 80% was refused where --effect 25% is taken."""
    from designs.cli.options import number_or_percent

    assert number_or_percent("80%") == 0.8 and number_or_percent(" 90 % ".strip()) == 0.9
    assert number_or_percent("0.85") == 0.85
