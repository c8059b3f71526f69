"""The software a report names: the git commit of the checkout (a regulatory review: the
release number 0.1.0 covers every commit, and the source hash cannot find one), with local
changes said; nothing for a copy outside a git checkout."""

from __future__ import annotations

import subprocess

from designs.outputs.software import TOP, git_commit, software_text


def _git(where, *args) -> str:
    out = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_commit_and_local_changes(tmp_path):
    assert git_commit(tmp_path) is None  # not a checkout
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    _git(tmp_path, "add", "a.py")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    head = _git(tmp_path, "rev-parse", "--short=12", "HEAD")
    assert git_commit(tmp_path) == head
    (tmp_path / "a.py").write_text("x = 2\n")  # a tracked file changed
    assert git_commit(tmp_path) == f"{head} with local changes"
    (tmp_path / "b.txt").write_text("results\n")  # an untracked file is not a change of code
    _git(tmp_path, "checkout", "-q", "a.py")
    assert git_commit(tmp_path) == head


def test_the_methods_software_line_names_it_when_run_from_a_checkout():
    commit = git_commit()
    text = software_text()
    assert text.startswith("als-trial-sim ") and ", Python " in text
    if (TOP / ".git").exists():  # the tests run from a clone
        assert commit is not None and f", git commit {commit}, Python " in text
    else:
        assert "git commit" not in text


def test_i_max_says_it_allows_for_rounding():
    """An R review: I_max = 514.2 at 187 per arm did not follow from the closed form's
    variance in the same methods text (0.1811, without the 1/12 points^2 of rounding)."""
    from types import SimpleNamespace

    from designs.outputs.look_notes import ROUNDING_IN_I_MAX, monitoring_text

    s = SimpleNamespace(information_max=514.2)
    assert ROUNDING_IN_I_MAX in monitoring_text(s, integer_scores=True)
    assert "1/12" not in monitoring_text(s)  # continuous scores: nothing to allow for
    planned = SimpleNamespace(information_max=514.2, information="planned")
    assert ROUNDING_IN_I_MAX in monitoring_text(planned, integer_scores=True)


def test_the_report_readme_says_what_the_same_command_repeats():
    """A regulatory review: "the same command makes the same files" holds on one machine; on
    another the phase 2 fit is another MCMC sample (the README's section says so)."""
    from designs.outputs.report_index import SAME_FILES

    assert SAME_FILES.startswith("on this machine the same command makes the same files; ")
    assert "another MCMC sample" in SAME_FILES
    section = 'What "the same seed gives the same numbers" promises'
    assert section in SAME_FILES and f"## {section}" in (TOP / "README.md").read_text()


def test_joint_rank_says_it_has_no_continuity_correction():
    """An R review: R's wilcox.test corrects by default (p 0.420 against the tool's 0.416)."""
    from designs.analyses.registry import get

    assert "no continuity correction" in get("joint_rank").methods


def test_the_source_stamp_covers_the_design_library(tmp_path):
    """An auditor's review: an edited designs/library/default.toml gave other numbers under
    the same "source" stamp. The stamp's hash takes the TOML files with the Python ones; the
    kernels' own key (Python only) does not move with a design."""
    from designs.simulation.numba_cache import _PACKAGE, _folders_hash

    package = tmp_path / "designs"
    (package / "library").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    toml = package / "library" / "default.toml"
    toml.write_text("[population]\nslope_sd = 0.35\n")
    both, python = _folders_hash([package], (".py", ".toml")), _folders_hash([package])
    toml.write_text("[population]\nslope_sd = 0.30\n")
    assert _folders_hash([package], (".py", ".toml")) != both
    assert _folders_hash([package]) == python
    assert list((_PACKAGE / "library").glob("*.toml"))  # the library the stamp now covers
