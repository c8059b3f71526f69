"""The posterior rule and assurance at interim looks on the page: the numbers are those the
command line prints as JSON for the same design and seed, and the views show them."""

from __future__ import annotations

import json
import re

import pytest

from designs.explorer import compute, views
from designs.explorer.server import Request

N = 20  # patients per arm: small trials, quick fits
SEED = 9
TRIALS = 40


def _result(text):
    """The command line's JSON result without how it was made (``software``, ``command``),
    which the explorer's summaries do not carry."""
    return {k: v for k, v in json.loads(text).items() if k not in ("software", "command")}


def _numbers(obj):
    """JSON's view of a summary (undefined numbers as null), as ``print_json`` writes it."""
    from designs.cli.options import json_ready

    return json.loads(json.dumps(json_ready(obj)))


def test_the_posterior_rule_at_looks_is_the_command_lines(base, cli):
    """``power --looks 0.5,1 --decision posterior --json`` with a futility rule: every number
    of the page's summary (success probability, per-look stopping for success and futility,
    expected n and months, thresholds) is the command line's, and the headline and looks
    table show them."""
    design = base.with_overrides(
        {
            "trial.n_per_arm": N,
            "decision.rule": "posterior",
            "decision.threshold": 0.95,
            "decision.futility_predictive": 0.3,
            "interim.looks": [0.5, 1.0],
        }
    )
    # the fixed design beside it drops the looks and the rule's futility with them
    view = compute.power_view(design, SEED, TRIALS)
    argv = ["power", "--set", f"trial.n_per_arm={N}", "--looks", "0.5,1"]
    argv += ["--decision", "posterior", "--threshold", "0.95"]
    argv += ["--set", "decision.futility_predictive=0.3"]
    out = _result(cli(*argv, "--seed", str(SEED), "--trials", str(TRIALS), "--json"))
    assert out["rule"] == "posterior" and out["thresholds"] == [0.95, 0.95]
    assert out["futility_predictive"] == 0.3 and out["p_stop_futility"][0] > 0
    # the command line writes the rule's prior beside the numbers; the page's numbers are the rest
    rule = out.pop("decision_rule")
    assert rule["threshold"] == 0.95 and rule["prior"] == "vague"
    assert _numbers(view.sequential.to_dict()) == out

    req = Request("default", base, design, SEED, TRIALS)
    head = str(views.power_html(req, view))
    assert f'data-power="{out["power_favourable"]!r}"' in head
    assert "success probability of the posterior rule with 2 looks (thresholds 0.95, 0.95)" in head
    table = str(views.interim_html(req, view))
    assert 'id="looks-table"' in table and "alpha spending" not in table
    for k in range(2):
        assert f"{out['p_stop_efficacy'][k]:.3f} ({out['mc_se_stop_efficacy'][k]:.3f})" in table
        if k == 0:  # no futility stop at the final look: a dash there
            assert f"{out['p_stop_futility'][k]:.3f} ({out['mc_se_stop_futility'][k]:.3f})" in table
        assert f"<td>{out['thresholds'][k]:.4f}</td>" in table
        assert f"<td>{out['n_entered_by_look'][k]:.1f}</td>" in table  # as the frequentist's
    assert f'data-expected-n="{out["expected_n_total"]!r}"' in table
    assert f'data-expected-months="{out["expected_months"]!r}"' in table
    assert re.search(r"success if P\(effect &gt; 0 \| data up to the look\)", table)


def test_assurance_with_looks_is_the_command_lines(base, cli):
    """Assurance of a design with interim looks (frequentist rule): the page's results are
    ``assurance --looks 0.5,1 --json``'s numbers, both transports, and its text is what the
    command line prints; the view carries the phase 2 caveat."""
    design = base.with_overrides({"trial.n_per_arm": N, "interim.looks": [0.5, 1.0]})
    results = compute.group_sequential_assurance_results(design, SEED, TRIALS)
    argv = ["assurance", "--set", f"trial.n_per_arm={N}", "--looks", "0.5,1"]
    argv += ["--seed", str(SEED), "--trials", str(TRIALS)]
    out = _result(cli(*argv, "--json"))
    other = out.pop("other_transport")
    # the posterior the command line read: the bundled data's fit, as the page's
    assert out.pop("posterior")["data_source"] == "bundled phase2_illustrative.csv"
    assert _numbers(results[0].to_dict()) == out
    assert _numbers(results[1].to_dict()) == other
    assert {out["transport"], other["transport"]} == {"proportional", "absolute"}

    text = compute.assurance_view(design, SEED, TRIALS)
    assert cli(*argv) == (text + "\n").encode()
    html = str(views.assurance_html(Request("default", base, design, SEED, TRIALS), text))
    assert "Phase 2 caveat" in html
    # once, in the box (a plain-language review: the command line's text gave it too)
    assert html.count("regression to the mean and open-label rating") == 1


@pytest.mark.slow  # about 30 s at load 7: the command line adds the rule's two cases
def test_assurance_under_a_robust_prior_borrows_as_the_command_line(base, cli):
    """The posterior rule with a robust prior: the page judges the trials with the prior
    that borrows from the phase 2 posterior, as ``assurance`` does (it once asked for
    ``--posterior`` instead); the command line's text begins with the page's (it then adds
    the optimistic and sceptical cases of the rule)."""
    design = base.with_overrides(
        {
            "trial.n_per_arm": N,
            "decision.rule": "posterior",
            "decision.prior": "robust",
            "decision.prior_weight": 0.5,
        }
    )
    assert design.decision.borrows
    text = compute.assurance_view(design, SEED, TRIALS)
    argv = ["assurance", "--set", f"trial.n_per_arm={N}", "--decision", "posterior"]
    argv += ["--set", 'decision.prior="robust"', "--set", "decision.prior_weight=0.5"]
    argv += ["--seed", str(SEED), "--trials", str(TRIALS)]
    assert cli(*argv).startswith((text + "\n").encode())


@pytest.mark.slow  # the command line adds the rule's two cases (four runs of TRIALS trials)
def test_assurance_with_looks_under_a_borrowing_posterior_rule_is_the_command_lines(base, cli):
    """Looks and the posterior rule with a robust prior: the page's assurance judges each
    trial by the rule at its looks with the prior that borrows from phase 2, the numbers of
    ``assurance --looks 0.5,1 --decision posterior --json`` (it once passed no prior, so the
    library refused the borrowing prior)."""
    design = base.with_overrides(
        {
            "trial.n_per_arm": N,
            "interim.looks": [0.5, 1.0],
            "decision.rule": "posterior",
            "decision.prior": "robust",
            "decision.prior_weight": 0.5,
        }
    )
    results = compute.group_sequential_assurance_results(design, SEED, TRIALS)
    argv = ["assurance", "--set", f"trial.n_per_arm={N}", "--looks", "0.5,1"]
    argv += ["--decision", "posterior", "--set", 'decision.prior="robust"']
    argv += ["--set", "decision.prior_weight=0.5", "--seed", str(SEED), "--trials", str(TRIALS)]
    out = _result(cli(*argv, "--json"))
    other = out.pop("other_transport")
    out.pop("posterior_rule")  # the optimistic and sceptical cases: the command line's extra
    out.pop("posterior")  # the posterior's provenance: the command line's extra
    assert _numbers(results[0].to_dict()) == out
    assert _numbers(results[1].to_dict()) == other
    assert out["rule"] == "posterior"


def test_the_fixed_design_beside_the_looks_is_the_command_lines_reference(base):
    """Under the posterior rule with per-look thresholds, "without interim looks" is the design
    the command line compares with (sample-size's n fixed, the sweep's fixed plan): one
    analysis at the final look's threshold, no futility; it once kept decision.threshold."""
    design = base.with_overrides(
        {
            "interim.looks": [0.5, 1.0],
            "decision.rule": "posterior",
            "decision.thresholds": [0.999, 0.99],
            "decision.futility_predictive": 0.1,
        }
    )
    fixed = compute.without_looks(design)
    assert not fixed.interim.sequential
    assert fixed.decision.threshold == 0.99
    assert not fixed.decision.thresholds and fixed.decision.futility_predictive == 0.0
    frequentist = base.with_overrides({"interim.looks": [0.5, 1.0]})
    assert compute.without_looks(frequentist) == base


def test_a_liberal_type_i_error_is_flagged_on_the_page(base):
    """As `power --looks` prints it (an independent review: 0.0272 for a 3-look Pocock-type
    design at one-sided 0.025 went unflagged): here the page's summary with its type I error
    set 5 MC SE above alpha, and as simulated."""
    import dataclasses
    import math

    design = base.with_overrides({"trial.n_per_arm": N, "interim.looks": [0.5, 1.0]})
    view = compute.power_view(design, SEED, TRIALS)
    gs = view.sequential
    req = Request("default", base, design, SEED, TRIALS)
    high = gs.alpha + 5 * math.sqrt(gs.alpha * (1 - gs.alpha) / gs.counted_h0)
    liberal = dataclasses.replace(view, sequential=dataclasses.replace(gs, type_i_error=high))
    assert "LIBERAL: above alpha" in str(views.interim_html(req, liberal))
    at_level = dataclasses.replace(view, sequential=dataclasses.replace(gs, type_i_error=gs.alpha))
    assert "LIBERAL" not in str(views.interim_html(req, at_level))


def test_the_interim_card_gives_what_a_charter_needs(base, cli):
    """The frequentist looks' card gives the boundaries in points/month and the planned
    maximum information, as ``power --looks --json`` does (the twenty-sixth note: the card
    had the z boundaries only)."""
    over = {"trial.n_per_arm": N, "interim.looks": [0.5, 1.0], "trial.sides": 1}
    over |= {"trial.alpha": 0.025, "interim.futility": "obf"}
    design = base.with_overrides(over)
    view = compute.power_view(design, SEED, TRIALS)
    argv = ["power", "--set", f"trial.n_per_arm={N}", "--looks", "0.5,1", "--futility", "obf"]
    argv += ["--set", "trial.sides=1", "--set", "trial.alpha=0.025"]
    out = _result(cli(*argv, "--seed", str(SEED), "--trials", str(TRIALS), "--json"))
    req = Request("default", base, design, SEED, TRIALS)
    html = str(views.interim_html(req, view))
    assert '<th scope="col">efficacy boundary z</th>' in html
    # the boundary in points/month said so (an accessibility review: a bare number in
    # brackets read as the MC SE of the next cells)
    for k in range(2):
        z, estimate = out["efficacy_boundaries_z"][k], out["efficacy_boundaries_estimate"][k]
        assert f"<td>{z:.3f} (= {estimate:.3f} points/month)</td>" in html
    z, estimate = out["futility_boundaries_z"][0], out["futility_boundaries_estimate"][0]
    assert f"<td>{z:.3f} (= {estimate:.3f} points/month)</td>" in html
    # the rates under no effect with their MC SE, and the patients randomised by each look
    n0 = out["counted_h0"] or out["trials_h0"] or TRIALS
    p0 = out["p_stop_futility_h0"][0]
    assert f"<td>{p0:.3f} ({(p0 * (1 - p0) / n0) ** 0.5:.3f})</td>" in html
    assert f"<td>{out['n_entered_by_look'][0]:.1f}</td>" in html
    # without a futility rule its columns are dashes, as in the report's table
    plain = base.with_overrides({**over, "interim.futility": "none"})
    without = str(views.interim_html(req, compute.power_view(plain, SEED, TRIALS)))
    assert without.count("<td>-</td>") == 6  # futility z, and its P under H1 and H0, 2 looks
    assert f"Planned maximum information {out['information_max']:.1f} (points/month)^-2" in html
    assert f"derived under an effect of {out['futility_effect']:+.3f} points/month" in html


def test_the_reproducing_commands_give_the_pages_assurance_and_report(base, cli):
    """A non-programmer's review: after the Assurance button and the report zip, the
    commands shown still gave power, sample size and the design only. The assurance line
    reproduces the page's numbers (its effect fields left out: assurance draws the effect
    and refuses them; the design line above the numbers then shows the design's own)."""
    from designs.explorer import command

    design = base.with_overrides({"trial.n_per_arm": N, "effect.value": 0.3})
    text = command.commands_file("default", base, design, seed=SEED, trials=TRIALS, analyses=[])
    assurance = command.assurance_args("default", base, design, seed=SEED, trials=TRIALS)
    report = command.report_args("default", base, design, seed=SEED, trials=TRIALS)
    assert command.command_text(assurance) in text and command.command_text(report) in text
    assert "effect.value" not in " ".join(assurance) and "effect.value=0.3" in " ".join(report)
    assert report[-4:] == ["--refine-trials", "0", "--out", "report"]
    page = compute.assurance_view(design, SEED, TRIALS).splitlines()
    printed = cli(*assurance).decode().splitlines()
    assert printed[1 : len(page)] == page[1:]


def test_the_interim_card_says_when_the_looks_come_at_other_information(base):
    """An explorer review: ``power --looks`` noted that the simulated trials observed 1.127 of
    the planned maximum information at the final look; the page showed the number without
    the note. The card gives the command line's note, and none near 1."""
    import dataclasses

    from designs.outputs.look_notes import information_gap_note

    design = base.with_overrides({"trial.n_per_arm": N, "interim.looks": [0.5, 1.0]})
    view = compute.power_view(design, SEED, TRIALS)
    gs = view.sequential
    req = Request("default", base, design, SEED, TRIALS)
    fractions = [*gs.observed_information_fraction[:-1], 1.127]
    late = dataclasses.replace(view, sequential=dataclasses.replace(
        gs, observed_information_fraction=fractions
    ))  # fmt: skip
    html = str(views.interim_html(req, late))
    note = information_gap_note(design, 1.127, gs.analysis).removeprefix("note: ")
    assert "gs-look-note" in html and note[1:60] in html
    near = [*gs.observed_information_fraction[:-1], 1.01]
    plain = dataclasses.replace(view, sequential=dataclasses.replace(
        gs, observed_information_fraction=near
    ))  # fmt: skip
    # no note on the information near 1 (the type I error's note on these few trials stays:
    # its own test)
    assert information_gap_note(design, 1.01, gs.analysis) == ""
    assert "of the planned maximum information" not in str(views.interim_html(req, plain))


def test_the_losses_caption_speaks_of_the_designs_own_follow_up():
    """An explorer review: on an 18-month design the caption said "gone by month 12" and "a
    little fewer leave alive than it says" beside 54% gone. The caption names the design's
    last month and what its dropout loses by then (deaths apart)."""
    from designs.explorer.messages import losses_caption
    from designs.spec import load_design

    default = losses_caption(load_design())
    assert "gone by month 12" in default and "a little fewer leave alive" in default
    longer = load_design().with_overrides(
        {
            "dropout.cumulative": [],
            "dropout.monthly_hazard": 0.03,
            "trial.visits_months": [0, 3, 6, 9, 12, 15, 18],
        }
    )
    text = losses_caption(longer)
    gone = 1 - __import__("math").exp(-0.03 * 18)
    assert "gone by month 18" in text and "a little fewer" not in text
    assert f"goes on to month 18, where {gone:.1%} would have left alive" in text


def test_the_pages_looks_say_when_the_type_i_error_rests_on_too_few_trials(base):
    """An explorer review: the command line notes that a run's type I error rests on too few
    null trials to show an excess; the page left the note out."""
    from designs.explorer.views_looks import _look_notes
    from designs.outputs.look_notes import type_i_precision_note
    from designs.planning.group_sequential import group_sequential_power

    design = base.with_overrides({"trial.n_per_arm": 40, "interim.looks": [0.5, 1.0]})
    gs = group_sequential_power(design, 200, SEED)
    assert type_i_precision_note(gs)  # the command line's note
    (note,) = [n for n in _look_notes(design, gs) if "too few to show an excess" in n]
    assert "the report download does, or the command line's power with --trials" in note
