"""Review findings on the page's views (no browser): the posterior rule's type I error and
prior-data conflict without looks, the command line's warnings, a comparison analysis whose
fit fails in every trial, the status line, the information stop with looks and the commands
of an uploaded design."""

from __future__ import annotations

import dataclasses
import html as html_text
import tomllib

import pytest

from designs.errors import InputError
from designs.explorer import command, compute, views
from designs.explorer.controls import analyses_shown
from designs.explorer.server import Request
from designs.explorer.task_state import INVALID, POWER_FAILED, status_text
from designs.outputs.console import decision_lines
from designs.outputs.fresh_check import fresh_check_warnings

N = 20
SEED = 9
TRIALS = 40


def _posterior(base, **fields):
    return base.with_overrides({"trial.n_per_arm": N, "decision.rule": "posterior", **fields})


def _shown(tag) -> str:
    """A view's HTML with its entities read (``&gt;`` as ``>``), as the page shows it."""
    return html_text.unescape(str(tag))


def test_the_posterior_rule_without_looks_shows_its_type_i_error_as_the_command_line(base, cli):
    """Review finding 1: without looks the power card gave the success probability only, and
    called it 'significant and favouring active'. It now gives the command line's line with
    the rule's type I error on the same trials against the one-sided level."""
    design = _posterior(base)
    view = compute.power_view(design, SEED, TRIALS)
    html = _shown(views.power_html(Request("default", base, design, SEED, TRIALS), view))
    argv = ["power", "--set", f"trial.n_per_arm={N}", "--decision", "posterior"]
    argv += ["--seed", str(SEED), "--trials", str(TRIALS)]
    printed = cli(*argv).decode().splitlines()
    rule_line = next(x for x in printed if x.startswith("posterior rule: power = P(success)"))
    assert "type I error (no effect, same seed)" in rule_line
    assert rule_line in html
    assert "significant" not in html and "success favouring active" in html
    s = view.summaries[str(design.trial.analysis)]
    assert f'data-type1="{s.type1!r}"' in html and s.type1 == s.type1  # not NaN


def test_a_borrowing_prior_shows_the_prior_data_conflict_line(base, fake_posterior, monkeypatch):
    """Review finding 1: the robust prior's prior-data conflict line (what ``power`` prints)."""
    from designs.planning.decision_rule import decision_prior
    from designs.planning.power import power

    posterior = fake_posterior()
    monkeypatch.setattr(compute, "phase2", lambda: posterior)
    design = _posterior(base, **{"decision.prior": "robust", "decision.prior_weight": 0.5})
    view = compute.power_view(design, SEED, TRIALS)
    html = _shown(views.power_html(Request("default", base, design, SEED, TRIALS), view))
    direct = power(
        design,
        TRIALS,
        SEED,
        analyses_shown(design),
        prior=decision_prior(design, posterior),
        type1=True,
    )
    lines = decision_lines(design, [direct[str(design.trial.analysis)]])
    conflict = "if phase 3 shows no effect (a prior-data conflict): the robust"
    assert len(lines) == 2 and lines[1].startswith(conflict)
    for line in lines:
        assert line in html


def test_a_comparison_analysis_failing_in_every_trial_is_a_row_of_na(base):
    """Review finding 5: ancova_change fails in every trial at deaths of 60%/month; that
    replaced every card (the primary's power too) with the error. Its row is now n/a with
    the reason, the primary's power stands, and the power card carries the failed-fit
    warning; a primary analysis failing in every trial is still refused with the library's
    line."""
    design = base.with_overrides({"trial.n_per_arm": N, "dropout.death_monthly_hazard": 0.6})
    view = compute.power_view(design, SEED, TRIALS)
    ancova = view.summaries["ancova_change"]
    assert ancova.failed_fits == ancova.trials == TRIALS
    req = Request("default", base, design, SEED, TRIALS)
    table = str(views.analyses_html(req, view))
    assert f"the fit failed in all {TRIALS} simulated trials: power undefined" in table
    assert ">nan" not in table
    head = str(views.power_html(req, view))
    assert f'data-power="{view.summaries["lmm_slope"].power_favourable!r}"' in head
    assert f"warning: ancova_change: {TRIALS} of {TRIALS} fits failed" in head
    primary = design.with_overrides({"trial.analysis": "ancova_change"})
    with pytest.raises(InputError, match="fit failed in all"):
        compute.power_view(primary, SEED, TRIALS)


def test_the_sample_size_card_carries_the_command_lines_warnings(base):
    """Review finding 2: the default design at 500 trials (the page's default): where the
    command line warns that a row's power on fresh trials is off its target (seed 2: the 80%
    row, with the control variate; the default seed's 90% row before it), the page's card
    now says the same, in a warning block."""
    seed = 2
    view = compute.sample_size_view(base, seed, 500)
    req = Request("default", base, base, seed, 500)
    # the advice names the page's own search (a command-line review)
    expected = fresh_check_warnings(view.result.rows, base, rerun=views._search_args(req))
    assert any(w.startswith("warning: target 0.8:") for w in expected)
    html = str(views.sample_size_html(req, view))
    assert 'id="sample-size-warnings"' in html
    for line in expected:
        assert line in html
    # the page's search is a quick one: the card says where the n to quote comes from
    assert 'id="quick-search"' in html and "Before quoting n, run the sample-size" in html


def test_no_warning_block_without_warnings():
    assert views.warnings_html([], "x") is None


def test_the_status_never_says_up_to_date_with_a_refused_control_or_a_failed_power():
    """Review findings 5 and 6: a refused control (gamma -2 under obf) left the status at
    'up to date' over stale numbers; a failed power left it at 'simulating: sample size'
    forever (the search follows the power, so it never started)."""
    assert status_text("success", "success") == "up to date"
    assert status_text("success", "success", valid=False) == INVALID
    assert "last valid design" in INVALID
    failed = status_text("error", "running")
    assert "simulating" not in failed and POWER_FAILED in failed
    assert status_text("running", "running") == "simulating: power, sample size ..."
    assert status_text("success", "error") == "could not compute: sample size"


def test_the_status_says_a_refusal_and_a_refused_upload_for_what_they_are():
    """A grant writer's review: at effect 0 the status read "could not compute: sample size"
    for a search the page refuses by design (its card says why); a refused upload left the
    status at "up to date" over the earlier file's numbers."""
    assert status_text("success", "refused") == (
        "sample size: not searched for this design (its card says why)"
    )
    assert POWER_FAILED in status_text("refused", "initial")  # a refused power: as failed
    upload = status_text("success", "success", upload_refused=True)
    assert upload.startswith("the uploaded file was refused (its message is beside the upload")
    assert upload.endswith("the views show the design read before it")
    assert "up to date" not in upload
    running = status_text("running", "running", upload_refused=True)
    assert running == "simulating: power, sample size ..."


def test_with_looks_the_information_stop_line_is_shown(base):
    """Review finding 8: the command line's line on trials that ended at a look because the
    information had reached its planned maximum (``information_stop_text``)."""
    from designs.outputs.group_sequential import information_stop_text

    design = base.with_overrides({"trial.n_per_arm": N, "interim.looks": [0.5, 1.0]})
    view = compute.power_view(design, SEED, TRIALS)
    gs = dataclasses.replace(
        view.sequential, p_stop_information=[0.05, 0.0], p_stop_information_h0=[0.1, 0.0]
    )
    req = Request("default", base, design, SEED, TRIALS)
    html = str(views.interim_html(req, dataclasses.replace(view, sequential=gs)))
    text = information_stop_text(gs)
    assert text and text[1:] in html and 'id="gs-information-stop"' in html
    if not information_stop_text(view.sequential):
        assert "gs-information-stop" not in str(views.interim_html(req, view))


def test_the_commands_of_an_uploaded_design_say_where_its_file_is(base):
    """Review finding 9: the commands named ``--design my_trial.toml``, the bare upload name,
    with no word that the file is the one uploaded (or that design.toml can stand in)."""
    design = base.with_overrides({"trial.n_per_arm": 60})
    text = Request("my_trial.toml", base, design, 1, 50, uploaded=True).commands()
    assert "# my_trial.toml is the design file uploaded to the page" in text
    assert "--design design.toml" in text
    assert "--design my_trial.toml" in text
    library = command.commands_file("default", base, design, seed=1, trials=50, analyses=[])
    assert "uploaded" not in library


def test_the_posterior_rule_at_looks_warns_of_a_type_i_error_above_the_level(base):
    """A usability review: with 2 looks at threshold 0.975 each the page showed a type I
    error of 0.0475 (against 0.025) with no warning, where ``power --looks`` warns. Two
    unadjusted looks give about 0.04-0.05: at 1,500 trials (SE about 0.005) it is more than
    2 SE above the level for any seed near that rate."""
    from designs.outputs.level_warnings import posterior_looks_warnings

    design = _posterior(base, **{"interim.looks": [0.5, 1.0], "trial.n_per_arm": 40})
    view = compute.power_view(design, SEED, 1500)
    html = _shown(views.power_html(Request("default", base, design, SEED, 1500), view))
    lines = posterior_looks_warnings(design, view.sequential)
    assert len(lines) == 1 and "above the one-sided level 0.025" in lines[0]
    assert lines[0] in html and 'id="power-warnings"' in html


@pytest.mark.parametrize("rule", ["frequentist", "posterior"])
def test_no_effect_says_the_power_is_the_type_i_error(base, rule):
    """A usability review: at effect 0 the headline read "power 0.044" with nothing to say
    that it is the type I error."""
    design = base.with_overrides({"trial.n_per_arm": N, "effect.value": 0.0, "decision.rule": rule})
    view = compute.power_view(design, SEED, TRIALS)
    html = _shown(views.power_html(Request("default", base, design, SEED, TRIALS), view))
    rate = "power" if rule == "frequentist" else "success rate"
    assert f"the effect is 0 (no difference between the arms): this {rate} is the type I" in html


def test_an_empty_box_says_it_is_empty(base):
    """A usability review: an emptied box read "trial.n_per_arm = nan: ..." or "seed = None:
    ..."; it now says it is empty."""
    from designs.explorer.controls import base_values, design_from_values

    values = base_values(base)
    values.update(n=None, seed=None, effect=None)
    new, errors = design_from_values(base, values)
    from designs.explorer.controls import CONTROLS
    from designs.explorer.messages import EMPTY_BOX, control_messages

    shown = control_messages(values, errors)
    assert new is None
    for cid in ("n", "seed", "effect"):
        assert "nan" in errors[cid] or "None" in errors[cid]  # the library's words
        # led by the box's label, as every other message (an explorer review)
        assert shown[cid].endswith(EMPTY_BOX) and EMPTY_BOX == "empty: give a number"
        assert shown[cid].startswith(next(c.label for c in CONTROLS if c.id == cid) + ": ")
    values.update(n=1, seed=3, effect=25)  # a box with a number keeps the library's message
    _, errors = design_from_values(base, values)
    # led by the box's label (an explorer review: "trial.n_per_arm = 1: ..." alone)
    assert control_messages(values, errors) == {"n": f"Patients: {errors['n']}"}
    assert errors["n"].startswith("trial.n_per_arm = 1")


def test_the_power_card_says_where_each_input_comes_from(base):
    """The page's users do not read methods.md: under the design's line, a folded list gives
    each input's source, and a control moved away from a published value makes that input
    an assumption of the design (the list methods.md prints)."""
    from designs.outputs.methods_inputs import input_sources

    small = base.with_overrides({"trial.n_per_arm": N})
    view = compute.power_view(small, SEED, TRIALS)
    html = _shown(views.power_html(Request("default", base, small, SEED, TRIALS), view))
    assert '<details id="input-sources" class="provenance">' in html
    assert "<summary>Where the inputs come from</summary>" in html
    for line in input_sources(small):
        assert f"<li>{line}</li>" in html
    assert "(Castrillo-Viguera et al. 2010)" in html
    moved = small.with_overrides({"effect.value": 0.3})
    html = _shown(views.inputs_html(moved))
    assert (
        "Effect 30% slowing (+0.15 points/month): an assumption of this design, "
        "not a published value."
    ) in html
    assert "Castrillo-Viguera" not in html
    # dropout and deaths, the most debated inputs, as methods.md gives them (a review)
    # with the share gone its clause is about (a diff review: "deaths included" hung free)
    assert (
        "<li>Dropout: 36.4% gone by month 12 (published all-cause attrition in ALS trials, "
        "deaths included; van "
    ) in html
    assert "<li>Deaths follow a constant hazard of 0.004/month" in html
    own = moved.with_overrides({"dropout.monthly_hazard": 0.02})
    html = _shown(views.inputs_html(own))
    assert "gone by month 12 (an assumption of this design, not a published figure" in html


def test_an_uploaded_designs_own_sources_show_until_their_value_moves(base, cli, tmp_path):
    """A design file's ``[sources]`` lines are on the page (as text, not markup); a control
    that moves a value drops that value's source, and the commands still rebuild the page's
    design without naming the sources."""
    from designs.explorer.controls import base_values, design_from_values

    uploaded = base.with_overrides(
        {
            "effect.value": 0.3,
            "sources.effect": "a 30% slowing <b>assumed</b> by our steering committee",
            "sources.residual_sd": "our pilot data",
        }
    )
    html = str(views.inputs_html(uploaded))
    assert "&lt;b&gt;assumed&lt;/b&gt; by our steering committee." in html
    assert "<li>Residual SD 2 points: our pilot data.</li>" in html
    assert "Note:" not in html
    # a source for an input the design does not use: a note says so (the CLI warns)
    unused = uploaded.with_overrides({"sources.delta_fs": "Registry 2025"})
    assert "<p>Note: sources.delta_fs: the methods text leaves it out, as no candidate is " in (
        str(views.inputs_html(unused))
    )
    design, errors = design_from_values(uploaded, {**base_values(uploaded), "effect": 35.0})
    assert errors == {} and design.sources.given == {"residual_sd": "our pilot data"}
    html = _shown(views.inputs_html(design))
    assert (
        "Effect 35% slowing (+0.175 points/month): an assumption of this design, "
        "not a published value."
    ) in html
    options = command.set_options(uploaded, design)  # raises if they would not rebuild it
    assert not any(o.startswith("sources.") for o in options)
    path = tmp_path / "cited.toml"
    path.write_text(uploaded.to_toml())
    shown = cli("designs", "show", str(path), *options).decode()
    assert tomllib.loads(shown) == tomllib.loads(design.to_toml())
    # the only source dropped: the design writes no [sources], and the commands give no
    # empty source for it (the rebuild drops it as the page did)
    alone = uploaded.with_overrides({"sources.residual_sd": ""})
    design, errors = design_from_values(alone, {**base_values(alone), "effect": 35.0})
    assert errors == {} and "sources" not in design.to_dict()
    assert command.set_options(alone, design) == ["--set", "effect.value=0.35"]
    # a review: the dropout control at 0 empties the schedule through a field that replaces
    # it (dropout.monthly_hazard = 0, the value beneath); the attrition's source went on
    # standing beside no dropout, and the commands failed to rebuild the page's design
    cited = alone.with_overrides({"sources.attrition": "Doe 2024"})
    design, errors = design_from_values(cited, {**base_values(cited), "dropout12": 0.0})
    assert errors == {} and not design.dropout.cumulative and design.dropout.monthly_hazard == 0
    assert "attrition" not in design.sources.given
    command.set_options(cited, design)  # raised ValueError


def test_the_power_card_carries_the_command_lines_notes(base):
    """An explorer review: the command line's notes on a power (ols_slope_ttest conservative
    under attrition, a lead-in unused, a one-sided 0.05) did not reach the page; the
    multiplicity note stays under the analyses table, where the page words it, and the note
    on a comparison analysis goes there too, beside its row."""
    design = base.with_overrides(
        {"trial.n_per_arm": N, "trial.lead_in_months": 3.0, "trial.sides": 1}
    )
    view = compute.power_view(design, SEED, TRIALS)
    req = Request("default", base, design, SEED, TRIALS)
    head = html_text.unescape(str(views.power_html(req, view)))
    # the comparison analysis's note beside its row, under the analyses table (it sat here)
    table = html_text.unescape(str(views.analyses_html(req, view)))
    assert "ols_slope_ttest under attrition weighs every patient's slope equally" in table
    assert "ols_slope_ttest under attrition" not in head
    assert "3-month lead-in's visits are not used by lmm_slope" in head
    assert "a one-sided test at alpha 0.05 rejects in favour of active 2 times as often" in head
    assert "several analyses of the same trials" not in head


def test_a_designs_name_is_text_in_the_cards_tables_not_html(base):
    """A robustness review: an uploaded design named ``<script>alert(1)</script>`` ran its
    script in the page, through the sample-size card's Markdown table (and the realism
    card's). The name is now shown as text: escaped, no tag."""
    named = base.with_overrides({"trial.name": "<script>alert(1)</script> <b>bold</b> trial"})
    view = compute.sample_size_view(named, SEED, 200)
    shown = str(views.sample_size_html(Request("default", named, named, SEED, 200), view))
    assert "<script>" not in shown and "<b>bold</b>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # in the table, as text
    table = "| design |\n|---|\n| <script>alert(1)</script> |\n"
    realism = str(views.realism_html(Request("default", named, named, SEED, 200), table))
    assert "<script>" not in realism and "&lt;script&gt;" in realism
    # nor images or links: a name's Markdown image made the page fetch an outside address
    # (a security review)
    outside = "| design |\n|---|\n| ![t](http://attacker.invalid/t.png) [c](http://x.y) |\n"
    shown = str(views.markdown(outside))
    assert "<img" not in shown and "<a " not in shown and "![t](http://attacker.invalid" in shown
    # styled as the page's own tables (a small-screen review: 1 px of padding ran the
    # headers together, "placeboactivetotal")
    assert '<table class="table table-sm">' in realism and "<table>" not in realism


def test_hand_made_control_values_are_refused_not_crashes(base):
    """A robustness review sent the server values the page's controls never send (devtools):
    text in number boxes and lists crashed the session with a traceback; a size mode the page
    does not offer was read as "in total". Each is now a message beside its control, and
    nothing is simulated."""
    from designs.explorer.controls import base_values, design_from_values

    good = base_values(base)
    for cid, value in [("n", "abc"), ("n", [1, 2]), ("seed", "abc"), ("allocation", "1,5")]:
        design, errors = design_from_values(base, {**good, cid: value})
        assert design is None and cid in errors, (cid, value, errors)
    for cid, value in [("size_mode", "xyz"), ("sides", None), ("analysis", "nope")]:
        design, errors = design_from_values(base, {**good, cid: value})
        assert design is None and "must be one of" in errors[cid], (cid, value, errors)
    design, errors = design_from_values(base, good)
    assert design is not None and errors == {}


def test_the_pages_selects_offer_exactly_the_checked_choices(base):
    """The values checked (choices.py) are the options the sidebar's selects and radio
    buttons offer (layout.py), so that no value the page sends is refused."""
    import re

    from designs.explorer.choices import choices
    from designs.explorer.layout import sidebar

    html = str(sidebar(base, ["default"]).tagify())
    for cid, allowed in choices().items():
        if cid == "size_mode":  # radio buttons
            offered = set(re.findall(r'name="size_mode" value="([^"]+)"', html))
        else:
            start = html.index(f'id="{cid}"')
            block = html[start : html.index("</select>", start)]
            offered = set(re.findall(r'<option value="([^"]+)"', block))
        expected = set(allowed) - ({"user"} if cid == "spending" else set())  # user: see layout
        assert offered == expected, (cid, offered, expected)


def test_the_sample_size_card_says_what_sample_size_notes_under_informative_exits(base):
    """A diff review: the page's card lacked the command line's note that exits depending on
    the decline can bias the estimate (the page has an informative-dropout control)."""
    from designs.outputs.effect_notes import informative_exits_notes

    design = base.with_overrides({"dropout.informative": 2.0})
    view = compute.sample_size_view(design, SEED, 200)
    notes = informative_exits_notes(design, design.trial.analysis.value)
    assert notes and set(notes) <= set(views.sample_size_warnings(design, view))
    plain = compute.sample_size_view(base, SEED, 200)
    assert not any("exits depend" in w for w in views.sample_size_warnings(base, plain))


def test_the_pages_advice_to_rerun_its_search_is_its_own_command(base):
    """A command-line review: the advice after a missed fresh-trial check named
    ``simulate.py sample-size --trials ...`` alone, which searches the default design; the
    page's advice is its own reproducing command with more trials."""
    from types import SimpleNamespace

    design = base.with_overrides({"effect.value": 0.3})
    req = Request("default", base, design, SEED, 500)
    row = SimpleNamespace(
        target_power=0.8, n=120, reached=True, confirmed_power=0.74, confirmed_mc_se=0.01,
        trials=500, grid_trials=500, refine_trials=0, failed_fits=0,
    )  # fmt: skip
    view = SimpleNamespace(result=SimpleNamespace(rows=[row]), sequential=None)
    lines = views.sample_size_warnings(design, view, rerun=views._search_args(req))
    (advice,) = [line for line in lines if "rerun with more trials" in line]
    assert "python simulate.py sample-size --set effect.value=0.3 --seed 9" in advice
    assert advice.endswith("--trials 2000 --refine-trials 0) before quoting it")


def test_the_page_carries_its_icon_inline(base):
    """The browser asked for /favicon.ico on every load and got a 404; the page now names
    an inline SVG icon, so no request goes out for it (the explorer needs no network)."""
    from urllib.parse import unquote

    from designs.explorer.layout import FAVICON, page

    head = " ".join(str(d) for d in page(base, ["default"]).render()["dependencies"])
    assert '<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,' in head
    svg = unquote(FAVICON.removeprefix("data:image/svg+xml,"))
    assert svg.startswith("<svg xmlns='http://www.w3.org/2000/svg'") and svg.endswith("</svg>")


def test_the_assurance_panel_gives_the_phase2_caveat_once(base):
    """A plain-language review: the assurance panel said the phase 2 caveat twice, in the
    command line's text and in the box below it."""
    text = compute.assurance_view(base, 3, 200)
    said = "regression to the mean and open-label rating"
    assert text.count(said) == 1  # the command line's text gives it
    html = str(views.assurance_html(Request("default", base, base, 3, 200), text))
    assert html.count(said) == 1 and "Phase 2 caveat" in html
    assert "The fit met the convergence targets" in html  # the rest of the text is kept


def test_the_survival_note_on_the_compared_joint_rank_is_grey(base):
    """The survival note (a survival review) is about joint_rank, shown for comparison on the
    default design: it goes grey under the analyses table, not red in the power card."""
    from designs.explorer.views import _about_other_analyses

    notes = ["note: joint_rank: the simulated treatment leaves the death rate alone", "x"]
    view = type("V", (), {"summaries": {"lmm_slope": None, "joint_rank": None}})()
    assert _about_other_analyses(notes, base, view) == notes[:1]


def test_a_power_of_0_gives_its_bound_not_an_se_of_0():
    """A grant writer's review: at a 10% harm the power card read "SE 0.000"."""
    from types import SimpleNamespace

    from designs.explorer.view_parts import mc_se_words
    from designs.spec import load_design

    design = load_design()
    none = SimpleNamespace(power_favourable=0.0, mc_se_favourable=0.0, trials=500, failed_fits=0)
    assert mc_se_words(design, none) == (
        "Monte Carlo SE not defined, none of 500 trials (one-sided 95% bound ≤ 0.0060)"
    )  # 1 - 0.05^(1/500) = 0.00597, rounded up
    some = SimpleNamespace(
        power_favourable=0.55, mc_se_favourable=0.0076, trials=500, failed_fits=3
    )
    assert mc_se_words(design, some) == "Monte Carlo SE 0.0076"


def test_the_onset_box_sets_when_the_effect_starts():
    """A grant writer's review: no control set a delayed effect. The box starts at the
    design's own onset, sets effect.onset_delay_months, and a bad value is said beside it."""
    from designs.explorer.controls import base_values, design_from_values
    from designs.spec import load_design

    base = load_design()
    values = base_values(base)
    assert values["onset"] == 0
    design, errors = design_from_values(base, {**values, "onset": 3})
    assert not errors and design.effect.onset_delay_months == 3
    assert design.effect.course_text() == "acting from month 3"
    design, errors = design_from_values(base, {**values, "onset": -1})
    assert design is None and errors["onset"].startswith("effect.onset_delay_months = -1")
    delayed = base.with_overrides({"effect.onset_delay_months": 2, "effect.ramp_months": 1})
    assert base_values(delayed)["onset"] == 2  # an uploaded design's own onset
