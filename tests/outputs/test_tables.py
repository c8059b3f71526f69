"""The sample-size table (designs.outputs.tables, designs.outputs.latex): booktabs LaTeX that
fits the page, escapes every text, names the interval of n for what it is, and shows the
fitted power beside the simulated one.

No LaTeX engine is installed where these tests run, so the width is estimated from the
printed characters of each column (see ``_printed_width``)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from designs import __version__
from designs.outputs.latex import TABCOLSEP_PT, tex_escape
from designs.outputs.rates import rate_cell
from designs.outputs.tables import sample_size_table
from designs.planning.sample_size import SampleSizeResult, SampleSizeRow
from designs.spec import load_design

# A newline in a design name is refused by the design (issue 21), so the hostile name here
# carries only printable LaTeX specials; tex_escape's handling of newlines is tested apart.
HOSTILE = "CL2020 \\input{/etc/passwd} $x^2$ ~ {a} & 50% #1 a_b | <c>"

#: 6.5 in at 72.27 pt/in: the text width the table must fit (1-inch margins on US letter).
TEXT_WIDTH_PT = 6.5 * 72.27


def _row(target, n, *, size_name="n_per_arm", low=None, high=None, screened=1.0, reached=True):
    """A row as find_sample_size makes it; the values are wide on purpose (4-5 digit n)."""
    return SampleSizeRow(
        target_power=target,
        size_name=size_name,
        n=n,
        n_estimate=n - 0.4,
        n_low=n - 1234 if low is None else low,
        n_high=n + 1234 if high is None else high,
        n_placebo=n if size_name == "n_per_arm" else n // 3,
        n_active=n if size_name == "n_per_arm" else n - n // 3,
        n_total=2 * n if size_name == "n_per_arm" else n,
        power=0.7931,
        mc_se=0.0091,
        fitted_power=0.8004,
        confirmed_power=0.8112,
        confirmed_mc_se=0.0088,
        expected_completers=12345.6,
        screened_per_enrolled=screened,
        failed_fits=0,
        reached=reached,
        analysis="lmm_slope",
        effect_points_per_month=0.125,
        alpha=0.05,
        sides=2,
        trials=2000,
        seed=20261125,
        version=__version__,
    )


def _result(rows):
    return SampleSizeResult(
        rows=tuple(rows),
        curve=None,
        coef=(0.0, 0.0),
        design_toml="",
        analysis="lmm_slope",
        trials=2000,
        seed=20261125,
    )


@pytest.fixture(scope="module")
def hostile_design():
    return load_design().with_overrides({"trial.name": HOSTILE})


# --------------------------------------------------------------------------- width


def _cmr10_widths():
    """Advance widths (pt) of Computer Modern Roman at 10 pt, measured from the cmr10.ttf that
    matplotlib ships (BaKoMa fonts, TeX's cmr10 metrics); the en-dash, absent from that font,
    is TeX's ``--`` ligature of cmr10, 0.5 em = 5 pt."""
    import os

    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(fname=os.path.join(matplotlib.get_data_path(), "fonts/ttf/cmr10.ttf"))
    font.set_size(10)
    measure = TextToPath()
    chars = [chr(c) for c in range(32, 127)]
    widths = {c: measure.get_text_width_height_descent(c, font, ismath=False)[0] for c in chars}
    widths["\u2013"] = 5.0
    return widths


_WIDTHS = _cmr10_widths()


def _char_pt(c: str) -> float:
    """Width of one printed character; a character outside the table counts as 10.3 pt (the
    widest glyph of cmr10, W)."""
    return _WIDTHS.get(c, 10.3)


_UNESCAPE = [
    (r"\textbackslash{}", "\\"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    (r"\textless{}", "<"),
    (r"\textgreater{}", ">"),
    (r"\textbar{}", "|"),
    (r"\&", "&"),
    (r"\%", "%"),
    (r"\$", "$"),
    (r"\#", "#"),
    (r"\_", "_"),
    (r"\{", "{"),
    (r"\}", "}"),
    ("---", "\u2014"),
    ("--", "\u2013"),
]


def _printed(cell: str) -> str:
    """What LaTeX prints for an escaped text cell."""
    for tex, char in _UNESCAPE:
        cell = cell.replace(tex, char)
    return cell.strip()


def _printed_width(tex: str) -> float:
    """Width of the tabular in pt: per column, its widest cell plus 2 x \\tabcolsep."""
    body = tex[tex.index("\\toprule") : tex.index("\\bottomrule")]
    widths: dict[int, float] = {}
    spans = []
    for line in body.split("\n"):
        if not line.endswith("\\\\"):
            continue  # rules
        col = 0
        for cell in line[: -len("\\\\")].split(" & "):
            m = re.fullmatch(r"\s*\\multicolumn\{(\d+)\}\{c\}\{(.*)\}\s*", cell)
            k, text = (int(m.group(1)), m.group(2)) if m else (1, cell)
            w = sum(_char_pt(c) for c in _printed(text))
            if k == 1:
                widths[col] = max(widths.get(col, 0.0), w)
            else:
                spans.append((col, k, w))
            col += k
    for col, k, w in spans:  # a spanning header wider than its columns widens the last one
        inner = sum(widths[c] for c in range(col, col + k)) + 2 * TABCOLSEP_PT * (k - 1)
        widths[col + k - 1] += max(0.0, w - inner)
    return sum(widths.values()) + 2 * TABCOLSEP_PT * len(widths)


@pytest.mark.parametrize(
    "rows",
    [
        [_row(0.8, 12345), _row(0.9, 23456)],
        [_row(0.8, 30000, reached=False, high=-1), _row(0.95, 12345, screened=12.34)],
        [
            _row(0.8, 12345, size_name="n_total", screened=3.21),
            _row(0.9, 23456, size_name="n_total"),
        ],
    ],
    ids=["1:1", "not reached, screening", "unequal, screening"],
)
def test_latex_table_fits_six_and_a_half_inches(rows, hostile_design):
    tex = sample_size_table(_result(rows), hostile_design, "latex")
    width = _printed_width(tex)
    assert 200 < width <= TEXT_WIDTH_PT, width


def test_width_estimate_can_fail():
    """The estimate sees a column that is too wide (so the fit test can fail)."""
    wide = "\\toprule\n" + " & ".join(["0.793 (0.0091) and more"] * 8) + " \\\\\n\\bottomrule"
    assert _printed_width(wide) > TEXT_WIDTH_PT


# --------------------------------------------------------------------------- form and escaping


def test_latex_uses_booktabs_en_dashes_and_notes_below(hostile_design):
    tex = sample_size_table(_result([_row(0.8, 183, low=164, high=201)]), hostile_design, "latex")
    assert "\\hline" not in tex
    top, mid, bottom = (tex.index(r) for r in ("\\toprule", "\\midrule", "\\bottomrule"))
    assert top < mid < bottom
    assert "164--201" in tex
    caption = re.search(r"\\caption\{(.*)\}\n", tex).group(1)
    assert tex.index("\\caption") < tex.index("\\begin{tabular}")
    assert len(_printed(caption).split()) <= 30  # a short caption ...
    notes = tex[tex.index("\\end{tabular}") : tex.index("\\end{table}")]
    assert "seed 20261125" in notes and __version__ in notes  # ... and the notes below
    assert "not inflated for dropout" in notes
    # a range in the notes too (a grant review: "92-99\%" with a hyphen)
    assert "92--99\\%" in " ".join(notes.split()) and "92-99" not in notes
    assert tex.split("\n")[0].startswith("% ") and "booktabs" in tex.split("\n")[0]
    assert tex.split("\n")[1].startswith("\\begin{table}")


def test_latex_escapes_every_text(hostile_design):
    tex = sample_size_table(_result([_row(0.8, 183)]), hostile_design, "latex")
    assert "\\input" not in tex
    assert "\n\n" not in tex  # the newlines of the name ended no paragraph
    caption = re.search(r"\\caption\{(.*)\}\n", tex).group(1)
    flat_name = " ".join(HOSTILE.split())
    assert flat_name in _printed(caption)
    # once the escapes are taken out, no character with a meaning in LaTeX is left
    stripped = caption
    for t, _ in _UNESCAPE:
        stripped = stripped.replace(t, "")
    assert not set(stripped) & set("\\{}$&%#_~^<>|"), stripped
    for line in tex.split("\n"):  # every line is a comment or has balanced braces
        if not line.startswith("%"):
            clean = re.sub(r"\\[{}]", "", line)
            assert clean.count("{") == clean.count("}"), line


def test_tex_escape_round_trips():
    text = "a\\b&c%d$e#f_g{h}i~j^k<l>m|n\u2013o"
    assert _printed(tex_escape(text)) == text
    # the tool's notes set exponents as superscripts (a protocol writer's review: a literal
    # caret in "1/SE^2"); a caret not before a number stays literal
    notes = tex_escape("1/SE^2, (points/month)^-2, a^b", exponents=True)
    assert notes == "1/SE$^{2}$, (points/month)$^{-2}$, a\\textasciicircum{}b"
    # the signs a rate cell holds at its edges become math mode: ASCII for pdflatex
    for cell in (rate_cell(1.0, 0.0, 3000), rate_cell(0.0, 0.0, 3000)):
        tex = tex_escape(cell)
        assert tex.isascii() and ("$\\geq$" in tex or "$\\leq$" in tex), tex
    assert tex_escape("a \u00b1 b \u00d7 c \u2212 d \u2248 e") == (
        "a $\\pm$ b $\\times$ c $-$ d $\\approx$ e"
    )
    assert tex_escape("one\ntwo\t three") == "one two three"


# --------------------------------------------------------------------------- honest labels


def test_interval_of_n_is_named_monte_carlo_everywhere(hostile_design):
    result = _result([_row(0.8, 183, low=164, high=201)])
    for fmt in ("md", "latex"):
        text = " ".join(sample_size_table(result, hostile_design, fmt).split())
        assert "Monte Carlo interval of the estimate of n" in text, fmt
        assert "not uncertainty about the true n" in text, fmt
    header = sample_size_table(result, hostile_design, "csv").split("\n")[0].split(",")
    assert "n_per_arm_mc_low" in header and "n_per_arm_mc_high" in header
    assert "not uncertainty about the true n" in result.rows[0].to_dict()["n_interval"]


def test_fitted_power_beside_simulated(hostile_design):
    result = _result([_row(0.8, 183)])
    md = sample_size_table(result, hostile_design, "md")
    header, _, row = md.split("\n")[:3]
    cells = dict(zip(header.split(" | "), row.split(" | "), strict=True))
    assert cells["fitted power at n"] == "0.800"
    # the MC SE to two significant digits (it printed 0.009 for 0.0091)
    assert cells["simulated power, same trials (MC SE)"] == "0.793 (0.0091)"
    tex = sample_size_table(result, hostile_design, "latex")
    assert "fitted & same trials & fresh trials" in tex
    assert "& 0.800 & 0.793 (0.0091) & 0.811 (0.0088) &" in tex


@pytest.mark.parametrize(
    "stages",
    [
        {},  # a row made without the stage fields: one stage of `trials`
        {"grid_trials": 2000},  # one stage
        {"grid_trials": 2000, "trials": 8000, "refine_trials": 8000},  # two stages
        {"grid_trials": 2000, "refine_trials": 2000},  # two stages with equal trials
    ],
)
def test_csv_gives_each_stages_trials_as_the_json_does(hostile_design, stages):
    """The CSV carries ``grid_trials``, ``trials`` and ``refine_trials`` (always; 0 for one
    stage) with the JSON's values, so two stages with equal trials do not read as one."""
    import csv
    import dataclasses
    import io

    row = dataclasses.replace(_row(0.8, 183), **stages)
    (line,) = csv.DictReader(io.StringIO(sample_size_table(_result([row]), hostile_design, "csv")))
    got = {k: int(line[k]) for k in ("grid_trials", "trials", "refine_trials")}
    want = {k: row.to_dict()[k] for k in got}
    want["grid_trials"] = want["grid_trials"] or row.trials  # 0: unset, one stage
    assert got == want
    assert got["refine_trials"] == stages.get("refine_trials", 0)


def test_bias_beyond_three_mc_se_is_flagged_with_its_likely_causes():
    from designs.outputs.operating_tables import BIAS_NOTE, bias_flag

    assert bias_flag({"bias": 0.010, "bias_mc_se": 0.002}).startswith("; 5.0 MC SE")
    assert bias_flag({"bias": -0.010, "bias_mc_se": 0.002})  # either sign
    assert bias_flag({"bias": 0.005, "bias_mc_se": 0.002}) == ""  # 2.5 SE: noise
    assert bias_flag({"bias": float("nan"), "bias_mc_se": 0.002}) == ""  # joint_rank: no bias
    assert "floor and ceiling" in BIAS_NOTE and "informative" in BIAS_NOTE


def test_realism_table_marks_the_biased_row_and_adds_the_note():
    from designs import load_design
    from designs.outputs.operating_tables import BIAS_NOTE
    from designs.outputs.realism_table import realism_sensitivity_md

    base = {
        "analysis": "lmm_slope", "power_favourable": 0.8, "mc_se": 0.01, "units": "points/month",
        "dropout_placebo": 0.3, "dropout_active": 0.3, "death_placebo": 0.0, "death_active": 0.0,
    }  # fmt: skip
    rows = [
        {**base, "scenario": "as designed", "bias": 0.001, "bias_mc_se": 0.001},
        {**base, "scenario": "informative", "bias": -0.02, "bias_mc_se": 0.001},
    ]
    text = realism_sensitivity_md(rows, load_design("default"), 100, 1000, 1)
    lines = text.splitlines()
    assert [ln for ln in lines if "(*)" in ln and ln.startswith("|")] == [
        ln for ln in lines if ln.startswith("| informative")
    ]
    assert BIAS_NOTE in text
    assert BIAS_NOTE not in realism_sensitivity_md(rows[:1], load_design("default"), 100, 1000, 1)
    # "c per point/month" is defined where a row names it (a protocol writer's review)
    assert "c per point/month" not in text
    rows[1]["scenario"] = "informative dropout, 1 per point/month (assumed)"
    text = realism_sensitivity_md(rows, load_design("default"), 100, 1000, 1)
    assert "multiplied by exp(c x (mean slope - own slope))" in text
    assert "leaves 2.72 times as often; the placebo arm's overall rate" in text
    # a difference of rows is not free of noise (an ADEMP review: the caption read as if it
    # were, and one report's -0.024 was -0.004 on average over 30 seeds)
    assert "less noisy than their MC SEs suggest, not free of noise" in text
    # failed fits beside the power where there are any (an ADEMP review: 246 of 500 unsaid)
    assert "fits failed" not in text
    rows[1] |= {"failed_fits": 246, "trials": 500}
    text = realism_sensitivity_md(rows, load_design("default"), 100, 500, 1)
    assert "| 0.800 (0.010); 246 of 500 fits failed | -0.0200 points/month (*) | n/a |" in text
    # the true value beside the bias (an HTA review: a time course's +0.078 went unsaid)
    rows[1]["true_effect"] = 0.078125
    text = realism_sensitivity_md(rows, load_design("default"), 100, 500, 1)
    assert "| -0.0200 points/month (*) | +0.0781 points/month | 30.0% / 30.0% |" in text
    assert "Bias: the mean estimate minus the true value" in text
    # a curved-decline row says what its curve cannot show, with both sources (a
    # pharmacometrics review: a common symmetric bend leaves the difference unchanged by
    # construction, and read as robustness to decline that accelerates)
    assert "Curved decline" not in text
    rows[1]["scenario"] = "curved decline (curvature 0.3)"
    text = realism_sensitivity_md(rows, load_design("default"), 100, 500, 1)
    assert "accelerates throughout the trial" in text and "is not simulated" in text
    refs = text.split("References:")[1].strip().splitlines()
    assert refs[0].startswith("- Gordon PH") and refs[1].startswith("- Thakore NJ")
    assert refs[1].endswith("doi:10.1002/mus.26042")


def test_tex_escape_turns_line_breaks_into_spaces():
    # a line break in a caption or cell would end a paragraph or a % comment in LaTeX
    from designs.outputs.latex import tex_escape

    out = tex_escape("a\nb\n\n\\immediate\\write18{x}\tc")
    assert "\n" not in out and "\t" not in out
    assert "\\immediate" not in out  # the backslash is escaped, so no command runs


def test_operating_characteristics_count_dropouts_and_deaths_apart():
    """Review finding: the row 'expected dropouts (incl. deaths in the schedule)' held the
    dropouts alone (completers + dropouts + deaths = randomised); it is labelled so now."""
    from designs.outputs.operating_tables import operating_characteristics_md
    from designs.planning.operating import operating_characteristics

    design = load_design("default")
    oc = operating_characteristics(design, 30, 100, 3)
    whole = oc["expected_completers"] + oc["expected_dropouts"] + oc["expected_deaths"]
    assert abs(whole - 60) < 1e-9 and oc["expected_deaths"] > 0
    text = operating_characteristics_md(oc, design)
    assert "expected dropouts (deaths not counted)" in text
    assert "incl. deaths" not in text


def test_operating_characteristics_in_latex_hold_the_markdown_rows():
    """A grant writer's review: the operating characteristics had Markdown and JSON, no LaTeX
    to paste. The booktabs table holds the Markdown table's rows and notes, escaped."""
    from designs.outputs.latex import tex_escape
    from designs.outputs.operating_tables import (
        operating_characteristics_md,
        operating_characteristics_tex,
        operating_rows,
    )
    from designs.planning.operating import operating_characteristics

    design = load_design("default")
    oc = operating_characteristics(design, 30, 100, 3)
    md, tex = operating_characteristics_md(oc, design), operating_characteristics_tex(oc, design)
    rows = operating_rows(oc, design)
    assert len(rows) == 11  # the expected visits the eleventh (an HTA review)
    # the bias with its MC SE and the intervals' coverage (an ADEMP review)
    values = dict(rows)
    assert f"MC SE {oc['bias_mc_se']:.2g}" in values["mean estimate (bias, its MC SE)"]
    assert values["95% confidence intervals holding the true value"].startswith(
        f"{oc['coverage']:.3f} (MC SE "
    )
    for label, value in rows:
        assert f"| {label} | {value} |" in md
        assert f"{tex_escape(label)} & {tex_escape(value)} \\\\" in tex
    assert tex.startswith("% operating characteristics") and "booktabs" in tex.splitlines()[0]
    # both columns wrap, within the line (a paste-ready review: "l" plus 0.6 of the line
    # ran 90 pt past an A4 page with 2.5 cm margins)
    ragged = ">{\\raggedright\\arraybackslash}"
    assert f"\\begin{{tabular}}{{{ragged}p{{0.3\\linewidth}}{ragged}p{{0.6\\linewidth}}}}" in tex
    assert "\\toprule" in tex and "\\usepackage{booktabs,array}" in tex.splitlines()[0]
    assert tex.count("\\begin{") == tex.count("\\end{")  # balanced environments
    assert "80\\% power" in tex and "80% power" not in tex  # escaped
    assert "seed 3" in tex and "lmm\\_slope, alpha 0.05 two-sided" in tex
    # a paste-ready review: "effect 0.25 fraction = +0.125 points/month"
    power_row = dict(rows)["power at the design effect (favourable)"]
    assert "effect a 25% slowing of the decline (+0.125 points/month)" in power_row
    assert "fraction" not in " ".join(v for _, v in rows)
    # a plain-language review: "minimal detectable effect" read as "smaller effects cannot be
    # detected"; the label now says what it is first
    assert "smallest effect with 80% power (minimal detectable effect)" in values
    # under screening a slowing is of the candidates' decline (a consistency review: the
    # rows said "of the decline" for +0.255 points/month, 30% of the admitted patients')
    enriched = load_design("proact_enriched_dfs")
    rows = dict(operating_rows({**oc, "effect": 0.25, "effect_points_per_month": 0.255}, enriched))
    power_row = rows["power at the design effect (favourable)"]
    assert "effect a 25% slowing of the candidates' decline (+0.255 points/month)" in power_row
    # and the candidates to screen for these 60 patients (an HTA review): 60 / 0.7327 (the
    # share the rule admits, by hand in an earlier sitting) = 81.9 -> 82
    assert rows["candidates to screen (expected)"].startswith(
        "82 (1.365 per patient randomised: the delta-FS rule admits 73.3%;"
    )
    assert "candidates to screen (expected)" not in values  # no screening, no row


def test_a_gain_that_rounds_to_zero_has_no_sign():
    """A paste-ready review: the calibrated gain column read "0", "+0.000" and "-0.000"."""
    from designs.outputs.figures_decision import _signed

    assert [_signed(v) for v in (0.0, 1e-5, -1e-5, 0.0123, -0.004)] == [
        "0.000",
        "0.000",
        "0.000",
        "+0.012",
        "-0.004",
    ]


def test_the_posterior_rule_is_stated_with_its_priors_numbers():
    """Review finding: the methods text and tables said 'with the sceptical prior' without its
    SD, which does not follow the design (docs/conventions.md); a protocol needs the number."""
    from designs.outputs.tables import posterior_rule_text, prior_text
    from designs.planning.decision_rule import robust_component_sd

    base = load_design().with_overrides({"decision.rule": "posterior"})
    sceptical = base.with_overrides({"decision.prior": "sceptical"})
    assert "sceptical prior N(0, 0.076^2)" in posterior_rule_text(sceptical)
    assert prior_text(base) == "vague prior N(0, 10^2)"
    robust = base.with_overrides({"decision.prior": "robust", "decision.prior_weight": 0.25})
    sd = robust_component_sd(robust)
    assert prior_text(robust) == (
        f"robust prior (weight 0.25 on phase 2 by proportional transport, 0.75 on N(0, {sd:.3g}^2))"
    )
    assert "0.602" in prior_text(robust)  # as prior_weight.md gives it (it said 0.6 here)
    absolute = robust.with_overrides({"effect.transport": "absolute"})
    assert "phase 2 by absolute transport" in prior_text(absolute)


def test_the_methods_text_writes_out_a_borrowing_prior_as_its_mixture():
    """A review: the phase 2 mixture behind a borrowing prior was in no output, so a protocol
    could not pre-specify it from the report; the methods text now gives its components
    (from the operating characteristics' decision_rule, as power --json gives them)."""
    from designs.analyses.decision import NormalMixture
    from designs.outputs.prior_notes import mixture_text as _mixture_text
    from designs.planning.decision_rule import rule_record

    base = load_design().with_overrides({"decision.rule": "posterior"})
    robust = base.with_overrides({"decision.prior": "robust", "decision.prior_weight": 0.5})
    prior = NormalMixture((0.5, 0.5), (0.2, 0.0), (0.1, 0.6))
    oc = {"decision_rule": rule_record(robust, prior)}
    text = _mixture_text(robust, oc)
    assert "0.500 N(+0.200, 0.100^2) + 0.500 N(+0.000, 0.600^2)" in text
    sceptical = base.with_overrides({"decision.prior": "sceptical"})
    assert _mixture_text(sceptical, {"decision_rule": rule_record(sceptical, prior)}) == ""
    assert rule_record(load_design(), None) == {}  # the frequentist rule


def test_the_notes_say_which_targets_were_refitted():
    """A diff review: the notes said every target's curve was refitted near n where the
    search had kept the curve over every size for some (too few outcomes near n)."""
    from types import SimpleNamespace

    from designs.outputs.tables import refit_words

    rows = [SimpleNamespace(target_power=0.8), SimpleNamespace(target_power=0.99)]
    both = SimpleNamespace(rows=rows, target_spans=((149, 244), (315, 494)))
    one = SimpleNamespace(rows=rows, target_spans=((149, 244), None))
    none = SimpleNamespace(rows=rows, target_spans=(None, None))
    assert refit_words(both) == "refitted on the sizes near n"
    expected = "refitted on the sizes near n for 80%, elsewhere fitted to every size"
    assert refit_words(one) == expected
    assert refit_words(none).startswith("fitted to every size")


@pytest.mark.parametrize("equal", [True, False])
def test_every_sample_size_csv_column_is_explained(equal):
    """A newcomer: `trials` (8000) beside `grid_trials` (2000) said nothing of which trials
    each counts. Every column of the CSV table has its line in the report's README, and the
    glossary names no column the table lacks."""
    from designs.outputs.csv_columns import SAMPLE_SIZE_COLUMNS, columns_markdown
    from designs.outputs.tables import csv_header

    header = csv_header(equal)
    lines = columns_markdown(header)
    assert len(lines) == 2 + len(header)
    for column, line in zip(header, lines[2:], strict=True):
        assert line.startswith(f"| `{column}` | ") and len(line) > len(column) + 20
    size = "n_per_arm" if equal else "n_total"
    named = {k.replace("{size}", size) for k in SAMPLE_SIZE_COLUMNS}
    assert named - set(header) == (set() if equal else {"n_per_arm"})  # no stale line
    assert "`grid_trials`" in next(line for line in lines if line.startswith("| `trials`"))
    # success is the posterior rule's under it: no "significant" in its glossary
    assert "a significant result favouring active" in "\n".join(lines)
    assert "significant" not in "\n".join(columns_markdown(header, posterior=True))


def test_the_prior_line_says_when_a_sceptical_prior_does_not_fit_the_designs_effect():
    """A statistician's review: the sceptical prior's SD (0.076 points/month) is the default
    design's effect over 1.645; a design with another effect kept it silently (0.1% prior
    probability for a 0.24 effect, the rule's power 0.44). The prior line now gives the
    probability and the SD that gives 5%; checked here against scipy.stats.norm."""
    from scipy.stats import norm

    from designs.outputs.console import prior_text as console_prior
    from designs.planning.decision_rule import decision_prior as rule_prior

    base = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "sceptical"}
    )
    assert "prior probability" not in console_prior(base, rule_prior(base))  # 5.0% by design
    big = base.with_overrides({"effect.value": 0.5})  # +0.25 points/month
    text = console_prior(big, rule_prior(big))
    tail = norm.sf(0.25 / 0.076)
    assert f"a prior probability of {tail:.2%}" in text and tail < 0.001
    cited = "(Spiegelhalter, Freedman & Parmar 1994; decision.sceptical_sd ="
    assert f"{cited} {0.25 / norm.isf(0.05):.3g})" in text
    fitted = big.with_overrides({"decision.sceptical_sd": 0.25 / norm.isf(0.05)})
    assert "prior probability" not in console_prior(fitted, rule_prior(fitted))
    small = base.with_overrides({"effect.value": 0.2})  # +0.1: 9.4%, also said
    assert f"{norm.sf(0.1 / 0.076):.2%}" in console_prior(small, rule_prior(small))


def test_under_screening_the_slowing_is_of_the_candidates_decline():
    """A realism review: under delta-FS screening the table said "25% slowing of decline
    (+0.255 points/month)", where +0.255 is 25% of the candidates' decline and 30% of the
    admitted patients'; the caption says whose decline, as the design's line does, and an
    unscreened design keeps "of decline"."""
    from designs.outputs.plotting import effect_text

    screened = load_design("proact_enriched_dfs")
    assert screened.enrichment.active
    rows = [_row(0.8, 300, low=290, high=310)]
    md = sample_size_table(_result(rows), screened, "md")
    assert "25% slowing of the candidates' decline" in md
    plain = sample_size_table(_result(rows), load_design(), "md")
    assert "25% slowing of decline" in plain and "candidates" not in plain
    assert "of the candidates' decline" in effect_text(0.25, "proportional_slowing", -1.0, True)
    assert "candidates" not in effect_text(0.25, "proportional_slowing", -1.0)


def test_a_missed_fresh_check_is_in_the_latex_notes_and_the_csv(hostile_design):
    """A paste-ready review: at 236 per arm the power on fresh trials was 0.892 (MC SE
    0.0035), below 0.90 by more than 2 MC SE; sample_size.md and methods.md warned, the .tex
    the README says to paste did not, nor did the CSV. Both say it now; a row whose check
    passed says nothing."""
    import dataclasses

    passed = _row(0.8, 183)  # 0.8112 (0.0088): 1.3 SE above the target
    missed = dataclasses.replace(_row(0.9, 236), confirmed_power=0.892, confirmed_mc_se=0.0035)
    tex = sample_size_table(_result([passed, missed]), hostile_design, "latex")
    notes = " ".join(tex.split())
    assert "CAUTION: target 0.9: power on fresh trials at n = 236 is 0.892" in notes
    assert "target 0.8:" not in notes
    rows = list(
        csv.DictReader(
            io.StringIO(sample_size_table(_result([passed, missed]), hostile_design, "csv"))
        )
    )
    assert [r["fresh_check_missed"] for r in rows] == ["false", "true"]


def test_captions_name_the_analysis_in_words(hostile_design):
    """A paste-ready review: the LaTeX caption named the analysis by its code name alone."""
    for fmt in ("md", "latex"):
        text = sample_size_table(_result([_row(0.8, 183)]), hostile_design, fmt)
        assert "mixed model of slopes (lmm" in text, fmt
    # and what the effect keeps by the last visit (a plain-language review): 0.125 x 12
    text = sample_size_table(_result([_row(0.8, 183)]), load_design(), "md")
    assert "(lmm_slope); by month 12, the last visit, a mean difference of +1.50 ALSFRS-R" in text


def test_a_time_course_is_named_with_the_effect():
    """A time-course review: the sample-size caption and the operating characteristics named
    a delayed effect as if it were full from randomisation."""
    from types import SimpleNamespace

    from designs.outputs.tables import _effect_text

    late = load_design().with_overrides({"effect.onset_delay_months": 6.0})
    row = SimpleNamespace(effect_points_per_month=0.125)
    assert _effect_text(late, row).endswith("(+0.125 points/month), acting from month 6")
    assert _effect_text(load_design(), row).endswith("(+0.125 points/month)")


def test_candidates_to_screen_repeat_the_lead_in_assumption():
    """A lead-in review: the counts of candidates to screen did not say that nobody is
    assumed lost during the lead-in (the design line did), so they read as enough."""
    from types import SimpleNamespace

    from designs.outputs.tables import screening_note

    rows = [SimpleNamespace(screened_per_enrolled=1.5, n_total=200, target_power=0.8)]
    lead_in = load_design("proact_lead_in").with_overrides({"enrichment.lead_in_decline_min": 1.5})
    note = screening_note(rows, lead_in)
    assert note.startswith("Candidates to screen (expected): 300 for 80%")
    assert "nobody is assumed to leave or die during the 3-month lead-in" in note
    assert "lead-in" not in screening_note(rows, load_design("proact_enriched_dfs"))


def test_the_expected_visits_are_the_scheduled_visits_a_patient_stays_for():
    """An HTA review: visits drive a trial's cost and no output gave them. By hand, with
    exits at 10% by month 1 and 30% by month 2 and no deaths, a patient attends 1 + 0.9 +
    0.7 = 2.6 of 3 visits; on the default design the rows' per-patient figure is the mean
    number of visits from month 0 of a simulated trial of 2,000 patients within 3 Monte
    Carlo SE (the SE from that trial's own per-patient counts)."""
    import numpy as np

    from designs.outputs.operating_tables import _visits_row
    from designs.simulation.engine import simulate_one_trial
    from designs.simulation.inputs import simulation_inputs

    three = load_design().with_overrides(
        {
            "trial.visits_months": [0, 1, 2],
            "dropout.cumulative": [0.0, 0.1, 0.3],
            "dropout.death_monthly_hazard": 0.0,
        }
    )
    label, value = _visits_row({"n_placebo": 50, "n_active": 50}, three)
    assert label == "expected visits from month 0 (both arms)"
    assert value.startswith("260 (2.60 of the 3 scheduled visits per patient randomised")
    design = load_design().with_overrides({"trial.n_per_arm": 1000})
    per_patient = float(_visits_row({"n_placebo": 1, "n_active": 0}, design)[1].split()[1][1:])
    long = simulate_one_trial(simulation_inputs(design), seed=5)
    counts = np.bincount(np.asarray(long["patient"])[np.asarray(long["month"]) >= 0])
    counts = counts[counts > 0]
    assert counts.size == 2000
    se = counts.std(ddof=1) / np.sqrt(counts.size)
    # the row prints 2 decimals: 0.005 of rounding beside 3 MC SE
    assert abs(counts.mean() - per_patient) < 3 * se + 0.005, (counts.mean(), per_patient, se)


def test_latex_sets_a_negative_number_with_a_minus_sign():
    """A paste-ready review: "(-0.0038" printed with a hyphen; words, ranges, dates and
    exponents keep theirs."""
    from designs.outputs.latex import tex_escape

    assert tex_escape("bias -0.0038 (MC SE 0.0030)") == "bias $-$0.0038 (MC SE 0.0030)"
    assert tex_escape("(-0.5 points/month)") == "($-$0.5 points/month)"
    # and a whole number, which may be a user's name (a diff review: "Trial -1")
    for kept in ("0.96-0.98", "2026-12-08", "ALSFRS-R", "delta-FS 0.4", "x - 3", "Trial -1"):
        assert tex_escape(kept) == kept
    assert tex_escape("(points/month)^-2", exponents=True) == "(points/month)$^{-2}$"
