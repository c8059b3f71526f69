"""LaTeX tables: escaping of text and a booktabs table made with pandas ``Styler.to_latex``.

The table needs ``\\usepackage{booktabs}`` in the preamble (its first line says so). Every
text cell, header and the caption pass through :func:`tex_escape`; the notes below the table
too. Nothing here knows about trials: the caller gives the cells as plain text.
"""

from __future__ import annotations

import re

import pandas as pd

#: Characters with a meaning in LaTeX text mode, and what prints them literally. ``<``, ``>``
#: and ``|`` print other glyphs in the default OT1 font encoding; the Unicode dashes become
#: TeX's ligatures, and the mathematical signs the tables use become math mode.
TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\u2013": "--",  # en-dash (ranges)
    "\u2014": "---",  # em-dash
    # mathematical signs, which pdflatex's UTF-8 input does not set up (a review: "(≥ 0.999)"
    # in a rate cell stopped pdflatex with "Unicode character ≥ (U+2265) not set up")
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u00d7": r"$\times$",
    "\u00b1": r"$\pm$",
    "\u2212": "$-$",
    "\u2248": r"$\approx$",
}

#: Space between columns (LaTeX's default is 6 pt); set inside the table only.
TABCOLSEP_PT = 4


def tex_escape(text, exponents: bool = False) -> str:
    """``text`` as LaTeX that prints it literally.

    Runs of white space (newlines and tabs included) become one space: a blank line would
    end the paragraph inside ``\\caption``, and a newline in a ``%`` comment line would turn
    the rest of the text into LaTeX code. With ``exponents`` (the tool's own notes, not a
    user's text), ``^2`` or ``^-2`` is set as a superscript (a protocol writer's review:
    ``1/SE\\textasciicircum{}2`` printed a literal caret). A hyphen before a decimal number
    that is not part of a word or a range is a minus sign, ``$-$``.
    """
    flat = " ".join(str(text).split())
    escaped = "".join(TEX_SPECIALS.get(c, c) for c in flat)
    if exponents:
        escaped = re.sub(r"\\textasciicircum\{\}(-?\d+)", r"$^{\1}$", escaped)
    # a minus sign before a decimal number, not a hyphen (a paste-ready review: "(-0.0038"
    # printed a hyphen); not inside a word, a range such as 0.96-0.98, a date, or a whole
    # number, which may be a user's name ("Trial -1", a diff review)
    return re.sub(r"(?<![\w.{}$-])-(?=\d*\.\d)", "$-$", escaped)


def _cmidrules(columns: pd.MultiIndex) -> str:
    """``\\cmidrule`` under every top header that spans two or more columns."""
    rules, start = [], 0
    top = list(columns.get_level_values(0))
    while start < len(top):
        end = start
        while end + 1 < len(top) and top[end + 1] == top[start]:
            end += 1
        if end > start and top[start]:
            rules.append(f"\\cmidrule(lr){{{start + 1}-{end + 1}}}")
        start = end + 1
    return "".join(rules)


def booktabs_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    notes: str,
    comment: str,
    label: str,
    label_column: bool = False,
    column_format: str | None = None,
    fit_width: bool = False,
) -> str:
    """A ``table`` float with booktabs rules, the caption above and the notes below.

    Parameters
    ----------
    frame : pandas.DataFrame
        Plain-text cells; columns a two-level MultiIndex (group, header). Consecutive equal
        groups are merged into one spanning header with a rule under it.
    caption, notes : str
        Plain text (escaped here).
    comment : str
        The first line, as a ``%`` comment (white space collapsed, so it stays one line).
    label : str
        The ``\\label`` key (letters, digits, ``:`` and ``-`` only).
    label_column : bool
        The first column holds row labels (words): left-aligned, the rest right-aligned.
    column_format : str, optional
        LaTeX column specification in place of that (e.g. ``"lp{0.6\\linewidth}"`` for
        a column of sentences that wrap).
    fit_width : bool
        Scale the tabular to the text width (``\\resizebox``, from ``graphicx``), for a
        table of many columns (a protocol writer's review: the 12 columns of the interim
        looks ran about twice the width of an article's text).
    """
    styler = frame.style.hide(axis="index")
    styler = styler.format(tex_escape).format_index(tex_escape, axis=1)
    body = styler.to_latex(
        column_format=column_format or ("l" if label_column else "r") + "r" * (frame.shape[1] - 1),
        position="htbp",
        position_float="centering",
        hrules=True,
        caption=tex_escape(caption),
        label=label,
        multicol_align="c",
        environment="table",
    )
    lines = body.rstrip("\n").split("\n")
    top = lines.index("\\toprule")
    rules = _cmidrules(frame.columns)
    if rules:
        lines.insert(top + 2, rules)  # under the row of spanning headers
    lines.insert(lines.index("\\centering") + 1, f"\\setlength{{\\tabcolsep}}{{{TABCOLSEP_PT}pt}}")
    if fit_width:
        begin = next(i for i, line in enumerate(lines) if line.startswith("\\begin{tabular}"))
        lines.insert(begin, "\\resizebox{\\linewidth}{!}{")
        lines.insert(lines.index("\\end{tabular}") + 1, "}")
    end = lines.index("\\end{tabular}") + (1 if fit_width else 0)
    lines[end + 1 : end + 1] = [
        "\\par\\smallskip",
        "{\\footnotesize\\raggedright " + tex_escape(notes, exponents=True) + "\\par}",
    ]
    return "\n".join(["% " + " ".join(comment.split()), *lines]) + "\n"
