"""Reading user CSV files strictly: encoding, header, and typed columns, each error naming its cell.

Loaders in `forecasting.data` and `scheduler.data` build on these. Rows are numbered as a spreadsheet
shows them: the header is row 1, the first data row is row 2.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import io
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError

FIRST_DATA_ROW = 2  # spreadsheet row of the first data line
# A clock time followed by Z, +08, +0800 or +08:00: an offset no local time carries.
_ZONE_OFFSET = r"(?i)\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:z|[+-]\d\d(?::?\d\d)?)$"


def spreadsheet_row(position: int) -> int:
    """0-based data position -> the row number a spreadsheet shows."""
    return int(position) + FIRST_DATA_ROW


def _decoded_text(data: bytes, source: str) -> str:
    if not data.strip():
        raise DataError(source, "the file is empty; expected a header row and data rows")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataError(source, "is UTF-16 text; save it as 'CSV UTF-8 (comma delimited)'")
    try:
        return data.decode("utf-8-sig")  # a UTF-8 byte-order mark, as Excel writes, is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gbk")
            hint = (
                "it looks GBK-encoded, as Excel exports on Chinese Windows are; "
                "save it again as 'CSV UTF-8 (comma delimited)'"
            )
        except UnicodeDecodeError:
            hint = "save it as UTF-8"
        raise DataError(source, f"is not UTF-8 text: {hint}", row=line) from None


def read_table(
    path: str | Path | io.IOBase | bytes,
    required: Sequence[str],
    optional: Sequence[str] = (),
    source: str | None = None,
    *,
    allow_empty: bool = False,
    needs: str = "",
) -> pd.DataFrame:
    """Read a CSV into a DataFrame of stripped strings, checking its encoding and columns.

    `path` may be a file path, raw bytes or a binary file object (uploads); `source` names it in errors.
    Missing optional columns are absent from the result; unknown columns are an error (a misspelled
    optional column would otherwise be silently ignored). A header without rows is an empty table when
    `allow_empty`, else an error saying what the rows are for (`needs`).
    """
    if isinstance(path, (str, Path)):
        source = source or Path(path).name
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise DataError(source, f"cannot read the file ({exc.strerror})") from None
    elif isinstance(path, bytes):
        data = path
    else:
        data = path.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    source = source or "input"
    text = _decoded_text(data, source)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise DataError(source, f"is not a valid CSV table: {exc}") from None
    except pd.errors.EmptyDataError:
        raise DataError(source, "the file is empty; expected a header row and data rows") from None
    header = [c.strip() for c in next(csv.reader(io.StringIO(text)), [])]  # pandas renames repeats
    _check_columns(header, required, optional, source)
    frame.columns = header
    if frame.empty and not allow_empty:
        raise DataError(source, "has a header but no data rows" + (f"; {needs}" if needs else ""))
    frame = frame.apply(lambda col: col.str.strip()) if not frame.empty else frame.astype(str)
    frame.attrs["source"] = source
    return frame


def _check_columns(columns: Iterable[str], required: Sequence[str], optional: Sequence[str], source: str) -> None:
    columns = list(columns)
    known = list(required) + list(optional)
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            raise DataError(source, f"column '{col}' appears twice in the header", row=1, column=col)
        seen.add(col)
    unknown = [c for c in columns if c not in known]
    for col in required:
        if col not in seen:
            near = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
            hint = f" (is '{near[0]}' a misspelling of it?)" if near else ""
            raise DataError(
                source, f"missing required column '{col}'{hint}; the header must have {', '.join(required)}", row=1, column=col
            )
    for col in unknown:
        near = difflib.get_close_matches(col, known, n=1, cutoff=0.6)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise DataError(source, f"unknown column '{col}': {hint}expected columns are {', '.join(known)}", row=1, column=col)


def fail_at(frame: pd.DataFrame, mask: np.ndarray | pd.Series, column: str, expected: str) -> None:
    """Raise a DataError for the first row where `mask` is true, quoting the cell."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    pos = int(np.argmax(mask))
    value = frame[column].iloc[pos] if column in frame else ""
    got = "an empty cell" if value == "" else repr(value)
    raise DataError(frame.attrs.get("source", "input"), f"expected {expected}, got {got}", row=spreadsheet_row(pos), column=column)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column] != ""


def require_filled(frame: pd.DataFrame, column: str, expected: str) -> None:
    fail_at(frame, ~_present(frame, column), column, expected)


def datetimes(
    frame: pd.DataFrame,
    column: str,
    expected: str = "a local date and time like 2026-12-01 08:15",
    *,
    allow_empty: bool = False,
) -> pd.Series:
    """Parse ISO 8601 local date-times to datetime64 in core.times.UNIT; time-zone offsets are rejected
    (all times are local); empty cells are NaT when allowed."""
    raw = frame[column]
    present = _present(frame, column)
    if not allow_empty:
        require_filled(frame, column, expected)
    fail_at(frame, raw.str.contains(_ZONE_OFFSET, regex=True).to_numpy(), column, expected + " without a time-zone offset")
    source = frame.attrs.get("source", "input")
    try:
        parsed = pd.to_datetime(raw.where(present, None), format="ISO8601", errors="coerce")
    except ValueError:  # time zones the offset pattern does not spell, mixed: pandas refuses to parse them together
        raise DataError(source, expected + " without a time zone; some cells carry one", column=column) from None
    fail_at(frame, (present & parsed.isna()).to_numpy(), column, expected + (", or an empty cell" if allow_empty else ""))
    return times.local_times(parsed, source, column)


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Parse dates (2026-12-01) to midnights in core.times.UNIT."""
    expected = "a date like 2026-12-01"
    require_filled(frame, column, expected)
    parsed = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    fail_at(frame, parsed.isna().to_numpy(), column, expected)
    return times.local_times(parsed, frame.attrs.get("source", "input"), column)


def numbers(
    frame: pd.DataFrame,
    column: str,
    *,
    whole: bool = False,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    allow_empty: bool = False,
) -> pd.Series:
    """Parse a numeric column, checking wholeness and range; empty cells are NaN when allowed."""
    kind = "a whole number" if whole else "a number"
    bounds = []
    if minimum is not None:
        bounds.append(f"≥ {minimum:g}")
    if above is not None:
        bounds.append(f"> {above:g}")
    if maximum is not None:
        bounds.append(f"≤ {maximum:g}")
    expected = kind + (" " + " and ".join(bounds) if bounds else "")
    raw = frame[column]
    present = _present(frame, column)
    if not allow_empty:
        fail_at(frame, ~present, column, expected)
    values = pd.to_numeric(raw.where(present, None), errors="coerce").astype("float64")
    bad = present & (values.isna() | ~np.isfinite(values.fillna(0)))
    if whole:
        bad |= present & (values != values.round())
    if minimum is not None:
        bad |= present & (values < minimum)
    if above is not None:
        bad |= present & (values <= above)
    if maximum is not None:
        bad |= present & (values > maximum)
    fail_at(frame, bad.to_numpy(), column, expected)
    return values


def choices(frame: pd.DataFrame, column: str, allowed: Sequence[str], *, allow_empty: bool = False) -> pd.Series:
    raw = frame[column]
    ok = raw.isin(list(allowed)) | ((raw == "") & allow_empty)
    fail_at(frame, ~ok.to_numpy(), column, "one of " + ", ".join(allowed))
    return raw


def no_duplicates(frame: pd.DataFrame, keys: pd.Series, column: str, what: str) -> None:
    """Fail on the second occurrence of a key, naming the row of the first. Keys are hashable scalars."""
    second = keys.duplicated(keep="first").to_numpy()
    if not second.any():
        return
    pos = int(np.argmax(second))
    first = int(np.flatnonzero((keys == keys.iloc[pos]).to_numpy())[0])
    raise DataError(
        frame.attrs.get("source", "input"),
        f"duplicate {what} {frame[column].iloc[pos]!r}: it already appears on row {spreadsheet_row(first)}",
        row=spreadsheet_row(pos),
        column=column,
    )
