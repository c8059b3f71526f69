"""``simulate.py fit --prior NAME=VALUE``: the model's priors from the command line (the
prior-data conflict note asked users to refit with other priors, which only Python could)."""

from __future__ import annotations

import copy
import json

import pytest

from designs.cli.main import main
from progression import diagnostics, model
from progression.errors import InputError
from progression.priors import DEFAULT_PRIORS, PRIOR_RANGES, changed_priors, priors_from_assignments


def test_assignments_change_only_the_named_priors():
    p = priors_from_assignments(["pre_slope_mean=-1.0", " pre_slope_mean_sd = 0.3"])
    assert p.pre_slope_mean == -1.0 and p.pre_slope_mean_sd == 0.3
    assert changed_priors(p) == {"pre_slope_mean": -1.0, "pre_slope_mean_sd": 0.3}
    assert priors_from_assignments([]) == DEFAULT_PRIORS
    assert changed_priors(DEFAULT_PRIORS) == {}


def test_every_prior_field_has_a_range_that_holds_its_default():
    import dataclasses

    assert set(PRIOR_RANGES) == {f.name for f in dataclasses.fields(DEFAULT_PRIORS)}
    for name, (lo, hi, open_lo, _unit) in PRIOR_RANGES.items():
        value = getattr(DEFAULT_PRIORS, name)
        assert (lo < value if open_lo else lo <= value) and value <= hi, name
        priors_from_assignments([f"{name}={hi}"])  # the edges named in the message are allowed
        if not open_lo:
            priors_from_assignments([f"{name}={lo}"])


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("delta_sd", "give NAME=VALUE"),
        ("=1", "give NAME=VALUE"),
        ("slope=1", "unknown prior 'slope'; one of level_mean"),
        ("delta_sd=0", "delta_sd must be a number in [0.001, 10] points/month"),
        ("delta_sd=nan", "[0.001, 10]"),
        # a prior review: 1e-300 crashed the sampler's start, 1e-20 diverged throughout
        ("delta_sd=1e-300", "[0.001, 10]"),
        ("slope_change_sd_scale=1e-20", "[0.001, 10]"),
        ("level_mean=48.5", "level_mean must be a number in [0, 48] points"),
        ("pre_slope_mean=x", "[-10, 10] points/month"),
    ],
)
def test_bad_assignments_name_the_field_and_its_range(item, words):
    with pytest.raises(InputError) as err:
        priors_from_assignments([item])
    assert str(err.value).startswith(f"--prior {item!r}") and words in str(err.value)


def test_a_prior_given_twice_is_refused():
    with pytest.raises(InputError, match="--prior delta_sd: given twice"):
        priors_from_assignments(["delta_sd=0.5", "delta_sd=0.3"])


def test_the_command_line_refuses_a_bad_prior_in_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "post.nc"
    assert main(["fit", "--prior", "delta_sd=-1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--prior 'delta_sd=-1'" in err[0] and "[0.001, 10]" in err[0], err
    assert not out.exists()


def test_the_command_line_fits_with_the_priors_given(tmp_path, capsys, monkeypatch):
    seen = []

    def fake_fit(*args, priors=None, **kwargs):
        seen.append(priors)
        raise InputError("stop: the call is what is checked")

    monkeypatch.setattr(model, "fit", fake_fit)
    argv = ["fit", "--prior", "pre_slope_mean=-1", "--prior", "delta_sd=0.5"]
    assert main([*argv, "--out", str(tmp_path / "post.nc")]) == 2
    assert seen == [DEFAULT_PRIORS.replace(pre_slope_mean=-1.0, delta_sd=0.5)]
    assert main(["fit", "--out", str(tmp_path / "post.nc")]) == 2
    assert seen[-1] == DEFAULT_PRIORS


def test_the_fit_report_names_priors_changed_from_the_defaults(posterior):
    assert "Priors changed" not in diagnostics.format_fit_report(posterior)
    changed = copy.copy(posterior)
    changed.attrs = dict(posterior.attrs)
    changed.attrs["priors"] = DEFAULT_PRIORS.replace(pre_slope_mean=-1.0).to_json()
    text = diagnostics.format_fit_report(changed)
    assert "Priors changed from the defaults (progression/priors.py): pre_slope_mean=-1" in text
    assert json.loads(posterior.attrs["priors"]) == json.loads(DEFAULT_PRIORS.to_json())


def test_the_convergence_gates():
    from progression.convergence import gates_met

    ok = {"divergences": 0, "max_rhat": 1.01, "min_ess_bulk": 400}
    assert gates_met(ok)
    assert not gates_met({**ok, "max_rhat": 1.011})  # the sensitivity refit a review found
    assert not gates_met({**ok, "divergences": 1})
    assert not gates_met({**ok, "min_ess_bulk": 399})
