"""A trial's CSV file as a data manager exports it: read into the long table that
:mod:`designs.analyses.data_table` checks (separators, decimal commas, comments above the
header, a column named twice, rows cut short or shifted, whole scores), with the warnings
on what was read and the arm labels as written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from designs.analyses.data_table import ARM_LABELS, STATUSES, check_scores
from designs.errors import InputError, first_line

if TYPE_CHECKING:
    import pandas as pd

#: The columns an analysis of a file reads (a repeated one is refused: pandas would rename
#: the second and read the first without a word).
READ = ("patient", "arm", "month", "alsfrs_r", "status", "exit_month", "calendar_month")


def arm_labels(frame) -> dict[str, list[str]]:
    """The ``arm`` column's labels as written in the file, by the arm each is read as:
    ``{"placebo": [...], "active": [...]}`` (a data manager's review: nothing showed which
    label became placebo, so arms coded the other way round read as a flipped sign only).
    Labels that are not arms are left out (the analysis refuses them)."""
    import pandas as pd

    raw = frame["arm"].dropna()
    text = raw.astype(str).str.strip()
    if pd.api.types.is_numeric_dtype(raw) and raw.dtype != bool:
        coded = raw.astype(float)
        text = coded.map(lambda x: f"{x:g}")
    else:
        coded = text.str.lower().map(ARM_LABELS)
    out: dict[str, list[str]] = {"placebo": [], "active": []}
    for label, code in zip(text, coded, strict=True):
        arm = {0: "placebo", 1: "active"}.get(code)
        if arm is not None and label not in out[arm]:
            out[arm].append(label)
    return out


def trailing_separator_warning(rows: int) -> str:
    """The warning on ``rows`` data lines that end in a separator the header lacks (read as
    an empty last field, :func:`progression.csv_lines.trailing_separator_rows`)."""
    lines = f"{rows} data line{'s' if rows > 1 else ''}"
    # (a comma-separated file with them is refused: progression.csv_lines.wrong_field_count)
    return f"{lines} end with a separator the header does not have: read as an empty last field"


def read_trial_csv(
    path: str | Path, option: str = "--data", whole_scores: bool = True
) -> pd.DataFrame:
    """Read a long-format CSV (``#`` lines above the header are comments);
    separated by commas, or by semicolons (decimal commas allowed) or tabs when the header
    has no comma.

    Raises :class:`~designs.errors.InputError` naming ``option`` and the file when it is
    missing, not UTF-8 or not parseable as CSV, and scores that are not whole points unless
    ``whole_scores`` is False (:func:`check_scores`).
    """
    import pandas as pd

    from progression.csv_lines import (
        header_and_rows,
        row_lines,
        trailing_separator_rows,
    )

    if not Path(path).is_file():
        what = "a folder, not a file" if Path(path).is_dir() else "no such file"
        raise InputError(f"{option} {path}: {what}")
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")  # a byte-order mark is fine
        kept, sep = header_and_rows(text, f"{option} {path}", "patient, arm, month, ...", READ)
        body = "\n".join(line for _, line in kept)
        # index_col=False: a trailing separator on the data lines alone is an empty field,
        # not a shift of every column (wrong_field_count refused non-empty extra fields above)
        read = dict(sep=sep, skipinitialspace=True, index_col=False)
        header = pd.read_csv(io.StringIO(body), nrows=0, **read).columns
        frame = pd.read_csv(
            io.StringIO(body),
            decimal="," if sep == ";" else ".",  # ';' files often have decimal commas
            skip_blank_lines=False,
            # patient ids are text, as `fit --data` reads them (a review: as numbers "01"
            # and "1" were one patient, in both arms)
            dtype={c: str for c in header if str(c).strip() == "patient"},
            **read,
        )
        frame.columns = [str(c).strip() for c in frame.columns]
        if frame.dropna(how="all").empty:  # the file named (a file-safety review: "no rows")
            raise InputError(f"{option} {path}: no data rows below the header")
        if shifted := trailing_separator_rows([line for _, line in kept], sep):
            frame.attrs["read_warnings"] = (trailing_separator_warning(shifted),)
        if "patient" in frame.columns:  # "5 " is patient "5", as `fit --data` reads it
            frame["patient"] = frame["patient"].str.strip()
        if (lines := row_lines(kept, len(frame))) is not None:  # not with quoted line breaks
            frame.attrs["lines"] = lines
        check_scores(frame, f"{option} {path}", whole_scores)
        return frame
    except UnicodeDecodeError:
        # a spreadsheet's plain "CSV" is the system's code page (a portability review)
        raise InputError(
            f'{option} {path}: not UTF-8 text (from a spreadsheet, save it as "CSV UTF-8")'
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        first = first_line(exc)
        raise InputError(f"{option} {path}: unreadable CSV ({first})") from None


def leavers(frame, end: float | None = None) -> dict | None:
    """The patients of each arm whose records end a visit or more before the end of
    follow-up (they left or died), with that month; None when every patient reaches it.
    ``frame``: a long-format trial table (arm 0 placebo, 1 active); ``end``: the end of
    follow-up, months (default: the file's last visit month). Visit months may lie around a
    schedule (11.6, 12.4): a record counts as ending before the end when its last visit is
    more than half the median interval between visits before the median last visit of the
    patients with the most visits (diff reviews: 58 of 60 "left" where 65 of 120 had
    completed, then 13 completers at months 11.57-11.68 against a latest visit of 12.44)."""
    import numpy as np

    from designs.analyses.data_table import validate_table

    table = validate_table(frame, ("status",) if "status" in frame.columns else ())
    people = table.groupby("patient", sort=False)
    last = people.agg(arm=("arm", "first"), month=("month", "max"))
    gaps = np.concatenate([np.diff(np.sort(m.to_numpy(float))) for _, m in people["month"]])
    gaps = gaps[gaps > 0]
    given = end is not None
    end = float(table["month"].max()) if end is None else float(end)
    visits = people.size()
    full = last["month"][visits.reindex(last.index) == visits.max()]
    reached = min(end, float(full.median())) if not given else end
    tolerance = 0.5 * float(np.median(gaps)) if gaps.size else 0.0
    short = last["month"] < reached - tolerance
    if not short.any():
        return None
    active = last["arm"] == 1
    died = _deaths(table, last.index)
    return {
        "last_month": end,
        "end_given": given,
        "placebo": int((~active).sum()),
        "placebo_left": int((short & ~active).sum()),
        "active": int(active.sum()),
        "active_left": int((short & active).sum()),
        # of those, the deaths column status gives (a survival review: 23 deaths and 19
        # dropouts read as 42 "leaving"); None without the column or with unclear statuses
        "placebo_died": None if died is None else int((short & died & ~active).sum()),
        "active_died": None if died is None else int((short & died & active).sum()),
    }


def _deaths(table, patients):
    """Whether each patient (in the order of ``patients``) died, as the ``status`` column
    says (``death`` on their rows, the others empty); None without that column or when some
    patient's rows give no single status, which joint_rank's reading refuses and the other
    analyses do not read."""
    if "status" not in table.columns:
        return None
    text = table["status"].astype("string").str.strip().str.lower()
    given = text[text.notna() & (text != "")].groupby(table["patient"]).unique()
    one = given.reindex(patients)
    if one.map(lambda v: not hasattr(v, "__len__") or len(v) != 1 or v[0] not in STATUSES).any():
        return None  # labels it does not know (a diff review: "dead" counted 0 deaths)
    return one.map(lambda v: v[0] == "death").astype(bool)


def visit_months(data) -> dict | None:
    """The visit months a long-format table gives (``analyze``'s trial, ``fit``'s phase 2
    records): first, last and how many distinct (a data manager's review: months given in
    weeks, 0-48, read as a slope per month a quarter of the truth, and nothing shown let the
    user notice), and the visits (rows) and patients the file holds (a DMC review: nothing
    reconciled the analysis with the database's counts)."""
    import pandas as pd

    months = pd.to_numeric(data["month"], errors="coerce").dropna().to_numpy()
    if months.size == 0:
        return None
    return {
        "first": float(months.min()),
        "last": float(months.max()),
        "distinct": len(set(months)),
        "visits": int(months.size),
        "patients": int(data["patient"].nunique()),
    }
