"""The note on lmm_slope's Satterthwaite test in small arms with attrition (liberal below
about 25 per arm; Kenward-Roger holds the level) where a sample-size search finds such an
n: ``power`` gave it, while ``sample-size`` and ``report`` at 16 per arm showed a type I
error of 0.0519 with no word (a regulatory reviewer's review)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from designs import load_design
from designs.outputs.report_cautions import chosen_cautions, fresh_check_block
from designs.outputs.small_arm import LIBERAL, small_arm_note, small_n_notes
from tests.outputs.test_tables import _row

REPO = Path(__file__).resolve().parents[2]


def test_the_note_at_the_smallest_n_found():
    design = load_design()  # lmm_slope, published attrition
    (note,) = small_n_notes([_row(0.8, 16), _row(0.9, 21)], design)
    assert note.startswith("note: at n = 16 per arm, lmm_slope's Satterthwaite")
    assert note.endswith("search n with --analysis lmm_slope_kr.")
    # 24 is below 25, 25 is not (designs.analyses.lmm_slope.SMALL_ARM)
    assert small_n_notes([_row(0.8, 24)], design) and not small_n_notes([_row(0.8, 25)], design)
    assert not small_n_notes([_row(0.8, 16, reached=False)], design)  # no n found
    # another analysis, or nobody leaving: nothing to say
    other = design.with_overrides({"trial.analysis": "lmm_slope_kr"})
    assert not small_n_notes([_row(0.8, 16)], other)
    complete = design.with_overrides(
        {"dropout.cumulative": [], "dropout.monthly_hazard": 0, "dropout.death_monthly_hazard": 0}
    )
    assert not small_n_notes([_row(0.8, 16)], complete)
    # in total with 1:2 allocation: the smaller arm is named
    uneven = design.with_overrides({"trial.allocation.active": 2, "trial.n_total": 45})
    (note,) = small_n_notes([_row(0.8, 45, size_name="n_total")], uneven)
    assert note.startswith("note: at n = 45 in total (15 in the smaller arm), ")
    # power's own note is the same sentence
    assert small_arm_note(design, 16, ["lmm_slope"]) == (
        f"note: 16 patients in the smaller arm: {LIBERAL}."
    )


def test_the_report_files_carry_it_where_n_is_read():
    design = load_design()
    rows = [_row(0.8, 16), _row(0.9, 21)]
    assert any("at n = 16 per arm, lmm_slope's" in line for line in fresh_check_block(rows, design))
    cautions = chosen_cautions(rows, design)  # operating characteristics, the chosen TOML
    assert cautions[-1].startswith("Note: at n = 16 per arm, ") and cautions[-1].endswith(".")
    assert not any("Satterthwaite" in c for c in chosen_cautions([_row(0.8, 183)], design))


def test_sample_size_says_it_on_its_console():
    """At 90% slowing the default design needs about 16 per arm."""
    out = subprocess.run(
        [sys.executable, "simulate.py", "sample-size", "--effect", "90%", "--trials", "200"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "per arm, lmm_slope's Satterthwaite degrees of freedom are liberal" in out.stderr


def test_not_under_the_posterior_rule_and_at_n_max_with_looks():
    """A diff review: under the posterior rule (a normal likelihood, no degrees of freedom)
    the note's cause and remedy do not apply; with interim looks it was not given at all."""
    from types import SimpleNamespace

    design = load_design()
    rule = design.with_overrides({"decision.rule": "posterior", "decision.prior": "vague"})
    assert not small_n_notes([_row(0.8, 16)], rule)
    assert not small_arm_note(rule, 16, ["lmm_slope"])
    looks = SimpleNamespace(target_power=0.8, size_name="n_per_arm", n_max=20, reached=True)
    (note,) = small_n_notes([looks], design)
    assert note.startswith("note: at n max = 20 per arm, lmm_slope's Satterthwaite")
    # lmm_slope_kr is refused at interim looks: not advised there (a diff review)
    assert "--analysis lmm_slope_kr" not in note and note.endswith("type I error at n max.")


def test_no_slope_variance_gets_the_conservative_note_alone():
    """A small-sample review: at population.slope_sd = 0 power said both "conservative
    (about 3.4%)" and "liberal below about 25 per arm", and gave one rate at any size; the
    slope variance is then on its boundary and both mixed-model tests are conservative."""
    from types import SimpleNamespace

    from designs.outputs.console import power_notes

    flat = load_design().with_overrides({"population.slope_sd": 0.0, "trial.n_per_arm": 8})
    assert small_arm_note(flat, 8, ["lmm_slope"]) == ""
    assert not small_n_notes([_row(0.8, 16)], flat)
    summary = SimpleNamespace(
        analysis="lmm_slope_kr", true_effect=0.125, bias=0.0, sd_estimate=0.1, power=0.5,
        failed_fits=0, trials=100, units="points/month",
    )  # fmt: skip
    notes = "\n".join(power_notes(flat, [summary]))
    assert "slope variance on its boundary; its tests are then conservative" in notes
    assert "lmm_slope 3.3% at 8 per arm and 3.9% at 20, lmm_slope_kr 1.7% and 3.2%" in notes
    assert "liberal" not in notes
    assert "Kenward-Roger) holds the level there, conservatively at a few" in LIBERAL


def test_two_visits_are_said_where_power_simulates_them():
    """A small-sample review: with visits at months 0 and 12 `analyze` warned that the mixed
    model's variances are not identifiable, `power` said nothing of it or of the higher rate."""
    from designs.outputs.small_arm import two_visit_note

    two = {"trial.visits_months": [0, 12], "dropout.cumulative": [0.0, 0.3327]}
    design = load_design().with_overrides(two)
    note = two_visit_note(design, ["lmm_slope"])
    assert note.startswith("note: 2 visits per patient: no more than the mixed model's random")
    assert "6.0% at 10 per arm and 5.7% at 20; lmm_slope_kr 5.3% and 5.2%" in note
    assert two_visit_note(design, ["ols_slope_ttest"]) == ""
    assert two_visit_note(load_design(), ["lmm_slope"]) == ""  # 13 monthly visits


def test_diff_review_edges_of_the_new_notes():
    """A diff review: the two-visit note spoke on complete data (where lmm_slope measured
    0.050), and with slope_sd = 0 sample-size and the report said nothing of the level."""
    from designs.outputs.effect_notes import design_notes
    from designs.outputs.small_arm import no_slope_variance_note, two_visit_note

    complete = {
        "trial.visits_months": [0, 12],
        "dropout.cumulative": [],
        "dropout.monthly_hazard": 0.0,
        "dropout.death_monthly_hazard": 0.0,
    }
    assert two_visit_note(load_design().with_overrides(complete), ["lmm_slope"]) == ""
    flat = load_design().with_overrides({"population.slope_sd": 0.0})
    note = no_slope_variance_note(flat, ["lmm_slope"])
    assert note.startswith("note: population.slope_sd = 0 puts the mixed model's slope")
    assert note in design_notes(flat, ["lmm_slope"])  # sample-size and the report's cautions
    assert no_slope_variance_note(flat, ["ols_slope_ttest"]) == ""
    assert not any("slope_sd = 0" in n for n in design_notes(load_design(), ["lmm_slope"]))
