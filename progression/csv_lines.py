"""The lines of a long-format CSV file, as ``fit --data`` and ``analyze --data`` both read
them: comments (lines starting with ``#`` above the header), the header, the data lines with
their line numbers in the file, the field separator, and rows with too many or too few
fields. One reader's rules for both commands (a data manager's review: a title row above the
header, blank lines among the comments and rows of separators alone were read by one command
and refused by the other, or refused with a message blaming another line).
"""

from __future__ import annotations

import re

from progression.errors import InputError


def field_separator(header: str) -> str:
    """The field separator of a CSV from its header line: the commonest of comma, semicolon
    and tab (spreadsheets in some locales write the last two), a comma on a tie; the
    same for ``fit --data`` and ``analyze --data`` (a review: ``fit`` read commas only).
    Quoted names do not count (a data manager's review: ``patient;"visit, name";...`` was
    read as comma-separated)."""
    header = re.sub(r'"[^"]*"', "", header)
    # the commonest of the three; a comma where none outnumbers it (a European data
    # manager's review: "...;exit_month;Kommentar, frei" was read as comma-separated)
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","


def wrong_field_count(lines: list[str], sep: str) -> tuple[int, str] | None:
    """None unless a data line has more fields than the header (a non-empty one among them,
    or in a comma-separated file any beyond the header's own trailing separator) or fewer;
    then ``(k, what)``: the line's number in ``lines`` (1 is the header) and what
    is wrong. More: '5 fields, the header 4; a decimal comma in a comma-separated file?
    ...': pandas reads such a file with its first column as an index and the others
    shifted, and then blames a wrong column (a review of bringing one's own data). Fewer:
    pandas fills the missing fields with nothing and the row's other numbers are read as
    they stand, '0,0,4,3' for '0,0,4,40,completed,' (a bad-input review: the estimate moved
    from 0.1893 to 0.1842 without a word). Blank lines are skipped."""
    import csv

    reader = csv.reader(lines, delimiter=sep)
    header = next(reader, [])
    width = len(header)  # with the header's own trailing separator, if any
    while header and not header[-1].strip():  # a trailing separator on the header alone
        header = header[:-1]
    for row in reader:
        if not row:
            continue
        extra = row[len(header) :]
        if extra and any(field.strip() for field in extra):
            comma = (
                "; a decimal comma in a comma-separated file? Quote such numbers, or separate "
                "the fields by semicolons"
                if sep == ","
                else ""
            )
            return reader.line_num, f"{len(row)} fields, the header {len(header)}{comma}"
        if len(row) > width and sep == ",":
            # empty extra fields: a separator at the end of the data lines, or unquoted
            # decimal commas with an empty last column ("0,0,1,5,36," for month 1.5, score
            # 36, read as month 1, score 5): one cannot be told from the other (a European
            # data manager's review: analyzed shifted, exit 0, under a warning)
            return reader.line_num, (
                f"{len(row)} fields, the header {len(header)}, the extra ones empty: a "
                "separator at the end of the data lines, or decimal commas written unquoted "
                "(1,5 for 1.5) with an empty last column, which shifts every column; remove "
                "the trailing separators (or end the header with one too), and quote "
                "decimal-comma numbers or separate the fields by semicolons"
            )
        unclosed = lines[reader.line_num - 1].count('"') % 2  # pandas says "cannot read"
        if len(row) < len(header) and not unclosed:
            fields = f"{len(row)} field{'' if len(row) == 1 else 's'}"
            return reader.line_num, (
                f"{fields}, the header {len(header)}: a row cut short? Give every column, "
                "leaving a field empty where it is unknown"
            )
    return None


def header_names(header_line: str, sep: str) -> list[str]:
    """The header's column names as written (stripped; a trailing separator is no name).
    pandas renames a repeated name (a second ``arm`` becomes ``arm.1``), so a name given
    twice is found here, before pandas reads the file."""
    import csv

    # skipinitialspace, as pandas reads it: ', "arm"' is the name arm (a diff review: read
    # with its quotes, a repeated quoted name went unnoticed)
    reader = csv.reader([header_line], delimiter=sep, skipinitialspace=True)
    names = [name.strip() for name in next(reader, [])]
    while names and not names[-1]:
        names.pop()
    return names


def trailing_separator_rows(lines: list[str], sep: str) -> int:
    """How many data lines end in empty fields beyond the header's (a separator at the end
    of the data lines, not of the header): they are read as empty last fields. In a
    comma-separated file with decimal commas written unquoted ("1,4" for month 1.4) and an
    empty last column, every such line is shifted instead, and read without an error (a
    data manager's review: month 1, score 4 for month 1.4, score 36)."""
    import csv

    reader = csv.reader(lines, delimiter=sep)
    width = len(next(reader, []))  # with the header's own trailing separator, if any
    return sum(1 for row in reader if len(row) > width)


def data_lines(lines: list[str]) -> list[tuple[int, str]]:
    """(file line, text) of the header and data lines: comments are the lines starting with
    ``#`` above the header (a data manager's review: ``analyze`` dropped a ``#`` line further
    down too, a patient id "#3" or a quoted note's second line, and the result moved without
    a word); blank lines and lines of separators alone (Excel's empty rows, ``,,,,,``) are
    skipped, and the line numbers stay those of the file (``fit --data`` counted a data row
    below a blank line one line early)."""
    top = next(  # blank lines among the comments are theirs (a diff review: refused)
        (i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")),
        len(lines),
    )
    return [
        (number, line)
        for number, line in enumerate(lines[top:], start=top + 1)
        if line.strip(" \t,;")
    ]


def comments(lines: list[str]) -> list[str]:
    """The text of the comment lines above the header (``#`` and surrounding spaces removed),
    in order; blank lines among them are skipped."""
    out = []
    for line in lines:
        if line.lstrip().startswith("#"):
            out.append(line.lstrip()[1:].strip())
        elif line.strip():
            break
    return out


def check_header_first(kept: list[tuple[int, str]], where: str, columns: str) -> None:
    """Refuse a title above the header (an export's "Study X, ALSFRS-R listing" line): it was
    read as the header, and the message blamed line 2's field count (a data manager's
    review). ``columns`` names the header's columns in the message."""

    def is_header(line: str) -> bool:
        return all(re.search(rf"\b{c}\b", line, re.IGNORECASE) for c in ("patient", "month"))

    below = [number for number, line in kept[1:20] if is_header(line)]
    if kept and below and not is_header(kept[0][1]):
        raise InputError(
            f"{where}: the header ({columns}) is on line {below[0]}, not the "
            f"first; delete the lines above it, or start them with #"
        )


def header_and_rows(
    text: str, where: str, columns: str, read: tuple[str, ...] = ()
) -> tuple[list[tuple[int, str]], str]:
    """The file's header and data lines with their line numbers (:func:`data_lines`) and its
    field separator, after the checks both readers make: a title above the header
    (:func:`check_header_first`), a column the reader uses (``read``) named twice (another
    repeated column is left to pandas, which renames it), and rows with too many or too few fields
    (:func:`wrong_field_count`), each refused as ``where: ...`` naming the file's line."""
    kept = data_lines(text.splitlines())
    check_header_first(kept, where, columns)
    sep = field_separator(kept[0][1] if kept else "")
    # as written: pandas renames a second "arm" to "arm.1" and reads the first (a data
    # manager's review: two arm columns, randomised and actual, gave no message)
    names = [name for name in header_names(kept[0][1] if kept else "", sep) if name in read]
    if twice := sorted({name for name in names if names.count(name) > 1}):
        raise InputError(f"{where}: column {twice[0]!r} appears twice in the header")
    extra = wrong_field_count([line for _, line in kept], sep)
    if extra:
        raise InputError(f"{where}: line {kept[extra[0] - 1][0]}: {extra[1]}")
    return kept, sep


def row_lines(kept: list[tuple[int, str]], rows: int) -> list[int] | None:
    """Each data row's line in the file, or None when the rows do not map to lines one to
    one (a quoted field spanning lines)."""
    return [number for number, _ in kept[1:]] if rows == len(kept) - 1 else None
