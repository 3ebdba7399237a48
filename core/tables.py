"""Reading user CSV files (and staff and leave kept as .xlsx) strictly: encoding, header, and typed columns, each error naming its cell.

Loaders in `forecasting.data` and `scheduler.data` build on these. Rows are numbered as a spreadsheet
shows them: the header is row 1, the first data row is row 2.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import difflib
import io
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

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


def source_bytes(path: str | Path | io.IOBase | bytes, source: str | None, unnamed: str) -> tuple[bytes, str]:
    """The bytes of a file path, raw bytes or a file object, and the name errors give it: `source`, else the
    file's name, else `unnamed`. A file that cannot be read is a DataError naming it."""
    if isinstance(path, (str, Path)):
        source = source or Path(path).name
        try:
            return Path(path).read_bytes(), source
        except OSError as exc:
            raise DataError(source, f"cannot read the file ({exc.strerror})") from None
    data = path if isinstance(path, bytes) else path.read()
    return (data.encode("utf-8") if isinstance(data, str) else data), source or unnamed


def read_table(
    path: str | Path | io.IOBase | bytes,
    required: Sequence[str],
    optional: Sequence[str] = (),
    source: str | None = None,
    *,
    excel: bool = False,
    allow_empty: bool = False,
    needs: str = "",
) -> pd.DataFrame:
    """Read a CSV (or, when `excel`, the first sheet of an .xlsx) into a DataFrame of stripped strings,
    checking its encoding and columns.

    `path` may be a file path, raw bytes or a binary file object (uploads); `source` names it in errors.
    Missing optional columns are absent from the result; unknown columns are an error (a misspelled
    optional column would otherwise be silently ignored). A header without rows is an empty table when
    `allow_empty`, else an error saying what the rows are for (`needs`).
    An .xlsx table's cells are turned into the text a CSV would hold, and its frame's attrs name the
    sheet, which `in_sheet` adds to the errors raised while reading its cells.
    """
    data, source = source_bytes(path, source, "input")
    if is_xlsx(data):
        if not excel:
            raise DataError(source, "is an Excel workbook; this file must be CSV: save it as 'CSV UTF-8 (comma delimited)'")
        header, frame, sheet = _xlsx_table(data, source)
    else:
        text = _decoded_text(data, source)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except pd.errors.ParserError as exc:
            raise DataError(source, f"is not a valid CSV table: {exc}") from None
        except pd.errors.EmptyDataError:
            raise DataError(source, "the file is empty; expected a header row and data rows") from None
        header = [c.strip() for c in next(csv.reader(io.StringIO(text)), [])]  # pandas renames repeats
        sheet = None
    _check_columns(header, required, optional, source, sheet)
    frame.columns = header
    if frame.empty and not allow_empty:
        raise DataError(source, "has a header but no data rows" + (f"; {needs}" if needs else ""), sheet=sheet)
    frame = frame.apply(lambda col: col.str.strip()) if not frame.empty else frame.astype(str)
    frame.attrs["source"] = source
    if sheet is not None:
        frame.attrs["sheet"] = sheet
    return frame


def is_xlsx(data: bytes) -> bool:
    """An .xlsx workbook is a zip archive; no CSV starts with the zip signature."""
    return data[:4] == b"PK\x03\x04"


def _xlsx_table(data: bytes, source: str) -> tuple[list[str], pd.DataFrame, str]:
    """The first sheet of a workbook: its header, its rows as CSV-like text, and the sheet's name."""
    import openpyxl  # only staff and leave read workbooks: keep the import off every other path

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or non-workbook zip: openpyxl raises several kinds
        raise DataError(source, f"is not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        name = sheet.title
    finally:
        book.close()
    # Excel keeps formatted but empty rows and columns in a sheet's range: trailing ones are not data.
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise DataError(source, "the first sheet is empty; expected a header row and data rows", sheet=name)
    first = rows[0]
    width = max((i + 1 for i, v in enumerate(first) if not _blank(v)), default=0)
    header = [_cell_text(v) for v in first[:width]]
    for i, col in enumerate(header):
        if col == "":
            raise DataError(source, f"column {_column_letter(i)} has no name in the header", row=1, sheet=name)
    for pos, row in enumerate(rows[1:]):
        extra = [i for i, v in enumerate(row[width:], start=width) if not _blank(v)]
        if extra:
            raise DataError(source, f"a value in column {_column_letter(extra[0])}, which has no name in the header",
                            row=spreadsheet_row(pos), sheet=name)
    body = [[_cell_text(v) for v in (row[:width] + [None] * (width - len(row)))] for row in rows[1:]]
    return header, pd.DataFrame(body, columns=range(width), dtype=object).astype(str), name


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell_text(value: object) -> str:
    """A cell as the text a CSV of it would hold: ids Excel stores as numbers read as typed (1001, not
    1001.0), a date cell as 2026-12-01, a date-time cell as 2026-12-01 08:15:00, a time cell as 08:15."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return f"{value:%Y-%m-%d}"
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    return str(value).strip()


@contextmanager
def in_sheet(frame: pd.DataFrame) -> Iterator[None]:
    """Errors raised while reading the cells of an .xlsx table name its sheet too."""
    try:
        yield
    except DataError as exc:
        sheet = frame.attrs.get("sheet")
        if sheet is None or exc.sheet is not None or exc.file != frame.attrs.get("source"):
            raise
        raise dataclasses.replace(exc, sheet=sheet) from None


def _check_columns(columns: Iterable[str], required: Sequence[str], optional: Sequence[str], source: str,
                   sheet: str | None = None) -> None:
    columns = list(columns)
    known = list(required) + list(optional)
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            raise DataError(source, f"column '{col}' appears twice in the header", row=1, column=col, sheet=sheet)
        seen.add(col)
    unknown = [c for c in columns if c not in known]
    for col in required:
        if col not in seen:
            near = difflib.get_close_matches(col, unknown, n=1, cutoff=0.6)
            hint = f" (is '{near[0]}' a misspelling of it?)" if near else ""
            raise DataError(
                source, f"missing required column '{col}'{hint}; the header must have {', '.join(required)}", row=1, column=col,
                sheet=sheet,
            )
    for col in unknown:
        near = difflib.get_close_matches(col, known, n=1, cutoff=0.6)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise DataError(source, f"unknown column '{col}': {hint}expected columns are {', '.join(known)}", row=1, column=col,
                        sheet=sheet)


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
    fail_at(frame, times.out_of_range(parsed), column, f"a time {times.YEARS}")
    return times.local_times(parsed, source, column)


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Parse dates (2026-12-01) to midnights in core.times.UNIT."""
    expected = "a date like 2026-12-01"
    require_filled(frame, column, expected)
    parsed = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    fail_at(frame, parsed.isna().to_numpy(), column, expected)
    fail_at(frame, times.out_of_range(parsed), column, f"a date {times.YEARS}")
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
