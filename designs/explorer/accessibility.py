"""What makes the page usable by keyboard, screen reader, small screen and a decimal comma:
the script and style the layout adds (an accessibility review of the explorer, 2026-12-06).
Nothing here computes or changes a value the user did not type.

- A decimal comma in a number box: Chromium drops it as it is typed in an English page, so
  "2,5" became 25 with no message. Here a comma typed into a box that takes decimals
  becomes a point; in the boxes of whole numbers (patients, seed, trials) a comma can only
  be a thousands separator, which the browser drops ("1,000" is 1000). A pasted number is
  read as a spreadsheet writes it: "2,5" and "1.000,5" with a decimal comma, "1,000.5" and
  "1,000,000" with thousands separators (Chromium read "1,000.5" as 1.0005); in a box of
  whole numbers only groups of three are separators ("1.000" is 1000, "1,5" is 1.5, refused
  as not whole; Chromium dropped the comma: 15).
- A refused value: the box is marked ``aria-invalid`` and described by its message, so a
  screen reader reads the message with the box.
- Focus: a ring of 3:1 contrast or more on every control (the theme's ring was 1.4:1).
- A phone: the controls are folded away behind the sidebar's button, above the results
  (always open, bslib put them after some 6,000 px of results); the link "Skip to the
  controls", shown there, opens them. A wide table scrolls sideways on its own, not its
  card with the text.
"""

from __future__ import annotations

__all__ = ["A11Y_CSS", "WHOLE_NUMBER_CONTROLS", "a11y_script"]

#: The number boxes that take whole numbers only: a comma typed there is a thousands
#: separator, elsewhere a decimal comma.
WHOLE_NUMBER_CONTROLS = ("n", "seed", "trials")

A11Y_CSS = """
/* focus visible on every control at 3:1 or more against white (WCAG 1.4.11); Shiny's radio
   buttons have no class, the file input sits off-screen inside its "Browse..." button, and
   bslib's sidebar handle showed nothing (an accessibility review; Shiny's own rule for a
   radio's focus, a pale halo without outline, is overruled by a more specific selector) */
.form-control:focus, .form-select:focus, .form-check-input:focus,
.shiny-input-container .shiny-options-group input[type=radio]:focus-visible,
.shiny-input-container .shiny-options-group input[type=checkbox]:focus-visible,
.btn:focus-visible, .btn-file:focus-within, a:focus-visible, summary:focus-visible,
body .bslib-sidebar-layout .bslib-sidebar-resize-handle:focus .resize-indicator {
  outline: 3px solid #0b5394; outline-offset: 1px; box-shadow: none;
}
/* the card titles are headings (a screen reader jumps between them), at the theme's size */
h2.card-header { font-size: 1rem; font-weight: 600; margin: 0; }
/* the link to the controls: shown when focused, and always on a narrow screen, where the
   controls are folded away behind the sidebar's button (the script opens them) */
.skip-link { position: absolute; left: -10000px; }
.skip-link:focus { position: static; display: inline-block; margin: 0.3em 0; }
@media (max-width: 575.98px) { .skip-link { position: static; display: inline-block; } }
/* a table wider than its card scrolls sideways on its own, not the whole card with its text
   (an explorer review at 400 px: the analyses' and sample-size cards scrolled as a whole; an
   accessibility review at 1280 px: the interim table's card) */
.table-scroll { overflow-x: auto; }
.visually-hidden-live { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
"""


def a11y_script() -> str:
    """The page's script (plain JavaScript, run once when the page loads)."""
    whole = ", ".join(f'"{cid}"' for cid in WHOLE_NUMBER_CONTROLS)
    return (
        r"""
(function () {
  const WHOLE = new Set([__WHOLE__]);
  function decimalBox(el) {
    return el instanceof HTMLInputElement && el.type === "number" && !WHOLE.has(el.id);
  }
  // a decimal comma typed: a point instead (Chromium would drop it: "2,5" became 25)
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "," && decimalBox(ev.target)) {
      ev.preventDefault();
      document.execCommand("insertText", false, ".");
    }
  }, true);
  // a number pasted with a decimal comma or thousands separators: plain digits and at most
  // one point (the browser would refuse the pasted text, or read "1,000.5" as 1.0005)
  function pastedNumber(text, decimal) {
    const t = text.replace(/[\s']/g, "");  // "1 000,5", "1'000.5": spaces, apostrophes
    const seps = t.match(/[.,]/g) || [];
    const grouped = /^[-+]?\d{1,3}([.,]\d{3})+$/.test(t);
    // a box of whole numbers: groups of three are thousands ("1,000", "1.000"); other
    // text is read as in a decimal box, "1,5" as 1.5, which the box's check refuses as not
    // whole (an explorer review: left to Chromium, which drops the comma, it was 15)
    if (!decimal && grouped) return t.replace(/[.,]/g, "");
    // "1,000,000", "1.000.000": one separator, repeated, groups thousands
    if (grouped && seps.length > 1 && new Set(seps).size === 1) return t.replace(/[.,]/g, "");
    const comma = t.lastIndexOf(","), point = t.lastIndexOf(".");
    if (comma < 0) return t;
    if (point > comma) return t.split(",").join("");  // "1,000.5": commas group thousands
    return t.split(".").join("").replace(",", ".");  // "2,5", "1.000,5": a decimal comma
  }
  document.addEventListener("paste", function (ev) {
    const el = ev.target;
    if (!(el instanceof HTMLInputElement) || el.type !== "number") return;
    const text = (ev.clipboardData || window.clipboardData).getData("text").trim();
    const typed = pastedNumber(text, decimalBox(el));
    if (typed === text) return;
    ev.preventDefault();
    document.execCommand("insertText", false, typed);
  }, true);
  // the link to the controls on a phone, where they are folded away: open them first
  document.addEventListener("click", function (ev) {
    const link = ev.target.closest && ev.target.closest(".skip-link");
    const layout = document.querySelector(".bslib-sidebar-layout");
    if (!link || !layout || !layout.classList.contains("sidebar-collapsed")) return;
    ev.preventDefault();
    layout.querySelector(".collapse-toggle").click();
    setTimeout(function () { document.getElementById("design").focus(); }, 400);
  }, true);
  // once the page is there (this script runs before the cards): the upload's read-only name
  // box is no Tab stop (it does nothing; the "Browse..." button before it is the control)
  function whenLoaded(f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f);
    else f();
  }
  whenLoaded(function () { document.querySelectorAll(".btn-file").forEach(function (b) {
    const box = b.closest(".input-group").querySelector("input[readonly]");
    if (box) box.tabIndex = -1;
  }); });
  // a button of a task ("On request") that had the focus gives it back when the task is
  // done: disabled while it runs, it lost the focus to the page, and the next Tab began at
  // the top (an accessibility review); without scrolling, and only while nothing else took
  // the focus meanwhile (a diff review: a mouse user scrolled away was pulled back)
  whenLoaded(function () { document.querySelectorAll(".bslib-task-button").forEach(function (btn) {
    let held = false;
    new MutationObserver(function () {
      if (btn.disabled) {
        held = held || document.activeElement === btn;
      } else if (held) {
        held = false;
        if (!document.activeElement || document.activeElement === document.body) {
          btn.focus({preventScroll: true});
        }
      }
    }).observe(btn, {attributes: true, attributeFilter: ["disabled"]});
  }); });
  // a refused value: the box is invalid and described by its message (err_<id>)
  $(document).on("shiny:value", function (ev) {  // a jQuery event: not a DOM listener's
    if (!ev.name || !ev.name.startsWith("err_") || ev.name === "err_") return;
    const box = document.getElementById(ev.name.slice(4));
    if (!box) return;
    if (ev.value) {
      box.setAttribute("aria-invalid", "true");
      box.setAttribute("aria-describedby", ev.name);
    } else {
      box.removeAttribute("aria-invalid");
      box.removeAttribute("aria-describedby");
    }
  });
})();
"""
    ).replace("__WHOLE__", whole)
