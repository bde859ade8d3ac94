"""The cells of a sales file as values (pure): text, numbers, days, and the date order rule.
Kept apart from reading the file so that the mapping, the conversion and the preview share one
reading of a number or a date.

Rules (README "Companies: sales import"):
- Decimal comma: with `;` or tab, numbers like `1,5` or `1.234,5` read as 1.5 and 1234.5.
- Dates: ISO (`2024-03-05`, with a time), or `a/b/Y` (also `.` and `-`, with a time). The order
  of `a/b` is decided once per file: the `date_order` option when given; else a sampled value
  whose first part is above 12 means D/M/Y (second part above 12: M/D/Y); else the company's
  country (M/D/Y in the US and a few others, D/M/Y elsewhere).
- Formula injection: a text cell (SKU, store, external id) starting with `= + - @`, a tab or a
  carriage return is refused (the row fails); numbers such as `-3` are numbers. Values echoed in
  row errors or the preview are neutralised with a leading `'`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Countries writing month first (everywhere else: day first).
MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "FM", "MH", "PW", "BZ"})


class DateOrder(StrEnum):
    DMY = "DMY"
    MDY = "MDY"


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


def looks_like_date(value: Any) -> bool:
    if isinstance(value, date | datetime):
        return True
    text = text_of(value)
    return bool(_ISO.match(text) or _SLASHED.match(text))
