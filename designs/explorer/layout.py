"""The page: controls in a sidebar (each with its unit and room for the library's message),
the views in cards, the downloads at the foot. Nothing here computes."""

from __future__ import annotations

import json

from shiny import ui

from designs.explorer.accessibility import A11Y_CSS, a11y_script
from designs.explorer.choices import options
from designs.explorer.controls import (
    CONTROLS,
    DEFAULT_TRIALS,
    MAX_PAGE_TRIALS,
    base_values,
)
from designs.explorer.glossary import glossary_html
from designs.explorer.units import effect_label, effect_step
from designs.program import program_name
from designs.simulation.seeds import MAX_SEED
from designs.spec.interim import READ_ONLY_WITH, Spending

_LABELS = {c.id: (c.label + (f" ({c.unit})" if c.unit else "")) for c in CONTROLS}

#: Downloads: (output id, button label).
DOWNLOADS = (
    ("dl_table_csv", "Sample-size table (CSV)"),
    ("dl_table_md", "Sample-size table (Markdown)"),
    ("dl_table_latex", "Sample-size table (LaTeX)"),
    ("dl_design", "Design (TOML)"),
    ("dl_commands", f"{program_name()} commands"),
    ("dl_figure_png", "Figure (PNG)"),
    ("dl_figure_pdf", "Figure (PDF)"),
    # (a grant writer's review: 75 s with no sign of progress under "slow")
    ("dl_report", "Report folder (zip; about a minute: the download starts when it is built)"),
)

#: Under the downloads: what the page's address keeps (designs/explorer/address.py).
ADDRESS_NOTE = (
    "This page's address holds the design and every control: a reload or a bookmark opens the "
    "same design with the same numbers while this explorer runs (start it with a fixed --port "
    "to keep a bookmark across restarts); a colleague opens it in their own explorer by "
    "putting their address's start (http://127.0.0.1:PORT/) in place of yours. An uploaded "
    "design is not in the address: download its TOML to keep it."
)

CSS = """
.control-error { color: #b00020; font-size: 0.85em; margin: -0.4em 0 0.6em 0; }
.control-error:has(> .shiny-text-output:empty) { display: none; }
.headline { font-size: 1.6em; font-weight: 600; }
.caveat { background: #fff4e5; border-left: 4px solid #f0a020; padding: 0.4em 0.8em; }
.provenance { color: #444; font-size: 0.85em; }
#input-sources { margin-bottom: 0.8em; }
#input-sources summary { cursor: pointer; }
.sidebar .shiny-input-container { margin-bottom: 0.6em; }
.warning-block { background: #fdecea; border-left: 4px solid #b00020; padding: 0.4em 0.8em;
  margin-bottom: 0.6em; }
.warning-block ul, .note-block ul { margin: 0; padding-left: 1.2em; }
.note-block { background: #f3f6f9; border-left: 4px solid #6c7a89; padding: 0.4em 0.8em;
  margin-bottom: 0.6em; }
/* a refused control: every view and download is the last valid design's, so they are greyed
   as while they are recomputed (a review: they stayed at full strength); grey, and faded
   only so far that their text stays at 4.5:1 or more (accessibility reviews: 2.1-2.8:1, then
   at 0.66 the grey source lines 3.3:1 and the task buttons' white on grey 2.8:1; measured
   by tests/explorer/test_accessibility.py) */
body:has(#stale-note) .card { opacity: 0.8; filter: grayscale(1); }
/* and each card's title says so: faded only that far, a card scrolled below the note looked
   current (a diff review) */
body:has(#stale-note) h2.card-header { display: block; }
body:has(#stale-note) h2.card-header::after { content: " (last valid design, not updated)";
  font-weight: normal; }
body:has(#stale-note) .card .btn-primary {
  background-color: #0b5394 !important; border-color: #0b5394 !important; }
/* a view being recomputed (its job queued or running) is greyed the same way, after half a
   second so that a quick update does not flicker (an explorer review: the sample-size card
   kept the previous effect's n at full strength for seconds; Shiny marks such an output
   .recalculating but shows nothing on HTML outputs) */
.card .recalculating { opacity: 0.8; filter: grayscale(1);
  transition: opacity 0.2s ease 0.5s, filter 0.2s ease 0.5s; }
/* the reproducing commands, one a line, scroll inside their box (a review: they ran past its
   edge; wrapped, a small-screen review found them broken mid-option, "--\nseed", and could
   not tell where one ended) */
#command-text { white-space: pre; overflow-x: auto; }
"""

#: The posterior rule's controls show only under that rule (under the test they would set
#: nothing: :data:`designs.explorer.rule_controls.POSTERIOR_ONLY`).
POSTERIOR_SHOWN = "input.rule === 'posterior'"
#: The page's condition for showing the test's looks controls (spending, futility, boundaries
#: at): the looks box holds a number and the rule is the test (the posterior rule stops by its
#: thresholds: :data:`designs.explorer.rule_controls.TEST_LOOKS_ONLY`).
LOOKS_SHOWN = "/[0-9]/.test(input.looks || '') && input.rule !== 'posterior'"
#: A spending gamma's box (hsd: -10 to 5).
GAMMA = {"min": -10, "max": 5, "step": 0.5}


def _read_with(name: str) -> str:
    """The page's condition for showing the box of ``interim.<name>``: the families that read
    it (:data:`designs.spec.interim.READ_ONLY_WITH`), e.g. ``["hsd"].includes(input.futility)``."""
    family, readers = READ_ONLY_WITH[name]
    return f"{json.dumps([r.value for r in readers])}.includes(input.{family})"


def _with_error(cid: str, control) -> list:
    """A control and, beneath it, the place for the library's message about it."""
    return [control, ui.div(ui.output_text(f"err_{cid}", inline=True), class_="control-error")]


def _number(cid: str, value, label: str | None = None, **kw):
    return _with_error(cid, ui.input_numeric(cid, label or _LABELS[cid], value, **kw))


#: The select and radio controls' values and labels (choices.py, which also checks them).
OPTIONS = options()


def spending_choices(current: str) -> list[str]:
    """The spending families the page offers: "user" needs ``interim.user_spending``, which
    has no control, so only a design that has it (an uploaded file) offers it (a review:
    choosing it could only be refused)."""
    return [x.value for x in Spending if x is not Spending.USER or current == x.value]


def _select(cid: str, choices, value):
    return _with_error(cid, ui.input_select(cid, _LABELS[cid], choices, selected=value))


def sidebar(design, designs: list[str]):
    """The controls, at ``design``'s values."""
    v = base_values(design)
    return ui.sidebar(
        ui.input_select("design", "Design from the library", designs, selected="default"),
        ui.input_file("upload", "or upload a design (TOML)", accept=[".toml"], multiple=False),
        ui.div(ui.output_text("err_upload", inline=True), class_="control-error"),
        *_number("n", v["n"], min=2, step=1),
        ui.input_radio_buttons(
            "size_mode",
            # named for a screen reader (an accessibility review: an empty label), not shown
            ui.span("Patients counted", class_="visually-hidden"),
            OPTIONS["size_mode"],
            selected=v["size_mode"],
            inline=True,
        ),
        *_number("allocation", v["allocation"], min=0, step=0.5),
        *_select("effect_kind", OPTIONS["effect_kind"], v["effect_kind"]),
        *_number(
            "effect",
            v["effect"],
            label=effect_label(v["effect_kind"]),
            step=effect_step(v["effect_kind"]),
        ),
        *_number("onset", v["onset"], min=0, step=1),
        *_number("duration", v["duration"], min=1, step=1),
        *_number("interval", v["interval"], min=0.25, step=0.25),
        *_number("dropout12", v["dropout12"], min=0, max=99, step=0.1),
        *_number("informative", v["informative"], min=0, step=0.5),
        *_number("death", v["death"], min=0, step=0.1),
        *_number("lead_in", v["lead_in"], min=0, step=1),
        *_number("accrual", v["accrual"], min=0.1, step=0.1),
        *_number("delta_fs_min", v["delta_fs_min"], min=0, step=0.1),
        *_select("analysis", OPTIONS["analysis"], v["analysis"]),
        *_number("alpha", v["alpha"], min=0.001, max=0.5, step=0.001),
        *_select("sides", OPTIONS["sides"], v["sides"]),
        *_select("rule", OPTIONS["rule"], v["rule"]),
        ui.panel_conditional(
            POSTERIOR_SHOWN,
            *_select("prior", OPTIONS["prior"], v["prior"]),
            ui.panel_conditional(
                "input.prior === 'robust'",
                *_number("prior_weight", v["prior_weight"], min=0, max=1, step=0.05),
            ),
            *_number("threshold", v["threshold"], min=0.5, max=0.9999, step=0.005),
            # (a review: visible under the test, where every value was refused)
            *_number("futility_predictive", v["futility_predictive"], min=0, max=0.99, step=0.05),
        ),
        *_with_error(
            "looks",
            ui.input_text("looks", _LABELS["looks"], v["looks"], placeholder="none (e.g. 0.5, 1)"),
        ),
        # the looks' own controls show once there are looks (a note: without looks a chosen
        # spending or "Boundaries at" was shown, accepted and ignored)
        ui.panel_conditional(
            LOOKS_SHOWN,
            *_select("spending", spending_choices(v["spending"]), v["spending"]),
            # a parameter box shows under the families that read it (its value goes back to
            # the default when another family is chosen: server._family_reset)
            ui.panel_conditional(_read_with("gamma"), *_number("gamma", v["gamma"], **GAMMA)),
            *_select("futility", OPTIONS["futility"], v["futility"]),
            ui.panel_conditional(
                _read_with("futility_gamma"),
                *_number("futility_gamma", v["futility_gamma"], **GAMMA),
            ),
            ui.panel_conditional(
                _read_with("futility_cp"),
                *_number("futility_cp", v["futility_cp"], min=0.01, max=0.99, step=0.01),
            ),
            *_select("information", OPTIONS["information"], v["information"]),
        ),
        *_number("seed", v["seed"], min=0, max=MAX_SEED, step=1),
        *_number("trials", DEFAULT_TRIALS, min=10, max=MAX_PAGE_TRIALS, step=10),
        ui.div(ui.output_text("err_", inline=True), class_="control-error"),
        width=340,
        # on a phone the controls open over the results from a button at the top (reviews:
        # always open, bslib put them after some 6,000 px of results); on a wider screen
        # they are shown, and can be folded away to give the results the width (a
        # small-screen review: at 683-1024 px the 340 px of controls could not be closed)
        open={"desktop": "open", "mobile": "closed"},
        class_="sidebar",
    )


def _header(text: str):
    """A card's title as a heading (a screen reader jumps between headings; an accessibility
    review: the page's only heading was its title)."""
    return ui.card_header(text, container=ui.tags.h2)


def _quiet(output):
    """``output`` without Shiny's polite live region: each update would be read whole (an
    accessibility review: one change of the effect read out some 5,800 characters from
    seven regions); the page's one short announcement (``announce``) says what changed."""
    output.attrs["aria-live"] = "off"
    return output


#: The tab's icon, inline so that no request goes out for it (the browser asked for
#: /favicon.ico and got a 404 on every load): two declining lines from one start, placebo
#: steeper (grey), active flatter (blue).
FAVICON = (
    "data:image/svg+xml,"
    "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' rx='3' fill='white'/%3E"
    "%3Cpath d='M2 3 L14 13' stroke='%23666' stroke-width='2'/%3E"
    "%3Cpath d='M2 3 L14 8' stroke='%230072B2' stroke-width='2'/%3E%3C/svg%3E"
)


def page(design, designs: list[str]):
    """The whole page."""
    return ui.page_sidebar(
        sidebar(design, designs),
        ui.head_content(ui.tags.link(rel="icon", type="image/svg+xml", href=FAVICON)),
        ui.tags.style(CSS + A11Y_CSS),
        ui.tags.script(a11y_script()),
        ui.tags.a("Skip to the controls", href="#design", class_="skip-link"),
        glossary_html(),
        ui.div(_quiet(ui.output_text("status")), id="status-line", class_="provenance"),
        ui.div(ui.output_text("announce"), class_="visually-hidden-live", role="status"),
        ui.output_ui("stale_note"),
        ui.layout_columns(
            ui.card(_header("Power at the chosen size"), _quiet(ui.output_ui("power_view"))),
            ui.card(
                _header("Patients lost, by arm; calendar length"),
                _quiet(ui.output_ui("loss_view")),
            ),
            # side by side from 1200 px only (a small-screen review: from 576 px up the two
            # cards shared what the sidebar left, and the lost patients' table showed none
            # of its numbers at 683 px)
            col_widths={"sm": (12, 12), "xl": (7, 5)},
        ),
        # the n the user came for, right under the power (a small-screen review: it was
        # 2.7-6.5 screens down, below the analyses' comparison)
        ui.card(
            _header("Sample size for 80% and 90% power; power curve over n"),
            _quiet(ui.output_ui("sample_size_view")),
        ),
        ui.card(
            _header("Analyses side by side (same simulated trials)"),
            _quiet(ui.output_ui("analyses_view")),
        ),
        ui.card(
            _header("Interim looks (group-sequential design)"),
            _quiet(ui.output_ui("interim_view")),
            id="interim_card",
        ),
        ui.card(
            _header("On request"),
            ui.layout_columns(
                ui.input_task_button("run_assurance", "Assurance over the phase 2 posterior"),
                ui.input_task_button("run_realism", "Realism sensitivity"),
                col_widths={"sm": (12, 12), "lg": (6, 6)},  # no word broken (a review)
            ),
            _quiet(ui.output_ui("assurance_view")),
            _quiet(ui.output_ui("realism_view")),
        ),
        ui.card(
            _header("Downloads: exactly what the command line writes"),
            ui.div(*[ui.download_button(i, label, class_="m-1") for i, label in DOWNLOADS]),
            ui.p(ADDRESS_NOTE, class_="provenance", id="address-note"),
            ui.tags.pre(_quiet(ui.output_text("command")), id="command-text"),
        ),
        title="ALS trial design explorer",
        fillable=False,
        lang="en",
    )
