"""CSV cells that a spreadsheet cannot run as formulas.

A spreadsheet opening a CSV evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some, a tab or carriage return) as a formula: ``=HYPERLINK(...)`` or ``@SUM(1)``
in a design or analysis name would run on the reader's machine. Such a cell is written
with a leading apostrophe, the usual neutraliser (OWASP, "CSV Injection"); a number such as
``-0.5`` is left as it is, since it is read as the number it is.
"""

from __future__ import annotations

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` for a CSV writer: text that starts like a formula gets a leading ``'``.

    Numbers (and text that is exactly a number, like ``-0.5`` or ``-inf``) are returned
    unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def safe_row(values) -> list:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]
