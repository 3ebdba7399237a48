"""The one error type for bad user input: it names the file, row, column and what was expected."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DataError(ValueError):
    """Bad input. `row` is 1-based as a spreadsheet shows it (the header is row 1); `sheet` names the
    worksheet when the file is an Excel workbook."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"
