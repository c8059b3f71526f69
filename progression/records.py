"""Long-format ALSFRS-R records: schema, validation, loading, and the bundled phase 2 set.

Schema (one row per patient visit):

``patient``
    Patient identifier (text).
``month``
    Time of the visit in months. In the phase 2 data 0 is the day of the first dose,
    assessed *before* dosing, so the month-0 visit belongs to the lead-in; negative months
    are earlier lead-in visits.
``alsfrs_r``
    ALSFRS-R total, a whole number of points in 0-48.

Other columns are allowed and kept (for example ``onset_months`` for delta-FS). Lines at the
top of the file that start with ``#`` are comments; a comment containing ``ILLUSTRATIVE``
marks the file as an illustrative reconstruction (so does an ``illustrative`` column whose
values are all true).

Every refusal raises :class:`progression.errors.InputError` with one line naming the file, the
row (1-based data row, and its line in the file) and the column.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from progression.csv_lines import comments, header_and_rows, row_lines
from progression.errors import InputError, first_line

if TYPE_CHECKING:  # pandas is imported where a table is read (start-up time)
    import pandas as pd

REQUIRED_COLUMNS = ("patient", "month", "alsfrs_r")
SCORE_MIN, SCORE_MAX = 0, 48
MIN_VISITS_PRE = 2  # visits at month <= 0 (the first-dose visit counts as lead-in)
MIN_VISITS_POST = 2  # visits at month > 0
UNCHANGED_TOLERANCE = 0.05  # points/month: |post - pre slope| below this is "unchanged"
#: Direction of each patient's decline after dosing in the CL2020 phase 2 trial, as published
#: (counts only; which patient is which was not published): Yamashita et al. 2023, Cell
#: Transplant 32:9636897231214370, abstract.
PUBLISHED_DIRECTIONS = {"slowed": 3, "unchanged": 1, "sped up": 1}
ILLUSTRATIVE_MARK = "ILLUSTRATIVE"
#: Fewest patients ``fit --data`` takes: the between-patient spreads need more than one.
MIN_PATIENTS = 2
#: Longest span of visit months taken (10 years): beyond it the months are likely days or
#: weeks (the bundled data span 15 months).
MAX_MONTH_SPAN = 120.0

BUNDLED_PHASE2 = Path(__file__).resolve().parent / "data" / "phase2_illustrative.csv"


@dataclass(frozen=True, eq=False)
class Phase2Data:
    """Validated long-format ALSFRS-R records of a before/after (lead-in) study.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``patient`` (str), ``month`` (float, months from first dose), ``alsfrs_r``
        (int, points 0-48) and any optional columns, sorted by patient then month. Treat
        as read-only; the loader hands out its own copy.
    illustrative : bool
        True when the records are an illustrative reconstruction, not patient data.
    source : str
        Where the records came from (a file path, or a short description).
    sha256 : str
        SHA-256 of the file's bytes (or of the canonical CSV text for in-memory data).
    """

    frame: pd.DataFrame
    illustrative: bool
    source: str
    sha256: str
    #: What the records hold that is unlikely enough to be a typing error
    #: (:func:`progression.record_checks.record_warnings`), for ``fit`` to print.
    warnings: tuple[str, ...] = ()
    #: What marked the records illustrative ("line 1", "column 'illustrative'"); "" when
    #: they are not.
    illustrative_mark: str = ""

    @property
    def patients(self) -> list[str]:
        """Patient identifiers in order of first appearance after sorting."""
        import pandas as pd

        return list(pd.unique(self.frame["patient"]))

    @property
    def n_patients(self) -> int:
        """Number of patients."""
        return len(self.patients)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Model inputs.

        Returns
        -------
        patient_index : numpy.ndarray of int64, shape (n_obs,)
            Position of each row's patient in :attr:`patients`.
        month : numpy.ndarray of float64, shape (n_obs,)
            Months from the first dose.
        score : numpy.ndarray of float64, shape (n_obs,)
            ALSFRS-R total, points.
        """
        codes = {p: i for i, p in enumerate(self.patients)}
        idx = self.frame["patient"].map(codes).to_numpy(dtype=np.int64)
        return (
            idx,
            self.frame["month"].to_numpy(dtype=np.float64),
            self.frame["alsfrs_r"].to_numpy(dtype=np.float64),
        )


def _fail(source: str, msg: str) -> InputError:
    return InputError(f"{source}: {msg}")


def _where(row: int, n_header_lines: int, line_numbers: list[int] | None = None) -> str:
    """'row R (line L)' for 0-based data row ``row``: ``line_numbers`` gives each row's line
    in the file, else the rows follow ``n_header_lines`` lines one per line."""
    line = line_numbers[row] if line_numbers is not None else row + 1 + n_header_lines
    return f"row {row + 1} (line {line})"


def validate_frame(
    frame: pd.DataFrame,
    source: str = "data",
    n_header_lines: int = 1,
    line_numbers: list[int] | None = None,
) -> pd.DataFrame:
    """Check a long-format ALSFRS-R table and return a clean, sorted copy.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw table; not modified.
    source : str
        Name used in error messages (the file path).
    n_header_lines : int
        Lines in the file before the first data row (comments plus the header), so that
        messages can give the file line as well as the data row.
    line_numbers : list of int, optional
        Each data row's line in the file (1-based), where blank lines lie between them.

    Returns
    -------
    pandas.DataFrame
        ``patient`` as str, ``month`` as float64 (months), ``alsfrs_r`` as int64 (points),
        sorted by patient then month, index reset; optional columns kept.

    Raises
    ------
    progression.errors.InputError
        Missing column, missing or non-numeric value, score outside 0-48 or not a whole
        number, duplicate (patient, month), a patient with fewer than two visits up to and
        including month 0 or fewer than two after it.
    """
    import pandas as pd

    def at(row: int) -> str:
        return _where(row, n_header_lines, line_numbers)

    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise _fail(
            source,
            f"missing column {missing[0]!r} (required columns: {', '.join(REQUIRED_COLUMNS)};"
            f" found: {', '.join(map(str, frame.columns)) or 'none'})",
        )
    if len(frame) == 0:
        raise _fail(source, "no data rows")
    df = frame.reset_index(drop=True).copy()
    for row, value in enumerate(df["patient"]):
        if pd.isna(value) or str(value).strip() == "":
            raise _fail(source, f"{at(row)}, column 'patient': empty")
    df["patient"] = df["patient"].astype(str).str.strip()
    for col in ("month", "alsfrs_r"):
        numeric = pd.to_numeric(df[col], errors="coerce")
        for row in np.flatnonzero(~np.isfinite(numeric.to_numpy(dtype=float))):
            value = df[col].iloc[row]
            what = (
                "missing (empty or NA)"
                # a missed visit exported as an empty score (a review of one's own records)
                + ("; a visit not made has no row: delete it" if col == "alsfrs_r" else "")
                if pd.isna(value) or str(value).strip() == ""
                else f"{value.item() if isinstance(value, np.generic) else value!r} is not a "
                "finite number"
            )
            raise _fail(source, f"{at(row)}, column {col!r}: {what}")
        df[col] = numeric.astype(float)
    scores = df["alsfrs_r"].to_numpy()
    for row in range(len(df)):
        problem = score_problem(scores[row])
        if problem:
            raise _fail(source, f"{at(row)}, column 'alsfrs_r': {problem}")
    df["alsfrs_r"] = df["alsfrs_r"].astype(np.int64)
    dup = df.duplicated(subset=["patient", "month"], keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(
            np.flatnonzero(
                (df["patient"] == df["patient"].iloc[row]).to_numpy()
                & (df["month"] == df["month"].iloc[row]).to_numpy()
            )[0]
        )
        raise _fail(
            source,
            f"{at(row)}, columns 'patient','month': duplicate of data "
            f"row {first + 1} (patient {df['patient'].iloc[row]!r}, month "
            f"{df['month'].iloc[row]:g})",
        )
    for patient, rows in df.groupby("patient", sort=False).groups.items():
        months = df.loc[rows, "month"].to_numpy()
        first_row = int(min(rows))
        n_pre, n_post = int((months <= 0).sum()), int((months > 0).sum())
        if n_pre < MIN_VISITS_PRE or n_post < MIN_VISITS_POST:
            which = (
                f"{n_pre} visit(s) up to and including month 0"
                if n_pre < MIN_VISITS_PRE
                else f"{n_post} visit(s) after month 0"
            )
            raise _fail(
                source,
                f"{at(first_row)}, column 'month': patient {patient!r} has "
                f"{which}; at least {MIN_VISITS_PRE} before/at and {MIN_VISITS_POST} after "
                "the first dose are needed",
            )
    n_patients = df["patient"].nunique()
    if n_patients < MIN_PATIENTS:  # a review: one patient fitted, the spreads all prior
        raise _fail(
            source,
            f"column 'patient': {n_patients} patient; the model's between-patient spreads need "
            f"at least {MIN_PATIENTS} patients",
        )
    if df.groupby("patient")["alsfrs_r"].nunique().max() == 1:  # a bad-input review: the
        # fit ran on constant scores, residual SD 0, R-hat 2.3 (and on each patient held at
        # a score of their own, a diff review)
        raise _fail(
            source,
            "column 'alsfrs_r': no patient's score changes over their visits; with no change "
            "in any patient there is no decline, and no residual spread, to fit",
        )
    span = float(df["month"].max() - df["month"].min())
    if span > MAX_MONTH_SPAN:  # days or weeks given as months (a review: x 30.44)
        raise _fail(
            source,
            f"column 'month': the visits span {span:g} months; months are counted from the "
            f"first dose (month 0 rated before it), and a phase 2 follow-up of more than "
            f"{MAX_MONTH_SPAN:g} months is likely days given as months",
        )
    df = df.sort_values(["patient", "month"], kind="stable").reset_index(drop=True)
    from progression.record_checks import MAX_VISIT_GAP, visit_gap

    if gap := visit_gap(df):  # one visit's month in days (a review: 91 for month 3)
        patient, before, after = gap
        raise _fail(
            source,
            f"column 'month': patient {patient!r} has visits at months {before:g} and "
            f"{after:g}, {after - before:g} months apart; a gap of more than "
            f"{MAX_VISIT_GAP:g} months is likely one month given in days",
        )
    return df


def score_problem(score: float) -> str | None:
    """What is impossible about one ALSFRS-R total (outside 0-48, or not whole points), or
    None. The one rule for every long-format table read from a file (``fit``, ``analyze``)."""
    if not SCORE_MIN <= score <= SCORE_MAX:
        return f"{score:g} is outside {SCORE_MIN}-{SCORE_MAX} points"
    if score != np.round(score):
        return f"{score:g} is not a whole number of points"
    return None


def bundled_sha256() -> str | None:
    """:attr:`Phase2Data.sha256` of the bundled records (the SHA-256 of the file's bytes, as
    :func:`load_phase2` computes it) without parsing them (no pandas): enough to find a
    cached fit of them. None when the file cannot be read (:func:`load_phase2` says why)."""
    try:
        return hashlib.sha256(BUNDLED_PHASE2.read_bytes()).hexdigest()
    except OSError:
        return None


def _read_text(path: Path) -> tuple[bytes, str]:
    if path.exists() and not path.is_file():  # reading a FIFO would block for ever
        raise _fail(str(path), "cannot read file (not a regular file: a folder, device or FIFO)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(str(path), f"cannot read file ({exc.strerror or exc})") from None
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        spreadsheet = 'from a spreadsheet, save it as "CSV UTF-8"'
        raise _fail(str(path), f"cannot read file (not UTF-8 text; {spreadsheet})") from None


def _stripped_header(line: str, sep: str) -> str:
    """The header line with its names stripped, so that "patient ;month ;..." names the
    columns as analyze reads them and the patient ids are read as text (a European data
    manager's review: fit refused "missing column 'patient' (found: patient , ...)"; a diff
    review: stripped after reading, numeric ids "01" and "1" were read as one number)."""
    import csv

    names = next(csv.reader([line], delimiter=sep, skipinitialspace=True), [])
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="").writerow([n.strip() for n in names])
    return out.getvalue()


def load_phase2(path: str | Path | None = None) -> Phase2Data:
    """Load and validate long-format ALSFRS-R records.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        CSV file with columns ``patient``, ``month`` (months from first dose),
        ``alsfrs_r`` (points 0-48). Default: the bundled illustrative reconstruction of the
        CL2020 phase 2 trial (:data:`BUNDLED_PHASE2`).

    Returns
    -------
    Phase2Data

    Raises
    ------
    progression.errors.InputError
        Unreadable file or any validation failure; one line naming row and column.
    """
    import pandas as pd

    p = Path(path) if path is not None else BUNDLED_PHASE2
    source = str(path) if path is not None else f"bundled {p.name}"
    raw, text = _read_text(p)
    notes = comments(text.splitlines())
    # the header and data lines, with their numbers in the file
    read = ("patient", "month", "alsfrs_r", "onset_months", "illustrative")
    kept, sep = header_and_rows(text, source, "patient, month, alsfrs_r", read)
    if not kept:
        raise _fail(source, "cannot read file (no header or data rows)")
    body = "\n".join([_stripped_header(kept[0][1], sep), *(line for _, line in kept[1:])])
    try:
        # patient ids are text: as numbers "01" and "1" were one patient (a review)
        frame = pd.read_csv(
            io.StringIO(body),
            dtype={"patient": str},
            sep=sep,
            index_col=False,  # a trailing separator is an empty field, not a column shift
            decimal="," if sep == ";" else ".",  # ';' files often have decimal commas
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = first_line(exc)
        raise _fail(source, f"cannot read as CSV ({first})") from None
    if "patient" in frame.columns:  # "5 " is patient "5", as analyze reads it
        frame["patient"] = frame["patient"].str.strip()
    clean = validate_frame(
        frame, source=source, n_header_lines=kept[0][0], line_numbers=row_lines(kept, len(frame))
    )
    # the mark opens a comment line ("# ILLUSTRATIVE reconstruction ..."); a note such as
    # "# real patient records, not illustrative" is not it (a review)
    illustrative = any(c.upper().startswith(ILLUSTRATIVE_MARK) for c in notes)
    mark = ""
    if illustrative:  # which line, for one's own file that kept the bundled one's comments
        mark = next(
            f"line {k}"
            for k, line in enumerate(text.splitlines(), 1)
            if line.lstrip().startswith("#")
            and line.lstrip()[1:].strip().upper().startswith(ILLUSTRATIVE_MARK)
        )
    if "illustrative" in clean.columns:
        flags = clean["illustrative"].astype(str).str.strip().str.lower()
        if not illustrative and bool(flags.isin(["true", "1", "yes"]).all()):
            illustrative, mark = True, "column 'illustrative'"
    from progression.record_checks import record_warnings

    return Phase2Data(
        frame=clean,
        illustrative=illustrative,
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        warnings=record_warnings(clean),
        illustrative_mark=mark,
    )


def from_frame(
    frame: pd.DataFrame, source: str = "in-memory data", illustrative: bool = False
) -> Phase2Data:
    """Validate an in-memory table (e.g. simulated records) as :class:`Phase2Data`.

    The hash is that of the validated table written as CSV, so equal tables hash equally.
    """
    clean = validate_frame(frame, source=source, n_header_lines=1)
    digest = hashlib.sha256(clean.to_csv(index=False).encode()).hexdigest()
    return Phase2Data(frame=clean, illustrative=illustrative, source=source, sha256=digest)


def ols_slope(month: np.ndarray, score: np.ndarray) -> float:
    """Least-squares slope of score on month (points/month); needs >= 2 distinct months."""
    x = np.asarray(month, dtype=float)
    y = np.asarray(score, dtype=float)
    xc = x - x.mean()
    return float(xc @ (y - y.mean()) / (xc @ xc))


def joined_line_fit(month: np.ndarray, score: np.ndarray, residual_sd: float) -> dict:
    """Least squares of one patient's visits on the model's own mean function, alone.

    ``score = level + pre_slope * month + change * max(month, 0)``: two lines that meet at
    month 0 (one level at the first dose), as in :mod:`progression.model`, with no pooling
    and no prior. Beside it, the standard error of the pre-dose slope of a separate
    least-squares line through the visits at month <= 0 (as in :func:`per_patient_slopes`).

    Parameters
    ----------
    month, score : numpy.ndarray
        One patient's visits: months from the first dose and ALSFRS-R (points); at least two
        distinct months on each side of month 0, counting month 0 on both.
    residual_sd : float
        Residual SD (points) at which the standard errors are computed (for instance the
        posterior mean of the model's ``residual_sd``).

    Returns
    -------
    dict
        ``pre_slope``, ``change`` and their standard errors ``pre_slope_se``, ``change_se``
        (points/month) of the joined line; ``lead_in_se`` (points/month), the standard
        error of the slope of a separate line through the lead-in visits.
    """
    m = np.asarray(month, dtype=float)
    y = np.asarray(score, dtype=float)
    design = np.column_stack([np.ones_like(m), m, np.maximum(m, 0.0)])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    cov = np.linalg.inv(design.T @ design)
    lead = m[m <= 0] - m[m <= 0].mean()
    return {
        "pre_slope": float(coef[1]),
        "change": float(coef[2]),
        "pre_slope_se": float(residual_sd * np.sqrt(cov[1, 1])),
        "change_se": float(residual_sd * np.sqrt(cov[2, 2])),
        "lead_in_se": float(residual_sd / np.sqrt(lead @ lead)),
    }


def classify_change(change: float) -> str:
    """ "slowed" (change > +0.05), "sped up" (< -0.05) or "unchanged" (points/month)."""
    if change > UNCHANGED_TOLERANCE:
        return "slowed"
    if change < -UNCHANGED_TOLERANCE:
        return "sped up"
    return "unchanged"


def per_patient_slopes(data: Phase2Data) -> pd.DataFrame:
    """Raw per-patient least-squares slopes before and after the first dose.

    The pre-dose slope uses visits at month <= 0 (the lead-in, month-0 visit included);
    the post-dose slope uses visits at month >= 0. The month-0 visit is in both, but the two
    lines are fitted separately, each with its own intercept, so they need not meet at month
    0. The piecewise-linear model's two lines share one level at month 0; its
    ``slope_change`` is therefore a different quantity from ``change`` here (for a patient
    whose lead-in scores sit above or below the start of its post-dose line the two can
    differ by more than 0.5 points/month; :func:`joined_line_fit` fits the model's line to
    one patient by least squares).

    Returns
    -------
    pandas.DataFrame
        Index ``patient``; columns ``baseline`` (points at month 0, NaN if not observed),
        ``pre_slope``, ``post_slope``, ``change`` (post minus pre; points/month) and
        ``direction``: "slowed" (change > +0.05), "sped up" (change < -0.05) or "unchanged"
        (|change| <= 0.05 points/month, :data:`UNCHANGED_TOLERANCE`).
    """
    import pandas as pd

    out = []
    for patient, g in data.frame.groupby("patient", sort=False):
        m, y = g["month"].to_numpy(float), g["alsfrs_r"].to_numpy(float)
        pre = ols_slope(m[m <= 0], y[m <= 0])
        post = ols_slope(m[m >= 0], y[m >= 0])
        change = post - pre
        direction = classify_change(change)
        base = y[m == 0][0] if (m == 0).any() else np.nan
        out.append((patient, base, pre, post, change, direction))
    return pd.DataFrame(
        out, columns=["patient", "baseline", "pre_slope", "post_slope", "change", "direction"]
    ).set_index("patient")
