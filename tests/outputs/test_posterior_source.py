"""Which phase 2 posterior an output rests on, and whether its fit converged (a review of a
report on the user's own posterior: its methods text credited the CL2020 trial, no file
named the data, and an unconverged fit was said on stderr only)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from designs.outputs.methods import methods_text
from designs.outputs.posterior_source import (
    convergence_figures,
    convergence_sentence,
    posterior_source,
)
from designs.outputs.report_index import report_readme

OWN = {
    "data_source": "clinic/phase2_own.csv",
    "data_sha256": "314a24a102c2" + "0" * 52,
    "seed": 7,
    "chains": 2,
    "draws": 200,
    "sampler": "nutpie",
    "illustrative_data": 0,
    "convergence": json.dumps({"divergences": 0, "max_rhat": 1.044, "min_ess_bulk": 73.2}),
}


def test_source_names_the_data_its_hash_and_the_sampler_run():
    assert posterior_source(OWN) == (
        "fitted to clinic/phase2_own.csv (data SHA-256 314a24a102c2, 2 chains x 200 draws, "
        "nutpie, seed 7)"
    )
    assert posterior_source({}) == "fitted to data not named in the posterior file"
    assert posterior_source(OWN, "[]").endswith("seed 7]")


@pytest.mark.parametrize(
    ("figures", "converged"),
    [
        ({"divergences": 0, "max_rhat": 1.005, "min_ess_bulk": 1146.0}, True),
        ({"divergences": 0, "max_rhat": 1.044, "min_ess_bulk": 73.2}, False),  # the review's
        ({"divergences": 3, "max_rhat": 1.001, "min_ess_bulk": 2000.0}, False),
        ({"divergences": 0, "max_rhat": 1.0, "min_ess_bulk": 399.0}, False),
    ],
)
def test_convergence_sentence_says_first_when_a_target_is_missed(figures, converged):
    attrs = {"convergence": json.dumps({**figures, "posterior_sha256": "x"})}
    assert convergence_figures(attrs) == figures
    text = convergence_sentence(attrs)
    assert text.startswith("The fit met") is converged
    assert text.startswith("NOT CONVERGED") is not converged
    assert f"largest R-hat {figures['max_rhat']:.3f}" in text


def test_no_figures_is_said_as_not_checked():
    assert "not checked" in convergence_sentence({})
    assert convergence_figures({"convergence": "not json"}) is None


@pytest.mark.slow
def test_a_report_on_own_data_names_them_and_flags_the_unconverged_fit(fake_posterior):
    from designs.planning.report_plan import plan_report
    from designs.spec import load_design

    plan = plan_report(load_design(), targets=(0.8,), trials=100, seed=3, idata=fake_posterior())
    own = dataclasses.replace(plan, posterior_attrs=OWN)
    readme = report_readme(own)
    assert "Phase 2 posterior: fitted to clinic/phase2_own.csv (data SHA-256 314a24a102c2" in (
        readme
    )
    assert "NOT CONVERGED" in readme
    text = methods_text(
        own.design, own.sample_size, own.operating, own.assurance, OWN, own.undefined_draws
    )
    assert "data fitted to clinic/phase2_own.csv [data SHA-256 314a24a102c2" in text
    assert "Yamashita" not in text.split("**Assurance.**")[1].split("**Caveats.**")[0]
    assert "NOT CONVERGED" in text
    bundled = methods_text(
        plan.design, plan.sample_size, plan.operating, plan.assurance, plan.posterior_attrs,
        plan.undefined_draws,
    )  # fmt: skip
    assert "(Yamashita et al. 2023; an illustrative reconstruction" in bundled
    # the prior the assurance rests on most is named (a prior review: N(0, 0.1^2) gave 0.32
    # where the default N(0, 0.25^2) gave 0.71, and the text said "the priors" alone)
    assert "which priors are used, the change of slope's above all" in bundled
    assert "the priors, the change of slope's above all (assurance moves with it too)" in (
        methods_text(
            own.design, own.sample_size, own.operating, own.assurance, OWN, own.undefined_draws
        )
    )
    assert "not checked" in bundled  # the fake posterior keeps no convergence figures
    # which phase 2 (a protocol writer's review: on another product's design it read as
    # that product's own): the bundled one is CL2020's, said where the text uses it
    assert "model of the CL2020 phase 2 data" in bundled and "The CL2020 phase 2" in bundled
    assert "tested CL2020, not the treatment compared here" not in bundled
    other = plan.design.with_overrides({"estimand.treatment": "drug X against placebo"})
    text = methods_text(
        other, plan.sample_size, plan.operating, plan.assurance, plan.posterior_attrs,
        plan.undefined_draws,
    )  # fmt: skip
    assert "That phase 2 trial tested CL2020, not the treatment compared here" in text
    own_text = methods_text(
        own.design, own.sample_size, own.operating, own.assurance, OWN, own.undefined_draws
    )
    assert "CL2020" not in own_text.split("**Caveats.**")[1].split(".")[0]  # own data
    # a review of one's own records: the open-label caveat was left out for them, and the
    # draws' SHA-256 was given twice
    assert "open-label rating, if it was): regression to the mean, plateaus and rater " in (
        own_text
    )
    from progression.posterior_file import CHECKSUM_ATTR

    summed = {**OWN, CHECKSUM_ATTR: "922ee8be9733" + "0" * 52}
    own_text = methods_text(
        own.design, own.sample_size, own.operating, own.assurance, summed, own.undefined_draws
    )
    assert own_text.count("draws SHA-256 922ee8be9733") == 1


def test_a_prior_data_conflict_kept_by_fit_is_said_after_the_convergence():
    from designs.outputs.posterior_source import conflict_note, fit_cautions

    note = "PRIOR-DATA CONFLICT: the patients' raw mean pre-dose slope, -1.594 points/month, ..."
    attrs = {**OWN, "prior_data_conflict": note}
    assert conflict_note(attrs) == note and conflict_note(OWN) == ""
    assert fit_cautions(attrs) == f"{convergence_sentence(attrs)} {note}"
    assert fit_cautions(OWN) == convergence_sentence(OWN)
    # a gap is said as well, and the JSON keeps it under its own key (a diff review: under
    # "prior_data_conflict" a script took a gap for a conflict)
    from designs.outputs.posterior_source import posterior_record

    gap = "PRIOR-DATA GAP: the patients' raw mean pre-dose slope, -1.2 points/month, ..."
    gapped = {**OWN, "prior_data_gap": gap}
    assert conflict_note(gapped) == gap
    record = posterior_record(gapped)
    assert record["prior_data_conflict"] is None and record["prior_data_gap"] == gap
    assert posterior_record(attrs)["prior_data_conflict"] == note


def test_changed_priors_and_the_draws_hash_are_named():
    """A reproducibility audit: a fit with ``--prior pre_slope_mean=-0.6`` was described in
    the same words as the default fit. The priors the fit changed and the SHA-256 of its
    draws now follow the sampler run, in the text and in JSON."""
    from designs.outputs.posterior_source import changed_priors, posterior_record
    from progression.posterior_file import CHECKSUM_ATTR
    from progression.priors import DEFAULT_PRIORS

    changed = DEFAULT_PRIORS.replace(pre_slope_mean=-0.6)
    attrs = {**OWN, "priors": changed.to_json(), CHECKSUM_ATTR: "0c1d2e3f4a5b" + "9" * 52}
    default = DEFAULT_PRIORS.pre_slope_mean
    assert changed_priors(attrs) == {"pre_slope_mean": [-0.6, default]}
    assert posterior_source(attrs) == (
        "fitted to clinic/phase2_own.csv (data SHA-256 314a24a102c2, 2 chains x 200 draws, "
        f"nutpie, seed 7, priors changed: pre_slope_mean = -0.6 (default {default:g}), "
        "draws SHA-256 0c1d2e3f4a5b)"
    )
    record = posterior_record(attrs)
    assert record["priors_changed"] == {"pre_slope_mean": [-0.6, default]}
    assert record["draws_sha256"].startswith("0c1d2e3f4a5b")
    # the default priors: nothing changed, and said so in JSON ({} rather than None)
    plain = {**OWN, "priors": DEFAULT_PRIORS.to_json()}
    assert changed_priors(plain) == {} and "priors changed" not in posterior_source(plain)
    assert posterior_record(OWN)["priors_changed"] is None  # the file does not say
