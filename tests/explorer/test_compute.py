"""The page's computations: the library's own numbers, cached by design and seed, and
cancelled between blocks of trials when a newer change asks for something else."""

from __future__ import annotations

import pytest

from designs.explorer import compute
from designs.explorer.controls import analyses_shown
from designs.planning.power import power
from designs.spec import load_design


@pytest.fixture
def design():
    return load_design().with_overrides({"trial.n_per_arm": 20})


def test_the_power_view_is_the_librarys_power_and_is_cached(design):
    first = compute.power_view(design, 7, 40)
    direct = power(design, 40, 7, analyses_shown(design))
    assert {a: s.power for a, s in first.summaries.items()} == {
        a: s.power for a, s in direct.items()
    }
    # the same design and seed again: the stored result, not a new simulation
    assert compute.power_view(design, 7, 40) is first
    assert compute.power_view(design, 8, 40) is not first


def test_a_cancelled_job_stops_and_stores_nothing(design):
    job = compute.Job()
    job.cancel()
    with pytest.raises(compute.Cancelled):
        compute.power_view(design, 11, 40, job)
    assert not compute.is_cached("power", design, 11, 40)


def test_a_change_of_n_alone_reuses_the_sample_size_search(design):
    """The search does not read n (it searches over it): a new n takes the stored search
    (a cancelled job would stop any simulation) and only writes the tables again, which name
    the design's n."""
    from designs.outputs.tables import sample_size_table

    first = compute.sample_size_view(design, 3, 30)
    other = design.with_overrides({"trial.n_per_arm": 45})
    job = compute.Job()
    job.cancel()
    again = compute.sample_size_view(other, 3, 30, job)
    assert again.result is first.result
    assert again.png == first.png and again.pdf == first.pdf
    for fmt in ("md", "csv", "latex"):
        assert again.tables[fmt] == sample_size_table(first.result, other, fmt)
    # anything else about the design is a new search
    with pytest.raises(compute.Cancelled):
        compute.sample_size_view(design.with_overrides({"trial.alpha": 0.04}), 3, 30, job)


def test_the_figure_is_the_command_lines_figure(design, tmp_path, capsys):
    """The page's PNG and PDF are the bytes of ``sample-size --figure`` for the same design
    and seed."""
    import simulate

    # seed 5: a search no other test has drawn a PDF for
    view = compute.sample_size_view(design, 5, 30)
    # the page shows the PNG; the PDF is drawn when it is downloaded, then kept
    pdf = ("sample_size_pdf", design, 5, 30)
    assert not compute.is_cached(*pdf, key=compute.search_key)
    assert view.pdf is view.pdf and compute.is_cached(*pdf, key=compute.search_key)
    for suffix, shown in (("png", view.png), ("pdf", view.pdf)):
        path = tmp_path / f"curve.{suffix}"
        argv = ["sample-size", "--set", "trial.n_per_arm=20", "--seed", "5", "--trials", "30"]
        argv += ["--refine-trials", "0"]  # the page searches in one stage
        assert simulate.main([*argv, "--figure", str(path)]) == 0, capsys.readouterr().err
        assert path.read_bytes() == shown, suffix


@pytest.mark.slow  # about 20 s: the group-sequential search twice (page, command line)
def test_with_looks_the_sample_size_is_the_command_lines_group_sequential_search(design, cli):
    """With interim looks the page shows what ``sample-size`` gives for them (the maximum n
    of the group-sequential search), and offers no figure (the command line draws none)."""
    looks = design.with_overrides({"interim.looks": [0.5, 1]})
    view = compute.sample_size_view(looks, 3, 20)
    assert view.sequential and view.png is None and set(view.tables) == {"md", "csv"}
    argv = ["sample-size", "--set", "trial.n_per_arm=20", "--set", "interim.looks=[0.5, 1.0]"]
    argv += ["--refine-trials", "0"]  # the page searches in one stage (the fixed n too)
    assert (
        cli(*argv, "--seed", "3", "--trials", "20", "--format", "csv")
        == view.tables["csv"].encode()
    )


@pytest.mark.slow
def test_with_looks_under_the_posterior_rule_the_sample_size_is_the_command_lines(design, cli):
    """Looks with the posterior rule: the page shows ``sample-size``'s search for that rule
    (success at any look, thresholds as given), not a refusal; the table is the command
    line's byte for byte."""
    overrides = {"interim.looks": [0.5, 1], "decision.rule": "posterior", "trial.sides": 1}
    view = compute.sample_size_view(design.with_overrides(overrides), 3, 20)
    assert view.sequential and set(view.tables) == {"md", "csv"}
    assert "posterior rule" in view.tables["md"]
    argv = ["sample-size", "--set", "trial.n_per_arm=20", "--set", "interim.looks=[0.5, 1.0]"]
    argv += ["--decision", "posterior", "--set", "trial.sides=1", "--refine-trials", "0"]
    assert (
        cli(*argv, "--seed", "3", "--trials", "20", "--format", "csv")
        == view.tables["csv"].encode()
    )


def test_the_sample_size_under_a_borrowing_prior_uses_the_phase_2_posterior(
    design, fake_posterior, monkeypatch
):
    """Review finding: the sample-size panel called the search without the rule's prior, so
    an uploaded design with a borrowing robust prior failed there ('borrowing from phase 2
    needs its posterior') while the power panel worked. Both now take the same prior."""
    from designs.planning.decision_rule import decision_prior
    from designs.planning.sample_size import find_sample_size

    posterior = fake_posterior()
    monkeypatch.setattr(compute, "phase2", lambda: posterior)
    borrowing = design.with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    view = compute.sample_size_view(borrowing, 5, 30)
    direct = find_sample_size(
        borrowing, compute.TARGETS, 30, 5, prior=decision_prior(borrowing, posterior)
    )
    assert [r.n for r in view.result.rows] == [r.n for r in direct.rows]
    assert "weight 0.5 on phase 2" in view.tables["md"]
