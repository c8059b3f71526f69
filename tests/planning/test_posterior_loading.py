"""What ``designs.planning.posterior`` says of a posterior that fails the convergence
targets: the figures, and what is unreliable, whatever the posterior is used for."""

from __future__ import annotations

from types import SimpleNamespace


def test_an_unconverged_posterior_is_said_for_every_use(monkeypatch, capsys):
    """A review of one's own records: the warning said "assurance from it is unreliable"
    where the posterior was a borrowing prior, not assurance."""
    from designs.planning.posterior import warn_if_unconverged
    from progression import convergence

    figures = {"divergences": 3, "max_rhat": 1.028, "min_ess_bulk": 146.0}
    monkeypatch.setattr(convergence, "stored", lambda idata: figures)
    idata = SimpleNamespace(children={"sample_stats": None, "posterior": None})
    assert warn_if_unconverged(idata, "own.nc") is False
    err = capsys.readouterr().err
    assert err.startswith("warning: posterior own.nc: 3 divergences, max R-hat 1.028, min bulk")
    assert "what is drawn from it (assurance, a borrowing prior) is unreliable" in err
    monkeypatch.setattr(convergence, "stored", lambda idata: {**figures, "divergences": 0,
                                                              "max_rhat": 1.004,
                                                              "min_ess_bulk": 1146.0})  # fmt: skip
    assert warn_if_unconverged(idata, "own.nc") is True and capsys.readouterr().err == ""
