"""What a sales file is (pure, no database): CSV or XLSX by its bytes, the text's encoding,
delimiter and decimal mark, and its header. Decided once from the file's first 64 KiB, before
any row is read, so that the preview and the import read a file the same way.

Rules (README "Companies: sales import"):
- Type by magic bytes: a ZIP (`PK\\x03\\x04`) is XLSX; text without NUL bytes is CSV; anything
  else (an image, an old .xls, a PDF) is refused, whatever its name says.
- Encoding: a UTF-8 BOM, else UTF-8 when the sample decodes, else cp1252.
- Delimiter: `,` `;` or tab, the one that splits the header into the most columns and keeps the
  sampled lines at the header's width.
- Decimal comma: with `;` or tab, a sampled cell like `1,5` or `1.234,5`.
- An XLSX formula is never computed nor trusted: its cell reads as the formula text.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from server.companies.sales_values import text_of

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 200
PREVIEW_ROWS = 20
DELIMITERS = (",", ";", "\t")


class FileKind(StrEnum):
    CSV = "CSV"
    XLSX = "XLSX"


class SalesFileError(Exception):
    """The file as a whole cannot be read (not a row: the whole import stops)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Detected:
    """What a file is: kind, text encoding and delimiter (CSV), decimal mark, header."""

    kind: FileKind
    encoding: str | None
    delimiter: str | None
    decimal_comma: bool
    columns: list[str]


def sniff_kind(head: bytes) -> FileKind:
    """CSV or XLSX by content. Raises SalesFileError(EMPTY_FILE, NOT_A_SALES_FILE)."""
    if not head.strip():
        raise SalesFileError("EMPTY_FILE", "The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return FileKind.XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SalesFileError(
            "NOT_A_SALES_FILE", "This is an old Excel (.xls) file: save it as .xlsx or CSV."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SalesFileError("NOT_A_SALES_FILE", "UTF-16 text is not supported: save as UTF-8.")
    if b"\x00" in head:
        raise SalesFileError(
            "NOT_A_SALES_FILE",
            "The file is binary, not CSV text or XLSX (whatever its name says).",
        )
    return FileKind.CSV


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_delimiter(lines: Sequence[str]) -> str:
    """The delimiter giving the widest header that most sampled lines match."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        parsed = list(csv.reader(lines, delimiter=delimiter))
        if not parsed:
            continue
        width = len(parsed[0])
        if width < 2:
            continue
        same = sum(1 for row in parsed[1:] if len(row) == width)
        score = (same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


_COMMA_DECIMAL = re.compile(r"^[-+]?\d{1,3}(?:[. ]\d{3})*,\d+$|^[-+]?\d+,\d+$")


def _decode_cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="replace")


def _sample_text(head: bytes, encoding: str) -> str:
    if encoding == "cp1252":
        return _decode_cp1252(head)
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)


def detect(path: Path) -> Detected:
    """What the file at `path` is. Raises SalesFileError."""
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
    kind = sniff_kind(head)
    if kind is FileKind.XLSX:
        return Detected(
            kind=kind,
            encoding=None,
            delimiter=None,
            decimal_comma=False,
            columns=_xlsx_header(path),
        )
    encoding = detect_encoding(head)
    text = _sample_text(head, encoding)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(head) == SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    lines = lines[:SAMPLE_ROWS]
    if not lines:
        raise SalesFileError("EMPTY_FILE", "The file has no header line.")
    delimiter = detect_delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [cell.strip() for cell in rows[0]]
    decimal_comma = delimiter != "," and any(
        _COMMA_DECIMAL.match(cell.strip()) for row in rows[1:] for cell in row
    )
    return Detected(
        kind=kind,
        encoding=encoding,
        delimiter=delimiter,
        decimal_comma=decimal_comma,
        columns=_unique_header(header),
    )


def _unique_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    named = []
    for index, name in enumerate(header):
        name = name or f"column{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        named.append(name)
    return named


def open_xlsx(path: Path) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    handle = path.open("rb")  # a file object: openpyxl judges a path by its extension
    try:
        # data_only=False: a formula cell reads as its text, never as a computed value.
        return openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        handle.close()
        raise SalesFileError(
            "NOT_A_SALES_FILE", "The file is a ZIP archive but not a readable XLSX workbook."
        ) from exc


def _xlsx_header(path: Path) -> list[str]:
    book = open_xlsx(path)
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            if any(v is not None and text_of(v) for v in values):
                return _unique_header([text_of(v) for v in values])
        raise SalesFileError("EMPTY_FILE", "The workbook's first sheet is empty.")
    finally:
        book.close()
