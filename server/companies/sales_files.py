"""Reading a sales file (pure, no database): what it is (CSV or XLSX by its bytes, the text's
encoding, delimiter, decimal mark, date order), and its rows as a stream, one at a time, so
that memory does not grow with the file.

Rules (README "Companies: sales import"):
- Type by magic bytes: a ZIP (`PK\\x03\\x04`) is XLSX; text without NUL bytes is CSV; anything
  else (an image, an old .xls, a PDF) is refused, whatever its name says.
- Encoding: a UTF-8 BOM, else UTF-8 when the sample decodes, else cp1252.
- Delimiter: `,` `;` or tab, the one that splits the header into the most columns and keeps the
  sampled lines at the header's width.
- Decimal comma: with `;` or tab, numbers like `1,5` or `1.234,5` read as 1.5 and 1234.5.
- Dates: ISO (`2024-03-05`, with a time), or `a/b/Y` (also `.` and `-`, with a time). The order
  of `a/b` is decided once per file: the `date_order` option when given; else a sampled value
  whose first part is above 12 means D/M/Y (second part above 12: M/D/Y); else the company's
  country (M/D/Y in the US and a few others, D/M/Y elsewhere).
- Formula injection: a text cell (SKU, store, external id) starting with `= + - @`, a tab or a
  carriage return is refused (the row fails); numbers such as `-3` are numbers. An XLSX formula
  is never computed nor trusted: its cell reads as the formula text, so it fails the same way.
  Values echoed in row errors are neutralised with a leading `'`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 200
PREVIEW_ROWS = 20
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t")
# Countries writing month first (everywhere else: day first).
MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "FM", "MH", "PW", "BZ"})


class DateOrder(StrEnum):
    DMY = "DMY"
    MDY = "MDY"


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


@dataclass
class Row:
    """One data row: its 1-based line in the file and its cells (str, or XLSX values)."""

    line: int
    cells: list[Any]


# --- type, encoding, delimiter -----------------------------------------------------------------


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


# --- values ------------------------------------------------------------------------------------


def text_of(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def neutralise(value: Any) -> str:
    """A cell's text made safe for a spreadsheet (a leading `'` before a formula character)."""
    text = text_of(value) if not isinstance(value, str) else value
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def is_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def parse_number(value: Any, *, decimal_comma: bool) -> Decimal:
    """A cell as a Decimal. Raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = text_of(value).replace("\u00a0", "").replace(" ", "")
    if not text:
        raise ValueError("empty")
    if text.startswith(("=", "@")):
        raise ValueError("a formula, not a number")
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a number")
    return number


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
_SLASHED = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def date_parts(value: Any) -> tuple[int, int] | None:
    """(first, second) of an `a/b/Y` date, None for any other form (for the order rule)."""
    if isinstance(value, datetime | date):
        return None
    match = _SLASHED.match(text_of(value))
    return (int(match.group(1)), int(match.group(2))) if match else None


def decide_date_order(
    samples: Sequence[Any], *, option: DateOrder | None, country: str | None
) -> tuple[DateOrder, str]:
    """The file's date order and why (see the module docstring)."""
    if option is not None:
        return option, "option"
    for value in samples:
        parts = date_parts(value)
        if parts is None:
            continue
        if parts[0] > 12:
            return DateOrder.DMY, "data"
        if parts[1] > 12:
            return DateOrder.MDY, "data"
    if (country or "").upper() in MONTH_FIRST_COUNTRIES:
        return DateOrder.MDY, "country"
    return DateOrder.DMY, "country"


def parse_day_cell(value: Any, *, order: DateOrder) -> tuple[date, str]:
    """(the day, the time of day "HH:MM" or "") of a cell. Raises ValueError with the reason."""
    if isinstance(value, datetime):
        clock = value.strftime("%H:%M") if (value.hour, value.minute) != (0, 0) else ""
        return value.date(), clock
    if isinstance(value, date):
        return value, ""
    text = text_of(value)
    if not text:
        raise ValueError("empty")
    match = _ISO.match(text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        match = _SLASHED.match(text)
        if not match:
            raise ValueError("not a date (ISO, D/M/Y or M/D/Y)")
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000
        day, month = (first, second) if order is DateOrder.DMY else (second, first)
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise ValueError(f"not a valid date in {_order_label(order)} order") from None
    clock = ""
    if match.group(4) is not None:
        hour, minute = int(match.group(4)), int(match.group(5))
        if hour > 23 or minute > 59:
            raise ValueError("not a valid time")
        clock = "" if (hour, minute) == (0, 0) else f"{hour:02d}:{minute:02d}"
    return day_value, clock


def _order_label(order: DateOrder) -> str:
    return "D/M/Y" if order is DateOrder.DMY else "M/D/Y"


# --- opening and streaming ---------------------------------------------------------------------


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


def _open_xlsx(path: Path) -> Any:
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
    book = _open_xlsx(path)
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            if any(v is not None and text_of(v) for v in values):
                return _unique_header([text_of(v) for v in values])
        raise SalesFileError("EMPTY_FILE", "The workbook's first sheet is empty.")
    finally:
        book.close()


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
        book = _open_xlsx(self.path)
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


def looks_numeric(values: Sequence[Any], *, decimal_comma: bool) -> bool:
    """Whether most non-empty values parse as numbers."""
    filled = [v for v in values if text_of(v)]
    if not filled:
        return False
    good = 0
    for value in filled:
        try:
            parse_number(value, decimal_comma=decimal_comma)
            good += 1
        except ValueError:
            pass
    return good * 10 >= len(filled) * 9


# --- mapping rows to sales ---------------------------------------------------------------------


class Layout(StrEnum):
    LONG = "LONG"  # one sale per row: date, sku, quantity...
    WIDE = "WIDE"  # one row per date, one column per SKU


# Columns a WIDE mapping without explicit SKU columns never takes as SKUs (calendar helpers).
CALENDAR_COLUMNS = frozenset(
    {"year", "month", "day", "hour", "minute", "week", "weekday", "weekday name", "quarter"}
)
MAX_QUANTITY = Decimal("1e13")
MAX_PRICE = Decimal("1e10")
TEXT_MAX = 64
_CANCELLATION = re.compile(r"^[Cc]\d")


@dataclass(frozen=True)
class SalesMapping:
    """Which column holds what (header names). WIDE: `date` and the SKU columns (None: every
    other numeric column except calendar ones), the column name being the SKU."""

    date: str
    sku: str | None = None
    quantity: str | None = None
    unit_price: str | None = None
    store: str | None = None
    external_id: str | None = None
    sku_columns: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "sku": self.sku,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "store": self.store,
            "external_id": self.external_id,
            "sku_columns": None if self.sku_columns is None else list(self.sku_columns),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SalesMapping:
        columns = data.get("sku_columns")
        return cls(
            date=data["date"],
            sku=data.get("sku"),
            quantity=data.get("quantity"),
            unit_price=data.get("unit_price"),
            store=data.get("store"),
            external_id=data.get("external_id"),
            sku_columns=None if columns is None else tuple(columns),
        )


@dataclass(frozen=True, slots=True)
class ParsedSale:
    line: int
    sku: str
    sold_on: date
    quantity: Decimal
    unit_price: Decimal | None
    store: str
    external_id: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str
    value: str  # neutralised, at most 200 characters
    reason: str


# A sale ready to write, as text (what the database casts): (sku, day ISO, quantity, unit price
# or None, store, external id, line). Tuples of str, not objects: the import makes a million.
SaleRow = tuple[str, str, str, str | None, str, str, int]


def sale_row(sale: ParsedSale) -> SaleRow:
    price = sale.unit_price
    return (
        sale.sku,
        sale.sold_on.isoformat(),
        str(sale.quantity),
        None if price is None else str(price),
        sale.store,
        sale.external_id,
        sale.line,
    )


def problem(line: int, column: str, value: Any, reason: str) -> RowProblem:
    return RowProblem(line=line, column=column[:100], value=neutralise(value)[:200], reason=reason)


def wide_sku_columns(columns: Sequence[str], date_column: str, numeric: set[str]) -> list[str]:
    """The SKU columns of a WIDE mapping naming none: every other numeric, non-calendar one."""
    return [
        name
        for name in columns
        if name != date_column and name in numeric and name.strip().lower() not in CALENDAR_COLUMNS
    ]


class RowConverter:
    """Turns rows into sales or row problems under one mapping (built once per file)."""

    def __init__(
        self,
        *,
        columns: Sequence[str],
        mapping: SalesMapping,
        layout: Layout,
        order: DateOrder,
        decimal_comma: bool,
    ) -> None:
        self.mapping, self.layout, self.order = mapping, layout, order
        self.decimal_comma = decimal_comma
        self.width = len(columns)
        # Values repeat (days, quantities, SKUs): each distinct text is parsed once.
        self._dates: dict[str, tuple[date, str]] = {}
        self._quantities: dict[str, Decimal] = {}
        self._prices: dict[str, Decimal] = {}
        self._good_texts: set[str] = set()
        # The same as text for SaleRows: raw text -> (day ISO, time of day); -> canonical number.
        self._day_texts: dict[str, tuple[str, str]] = {}
        self._quantity_texts: dict[str, str] = {}
        self._price_texts: dict[str, str] = {}
        index = {name: i for i, name in enumerate(columns)}

        def find(role: str, name: str | None, required: bool) -> int | None:
            if name is None or name == "":
                if required:
                    raise SalesFileError("MISSING_COLUMN", f"The mapping names no {role} column.")
                return None
            if name not in index:
                raise SalesFileError(
                    "MISSING_COLUMN", f"The file has no column '{name}' (mapped as {role})."
                )
            return index[name]

        def need(role: str, name: str | None) -> int:
            at = find(role, name, True)
            assert at is not None  # find raises for a required column it cannot find
            return at

        self.date_at = need("date", mapping.date)
        if layout is Layout.WIDE:
            names = list(mapping.sku_columns or ())
            if not names:
                raise SalesFileError("MISSING_COLUMN", "A WIDE mapping needs SKU columns.")
            self.sku_at = [(name, find("sku", name, True)) for name in names]
            self.store_at = find("store", mapping.store, False)
            self.external_at = None
            self.price_at = None
        else:
            self.sku_column = need("sku", mapping.sku)
            self.quantity_at = need("quantity", mapping.quantity)
            self.price_at = find("unit_price", mapping.unit_price, False)
            self.store_at = find("store", mapping.store, False)
            self.external_at = find("external_id", mapping.external_id, False)

    def _cell(self, row: Row, at: int | None, name: str | None) -> Any:
        if at is None:
            return None
        if at >= len(row.cells):
            raise _Missing(name or "", len(row.cells), self.width)
        return row.cells[at]

    def _text(self, row: Row, at: int | None, name: str | None, *, required: bool) -> str:
        text = text_of(self._cell(row, at, name))
        if not text:
            if required:
                raise _Bad(name or "", text, "empty")
            return ""
        if is_formula(text):
            raise _Bad(name or "", text, "starts with a formula character (= + - @): refused")
        if len(text) > TEXT_MAX:
            raise _Bad(name or "", text, f"longer than {TEXT_MAX} characters")
        return text

    def _quantity(self, value: Any, column: str) -> Decimal:
        try:
            number = parse_number(value, decimal_comma=self.decimal_comma)
        except ValueError as exc:
            raise _Bad(column, value, str(exc)) from None
        if abs(number) >= MAX_QUANTITY:
            raise _Bad(column, value, "too large")
        return number.quantize(Decimal("0.001"))

    def _fast(self, row: Row) -> ParsedSale | None:
        """A LONG row made only of values seen before (the common case), without the checks
        they already passed; None when anything is new (the full path decides)."""
        cells = row.cells
        if len(cells) != self.width:
            return None
        try:
            sold_on, clock = self._dates[cells[self.date_at]]  # type: ignore[index]
            sku = cells[self.sku_column]
            if sku not in self._good_texts:
                return None
            quantity = self._quantities[cells[self.quantity_at]]
            price = None
            if self.price_at is not None:
                raw = cells[self.price_at]
                if raw:
                    price = self._prices[raw]
            store = ""
            if self.store_at is not None:
                store = cells[self.store_at]
                if store and store not in self._good_texts:
                    return None
            external = ""
            if self.external_at is not None:
                external = cells[self.external_at]
                if external and (
                    len(external) > TEXT_MAX
                    or external[0] in _SLOW_FIRST
                    or external[-1] in " \t\r\n"
                ):
                    return None
        except (KeyError, TypeError):
            return None
        if clock and not external:
            return None
        return ParsedSale(row.line, sku, sold_on, quantity, price, store, external)

    def batches(
        self, cells: Iterator[tuple[int, list[Any]]], size: int
    ) -> Generator[tuple[list[SaleRow], list[RowProblem], int]]:
        """(sales, problems, rows read) for every `size` rows read or sales made. A LONG row
        made only of values seen before (the common case) becomes a SaleRow straight from the
        text caches, without the checks those values passed; any other row takes `convert`."""
        sales: list[SaleRow] = []
        problems: list[RowProblem] = []
        read = 0
        append = sales.append
        fast = self.layout is Layout.LONG
        width = self.width
        days, quantities, prices = self._day_texts, self._quantity_texts, self._price_texts
        good = self._good_texts
        date_at = self.date_at
        sku_at = self.sku_column if fast else 0
        quantity_at = self.quantity_at if fast else 0
        price_at, store_at, external_at = self.price_at, self.store_at, self.external_at
        slow_first = _SLOW_FIRST
        for line, row in cells:
            read += 1
            made = None
            if fast and len(row) == width:
                try:
                    day, clock = days[row[date_at]]
                    sku = row[sku_at]
                    store = "" if store_at is None else row[store_at]
                    external = "" if external_at is None else row[external_at]
                    if (
                        not clock
                        and sku in good
                        and (not store or store in good)
                        and (
                            not external
                            or (
                                len(external) <= TEXT_MAX
                                and external[0] not in slow_first
                                and external[-1] not in " \t\r\n"
                            )
                        )
                    ):
                        price = None
                        if price_at is not None:
                            raw = row[price_at]
                            if raw:
                                price = prices[raw]
                        made = (
                            sku,
                            day,
                            quantities[row[quantity_at]],
                            price,
                            store,
                            external,
                            line,
                        )
                except (KeyError, TypeError):
                    made = None
            if made is not None:
                append(made)
            else:
                good_sales, bad = self.convert(Row(line, row))
                for sale in good_sales:
                    append(sale_row(sale))
                if bad:
                    problems.extend(bad)
            if read >= size or len(sales) >= size:
                yield sales, problems, read
                sales, problems, read = [], [], 0
                append = sales.append
        yield sales, problems, read

    def convert(self, row: Row) -> tuple[list[ParsedSale], list[RowProblem]]:
        if self.layout is Layout.LONG:
            fast = self._fast(row)
            if fast is not None:
                return [fast], []
        try:
            if self.layout is Layout.WIDE:
                return self._wide(row)
            return [self._long(row)], []
        except _Missing as missing:
            return [], [
                problem(
                    row.line,
                    missing.column,
                    "",
                    f"missing: the line has {missing.found} fields, the header {missing.width}",
                )
            ]
        except _Bad as bad:
            return [], [problem(row.line, bad.column, bad.value, bad.reason)]

    def _day(self, row: Row) -> tuple[date, str]:
        value = self._cell(row, self.date_at, self.mapping.date)
        cached = self._dates.get(value) if type(value) is str else None
        if cached is not None:
            return cached
        try:
            parsed = parse_day_cell(value, order=self.order)
        except ValueError as exc:
            raise _Bad(self.mapping.date, value, str(exc)) from None
        if type(value) is str:
            _remember(self._dates, value, parsed)
            _remember(self._day_texts, value, (parsed[0].isoformat(), parsed[1]))
        return parsed

    def _number(self, value: Any, column: str, *, price: bool) -> Decimal:
        cache = self._prices if price else self._quantities
        cached = cache.get(value) if type(value) is str else None
        if cached is not None:
            return cached
        if price:
            try:
                number = parse_number(value, decimal_comma=self.decimal_comma)
            except ValueError as exc:
                raise _Bad(column, value, str(exc)) from None
            if number < 0 or number >= MAX_PRICE:
                raise _Bad(column, value, "a price must be 0 or more")
            number = number.quantize(Decimal("0.0001"))
        else:
            number = self._quantity(value, column)
        if type(value) is str:
            _remember(cache, value, number)
            _remember(self._price_texts if price else self._quantity_texts, value, str(number))
        return number

    def _known_text(self, row: Row, at: int | None, name: str | None, *, required: bool) -> str:
        """`_text` for values that repeat (SKU, store): good ones are remembered."""
        if at is not None and at < len(row.cells):
            value = row.cells[at]
            if type(value) is str and value in self._good_texts:
                return value
        text = self._text(row, at, name, required=required)
        if text and len(self._good_texts) < 100_000:
            self._good_texts.add(text)
        return text

    def _long(self, row: Row) -> ParsedSale:
        m = self.mapping
        sold_on, clock = self._day(row)
        sku = self._known_text(row, self.sku_column, m.sku, required=True)
        quantity = self._number(
            self._cell(row, self.quantity_at, m.quantity), m.quantity or "", price=False
        )
        price = None
        if self.price_at is not None:
            raw_price = self._cell(row, self.price_at, m.unit_price)
            if raw_price is not None and raw_price != "" and text_of(raw_price):
                price = self._number(raw_price, m.unit_price or "", price=True)
        store = self._known_text(row, self.store_at, m.store, required=False)
        external = self._text(row, self.external_at, m.external_id, required=False)
        if external and external[0] in "Cc" and _CANCELLATION.match(external):
            quantity = -abs(quantity)  # a cancelled invoice: a return
        if not external and clock:
            external = clock  # hourly rows of one day stay distinct
        return ParsedSale(row.line, sku, sold_on, quantity, price, store, external)

    def _wide(self, row: Row) -> tuple[list[ParsedSale], list[RowProblem]]:
        sold_on, clock = self._day(row)
        store = self._text(row, self.store_at, self.mapping.store, required=False)
        sales, problems = [], []
        for name, at in self.sku_at:
            value = row.cells[at] if at is not None and at < len(row.cells) else None
            if not text_of(value):
                continue  # no figure for this SKU on this date
            try:
                quantity = self._quantity(value, name)
            except _Bad as bad:
                problems.append(problem(row.line, bad.column, bad.value, bad.reason))
                continue
            sales.append(ParsedSale(row.line, name, sold_on, quantity, None, store, clock))
        return sales, problems


# First characters an external id may not start with on the fast path (formula prefixes,
# spaces, and C: a cancellation).
_SLOW_FIRST = frozenset("=+-@\t\r\n Cc")


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) >= 50_000:
        cache.clear()
    cache[key] = value


class _Bad(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


class _Missing(Exception):
    def __init__(self, column: str, found: int, width: int) -> None:
        self.column, self.found, self.width = column, found, width


def suggest_mapping(
    columns: Sequence[str], samples: dict[str, list[Any]], *, decimal_comma: bool
) -> tuple[Layout, SalesMapping | None]:
    """A mapping guessed from the header names and sampled values (None: no date column)."""
    lowered = {name: name.strip().lower() for name in columns}

    def named(*words: str, exclude: set[str] | None = None) -> str | None:
        for word in words:
            for name, low in lowered.items():
                if name in (exclude or set()):
                    continue
                if low == word or low.replace("_", " ") == word:
                    return name
        for word in words:
            for name, low in lowered.items():
                if name not in (exclude or set()) and word in low:
                    return name
        return None

    date_column = named("date", "datum", "day", "invoicedate", "sold on", "period", "week")
    if date_column is None:
        for name in columns:
            values = [v for v in samples.get(name, []) if text_of(v)]
            if values and all(_looks_like_date(v) for v in values[:20]):
                date_column = name
                break
    if date_column is None:
        return Layout.LONG, None
    numeric = {
        name
        for name in columns
        if name != date_column and looks_numeric(samples.get(name, []), decimal_comma=decimal_comma)
    }
    others = [n for n in columns if n != date_column]
    wide = wide_sku_columns(columns, date_column, numeric)
    if others and len(wide) * 2 > len(others) and len(wide) >= 2:
        return Layout.WIDE, SalesMapping(date=date_column, sku_columns=None)
    used = {date_column}
    sku = named("sku", "stockcode", "product", "item", "article", "code", exclude=used)
    used.add(sku or "")
    quantity = named("quantity", "qty", "units", "quantite", "quantité", exclude=used)
    used.add(quantity or "")
    price = named("unit price", "unitprice", "price", "prix", exclude=used)
    used.add(price or "")
    store = named("store", "shop", "magasin", "location", exclude=used)
    used.add(store or "")
    external = named("invoice", "invoiceno", "order", "receipt", "transaction", "id", exclude=used)
    return Layout.LONG, SalesMapping(
        date=date_column,
        sku=sku,
        quantity=quantity,
        unit_price=price,
        store=store,
        external_id=external,
    )


def _looks_like_date(value: Any) -> bool:
    if isinstance(value, date | datetime):
        return True
    text = text_of(value)
    return bool(_ISO.match(text) or _SLASHED.match(text))
