"""A sales file's data rows as a stream (pure, no database): one row at a time after the
header, so that memory does not grow with the file, with how far the stream has read (for the
job's progress). Empty lines and empty sheet rows are skipped; their line numbers still count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from server.companies.sales_detection import (
    PREVIEW_ROWS,
    SAMPLE_ROWS,
    Detected,
    FileKind,
    SalesFileError,
    detect,
    open_xlsx,
)
from server.companies.sales_values import text_of


@dataclass
class Row:
    """One data row: its 1-based line in the file and its cells (str, or XLSX values)."""

    line: int
    cells: list[Any]


@dataclass
class RowStream:
    """The data rows of a file after its header, one at a time, with how far it has read."""

    detected: Detected
    path: Path
    total_bytes: int = 0
    _raw: IO[bytes] | None = field(default=None, repr=False)
    _book: Any = field(default=None, repr=False)

    def position(self) -> float:
        """How far the stream has read, 0..1 (approximate)."""
        if self._raw is not None and self.total_bytes:
            try:
                return min(1.0, self._raw.tell() / self.total_bytes)
            except (OSError, ValueError):
                return 0.0
        return 0.0

    def rows(self) -> Generator[Row]:
        if self.detected.kind is FileKind.XLSX:
            yield from self._xlsx_rows()
        else:
            for line, cells in self._csv_cells():
                yield Row(line=line, cells=cells)

    def cells(self) -> Generator[tuple[int, list[Any]]]:
        """(line, cells) of each data row: `rows` without a Row object per row."""
        if self.detected.kind is FileKind.XLSX:
            for row in self._xlsx_rows():
                yield row.line, row.cells
        else:
            yield from self._csv_cells()

    def _csv_cells(self) -> Iterator[tuple[int, list[str]]]:
        raw = self.path.open("rb")
        self._raw = raw
        self.total_bytes = self.path.stat().st_size
        text = io.TextIOWrapper(
            raw,
            encoding=self.detected.encoding or "utf-8",
            errors="replace",
            newline="",
        )
        try:
            reader = csv.reader(text, delimiter=self.detected.delimiter or ",")
            header_seen = False
            previous_end = 0
            for cells in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not any(cells) or (
                    not cells[0].strip() and not any(cell.strip() for cell in cells)
                ):
                    continue  # an empty line
                if not header_seen:
                    header_seen = True
                    continue
                yield line, cells
        except csv.Error as exc:
            raise SalesFileError(
                "NOT_A_SALES_FILE", f"Line {previous_end + 1} cannot be read: {exc}."
            ) from exc
        finally:
            text.close()

    def _xlsx_rows(self) -> Iterator[Row]:
        book = open_xlsx(self.path)
        self._book = book
        try:
            sheet = book.worksheets[0]
            width = len(self.detected.columns)
            header_seen = False
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = list(values)
                if len(cells) < width:  # a sheet row stops at its last filled cell
                    cells.extend([None] * (width - len(cells)))
                if not any(v is not None and text_of(v) for v in cells):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                yield Row(line=number, cells=cells)
        finally:
            book.close()


def open_rows(path: Path, detected: Detected | None = None) -> RowStream:
    """A row stream over the file (detecting it first unless given)."""
    return RowStream(detected=detected or detect(path), path=path)


def preview_rows(stream: RowStream, limit: int = PREVIEW_ROWS) -> list[Row]:
    rows = []
    for row in stream.rows():
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def sample_column(stream: RowStream, index: int, limit: int = SAMPLE_ROWS) -> list[Any]:
    """Up to `limit` non-empty values of one column, from the top (for the date order)."""
    found: list[Any] = []
    rows = stream.rows()
    for row in rows:
        if index < len(row.cells) and text_of(row.cells[index]):
            found.append(row.cells[index])
            if len(found) >= limit:
                break
    close = getattr(rows, "close", None)
    if close is not None:
        close()
    return found
