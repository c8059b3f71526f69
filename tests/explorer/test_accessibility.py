"""An accessibility review of the explorer (2026-12-06): a decimal comma that became a tenfold
value, a screen reader flooded by every view at each change and unable to jump between
cards, refused boxes not tied to their message, a faint focus ring, controls out of reach on a
narrow screen, a routine note in the red warning block, a label that did not follow the unit,
and a note that told page users of a command-line option. The page's HTML is checked without
a browser; the script's behaviour in headless Chromium."""

from __future__ import annotations

import html as html_text
import time
from pathlib import Path

import pytest

from designs.explorer import compute, layout, views
from designs.explorer.controls import DEFAULT_TRIALS
from designs.explorer.server import Request
from designs.explorer.units import effect_label
from tests.explorer.page_timeouts import FIRST_LOAD_MS

SEED = 9
TRIALS = 40


def test_the_page_is_english_with_headed_cards_and_one_live_region(base):
    page = str(layout.page(base, ["default"]))
    assert '<html lang="en"' in page
    for title in ("Power at the chosen size", "Interim looks (group-sequential design)"):
        assert f'<h2 class="card-header">{title}</h2>' in page
    # the views are quiet; one short region announces the power
    for view in ("power_view", "loss_view", "analyses_view", "interim_view", "sample_size_view"):
        assert f'id="{view}" aria-live="off"' in page or f'aria-live="off" id="{view}"' in page
    assert 'role="status"' in page and 'id="announce"' in page
    assert 'href="#design"' in page and "Skip to the controls" in page
    assert "outline: 3px solid #0b5394" in page  # the focus ring (7.6:1 against white)
    assert '<span class="visually-hidden">Patients counted</span>' in page  # the radio group


def test_notes_on_comparison_analyses_are_apart_from_warnings(base):
    """The note on ols_slope_ttest (a comparison analysis) sat in the red block of every
    default view; it is grey now, while a note on the trial's own analysis (a harm, a bias,
    a LIBERAL test) stays red (a diff review: all "note:" lines had gone grey)."""
    lines = ["note: the effect is a harm", "note: ols_slope_ttest is conservative"]
    html = str(views.warnings_html(lines, "w", quiet=lines[1:]))
    warning, note = html.index("warning-block"), html.index("note-block")
    assert warning < html.index("a harm") < note < html.index("is conservative")
    assert "note-block" not in str(views.warnings_html(lines, "w"))
    harm = base.with_overrides({"trial.n_per_arm": 20, "effect.value": -0.25})
    view = compute.power_view(harm, SEED, TRIALS)
    req = Request("default", base, harm, SEED, TRIALS)
    page = str(views.power_html(req, view))
    # the trial's own analysis's notes stay in the power card, red; the comparison
    # analysis's note is grey under the analyses table, beside its row
    assert "harm" in page[page.index("warning-block") :] and "note-block" not in page
    assert "ols_slope_ttest under attrition" not in page
    table = str(views.analyses_html(req, view))
    grey = table[table.index("note-block") :]
    assert "warning-block" not in table
    assert table.index('id="analyses-table"') < table.index("note-block")
    assert "ols_slope_ttest under attrition" in grey.split("</div>")[0]


def test_the_announcement_is_the_headline_in_one_sentence(base):
    design = base.with_overrides({"trial.n_per_arm": 20})
    view = compute.power_view(design, SEED, TRIALS)
    s = view.summaries["lmm_slope"]
    text = views.power_announcement(Request("default", base, design, SEED, TRIALS), view)
    assert text.startswith(f"Power: {s.power_favourable:.3f} (Monte Carlo SE ")
    assert "lmm_slope, n = 20 per arm (40 randomised)." in text and len(text) < 120
    # looks 0.5, 1 are one interim look and the final one (an explorer review: "with 2
    # interim looks")
    from dataclasses import replace
    from types import SimpleNamespace

    gs = SimpleNamespace(
        looks=(0.5, 1.0), power_favourable=0.8, mc_se_favourable=0.01, trials=40, failed_fits=0
    )
    looked = views.power_announcement(
        Request("default", base, design, SEED, TRIALS), replace(view, sequential=gs)
    )
    assert looked.startswith("Power with 1 interim and a final look: 0.800")


def test_the_robust_prior_note_names_the_pages_control(base):
    design = base.with_overrides(
        {
            "trial.n_per_arm": 20,
            "decision.rule": "posterior",
            "decision.prior": "robust",
            "decision.prior_weight": 0.0,
        }
    )
    view = compute.power_view(design, SEED, TRIALS)
    html = html_text.unescape(
        str(views.power_html(Request("default", base, design, SEED, TRIALS), view))
    )
    assert 'a value above 0 in "Weight on phase 2" borrows' in html
    assert "--prior-weight" not in html
    # the unit-information SD moves with the design, as the command line says (a
    # non-programmer's review: the page did not)
    from designs.outputs.prior_notes import robust_sd_note

    # weight 0 is the vague prior (a diff review: the unit-information line beside the
    # N(0, 10^2) in use); between 0 and 1 the robust component is unit information
    assert robust_sd_note(design) == "" and 'id="robust-sd"' not in html
    borrowing = design.with_overrides({"decision.prior_weight": 0.5})
    assert robust_sd_note(borrowing).startswith("robust component N(0, 0.")
    stated = borrowing.with_overrides({"decision.robust_sd": 0.5})  # a protocol's own value
    assert robust_sd_note(stated) == ""


def test_the_effect_label_follows_its_kind():
    assert effect_label("proportional_slowing") == "Effect (% slowing of the decline)"
    assert effect_label("slope_difference") == "Effect (points/month, active minus placebo)"


@pytest.mark.slow  # about 20 s: a server and two page updates
def test_commas_refusals_and_the_announcement_in_the_browser(page):
    page.wait_for_selector("#power-value")
    effect = page.locator("#effect")
    effect.fill("")
    effect.press_sequentially("2,5")  # a decimal comma: Chromium alone makes it 25
    assert effect.input_value() == "2.5"
    effect.fill("")
    page.evaluate(
        """() => { const el = document.getElementById('effect'); el.focus();
        const data = new DataTransfer(); data.setData('text/plain', '3,5');
        el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                       cancelable: true})); }"""
    )
    assert effect.input_value() == "3.5"
    n = page.locator("#n")
    n.fill("")
    n.press_sequentially("1,000")  # in a box of whole numbers: a thousands separator
    assert n.input_value() == "1000"
    n.fill("100")
    effect.fill("25")
    effect.press("Tab")
    assert page.locator("label[for=effect]").inner_text() == "Effect (% slowing of the decline)"
    alpha = page.locator("#alpha")
    alpha.fill("0.6")
    alpha.press("Tab")
    page.wait_for_function("document.getElementById('alpha').getAttribute('aria-invalid')")
    assert alpha.get_attribute("aria-describedby") == "err_alpha"
    assert "must be in (0, 0.5]" in page.inner_text("#err_alpha")
    alpha.fill("0.05")
    alpha.press("Tab")
    page.wait_for_function("!document.getElementById('alpha').hasAttribute('aria-invalid')")
    deadline = time.monotonic() + 120
    while not page.inner_text("#announce").startswith("Power: "):
        assert time.monotonic() < deadline, page.inner_text("#announce")
        time.sleep(0.2)
    assert "n = 100 per arm" in page.inner_text("#announce")


#: (box, text pasted, the box's value): a decimal box reads a comma as a spreadsheet does
#: (an explorer review: "1,000.5" became 1.0005); a box of whole numbers takes only groups
#: of three as separators (so "1,5" is 1.5, refused as not whole, not 15). None: the text
#: is left to the browser (a plain number).
PASTES = [
    ("effect", "2,5", "2.5"),
    ("effect", "1,000.5", "1000.5"),
    ("effect", "1.000,5", "1000.5"),
    ("effect", "1,000,000", "1000000"),
    ("effect", "-0,25", "-0.25"),
    ("effect", "12.5", None),
    ("accrual", "1 000,5", "1000.5"),
    ("n", "1,000", "1000"),
    ("n", "1.000", "1000"),
    ("n", "1,5", "1.5"),  # refused as not whole (Chromium alone made it 15)
    ("trials", "2,5", "2.5"),
    ("seed", "20,261,125", "20261125"),
]


@pytest.mark.slow  # a server and a page
def test_a_pasted_number_is_read_as_a_spreadsheet_writes_it(page):
    page.wait_for_selector("#power-value")
    paste = """([id, text]) => { const el = document.getElementById(id); el.value = ""; el.focus();
        const data = new DataTransfer(); data.setData('text/plain', text);
        const ev = new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                cancelable: true});
        el.dispatchEvent(ev);  // a script's event: only the page's own handler inserts text
        return ev.defaultPrevented ? el.value : null; }"""
    got = [(box, text, page.evaluate(paste, [box, text])) for box, text, _ in PASTES]
    assert got == PASTES
    for box, value in (
        ("effect", "25"),
        ("accrual", "8"),
        ("n", "100"),
        ("seed", "20261125"),
        ("trials", str(DEFAULT_TRIALS)),
    ):
        page.locator(f"#{box}").fill(value)  # the page as it was, for the tests after this one


def test_the_loss_card_relates_its_dropout_figures(base):
    """The Dropout control (leaving alive, were no one to die), the design line's "gone by
    month 12" (both) and the table's simulated shares were three figures with nothing to
    relate them (an accessibility review)."""
    design = base.with_overrides({"trial.n_per_arm": 20})
    view = compute.power_view(design, SEED, TRIALS)
    html = html_text.unescape(
        str(views.loss_html(Request("default", base, design, SEED, TRIALS), view))
    )
    assert "who left alive, or died, before their last visit (month 12)" in html
    assert "\u201cgone by month 12\u201d counts both" in html


def test_the_glossary_explains_the_pages_words(base):
    """An accessibility review: MC SE, REML, Kenward-Roger, MCAR, delta-FS, information
    fraction, alpha spending and non-binding futility were nowhere explained on the page."""
    from designs.explorer.glossary import GLOSSARY

    page = str(layout.page(base, ["default"]))
    assert '<details id="glossary">' in page
    terms = " ".join(term for term, _ in GLOSSARY)
    for word in ("MC SE", "REML", "Kenward-Roger", "MCAR", "delta-FS", "information fraction",
                 "alpha spending", "non-binding futility", "ALSFRS-R", "assurance",
                 # a non-programmer's review: these were unexplained too
                 "oracle test", "common random numbers", "Wilson", "E[n total]", "inflation",
                 "nominal p", "gamma", "cp futility", "effective sample size",
                 # a grant writer's review: how to simulate an effect from month 3
                 "starts late or wanes"):  # fmt: skip
        assert word in terms, word
        assert f"<dt>{next(t for t, _ in GLOSSARY if word in t)}</dt>" in page


def test_on_a_phone_the_controls_open_above_the_results(browser, server):
    """Reviews: at 400 px the controls came after some 6,000 px of results. On a narrow
    screen they are folded behind the sidebar's button at the top, and the skip link opens
    them and puts the focus on the first control; on a wide screen they are shown (and can be
    folded away)."""
    phone = browser.new_page()  # (a persistent context: the size is set per page)
    phone.set_viewport_size({"width": 400, "height": 900})
    try:
        phone.set_default_timeout(60_000)
        phone.goto(server.url)
        phone.wait_for_selector("#power-value", timeout=FIRST_LOAD_MS)
        assert not phone.locator("#design").is_visible()  # folded away
        toggle = phone.locator(".collapse-toggle")
        assert toggle.is_visible() and toggle.bounding_box()["y"] < 200  # at the top
        # a wide table scrolls on its own, not its card with the text (a review at 400 px)
        phone.wait_for_selector("#analyses-table", timeout=FIRST_LOAD_MS)
        widths = phone.evaluate(
            """() => [...document.querySelectorAll('.card-body')].map(
                   el => el.scrollWidth - el.clientWidth)"""
        )
        assert max(widths) <= 1, widths
        # its own box is the scroller (view_parts.data_table), at any width of the screen
        table = phone.locator(".table-scroll:has(> #analyses-table)")
        assert table.evaluate("el => el.scrollWidth > el.clientWidth")
        assert table.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        phone.click(".skip-link")
        phone.wait_for_function("document.activeElement.id === 'design'")
        assert phone.locator("#design").is_visible()
    finally:
        phone.close()
    wide = browser.new_page()
    wide.set_viewport_size({"width": 1400, "height": 900})
    try:
        wide.goto(server.url)
        wide.wait_for_selector("#design")
        assert wide.locator("#design").is_visible()
        assert wide.locator(".skip-link").bounding_box()["x"] < 0  # off screen until focused
    finally:
        wide.close()


#: tests/explorer/text_contrast.js: the page's card texts and their contrast, faded or not.
TEXT_CONTRAST = "\n".join(
    line
    for line in Path(__file__).with_name("text_contrast.js").read_text().splitlines()
    if not line.startswith("//")
)
#: The focus ring's colour (#0b5394, 7.6:1 against white).
RING = "rgb(11, 83, 148)"


@pytest.mark.slow  # a server and a page
def test_every_control_shows_its_focus(page):
    """An accessibility review: Shiny's radio buttons (no class), the file input (off-screen
    inside its "Browse..." button) and bslib's sidebar handle showed no focus ring, and the
    upload's read-only name box was a Tab stop that did nothing."""
    page.wait_for_selector("#power-value")
    ring = "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineColor]"
    page.locator("#n").focus()
    page.keyboard.press("Tab")  # as a keyboard user reaches the radio buttons (:focus-visible)
    radio = page.locator("input[name=size_mode]:focus")
    assert radio.count() == 1 and radio.evaluate(ring) == ["solid", RING]
    page.locator("#upload").focus()
    assert page.locator(".btn-file").evaluate(ring) == ["solid", RING]
    handle = page.locator(".bslib-sidebar-resize-handle")
    if handle.count():  # bslib draws it on a wide screen
        handle.focus()  # bslib draws its ring on the indicator inside (a pale halo before)
        page.wait_for_function(  # after bslib's transition of the indicator
            "getComputedStyle(document.querySelector('.resize-indicator')).opacity === '1'"
        )
        assert handle.locator(".resize-indicator").evaluate(ring) == ["solid", RING]
    box = ".input-group:has(#upload) input[readonly]"
    assert page.locator(box).evaluate("el => el.tabIndex") == -1


@pytest.mark.slow  # a server and a page
def test_faded_views_keep_their_text_readable(page):
    """An accessibility review: greyed as the last valid design's (a refused control), the
    grey source lines fell to 3.3:1 and the task buttons' white on grey to 2.8:1, where the
    page's comment promised 4.5:1. Every text of every card keeps 4.5:1 (3:1 when large)."""
    page.wait_for_selector("#sample-size-lines")
    plain = page.evaluate(TEXT_CONTRAST)
    n = page.locator("#n")
    n.fill("1")
    n.press("Tab")
    try:
        page.wait_for_selector("#stale-note")
        page.wait_for_function("getComputedStyle(document.querySelector('.card')).opacity < 1")
        page.wait_for_function(  # the buttons' colour has its transition (0.15 s)
            "getComputedStyle(document.getElementById('run_assurance')).backgroundColor"
            " === 'rgb(11, 83, 148)'"
        )
        faded = page.evaluate(TEXT_CONTRAST)
        # each card's title says so (a diff review: faded to 0.8 they looked current)
        after = page.evaluate(
            "getComputedStyle(document.querySelector('h2.card-header'), '::after').content"
        )
    finally:  # the page as it was, for the tests after this one
        n.fill("100")
        n.press("Tab")
    assert len(faded) > 50 and len(faded) == len(plain)  # the same texts, greyed
    low = [r for r in faded if r["ratio"] < r["need"]]
    assert not low, low[:5]
    assert not [r for r in plain if r["ratio"] < r["need"]]  # and at full strength
    assert "last valid design, not updated" in after
    page.wait_for_selector("#stale-note", state="detached")
    page.wait_for_selector("#sample-size-lines")


@pytest.mark.slow  # a server, a page and the realism sensitivity on 40 trials
def test_a_task_gives_back_its_focus_and_says_it_is_done(page):
    """An accessibility review: the "On request" button lost the focus to the page while it
    ran (the next Tab began at the top), its result was read out whole (4,057 characters from
    a polite region), and neither it nor the sample size said when it was done."""
    trials = page.locator("#trials")
    trials.fill("40")
    trials.press("Tab")
    page.wait_for_selector("#power-value[data-trials='40']")
    page.wait_for_function(
        "document.getElementById('announce').innerText.includes('Sample size: n = ')"
    )
    button = page.locator("#run_realism")
    button.focus()
    button.press("Enter")
    page.wait_for_function(
        "document.getElementById('announce').innerText.includes('Realism sensitivity: shown')",
        timeout=180_000,
    )
    page.wait_for_function("document.activeElement.id === 'run_realism'")
    assert page.locator("#realism_view").get_attribute("aria-live") == "off"
    assert page.locator("#assurance_view").get_attribute("aria-live") == "off"
    trials.fill(str(DEFAULT_TRIALS))
    trials.press("Tab")
    page.wait_for_selector(f"#power-value[data-trials='{DEFAULT_TRIALS}']")


@pytest.mark.slow  # a server and a page
def test_a_refused_upload_is_tied_to_the_upload(page, tmp_path):
    """An accessibility review: a refused file's message was tied to the library's select
    (aria-describedby on #design) and the live region kept saying the old power."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[trial]\nn_per_arm = "abc"\n')
    page.set_input_files("#upload", str(bad))
    page.wait_for_function("document.getElementById('upload').getAttribute('aria-invalid')")
    assert page.locator("#upload").get_attribute("aria-describedby") == "err_upload"
    assert "bad.toml: trial.n_per_arm" in page.inner_text("#err_upload")
    assert page.locator("#design").get_attribute("aria-invalid") is None
    page.wait_for_function("document.getElementById('announce').innerText.startsWith('bad.toml: ')")
    # a design chosen from the list: the file's message goes (a diff review: it stayed and
    # led every announcement for good)
    page.select_option("#design", "lead_in")
    page.wait_for_function("!document.getElementById('upload').hasAttribute('aria-invalid')")
    assert page.inner_text("#err_upload") == ""
    page.wait_for_function(
        "!document.getElementById('announce').innerText.includes('bad.toml')"
        " && document.getElementById('announce').innerText.startsWith('Power')"
    )
    page.select_option("#design", "default")


def test_the_glossary_says_assurance_is_not_the_chance_the_drug_works():
    """A plain-language review: "assurance 0.79" read as a 79% chance that CL2020 works."""
    from designs.explorer.glossary import GLOSSARY

    text = dict(GLOSSARY)["assurance, transport"]
    assert "not the chance that the drug works" in text and "face value" in text


def test_every_number_box_holds_its_value_on_its_step():
    """An accrual review: the accrual box (min 0.1, step 1) held 8, which the browser's own
    validation calls a step mismatch (valid values 0.1, 1.1, 2.1, ...), and its arrows went
    8 -> 8.1 -> 9.1; the alpha box (min 0.001, step 0.005) the same with 0.05. A value is
    valid where (value - min) / step is a whole number (HTML's step base is min); also the
    dropout (33.3, step 1), deaths (0.4, step 0.5) and trials (500 from 10, step 100)."""
    import re
    from decimal import Decimal

    from designs.spec import list_designs, load_design

    pages = [str(layout.page(load_design(name), ["default"])) for name in list_designs()]
    boxes = [b for page in pages for b in re.findall(r"<input[^>]*type=\"number\"[^>]*>", page)]
    assert len(boxes) >= 10
    checked = 0
    for box in boxes:
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', box))
        if "step" not in attrs or "value" not in attrs or attrs["step"] == "any":
            continue
        base_value = Decimal(attrs.get("min", "0"))
        steps = (Decimal(attrs["value"]) - base_value) / Decimal(attrs["step"])
        assert steps == steps.to_integral_value(), (attrs["id"], attrs)
        checked += 1
    assert checked >= 10 * len(pages)
